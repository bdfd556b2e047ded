"""The catalogue of codes is complete and documented (every code's rule cases: tests/test_rules.py)."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.paths import REPO
from touchdsl.compiler.codes import CATALOGUE, markdown

CODE = re.compile(r"\"(TD\d{3})\"")


def _codes_in(paths) -> set[str]:
    return {c for p in paths for c in CODE.findall(p.read_text(encoding="utf-8"))}


def test_docs_errors_md_is_generated_from_the_catalogue():
    generated = subprocess.run([sys.executable, "-m", "touchdsl.compiler.codes"], capture_output=True, check=True,
                               cwd=REPO).stdout.decode("utf-8")
    assert generated == markdown()
    written = (REPO / "docs" / "errors.md").read_text(encoding="utf-8")
    assert written == generated, "regenerate: .venv/bin/python -m touchdsl.compiler.codes > docs/errors.md"
    for code in CATALOGUE:
        assert f"## {code}: " in written


def test_every_code_used_in_the_source_is_in_the_catalogue():
    sources = [p for p in (REPO / "touchdsl").rglob("*.py") if p.name != "codes.py"]
    used = _codes_in(sources)
    assert used, "no codes found: has the source moved?"
    assert used - set(CATALOGUE) == set()


def test_every_catalogue_code_is_emitted_somewhere():
    sources = [p for p in (REPO / "touchdsl").rglob("*.py") if p.name != "codes.py"]
    assert set(CATALOGUE) - _codes_in(sources) == set()


def test_catalogue_entries_are_complete():
    for code, entry in CATALOGUE.items():
        assert re.fullmatch(r"TD\d{3}", code)
        assert entry.title and entry.explanation and entry.wrong and entry.right, code
        assert entry.wrong != entry.right, code
        # warnings: TD9xx, and TD6xx (evidence: what the history and measured figures say)
        assert entry.warning == code.startswith(("TD9", "TD6")), code


def test_wrong_and_right_examples_parse_where_they_are_touch_source():
    """A right example that is a complete declaration must itself be free of syntax errors."""
    from touchdsl.language.parser import parse

    for code, entry in CATALOGUE.items():
        right = entry.right
        if not re.match(r"(owner|calendar|journey|touchpoint|defaults|import)\b", right) or "..." in right:
            continue
        if not (right.rstrip().endswith("}") or right.startswith("import")):
            continue  # a line inside a block (`owner X`, `journey J.S`), not a declaration
        _, diags = parse(right, f"{code}.touch")
        assert [d.message for d in diags if d.code in ("TD001", "TD002", "TD004")] == [], (code, right)
