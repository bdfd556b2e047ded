"""`pip install .` (not only editable installs) ships the grammar, templates and catalogues."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import tomllib
import zipfile

from tests.paths import REPO


def test_the_wheel_carries_every_module_and_data_file(tmp_path):
    # Build from a copy: setuptools writes build/ and *.egg-info into the source tree,
    # and build/ is where `make demo` puts the user's outputs.
    source = tmp_path / "src"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "bench", "tests", "*.egg-info", "__pycache__", ".pytest_cache", ".hypothesis"))
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(tmp_path), str(source)],
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    # a folder setuptools finds but pyproject.toml does not list is a warning here and,
    # for a folder of modules, a feature missing from `pip install .` (the language server was)
    assert "absent from the `packages` configuration" not in built.stdout + built.stderr
    [wheel] = tmp_path.glob("touchdsl-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "touchdsl/grammar/touch.lark" in names
    expected = {f"touchdsl/{p.relative_to(REPO / 'touchdsl').as_posix()}" for p in (REPO / "touchdsl").rglob("*")
                if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}
    assert "touchdsl/tools/lsp/server.py" in expected and "touchdsl/targets/templates/charter/index.html.j2" in expected
    assert expected <= names, sorted(expected - names)[:5]
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "touchdsl = touchdsl.cli:main" in text and "touchdsl.tools.pygments_lexer:TouchLexer" in text


# Distribution name -> the module it installs, where they differ.
_MODULES = {"markdown-it-py": "markdown_it", "promql-parser": "promql_parser", "pyyaml": "yaml"}


def _module(requirement: str) -> str:
    name = requirement.split(";")[0].split("[")[0]
    for stop in "<>=!~ ":
        name = name.split(stop)[0]
    return _MODULES.get(name.lower(), name.replace("-", "_").lower())


def test_the_package_imports_no_test_only_dependency():
    """A runtime import of a test extra works in the developer's venv and crashes a
    user's `pip install .` (build once died so on `promql_parser`)."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = {_module(r) for r in project["dependencies"]}
    # An extra a user installs for a feature (`touchdsl[spark]`) is imported where that
    # feature runs, never when the module loads (touchdsl.measure.spark says how to
    # install it when it is missing).
    feature = {_module(r) for name, requirements in project["optional-dependencies"].items()
               if name not in ("test", "bench") for r in requirements} - runtime
    test_only = {_module(r) for r in project["optional-dependencies"]["test"]} - runtime - feature
    assert {"pytest", "hypothesis"} <= test_only and "promql_parser" in runtime and "pyspark" in feature
    # the Spark tests need the feature's extra: `make test` installs it beside `test`
    assert "-e '.[test,spark]'" in (REPO / "Makefile").read_text(encoding="utf-8")
    offenders = []
    for path in sorted((REPO / "touchdsl").rglob("*.py")):
        module = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(module):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
            offenders += [f"{path.relative_to(REPO)}:{node.lineno} {n}" for n in names if n.split(".")[0] in test_only]
            if node in module.body:  # loaded with the module
                offenders += [f"{path.relative_to(REPO)}:{node.lineno} {n} (at import time)" for n in names
                              if n.split(".")[0] in feature]
    assert offenders == []
