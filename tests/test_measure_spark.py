"""`touchdsl measure --engine spark`: the generator's steps, rendered for Spark SQL by
sqlglot, run in PySpark (local mode) on the examples' event logs and on a generated
1M-event log, and measure what DuckDB measures — the same measure.json, and the same
decision for every case. Business time joins the calendar by equality keys in the
plan Spark makes. PySpark and Java missing are usage errors that say how to install
them."""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import subprocess
import sys

import duckdb
import pytest

import touchdsl
from tests.paths import REPO
from tests.test_measure_golden import AS_OF, RUNS
from touchdsl.measure import sql
from touchdsl.measure.dialects import render
from touchdsl.measure.engine import Request, measure_on, run
from touchdsl.measure.periods import Span, parse_moment
from touchdsl.measure.plan import items_of

DECISIONS = ("SELECT item, case_id, start_us, end_us, value_us, promise_late_us, target_late_us, promise_at, "
             "promise_met, target_at, target_met FROM touch_decisions")


def parquet_log(name: str, folder) -> str:
    """The example's log as Parquet, every column text, rows in file order (what an
    export converted once for Spark looks like)."""
    source = str(REPO / RUNS[name]["events"])
    reader = (f"read_json('{source}', format = 'newline_delimited')" if source.endswith(".jsonl")
              else f"read_csv('{source}', header = true, all_varchar = true)")
    path = str(folder / f"{name}.parquet")
    con = duckdb.connect()
    con.execute(f"COPY (SELECT COLUMNS(*)::VARCHAR FROM {reader}) TO '{path}' (FORMAT parquet)")
    con.close()
    return path


def _request(events: str, name: str | None = None, every: str | None = None) -> Request:
    options = RUNS[name] if name else {}
    as_of = parse_moment("--as-of", AS_OF, dt.timezone.utc)  # type: ignore[arg-type]
    return Request(events=(events,), mapping=dict(options.get("mapping", {})),  # type: ignore[call-overload]
                   timezone=options.get("timezone"), as_of=as_of,  # type: ignore[arg-type]
                   span=Span(every=every))  # type: ignore[arg-type]


@pytest.mark.parametrize("name", list(RUNS))
def test_examples_measure_the_same_in_spark(spark, tmp_path, name):
    from touchdsl.measure.judge import judge
    from touchdsl.measure.spark import SparkBackend, _UTC

    project = touchdsl.load([str(REPO / "examples" / name)])
    request = _request(parquet_log(name, tmp_path), name, every="week")
    con = duckdb.connect()
    duck = run(con, project, request, keep=True)
    duck_cases = sorted(con.execute(DECISIONS).fetchall())
    con.close()
    backend = SparkBackend(spark)
    try:
        with _UTC(spark):
            sparked = measure_on(backend, project, request, keep=True)
            spark_cases = sorted(backend.fetch(render(DECISIONS, "spark")))
    finally:
        backend.close()
    assert judge(project, sparked) == judge(project, duck)
    assert spark_cases == duck_cases  # every case, decided alike
    assert len(duck_cases) > 100
    measured = judge(project, duck)
    assert measured.promises.missed >= 1 and measured.data_quality.problems  # the example's planted problems


def test_the_command_line_prints_the_same_json(spark, tmp_path):
    """`--engine spark` on the command line (the active session is the tests')."""
    from click.testing import CliRunner

    from touchdsl.cli import cli

    events = parquet_log("telecom", tmp_path)
    args = ["measure", str(REPO / "examples" / "telecom"), "-e", events, "--as-of", AS_OF, "--format", "json"]
    duck = CliRunner().invoke(cli, args)
    sparked = CliRunner().invoke(cli, [*args, "--engine", "spark"])
    assert duck.exit_code == sparked.exit_code == 1, sparked.output  # the example misses a promise
    assert sparked.output == duck.output


def _generate(events: int, path) -> None:
    spec = importlib.util.spec_from_file_location("bench_generate", REPO / "bench" / "measure" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.generate(events, path)


def test_a_million_events_measure_the_same_in_spark(spark, tmp_path):
    """1M events (about 190k cases): the same measurement, and the same decision for
    every case (compared in DuckDB: Spark writes its per-case table as Parquet)."""
    from touchdsl.measure.judge import judge
    from touchdsl.measure.spark import SparkBackend, _UTC

    events = tmp_path / "events-1m.parquet"
    _generate(1_000_000, events)
    project = touchdsl.load([str(REPO / "examples" / "telecom")])
    request = Request(events=(str(events),), span=Span(every="month"))
    con = duckdb.connect()
    duck = run(con, project, request, keep=True)
    backend = SparkBackend(spark)
    try:
        with _UTC(spark):
            sparked = measure_on(backend, project, request, keep=True)
            spark.sql(render(DECISIONS, "spark")).write.parquet(str(tmp_path / "spark-decisions"))
    finally:
        backend.close()
    assert judge(project, sparked) == judge(project, duck)
    theirs = f"read_parquet('{tmp_path / 'spark-decisions'}/*.parquet')"
    counts = con.execute(f"SELECT (SELECT COUNT(*) FROM touch_decisions), (SELECT COUNT(*) FROM {theirs})").fetchone()
    assert counts[0] == counts[1] > 100_000
    differ = con.execute(f"SELECT COUNT(*) FROM (({DECISIONS} EXCEPT ALL SELECT * FROM {theirs}) UNION ALL "
                         f"(SELECT * FROM {theirs} EXCEPT ALL {DECISIONS}))").fetchone()[0]
    assert differ == 0
    con.close()


def test_business_time_is_an_equality_join_in_sparks_plan(spark, tmp_path):
    """The plan Spark makes for the decisions step joins the calendar by hash on
    (calendar, utc_day) or (calendar, bucket): no nested-loop (range) join, no
    cartesian product; the per-case grouping shuffles the log once, by case."""
    from touchdsl.measure.spark import SparkBackend, _UTC

    project = touchdsl.load([str(REPO / "examples" / "telecom")])
    request = _request(parquet_log("telecom", tmp_path), "telecom")
    backend = SparkBackend(spark)
    try:
        with _UTC(spark):
            measure_on(backend, project, request, keep=True)
            steps = {s.name: render(s.sql, "spark") for s in sql.steps(items_of(project))}
            plan = spark.sql(steps["touch_decisions"])._jdf.queryExecution().executedPlan().toString()
            cases = spark.sql(steps["touch_cases"])._jdf.queryExecution().executedPlan().toString()
    finally:
        backend.close()
    # The log is shuffled once, by case; the model's small tables are broadcast to it
    # (without the hint Spark shuffles the log by event name and crosses it with the run).
    assert "Cartesian" not in cases and "BroadcastHashJoin" in cases, cases
    exchanges = [line for line in cases.splitlines() if "Exchange hashpartitioning" in line]
    assert len(exchanges) == 1 and "case_id" in exchanges[0], cases
    assert "NestedLoopJoin" not in plan and "Cartesian" not in plan
    joins = [line for line in plan.splitlines() if "HashJoin" in line or "SortMergeJoin" in line]
    keyed = [line for line in joins if "utc_day" in line or "bucket" in line]
    assert len(keyed) >= 4, plan  # start, stop, promise's and target's late moment, per calendar metric


def test_csv_is_refused_with_the_way_to_convert_it(spark):
    with pytest.raises(touchdsl.measure.MeasureError, match="Parquet files or a table.*COPY"):
        touchdsl.measure(str(REPO / "examples" / "telecom"), events=str(REPO / "examples" / "telecom" / "events.csv"),
                         engine="spark")


def test_a_table_of_the_session_is_measured(spark, tmp_path):
    events = parquet_log("telecom", tmp_path)
    spark.read.parquet(events).write.saveAsTable("telecom_events")
    try:
        by_table = touchdsl.measure(str(REPO / "examples" / "telecom"), events="table:telecom_events",
                                    as_of=AS_OF, engine="spark")
        by_file = touchdsl.measure(str(REPO / "examples" / "telecom"), events=events, as_of=AS_OF)
    finally:
        spark.sql("DROP TABLE telecom_events")
    assert by_table.sources == ["table:telecom_events"]
    assert [i.periods for i in by_table.items] == [i.periods for i in by_file.items]
    # a table has no row numbers: the examples name the table only
    assert all(e.row is None for p in by_table.data_quality.problems for e in p.examples)


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "touchdsl.cli", *args], capture_output=True, text=True, env=env,
                          cwd=REPO, timeout=120)


def test_missing_java_is_a_usage_error_saying_how_to_install_it(tmp_path):
    events = tmp_path / "e.parquet"
    duckdb.sql(f"COPY (SELECT 'a' AS \"case\", 'x' AS touchpoint, 'y' AS event, '2026-01-01T00:00:00Z' AS at) "
               f"TO '{events}' (FORMAT parquet)")
    env = {k: v for k, v in os.environ.items() if k not in ("JAVA_HOME", "PYSPARK_SUBMIT_ARGS")}
    env["PATH"] = os.path.dirname(sys.executable)  # the venv's Python, and no java
    result = _cli(env, "measure", "examples/telecom", "-e", str(events), "--engine", "spark")
    if "needs PySpark" in result.stderr:
        pytest.skip("PySpark is not installed here (the other test covers that message)")
    assert result.returncode == 2, result.stderr
    assert "needs Java 17 or later" in result.stderr and "default-jre-headless" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_pyspark_is_a_usage_error_saying_how_to_install_it(tmp_path):
    events = tmp_path / "e.parquet"
    duckdb.sql(f"COPY (SELECT 'a' AS \"case\", 'x' AS touchpoint, 'y' AS event, '2026-01-01T00:00:00Z' AS at) "
               f"TO '{events}' (FORMAT parquet)")
    hide = tmp_path / "hide"
    hide.mkdir()
    (hide / "pyspark.py").write_text("raise ImportError('hidden by the test')\n")
    env = dict(os.environ, PYTHONPATH=str(hide))
    result = _cli(env, "measure", "examples/telecom", "-e", str(events), "--engine", "spark")
    assert result.returncode == 2, result.stderr
    assert "needs PySpark: pip install 'touchdsl[spark]'" in result.stderr
    assert "Traceback" not in result.stderr


# The forms of timestamp text exports write (touchdsl.measure.timestamps), read alike by
# both engines: zones by offset (spaced, lower-case z, without seconds), by name, an
# abbreviation not guessed, a year out of range, naive times and dates, garbage.
TIMESTAMP_TEXTS = (
    "2026-11-02T10:00:00+02:00", "2026-11-02T10:00:00 +02:00", "2026-11-02T10:00:00z", "2026-11-02T10:00:00+0300",
    "2026-11-02T10:00:00+03", "2026-11-02T10:00Z", "2026-11-02T10:00-05:00", "2026-11-02T10:00:00.123456Z",
    "2026-11-02 10:00:00 UTC", "2026-11-02 10:00:00 GMT", "2026-11-02 10:00 UTC", "2026-11-02 10:00:00 Asia/Jerusalem",
    "2026-11-02 10:00:00 EST", "99999-11-02T10:00:00Z", " 2026-11-02 10:00:00 ", "2026-11-02", "garbage", "",
)


@pytest.mark.parametrize("timezone", [None, "Asia/Jerusalem"])
def test_timestamp_texts_are_read_alike_by_both_engines(spark, tmp_path, timezone):
    from touchdsl.measure.engine import _DuckDB
    from touchdsl.measure.errors import MeasureError
    from touchdsl.measure.spark import SparkBackend, _UTC

    texts = TIMESTAMP_TEXTS if timezone else tuple(t for t in TIMESTAMP_TEXTS if t not in (
        " 2026-11-02 10:00:00 ", "2026-11-02"))  # naive: without a zone, the run stops (tested below)
    path = str(tmp_path / "times.parquet")
    con = duckdb.connect()
    con.execute("CREATE TABLE t (\"case\" VARCHAR, touchpoint VARCHAR, event VARCHAR, \"at\" VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?, 'technical_fault', 'report.start', ?)",
                    [(f"c{k}", text) for k, text in enumerate(texts)])
    con.execute(f"COPY t TO '{path}' (FORMAT parquet)")
    request = Request(events=(path,), timezone=timezone)
    rows = "SELECT src_row, at_us, at_text FROM touch_events ORDER BY src_row"
    _DuckDB(con).load(request)
    duck = con.execute(rows).fetchall()
    backend = SparkBackend(spark)
    try:
        with _UTC(spark):
            backend.load(request)
            sparked = [tuple(r) for r in backend.fetch(rows)]
    finally:
        backend.close()
    con.close()
    assert sparked == duck
    read = {texts[row - 1]: at_us for row, at_us, _ in duck}
    assert read["2026-11-02T10:00:00 +02:00"] == read["2026-11-02T10:00:00+02:00"] == read["2026-11-02 10:00:00 UTC"] - 7_200_000_000
    assert read["2026-11-02T10:00Z"] == read["2026-11-02 10:00 UTC"] == read["2026-11-02 10:00:00 GMT"]
    assert read["2026-11-02 10:00:00 Asia/Jerusalem"] == read["2026-11-02T10:00:00+02:00"]
    assert read["2026-11-02 10:00:00 EST"] is None and read["99999-11-02T10:00:00Z"] is None
    if timezone:
        assert read[" 2026-11-02 10:00:00 "] == read["2026-11-02T10:00:00+02:00"]  # Jerusalem is +02:00 in November
    else:
        for naive in (" 2026-11-02 10:00:00 ", "2026-11-02"):
            con = duckdb.connect()
            con.execute("COPY (SELECT 'c' AS \"case\", 't' AS touchpoint, 'e' AS event, ? AS \"at\") TO "
                        f"'{tmp_path / 'naive.parquet'}' (FORMAT parquet)", [naive])
            con.close()
            naive_request = Request(events=(str(tmp_path / "naive.parquet"),))
            with pytest.raises(MeasureError, match="has no time zone; give --timezone ZONE"):
                _DuckDB(duckdb.connect()).load(naive_request)
            backend = SparkBackend(spark)
            try:
                with _UTC(spark), pytest.raises(MeasureError, match="has no time zone; give --timezone ZONE"):
                    backend.load(naive_request)
            finally:
                backend.close()
