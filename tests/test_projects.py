"""Project boundaries: a folder whose files declare `project "…"` is a project of its
own, so one run checks several projects, each with its own defaults and names."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.paths import REPO
from touchdsl.cli import cli
from touchdsl.compiler.driver import PathError, compile_project, compile_projects

OWNERS = '''owner team "Team" {
    manager "Dana Levi" <dana.levi@example.com>
    notify email "team@example.com"
}
'''


def _project(folder: Path, name: str | None, language: str) -> None:
    folder.mkdir(parents=True)
    head = f'project "{name}"\n\n' if name else ""
    (folder / "main.touch").write_text(
        head + OWNERS + f'\ndefaults {{\n    window 7d\n    charter language "{language}"\n}}\n', encoding="utf-8")


def test_two_sibling_folders_named_are_two_projects_with_their_own_defaults(tmp_path):
    """`touchdsl check a b` merged both and reported their `defaults` (and owners) as duplicates."""
    _project(tmp_path / "a", None, "en")
    _project(tmp_path / "b", None, "he")
    result = CliRunner().invoke(cli, ["check", str(tmp_path / "a"), str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    assert "TD305" not in result.output and "TD201" not in result.output
    assert "ok: 2 files in 2 projects" in result.output
    found = compile_projects([str(tmp_path / "a"), str(tmp_path / "b")])
    assert [c.root for c in found] == [(tmp_path / "a").resolve(), (tmp_path / "b").resolve()]
    assert [c.project.defaults.charter.language for c in found] == ["en", "he"]


def test_a_project_declaration_marks_its_folder_as_a_root(tmp_path):
    _project(tmp_path / "telecom", "Galil Net", "en")
    _project(tmp_path / "health", "Good Health", "he")
    found = compile_projects([str(tmp_path)])
    assert [c.project.title for c in found] == ["Good Health", "Galil Net"]
    assert all(c.ok for c in found)
    # Without the declarations the folder is one project, and the duplicates are real.
    for name in ("telecom", "health"):
        text = (tmp_path / name / "main.touch").read_text(encoding="utf-8")
        (tmp_path / name / "main.touch").write_text(text.split("\n", 2)[2], encoding="utf-8")
    (merged,) = compile_projects([str(tmp_path)])
    assert {d.code for d in merged.diagnostics} == {"TD201", "TD305"}


def test_loose_files_above_inner_projects_are_a_project_of_their_own(tmp_path):
    _project(tmp_path / "inner", "Inner", "en")
    (tmp_path / "outer.touch").write_text('project "Outer"\n' + OWNERS, encoding="utf-8")
    found = compile_projects([str(tmp_path)])
    assert [(c.project.title, sorted(c.sources)) for c in found] == [
        ("Outer", [str(tmp_path / "outer.touch")]), ("Inner", [str(tmp_path / "inner" / "main.touch")])]


def test_one_project_is_asked_for_where_only_one_makes_sense(tmp_path):
    _project(tmp_path / "a", "A", "en")
    _project(tmp_path / "b", "B", "en")
    with pytest.raises(PathError, match="holds 2 projects"):
        compile_project([str(tmp_path)])
    assert compile_project([str(tmp_path / "a")]).project.title == "A"
    result = CliRunner().invoke(cli, ["build", str(tmp_path), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2 and "holds 2 projects" in result.output and "name one of them" in result.output
    assert not (tmp_path / "out").exists()


def test_check_examples_checks_three_projects_as_make_demo_shows():
    result = CliRunner().invoke(cli, ["check", str(REPO / "examples")])
    assert result.exit_code == 0, result.output
    assert "ok: 7 files in 3 projects, 6 touchpoints, no problems" in result.output
    titles = [c.project.title for c in compile_projects([str(REPO / "examples")])]
    assert titles == ["Harbor Bank", "בריאות טובה", "Galil Net"]
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert "\t$(TD) check examples\n" in makefile and "--lang he" not in makefile


def test_every_diagnostic_of_every_project_is_reported_in_one_run(tmp_path):
    _project(tmp_path / "a", "A", "en")
    _project(tmp_path / "b", "B", "en")
    (tmp_path / "a" / "bad.touch").write_text('defaults { charter language "fr" }\n', encoding="utf-8")
    (tmp_path / "b" / "bad.touch").write_text('owner Bad "x" { notify email "x@example.com" }\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(tmp_path), "--format", "json"])
    assert result.exit_code == 1
    assert '"TD307"' in result.output and '"TD006"' in result.output


def test_the_acceptance_projects_still_compile_unchanged():
    spec = Path("/work/shared/spec/examples")
    if not spec.is_dir():
        pytest.skip("the acceptance projects are not on this machine")
    for folder in sorted(p for p in spec.iterdir() if p.is_dir()):
        assert compile_project([str(folder)]).ok, folder
