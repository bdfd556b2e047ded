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


@pytest.fixture(scope="session")
def spark(tmp_path_factory):
    """One local Spark session for the whole run (its start-up takes seconds), stopped
    at the end. Skipped outside CI when PySpark or Java is missing; failed in CI."""
    from tests.tools import require_module, require_tool

    require_module("pyspark", "pip install -e '.[test]'")
    require_tool("java")
    from pyspark.sql import SparkSession

    warehouse = tmp_path_factory.mktemp("spark-warehouse")
    session = (SparkSession.builder.master("local[2]").appName("touchdsl tests")
               .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "4").config("spark.driver.memory", "2g")
               .config("spark.sql.warehouse.dir", str(warehouse))
               .config("spark.sql.session.timeZone", "UTC").getOrCreate())
    session.sparkContext.setLogLevel("FATAL")
    yield session
    session.stop()
