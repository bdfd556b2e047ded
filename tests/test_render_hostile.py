"""What a diagnostic shows people: the right line, the caret under the right character,
at a bounded size, and nothing in a .touch file can drive the terminal.

Checked as properties over arbitrary text, so the whole class is covered: any hidden
character in any part of a diagnostic (message, source line, help, file name), any
line break the parser does not count, any width of character before the caret.
"""

from __future__ import annotations

import json
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from touchdsl.compiler.render import CONTEXT, MARKED, format_github, format_json, format_sarif, format_text
from touchdsl.diagnostics import HIDDEN, Diagnostic, Related, Span, escape_char

HOSTILE = ["\x1b]0;PWNED\x07", "\x1b[2J", "\x1b[31m", "\r", "\x08", "\x9b", "\u202e", "\u2066", "\u200b",
           "\ufeff", "\u2028", "\u2029", "\x0c", "\x0b", "\x00", "\x7f", "\U000e0041"]
chars = st.one_of(st.characters(blacklist_categories=("Cs",)), st.sampled_from(HOSTILE + ["\t", "中", "ש", "\u05b8"]))
line_text = st.lists(chars, max_size=200).map(lambda parts: "".join(parts).replace("\n", ""))


def columns(text: str) -> list[int]:
    """Terminal column where each character of `text` starts (an independent count)."""
    out, col = [], 0
    for ch in text:
        out.append(col)
        if unicodedata.category(ch) in ("Mn", "Me"):
            continue
        col += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return out


def draw(text: str) -> str:
    return "".join(escape_char(c) if HIDDEN.match(c) else ("    " if c == "\t" else c) for c in text)


def caret_column(caret_row: str) -> int:
    body = caret_row.split("| ", 1)[1]
    return len(body) - len(body.lstrip(" "))


def diag(message: str, file: str, line: int, col: int, end: int) -> Diagnostic:
    return Diagnostic("TD001", message, Span(file, line, col, line, end), help=(message,),
                      related=(Related(Span(file, 1, 1, 1, 2), message),))


@settings(max_examples=300, deadline=None)
@given(before=st.lists(line_text, max_size=3), line=line_text, breaks=st.lists(st.sampled_from(
    ["\u2028", "\u2029", "\x0c", "\x0b", "\r", "\x85"]), max_size=3), message=line_text, data=st.data())
def test_no_hidden_character_reaches_the_reader_and_the_caret_is_right(before, line, breaks, message, data):
    # characters other tools take for line breaks sit in earlier lines: they must not shift the quote
    lines = [b[:30] + "".join(breaks) for b in before] + [line + "end"]
    source = "\n".join(lines)
    number = len(lines)
    target = lines[-1]
    col = data.draw(st.integers(1, len(target)))
    end = data.draw(st.integers(col + 1, len(target) + 1))
    file = data.draw(st.sampled_from(["a.touch", "x\x1b[2J\u202e.touch"]))
    d = diag(message, file, number, col, end)
    out = format_text([d], {file: source})
    assert not [ch for ch in out if HIDDEN.match(ch) and ch != "\n"]
    text_row, caret_row = out.split("\n")[1:3]
    shown = text_row.split("| ", 1)[1]
    if len(target) <= CONTEXT:
        # the quoted line is the parser's line `number`, drawn with hidden characters escaped
        assert shown == draw(target)
    else:
        assert len(shown) <= (2 * CONTEXT + MARKED) * 10 + 2
    # the caret starts under the first character of the span, however wide what comes before
    want = draw(target[col - 1:col + 2])
    starts = [i for i, c in enumerate(columns(shown)) if c == caret_column(caret_row)]
    assert any(shown[i:].startswith(want) or want.startswith(shown[i:]) for i in starts), (shown, want)
    # machine formats carry the exact text
    doc = json.loads(format_json([d], [file]))
    assert doc["diagnostics"][0]["message"] == message and doc["diagnostics"][0]["file"] == file
    sarif = json.loads(format_sarif([d]))
    assert sarif["runs"][0]["results"][0]["message"]["text"].startswith(message)
    github = format_github([d])
    assert not [ch for ch in github if HIDDEN.match(ch)]


def test_terminal_escapes_in_messages_help_and_lines_are_shown_not_obeyed():
    source = 'owner o "\x1b]0;PWNED\x07" {  # \x1b[31mred\n'
    d = Diagnostic("TD001", "found `\x1b]0;PWNED\x07`", Span("m.touch", 1, 9, 1, 22), help=("try \u202eabc",))
    out = format_text([d], {"m.touch": source})
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "found `\\x1b]0;PWNED\\x07`" in out
    assert ' 1 | owner o "\\x1b]0;PWNED\\x07" {  # \\x1b[31mred' in out
    assert "help: try \\u{202E}abc" in out


def test_a_nine_megabyte_line_prints_a_short_excerpt_with_the_caret_in_place():
    line = "owner o \"O\" { note \"" + "x" * 9_000_000 + "\" } oops"
    col = line.index("oops") + 1
    d = Diagnostic("TD001", "found `oops`", Span("big.touch", 1, col, 1, col + 4))
    out = format_text([d], {"big.touch": line})
    assert len(out) < 2 * CONTEXT + MARKED + 200
    text_row, caret_row = out.split("\n")[1:3]
    assert text_row.endswith('xx" } oops') and text_row.split("| ", 1)[1].startswith("…")
    assert caret_row.split("| ", 1)[1] == " " * (text_row.split("| ", 1)[1].index("oops")) + "^^^^"


def test_a_span_over_a_long_line_is_cut_and_marked():
    line = "a" * 10 + "b" * 10_000 + "c" * 10
    d = Diagnostic("TD001", "m", Span("f.touch", 1, 11, 1, 10_011))
    text_row, caret_row = format_text([d], {"f.touch": line}).split("\n")[1:3]
    body = text_row.split("| ", 1)[1]
    assert body == "a" * 10 + "b" * (MARKED + CONTEXT) + "…"
    assert caret_row.split("| ", 1)[1] == " " * 10 + "^" * MARKED


def test_crlf_lines_are_quoted_without_the_carriage_return():
    d = Diagnostic("TD001", "m", Span("f.touch", 2, 1, 2, 4))
    out = format_text([d], {"f.touch": "one\r\ntwo\r\nthree\r\n"})
    assert " 2 | two\n" in out
