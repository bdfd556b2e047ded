"""External tools the tests drive (promtool, amtool, chromium).

Outside CI a missing tool skips the test with a visible reason; in CI (the `CI`
environment variable is set) a missing tool fails it, because `.ci/run`
installs them and a silent skip would hide that the outputs went unchecked.
"""

from __future__ import annotations

import os
import shutil

import pytest


def require_tool(name: str) -> str:
    path = shutil.which(name)
    if path:
        return path
    reason = f"`{name}` is not installed (on Debian: see .ci/run for the package)"
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must install it", pytrace=False)
    pytest.skip(reason)
    raise AssertionError("unreachable")


def require_module(name: str, install: str) -> None:
    """A Python package a test drives (pyspark, psycopg): skipped outside CI when
    missing, failed in CI (the `test` extra installs it)."""
    import importlib.util

    if importlib.util.find_spec(name) is not None:
        return
    reason = f"the Python package `{name}` is not installed ({install})"
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must install it", pytrace=False)
    pytest.skip(reason)
