"""The one Markdown escaper, held to a real CommonMark parser (markdown-it-py, with
GitHub's tables and strikethrough): whatever a user writes renders as written."""

from __future__ import annotations

import html

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from touchdsl.documents.escape import md_text
from touchdsl.targets import grafana
from touchdsl.tools.semdiff import md_escape

MD = MarkdownIt("commonmark").enable("table").enable("strikethrough")
# Markdown's own characters, block starters, entities and HTML, weighted heavily.
SYNTAX = "\\`*_{}[]()<>#|~&!+-.=:$@\"'/ 1234567890"
TEXT = st.text(alphabet=st.sampled_from(SYNTAX) | st.characters(categories=["L", "N", "P", "S", "Zs"]),
               min_size=1, max_size=40)


def rendered_text(markdown: str) -> str:
    """The text of a one-paragraph document; fails if any markup was produced."""
    out = MD.render(markdown)
    assert out.startswith("<p>") and out.endswith("</p>\n"), (markdown, out)
    inner = out[3:-5]
    assert "<" not in inner, (markdown, out)  # no emphasis, link, code, HTML or line break
    return html.unescape(inner)


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_user_text_at_the_start_of_a_line_renders_as_written(text):
    flat = " ".join(text.split())
    if flat:
        assert rendered_text(md_text(text)) == flat


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_user_text_inside_a_line_renders_as_written(text):
    flat = " ".join(text.split())
    assert rendered_text("Title: " + md_text(text, line_start=False)) == ("Title: " + flat).strip()


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_grafana_text_keeps_no_dollar_or_angle_bracket_and_renders_as_written(text):
    escaped = grafana.md_text(text)
    assert "$" not in escaped and "<" not in escaped and ">" not in escaped
    assert rendered_text("Expectation: " + escaped) == ("Expectation: " + " ".join(text.split())).strip()


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_github_comment_text_pings_nobody_and_renders_as_written(text):
    escaped = md_escape(text)
    shown = rendered_text("x " + escaped)[2:]
    assert shown.replace("\u200b", "") == " ".join(text.split())
    assert "@" not in shown.replace("@\u200b", "")


@pytest.mark.parametrize("text, line_start, expected", [
    ("<script>alert(1)</script>", True, "\\<script\\>alert(1)\\</script\\>"),
    ("1. first", True, "1\\. first"),
    ("1. first", False, "1. first"),
    ("- item", True, "\\- item"),
    ("**bold** [x](javascript:y)", True, "\\*\\*bold\\*\\* \\[x\\](javascript:y)"),
    ("a\n\nb", True, "a b"),
])
def test_md_text_examples(text, line_start, expected):
    assert md_text(text, line_start=line_start) == expected
