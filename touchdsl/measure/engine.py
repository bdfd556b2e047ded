"""Running the measurement in DuckDB: sources in, the SQL's small aggregates out.

The order of work: read the sources into `touch_events`, settle the run's "now",
fill the small input tables (items, roles, vocabulary, periods, the calendar
segments for the span the data needs), run every step of `touchdsl.measure.sql`
as a temporary table, and read back the result queries. No row of the event log
passes through Python.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Sequence
from zoneinfo import ZoneInfo

from touchdsl.clock import business_deadline, open_periods
from touchdsl.measure import sql
from touchdsl.measure.calendar_table import DAY_US, epoch_us, from_epoch_us, segments
from touchdsl.measure.periods import Span, periods
from touchdsl.measure.plan import Item, item_row, items_of, roles_of, vocabulary_of
from touchdsl.measure.errors import MeasureError
from touchdsl.measure.sources import load, resolve
from touchdsl.model import Project, business_calendar, objective_within

if TYPE_CHECKING:
    import duckdb

__all__ = ["Request", "Raw", "execute", "run", "run_zone", "MEMORY_LIMIT"]

# DuckDB's buffer pool; the whole run stays within about this plus the interpreter.
MEMORY_LIMIT = "1GB"


@dataclass(frozen=True)
class Request:
    """What to measure: the event log and the stretch of time."""

    events: tuple[str, ...]
    mapping: dict[str, str] = field(default_factory=dict)
    timezone: str | None = None  # zone of naive timestamps and of week/month boundaries
    span: Span = Span()
    as_of: dt.datetime | None = None


@dataclass
class Raw:
    """The aggregates of a run, before they are judged."""

    as_of_us: int
    rows: int
    sources: list[str]
    zone: ZoneInfo
    items: list[Item]
    periods: list[list[tuple[int, int]]]  # per item, in the order of `items`
    results: dict[str, list[tuple[Any, ...]]]


def run_zone(project: Project, timezone: str | None) -> ZoneInfo:
    """The zone instants are shown in and weeks and months begin: the one given, else
    the zone all the project's calendars share, else UTC."""
    if timezone is not None:
        return _zone(timezone)
    zones = {c.timezone for c in project.calendars.values()}
    return ZoneInfo(zones.pop()) if len(zones) == 1 else ZoneInfo("UTC")


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        raise MeasureError(f"--timezone: unknown time zone `{name}` (IANA names such as Asia/Jerusalem or UTC)") from None


def _fill(con: "duckdb.DuckDBPyConnection", name: str, rows: Sequence[Sequence[Any]]) -> None:
    columns = sql.INPUTS[name]
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} ({', '.join(f'{c} {t}' for c, t in columns)})")
    if not rows:
        return
    # One statement with a list per column: far faster than a row at a time.
    unnest = ", ".join(f"UNNEST(CAST(${k + 1} AS {t}[]))" for k, (_, t) in enumerate(columns))
    con.execute(f"INSERT INTO {name} SELECT {unnest}", [list(col) for col in zip(*rows)])


def _calendar_rows(project: Project, items: list[Item], first_us: int, as_of_us: int) -> list[tuple[Any, ...]]:
    """Segments of every calendar a time metric uses, from a day before the first event
    to a day past the latest moment any case open now could become late."""
    longest: dict[str, float] = {}
    for item in items:
        metric = item.metric
        calendar_id = business_calendar(metric) if metric is not None else None
        if metric is not None and calendar_id is not None:
            seconds = max(objective_within(metric.promise).within.seconds, objective_within(metric.target).within.seconds)
            longest[calendar_id] = max(longest.get(calendar_id, 0.0), seconds)
    rows: list[tuple[Any, ...]] = []
    now = from_epoch_us(as_of_us)
    start = from_epoch_us(min(first_us, as_of_us) - DAY_US)
    for calendar_id, seconds in sorted(longest.items()):
        calendar = project.calendars[calendar_id]
        try:
            due = business_deadline(now, dt.timedelta(seconds=seconds), calendar)
        except ValueError:  # closed for years: no case can become late before it opens
            due = now
        # A case is late only once the clock runs past its deadline: at the next
        # opening when the deadline falls at a closing (before a weekend, a holiday).
        reopens = next(iter(open_periods(due, due + dt.timedelta(days=800), calendar)), (due, due))[0]
        end = reopens + dt.timedelta(days=1)
        rows += [s.row() for s in segments(calendar, start, end)]
    return rows


def execute(project: Project, request: Request, steps: Sequence[sql.Step] = sql.STEPS,
            now: dt.datetime | None = None) -> Raw:
    """Measure `project` from `request.events`. `steps` is the SQL to run (tests pass a
    rendering of it); `now` is the wall clock (events after it are in the future)."""
    import shutil
    import tempfile

    import duckdb

    spill = tempfile.mkdtemp(prefix="touchdsl-measure-")
    # A bounded buffer pool: past it DuckDB spills to a temporary directory of our own
    # (not the working directory), so memory stays flat with the size of the log.
    con = duckdb.connect(":memory:", config={"memory_limit": MEMORY_LIMIT, "temp_directory": spill})
    try:
        return run(con, project, request, steps, now)
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)


def _last_use(steps: Sequence[sql.Step], keep: bool) -> dict[int, list[str]]:
    """For each step, the earlier steps' tables no later step nor result reads."""
    if keep:
        return {}
    import re

    texts = [s.sql for s in steps] + list(sql.RESULTS.values())
    out: dict[int, list[str]] = {}
    for k, step in enumerate(steps):
        pattern = re.compile(rf"\b{re.escape(step.name)}\b")
        readers = [j for j in range(k + 1, len(texts)) if pattern.search(texts[j])]
        if readers and max(readers) < len(steps):
            out.setdefault(max(readers), []).append(step.name)
    return out


def run(con: "duckdb.DuckDBPyConnection", project: Project, request: Request,
        steps: Sequence[sql.Step] = sql.STEPS, now: dt.datetime | None = None, keep: bool = False) -> Raw:
    """`execute` on a connection the caller owns. With `keep`, every step's table stays
    there to be read (the tests compare the per-case tables with `touchdsl.clock`)."""
    zone = run_zone(project, request.timezone)
    sources = resolve(request.events)
    con.execute("SET TimeZone = 'UTC'")
    rows = load(con, sources, request.mapping, request.timezone)
    wall = epoch_us(now or dt.datetime.now(dt.timezone.utc))
    first, latest = con.execute(
        "SELECT MIN(at_us), MAX(CASE WHEN at_us <= ? THEN at_us END) FROM touch_events WHERE at_us >= 0",
        [wall]).fetchone() or (None, None)
    if request.as_of is not None:
        as_of_us = epoch_us(request.as_of)
    else:
        as_of_us = int(latest) if latest is not None else wall
    first_us = int(first) if first is not None else as_of_us

    items = items_of(project)
    spans = [periods(item.window_seconds, as_of_us, request.span, zone) for item in items]
    _fill(con, "touch_run", [(as_of_us,)])
    _fill(con, "touch_items", [item_row(number, item) for number, item in enumerate(items)])
    _fill(con, "touch_roles", roles_of(items))
    _fill(con, "touch_vocabulary", vocabulary_of(project))
    _fill(con, "touch_periods", [(number, k, a, b) for number, bounds in enumerate(spans)
                                 for k, (a, b) in enumerate(bounds)])
    _fill(con, "touch_calendar", _calendar_rows(project, items, first_us, as_of_us))
    last_use = _last_use(steps, keep=keep)
    for k, step in enumerate(steps):
        con.execute(f"CREATE OR REPLACE TEMP TABLE {step.name} AS {step.sql}")
        for name in last_use.get(k, ()):
            con.execute(f"DROP TABLE {name}")  # memory: no later step reads it
    results = {name: con.execute(query).fetchall() for name, query in sql.RESULTS.items()}
    return Raw(as_of_us, rows, [s.path for s in sources], zone, items, spans, results)
