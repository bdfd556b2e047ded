"""Running the measurement: sources in, the SQL's small aggregates out.

The order of work: read the sources into `touch_events`, settle the run's "now",
fill the small input tables (items, roles, slots, vocabulary, periods), run every
step `touchdsl.measure.sql` writes for the project as a table — filling the
calendar segments just before the first step that reads them, for the calendars
and the stretch of time the cases need — and read back the result queries. No row
of the event log passes through Python.

`measure_on` does that on any `Backend`: embedded DuckDB here (the default), Spark
in `touchdsl.measure.spark`. A backend reads the sources and runs statements; the
statements are the generator's, rendered for the backend's dialect by
`touchdsl.measure.dialects`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Mapping, Protocol, Sequence
from zoneinfo import ZoneInfo

from touchdsl.clock import business_days_deadline, business_deadline, open_periods
from touchdsl.measure import sql
from touchdsl.measure.dialects import Dialect, render, render_steps
from touchdsl.measure.calendar_table import DAY_US, epoch_us, from_epoch_us, segments
from touchdsl.measure.periods import Span, periods
from touchdsl.measure.plan import Item, case_columns, classes_of, item_row, items_of, roles_of, vocabulary_of
from touchdsl.measure.errors import MeasureError
from touchdsl.measure.sources import load, resolve
from touchdsl.model import BusinessDays, Duration, Project, business_calendar, objective_within, unknown_kind

if TYPE_CHECKING:
    import duckdb

__all__ = ["Request", "Raw", "Backend", "Engine", "ENGINES", "execute", "measure_on", "run", "run_zone",
           "MEMORY_LIMIT"]

Engine = Literal["duckdb", "spark"]
ENGINES: tuple[Engine, ...] = ("duckdb", "spark")

# DuckDB's buffer pool; the whole run stays within about this plus the interpreter.
MEMORY_LIMIT = "1536MB"


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


Columns = tuple[tuple[str, str], ...]


class Backend(Protocol):
    """An engine the measurement runs on: it reads the sources into `touch_events`
    and runs statements written in its `dialect`."""

    dialect: Dialect

    def load(self, request: Request) -> tuple[list[str], int]:
        """Create `touch_events` from the request's sources (sql.INPUTS); the names of
        the sources as results show them, and the number of rows read. Raises
        MeasureError for a source that cannot be used."""
        ...

    def latest(self, wall_us: int) -> int | None:
        """The latest instant of the log at or before `wall_us` (None: no event)."""
        ...

    def fill(self, name: str, rows: Sequence[Sequence[Any]], columns: Columns | None = None) -> None:
        """Create the input table `name` (columns as in sql.INPUTS, or `columns`) holding `rows`."""
        ...

    def create(self, name: str, query: str) -> None:
        """Materialise a step: the table `name` holding the rows of `query`."""
        ...

    def drop(self, name: str) -> None:
        ...

    def fetch(self, query: str) -> list[tuple[Any, ...]]:
        ...


class _DuckDB:
    """The default backend: an embedded DuckDB connection (temporary tables)."""

    dialect: Dialect = "duckdb"

    def __init__(self, con: "duckdb.DuckDBPyConnection") -> None:
        self.con = con
        self.paths: list[str] = []

    def _execute(self, query: str, params: list[Any] | None = None) -> "duckdb.DuckDBPyConnection":
        """Run a statement that may read the log. A Parquet log is read through a view, so a
        damaged page is met only here: a usage error naming the file (exit 2), not an
        internal one."""
        import duckdb

        try:
            return self.con.execute(query, params)
        except duckdb.Error as exc:
            path = next((p for p in self.paths if f'"{p}"' in str(exc) or f"'{p}'" in str(exc)), None)
            if path is None:
                raise
            raise MeasureError(f"{path}: cannot read: {str(exc).strip().splitlines()[0]}") from None

    def load(self, request: Request) -> tuple[list[str], int]:
        sources = resolve(request.events)
        self.paths = [s.path for s in sources if s.format == "parquet"]
        self.con.execute("SET TimeZone = 'UTC'")
        rows = load(self.con, sources, request.mapping, request.timezone)
        # Row numbers of the sources are taken; from here on no result depends on the order
        # rows are stored in, and DuckDB needs less memory when it may ignore it.
        self.con.execute("SET preserve_insertion_order = false")
        return [s.path for s in sources], rows

    def latest(self, wall_us: int) -> int | None:
        row = self._execute("SELECT MAX(at_us) FROM touch_events WHERE at_us >= 0 AND at_us <= ?",
                            [wall_us]).fetchone()
        return int(row[0]) if row and row[0] is not None else None

    def fill(self, name: str, rows: Sequence[Sequence[Any]], columns: Columns | None = None) -> None:
        columns = sql.INPUTS[name] if columns is None else columns
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} ({', '.join(f'{c} {t}' for c, t in columns)})")
        if not rows:
            return
        # One statement with a list per column: far faster than a row at a time.
        unnest = ", ".join(f"UNNEST(CAST(${k + 1} AS {t}[]))" for k, (_, t) in enumerate(columns))
        self.con.execute(f"INSERT INTO {name} SELECT {unnest}", [list(col) for col in zip(*rows)])

    def create(self, name: str, query: str) -> None:
        # Every step is a table: a view would hide its size from the planner of the
        # steps reading it (a join of the whole log with a view of few rows may then
        # build its hash table on the log).
        self._execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {query}")

    def drop(self, name: str) -> None:
        self.con.execute(f"DROP TABLE {name}")

    def fetch(self, query: str) -> list[tuple[Any, ...]]:
        return self._execute(query).fetchall()


def _calendar_rows(project: Project, items: list[Item], needs: Sequence[tuple[str, int]],
                   as_of_us: int) -> list[tuple[Any, ...]]:
    """Segments of the calendars `needs` names, each from a day before the earliest
    start of a case measured in its business time to a day past the latest moment any
    case open now could become late."""
    longest: dict[str, float] = {}
    longest_days: dict[str, int] = {}
    for item in items:
        metric = item.metric
        calendar_id = business_calendar(metric) if metric is not None else None
        if metric is None or calendar_id is None:
            continue
        for objective in (metric.promise, metric.target):
            if objective is None:
                continue
            match objective_within(objective).within:
                case Duration() as span:
                    longest[calendar_id] = max(longest.get(calendar_id, 0.0), span.seconds)
                case BusinessDays() as days:
                    longest_days[calendar_id] = max(longest_days.get(calendar_id, 0), days.days)
                case _ as other:
                    unknown_kind(other)
    rows: list[tuple[Any, ...]] = []
    now = from_epoch_us(as_of_us)
    for calendar_id, first_us in needs:
        calendar = project.calendars[calendar_id]
        start = from_epoch_us(min(int(first_us), as_of_us) - DAY_US)
        try:
            due = business_deadline(now, dt.timedelta(seconds=longest.get(calendar_id, 0.0)), calendar)
            if calendar_id in longest_days:  # past the closing of the latest business day a case may reach
                due = max(due, business_days_deadline(now, longest_days[calendar_id], calendar))
        except ValueError:  # closed for years: no case can become late before it opens
            due = now
        # A case is late only once the clock runs past its deadline: at the next
        # opening when the deadline falls at a closing (before a weekend, a holiday).
        reopens = next(iter(open_periods(due, due + dt.timedelta(days=800), calendar)), (due, due))[0]
        end = reopens + dt.timedelta(days=1)
        rows += [s.row() for s in segments(calendar, start, end)]
    return rows


def execute(project: Project, request: Request, steps: Sequence[sql.Step] | None = None,
            now: dt.datetime | None = None, engine: Engine = "duckdb", results: Mapping[str, str] = sql.RESULTS,
            inputs: Mapping[str, tuple[Columns, Sequence[Sequence[Any]]]] | None = None) -> Raw:
    """Measure `project` from `request.events` on `engine`. `steps` is the SQL to run
    (default `sql.steps` of the project; tests pass a rendering of it), in the
    generator's dialect; `now` is the wall clock (events after it are in the future);
    `results` and `inputs` as in `measure_on`."""
    if engine == "spark":
        from touchdsl.measure.spark import execute as on_spark

        return on_spark(project, request, steps, now, results=results, inputs=inputs)
    import shutil
    import tempfile

    import duckdb

    spill = tempfile.mkdtemp(prefix="touchdsl-measure-")
    # A bounded buffer pool: past it DuckDB spills to a temporary directory of our own
    # (not the working directory), so memory stays flat with the size of the log.
    con = duckdb.connect(":memory:", config={"memory_limit": MEMORY_LIMIT, "temp_directory": spill})
    try:
        return run(con, project, request, steps, now, results=results, inputs=inputs)
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)


_CALENDAR = re.compile(r"\btouch_calendar\b")


def _drops(steps: Sequence[sql.Step], extra: dict[int, str], keep: bool,
           results: Mapping[str, str] = sql.RESULTS) -> dict[int, list[str]]:
    """For each step (by index), the earlier steps' tables no later statement reads:
    dropped once it has run (memory). `extra` adds the statements the engine runs
    just before a step."""
    if keep:
        return {}
    texts = [s.sql + extra.get(k, "") for k, s in enumerate(steps)] + list(results.values())
    out: dict[int, list[str]] = {}
    for k, step in enumerate(steps):
        pattern = re.compile(rf"\b{re.escape(step.name)}\b")
        readers = [j for j in range(k + 1, len(texts)) if pattern.search(texts[j])]
        if readers and max(readers) < len(steps):
            out.setdefault(max(readers), []).append(step.name)
    return out


def run(con: "duckdb.DuckDBPyConnection", project: Project, request: Request,
        steps: Sequence[sql.Step] | None = None, now: dt.datetime | None = None, keep: bool = False,
        results: Mapping[str, str] = sql.RESULTS,
        inputs: Mapping[str, tuple[Columns, Sequence[Sequence[Any]]]] | None = None) -> Raw:
    """`execute` on a DuckDB connection the caller owns. With `keep`, every step's table
    stays there to be read (the tests compare the per-case tables with `touchdsl.clock`)."""
    return measure_on(_DuckDB(con), project, request, steps, now, keep, results, inputs)


def measure_on(backend: Backend, project: Project, request: Request, steps: Sequence[sql.Step] | None = None,
               now: dt.datetime | None = None, keep: bool = False, results: Mapping[str, str] = sql.RESULTS,
               inputs: Mapping[str, tuple[Columns, Sequence[Sequence[Any]]]] | None = None) -> Raw:
    """The measurement on `backend`; `steps` in the generator's dialect (default
    `sql.steps` of the project), rendered for the backend's. `results` are the queries
    read back (`touchdsl.measure.live` reads the per-case tables into the live series);
    `inputs` fills further input tables they read (name: columns and rows)."""
    zone = run_zone(project, request.timezone)
    names, rows = backend.load(request)
    if request.as_of is not None:
        as_of_us = epoch_us(request.as_of)
    else:
        wall = epoch_us(now or dt.datetime.now(dt.timezone.utc))
        latest = backend.latest(wall)
        as_of_us = latest if latest is not None else wall

    items = items_of(project)
    if steps is None:
        steps = sql.steps(items)
    steps = render_steps(steps, backend.dialect)
    spans = [periods(item.window_seconds, as_of_us, request.span, zone) for item in items]
    backend.fill("touch_run", [(as_of_us,)])
    backend.fill("touch_items", [item_row(number, item) for number, item in enumerate(items)])
    backend.fill("touch_roles", roles_of(items))
    backend.fill("touch_slots", case_columns(items).rows())
    backend.fill("touch_classes", classes_of(project))
    backend.fill("touch_vocabulary", vocabulary_of(project))
    backend.fill("touch_periods", [(number, k, a, b) for number, bounds in enumerate(spans)
                                   for k, (a, b) in enumerate(bounds)])
    # The calendars are filled just before the first step that reads them, once the
    # cases say which calendars and from when.
    fill_at = next((k for k, step in enumerate(steps) if _CALENDAR.search(step.sql)), None)
    needs_query = render(sql.calendar_needs(items), backend.dialect)
    for name, (columns, table) in (inputs or {}).items():
        backend.fill(name, table, columns)
    drops = _drops(steps, {} if fill_at is None else {fill_at: needs_query}, keep, results)
    for k, step in enumerate(steps):
        if k == fill_at:
            needs = [(str(c), int(f)) for c, f in backend.fetch(needs_query)]
            backend.fill("touch_calendar", _calendar_rows(project, items, needs, as_of_us))
        backend.create(step.name, step.sql)
        for name in drops.get(k, ()):
            backend.drop(name)  # memory: no later statement reads it
    read = {name: backend.fetch(render(query, backend.dialect)) for name, query in results.items()}
    return Raw(as_of_us, rows, names, zone, items, spans, read)
