"""Every rule case under tests/rules/ (see tests/rules.py): `check` reports exactly
the expected diagnostics, at the expected positions, with the expected words."""

from __future__ import annotations

import pytest

from tests.rules import RULES, Case, cases, position
from touchdsl.compiler.codes import CATALOGUE
from touchdsl.compiler.driver import compile_project
from touchdsl.measure.history import configured_diagnostics
from touchdsl.measure.published import load_measured, measured_diagnostics, published

CASES = cases()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_rule_case(tmp_path, case: Case):
    result = compile_project(case.write(tmp_path))
    if (tmp_path / "touchdsl.toml").exists():  # the case has a history: `check` warns with it too
        result.diagnostics += configured_diagnostics(result.project if result.ok else None, result.root,
                                                     result.files)
    if case.measured is not None:  # as `build --measured` matches a measurement with the project
        found = published(result.project, load_measured(tmp_path / case.measured))
        result.diagnostics += measured_diagnostics(result.project, result.files, found)
    got = sorted((((d.code, position(d, tmp_path)), d) for d in result.diagnostics), key=lambda x: x[0])
    want = sorted((((e["code"], e["at"]), e) for e in case.expect), key=lambda x: x[0])
    assert [k for k, _ in got] == [k for k, _ in want], \
        [(d.code, position(d, tmp_path), d.message) for d in result.diagnostics]
    for (_, diagnostic), (_, expected) in zip(got, want):
        assert expected["message"] in diagnostic.message, (expected, diagnostic.message)
        for fragment in expected.get("help", []):
            assert any(fragment in h for h in diagnostic.help), (fragment, diagnostic.help)
    if not case.expect:
        assert result.project is not None


def test_every_code_has_a_file_of_cases_that_report_it():
    files = {p.stem for p in RULES.glob("TD*.yml")}
    assert files - set(CATALOGUE) == set(), "a file of cases for a code the catalogue does not know"
    for code in CATALOGUE:
        assert code in files, f"tests/rules/{code}.yml is missing: every code needs at least one case"
        mine = [c for c in CASES if c.file == code]
        assert any(e["code"] == code for c in mine for e in c.expect), f"no case in {code}.yml reports {code}"


def test_case_names_are_unique_within_a_file():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))
