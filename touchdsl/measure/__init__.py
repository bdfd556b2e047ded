"""Measuring promises from the event log: `touchdsl measure` and `touchdsl.measure`.

    import touchdsl
    result = touchdsl.measure("examples/telecom", events="examples/telecom/events.csv")
    result.kept                      # every published promise kept?
    result.items[0].periods[-1].promise.status

Modules, one job each: `sources` reads the event log (the DuckDB-specific edge),
`calendar_table` cuts calendars into the segments business time is joined against,
`plan` says which events play which part for each promise, `periods` the stretches of
time reported, `sql` the portable SQL, `dialects` its rendering for other engines,
`engine` runs it (in DuckDB; `spark` in Spark), `judge` turns its aggregates into
verdicts, `result` the typed result, `output` the table, CSV and JSON.
"""

from __future__ import annotations

import datetime as dt
import sys
import types
from typing import TYPE_CHECKING, Any, Literal, Mapping, Sequence

from touchdsl.measure.errors import MeasureError

if TYPE_CHECKING:
    from touchdsl.measure.result import Measurement
    from touchdsl.model import Project

__all__ = ["measure", "MeasureError"]

Moment = dt.datetime | dt.date | str


def measure(
    project: "Project | str | Sequence[str]",
    events: str | Sequence[str],
    *,
    mapping: Mapping[str, str] | None = None,
    timezone: str | None = None,
    last: str | None = None,
    start: Moment | None = None,
    end: Moment | None = None,
    as_of: Moment | None = None,
    every: Literal["week", "month", "window"] | None = None,
    engine: Literal["duckdb", "spark"] = "duckdb",
) -> "Measurement":
    """Measure every promise and target of `project` from the event log `events`.

    `project` is a compiled `Project` or the paths of its .touch files (compiled here;
    raises `touchdsl.TouchError` when it has errors). `events` is a file, a glob or a
    `.sql` SELECT, or several. `mapping` renames columns ({"case": "ticket_id"});
    `timezone` is the zone of naive timestamps and of week/month boundaries. The
    period is each metric's own window ending at `as_of` (default: the latest event),
    or `last` ("28d"), or `start`/`end` (dates are local midnights; `end` exclusive),
    cut into weeks or months by `every`, or into consecutive windows of each metric's
    own length (`every="window"`, the last one ending at `as_of`). `engine` runs the
    measurement in embedded DuckDB (the default) or in Spark (`touchdsl[spark]`:
    Parquet files or `table:NAME`, on the active Spark session or a local one;
    docs/warehouse.md). Raises `MeasureError` for unusable input.
    """
    from touchdsl.measure.engine import Request, execute, run_zone
    from touchdsl.measure.judge import judge
    from touchdsl.measure.periods import Span, parse_moment
    from touchdsl.model import Duration, Project

    if not isinstance(project, Project):
        from touchdsl.compiler.driver import load

        project = load([project] if isinstance(project, str) else list(project))
    zone = run_zone(project, timezone)
    last_seconds = None
    if last is not None:
        try:
            last_seconds = Duration.parse(last).seconds
        except ValueError:
            raise MeasureError(f"--last `{last}` is not a duration such as 28d, 4w or 12h") from None
    if every not in (None, "week", "month", "window"):
        raise MeasureError(f"--every `{every}`: choose week, month or window")
    if engine not in ("duckdb", "spark"):
        raise MeasureError(f"--engine `{engine}`: choose duckdb or spark")
    span = Span(last_seconds=last_seconds,
                start=None if start is None else parse_moment("--from", start, zone),
                end=None if end is None else parse_moment("--to", end, zone),
                every=every)
    if span.start is not None and span.end is not None and span.start >= span.end:
        raise MeasureError(f"--from {span.start.isoformat()} is not before --to {span.end.isoformat()} "
                           "(--to is the end of the period, exclusive)")
    if last_seconds is not None and span.start is not None and span.end is not None:
        raise MeasureError("--last cannot be combined with both --from and --to")
    request = Request(events=(events,) if isinstance(events, str) else tuple(events),
                      mapping=dict(mapping or {}), timezone=timezone, span=span,
                      as_of=None if as_of is None else parse_moment("--as-of", as_of, zone))
    return judge(project, execute(project, request, engine=engine))


class _CallableModule(types.ModuleType):
    """`touchdsl.measure(...)` is this package's `measure`: the package and the function
    share the name, and once the package is imported Python binds the name to it."""

    def __call__(self, *args: Any, **kwargs: Any) -> "Measurement":
        return measure(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
