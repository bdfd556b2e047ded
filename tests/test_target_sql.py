"""`touchdsl build --target sql`: the measurement for a warehouse, in each dialect.

Proof that it is the same measurement: the DuckDB rendering runs in DuckDB, the Spark
rendering in PySpark (local mode) and the Postgres rendering in a PostgreSQL server
started here, each over the examples' event logs loaded into an `events` table and
the calendar loaded from the files the build wrote; `touch_measurement` gives the
verdicts and figures `touchdsl measure` gives. Every dialect's script parses back
with sqlglot; the output is the same byte for byte on every build."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import duckdb
import pytest
import sqlglot
from click.testing import CliRunner
from sqlglot import exp

import touchdsl
from tests.paths import REPO
from tests.test_measure_golden import AS_OF, RUNS
from touchdsl.cli import cli
from touchdsl.measure.calendar_table import COLUMNS as CALENDAR_COLUMNS
from touchdsl.measure.dialects import DIALECTS
from touchdsl.measure.engine import Request, run
from touchdsl.measure.periods import parse_moment
from touchdsl.targets import BuildOptions, renderer

# The examples' logs run from late September to November 2026.
RANGE = {"sql.calendar_from": "2026-01-01", "sql.calendar_years": "2"}  # deadlines run into 2027
AS_OF_US = 1796050800000000  # AS_OF in epoch microseconds
assert dt.datetime.fromtimestamp(AS_OF_US / 1e6, dt.timezone.utc) == dt.datetime.fromisoformat(AS_OF)


def _files(name: str, dialect: str, **extra: str) -> dict[str, bytes]:
    project = touchdsl.load([str(REPO / "examples" / name)])
    return renderer("sql")(project, BuildOptions(extra={"sql.dialect": dialect, **RANGE, **extra}))


def _statements(script: str) -> list[str]:
    body = "\n".join(line for line in script.splitlines() if not line.startswith("--"))
    return [s.strip() for s in body.split(";\n") if s.strip()]


# --- the files ---------------------------------------------------------------------------

def test_build_writes_the_sql_folder_from_the_command_line(tmp_path):
    out = tmp_path / "build"
    result = CliRunner().invoke(cli, ["build", str(REPO / "examples" / "telecom"), "-o", str(out), "-t", "sql",
                                      "--dialect", "trino"])
    assert result.exit_code == 0, result.output
    names = sorted(p.relative_to(out / "sql").as_posix() for p in (out / "sql").rglob("*") if p.is_file())
    assert {"README.md", "inputs.sql", "measure.sql", "calendar.csv", "calendar.parquet", "calendar.ddl.sql",
            "events.ddl.sql", "dbt/models/sources.yml", "dbt/models/touch_measurement.sql"} <= set(names)
    readme = (out / "sql" / "README.md").read_text(encoding="utf-8")
    assert "(trino)" in readme and "2024-01-01" in readme and "2030-01-01" in readme  # the documented range
    assert "Refreshing the calendar table" in readme and "dbt" in readme


def test_dialect_option_and_set_key_are_one_option(tmp_path):
    base = ["build", str(REPO / "examples" / "telecom"), "-o", str(tmp_path / "b"), "-t", "sql"]
    clash = CliRunner().invoke(cli, [*base, "--dialect", "spark", "--set", "sql.dialect=trino"])
    assert clash.exit_code == 2 and "disagree" in clash.output
    wrong = CliRunner().invoke(cli, [*base, "--dialect", "oracle"])
    assert wrong.exit_code == 2 and "choose one of duckdb, spark, trino" in wrong.output
    same = CliRunner().invoke(cli, [*base, "--set", "sql.dialect=postgres"])
    assert same.exit_code == 0, same.output
    assert "(postgres)" in (tmp_path / "b" / "sql" / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("key,value", [
    ("sql.events_table", "events; DROP TABLE x"), ("sql.schema", "a.b.c"), ("sql.objects", "materialized"),
    ("sql.calendar_from", "2024-13-01"), ("sql.calendar_years", "0"), ("sql.map", "case=ticket id"),
    ("sql.map", "cases=ticket_id"),
])
def test_values_the_target_cannot_write_are_refused_before_building(tmp_path, key, value):
    result = CliRunner().invoke(cli, ["build", str(REPO / "examples" / "telecom"), "-o", str(tmp_path / "b"),
                                      "-t", "sql", "--set", f"{key}={value}"])
    assert result.exit_code == 2 and key in result.output, result.output
    assert not (tmp_path / "b").exists()


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_build_is_the_same_byte_for_byte(dialect):
    first, second = _files("health", dialect), _files("health", dialect)
    assert first == second
    parquet = first["sql/calendar.parquet"]
    assert parquet.startswith(b"PAR1") and parquet.endswith(b"PAR1")
    assert b"touchdsl" in parquet and b"version" not in parquet.lower()  # created_by names no library version


def test_the_calendar_files_hold_the_same_segments(tmp_path):
    files = _files("telecom", "duckdb")
    (tmp_path / "c.parquet").write_bytes(files["sql/calendar.parquet"])
    (tmp_path / "c.csv").write_bytes(files["sql/calendar.csv"])
    con = duckdb.connect()
    types = {c: t for c, t in CALENDAR_COLUMNS}
    parquet = con.execute(f"SELECT * FROM '{tmp_path / 'c.parquet'}' ORDER BY calendar, from_us").fetchall()
    csv = con.execute(f"SELECT * FROM read_csv('{tmp_path / 'c.csv'}', header = true, columns = {types}) "
                      "ORDER BY calendar, from_us").fetchall()
    assert parquet == csv and len(parquet) > 1000
    described = dict((r[0], r[1]) for r in con.execute(f"DESCRIBE SELECT * FROM '{tmp_path / 'c.parquet'}'").fetchall())
    assert described == {c: t for c, t in CALENDAR_COLUMNS}
    # it tiles the year: each segment starts where the one before ended
    assert all(a[4] == b[3] for a, b in zip(parquet, parquet[1:]) if a[0] == b[0])
    assert parquet[0][3] == 1767225600000000  # 2026-01-01T00:00Z


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_statement_parses_back_in_its_dialect(dialect):
    for name in ("telecom", "banking", "health"):
        files = _files(name, dialect)
        for text in _statements(files["sql/inputs.sql"].decode() + files["sql/measure.sql"].decode()) + [
                files["sql/calendar.ddl.sql"].decode(), files["sql/events.ddl.sql"].decode()]:
            tree = sqlglot.parse_one(text, read=dialect)
            assert isinstance(tree, (exp.Create, exp.Drop)), text[:80]
            unknown = {f.name.lower() for f in tree.find_all(exp.Anonymous)}
            # functions sqlglot reads as unknown but the engine has: the edge's epoch microseconds
            assert unknown <= {"to_unixtime", "date_part", "epoch_us", "timestamp_micros"}, (name, unknown, text[:200])
        for path, data in files.items():
            if path.startswith("sql/dbt/models/") and path.endswith(".sql"):
                model = re.sub(r"\{\{ (ref|source)\(([^)]*)\) \}\}", lambda m: m.group(2).split("'")[-2],
                               data.decode().split("\n", 2)[2])
                assert isinstance(sqlglot.parse_one(model, read=dialect), (exp.Select, exp.Union)), path


# Each calendar table and the keys it is joined on by equality: (calendar, UTC day) for
# the segment holding an instant, (calendar, business day) for the open segment where a
# business-time limit passes, (calendar, rank) for the closing a business-day limit reaches.
CALENDAR_KEYS = {"touch_calendar": "utc_day", "touch_calendar_open": "bucket", "touch_calendar_closings": "rank"}


@pytest.mark.parametrize("name,joins", [
    # telecom: a business-hours metric (segments and open segments) and a business-day one (closings)
    ("telecom", {"touch_calendar": 4, "touch_calendar_open": 2, "touch_calendar_closings": 2}),
    # health: business days with pauses (their stretches found in the segments too)
    ("health", {"touch_calendar": 11, "touch_calendar_closings": 8}),
])
def test_business_time_joins_the_calendar_by_equality_in_every_dialect(name, joins):
    counts = {}
    for dialect in DIALECTS:
        script = _files(name, dialect, **{"sql.objects": "view"})["sql/measure.sql"].decode()
        found: dict[str, int] = {}
        for text in _statements(script):
            for join in sqlglot.parse_one(text, read=dialect).find_all(exp.Join):
                if isinstance(join.this, exp.Table) and join.this.name in CALENDAR_KEYS:
                    found[join.this.name] = found.get(join.this.name, 0) + 1
                    keys = {eq.left.name for eq in join.args["on"].find_all(exp.EQ)
                            if isinstance(eq.left, exp.Column)}
                    assert {"calendar", CALENDAR_KEYS[join.this.name]} <= keys, (dialect, join.sql())
        counts[dialect] = found
    assert counts == {dialect: joins for dialect in DIALECTS}  # every dialect keeps every join


def test_objects_may_be_tables_and_live_in_a_schema():
    files = _files("telecom", "postgres", **{"sql.schema": "analytics"})
    script = files["sql/inputs.sql"].decode() + files["sql/measure.sql"].decode()
    creates = [s for s in _statements(script) if s.startswith("CREATE")]
    assert all(s.startswith(("CREATE VIEW analytics.", "CREATE TABLE analytics.")) for s in creates)
    assert "CREATE TABLE analytics.touch_cases" in script and "CREATE VIEW analytics.touch_items" in script
    assert "FROM analytics.touch_calendar" in script and "FROM events" in script


# --- running it ----------------------------------------------------------------------------

def _typed_log(name: str, folder: Path) -> Path:
    """The example's log as an event table: the schema's columns, `at` a timestamp
    (what DuckDB read from the example, with its options)."""
    project = touchdsl.load([str(REPO / "examples" / name)])
    options = RUNS[name]
    con = duckdb.connect()
    run(con, project, Request(events=(str(REPO / options["events"]),), mapping=dict(options.get("mapping", {})),
                              timezone=options.get("timezone"),
                              as_of=parse_moment("--as-of", AS_OF, dt.timezone.utc)), keep=True)
    path = folder / f"{name}-events.parquet"
    con.execute(f"""COPY (SELECT case_id AS "case", touchpoint, event, CAST(make_timestamp(at_us) AS TIMESTAMPTZ) AS at,
                      value, channel, segment FROM touch_events ORDER BY src, src_row) TO '{path}' (FORMAT parquet)""")
    con.close()
    return path


def _expected(name: str, events: Path) -> dict[tuple[str, str, str | None], tuple[object, ...]]:
    measured = touchdsl.measure(str(REPO / "examples" / name), events=str(events), as_of=AS_OF)
    out = {}
    for item in measured.items:
        (period,) = item.periods
        promise = period.promise
        out[(item.touchpoint, item.metric, item.segment)] = (
            None if promise is None else promise.status, None if promise is None else promise.decided,
            None if promise is None else promise.good,
            period.target.status, period.target.decided, period.target.good,
            period.open or 0, period.overdue or 0, period.finished or 0)
    quality = {p.kind: p.count for p in measured.data_quality.problems}
    return out | {("data_quality", kind, None): (n,) for kind, n in quality.items()}


MEASUREMENT = ("SELECT touchpoint, metric, segment, kind, promise_status, promise_decided, promise_good, "
               "target_status, target_decided, target_good, open_cases, overdue_cases, finished, outside_calendar "
               "FROM touch_measurement")


def _found(rows, quality) -> dict[tuple[str, str, str | None], tuple[object, ...]]:
    out: dict[tuple[str, str, str | None], tuple[object, ...]] = {}
    for tp, metric, segment, kind, *figures, outside in rows:
        assert outside == 0, (tp, metric)
        p_status, p_dec, p_good, t_status, t_dec, t_good, open_, overdue, finished = figures
        timed = kind in ("time", "updates")
        out[(tp, metric, segment)] = (p_status, None if p_dec is None else int(p_dec),
                                      None if p_good is None else int(p_good), t_status, int(t_dec),
                             None if t_good is None else int(t_good), int(open_ or 0) if timed else 0,
                             int(overdue or 0) if timed else 0, int(finished or 0) if timed else 0)
    return out | {("data_quality", kind, None): (int(n),) for kind, n in quality}


@pytest.mark.parametrize("name,objects", [(n, "table") for n in RUNS] + [("telecom", "view")])
def test_the_duckdb_rendering_measures_what_measure_measures(tmp_path, name, objects):
    events = _typed_log(name, tmp_path)
    files = _files(name, "duckdb", **{"sql.objects": objects})
    (tmp_path / "calendar.parquet").write_bytes(files["sql/calendar.parquet"])
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(files["sql/events.ddl.sql"].decode())
    con.execute(f"INSERT INTO events SELECT * FROM '{events}'")
    con.execute(files["sql/calendar.ddl.sql"].decode())
    con.execute(f"INSERT INTO touch_calendar SELECT * FROM '{tmp_path / 'calendar.parquet'}'")
    con.execute(files["sql/inputs.sql"].decode())
    con.execute(f"CREATE OR REPLACE VIEW touch_run AS SELECT CAST({AS_OF_US} AS BIGINT) AS as_of_us")
    con.execute(files["sql/measure.sql"].decode())
    found = _found(con.execute(MEASUREMENT).fetchall(), con.execute("SELECT * FROM touch_data_quality").fetchall())
    assert found == _expected(name, events)
    assert any(v[0] == "missed" for v in found.values())
    # the scripts run again over their own objects
    con.execute(files["sql/inputs.sql"].decode())
    con.execute(files["sql/measure.sql"].decode())


def test_cases_outside_the_calendar_table_are_counted_not_dropped(tmp_path):
    events = _typed_log("telecom", tmp_path)
    # the measured window starts in early November
    files = _files("telecom", "duckdb", **{"sql.calendar_from": "2026-11-20"})
    (tmp_path / "calendar.parquet").write_bytes(files["sql/calendar.parquet"])
    con = duckdb.connect()
    con.execute(files["sql/events.ddl.sql"].decode())
    con.execute(f"INSERT INTO events SELECT * FROM '{events}'")
    con.execute(files["sql/calendar.ddl.sql"].decode())
    con.execute(f"INSERT INTO touch_calendar SELECT * FROM '{tmp_path / 'calendar.parquet'}'")
    con.execute(files["sql/inputs.sql"].decode())
    con.execute(f"CREATE OR REPLACE VIEW touch_run AS SELECT CAST({AS_OF_US} AS BIGINT) AS as_of_us")
    con.execute(files["sql/measure.sql"].decode())
    outside = dict(con.execute("SELECT metric, outside_calendar FROM touch_measurement").fetchall())
    assert outside["arrival"] > 0 and outside["done"] > 0  # the two metrics on a calendar
    assert outside["answer"] == 0  # wall-clock time needs no calendar


def test_the_spark_rendering_runs_in_spark(spark, tmp_path):
    """The build's Spark SQL, as its README says to run it: the calendar a table over
    the Parquet file the build wrote, then measure.sql statement by statement."""
    name = "telecom"
    events = _typed_log(name, tmp_path)
    files = _files(name, "spark")
    (tmp_path / "calendar").mkdir()
    (tmp_path / "calendar" / "calendar.parquet").write_bytes(files["sql/calendar.parquet"])
    spark.sql(f"CREATE TABLE events USING parquet LOCATION '{events}'")
    spark.sql(f"CREATE TABLE touch_calendar USING parquet LOCATION '{tmp_path / 'calendar'}'")
    try:
        for statement in _statements(files["sql/inputs.sql"].decode()):
            spark.sql(statement)
        spark.sql(f"CREATE OR REPLACE VIEW touch_run AS SELECT CAST({AS_OF_US} AS BIGINT) AS as_of_us")
        for statement in _statements(files["sql/measure.sql"].decode()):
            spark.sql(statement)
        rows = [tuple(r) for r in spark.sql(MEASUREMENT).collect()]
        quality = [tuple(r) for r in spark.sql("SELECT * FROM touch_data_quality").collect()]
        assert _found(rows, quality) == _expected(name, events)
    finally:
        for statement in _statements(files["sql/inputs.sql"].decode()):
            if statement.startswith("DROP"):
                spark.sql(statement)
        spark.sql("DROP TABLE IF EXISTS events")
        spark.sql("DROP TABLE IF EXISTS touch_calendar")


def test_the_postgres_rendering_runs_in_postgres(tmp_path):
    """A PostgreSQL server started for the test: the event table and the calendar
    loaded from CSV (the calendar from the build's calendar.csv, as its README says),
    then measure.sql, for every example."""
    from tests.postgres import USER, server
    from tests.tools import require_module

    require_module("psycopg", "pip install -e '.[test]'")
    import psycopg

    with server() as socket:
        for name in RUNS:
            events = _typed_log(name, tmp_path)
            csv = tmp_path / f"{name}.csv"
            duckdb.execute("SET TimeZone = 'UTC'")
            duckdb.execute(f"COPY (SELECT * FROM '{events}') TO '{csv}' (HEADER, DELIMITER ',')")
            files = _files(name, "postgres")
            with psycopg.connect(host=socket, user=USER, dbname="postgres", autocommit=True,
                                 connect_timeout=30) as con:
                con.execute("SET statement_timeout = '120s'")
                con.execute("DROP SCHEMA public CASCADE")
                con.execute("CREATE SCHEMA public")
                con.execute(files["sql/events.ddl.sql"].decode())
                con.execute(files["sql/calendar.ddl.sql"].decode())
                with con.cursor() as cur:
                    with cur.copy("COPY events FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
                        copy.write(csv.read_bytes())
                    with cur.copy("COPY touch_calendar FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
                        copy.write(files["sql/calendar.csv"])
                con.execute(files["sql/inputs.sql"].decode())
                con.execute(f"CREATE OR REPLACE VIEW touch_run AS SELECT CAST({AS_OF_US} AS BIGINT) AS as_of_us")
                con.execute(files["sql/measure.sql"].decode())
                rows = con.execute(MEASUREMENT).fetchall()
                quality = con.execute("SELECT * FROM touch_data_quality").fetchall()
            assert _found(rows, quality) == _expected(name, events), name
