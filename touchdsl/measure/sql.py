"""The measurement in SQL: the one generator every engine runs.

`steps(items)` writes the whole measurement of a project as a sequence of named
steps (`Step`), each a SELECT over the inputs and the earlier steps; an engine
materialises each step as a table (DuckDB: a temporary table) or a view, then reads
the result queries (`RESULTS`). The text depends on the project — which events are
read per case and in which column, which items exist, their limits and calendars —
but not on the event log nor on the run's options (as-of, periods): those are inputs.

Written in DuckDB's dialect restricted to portable constructs (joins, CASE, GROUP BY,
window functions, integer arithmetic on epoch microseconds) so `sqlglot` can render it
for Spark, Trino, BigQuery, Snowflake or Postgres: no engine-specific function, no
time-zone arithmetic, no range join on a large table. The tests parse every statement
with sqlglot, render it for each dialect, and run the DuckDB rendering back through
the measurement to check that it gives the same figures.

The inputs (`INPUTS`) are small tables the engine fills from the model and the run,
and `touch_events`, the event log in the normalised form `touchdsl.measure.sources`
reads. `touch_calendar` is filled last, before the first step that reads it, for the
calendars the time metrics use and from the earliest start of a case that needs
business time (`calendar_needs`) to past the latest moment a case open now could
become late.

Instants are epoch microseconds (BIGINT, UTC); durations are microseconds. An item is
one thing judged, a metric or a touchpoint's `updates` promise, numbered in the run
(`touch_items`): integer keys keep the joins and groupings cheap.

How the log is read: the events read per case (starts and ends of time metrics and
updates, the two events of a ratio) are grouped **once per case**, into one wide row
per touchpoint and case (`touch_cases`, one column per event: see
`touchdsl.measure.plan.CaseColumns`); the events that count one by one (answers,
counted events, updates sent) are picked out in a second pass (`touch_row_events`);
the data-quality checks look at the few rows with a problem. Cases are measured only
when they can matter to a reported period (they stop at or after its start).

Business time: `touch_calendar` tiles each calendar's timeline into open and closed
segments, each inside one UTC day (see `touchdsl.measure.calendar_table`). An instant
finds its segment by the equality join (calendar, utc_day) and a filter inside the
day; its business position is `before_us` plus the open part of the segment before
it, and elapsed business time is the difference of two positions. The inverse (the
moment a deadline passes) joins `touch_calendar_open`, the open segments keyed by
business day number (business microseconds // one day), again by equality.

Business days (`within N business days`) count closings the same way: an instant's
*rank* is the number of closings of business days before it, the days a case took
are the difference of two ranks, and its deadline is the closing of rank
start + N, found by equality in `touch_calendar_closings`. Values and limits of such
an item are days × 1 000 000 (plan.DAY_UNITS), so every later step reads them as it
reads microseconds.

Pauses (`pause while STEP`): the pause events of a case are paired per pause (a
start stops the clock until the next end), their stretches merged, and each case's
paused time taken from its elapsed time — in wall-clock, business or business-day
positions alike (`touch_pauses`, `touch_paused`). The moment a limit passes is
then start + limit + the pauses that began before the running time reached the
limit: the running time only grows outside pauses, so those are a prefix.

Classes of case: an item of a metric judged per class (`touch_items.segment`) reads
only the cases whose rows all name that class in `segment` (`touch_cases` keeps the
lowest and highest class named), and only answers and counted events of that class;
a case or row without its class, with an unknown one or with two is reported under
data quality.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from touchdsl.measure.plan import DAY_UNITS, CaseColumns, Item, case_columns, item_roles, item_row

__all__ = ["Step", "INPUTS", "RESULTS", "DAY_US", "WORST", "BINS_PER_LIMIT", "BINS", "OVERDUE", "steps",
           "calendar_needs"]

DAY_US = 86_400_000_000
WORST = 5  # case ids listed per item and period
# The distribution of a time or updates item: bins of 1/12 of the promise's limit (so
# limits at a half, a third, a quarter … of it are edges too), up to twice the limit;
# bin BINS holds everything longer.
BINS_PER_LIMIT = 12
BINS = 2 * BINS_PER_LIMIT
OVERDUE = 50  # open overdue cases listed per item
EXAMPLES = 3  # examples listed per kind of problem

# The inputs: name -> columns with portable types. `touch_events` is filled by the
# sources, the others from the model and the options of the run.
INPUTS: dict[str, tuple[tuple[str, str], ...]] = {
    "touch_events": (
        ("src", "INTEGER"),          # the number of the source (file) the row came from, from 0
        ("src_row", "BIGINT"),       # its row number in that source, from 1; NULL where rows have no number
        ("case_id", "VARCHAR"),      # NULL or '' when missing
        ("touchpoint", "VARCHAR"),   # '' when missing
        ("event", "VARCHAR"),        # '' when missing
        ("at_us", "BIGINT"),         # NULL when the timestamp could not be read
        ("at_text", "VARCHAR"),      # the timestamp as written, kept only when at_us is NULL
        ("value", "DOUBLE"),         # NULL when absent or unreadable
        ("value_text", "VARCHAR"),   # the value as written, kept only when present but unreadable
        ("segment", "VARCHAR"),
        ("channel", "VARCHAR"),
    ),
    "touch_run": (("as_of_us", "BIGINT"),),  # one row: the "now" of the run (inclusive)
    "touch_items": (
        ("item", "INTEGER"),          # the item's number in the run
        ("touchpoint", "VARCHAR"),
        ("kind", "VARCHAR"),          # time | ratio | score | nps | count | updates
        ("calendar", "VARCHAR"),      # time: the business calendar, NULL for the wall clock
        ("promise_us", "BIGINT"),     # time: the promise's duration; updates: every
        ("target_us", "BIGINT"),      # time: the target's duration; updates: every
        ("low", "DOUBLE"),            # score/nps: the scale
        ("high", "DOUBLE"),
        ("whole", "BOOLEAN"),         # answers must be whole numbers (nps)
        ("promise_least", "DOUBLE"),  # score `P% at least N`: N of the promise, else NULL
        ("target_least", "DOUBLE"),
        ("bad_is_num", "BOOLEAN"),    # ratio: the numerator is the bad outcome (`at most`)
        ("per_us", "BIGINT"),         # count: the period of the limit
        ("segment", "VARCHAR"),       # the class of case it judges, NULL for every case
        ("days", "BOOLEAN"),          # time: limits and values in business days × 1 000 000
    ),
    # Which events play which role for an item: start/end (time; updates: open/close),
    # num/den (ratio), answer (score, nps), count, update.
    # Which events play which role for an item (and for a pause, which of the item's
    # pauses, from 0); `segment` is the item's class.
    "touch_roles": (("touchpoint", "VARCHAR"), ("event", "VARCHAR"), ("item", "INTEGER"), ("role", "VARCHAR"),
                    ("segment", "VARCHAR"), ("pause", "INTEGER")),
    # The classes of case each touchpoint declares.
    "touch_classes": (("touchpoint", "VARCHAR"), ("segment", "VARCHAR")),
    # The events read once per case (roles start, end, num, den): the touchpoint's
    # number `tp` and the event's column `slot` in touch_cases (plan.CaseColumns).
    "touch_slots": (("touchpoint", "VARCHAR"), ("event", "VARCHAR"), ("tp", "INTEGER"), ("slot", "INTEGER")),
    # Every event name a touchpoint knows: its steps' start and end, the moments its
    # metrics use, its answers, ratio and count events, and `update`.
    "touch_vocabulary": (("touchpoint", "VARCHAR"), ("event", "VARCHAR")),
    "touch_periods": (("item", "INTEGER"), ("period", "INTEGER"), ("from_us", "BIGINT"), ("to_us", "BIGINT")),
    # See touchdsl.measure.calendar_table.
    "touch_calendar": (
        ("calendar", "VARCHAR"), ("utc_day", "BIGINT"), ("local_day", "DATE"), ("from_us", "BIGINT"),
        ("to_us", "BIGINT"), ("is_open", "BOOLEAN"), ("before_us", "BIGINT"), ("closings_before", "BIGINT"),
        ("closing_at", "INTEGER"),
    ),
}


@dataclass(frozen=True)
class Step:
    name: str
    sql: str


# --- small pieces of SQL -------------------------------------------------------------

def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _day(expr: str) -> str:
    """The day number (UTC day, or business day of microseconds) of a microsecond count."""
    return f"CAST(FLOOR(({expr}) / {DAY_US}) AS BIGINT)"


def _position(segment: str, instant: str) -> str:
    """The business position of `instant` inside its `segment` of touch_calendar."""
    return f"{segment}.before_us + CASE WHEN {segment}.is_open THEN {instant} - {segment}.from_us ELSE 0 END"


def _segment_of(alias: str, calendar: str, instant: str) -> str:
    """Join condition: the one segment of `calendar` that holds `instant`."""
    return (f"{alias}.calendar = {calendar} AND {alias}.utc_day = {_day(instant)} "
            f"AND {alias}.from_us <= {instant} AND {instant} < {alias}.to_us")


def _passing(alias: str, calendar: str, position: str) -> str:
    """Join condition: the open segment in which the business position `position` is
    reached last, i.e. the segment with before_us <= position < before_us + len_us.
    The moment a case becomes late is `from_us + (position - before_us)` there: the
    last moment at which the business time still equals the limit."""
    return (f"{alias}.calendar = {calendar} AND {alias}.bucket = {_day(position)} "
            f"AND {alias}.before_us <= {position} AND {position} < {alias}.before_us + {alias}.len_us")


def _rank(segment: str, instant: str) -> str:
    """The closings of business days before `instant` (in its `segment` of touch_calendar),
    in the units business-day items count in (days × 1 000 000)."""
    return (f"({segment}.closings_before + CASE WHEN {instant} > {segment}.from_us THEN {segment}.closing_at "
            f"ELSE 0 END) * {DAY_UNITS}")


def _in(instant: str, period: str = "p") -> str:
    return f"{instant} >= {period}.from_us AND {instant} < {period}.to_us"


def _first(slot: int) -> str:
    return f"first_{slot}"


def _count(slot: int) -> str:
    return f"count_{slot}"


def _union(branches: list[str], empty: str) -> str:
    """UNION ALL of the branches; `empty` (a SELECT of no rows with the same columns)
    when the project has nothing of that kind."""
    return "\nUNION ALL\n".join(branches) if branches else empty


def _nothing(columns: str) -> str:
    """A SELECT of the given typed columns (`CAST(NULL AS T) AS name, ...`) with no rows."""
    return f"SELECT {columns} FROM touch_run WHERE 1 = 0"


_BAD_KINDS = ("unreadable_timestamp", "timestamp_before_1970", "after_as_of", "unknown_touchpoint",
              "unknown_event", "missing_case", "unreadable_value")


def _bad(kind: str) -> str:
    """The rows of touch_bad_rows flagged with `kind`, as rows of touch_problems."""
    return (f"SELECT '{kind}' AS kind, CAST(NULL AS INTEGER) AS item, src, src_row, case_id, touchpoint, event, "
            f"at_us, at_text, value_text FROM touch_bad_rows WHERE {kind} = 1")


# --- the steps -----------------------------------------------------------------------

class _Project:
    """What the generator needs to know of the items (plan.item_row, plan.CaseColumns)."""

    def __init__(self, items: Sequence[Item]) -> None:
        self.items = list(items)
        self.rows = [item_row(number, item) for number, item in enumerate(self.items)]
        self.columns: CaseColumns = case_columns(self.items)

    def numbered(self, *kinds: str) -> list[tuple[int, Item]]:
        return [(number, item) for number, item in enumerate(self.items) if item.kind in kinds]

    def tp(self, item: Item) -> int:
        return self.columns.touchpoints[item.touchpoint.id]

    @property
    def classed(self) -> bool:
        """Some item judges one class of case: touch_cases keeps the classes named."""
        return any(item.segment is not None for item in self.items)

    def of_class(self, item: Item, alias: str = "c") -> str:
        """The condition that a case of touch_cases (`alias`) is of the item's class."""
        if item.segment is None:
            return ""
        segment = _literal(item.segment)
        return f" AND {alias}.seg_lo = {segment} AND {alias}.seg_hi = {segment}"

    def paused(self, number: int) -> bool:
        item = self.items[number]
        return item.metric is not None and bool(getattr(item.metric, "pauses", None))


def _reach(p: _Project) -> str:
    # The earliest moment each item reports on: a case that stopped before it cannot
    # be decided, finished or open in any period of the item.
    return "SELECT item, MIN(from_us) AS from_us FROM touch_periods GROUP BY item"


def _cases(p: _Project) -> str:
    # One row per touchpoint and case: the first moment of each event read per case,
    # and how many times a starting event happened. The only grouping of the log by case.
    width = p.columns.width
    if width == 0:
        return _nothing("CAST(NULL AS INTEGER) AS tp, CAST(NULL AS VARCHAR) AS case_id")
    aggregates = []
    for slot in range(width):
        aggregates.append(f"MIN(CASE WHEN s.slot = {slot} THEN e.at_us END) AS {_first(slot)}")
        if slot in p.columns.counted:
            aggregates.append(f"COUNT(CASE WHEN s.slot = {slot} THEN 1 END) AS {_count(slot)}")
    if p.classed:  # the classes a case's rows name: one, or a conflict between two
        aggregates += ["MIN(e.segment) AS seg_lo", "MAX(e.segment) AS seg_hi"]
    columns = ",\n  ".join(aggregates)
    return f"""
SELECT s.tp, e.case_id,
  {columns}
FROM touch_events AS e
JOIN touch_slots AS s ON s.touchpoint = e.touchpoint AND s.event = e.event
CROSS JOIN touch_run AS n
WHERE e.at_us >= 0 AND e.at_us <= n.as_of_us AND e.case_id IS NOT NULL AND e.case_id <> ''
GROUP BY s.tp, e.case_id
"""


def _repair_cases(p: _Project) -> str:
    # The few cases of a time or updates item whose events need a second look: a
    # duplicate start (the report shows the last one), or an end before the start
    # (the end is then the first one at or after the start).
    branches = []
    for number, item in p.numbered("time", "updates"):
        start, end = _first(p.columns.slot(item, "start")), _first(p.columns.slot(item, "end"))
        starts = _count(p.columns.slot(item, "start"))
        branches.append(f"""SELECT {number} AS item, c.case_id, c.{start} AS start_us, c.{starts} AS starts,
  c.{end} AS first_end_us
FROM touch_cases AS c
WHERE c.tp = {p.tp(item)} AND (c.{starts} > 1 OR c.{end} < c.{start}){p.of_class(item)}""")
    return _union(branches, _nothing("CAST(NULL AS INTEGER) AS item, CAST(NULL AS VARCHAR) AS case_id, "
                                     "CAST(NULL AS BIGINT) AS start_us, CAST(NULL AS BIGINT) AS starts, "
                                     "CAST(NULL AS BIGINT) AS first_end_us"))


def _repairs(p: _Project) -> str:
    # Their events read again (a join with nothing to probe when no case needs it).
    return """
SELECT r.item, r.case_id, r.start_us, r.starts, r.first_end_us,
  MAX(CASE WHEN x.role = 'start' THEN e.at_us END) AS last_start_us,
  MIN(CASE WHEN x.role = 'end' AND e.at_us >= r.start_us THEN e.at_us END) AS end_us
FROM touch_repair_cases AS r
JOIN touch_roles AS x ON x.item = r.item AND x.role IN ('start', 'end')
JOIN touch_events AS e ON e.touchpoint = x.touchpoint AND e.event = x.event AND e.case_id = r.case_id
CROSS JOIN touch_run AS n
WHERE e.at_us >= 0 AND e.at_us <= n.as_of_us
GROUP BY r.item, r.case_id, r.start_us, r.starts, r.first_end_us
"""


def _spans(p: _Project) -> str:
    # Cases of time metrics (start -> end) and updates (open -> close) that can matter
    # to a period: start, end (the first end at or after the start) and stop (the end,
    # or as-of while open).
    branches = []
    for number, item in p.numbered("time", "updates"):
        start, end = _first(p.columns.slot(item, "start")), _first(p.columns.slot(item, "end"))
        branches.append(f"""SELECT {number} AS item, c.case_id, c.{start} AS start_us, c.{end} AS end_us,
  COALESCE(c.{end}, n.as_of_us) AS stop_us
FROM touch_cases AS c
CROSS JOIN touch_run AS n
JOIN touch_reach AS r ON r.item = {number}
WHERE c.tp = {p.tp(item)} AND c.{start} IS NOT NULL AND (c.{end} IS NULL OR c.{end} >= c.{start})
  AND COALESCE(c.{end}, n.as_of_us) >= r.from_us{p.of_class(item)}""")
    if branches:
        branches.append("""SELECT f.item, f.case_id, f.start_us, f.end_us, COALESCE(f.end_us, n.as_of_us) AS stop_us
FROM touch_repairs AS f
CROSS JOIN touch_run AS n
JOIN touch_reach AS r ON r.item = f.item
WHERE f.first_end_us < f.start_us AND COALESCE(f.end_us, n.as_of_us) >= r.from_us""")
    return _union(branches, _nothing("CAST(NULL AS INTEGER) AS item, CAST(NULL AS VARCHAR) AS case_id, "
                                     "CAST(NULL AS BIGINT) AS start_us, CAST(NULL AS BIGINT) AS end_us, "
                                     "CAST(NULL AS BIGINT) AS stop_us"))


def _calendar_open(p: _Project) -> str:
    # Open segments keyed by business day: an open segment is at most one day long, so
    # it lies in at most two business days.
    return f"""
SELECT calendar, {_day('before_us')} AS bucket, from_us, before_us, to_us - from_us AS len_us
FROM touch_calendar
WHERE is_open
UNION ALL
SELECT calendar, {_day('before_us + to_us - from_us - 1')} AS bucket, from_us, before_us, to_us - from_us AS len_us
FROM touch_calendar
WHERE is_open AND {_day('before_us + to_us - from_us - 1')} <> {_day('before_us')}
"""


def _pause_marks(p: _Project) -> str:
    # Pauses, first: the pause events of each case inside its span, each knowing whether
    # the one before it (of the same pause) was a start, so a start while paused and an
    # end while running are ignored ...
    return """
SELECT s.item, s.case_id, t.pause, t.at_us, s.stop_us,
  CASE WHEN t.role = 'pause_start' THEN 1 ELSE 0 END AS is_start,
  LAG(CASE WHEN t.role = 'pause_start' THEN 1 ELSE 0 END)
    OVER (PARTITION BY s.item, s.case_id, t.pause
          ORDER BY t.at_us NULLS FIRST, CASE WHEN t.role = 'pause_start' THEN 1 ELSE 0 END NULLS FIRST) AS prev_start
FROM touch_spans AS s
JOIN touch_row_events AS t ON t.item = s.item AND t.case_id = s.case_id AND t.role IN ('pause_start', 'pause_end')
WHERE t.at_us >= s.start_us AND t.at_us <= s.stop_us
"""


def _pause_stretches(p: _Project) -> str:
    # ... each pause from a start to the next end (or to the case's stop while it lasts) ...
    return """
SELECT b.item, b.case_id, b.at_us AS from_us, COALESCE(e.at_us, b.stop_us) AS to_us
FROM (
  SELECT item, case_id, pause, at_us, stop_us,
    ROW_NUMBER() OVER (PARTITION BY item, case_id, pause ORDER BY at_us NULLS FIRST) AS k
  FROM touch_pause_marks WHERE is_start = 1 AND (prev_start IS NULL OR prev_start = 0)
) AS b
LEFT JOIN (
  SELECT item, case_id, pause, at_us,
    ROW_NUMBER() OVER (PARTITION BY item, case_id, pause ORDER BY at_us NULLS FIRST) AS k
  FROM touch_pause_marks WHERE is_start = 0 AND prev_start = 1
) AS e ON e.item = b.item AND e.case_id = b.case_id AND e.pause = b.pause AND e.k = b.k
"""


def _pauses(p: _Project) -> str:
    # ... and the stretches of a case merged (two pauses at once stop the clock once): a
    # merged pause begins where the stretches under way go from none to some.
    return """
SELECT item, case_id, from_us, to_us
FROM (
  SELECT item, case_id, from_us,
    MAX(to_us) OVER (PARTITION BY item, case_id, island) AS to_us,
    ROW_NUMBER() OVER (PARTITION BY item, case_id, island ORDER BY from_us NULLS FIRST, to_us NULLS FIRST) AS first
  FROM (
    SELECT item, case_id, from_us, to_us,
      SUM(opens) OVER (PARTITION BY item, case_id ORDER BY from_us NULLS FIRST, to_us NULLS FIRST
                       ROWS UNBOUNDED PRECEDING) AS island
    FROM (
      SELECT item, case_id, from_us, to_us,
        CASE WHEN from_us > MAX(to_us) OVER (PARTITION BY item, case_id ORDER BY from_us NULLS FIRST,
                                             to_us NULLS FIRST ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
               OR ROW_NUMBER() OVER (PARTITION BY item, case_id ORDER BY from_us NULLS FIRST, to_us NULLS FIRST) = 1
             THEN 1 ELSE 0 END AS opens
      FROM touch_pause_stretches
    ) AS marked
  ) AS numbered
) AS islands
WHERE first = 1
"""


def _where(number: int, row: tuple[object, ...], alias: str, instant: str) -> tuple[str, str]:
    """An instant's position for the item numbered `number`: (the join that finds it in
    the calendar, or "", the position). Wall-clock time is the instant itself; business
    time its business position; business days its rank."""
    calendar, days = row[3], row[14]
    if calendar is None:
        return "", instant
    join = f"JOIN touch_calendar AS {alias} ON {_segment_of(alias, _literal(str(calendar)), instant)}"
    return join, (_rank(alias, instant) if days else _position(alias, instant))


def _paused(p: _Project) -> str:
    # Per case of an item with pauses: the paused time (in the item's positions), and
    # the pauses that began before the running time reached the promise's (the
    # target's) limit, which push that limit's moment later.
    branches = []
    for number, item in p.numbered("time"):
        if not p.paused(number):
            continue
        row = p.rows[number]
        promise, target = row[4], row[5]
        a_join, a_pos = _where(number, row, "a", "x.from_us")
        b_join, b_pos = _where(number, row, "b", "x.to_us")
        s_join, s_pos = _where(number, row, "c", "s.start_us")
        branches.append(f"""SELECT item, case_id, SUM(len) AS paused,
  SUM(CASE WHEN run_at <= {promise} THEN len ELSE 0 END) AS promise_paused,
  SUM(CASE WHEN run_at <= {target} THEN len ELSE 0 END) AS target_paused
FROM (
  SELECT item, case_id, len,
    at_pos - start_pos - (SUM(len) OVER (PARTITION BY item, case_id ORDER BY at_pos NULLS FIRST
                                         ROWS UNBOUNDED PRECEDING) - len) AS run_at
  FROM (
    SELECT x.item, x.case_id, {a_pos} AS at_pos, ({b_pos}) - ({a_pos}) AS len, {s_pos} AS start_pos
    FROM touch_pauses AS x
    JOIN touch_spans AS s ON s.item = x.item AND s.case_id = x.case_id
    {a_join}
    {b_join}
    {s_join}
    WHERE x.item = {number}
  ) AS stretch
) AS running
GROUP BY item, case_id""")
    return _union(branches, _nothing("CAST(NULL AS INTEGER) AS item, CAST(NULL AS VARCHAR) AS case_id, "
                                     "CAST(NULL AS BIGINT) AS paused, CAST(NULL AS BIGINT) AS promise_paused, "
                                     "CAST(NULL AS BIGINT) AS target_paused"))


def _calendar_closings(p: _Project) -> str:
    # The closings of business days by rank, for the deadlines of business-day items.
    return """
SELECT calendar, closings_before AS rank, from_us
FROM touch_calendar
WHERE closing_at = 1
"""


def _time_cases(p: _Project) -> list[str]:
    # Elapsed time of each time case and the moments the promise's and the target's
    # limits pass: wall-clock arithmetic, business positions (or ranks, for business
    # days) looked up in the calendar for the start and the stop, and the limits'
    # moments in its open segments (at its closings); a case's pauses taken away.
    branches = []
    for number, item in p.numbered("time"):
        row = p.rows[number]
        calendar, promise, target, days = row[3], row[4], row[5], row[14]
        paused = p.paused(number)
        pause_join = ("\nLEFT JOIN touch_paused AS z ON z.item = q.item AND z.case_id = q.case_id" if paused else "")
        spent = "COALESCE(z.paused, 0)" if paused else "0"
        promise_by = f"q.start_pos + {promise}" + (" + COALESCE(z.promise_paused, 0)" if paused else "")
        target_by = f"q.start_pos + {target}" + (" + COALESCE(z.target_paused, 0)" if paused else "")
        if calendar is None:
            inner = f"""SELECT s.item, s.case_id, s.start_us, s.end_us, s.start_us AS start_pos, s.stop_us AS stop_pos
  FROM touch_spans AS s
  WHERE s.item = {number}"""
            late = (f"{promise_by} AS promise_late_us,\n  {target_by} AS target_late_us", "")
        else:
            cal = _literal(str(calendar))
            where = _rank if days else _position
            inner = f"""SELECT s.item, s.case_id, s.start_us, s.end_us,
    {where('a', 's.start_us')} AS start_pos,
    {where('b', 's.stop_us')} AS stop_pos
  FROM touch_spans AS s
  JOIN touch_calendar AS a ON {_segment_of('a', cal, 's.start_us')}
  JOIN touch_calendar AS b ON {_segment_of('b', cal, 's.stop_us')}
  WHERE s.item = {number}"""
            if days:  # the closing whose rank is the start's + the limit (+ the pauses before it)
                late = ("dp.from_us AS promise_late_us,\n  dt.from_us AS target_late_us",
                        f"\nLEFT JOIN touch_calendar_closings AS dp ON dp.calendar = {cal} AND dp.rank = "
                        f"CAST(({promise_by}) / {DAY_UNITS} AS BIGINT)"
                        f"\nLEFT JOIN touch_calendar_closings AS dt ON dt.calendar = {cal} AND dt.rank = "
                        f"CAST(({target_by}) / {DAY_UNITS} AS BIGINT)")
            else:
                late = (f"dp.from_us + ({promise_by} - dp.before_us) AS promise_late_us,\n"
                        f"  dt.from_us + ({target_by} - dt.before_us) AS target_late_us",
                        f"\nLEFT JOIN touch_calendar_open AS dp ON {_passing('dp', cal, promise_by)}"
                        f"\nLEFT JOIN touch_calendar_open AS dt ON {_passing('dt', cal, target_by)}")
        branches.append(f"""SELECT q.item, q.case_id, q.start_us, q.end_us, {promise} AS promise_us, {target} AS target_us,
  q.stop_pos - q.start_pos - {spent} AS value_us,
  {late[0]}
FROM (
  {inner}
) AS q{pause_join}{late[1]}""")
    return branches


def _row_events(p: _Project) -> str:
    # The events that count one by one: answers, counted events, updates sent.
    return """
SELECT r.item, r.role, r.pause, e.src, e.src_row, e.case_id, e.at_us, e.value, e.value_text
FROM touch_events AS e
JOIN touch_roles AS r ON r.touchpoint = e.touchpoint AND r.event = e.event
CROSS JOIN touch_run AS n
WHERE r.role IN ('answer', 'count', 'update', 'pause_start', 'pause_end') AND e.at_us >= 0 AND e.at_us <= n.as_of_us
  AND (r.role = 'count' OR (e.case_id IS NOT NULL AND e.case_id <> ''))
  AND (r.segment IS NULL OR r.role NOT IN ('answer', 'count') OR e.segment = r.segment)
"""


def _ratio_cases(p: _Project) -> str:
    # Ratio: per case, the first denominator and numerator events; a case belongs to
    # the period of the first denominator event (of the numerator's when it has none).
    branches = []
    for number, item in p.numbered("ratio"):
        den, num = _first(p.columns.slot(item, "den")), _first(p.columns.slot(item, "num"))
        branches.append(f"""SELECT {number} AS item, c.case_id, c.{den} AS den_at, c.{num} AS num_at
FROM touch_cases AS c
JOIN touch_reach AS r ON r.item = {number}
WHERE c.tp = {p.tp(item)} AND COALESCE(c.{den}, c.{num}) >= r.from_us{p.of_class(item)}""")
    return _union(branches, _nothing("CAST(NULL AS INTEGER) AS item, CAST(NULL AS VARCHAR) AS case_id, "
                                     "CAST(NULL AS BIGINT) AS den_at, CAST(NULL AS BIGINT) AS num_at"))


def _answers(p: _Project) -> str:
    # Survey answers, each checked against the item's scale.
    return """
SELECT t.item, t.src, t.src_row, t.case_id, t.at_us, t.value, t.value_text,
  CASE WHEN t.value IS NOT NULL AND t.value >= i.low AND t.value <= i.high
            AND (NOT i.whole OR t.value = FLOOR(t.value)) THEN 1 ELSE 0 END AS valid,
  i.promise_least, i.target_least
FROM touch_row_events AS t
JOIN touch_items AS i ON i.item = t.item
WHERE t.role = 'answer'
"""


def _count_stretches(p: _Project) -> str:
    # Count: events per stretch of the limit's length, counted back from the period's end
    # (stretch 0 is the last `per` before the end; the oldest may be shorter).
    return f"""
SELECT p.item, p.period, CAST(FLOOR((p.to_us - 1 - t.at_us) / i.per_us) AS BIGINT) AS stretch, COUNT(*) AS events
FROM touch_periods AS p
JOIN touch_items AS i ON i.item = p.item
JOIN touch_row_events AS t ON t.item = p.item AND t.role = 'count' AND {_in('t.at_us')}
GROUP BY p.item, p.period, CAST(FLOOR((p.to_us - 1 - t.at_us) / i.per_us) AS BIGINT)
"""


def _update_sent(p: _Project) -> str:
    # Updates: each case open for an updates promise with the messages sent while it was
    # open, each with the one sent before it (a case without any: one row, no message) ...
    return """
SELECT s.item, s.case_id, s.start_us, s.end_us, s.stop_us, i.promise_us AS every_us, t.at_us,
  LAG(t.at_us) OVER (PARTITION BY s.item, s.case_id ORDER BY t.at_us) AS prev_us
FROM touch_spans AS s
JOIN touch_items AS i ON i.item = s.item AND i.kind = 'updates'
LEFT JOIN touch_row_events AS t ON t.item = s.item AND t.case_id = s.case_id AND t.role = 'update'
  AND t.at_us > s.start_us AND t.at_us < s.stop_us
"""


def _update_cases(p: _Project) -> list[str]:
    # ... and per case the longest silence — from the opening to the first update,
    # between updates, from the last one to the closing (or as-of) — and the moment the
    # first too-long silence became too long. Updates have no target of their own: the
    # target is the promise.
    if not p.numbered("updates"):
        return []
    first_gap = "u.first_us - u.start_us"
    last_gap = "u.stop_us - u.last_us"
    edges = f"CASE WHEN {first_gap} >= {last_gap} THEN {first_gap} ELSE {last_gap} END"
    late = f"""CASE WHEN u.first_us IS NULL THEN CASE WHEN u.stop_us - u.start_us > u.every_us THEN u.start_us + u.every_us END
       WHEN {first_gap} > u.every_us THEN u.start_us + u.every_us
       WHEN u.inner_late_us IS NOT NULL THEN u.inner_late_us
       WHEN {last_gap} > u.every_us THEN u.last_us + u.every_us END"""
    return [f"""SELECT u.item, u.case_id, u.start_us, u.end_us, u.every_us AS promise_us, u.every_us AS target_us,
  CASE WHEN u.first_us IS NULL THEN u.stop_us - u.start_us
       WHEN u.inner_us > {edges} THEN u.inner_us
       ELSE {edges} END AS value_us,
  {late} AS promise_late_us,
  {late} AS target_late_us
FROM (
  SELECT item, case_id, MIN(start_us) AS start_us, MIN(end_us) AS end_us, MIN(stop_us) AS stop_us,
    MIN(every_us) AS every_us, MIN(at_us) AS first_us, MAX(at_us) AS last_us, MAX(at_us - prev_us) AS inner_us,
    MIN(CASE WHEN at_us - prev_us > every_us THEN prev_us + every_us END) AS inner_late_us
  FROM touch_update_sent
  GROUP BY item, case_id
) AS u"""]


def _decisions(p: _Project) -> str:
    # One row per case of a time or updates item: its value (elapsed time, longest
    # silence), the moments the promise's and the target's limits pass, and when its
    # outcome became known for each and whether it was met. A case is met at its end
    # when it ended within the limit; missed when the limit passed (at that moment,
    # ended or not); otherwise it is still open and not yet due.
    cases = _union(_time_cases(p) + _update_cases(p), _nothing(
        "CAST(NULL AS INTEGER) AS item, CAST(NULL AS VARCHAR) AS case_id, CAST(NULL AS BIGINT) AS start_us, "
        "CAST(NULL AS BIGINT) AS end_us, CAST(NULL AS BIGINT) AS promise_us, CAST(NULL AS BIGINT) AS target_us, "
        "CAST(NULL AS BIGINT) AS value_us, CAST(NULL AS BIGINT) AS promise_late_us, "
        "CAST(NULL AS BIGINT) AS target_late_us"))
    return f"""
SELECT item, case_id, start_us, end_us, value_us, promise_late_us, target_late_us,
  CASE WHEN value_us > promise_us THEN promise_late_us WHEN end_us IS NOT NULL THEN end_us END AS promise_at,
  CASE WHEN value_us > promise_us THEN 0 ELSE 1 END AS promise_met,
  CASE WHEN value_us > target_us THEN target_late_us WHEN end_us IS NOT NULL THEN end_us END AS target_at,
  CASE WHEN value_us > target_us THEN 0 ELSE 1 END AS target_met
FROM (
{cases}
) AS c
"""


def _case_summary(p: _Project) -> str:
    # Per item and period: cases decided and met for the promise and the target, cases
    # still open at the period's end (x = to_us - 1), and those of them already overdue.
    return f"""
SELECT p.item, p.period,
  SUM(CASE WHEN {_in('d.promise_at')} THEN 1 ELSE 0 END) AS promise_decided,
  SUM(CASE WHEN {_in('d.promise_at')} AND d.promise_met = 1 THEN 1 ELSE 0 END) AS promise_good,
  SUM(CASE WHEN {_in('d.target_at')} THEN 1 ELSE 0 END) AS target_decided,
  SUM(CASE WHEN {_in('d.target_at')} AND d.target_met = 1 THEN 1 ELSE 0 END) AS target_good,
  SUM(CASE WHEN d.start_us < p.to_us AND (d.end_us IS NULL OR d.end_us >= p.to_us)
           AND (d.promise_late_us IS NULL OR d.promise_late_us >= p.to_us - 1) THEN 1 ELSE 0 END) AS open_cases,
  SUM(CASE WHEN d.start_us < p.to_us AND (d.end_us IS NULL OR d.end_us >= p.to_us)
           AND d.promise_late_us < p.to_us - 1 THEN 1 ELSE 0 END) AS overdue_cases,
  SUM(CASE WHEN {_in('d.end_us')} THEN 1 ELSE 0 END) AS finished
FROM touch_periods AS p
JOIN touch_decisions AS d ON d.item = p.item
GROUP BY p.item, p.period
"""


def _percentiles(p: _Project) -> str:
    # Nearest-rank percentiles of the value (elapsed, or longest silence) of the cases
    # finished in each period: the value of rank ceil(P * n / 100), n the cases finished
    # in the period — the smallest value whose cases, with all smaller ones, reach that
    # rank. Values are counted once each with their cases (times recorded to the second
    # repeat often), so only the distinct values are ordered. Exact in any engine. (A
    # value is never NULL; NULLS FIRST is written so every dialect orders alike.)
    def rank(percent: int) -> str:
        return f"CAST(CEIL(CAST({percent} * s.finished AS DOUBLE) / 100) AS BIGINT)"
    return f"""
SELECT c.item, c.period,
  MIN(CASE WHEN c.upto >= {rank(50)} THEN c.value_us END) AS p50_us,
  MIN(CASE WHEN c.upto >= {rank(90)} THEN c.value_us END) AS p90_us,
  MIN(CASE WHEN c.upto >= {rank(95)} THEN c.value_us END) AS p95_us
FROM (
  SELECT item, period, value_us,
    SUM(cases) OVER (PARTITION BY item, period ORDER BY value_us NULLS FIRST
                     ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS upto
  FROM (
    SELECT p.item, p.period, d.value_us, COUNT(*) AS cases
    FROM touch_periods AS p
    JOIN touch_decisions AS d ON d.item = p.item AND {_in('d.end_us')}
    GROUP BY p.item, p.period, d.value_us
  ) AS v
) AS c
JOIN touch_case_summary AS s ON s.item = c.item AND s.period = c.period
GROUP BY c.item, c.period
"""


def _distribution(p: _Project) -> str:
    # The cases finished in each period by value, in bins of the promise's limit / 12:
    # bin k holds (k, k + 1] twelfths (a value exactly at the limit is in the last bin
    # before it, as it met the promise); bin BINS everything past twice the limit.
    ratio = f"CAST(d.value_us AS DOUBLE) * {BINS_PER_LIMIT} / i.promise_us"
    return f"""
SELECT p.item, p.period, b.bin, COUNT(*) AS cases
FROM (
  SELECT d.item, d.end_us,
    CASE WHEN d.value_us <= 0 THEN 0
         WHEN {ratio} > {BINS} THEN {BINS}
         ELSE CAST(CEIL({ratio}) AS BIGINT) - 1 END AS bin
  FROM touch_decisions AS d
  JOIN touch_items AS i ON i.item = d.item
  WHERE d.end_us IS NOT NULL
) AS b
JOIN touch_periods AS p ON p.item = b.item AND b.end_us >= p.from_us AND b.end_us < p.to_us
GROUP BY p.item, p.period, b.bin
"""


def _share_rank(p: _Project, role: str) -> str:
    """The rank ceil(P% of n) of the item's `role` objective, as a CASE on the item:
    the objective's percent as an exact fraction, so 99.9% of 1000 is rank 999."""
    from fractions import Fraction

    from touchdsl.model import TimeMetric

    whens = []
    for number, item in p.numbered("time"):
        metric = item.metric
        assert isinstance(metric, TimeMetric)
        # An internal metric's promise is its target (plan.item_row).
        objective = (metric.promise or metric.target) if role == "promise" else metric.target
        share = Fraction(repr(float(objective.percent))) / 100  # type: ignore[union-attr]
        whens.append(f"WHEN {number} THEN CAST(CEIL(CAST(v.n * {share.numerator} AS DOUBLE) / "
                     f"{share.denominator}) AS BIGINT)")
    return f"CASE v.item {' '.join(whens)} END"


def _reach_times(p: _Project) -> str:
    # Time items: within how long each objective's share of the cases decided on it in
    # the period were done — the value at rank ceil(P% of them), by nearest rank, from
    # the distinct values and their cumulative counts. A case missed and still open
    # counts with its time so far (at least what it will take), so the figure is at
    # most the limit exactly when the share was met; `open_upto` says whether any open
    # case is at or below it (then it is a lower bound).
    numbered = p.numbered("time")
    if not numbered:
        return _nothing("CAST(NULL AS INTEGER) AS item, CAST(NULL AS INTEGER) AS period, "
                        "CAST(NULL AS VARCHAR) AS role, CAST(NULL AS BIGINT) AS reach_us, "
                        "CAST(NULL AS BIGINT) AS open_upto")
    items = ", ".join(str(number) for number, _ in numbered)
    branches = []
    for role in ("promise", "target"):
        branches.append(f"""SELECT item, period, role, value_us, cases, open_cases, upto, open_upto, n,
    {_share_rank(p, role)} AS rnk
  FROM (
    SELECT item, period, role, value_us, cases, open_cases,
      SUM(cases) OVER (PARTITION BY item, period ORDER BY value_us NULLS FIRST
                       ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS upto,
      SUM(open_cases) OVER (PARTITION BY item, period ORDER BY value_us NULLS FIRST
                            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS open_upto,
      SUM(cases) OVER (PARTITION BY item, period) AS n
    FROM (
      SELECT p.item, p.period, '{role}' AS role, d.value_us, COUNT(*) AS cases,
        SUM(CASE WHEN d.end_us IS NULL THEN 1 ELSE 0 END) AS open_cases
      FROM touch_periods AS p
      JOIN touch_decisions AS d ON d.item = p.item AND {_in(f'd.{role}_at')}
      WHERE p.item IN ({items})
      GROUP BY p.item, p.period, d.value_us
    ) AS w
  ) AS v""")
    union = "\n  UNION ALL\n  ".join(branches)
    return f"""
SELECT item, period, role,
  MIN(CASE WHEN upto >= rnk THEN value_us END) AS reach_us,
  MIN(CASE WHEN upto >= rnk THEN open_upto END) AS open_upto
FROM (
  {union}
) AS ranked
GROUP BY item, period, role
"""


def _overdue(p: _Project) -> str:
    # Cases open at the as-of moment and past the promise (time and updates), the
    # longest overdue first, with how many there are per item.
    return f"""
SELECT item, case_id, start_us, value_us, late_us, overdue
FROM (
  SELECT d.item, d.case_id, d.start_us, d.value_us, d.promise_late_us AS late_us,
    ROW_NUMBER() OVER (PARTITION BY d.item ORDER BY d.promise_late_us, d.case_id) AS rn,
    COUNT(*) OVER (PARTITION BY d.item) AS overdue
  FROM touch_decisions AS d
  WHERE d.end_us IS NULL AND d.promise_met = 0
) AS ranked
WHERE rn <= {OVERDUE}
"""


def _ratio_summary(p: _Project) -> str:
    return f"""
SELECT p.item, p.period,
  COUNT(*) AS cases,
  SUM(CASE WHEN c.num_at IS NOT NULL THEN 1 ELSE 0 END) AS matching
FROM touch_periods AS p
JOIN touch_ratio_cases AS c ON c.item = p.item AND {_in('COALESCE(c.den_at, c.num_at)')}
GROUP BY p.item, p.period
"""


def _answer_summary(p: _Project) -> str:
    return f"""
SELECT p.item, p.period,
  COUNT(*) AS answers,
  SUM(a.value) AS total,
  SUM(CASE WHEN a.value >= a.promise_least THEN 1 ELSE 0 END) AS promise_good,
  SUM(CASE WHEN a.value >= a.target_least THEN 1 ELSE 0 END) AS target_good,
  SUM(CASE WHEN a.value >= 9 THEN 1 ELSE 0 END) AS promoters,
  SUM(CASE WHEN a.value <= 6 THEN 1 ELSE 0 END) AS detractors
FROM touch_periods AS p
JOIN touch_answers AS a ON a.item = p.item AND a.valid = 1 AND {_in('a.at_us')}
GROUP BY p.item, p.period
"""


def _count_summary(p: _Project) -> str:
    return """
SELECT item, period, total, events AS worst, stretch AS worst_stretch
FROM (
  SELECT item, period, events, stretch,
    SUM(events) OVER (PARTITION BY item, period) AS total,
    ROW_NUMBER() OVER (PARTITION BY item, period ORDER BY events DESC, stretch) AS rn
  FROM touch_count_stretches
) AS ranked
WHERE rn = 1
"""


def _ranked(source: str, columns: str, key: str, worst_first: str, then: str) -> str:
    """The rows of `source` (FROM ... JOIN ..., binding the period as p) ranked per item
    and period by `key` (DESC or ASC as `worst_first` says), ties by `then`, keeping
    only the rows that can be among the first WORST: a ranking by the single key finds
    the WORST-th value (cheap: an engine keeps the top rows of a one-key ranking
    without sorting them all), and only the rows at least as bad as it are ranked in
    full."""
    bound, keep = ("MIN", ">=") if worst_first == "DESC" else ("MAX", "<=")
    nested = source.replace("\n", "\n    ")
    return f"""SELECT p.item, p.period, {columns},
    ROW_NUMBER() OVER (PARTITION BY p.item, p.period ORDER BY {key} {worst_first}, {then}) AS rn
  {source}
  JOIN (
    SELECT item, period, {bound}(bound) AS bound
    FROM (
      SELECT p.item, p.period, {key} AS bound,
        ROW_NUMBER() OVER (PARTITION BY p.item, p.period ORDER BY {key} {worst_first}) AS rn
      {nested}
    ) AS top
    WHERE rn <= {WORST}
    GROUP BY item, period
  ) AS b ON b.item = p.item AND b.period = p.period AND {key} {keep} b.bound"""


def _worst(p: _Project) -> str:
    # The worst cases of each item and period: the slowest decided cases (time), the
    # longest silences (updates), the lowest answers (score, nps), the latest cases with
    # the bad outcome (ratio).
    decided = _ranked(
        f"FROM touch_periods AS p\n  JOIN touch_decisions AS d ON d.item = p.item AND {_in('d.promise_at')}",
        "d.case_id, CAST(d.value_us AS DOUBLE) / 1000000 AS value, d.promise_at AS at_us,\n"
        "    CASE WHEN d.end_us IS NULL THEN 1 ELSE 0 END AS still_open",
        "d.value_us", "DESC", "d.case_id")
    answers = _ranked(
        f"FROM touch_periods AS p\n  JOIN touch_answers AS a ON a.item = p.item AND a.valid = 1 AND {_in('a.at_us')}",
        "a.case_id, a.value, a.at_us, 0 AS still_open",
        "a.value", "ASC", "a.at_us DESC, a.case_id")
    ratios = _ranked(
        "FROM touch_periods AS p\n  JOIN touch_items AS i ON i.item = p.item\n"
        f"  JOIN touch_ratio_cases AS c ON c.item = p.item AND {_in('COALESCE(c.den_at, c.num_at)')}\n"
        "    AND (c.num_at IS NOT NULL) = i.bad_is_num",
        "c.case_id, CAST(NULL AS DOUBLE) AS value, COALESCE(c.den_at, c.num_at) AS at_us, 0 AS still_open",
        "COALESCE(c.den_at, c.num_at)", "DESC", "c.case_id")
    return f"""
SELECT item, period, case_id, value, at_us, still_open, rn
FROM (
  {decided}
  UNION ALL
  {answers}
  UNION ALL
  {ratios}
) AS ranked
WHERE rn <= {WORST}
"""


def _event_names(p: _Project) -> str:
    # Data quality. The distinct (touchpoint, event) names of the log: a grouping of
    # few groups, so unknown names are found without joining every row.
    return "SELECT touchpoint, event, COUNT(*) AS n FROM touch_events GROUP BY touchpoint, event"


def _unknown_names(p: _Project) -> str:
    return """
SELECT x.touchpoint, x.event
FROM touch_event_names AS x
LEFT JOIN touch_vocabulary AS v ON v.touchpoint = x.touchpoint AND v.event = x.event
WHERE v.event IS NULL
"""


# A row with a problem that needs no look-up: its time, its value or its case.
_PLAIN_PROBLEM = ("e.at_us IS NULL OR e.at_us < 0 OR e.at_us > n.as_of_us OR e.value_text IS NOT NULL "
                  "OR e.case_id IS NULL OR e.case_id = ''")
_EVENT_COLUMNS = "e.src, e.src_row, e.case_id, e.touchpoint, e.event, e.at_us, e.at_text, e.value_text"


def _bad_rows(p: _Project) -> str:
    # The rows with any problem of their own, with a flag per problem (the rest of the
    # checks read this small table): rows whose time, value or case is suspect, and
    # the rows of unknown names (a join with nothing to probe when all names are known).
    return f"""
SELECT {_EVENT_COLUMNS},
  CASE WHEN e.at_us IS NULL THEN 1 ELSE 0 END AS unreadable_timestamp,
  CASE WHEN e.at_us < 0 THEN 1 ELSE 0 END AS timestamp_before_1970,
  CASE WHEN e.at_us > n.as_of_us THEN 1 ELSE 0 END AS after_as_of,
  CASE WHEN v.event IS NULL AND k.touchpoint IS NULL THEN 1 ELSE 0 END AS unknown_touchpoint,
  CASE WHEN v.event IS NULL AND k.touchpoint IS NOT NULL THEN 1 ELSE 0 END AS unknown_event,
  CASE WHEN c.event IS NOT NULL AND (e.case_id IS NULL OR e.case_id = '') THEN 1 ELSE 0 END AS missing_case,
  CASE WHEN e.value_text IS NOT NULL THEN 1 ELSE 0 END AS unreadable_value
FROM (
  SELECT {_EVENT_COLUMNS}
  FROM touch_events AS e
  CROSS JOIN touch_run AS n
  WHERE {_PLAIN_PROBLEM}
  UNION ALL
  SELECT {_EVENT_COLUMNS}
  FROM touch_events AS e
  JOIN touch_unknown_names AS u ON u.touchpoint = e.touchpoint AND u.event = e.event
  CROSS JOIN touch_run AS n
  WHERE NOT ({_PLAIN_PROBLEM})
) AS e
CROSS JOIN touch_run AS n
LEFT JOIN touch_vocabulary AS v ON v.touchpoint = e.touchpoint AND v.event = e.event
LEFT JOIN (SELECT DISTINCT touchpoint FROM touch_vocabulary) AS k ON k.touchpoint = e.touchpoint
LEFT JOIN (SELECT DISTINCT touchpoint, event FROM touch_roles WHERE role <> 'count') AS c
  ON c.touchpoint = e.touchpoint AND c.event = e.event
WHERE e.at_us IS NULL OR e.at_us < 0 OR e.at_us > n.as_of_us OR v.event IS NULL
   OR (c.event IS NOT NULL AND (e.case_id IS NULL OR e.case_id = '')) OR e.value_text IS NOT NULL
"""


def _case_problems(p: _Project) -> str:
    # Cases whose events contradict each other, with the event to show as an example.
    branches = [
        """SELECT 'duplicate_start' AS kind, item, case_id, 'start' AS role, last_start_us AS at_us
FROM touch_repairs WHERE starts > 1""",
        """SELECT 'end_before_start' AS kind, item, case_id, 'end' AS role, first_end_us AS at_us
FROM touch_repairs WHERE first_end_us < start_us""",
    ]
    for number, item in p.numbered("time", "updates"):
        start, end = _first(p.columns.slot(item, "start")), _first(p.columns.slot(item, "end"))
        branches.append(f"""SELECT 'end_without_start' AS kind, {number} AS item, case_id, 'end' AS role, {end} AS at_us
FROM touch_cases AS c WHERE tp = {p.tp(item)} AND {start} IS NULL AND {end} IS NOT NULL{p.of_class(item)}""")
    for number, item in p.numbered("ratio"):
        den, num = _first(p.columns.slot(item, "den")), _first(p.columns.slot(item, "num"))
        branches.append(f"""SELECT 'numerator_without_denominator' AS kind, {number} AS item, case_id, 'num' AS role,
  {num} AS at_us
FROM touch_cases AS c WHERE tp = {p.tp(item)} AND {den} IS NULL AND {num} IS NOT NULL{p.of_class(item)}""")
    branches += _class_problems(p)
    return _union(branches, "")


def _class_problems(p: _Project) -> list[str]:
    # Cases of a touchpoint with metrics judged per class whose rows name no class, an
    # unknown one, or two; shown with the case's start (or population) event.
    out = []
    seen: set[str] = set()
    for number, item in p.numbered("time", "ratio"):
        tp = item.touchpoint
        if item.segment is None or tp.id in seen:
            continue
        seen.add(tp.id)
        role = next(r for _, r in item_roles(item) if r in ("start", "den"))
        first = _first(p.columns.slot(item, role))
        known = ", ".join(_literal(c.id) for c in tp.classes)
        out.append(f"""SELECT CASE WHEN seg_lo IS NULL THEN 'missing_segment' WHEN seg_lo <> seg_hi THEN 'conflicting_segment'
            ELSE 'unknown_segment' END AS kind,
  {number} AS item, case_id, '{role}' AS role, {first} AS at_us
FROM touch_cases
WHERE tp = {p.tp(item)} AND {first} IS NOT NULL
  AND (seg_lo IS NULL OR seg_lo <> seg_hi OR seg_lo NOT IN ({known}))""")
    return out


def _problems(p: _Project) -> str:
    # Every problem, one row per bad row (or per contradicting case, with its first
    # offending row, found by reading the events of those few cases again).
    bad = "\nUNION ALL\n".join(_bad(kind) for kind in _BAD_KINDS)
    return f"""
{bad}
UNION ALL
SELECT 'answer_outside_scale' AS kind, a.item, a.src, a.src_row, a.case_id,
  r.touchpoint, r.event, a.at_us, CAST(NULL AS VARCHAR) AS at_text,
  COALESCE(a.value_text, CAST(a.value AS VARCHAR)) AS value_text
FROM touch_answers AS a
JOIN touch_roles AS r ON r.item = a.item AND r.role = 'answer'
WHERE a.valid = 0{_row_class_problems(p)}
UNION ALL
SELECT kind, item, src, src_row, case_id, touchpoint, event, at_us, at_text, value_text
FROM (
  SELECT c.kind, c.item, e.src, e.src_row, c.case_id, r.touchpoint, r.event,
    c.at_us, CAST(NULL AS VARCHAR) AS at_text, CAST(NULL AS VARCHAR) AS value_text,
    ROW_NUMBER() OVER (PARTITION BY c.kind, c.item, c.case_id ORDER BY e.src, e.src_row) AS rn
  FROM touch_case_problems AS c
  JOIN touch_roles AS r ON r.item = c.item AND r.role = c.role
  JOIN touch_events AS e ON e.touchpoint = r.touchpoint AND e.event = r.event AND e.case_id = c.case_id
    AND e.at_us = c.at_us
) AS firsts
WHERE rn = 1
"""


def _row_class_problems(p: _Project) -> str:
    """Answers and counted events of a metric judged per class whose row names no class
    of the touchpoint (none, or an unknown one), as a branch of touch_problems."""
    if not any(item.segment is not None for _, item in p.numbered("score", "nps", "count")):
        return ""
    return """
UNION ALL
SELECT CASE WHEN e.segment IS NULL THEN 'missing_segment' ELSE 'unknown_segment' END AS kind,
  MIN(r.item) AS item, e.src, e.src_row, e.case_id, e.touchpoint, e.event, e.at_us,
  CAST(NULL AS VARCHAR) AS at_text, e.value_text
FROM touch_events AS e
JOIN touch_roles AS r ON r.touchpoint = e.touchpoint AND r.event = e.event AND r.role IN ('answer', 'count')
  AND r.segment IS NOT NULL
CROSS JOIN touch_run AS n
LEFT JOIN touch_classes AS k ON k.touchpoint = e.touchpoint AND k.segment = e.segment
WHERE k.segment IS NULL AND e.at_us >= 0 AND e.at_us <= n.as_of_us
  AND (r.role = 'count' OR (e.case_id IS NOT NULL AND e.case_id <> ''))
GROUP BY e.segment, e.src, e.src_row, e.case_id, e.touchpoint, e.event, e.at_us, e.value_text"""


def _problem_rows(p: _Project) -> str:
    # One row per problem: a row (or case) that is a problem for two items counts once.
    return """
SELECT kind, MIN(item) AS item, src, src_row, case_id, touchpoint, event, at_us, at_text, value_text
FROM touch_problems
GROUP BY kind, src, src_row, case_id, touchpoint, event, at_us, at_text, value_text
"""


# The steps in the order they run (each reads only inputs and earlier steps). The
# per-case table comes first, and everything read from it early, so the engine can
# drop it soon (the engine drops each step's table after its last reader).
_STEPS: tuple[tuple[str, Callable[[_Project], str]], ...] = (
    ("touch_reach", _reach),
    ("touch_cases", _cases),
    ("touch_repair_cases", _repair_cases),
    ("touch_repairs", _repairs),
    ("touch_case_problems", _case_problems),
    ("touch_spans", _spans),
    ("touch_ratio_cases", _ratio_cases),
    ("touch_row_events", _row_events),
    ("touch_answers", _answers),
    ("touch_count_stretches", _count_stretches),
    ("touch_count_summary", _count_summary),
    ("touch_update_sent", _update_sent),
    ("touch_calendar_open", _calendar_open),
    ("touch_calendar_closings", _calendar_closings),
    ("touch_pause_marks", _pause_marks),
    ("touch_pause_stretches", _pause_stretches),
    ("touch_pauses", _pauses),
    ("touch_paused", _paused),
    ("touch_decisions", _decisions),
    ("touch_case_summary", _case_summary),
    ("touch_percentiles", _percentiles),
    ("touch_distribution", _distribution),
    ("touch_reach_times", _reach_times),
    ("touch_overdue", _overdue),
    ("touch_ratio_summary", _ratio_summary),
    ("touch_answer_summary", _answer_summary),
    ("touch_worst", _worst),
    ("touch_event_names", _event_names),
    ("touch_unknown_names", _unknown_names),
    ("touch_bad_rows", _bad_rows),
    ("touch_problems", _problems),
    ("touch_problem_rows", _problem_rows),
)


# Steps a project needs only when it has business-day items, pauses or classes: left out
# otherwise, so the measurement of every other project runs as before.
_WHEN: dict[str, Callable[[_Project], bool]] = {
    "touch_calendar_closings": lambda p: any(row[14] for row in p.rows),
    "touch_pause_marks": lambda p: any(p.paused(n) for n, _ in p.numbered("time")),
    "touch_pause_stretches": lambda p: any(p.paused(n) for n, _ in p.numbered("time")),
    "touch_pauses": lambda p: any(p.paused(n) for n, _ in p.numbered("time")),
    "touch_paused": lambda p: any(p.paused(n) for n, _ in p.numbered("time")),
}


def steps(items: Sequence[Item]) -> tuple[Step, ...]:
    """The measurement of `items` (plan.items_of, numbered in that order) as named steps."""
    project = _Project(items)
    return tuple(Step(name, write(project).strip()) for name, write in _STEPS
                 if name not in _WHEN or _WHEN[name](project))


def calendar_needs(items: Sequence[Item]) -> str:
    """The query the engine runs, once `touch_spans` exists, to know which calendars
    `touch_calendar` must hold and from when: (calendar, earliest start of a case
    measured in its business time). No row for a calendar no case needs."""
    branches = [f"SELECT {_literal(row[3])} AS calendar, MIN(start_us) AS from_us FROM touch_spans WHERE item = {number}"
                for number, row in ((n, item_row(n, item)) for n, item in enumerate(items))
                if row[2] == "time" and row[3] is not None]
    if not branches:
        return _nothing("CAST(NULL AS VARCHAR) AS calendar, CAST(NULL AS BIGINT) AS from_us")
    return ("SELECT calendar, MIN(from_us) AS from_us FROM (\n" + "\nUNION ALL\n".join(branches)
            + "\n) AS needs WHERE from_us IS NOT NULL GROUP BY calendar ORDER BY calendar")


# What the engine reads back, all small: one row per item and period, or per problem.
RESULTS: dict[str, str] = {
    "cases": """
SELECT s.item, s.period, s.promise_decided, s.promise_good, s.target_decided, s.target_good,
  s.open_cases, s.overdue_cases, s.finished, q.p50_us, q.p90_us, q.p95_us
FROM touch_case_summary AS s
LEFT JOIN touch_percentiles AS q ON q.item = s.item AND q.period = s.period
ORDER BY s.item, s.period""",
    "ratios": "SELECT item, period, cases, matching FROM touch_ratio_summary ORDER BY item, period",
    "answers": """
SELECT item, period, answers, total, promise_good, target_good, promoters, detractors
FROM touch_answer_summary ORDER BY item, period""",
    "counts": "SELECT item, period, total, worst, worst_stretch FROM touch_count_summary ORDER BY item, period",
    "worst": "SELECT item, period, case_id, value, at_us, still_open FROM touch_worst ORDER BY item, period, rn",
    "distribution": "SELECT item, period, bin, cases FROM touch_distribution ORDER BY item, period, bin",
    "reach": "SELECT item, period, role, reach_us, open_upto FROM touch_reach_times ORDER BY item, period, role",
    "overdue": """
SELECT item, case_id, start_us, value_us, late_us, overdue FROM touch_overdue
ORDER BY item, late_us, case_id""",
    "problem_counts": """
SELECT kind, COUNT(*) AS n FROM touch_problem_rows GROUP BY kind ORDER BY kind""",
    "problem_items": """
SELECT kind, item, COUNT(*) AS n FROM touch_problems WHERE item IS NOT NULL
GROUP BY kind, item ORDER BY kind, item""",
    "problem_examples": f"""
SELECT kind, item, src, src_row, case_id, touchpoint, event, at_us, at_text, value_text
FROM (
  SELECT kind, item, src, src_row, case_id, touchpoint, event, at_us, at_text, value_text,
    ROW_NUMBER() OVER (PARTITION BY kind ORDER BY src, src_row, case_id, item) AS rn
  FROM touch_problem_rows
) AS numbered
WHERE rn <= {EXAMPLES}
ORDER BY kind, rn""",
}
