"""The measurement's SQL has one generator (`sql.steps`), and what it writes for each
example project is portable: sqlglot parses every statement into known expressions,
renders it for the other engines, and its own DuckDB rendering measures the examples
exactly as the SQL as written does. Business time joins the calendar by equality
keys, so a distributed engine can plan it as a hash join."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlglot
from sqlglot import exp

from tests.paths import REPO
import touchdsl
from touchdsl.measure import sql
from touchdsl.measure.engine import Request, execute
from touchdsl.measure.judge import judge
from touchdsl.measure.periods import Span
from touchdsl.measure.plan import items_of

DIALECTS = ("spark", "trino", "bigquery", "snowflake", "postgres")
EXAMPLES = ("telecom", "banking", "health")


def _items(name: str):
    return items_of(touchdsl.load([str(REPO / "examples" / name)]))


def _statements() -> list[tuple[str, str]]:
    out = []
    for name in EXAMPLES:
        items = _items(name)
        out += [(f"{name}:{s.name}", s.sql) for s in sql.steps(items)]
        out.append((f"{name}:calendar_needs", sql.calendar_needs(items)))
    # A project with nothing of some kinds still gets every step, with no rows.
    out += [(f"empty:{s.name}", s.sql) for s in sql.steps([])]
    return out + list(sql.RESULTS.items())


STATEMENTS = _statements()


@pytest.mark.parametrize("name,text", STATEMENTS, ids=[n for n, _ in STATEMENTS])
def test_every_statement_parses_into_known_expressions(name, text):
    tree = sqlglot.parse_one(text, read="duckdb")
    assert isinstance(tree, (exp.Select, exp.Union))
    unknown = [node.sql() for node in tree.find_all(exp.Anonymous)]
    assert not unknown, f"{name} calls functions sqlglot cannot translate: {unknown}"


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_statement_renders_for_other_engines(dialect):
    for name, text in STATEMENTS:
        rendered = sqlglot.transpile(text, read="duckdb", write=dialect, unsupported_level=sqlglot.ErrorLevel.RAISE)
        assert len(rendered) == 1, name
        # and the rendering is itself SQL of that dialect
        assert sqlglot.parse_one(rendered[0], read=dialect) is not None, name


def _calendar_joins(tree: exp.Expression) -> list[exp.Join]:
    return [j for j in tree.find_all(exp.Join) if isinstance(j.this, exp.Table)
            and j.this.name in ("touch_calendar", "touch_calendar_open", "touch_calendar_closings")]


@pytest.mark.parametrize("name", EXAMPLES)
def test_business_time_joins_the_calendar_by_equality(name):
    items = _items(name)
    found = 0
    for step in sql.steps(items):
        for join in _calendar_joins(sqlglot.parse_one(step.sql, read="duckdb")):
            found += 1
            keys = {eq.left.name for eq in join.args["on"].find_all(exp.EQ) if isinstance(eq.left, exp.Column)}
            assert "calendar" in keys and keys & {"utc_day", "bucket", "rank"}, (step.name, join.sql())
    on_calendar = [i for i in items if i.kind == "time" and i.metric.calendar is not None]
    # per metric on a calendar: the start and stop positions, the promise's and the target's late moment
    # (the closings of a business-day metric); per metric with pauses on a calendar, the positions of a
    # pause's start and end and of the case's start
    paused = [i for i in on_calendar if i.metric.pauses]
    assert found == 4 * len(on_calendar) + 3 * len(paused)
    assert {"telecom": 2, "banking": 0, "health": 4}[name] == len(on_calendar)


def test_each_case_is_grouped_once():
    """The log is grouped by case once, whatever the number of metrics: in touch_cases,
    and again only for the cases touch_repair_cases lists (duplicate starts, ends
    before the start)."""
    items = _items("telecom")
    grouped = [s.name for s in sql.steps(items)
               if any(isinstance(t, exp.Table) and t.name == "touch_events"
                      for t in sqlglot.parse_one(s.sql, read="duckdb").find_all(exp.Table))
               and "case_id" in {c.name for g in sqlglot.parse_one(s.sql, read="duckdb").find_all(exp.Group)
                                 for c in g.find_all(exp.Column)}]
    assert grouped == ["touch_cases", "touch_repairs"]
    repairs = next(s for s in sql.steps(items) if s.name == "touch_repairs")
    tree = sqlglot.parse_one(repairs.sql, read="duckdb")
    assert tree.find(exp.From).this.name == "touch_repair_cases"
    assert all(j.side == "" for j in tree.find_all(exp.Join))  # inner joins: only the listed cases


def test_no_time_zone_arithmetic_in_the_portable_sql():
    for name, text in STATEMENTS:
        tree = sqlglot.parse_one(text, read="duckdb")
        assert not list(tree.find_all(exp.AtTimeZone, exp.ConvertTimezone)), name
        assert "timezone" not in text.lower(), name


def test_the_sqlglot_rendering_measures_the_same(tmp_path):
    """Round trip: the statements as sqlglot renders them for DuckDB give the same
    measurement of an example log as the statements as written."""
    project = touchdsl.load([str(REPO / "examples" / "telecom")])
    request = Request(events=(str(REPO / "examples" / "telecom" / "events.csv"),),
                      as_of=dt.datetime(2026, 11, 30, 15, 0, tzinfo=dt.timezone.utc), span=Span(every="week"))
    written = sql.steps(items_of(project))
    rendered = tuple(sql.Step(s.name, sqlglot.transpile(s.sql, read="duckdb", write="duckdb")[0]) for s in written)
    assert rendered != written  # sqlglot did rewrite them
    direct = judge(project, execute(project, request))
    again = judge(project, execute(project, request, steps=rendered))
    assert again == direct
    assert any(p.promise.decided for item in direct.items for p in item.periods)
