"""Shared fixtures. Keep small: others add fixtures here too."""

from __future__ import annotations

import textwrap

import pytest


@pytest.fixture
def project(tmp_path):
    """Write `{relpath: text}` into a fresh project root and compile it.

    Returns the `touchdsl.compiler.driver.Compilation`; texts are dedented so tests can
    indent them, and line numbers in tests count from the first line written.
    """
    from touchdsl.compiler.driver import compile_project

    def make(files: dict[str, str] | str, *, paths: list[str] | None = None):
        if isinstance(files, str):
            files = {"main.touch": files}
        for rel, text in files.items():
            p = tmp_path / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return compile_project(paths or [str(tmp_path)])

    return make
