"""Syntax-error recovery resumes at the author's next statement."""

from __future__ import annotations

from touchdsl.language import ast
from touchdsl.language.parser import parse


def test_a_keyword_after_an_error_starts_the_next_statement():
    # `owner 12` is wrong; the next line's `expectation` must not be taken as the owner's name.
    src = (
        'touchpoint t "T" {\n'
        "    owner 12\n"
        '    expectation "e"\n'
        '    step notify "S"\n'
        "}\n"
    )
    tree, diagnostics = parse(src, "f.touch")
    assert [(d.code, d.span.line, d.span.column) for d in diagnostics] == [("TD001", 2, 11)]
    items = tree.declarations[0].items
    assert [type(i) for i in items] == [ast.Expectation, ast.StepDecl]
    assert items[1].name.value == "notify"  # a keyword as a name still works outside recovery


def test_keywords_stay_names_where_no_error_came_before():
    src = 'touchpoint t "T" {\n    step notify "S"\n    updates every 1h via sms until notify.end\n}\n'
    tree, diagnostics = parse(src, "f.touch")
    assert diagnostics == []
    assert tree.declarations[0].items[1].until.step.value == "notify"


# ---- one mistake, one error: the cases of issue 9, on the telecom example ------------------

import shutil  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from click.testing import CliRunner  # noqa: E402

from touchdsl.cli import cli  # noqa: E402
from touchdsl.compiler.driver import compile_project  # noqa: E402
from tests.projects import PROJECTS  # noqa: E402

TELECOM = PROJECTS["telecom"]


def _telecom_with(tmp_path: Path, file: str, old: str, new: str) -> Path:
    project = tmp_path / "telecom"
    shutil.copytree(TELECOM, project)
    path = project / file
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")
    return project


def _diagnostics(project: Path) -> list[tuple[str, str, int, int, str]]:
    result = compile_project([str(project)])
    return [(d.code, Path(d.span.file).name, d.span.line, d.span.column, d.message)
            for d in result.diagnostics if d.span is not None] + [
        (d.code, "", 0, 0, d.message) for d in result.diagnostics if d.span is None]


NO_CLOSE = 'this text has no closing `"` on its line'
WANT_TEXT = 'expected a quoted text such as "Field Operations"'

CASES = {
    # The 26 errors of the issue: `declared twice`, `expected {` on every following line...
    "touchpoint title without its closing quote": (
        "support.touch", 'touchpoint technical_fault "Technical fault repaired" {',
        'touchpoint technical_fault "Technical fault repaired {',
        [("TD002", "support.touch", 3, 28, NO_CLOSE)]),
    "touchpoint title without its opening quote": (
        "support.touch", 'touchpoint technical_fault "Technical fault repaired" {',
        'touchpoint technical_fault Technical fault repaired" {',
        [("TD001", "support.touch", 3, 28, f"{WANT_TEXT}, found `Technical`")]),
    # ... and no "unknown owner" where the touchpoints use the broken owner.
    "owner title without its closing quote": (
        "owners.touch", 'owner field_ops "Field Operations" {', 'owner field_ops "Field Operations {',
        [("TD002", "owners.touch", 16, 17, NO_CLOSE)]),
    "Hebrew owner title without quotes": (
        "owners.touch", 'owner field_ops "Field Operations" {', "owner field_ops תפעול שטח {",
        [("TD002", "owners.touch", 16, 17,
          '`ת` cannot start a name; expected a quoted text such as "Field Operations"')]),
    # ... and no "owner field_ops has no manager" for `escalate to manager`.
    "e-mail address without angle brackets": (
        "owners.touch", '"Dana Levi" <dana.levi@example.com>', '"Dana Levi" dana.levi@example.com',
        [("TD001", "owners.touch", 17, 25, "expected an email address in angle brackets such as "
          "<dana.levi@example.com>, found `dana`")]),
    # ... and no "unknown step `visit`" in the metric that measures up to it.
    "step title without its opening quote": (
        "support.touch", 'step visit   "Technician visits', "step visit   Technician visits",
        [("TD001", "support.touch", 11, 18, f"{WANT_TEXT}, found `Technician`")]),
    # The metric goes, brace to brace; the touchpoint's other statements stay.
    "metric title without its opening quote": (
        "support.touch", 'metric answer "Customer speaks', "metric answer Customer speaks",
        [("TD001", "support.touch", 14, 19, f"{WANT_TEXT}, found `Customer`")]),
    # A head without `{`: the block's statements are not read as more of the head.
    "owner without its opening brace": (
        "owners.touch", 'owner billing "Billing and Accounts" {', 'owner billing "Billing and Accounts"',
        [("TD001", "owners.touch", 23, 5, "expected `{`, found `manager`")]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_one_mistake_gives_one_error(tmp_path: Path, case: str) -> None:
    file, old, new, expected = CASES[case]
    project = _telecom_with(tmp_path, file, old, new)
    assert _diagnostics(project) == expected


def test_a_broken_declaration_is_dropped_and_remembered_by_name() -> None:
    text = (TELECOM / "support.touch").read_text(encoding="utf-8").replace(
        'metric answer "Customer speaks', "metric answer Customer speaks")
    tree, diagnostics = parse(text, "support.touch")
    assert [d.code for d in diagnostics] == ["TD001"]
    (broken,) = tree.broken
    assert (broken.kind, broken.name.value, broken.scope, broken.qualified) == (
        "metric", "answer", "technical_fault", "technical_fault.answer")
    assert (broken.span.line, broken.span.end_line) == (14, 18)  # `metric answer` up to its `}`
    first = tree.declarations[1]  # after the import
    assert [m.name.value for m in first.items if isinstance(m, ast.MetricDecl)] == ["arrival", "abandoned", "csat"]


def test_the_body_of_a_block_whose_head_was_lost_is_one_error() -> None:
    # The head's `{` went missing and the rest of the block stands at the top level.
    src = (
        'touchpoint t "T\n'
        "        promise 90% within 14d\n"
        "    }\n"
        '    metric m "M" {\n'
        "        count complaints per 7d\n"
        "        promise at most 40\n"
        "    }\n"
        "}\n"
        'owner ops "Ops" {\n    notify email "ops@example.com"\n}\n'
    )
    tree, diagnostics = parse(src, "f.touch")
    assert [(d.code, d.span.line, d.span.column) for d in diagnostics] == [("TD002", 1, 14), ("TD001", 4, 5)]
    assert [type(d) for d in tree.declarations] == [ast.OwnerDecl]


def test_a_file_that_is_not_utf8_is_one_error_that_says_how_to_convert_it(tmp_path: Path) -> None:
    project = _telecom_with(tmp_path, "owners.touch", '"Field Operations"', '"תפעול שטח"')
    owners = project / "owners.touch"
    owners.write_bytes(owners.read_text(encoding="utf-8").encode("cp1255"))
    result = compile_project([str(project)])
    (d,) = result.diagnostics  # no "unknown owner", no "declared but never used"
    assert (d.code, Path(d.span.file).name, d.span.line, d.span.column) == ("TD005", "owners.touch", 16, 18)
    assert d.message.endswith("is not valid UTF-8 (byte 0xfa)")
    assert "it looks like Windows-1255 (Hebrew)" in d.help[0]
    assert f"iconv -f WINDOWS-1255 -t UTF-8 {d.span.file} > {d.span.file}.utf8" in d.help[0]
    run = CliRunner().invoke(cli, ["check", str(project)])
    assert run.exit_code == 1
    assert "1 error, 0 warnings in 3 files" in run.output
