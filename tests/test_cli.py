"""The command line: exit codes, output formats, explain, schema, build."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from tests.paths import REPO, SHARED
import touchdsl
from touchdsl.cli import cli
from touchdsl.compiler.codes import CATALOGUE

EXAMPLES = REPO / "examples"
SHARED_EXAMPLES = SHARED / "spec" / "examples"
# Byte copies of the spec's acceptance projects, so every clone checks them. The
# projects under examples/ are the demo: banking there uses its calendar, which the
# spec's copy declares and never uses (TD903).
ACCEPTANCE = REPO / "tests" / "fixtures" / "spec"

BROKEN = """\
owner ops "Ops" {
    manager "M" <m@example.com>
    notify email "ops@example.com"
}
touchpoint t "T, with: a comma" {
    owner opz
    expectation "x"
    step s "S"
    metric m "M" {
        nps
        promise at least 10
    }
}
"""

WARNED = """\
owner ops "Ops" {
    manager "M" <m@example.com>
}
"""


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def broken(tmp_path):
    (tmp_path / "main.touch").write_text(BROKEN, encoding="utf-8")
    return tmp_path


@pytest.fixture
def warned(tmp_path):
    (tmp_path / "main.touch").write_text(WARNED, encoding="utf-8")
    return tmp_path


# ---- the acceptance examples ------------------------------------------------------------------


@pytest.mark.parametrize("path", [SHARED_EXAMPLES, ACCEPTANCE / "telecom", ACCEPTANCE / "banking", ACCEPTANCE])
def test_acceptance_examples_check_clean(path):
    if not path.exists():
        pytest.skip(f"{path} is not present in this checkout")
    result = invoke("check", str(path))
    assert result.exit_code == 0, result.output
    assert "error[" not in result.output


def test_acceptance_copies_are_the_spec_examples():
    if not SHARED_EXAMPLES.exists():
        pytest.skip("the shared spec folder is not present in this checkout")
    specs = sorted(p.relative_to(SHARED_EXAMPLES) for p in SHARED_EXAMPLES.rglob("*.touch"))
    assert specs == sorted(p.relative_to(ACCEPTANCE) for p in ACCEPTANCE.rglob("*.touch"))
    for rel in specs:
        assert (ACCEPTANCE / rel).read_bytes() == (SHARED_EXAMPLES / rel).read_bytes(), rel


@pytest.mark.parametrize("name", ["telecom", "banking", "health"])
def test_the_demo_examples_check_without_a_warning(name):
    """`make demo` starts with `touchdsl check examples`: a shipped example that warns
    would teach that warnings are normal."""
    result = invoke("check", str(EXAMPLES / name))
    assert result.exit_code == 0 and "warning[" not in result.output, result.output


def test_load_telecom_model_facts():
    p = touchdsl.load([str(EXAMPLES / "telecom")])
    assert list(p.owners) == ["service_center", "field_ops", "billing"]
    assert p.owners["field_ops"].manager.email == "dana.levi@example.com"
    assert [(r.kind, r.target) for r in p.owners["service_center"].page] == [("pagerduty", "service-center-primary")]
    fault = p.touchpoints["technical_fault"]
    assert (fault.owner, fault.journey, fault.stage) == ("field_ops", "home_internet", "support")
    assert [m.kind for m in fault.metrics] == ["time", "time", "ratio", "score"]
    assert [m.kind for m in p.touchpoints["address_change"].metrics] == ["time", "ratio", "count"]
    csat = fault.metrics[3]
    assert csat.target == csat.promise and csat.target_written is False  # target defaults to promise
    answer = fault.metrics[0]
    assert (answer.promise.percent, answer.promise.within.seconds) == (80, 30)
    assert (answer.target.percent, answer.target.within.seconds) == (90, 20)
    assert fault.metrics[1].calendar == "il_office"
    assert all(m.window.seconds == 28 * 86400 for m in fault.metrics)
    cal = p.calendars["il_office"]
    assert cal.timezone == "Asia/Jerusalem" and cal.holidays == ["IL"]
    assert [(h.days, h.start, h.end) for h in cal.hours] == [
        (["sun", "mon", "tue", "wed", "thu"], "08:00", "18:00"), (["fri"], "08:00", "13:00")]
    assert fault.updates.every.seconds == 4 * 3600 and str(fault.updates.until) == "verify.end"
    assert [(e.to, e.on) for e in fault.escalations] == [("manager", "breach")]
    assert [(s.id, s.by, s.via) for s in fault.steps] == [
        ("report", "service_center", "phone"), ("confirm", "service_center", "sms"),
        ("visit", "field_ops", None), ("verify", "service_center", "phone")]
    assert p.defaults.charter.language == "en"


def test_load_banking_window_default_is_28d_when_no_defaults():
    p = touchdsl.load(str(EXAMPLES / "banking"))
    m = {x.id: x for x in p.touchpoints["bank_transfer"].metrics}
    assert m["executed"].window.text == "30d"
    assert m["effort"].window.seconds == 28 * 86400 and m["recommend"].window.seconds == 28 * 86400
    assert (m["effort"].kind, m["effort"].promise.form, m["effort"].promise.percent) == ("score", "share_at_least", 80)
    assert (m["recommend"].kind, m["recommend"].target.value) == ("nps", 40)
    assert [s.id for s in p.touchpoints["bank_transfer"].steps] == ["order", "execute", "notify"]
    assert p.touchpoints["bank_transfer"].tags == ["regulated", "money"]


def test_load_raises_one_error_with_every_diagnostic(broken):
    with pytest.raises(touchdsl.TouchError) as info:
        touchdsl.load([str(broken)])
    assert [d.code for d in info.value.diagnostics] == ["TD202"]
    assert "TD202" in str(info.value)


# ---- check: exit codes and text --------------------------------------------------------------


def test_check_text_output_with_caret_and_help(broken):
    result = CliRunner().invoke(cli, ["check", str(broken)])
    assert result.exit_code == 1
    out = result.output
    assert ":6:11: error[TD202]: unknown owner `opz`" in out
    assert "  6 |     owner opz" in out or " 6 |     owner opz" in out
    assert " |           ^^^" in out
    assert "help: did you mean `ops`?" in out
    assert "1 error, 0 warnings in 1 file" in out


def test_check_ok_exit_0_and_summary():
    result = CliRunner().invoke(cli, ["check", str(EXAMPLES / "telecom")])
    assert result.exit_code == 0
    assert "ok: 3 files, 2 touchpoints, no problems" in result.output


def test_missing_path_is_a_usage_error():
    result = CliRunner().invoke(cli, ["check", "/no/such/place"])
    assert result.exit_code == 2
    assert "no such file or directory" in result.output


def test_unknown_format_is_a_usage_error():
    assert CliRunner().invoke(cli, ["check", "--format", "xml", str(EXAMPLES)]).exit_code == 2


def test_warnings_pass_unless_strict(warned):
    assert CliRunner().invoke(cli, ["check", str(warned)]).exit_code == 0
    result = CliRunner().invoke(cli, ["check", "--strict", str(warned)])
    assert result.exit_code == 1
    assert "warning[TD901]" in result.output


# ---- machine formats --------------------------------------------------------------------------


def test_json_format_shape(broken):
    result = CliRunner().invoke(cli, ["check", "--format", "json", str(broken)])
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["version"] == 1
    assert doc["tool"] == {"name": "touchdsl", "version": touchdsl.__version__}
    assert doc["summary"] == {"errors": 1, "warnings": 0, "files": 1}
    (d,) = doc["diagnostics"]
    assert (d["code"], d["severity"], d["line"], d["column"], d["endLine"], d["endColumn"]) == (
        "TD202", "error", 6, 11, 6, 14)
    assert d["file"].endswith("main.touch")
    assert d["help"] == ["did you mean `ops`?"]


def test_json_format_clean_project():
    result = CliRunner().invoke(cli, ["check", "--format", "json", str(EXAMPLES / "telecom")])
    doc = json.loads(result.stdout)
    assert result.exit_code == 0 and doc["diagnostics"] == [] and doc["summary"]["files"] == 3


# A strict subset of the official SARIF 2.1.0 schema (oasis-tcs/sarif-spec,
# Schemata/sarif-schema-2.1.0.json): the objects touchdsl writes, with the
# official property names, types, enums and `additionalProperties: false`.
_MSG = {"type": "object", "additionalProperties": False, "required": ["text"],
        "properties": {"text": {"type": "string"}}}
_REGION = {"type": "object", "additionalProperties": False,
           "properties": {k: {"type": "integer", "minimum": 1}
                          for k in ("startLine", "startColumn", "endLine", "endColumn")}}
_PHYS = {"type": "object", "additionalProperties": False, "required": ["artifactLocation"],
         "properties": {"artifactLocation": {"type": "object", "additionalProperties": False, "required": ["uri"],
                                             "properties": {"uri": {"type": "string", "format": "uri-reference"}}},
                        "region": _REGION}}
SARIF_SUBSET = {
    "type": "object", "additionalProperties": False, "required": ["version", "runs"],
    "properties": {
        "$schema": {"type": "string", "format": "uri"},
        "version": {"enum": ["2.1.0"]},
        "runs": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["tool"],
            "properties": {
                "columnKind": {"enum": ["utf16CodeUnits", "unicodeCodePoints"]},
                "tool": {"type": "object", "additionalProperties": False, "required": ["driver"], "properties": {
                    "driver": {"type": "object", "additionalProperties": False, "required": ["name"], "properties": {
                        "name": {"type": "string"}, "version": {"type": "string"},
                        "semanticVersion": {"type": "string"}, "informationUri": {"type": "string", "format": "uri"},
                        "rules": {"type": "array", "items": {
                            "type": "object", "additionalProperties": False, "required": ["id"], "properties": {
                                "id": {"type": "string"}, "name": {"type": "string"},
                                "shortDescription": _MSG, "fullDescription": _MSG, "help": _MSG,
                                "helpUri": {"type": "string", "format": "uri"},
                                "defaultConfiguration": {"type": "object", "additionalProperties": False,
                                                         "properties": {"level": {"enum": ["none", "note", "warning", "error"]}}},
                            }}},
                    }}}},
                "results": {"type": "array", "items": {
                    "type": "object", "additionalProperties": False, "required": ["message"], "properties": {
                        "ruleId": {"type": "string"}, "ruleIndex": {"type": "integer", "minimum": -1},
                        "level": {"enum": ["none", "note", "warning", "error"]},
                        "message": _MSG,
                        "locations": {"type": "array", "items": {
                            "type": "object", "additionalProperties": False,
                            "properties": {"physicalLocation": _PHYS}}},
                        "relatedLocations": {"type": "array", "items": {
                            "type": "object", "additionalProperties": False,
                            "properties": {"id": {"type": "integer", "minimum": -1}, "message": _MSG,
                                           "physicalLocation": _PHYS}}},
                    }}},
            }}},
    },
}


def test_sarif_format(tmp_path):
    (tmp_path / "main.touch").write_text(BROKEN + 'owner ops "Again" {\n    notify email "x@example.com"\n}\n',
                                         encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", "--format", "sarif", str(tmp_path)])
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    jsonschema.validate(doc, SARIF_SUBSET, format_checker=jsonschema.FormatChecker())
    assert doc["version"] == "2.1.0"
    (run,) = doc["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert {r["id"] for r in rules} == set(CATALOGUE)
    by_rule = {r["ruleId"]: r for r in run["results"]}
    assert set(by_rule) == {"TD202", "TD201"}
    for r in run["results"]:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
    region = by_rule["TD202"]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 6, "startColumn": 11, "endLine": 6, "endColumn": 14}
    assert by_rule["TD202"]["level"] == "error"
    related = by_rule["TD201"]["relatedLocations"][0]["physicalLocation"]["region"]
    assert (related["startLine"], related["startColumn"]) == (1, 7)
    assert by_rule["TD201"]["locations"][0]["physicalLocation"]["region"]["startLine"] == 14


def test_sarif_clean_run_has_no_results():
    doc = json.loads(CliRunner().invoke(cli, ["check", "--format", "sarif", str(EXAMPLES / "telecom")]).stdout)
    jsonschema.validate(doc, SARIF_SUBSET, format_checker=jsonschema.FormatChecker())
    assert doc["runs"][0]["results"] == []


def test_github_annotations_escaped(tmp_path):
    folder = tmp_path / "a,b:c"
    folder.mkdir()
    (folder / "main.touch").write_text(BROKEN.replace('expectation "x"', 'expectation "x"\n    channels fax'),
                                       encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", "--format", "github", str(folder)])
    assert result.exit_code == 1
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 2  # one line per diagnostic: newlines in messages are escaped
    first = lines[0]
    assert first.startswith("::error file=")
    assert "a%2Cb%3Ac" in first and "a,b:c" not in first
    assert ",line=6,col=11,endColumn=13,title=TD202::unknown owner `opz`" in first
    assert "%0Ahelp: did you mean `ops`?" in first
    assert "::error" in lines[1] and ",line=8," in lines[1]


def test_github_escapes_percent_in_messages():
    from touchdsl.compiler.render import format_github
    from touchdsl.diagnostics import Diagnostic, Span

    out = format_github([Diagnostic("TD402", "120% is\r\nbad", Span.point("f.touch", 1, 2))])
    assert out == "::error file=f.touch,line=1,col=2,endColumn=2,title=TD402::120%25 is%0D%0Abad"


# ---- explain, schema, version -----------------------------------------------------------------


def test_explain_prints_wrong_and_right_examples():
    result = invoke("explain", "TD202")
    assert result.exit_code == 0
    assert result.output.startswith("TD202 (error): Unknown owner")
    assert "Wrong:\n\n    owner feild_ops" in result.output
    assert "Right:\n\n    owner field_ops" in result.output


def test_explain_is_case_insensitive_and_marks_warnings():
    result = invoke("explain", "td901")
    assert result.exit_code == 0 and result.output.startswith("TD901 (warning)")


def test_explain_unknown_code_is_usage_error_with_suggestion():
    result = CliRunner().invoke(cli, ["explain", "TD2O2"])
    assert result.exit_code == 2
    assert "unknown code `TD2O2`" in result.output and "did you mean `TD202`?" in result.output


def test_schema_prints_a_valid_json_schema():
    result = invoke("schema")
    assert result.exit_code == 0
    doc = json.loads(result.output)
    jsonschema.Draft202012Validator.check_schema(doc)
    assert "touchpoints" in doc["properties"]


def test_version():
    result = invoke("--version")
    assert result.exit_code == 0 and result.output.strip() == f"touchdsl {touchdsl.__version__}"


# ---- build ------------------------------------------------------------------------------------


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_build_json_writes_model_and_schema_and_model_validates(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(EXAMPLES / "telecom"), "-o", str(out), "--target", "json"])
    assert result.exit_code == 0, result.output
    assert sorted(_tree(out)) == [".touchdsl-manifest.json", "json/model.json", "json/schema.json"]
    model = json.loads((out / "json/model.json").read_text(encoding="utf-8"))
    schema = json.loads((out / "json/schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(model, schema)
    assert list(model["touchpoints"]) == ["technical_fault", "address_change"]
    assert model["touchpoints"]["technical_fault"]["owner"] == "field_ops"
    assert schema == json.loads(invoke("schema").output)
    # the schema rejects what the model forbids
    model["touchpoints"]["technical_fault"]["metrics"][0]["kind"] = "latency"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(model, schema)


def test_build_is_deterministic(tmp_path):
    for name in ("a", "b"):
        result = CliRunner().invoke(cli, ["build", str(EXAMPLES / "telecom"), "-o", str(tmp_path / name),
                                          "-t", "json"])
        assert result.exit_code == 0, result.output
    a, b = _tree(tmp_path / "a"), _tree(tmp_path / "b")
    assert a and a == b


def test_failed_build_writes_nothing_and_keeps_the_earlier_output(tmp_path, broken):
    out = tmp_path / "out"
    assert CliRunner().invoke(cli, ["build", str(EXAMPLES / "banking"), "-o", str(out), "-t", "json"]).exit_code == 0
    (out / "keep.txt").write_text("mine", encoding="utf-8")
    before = _tree(out)
    names_before = sorted(os.listdir(out))
    result = CliRunner().invoke(cli, ["build", str(broken), "-o", str(out), "-t", "json"])
    assert result.exit_code == 1
    assert "nothing written" in result.output
    assert _tree(out) == before
    assert sorted(os.listdir(out)) == names_before  # no leftover staging directories


def test_failed_build_does_not_create_the_output_dir(tmp_path, broken):
    out = tmp_path / "never"
    assert CliRunner().invoke(cli, ["build", str(broken), "-o", str(out), "-t", "json"]).exit_code == 1
    assert not out.exists()


def test_build_unknown_target_is_usage_error(tmp_path):
    result = CliRunner().invoke(cli, ["build", str(EXAMPLES), "-o", str(tmp_path / "o"), "-t", "jsno"])
    assert result.exit_code == 2
    assert "unknown target `jsno`" in result.output and "did you mean `json`?" in result.output
    assert not (tmp_path / "o").exists()


def test_build_requires_output_dir():
    assert CliRunner().invoke(cli, ["build", str(EXAMPLES)]).exit_code == 2


# ---- real processes ---------------------------------------------------------------------------


def _touchdsl() -> list[str]:
    exe = Path(sys.executable).parent / "touchdsl"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "touchdsl.cli"]


def run_real(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*_touchdsl(), *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def test_real_process_check_examples_exit_0():
    proc = run_real("check", str(SHARED_EXAMPLES if SHARED_EXAMPLES.exists() else EXAMPLES))
    assert proc.returncode == 0, proc.stderr + proc.stdout
    assert "Traceback" not in proc.stderr


def test_real_process_errors_exit_1_and_usage_exit_2(broken):
    proc = run_real("check", str(broken))
    assert proc.returncode == 1 and "error[TD202]" in proc.stdout and "Traceback" not in proc.stderr
    proc = run_real("check", str(broken / "missing.touch"))
    assert proc.returncode == 2 and "no such file or directory" in proc.stderr


def test_real_process_default_path_is_the_current_directory(broken):
    proc = run_real("check", cwd=broken)
    assert proc.returncode == 1
    assert proc.stdout.startswith("main.touch:6:11: error[TD202]")


def test_python_dash_m_entry_point():
    proc = subprocess.run([sys.executable, "-m", "touchdsl.cli", "--version"], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0 and proc.stdout.strip() == f"touchdsl {touchdsl.__version__}"


def test_internal_failure_is_a_one_line_apology_naming_the_input(monkeypatch, capsys, tmp_path):
    import touchdsl.compiler.driver
    from touchdsl.cli import main

    def explode(paths, overlay=None):
        raise RuntimeError("boom")

    monkeypatch.setattr(touchdsl.compiler.driver, "compile_projects", explode)
    monkeypatch.delenv("TOUCHDSL_DEBUG", raising=False)
    with pytest.raises(SystemExit) as info:
        main(["check", str(tmp_path / "x.touch")])
    assert info.value.code == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and "boom" not in err
    assert "internal error (RuntimeError)" in err and str(tmp_path / "x.touch") in err
    # It names no bug tracker: the project publishes none, and an invented address misleads.
    assert "http" not in err and "TOUCHDSL_DEBUG=1" in err


def test_make_demo_runs_twice_in_a_row(tmp_path):
    """The README's first command, run again: nothing it wrote the first time may stop
    the second (a measurement written into a build folder once did)."""
    import shutil
    import subprocess
    import sys

    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(REPO / name, tmp_path / name)
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / ".installed").touch()  # the environment is this one
    td = f"{sys.executable} -m touchdsl"
    for run in (1, 2):
        done = subprocess.run(["make", "-s", "demo", f"TD={td}"], cwd=tmp_path, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, (run, done.stdout[-2000:], done.stderr[-2000:])
    assert (tmp_path / "build" / "telecom" / "charter").is_dir()
    assert (tmp_path / "build" / "measure" / "health" / "measure.json").is_file()
