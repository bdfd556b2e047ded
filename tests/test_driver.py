"""The one compile entry: files are parsed once per content, whoever compiles them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import touchdsl.language.parser
from touchdsl.compiler import driver
from tests.projects import PROJECTS


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths the parser is asked to parse, from now on (the cache starts empty)."""
    driver._CACHE.clear()
    seen: list[str] = []
    real = touchdsl.language.parser.parse

    def counting(text: str, path: str):  # type: ignore[no-untyped-def]
        seen.append(Path(path).name)
        return real(text, path)

    monkeypatch.setattr(touchdsl.language.parser, "parse", counting)
    return seen


def test_compiling_again_after_one_edit_parses_only_the_edited_file(tmp_path: Path, parses: list[str]) -> None:
    project = tmp_path / "health"
    shutil.copytree(PROJECTS["health"], project)
    first = driver.compile_project([str(project)])
    assert sorted(parses) == sorted(Path(f).name for f in first.sources) and len(parses) == 3
    parses.clear()

    care = project / "care.touch"
    edited = care.read_text(encoding="utf-8").replace("promise 80% within 60s", "promise 80% within 90s", 1)
    assert edited != care.read_text(encoding="utf-8")
    second = driver.compile_project([str(project)], overlay={str(care): edited})
    assert parses == ["care.touch"]
    assert second.sources[next(d for d in second.sources if d.endswith("care.touch"))] == edited
    # The same trees, the same diagnostics as a compilation from scratch.
    driver._CACHE.clear()
    fresh = driver.compile_project([str(project)], overlay={str(care): edited})
    assert fresh.diagnostics == second.diagnostics and fresh.files == second.files
    assert fresh.project == second.project


def test_the_same_text_under_another_path_is_parsed_for_that_path(tmp_path: Path, parses: list[str]) -> None:
    text = 'owner ops "Ops" {\n    notify email "ops@example.com"\n}\n'
    a, _ = driver.parse_source(text, "a.touch")
    b, _ = driver.parse_source(text, "b.touch")
    again, _ = driver.parse_source(text, "a.touch")
    assert parses == ["a.touch", "b.touch"]
    assert again is a and b.declarations[0].span.file == "b.touch"


def test_a_cached_parse_hands_out_its_own_list_of_diagnostics(parses: list[str]) -> None:
    first, diags = driver.parse_source("owner 12", "x.touch")
    diags.clear()
    _, again = driver.parse_source("owner 12", "x.touch")
    assert [d.code for d in again] == ["TD001"] and parses == ["x.touch"]
