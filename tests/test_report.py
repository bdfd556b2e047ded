"""Rendering diagnostics for people: the line, a caret under the span, help and notes."""

from __future__ import annotations

from touchdsl.compiler.render import format_json, format_text, summary
from touchdsl.diagnostics import Diagnostic, Related, Severity, Span


def caret_under(text: str, word: str) -> None:
    """The caret row's carets stand exactly under `word` in the quoted source row."""
    lines = text.splitlines()
    src = next(line for line in lines if " | " in line and word in line)
    row = lines[lines.index(src) + 1]
    start = src.index(word)
    assert row[start:start + len(word)] == "^" * len(word), (src, row)
    assert row[:start].strip() == "|", row
    assert row[start + len(word):].strip() == ""


def test_text_format_header_excerpt_help_and_note():
    sources = {"a.touch": 'owner ops "Ops" { }\nowner ops "Again" { }\n'}
    d = Diagnostic("TD201", "owner `ops` is declared twice", Span("a.touch", 2, 7, 2, 10),
                   help=("rename one of them",), related=(Related(Span("a.touch", 1, 7, 1, 10), "first declared here"),))
    text = format_text([d], sources)
    lines = text.splitlines()
    assert lines[0] == "a.touch:2:7: error[TD201]: owner `ops` is declared twice"
    assert lines[1] == ' 2 | owner ops "Again" { }'
    caret_under(text, "ops")
    assert lines[3] == "  help: rename one of them"
    assert lines[4] == "  note: a.touch:1:7: first declared here"


def test_caret_stays_under_the_word_after_tabs():
    sources = {"a.touch": 'owner o "O" {\n\t\tnotify emial "x"\n}\n'}
    d = Diagnostic("TD306", "unknown receiver `emial`", Span("a.touch", 2, 10, 2, 15))
    text = format_text([d], sources)
    assert "\t" not in text
    caret_under(text, "emial")


def test_caret_counts_characters_in_hebrew_lines():
    line = 'touchpoint t "תקלה טכנית" { owner feild }'
    col = line.index("feild") + 1
    d = Diagnostic("TD202", "unknown owner", Span("a.touch", 1, col, 1, col + 5))
    caret_under(format_text([d], {"a.touch": line + "\n"}), "feild")


def test_span_over_several_lines_underlines_to_the_end_of_the_first():
    sources = {"a.touch": 'note """\nmore\n"""\n'}
    d = Diagnostic("TD003", "x", Span("a.touch", 1, 6, 3, 4))
    lines = format_text([d], sources).splitlines()
    assert lines[1] == ' 1 | note """'
    assert lines[2] == "   |      ^^^"


def test_position_at_end_of_file_shows_an_empty_line():
    sources = {"a.touch": "owner o {\n"}
    d = Diagnostic("TD004", "the file ends too early", Span.point("a.touch", 2, 1))
    lines = format_text([d], sources).splitlines()
    assert lines[1:3] == [" 2 | ", "   | ^"]


def test_wide_line_numbers_align_the_gutter():
    sources = {"a.touch": "\n" * 120 + "owner x\n"}
    lines = format_text([Diagnostic("TD001", "m", Span("a.touch", 121, 7, 121, 8))], sources).splitlines()
    assert lines[1] == " 121 | owner x"
    assert lines[2] == "     |       ^"


def test_diagnostic_without_span_or_source():
    d = Diagnostic("TD001", "too many syntax errors", None, help=("fix them",))
    assert format_text([d], {}).splitlines() == ["error[TD001]: too many syntax errors", "  help: fix them"]
    d = Diagnostic("TD005", "binary", Span.point("gone.touch", 1, 1))
    assert format_text([d], {}).splitlines() == ["gone.touch:1:1: error[TD005]: binary"]


def test_warning_label_and_colour_only_when_asked():
    d = Diagnostic("TD901", "no receivers", Span("a.touch", 1, 7, 1, 8), Severity.WARNING)
    plain = format_text([d], {"a.touch": "owner o {}\n"})
    assert plain.startswith("a.touch:1:7: warning[TD901]: no receivers") and "\x1b[" not in plain
    assert "\x1b[" in format_text([d], {"a.touch": "owner o {}\n"}, color=True)


def test_summary_wording():
    err = Diagnostic("TD001", "x", None)
    warn = Diagnostic("TD901", "x", None, Severity.WARNING)
    assert summary([], 1, 1) == "ok: 1 file, 1 touchpoint, no problems"
    assert summary([], 3, 7) == "ok: 3 files, 7 touchpoints, no problems"
    assert summary([err], 2, None) == "1 error, 0 warnings in 2 files"
    assert summary([err, err, warn], 1, None) == "2 errors, 1 warning in 1 file"


def test_json_keeps_unicode_and_null_positions():
    import json

    doc = json.loads(format_json([Diagnostic("TD001", "צריך `}`", None)], ["a.touch"]))
    (d,) = doc["diagnostics"]
    assert d["message"] == "צריך `}`" and d["line"] is None and d["file"] is None
    assert "צריך" in format_json([Diagnostic("TD001", "צריך", None)], [])
