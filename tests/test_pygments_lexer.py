"""The Pygments lexer: registered by entry point, no Error tokens on real files, right token types."""

from __future__ import annotations

from pathlib import Path

import pytest
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name, get_lexer_for_filename
from pygments.token import (
    Comment,
    Error,
    Keyword,
    Literal,
    Name,
    Number,
    Punctuation,
    String,
)

from tests.paths import REPO
from touchdsl.tools.pygments_lexer import TouchLexer

EXAMPLES = sorted((REPO / "examples").rglob("*.touch"))


def tokens(text: str) -> list[tuple]:
    """Significant tokens (whitespace dropped), string pieces merged per literal."""
    out: list[tuple] = []
    for ttype, value in TouchLexer().get_tokens(text):
        if not value.strip():
            continue
        out.append((ttype, value))
    return out


def test_registered_by_entry_point():
    assert isinstance(get_lexer_by_name("touch"), TouchLexer)
    assert isinstance(get_lexer_for_filename("support.touch"), TouchLexer)


def test_examples_exist():
    assert len(EXAMPLES) >= 3


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_error_tokens_on_examples(path: Path):
    text = path.read_text(encoding="utf-8")
    toks = list(TouchLexer().get_tokens(text))
    errors = [(t, v) for t, v in toks if t in Error]
    assert errors == []
    # The lexer must not lose or invent text (Pygments appends a final newline).
    assert "".join(v for _, v in toks).rstrip("\n") == text.rstrip("\n")


def test_declarations_keywords_and_names():
    toks = tokens('owner field_ops "Field Operations" {\n    manager "Dana Levi" <dana.levi@example.com>\n}\n')
    assert toks[0] == (Keyword.Declaration, "owner")
    assert toks[1] == (Name.Class, "field_ops")
    assert (Keyword, "manager") in toks
    assert (String.Other, "<dana.levi@example.com>") in toks
    assert (Punctuation, "{") in toks and (Punctuation, "}") in toks


def test_step_named_like_a_keyword_is_a_name():
    toks = tokens('step notify "Customer notified" by payments via sms\n')
    assert toks[:2] == [(Keyword.Declaration, "step"), (Name.Function, "notify")]
    assert (Name, "payments") in toks
    assert (Name.Builtin, "sms") in toks


def test_owner_reference_inside_touchpoint():
    toks = tokens("    owner field_ops\n    journey home_internet.support\n")
    assert toks[:2] == [(Keyword, "owner"), (Name, "field_ops")]
    assert toks[2:] == [(Keyword, "journey"), (Name, "home_internet"), (Punctuation, "."),
                        (Name.Attribute, "support")]


def test_durations_percentages_numbers():
    toks = tokens("promise 80% within 30s\ntarget 99.5% within 1.5h\nwindow 28d\nscore 1..5\n"
                  "promise average at least 4.3\npromise at least -100\ncount complaints per 250ms\n")
    assert [(Number, "80"), (Keyword.Type, "%")] == toks[1:3]
    assert (Number, "30") in toks and (Keyword.Type, "s") in toks
    assert (Number, "99.5") in toks
    assert (Number, "1.5") in toks and (Keyword.Type, "h") in toks
    assert (Number, "28") in toks and (Keyword.Type, "d") in toks
    assert (Number, "250") in toks and (Keyword.Type, "ms") in toks
    assert [(Number.Integer, "1"), (Punctuation, ".."), (Number.Integer, "5")] == \
        toks[toks.index((Keyword, "score")) + 1:][:3]
    assert (Number.Float, "4.3") in toks
    assert (Number.Integer, "-100") in toks


def test_times_and_dates():
    toks = tokens("hours sun-thu 08:00-18:00\nclosed 2026-09-21, 2026-12-31\n")
    assert toks[:4] == [(Keyword, "hours"), (Name.Builtin, "sun"), (Punctuation, "-"), (Name.Builtin, "thu")]
    assert toks[4:7] == [(Literal.Date, "08:00"), (Punctuation, "-"), (Literal.Date, "18:00")]
    assert (Literal.Date, "2026-09-21") in toks and (Literal.Date, "2026-12-31") in toks


def test_events():
    toks = tokens("time from report.start to report.answered on il_office\n")
    assert toks[2:5] == [(Name, "report"), (Punctuation, "."), (Name.Builtin, "start")]
    assert toks[6:9] == [(Name, "report"), (Punctuation, "."), (Name.Attribute, "answered")]
    assert toks[-1] == (Name, "il_office")


def test_strings_escapes_and_triple_quotes():
    toks = tokens('manager "ד\\"ר יעל \\u{05D0}\\n" <y@example.org>\n')
    assert (String.Escape, '\\"') in toks
    assert (String.Escape, "\\u{05D0}") in toks
    assert (String.Escape, "\\n") in toks
    assert not any(t in Error for t, _ in toks)

    text = 'note """\n    A "quoted" word, and # not a comment\n"""\ntags "a"\n'
    toks = tokens(text)
    assert not any(t in Comment for t, _ in toks)
    assert toks[1] == (String.Double, '"""')
    assert (Keyword, "tags") in toks  # the block ended where it should


def test_comments():
    toks = tokens('window 28d   # rolling window\n# קו הערה\n')
    assert toks[-2:] == [(Comment.Single, "# rolling window"), (Comment.Single, "# קו הערה")]


def test_unknown_escape_and_stray_characters_are_errors():
    assert any(t in Error for t, _ in tokens('note "bad \\q escape"\n'))
    assert any(t in Error for t, _ in tokens("owner x @ {\n"))


def test_highlights_to_html():
    html = highlight((REPO / "examples" / "telecom" / "support.touch").read_text(encoding="utf-8"),
                     TouchLexer(), HtmlFormatter())
    assert 'class="kd">touchpoint<' in html
    assert 'class="err"' not in html
