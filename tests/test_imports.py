"""Imports and project roots: relative paths, one load per file, the root as a fence."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from touchdsl.compiler.driver import compile_project
from touchdsl.compiler.sources import discover

OWNERS = 'owner ops "Ops" {\n    manager "M" <m@example.com>\n    notify email "o@example.com"\n}\n'
TP = 'touchpoint t "T" {\n    owner ops\n    expectation "x"\n    step s "S"\n    metric m "M" {\n        nps\n        promise at least 1\n    }\n}\n'


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return root


def errors(result) -> list[tuple[str, str, int, int]]:
    return [(d.code, os.path.basename(d.span.file), d.span.line, d.span.column)
            for d in result.diagnostics if d.is_error]


@pytest.fixture
def proj(tmp_path):
    return write(tmp_path / "proj", {
        "main.touch": 'import "./sub/../owners.touch"\nimport "owners.touch"\nimport "sub/tp.touch"\n',
        "owners.touch": OWNERS,
        "sub/tp.touch": 'import "../owners.touch"\n' + TP,
    })


def test_imports_are_relative_to_the_importing_file_and_loaded_once(proj):
    result = compile_project([str(proj / "main.touch")])
    assert errors(result) == []
    assert len(result.files) == 3
    assert sorted(result.project.files) == ["main.touch", "owners.touch", "sub/tp.touch"]


def test_directory_and_file_runs_give_the_same_model(proj):
    a = compile_project([str(proj)]).project
    b = compile_project([str(proj / "main.touch")]).project
    assert a is not None and a == b


def test_a_file_given_alone_has_its_folder_as_root(proj):
    result = compile_project([str(proj / "sub" / "tp.touch")])
    assert errors(result) == [("TD101", "tp.touch", 1, 8), ("TD202", "tp.touch", 3, 11)]


def test_nested_roots_on_the_command_line_use_the_wider_one(proj):
    for paths in ([proj / "main.touch", proj / "sub"], [proj / "sub", proj / "main.touch"], [proj / "sub", proj]):
        result = compile_project([str(p) for p in paths])
        assert errors(result) == [], paths


def test_same_file_named_twice_is_read_once(proj):
    result = compile_project([str(proj / "owners.touch"), str(proj / "sub" / ".." / "owners.touch"), str(proj)])
    assert errors(result) == [] and len(result.files) == 3


def test_dotdot_that_returns_inside_the_root_is_fine(proj):
    write(proj, {"sub/deeper/x.touch": 'import "../../owners.touch"\n'})
    assert errors(compile_project([str(proj)])) == []


def test_dotdot_escaping_through_a_subfolder_is_refused(tmp_path):
    root = write(tmp_path / "proj", {"main.touch": 'import "sub/../../outside.touch"\n'})
    write(tmp_path, {"outside.touch": OWNERS})
    (root / "sub").mkdir()
    assert errors(compile_project([str(root)])) == [("TD101", "main.touch", 1, 8)]


def test_symlink_inside_the_root_to_the_root_is_fine(proj):
    (proj / "link").symlink_to(proj / "sub", target_is_directory=True)
    write(proj, {"extra.touch": 'import "link/tp.touch"\n'})
    result = compile_project([str(proj)])
    assert errors(result) == []
    assert len(result.files) == 4  # link/tp.touch is sub/tp.touch


def test_import_of_a_missing_file_in_a_missing_folder(tmp_path):
    root = write(tmp_path, {"main.touch": '\n\nimport "nowhere/owners.touch"\n'})
    result = compile_project([str(root)])
    assert errors(result) == [("TD102", "main.touch", 3, 8)]


def test_hidden_directories_are_not_searched_but_may_be_imported(tmp_path):
    root = write(tmp_path, {".git/dup.touch": OWNERS, "main.touch": OWNERS})
    assert errors(compile_project([str(root)])) == []
    write(root, {"more.touch": 'import ".git/dup.touch"\n'})
    assert [e[0] for e in errors(compile_project([str(root)]))] == ["TD201"]


def test_discover_order_is_stable_and_sorted(tmp_path):
    root = write(tmp_path, {"b.touch": "", "a.touch": "", "z/y.touch": "", "c/x.touch": "", "note.txt": ""})
    assert [Path(s.display).relative_to(root).as_posix() if os.path.isabs(s.display) else s.display
            for s in discover([str(root)])][-4:] == ["a.touch", "b.touch", "c/x.touch", "z/y.touch"]


def test_import_cycle_between_two_files(tmp_path):
    root = write(tmp_path, {"a.touch": 'import "b.touch"\n' + OWNERS, "b.touch": 'import "a.touch"\n' + TP})
    for start in ("a.touch", "b.touch"):
        result = compile_project([str(root / start)])
        assert errors(result) == [] and len(result.files) == 2
        assert list(result.project.touchpoints) == ["t"]


def test_self_import_is_harmless(tmp_path):
    root = write(tmp_path, {"a.touch": 'import "a.touch"\n' + OWNERS})
    result = compile_project([str(root / "a.touch")])
    assert errors(result) == [] and len(result.files) == 1
