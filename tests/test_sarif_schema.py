"""`check --format sarif` validates against the official SARIF 2.1.0 schema (OASIS errata01)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from tests.paths import DATA, REPO
from touchdsl.cli import cli

SCHEMA = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


def _sarif(args: list[str]) -> dict:
    result = CliRunner().invoke(cli, ["check", "--format", "sarif", *args])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.output)


@pytest.mark.parametrize("case", ["clean", "errors"])
def test_sarif_output_validates_against_the_official_schema(tmp_path, case):
    if case == "clean":
        doc = _sarif([str(REPO / "tests" / "fixtures" / "spec" / "banking")])  # one warning (TD903)
    else:
        (tmp_path / "a.touch").write_text(
            'owner a "A" { notify email "a@example.com" }\n'
            'owner a "Again" { notify email "a@example.com" }\n'
            'touchpoint t "T" {\n    owner b\n    ownr a\n}\n', encoding="utf-8")
        doc = _sarif([str(tmp_path)])
    jsonschema.Draft4Validator.check_schema(SCHEMA)
    errors = sorted(jsonschema.Draft4Validator(SCHEMA).iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    results = doc["runs"][0]["results"]
    assert results, "the case must produce results for the schema to check"
    if case == "errors":
        codes = {r["ruleId"] for r in results}
        assert {"TD001", "TD201", "TD202"} <= codes
        dup = next(r for r in results if r["ruleId"] == "TD201")
        assert dup["relatedLocations"][0]["physicalLocation"]["region"]["startLine"] == 1


def test_the_schema_catches_a_broken_document():
    """The validator is really checking: a result without a message is rejected."""
    doc = _sarif([str(REPO / "tests" / "fixtures" / "spec" / "banking")])
    del doc["runs"][0]["results"][0]["message"]
    assert list(jsonschema.Draft4Validator(SCHEMA).iter_errors(doc))


def test_paths_outside_the_working_directory_are_file_uris(tmp_path):
    (tmp_path / "a.touch").write_text('owner a "A" { notify emial "x" }\n', encoding="utf-8")
    doc = _sarif([str(tmp_path)])
    uri = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == (tmp_path / "a.touch").as_uri()
    assert not list(jsonschema.Draft4Validator(SCHEMA).iter_errors(doc))


def test_display_paths_are_inside_the_working_directory_or_absolute(tmp_path, monkeypatch):
    """One rule wherever the command runs: a file below the working directory is
    named relatively, any other file absolutely, never `../`; SARIF follows."""
    from touchdsl.compiler.sources import display_path

    here = tmp_path / "a" / "b"
    (here / "sub").mkdir(parents=True)
    monkeypatch.chdir(here)
    assert display_path(here / "sub" / "x.touch") == str(Path("sub") / "x.touch")
    assert display_path(Path("sub/../sub/x.touch")) == str(Path("sub") / "x.touch")
    for outside in (tmp_path / "a" / "x.touch", tmp_path / "x.touch", Path("../x.touch"), Path("../../x.touch")):
        shown = display_path(outside)
        assert Path(shown).is_absolute() and ".." not in Path(shown).parts, (outside, shown)
    (tmp_path / "a" / "one_up.touch").write_text('owner a "A" { notify emial "x" }\n', encoding="utf-8")
    (here / "sub" / "below.touch").write_text('owner b "B" { notify emial "x" }\n', encoding="utf-8")
    doc = _sarif(["../one_up.touch", "sub"])
    uris = sorted(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in doc["runs"][0]["results"])
    assert uris == sorted([(tmp_path / "a" / "one_up.touch").as_uri(), "sub/below.touch"])
    assert not list(jsonschema.Draft4Validator(SCHEMA).iter_errors(doc))
