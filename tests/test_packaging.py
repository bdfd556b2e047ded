"""`pip install .` (not only editable installs) ships the grammar, templates and catalogues."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from tests.paths import REPO



def test_the_wheel_carries_every_data_file(tmp_path):
    # Build from a copy: setuptools writes build/ and *.egg-info into the source tree,
    # and build/ is where `make demo` puts the user's outputs.
    source = tmp_path / "src"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "bench", "tests", "*.egg-info", "__pycache__", ".pytest_cache", ".hypothesis"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=300)
    [wheel] = tmp_path.glob("touchdsl-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "touchdsl/grammar/touch.lark" in names
    expected = {f"touchdsl/{p.relative_to(REPO / 'touchdsl').as_posix()}"
                for sub in ("targets/templates", "locale") for p in (REPO / "touchdsl" / sub).rglob("*")
                if p.is_file() and "__pycache__" not in p.parts}
    assert expected and expected <= names, sorted(expected - names)[:5]
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "touchdsl = touchdsl.cli:main" in text and "touchdsl.tools.pygments_lexer:TouchLexer" in text
