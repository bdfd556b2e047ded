"""The measurement in SQL: the one source every engine runs.

Written in DuckDB's dialect restricted to portable constructs (joins, CASE, GROUP BY,
window functions, integer arithmetic on epoch microseconds) so `sqlglot` can render it
for Spark, Trino, BigQuery, Snowflake or Postgres: no engine-specific function, no
time-zone arithmetic, no range join on a large table. The tests parse every statement
with sqlglot, render it for each dialect, and run the DuckDB rendering back through
the measurement to check that it gives the same figures.

The measurement is a sequence of named steps (`STEPS`), each a SELECT over the inputs
and the earlier steps; an engine materialises each step as a table (DuckDB: a
temporary table) or a view, then reads the result queries (`RESULTS`). Its inputs are
small tables that the engine fills from the model and the run (see `INPUTS`), and
`touch_events`, the event log in the normalised form `touchdsl.measure.sources` reads.

Instants are epoch microseconds (BIGINT, UTC); durations are microseconds. An item is
one thing judged, a metric or a touchpoint's `updates` promise, numbered in the run
(`touch_items`): integer keys keep the joins and groupings on (item, case) cheap.

Business time: `touch_calendar` tiles each calendar's timeline into open and closed
segments, each inside one UTC day (see `touchdsl.measure.calendar_table`). An instant
finds its segment by the equality join (calendar, utc_day) and a filter inside the
day; its business position is `before_us` plus the open part of the segment before
it, and elapsed business time is the difference of two positions. The inverse (the
moment a deadline passes) joins `touch_calendar_open`, the open segments keyed by
business day number (business microseconds // one day), again by equality.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Step", "INPUTS", "STEPS", "RESULTS", "DAY_US", "WORST"]

DAY_US = 86_400_000_000
WORST = 5  # case ids listed per item and period

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
    ),
    # Which events play which role for an item: start/end (time; updates: open/close),
    # num/den (ratio), answer (score, nps), count, update.
    "touch_roles": (("touchpoint", "VARCHAR"), ("event", "VARCHAR"), ("item", "INTEGER"), ("role", "VARCHAR")),
    # Every event name a touchpoint knows: its steps' start and end, the moments its
    # metrics use, its answers, ratio and count events, and `update`.
    "touch_vocabulary": (("touchpoint", "VARCHAR"), ("event", "VARCHAR")),
    "touch_periods": (("item", "INTEGER"), ("period", "INTEGER"), ("from_us", "BIGINT"), ("to_us", "BIGINT")),
    # See touchdsl.measure.calendar_table.
    "touch_calendar": (
        ("calendar", "VARCHAR"), ("utc_day", "BIGINT"), ("local_day", "DATE"), ("from_us", "BIGINT"),
        ("to_us", "BIGINT"), ("is_open", "BOOLEAN"), ("before_us", "BIGINT"),
    ),
}


@dataclass(frozen=True)
class Step:
    name: str
    sql: str


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


def _bad(kind: str) -> str:
    """The rows of touch_bad_rows flagged with `kind`, as rows of touch_problems."""
    return (f"SELECT '{kind}' AS kind, CAST(NULL AS INTEGER) AS item, src, src_row, case_id, touchpoint, event, "
            f"at_us, at_text, value_text FROM touch_bad_rows WHERE {kind} = 1")


def _in(instant: str, period: str = "p") -> str:
    return f"{instant} >= {period}.from_us AND {instant} < {period}.to_us"


_STEPS: list[tuple[str, str]] = [
    # The events that play a role, inside the run's time (at or before as-of).
    ("touch_tagged", """
SELECT r.item, r.role, e.case_id, e.at_us, e.value
FROM touch_events AS e
JOIN touch_roles AS r ON r.touchpoint = e.touchpoint AND r.event = e.event
CROSS JOIN touch_run AS n
WHERE e.at_us IS NOT NULL AND e.at_us >= 0 AND e.at_us <= n.as_of_us
  AND (r.role = 'count' OR (e.case_id IS NOT NULL AND e.case_id <> ''))
"""),
    # Open segments keyed by business day: an open segment is at most one day long, so
    # it lies in at most two business days.
    ("touch_calendar_open", f"""
SELECT calendar, {_day('before_us')} AS bucket, from_us, before_us, to_us - from_us AS len_us
FROM touch_calendar
WHERE is_open
UNION ALL
SELECT calendar, {_day('before_us + to_us - from_us - 1')} AS bucket, from_us, before_us, to_us - from_us AS len_us
FROM touch_calendar
WHERE is_open AND {_day('before_us + to_us - from_us - 1')} <> {_day('before_us')}
"""),
    # Cases with a start and an end: time metrics (start -> end) and updates (open -> close).
    ("touch_span_cases", """
SELECT item, case_id,
  MIN(CASE WHEN role = 'start' THEN at_us END) AS start_us,
  MAX(CASE WHEN role = 'start' THEN at_us END) AS last_start_us,
  SUM(CASE WHEN role = 'start' THEN 1 ELSE 0 END) AS starts,
  MIN(CASE WHEN role = 'end' THEN at_us END) AS first_end_us,
  MAX(CASE WHEN role = 'end' THEN at_us END) AS last_end_us
FROM touch_tagged
WHERE role IN ('start', 'end')
GROUP BY item, case_id
"""),
    # The first end after the start, for the few cases that also have an end before it.
    ("touch_span_late_ends", """
SELECT c.item, c.case_id, MIN(t.at_us) AS end_us
FROM touch_span_cases AS c
JOIN touch_tagged AS t ON t.item = c.item AND t.case_id = c.case_id AND t.role = 'end'
WHERE c.first_end_us < c.start_us AND c.last_end_us >= c.start_us AND t.at_us >= c.start_us
GROUP BY c.item, c.case_id
"""),
    ("touch_spans", """
SELECT c.item, c.case_id, i.kind, i.calendar, i.promise_us, i.target_us, c.start_us,
  CASE WHEN c.first_end_us >= c.start_us THEN c.first_end_us ELSE l.end_us END AS end_us,
  COALESCE(CASE WHEN c.first_end_us >= c.start_us THEN c.first_end_us ELSE l.end_us END, n.as_of_us) AS stop_us
FROM touch_span_cases AS c
JOIN touch_items AS i ON i.item = c.item
CROSS JOIN touch_run AS n
LEFT JOIN touch_span_late_ends AS l ON l.item = c.item AND l.case_id = c.case_id
WHERE c.start_us IS NOT NULL
"""),
    # Ratio: per case, the first denominator and numerator events.
    ("touch_ratio_cases", """
SELECT item, case_id,
  MIN(CASE WHEN role = 'den' THEN at_us END) AS den_at,
  MIN(CASE WHEN role = 'num' THEN at_us END) AS num_at
FROM touch_tagged
WHERE role IN ('num', 'den')
GROUP BY item, case_id
"""),
    # Survey answers, each checked against the item's scale.
    ("touch_answers", """
SELECT t.item, t.case_id, t.at_us, t.value,
  CASE WHEN t.value IS NOT NULL AND t.value >= i.low AND t.value <= i.high
            AND (NOT i.whole OR t.value = FLOOR(t.value)) THEN 1 ELSE 0 END AS valid,
  i.promise_least, i.target_least
FROM touch_tagged AS t
JOIN touch_items AS i ON i.item = t.item
WHERE t.role = 'answer'
"""),
    # Count: events per stretch of the limit's length, counted back from the period's end
    # (stretch 0 is the last `per` before the end; the oldest may be shorter).
    ("touch_count_stretches", f"""
SELECT p.item, p.period, CAST(FLOOR((p.to_us - 1 - t.at_us) / i.per_us) AS BIGINT) AS stretch, COUNT(*) AS events
FROM touch_periods AS p
JOIN touch_items AS i ON i.item = p.item
JOIN touch_tagged AS t ON t.item = p.item AND t.role = 'count' AND {_in('t.at_us')}
GROUP BY p.item, p.period, CAST(FLOOR((p.to_us - 1 - t.at_us) / i.per_us) AS BIGINT)
"""),
    # Updates: the moments of a case (open, each update while open, close or as-of) ...
    ("touch_update_marks", """
SELECT s.item, s.case_id, s.start_us AS at_us
FROM touch_spans AS s
WHERE s.kind = 'updates'
UNION ALL
SELECT s.item, s.case_id, t.at_us
FROM touch_spans AS s
JOIN touch_tagged AS t ON t.item = s.item AND t.case_id = s.case_id AND t.role = 'update'
WHERE s.kind = 'updates' AND t.at_us > s.start_us AND t.at_us < s.stop_us
UNION ALL
SELECT s.item, s.case_id, s.stop_us AS at_us
FROM touch_spans AS s
WHERE s.kind = 'updates'
"""),
    # Business positions of each time case's start and stop (end, or as-of while open).
    ("touch_positions", f"""
SELECT s.item, s.case_id,
  {_position('a', 's.start_us')} AS start_pos,
  {_position('b', 's.stop_us')} AS stop_pos
FROM touch_spans AS s
JOIN touch_calendar AS a ON {_segment_of('a', 's.calendar', 's.start_us')}
JOIN touch_calendar AS b ON {_segment_of('b', 's.calendar', 's.stop_us')}
WHERE s.kind = 'time' AND s.calendar IS NOT NULL
"""),
    # Elapsed time and the moments the promise's and the target's limits pass.
    ("touch_time_cases", f"""
SELECT s.item, s.case_id, s.start_us, s.end_us, s.promise_us, s.target_us,
  CASE WHEN s.calendar IS NULL THEN s.stop_us - s.start_us ELSE p.stop_pos - p.start_pos END AS value_us,
  CASE WHEN s.calendar IS NULL THEN s.start_us + s.promise_us
       ELSE dp.from_us + (p.start_pos + s.promise_us - dp.before_us) END AS promise_late_us,
  CASE WHEN s.calendar IS NULL THEN s.start_us + s.target_us
       ELSE dt.from_us + (p.start_pos + s.target_us - dt.before_us) END AS target_late_us
FROM touch_spans AS s
LEFT JOIN touch_positions AS p ON p.item = s.item AND p.case_id = s.case_id
LEFT JOIN touch_calendar_open AS dp ON {_passing('dp', 's.calendar', 'p.start_pos + s.promise_us')}
LEFT JOIN touch_calendar_open AS dt ON {_passing('dt', 's.calendar', 'p.start_pos + s.target_us')}
WHERE s.kind = 'time'
"""),
    # ... the silences between them ...
    ("touch_update_gaps", """
SELECT item, case_id,
  LAG(at_us) OVER (PARTITION BY item, case_id ORDER BY at_us) AS prev_us,
  at_us - LAG(at_us) OVER (PARTITION BY item, case_id ORDER BY at_us) AS gap_us
FROM touch_update_marks
"""),
    # ... the longest silence, and the moment the first too-long one became too long.
    ("touch_update_cases", """
SELECT s.item, s.case_id, s.start_us, s.end_us, s.promise_us, s.target_us,
  MAX(g.gap_us) AS value_us,
  MIN(CASE WHEN g.gap_us > s.promise_us THEN g.prev_us + s.promise_us END) AS promise_late_us
FROM touch_spans AS s
JOIN touch_update_gaps AS g ON g.item = s.item AND g.case_id = s.case_id
WHERE s.kind = 'updates'
GROUP BY s.item, s.case_id, s.start_us, s.end_us, s.promise_us, s.target_us
"""),
    # One row per case of a time or updates item: when its outcome became known for the
    # promise and the target, and whether it was met. A case is met at its end when it
    # ended within the limit; missed when the limit passed (at that moment, ended or
    # not); otherwise it is still open and not yet due.
    ("touch_decisions", """
SELECT item, case_id, start_us, end_us, value_us, promise_late_us,
  CASE WHEN value_us > promise_us THEN promise_late_us WHEN end_us IS NOT NULL THEN end_us END AS promise_at,
  CASE WHEN value_us > promise_us THEN 0 ELSE 1 END AS promise_met,
  CASE WHEN value_us > target_us THEN target_late_us WHEN end_us IS NOT NULL THEN end_us END AS target_at,
  CASE WHEN value_us > target_us THEN 0 ELSE 1 END AS target_met
FROM touch_time_cases
UNION ALL
SELECT item, case_id, start_us, end_us, value_us, promise_late_us,
  CASE WHEN value_us > promise_us THEN promise_late_us WHEN end_us IS NOT NULL THEN end_us END AS promise_at,
  CASE WHEN value_us > promise_us THEN 0 ELSE 1 END AS promise_met,
  CASE WHEN value_us > target_us THEN promise_late_us WHEN end_us IS NOT NULL THEN end_us END AS target_at,
  CASE WHEN value_us > target_us THEN 0 ELSE 1 END AS target_met
FROM touch_update_cases
"""),
    # Per item and period: cases decided and met for the promise and the target, cases
    # still open at the period's end (x = to_us - 1), and those of them already overdue.
    ("touch_case_summary", f"""
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
"""),
    # Finished cases of each period ranked by their value (elapsed, or longest silence).
    ("touch_finished_ranked", f"""
SELECT p.item, p.period, d.value_us,
  ROW_NUMBER() OVER (PARTITION BY p.item, p.period ORDER BY d.value_us, d.case_id) AS rn,
  COUNT(*) OVER (PARTITION BY p.item, p.period) AS n
FROM touch_periods AS p
JOIN touch_decisions AS d ON d.item = p.item AND {_in('d.end_us')}
"""),
    # Nearest-rank percentiles: the value of rank ceil(P * n / 100), exact in any engine.
    ("touch_percentiles", """
SELECT item, period,
  MIN(CASE WHEN rn = CAST(CEIL(CAST(50 * n AS DOUBLE) / 100) AS BIGINT) THEN value_us END) AS p50_us,
  MIN(CASE WHEN rn = CAST(CEIL(CAST(90 * n AS DOUBLE) / 100) AS BIGINT) THEN value_us END) AS p90_us,
  MIN(CASE WHEN rn = CAST(CEIL(CAST(95 * n AS DOUBLE) / 100) AS BIGINT) THEN value_us END) AS p95_us
FROM touch_finished_ranked
GROUP BY item, period
"""),
    # A ratio case belongs to the period of its first denominator event (of its
    # numerator event when the denominator event is missing: X implies Y).
    ("touch_ratio_summary", f"""
SELECT p.item, p.period,
  COUNT(*) AS cases,
  SUM(CASE WHEN c.num_at IS NOT NULL THEN 1 ELSE 0 END) AS matching
FROM touch_periods AS p
JOIN touch_ratio_cases AS c ON c.item = p.item AND {_in('COALESCE(c.den_at, c.num_at)')}
GROUP BY p.item, p.period
"""),
    ("touch_answer_summary", f"""
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
"""),
    ("touch_count_summary", """
SELECT item, period, total, events AS worst, stretch AS worst_stretch
FROM (
  SELECT item, period, events, stretch,
    SUM(events) OVER (PARTITION BY item, period) AS total,
    ROW_NUMBER() OVER (PARTITION BY item, period ORDER BY events DESC, stretch) AS rn
  FROM touch_count_stretches
) AS ranked
WHERE rn = 1
"""),
    # The worst cases of each item and period: the slowest decided cases (time), the
    # longest silences (updates), the lowest answers (score, nps), the latest cases with
    # the bad outcome (ratio).
    ("touch_worst", f"""
SELECT item, period, case_id, value, at_us, still_open, rn
FROM (
  SELECT p.item, p.period, d.case_id, CAST(d.value_us AS DOUBLE) / 1000000 AS value, d.promise_at AS at_us,
    CASE WHEN d.end_us IS NULL THEN 1 ELSE 0 END AS still_open,
    ROW_NUMBER() OVER (PARTITION BY p.item, p.period ORDER BY d.value_us DESC, d.case_id) AS rn
  FROM touch_periods AS p
  JOIN touch_decisions AS d ON d.item = p.item AND {_in('d.promise_at')}
  UNION ALL
  SELECT p.item, p.period, a.case_id, a.value, a.at_us, 0 AS still_open,
    ROW_NUMBER() OVER (PARTITION BY p.item, p.period ORDER BY a.value, a.at_us DESC, a.case_id) AS rn
  FROM touch_periods AS p
  JOIN touch_answers AS a ON a.item = p.item AND a.valid = 1 AND {_in('a.at_us')}
  UNION ALL
  SELECT p.item, p.period, c.case_id, CAST(NULL AS DOUBLE) AS value, COALESCE(c.den_at, c.num_at) AS at_us,
    0 AS still_open,
    ROW_NUMBER() OVER (PARTITION BY p.item, p.period ORDER BY COALESCE(c.den_at, c.num_at) DESC, c.case_id) AS rn
  FROM touch_periods AS p
  JOIN touch_items AS i ON i.item = p.item
  JOIN touch_ratio_cases AS c ON c.item = p.item AND {_in('COALESCE(c.den_at, c.num_at)')}
  WHERE (c.num_at IS NOT NULL) = i.bad_is_num
) AS ranked
WHERE rn <= {WORST}
"""),
    # Data quality. One scan of the log keeps the rows with any problem of their own,
    # with a flag per problem (the rest of the checks read this small table).
    ("touch_bad_rows", """
SELECT e.src, e.src_row, e.case_id, e.touchpoint, e.event, e.at_us, e.at_text, e.value_text,
  CASE WHEN e.at_us IS NULL THEN 1 ELSE 0 END AS unreadable_timestamp,
  CASE WHEN e.at_us < 0 THEN 1 ELSE 0 END AS timestamp_before_1970,
  CASE WHEN e.at_us > n.as_of_us THEN 1 ELSE 0 END AS after_as_of,
  CASE WHEN v.event IS NULL AND k.touchpoint IS NULL THEN 1 ELSE 0 END AS unknown_touchpoint,
  CASE WHEN v.event IS NULL AND k.touchpoint IS NOT NULL THEN 1 ELSE 0 END AS unknown_event,
  CASE WHEN c.event IS NOT NULL AND (e.case_id IS NULL OR e.case_id = '') THEN 1 ELSE 0 END AS missing_case,
  CASE WHEN e.value_text IS NOT NULL THEN 1 ELSE 0 END AS unreadable_value
FROM touch_events AS e
CROSS JOIN touch_run AS n
LEFT JOIN touch_vocabulary AS v ON v.touchpoint = e.touchpoint AND v.event = e.event
LEFT JOIN (SELECT DISTINCT touchpoint FROM touch_vocabulary) AS k ON k.touchpoint = e.touchpoint
LEFT JOIN (SELECT DISTINCT touchpoint, event FROM touch_roles WHERE role <> 'count') AS c
  ON c.touchpoint = e.touchpoint AND c.event = e.event
WHERE e.at_us IS NULL OR e.at_us < 0 OR e.at_us > n.as_of_us OR v.event IS NULL
   OR (c.event IS NOT NULL AND (e.case_id IS NULL OR e.case_id = '')) OR e.value_text IS NOT NULL
"""),
    # Cases whose events contradict each other, with the event to show as an example.
    ("touch_case_problems", """
SELECT 'duplicate_start' AS kind, item, case_id, 'start' AS role, last_start_us AS at_us
FROM touch_span_cases WHERE starts > 1
UNION ALL
SELECT 'end_before_start' AS kind, item, case_id, 'end' AS role, first_end_us AS at_us
FROM touch_span_cases WHERE first_end_us < start_us
UNION ALL
SELECT 'end_without_start' AS kind, item, case_id, 'end' AS role, first_end_us AS at_us
FROM touch_span_cases WHERE start_us IS NULL
UNION ALL
SELECT 'numerator_without_denominator' AS kind, item, case_id, 'num' AS role, num_at AS at_us
FROM touch_ratio_cases WHERE den_at IS NULL
"""),
    # Every problem, one row per bad row (or per contradicting case, with its first
    # offending row).
    ("touch_problems", f"""
{_bad("unreadable_timestamp")}
UNION ALL
{_bad("timestamp_before_1970")}
UNION ALL
{_bad("after_as_of")}
UNION ALL
{_bad("unknown_touchpoint")}
UNION ALL
{_bad("unknown_event")}
UNION ALL
{_bad("missing_case")}
UNION ALL
{_bad("unreadable_value")}
UNION ALL
SELECT 'answer_outside_scale' AS kind, a.item, e.src, e.src_row, a.case_id,
  r.touchpoint, r.event, a.at_us, CAST(NULL AS VARCHAR) AS at_text,
  COALESCE(e.value_text, CAST(a.value AS VARCHAR)) AS value_text
FROM touch_answers AS a
JOIN touch_roles AS r ON r.item = a.item AND r.role = 'answer'
JOIN touch_events AS e ON e.touchpoint = r.touchpoint AND e.event = r.event AND e.case_id = a.case_id
  AND e.at_us = a.at_us AND (e.value = a.value OR (e.value IS NULL AND a.value IS NULL))
WHERE a.valid = 0
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
"""),
]

_STEPS.append(
    # One row per problem: a row (or case) that is a problem for two items counts once.
    ("touch_problem_rows", """
SELECT kind, MIN(item) AS item, src, src_row, case_id, touchpoint, event, at_us, at_text, value_text
FROM touch_problems
GROUP BY kind, src, src_row, case_id, touchpoint, event, at_us, at_text, value_text
"""))

STEPS: tuple[Step, ...] = tuple(Step(name, sql.strip()) for name, sql in _STEPS)

EXAMPLES = 3  # examples listed per kind of problem

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
