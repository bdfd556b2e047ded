"""`mypy --strict` on touchdsl/ (the settings are pyproject.toml's [tool.mypy]), as part of `make test`."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.paths import REPO


def test_the_package_type_checks_strictly():
    pytest.importorskip("mypy")
    run = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(REPO / ".mypy_cache")],
                         cwd=REPO, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
