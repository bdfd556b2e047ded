"""Every sentence of a Hebrew document is Hebrew.

The charter and the policy in Hebrew are searched for English words outside what is
not ours to translate: code (series, labels, queries, identifiers: `<code>`, `<pre>`,
Markdown code spans and fences), values that read left to right (numbers, times, a
time zone, a receiver's kind: `<bdi dir="ltr">`, Unicode LRI…PDI), links (phone
numbers, addresses), and user text (titles, names, notes: `<bdi>`, FSI…PDI), which the
organisation wrote in whatever language it chose. What remains is the documents' own
wording, from the Hebrew catalogue, and must not hold English.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests.paths import REPO
from touchdsl.documents.wording import FSI, LRI, PDI

# Names that Hebrew text writes in Latin letters: the channels SMS and WhatsApp, the
# acronyms NPS and SLA (each given in Hebrew words beside it), and the Markdown format.
ALLOWED = {"SMS", "WhatsApp", "NPS", "SLA", "Markdown"}
_ENGLISH = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_NOT_OURS = ("code", "pre", "bdi", "a", "style", "title", "script")


class _Ours(HTMLParser):
    """The text of a page outside code, values, links and user text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ("br", "meta", "hr", "img", "link", "input"):
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        while self.open and self.open.pop() != tag:
            pass

    def handle_data(self, data: str) -> None:
        if not any(t in _NOT_OURS for t in self.open):
            self.text.append(data)


def html_words(page: str) -> set[str]:
    parser = _Ours()
    parser.feed(page)
    return set(_ENGLISH.findall(" ".join(parser.text))) - ALLOWED


def markdown_words(text: str) -> set[str]:
    text = re.sub(r"^(`{3,}).*?^\1", " ", text, flags=re.S | re.M)  # fenced code
    text = re.sub(r"(`+).+?\1", " ", text)  # code spans
    text = re.sub(f"[{FSI}{LRI}][^{PDI}]*{PDI}", " ", text)  # isolated values, links and user text
    return set(_ENGLISH.findall(text)) - ALLOWED


def hebrew_documents(name: str) -> dict[str, str]:
    import touchdsl
    from touchdsl.targets import BuildOptions
    from touchdsl.targets.charter import render as charter
    from touchdsl.targets.policy import render as policy

    folder = REPO / "tests" / "fixtures" / "hostile" if name == "hostile" else REPO / "examples" / name
    project = touchdsl.load([str(folder)])
    options = BuildOptions(lang="he")
    files = {**charter(project, options), **policy(project, options)}
    return {path: data.decode("utf-8") for path, data in files.items()}


def test_the_search_finds_english_in_our_words_and_only_there():
    page = ('<p>זמן <code dir="ltr">touch_duration_seconds</code> <bdi>Field Operations</bdi> '
            '<bdi dir="ltr">Asia/Jerusalem</bdi> <a href="tel:+1">+1 555</a> Cases by time, ב-SMS</p>')
    assert html_words(page) == {"Cases", "by", "time"}
    md = f"זמן `touch_duration_seconds` {FSI}Field Operations{PDI} {LRI}08:00{PDI} good (events), ב-SMS"
    assert markdown_words(md) == {"good", "events"}


@pytest.mark.parametrize("name", ["telecom", "banking", "health", "hostile"])
def test_a_hebrew_document_has_no_english_sentence(name):
    found = {}
    for path, text in hebrew_documents(name).items():
        words = html_words(text) if path.endswith(".html") else markdown_words(text)
        if words:
            found[path] = sorted(words)
    assert found == {}
