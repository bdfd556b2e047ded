"""The live series: the measurement's per-case tables read as the counters and gauges
of the instrumentation contract (`touchdsl.slo.contract`), as of the run's "now".

`touchdsl serve` runs the measurement of `touchdsl.measure.sql` over the whole event
log (one period from 1970 to now), so every case is decided exactly as `measure`
decides it — business time, the moments the promise's and the target's limits pass,
silences between updates — and then reads these queries instead of the report's.
Each counter is the total over the whole log up to now: the same log read again gives
the same numbers, so the counters survive a restart of `serve` (Prometheus sees them
carry on) and only grow while the log grows.

- `durations`: finished cases of each time item per bucket boundary (cumulative, as a
  histogram counts: elapsed time, in business time on a calendar, at most the bound);
- `times`: per time item, cases finished and their total elapsed time; cases whose time
  passed the promise's and the target's limits (open or not: counted the moment the
  limit passes); cases open now, and of them those past each limit;
- `ratios`: per ratio item, the cases of the population and of the share;
- `answers`: per answer item and whole answer, the valid answers; `uneven`, answers on the
  scale that are not whole numbers (no answer series holds them);
- `counts`: per count item, the events;
- `updates`: per updates item, the cases open now whose last update (or opening) is older
  than the promised interval.

No row of the event log passes through Python: each query returns a few rows per item.
"""

from __future__ import annotations

from typing import Final

__all__ = ["INPUTS", "QUERIES"]

# Inputs the queries read besides the measurement's own tables.
INPUTS: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    # The histogram's bucket boundaries of each time item, in microseconds.
    "touch_live_buckets": (("item", "INTEGER"), ("le_us", "BIGINT")),
}

QUERIES: Final[dict[str, str]] = {
    "durations": """
SELECT b.item, b.le_us,
  SUM(CASE WHEN d.end_us IS NOT NULL AND d.value_us <= b.le_us THEN 1 ELSE 0 END) AS cases
FROM touch_live_buckets AS b
LEFT JOIN touch_decisions AS d ON d.item = b.item
GROUP BY b.item, b.le_us
ORDER BY b.item, b.le_us""",
    "times": """
SELECT d.item,
  SUM(CASE WHEN d.end_us IS NOT NULL THEN 1 ELSE 0 END) AS finished,
  SUM(CASE WHEN d.end_us IS NOT NULL THEN d.value_us ELSE 0 END) AS finished_us,
  SUM(CASE WHEN d.promise_met = 0 THEN 1 ELSE 0 END) AS late_promise,
  SUM(CASE WHEN d.target_met = 0 THEN 1 ELSE 0 END) AS late_target,
  SUM(CASE WHEN d.end_us IS NULL THEN 1 ELSE 0 END) AS open_cases,
  SUM(CASE WHEN d.end_us IS NULL AND d.promise_met = 0 THEN 1 ELSE 0 END) AS overdue_promise,
  SUM(CASE WHEN d.end_us IS NULL AND d.target_met = 0 THEN 1 ELSE 0 END) AS overdue_target
FROM touch_decisions AS d
JOIN touch_items AS i ON i.item = d.item AND i.kind = 'time'
GROUP BY d.item
ORDER BY d.item""",
    "ratios": """
SELECT item, COUNT(*) AS population, SUM(CASE WHEN num_at IS NOT NULL THEN 1 ELSE 0 END) AS share
FROM touch_ratio_cases
GROUP BY item
ORDER BY item""",
    "answers": """
SELECT item, CAST(value AS BIGINT) AS answer, COUNT(*) AS answers
FROM touch_answers
WHERE valid = 1 AND value = FLOOR(value)
GROUP BY item, CAST(value AS BIGINT)
ORDER BY item, answer""",
    "uneven": """
SELECT COUNT(*) AS answers FROM touch_answers WHERE valid = 1 AND value <> FLOOR(value)""",
    "counts": """
SELECT item, COUNT(*) AS events
FROM touch_row_events
WHERE role = 'count'
GROUP BY item
ORDER BY item""",
    "updates": """
SELECT u.item, SUM(CASE WHEN u.end_us IS NULL AND u.stop_us - COALESCE(u.last_us, u.start_us) > u.every_us
                        THEN 1 ELSE 0 END) AS overdue
FROM (
  SELECT item, case_id, MIN(start_us) AS start_us, MIN(end_us) AS end_us, MIN(stop_us) AS stop_us,
    MIN(every_us) AS every_us, MAX(at_us) AS last_us
  FROM touch_update_sent
  GROUP BY item, case_id
) AS u
GROUP BY u.item
ORDER BY u.item""",
    # Every kind of problem the measurement found, for serve's own series.
    "problem_counts": """
SELECT kind, COUNT(*) AS n FROM touch_problem_rows GROUP BY kind ORDER BY kind""",
}
