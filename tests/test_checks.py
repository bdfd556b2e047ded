"""Checks the rule cases (tests/rules/*.yml, run by tests/test_rules.py) cannot
express: symbolic links, directories named like files, and what a project loads."""

from __future__ import annotations

import os
from pathlib import Path

from tests.rules import COMMON
from touchdsl.compiler.driver import compile_project

OWNERS = (COMMON / "owners.touch").read_text(encoding="utf-8")


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")


def found(result, code: str) -> list[tuple[str, int, int]]:
    return [(os.path.basename(d.span.file), d.span.line, d.span.column)
            for d in result.diagnostics if d.code == code and d.span is not None]


def errors(result) -> list[str]:
    return [d.code for d in result.diagnostics if d.is_error]


def test_td005_directory_named_like_a_touch_file(tmp_path):
    (tmp_path / "x.touch").mkdir()
    result = compile_project([str(tmp_path / "x.touch")])
    # a directory given on the command line is searched, and holds no file: nothing to report
    assert result.diagnostics == []
    write(tmp_path, {"main.touch": 'import "x.touch"\n'})
    result = compile_project([str(tmp_path / "main.touch")])
    assert found(result, "TD102") == [("main.touch", 1, 8)]


def test_td101_import_leaving_the_root_through_a_symlink(tmp_path):
    root = tmp_path / "project"
    write(tmp_path, {"elsewhere/owners.touch": 'owner x "X" { }\n',
                     "project/main.touch": 'import "shared/owners.touch"\n'})
    (root / "shared").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    result = compile_project([str(root / "main.touch")])
    assert errors(result) == ["TD101"]
    assert found(result, "TD101") == [("main.touch", 1, 8)]
    assert "symbolic link" in result.diagnostics[0].message


def test_td101_symlinked_file_found_in_the_project_leads_outside(tmp_path):
    root = tmp_path / "project"
    write(tmp_path, {"secret.touch": 'owner x "X" { }\n', "project/main.touch": "# empty\n"})
    (root / "link.touch").symlink_to(tmp_path / "secret.touch")
    result = compile_project([str(root)])
    assert errors(result) == ["TD101"]
    assert found(result, "TD101") == [("link.touch", 1, 1)]


def test_td101_import_through_dotdot_loads_nothing_outside(tmp_path):
    write(tmp_path, {"outside.touch": 'owner x "X" { }\n', "project/main.touch": 'import "../outside.touch"\n'})
    result = compile_project([str(tmp_path / "project")])
    assert errors(result) == ["TD101"]
    assert not any(p.endswith("outside.touch") for p in result.sources)


def test_import_cycle_is_not_an_error_and_files_load_once(tmp_path):
    write(tmp_path, {
        "a.touch": 'import "sub/b.touch"\n' + OWNERS,
        "sub/b.touch": 'import "../a.touch"\nimport "c.touch"\n',
        "sub/c.touch": 'import "b.touch"\nimport "../a.touch"\n',
    })
    result = compile_project([str(tmp_path / "a.touch")])
    assert result.ok and result.diagnostics == [], result.diagnostics
    assert len(result.files) == 3
    assert sorted(result.project.files) == ["a.touch", "sub/b.touch", "sub/c.touch"]
    assert list(result.project.owners) == ["field_ops", "service_center"]


def test_import_of_a_file_also_found_by_directory_walk_is_loaded_once(tmp_path):
    write(tmp_path, {"owners.touch": OWNERS, "main.touch": 'import "owners.touch"\n'})
    result = compile_project([str(tmp_path)])
    assert result.ok and result.diagnostics == []
    assert len(result.files) == 2
