"""No hidden character passes silently, wherever it is written.

A bidirectional control, a zero-width character or a control character pasted into
any string or comment of a real project is reported on its line: a warning (TD904)
in text people read, an error (TD314) in an address alerts are sent to, a syntax
error where a name belongs. Direction marks that Hebrew text needs are not reported.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from touchdsl.compiler.driver import compile_project

REPO = Path(__file__).resolve().parent.parent
PROJECT = REPO / "examples" / "telecom"
FILES = {p.name: p.read_text(encoding="utf-8") for p in sorted(PROJECT.glob("*.touch"))}
HIDDEN = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u200b",
          "\u2060", "\ufeff", "\x07", "\x1b", "\x08", "\x7f", "\x9b", "\u2028", "\U000e0041"]
STRING = re.compile(r'"[^"\n\\]*"|#[^\n]*|<[^<>\s"]+>')


def places() -> list[tuple[str, int, bool]]:
    """(file, offset inside a string, comment or e-mail address, whether it is an address)."""
    out = []
    for name, text in FILES.items():
        for m in STRING.finditer(text):
            line = text[text.rfind("\n", 0, m.start()) + 1:m.start()]
            address = m.group().startswith("<") or (
                m.group().startswith('"') and re.match(r"\s*(notify|page)\s+\w+\s*$", line) is not None)
            out.extend((name, i, address) for i in range(m.start() + 1, m.end() - 1, 3))
    return out


PLACES = places()


def compile_with(name: str, text: str):
    with tempfile.TemporaryDirectory() as tmp:
        for other, original in FILES.items():
            (Path(tmp) / other).write_text(text if other == name else original, encoding="utf-8")
        return compile_project([tmp])


def test_the_project_has_places_of_both_kinds():
    assert {address for _, _, address in PLACES} == {True, False}


@settings(max_examples=150, deadline=None)
@given(place=st.sampled_from(PLACES), ch=st.sampled_from(HIDDEN))
def test_a_hidden_character_anywhere_is_reported_on_its_line(place, ch):
    name, offset, address = place
    original = FILES[name]
    text = original[:offset] + ch + original[offset:]
    line = text.count("\n", 0, offset) + 1  # U+2028 breaks lines for editors, not for the parser
    result = compile_with(name, text)
    here = [d for d in result.diagnostics if d.span and d.span.file.endswith(name) and d.span.line == line]
    assert here, f"{ch!r} at {name}:{line} passed silently"
    if address:  # refused: TD314, or a syntax error where the character breaks the address apart
        assert any(d.is_error for d in here), [(d.code, d.message) for d in here]


def test_direction_marks_in_hebrew_text_are_not_reported(project):
    result = project({"main.touch": 'owner o "מוקד שירות 24/7\u200f" {\n    notify email "o@example.com"\n'
                                    '    note "שעות פעילות: א\u200e-ה\u200f"\n}\n'})
    assert [d.code for d in result.diagnostics] == []
