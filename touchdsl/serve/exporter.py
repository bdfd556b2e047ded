"""What `/metrics` answers: the latest reading of the log, and serve's own series.

Serve's own series say whether the reading can be trusted:

- `touchdsl_serve_rows` — rows of the event log at the last reading;
- `touchdsl_serve_bad_rows{kind}` — rows of the log with a problem (an unreadable
  timestamp, an unknown touchpoint or event, an answer outside the scale, an end before
  its start, an event in the future …: the kinds of `touchdsl measure`'s data quality,
  and `answer_not_whole`), every kind present from the start at 0;
- `touchdsl_serve_readings_total{outcome="ok"|"error"}` — readings done, and failed;
- `touchdsl_serve_last_reading_timestamp_seconds`, `touchdsl_serve_reading_seconds` —
  when the last good reading was made and how long it took;
- `touchdsl_serve_up` — 1 while the last reading succeeded, else 0.

A failed reading (a file that vanished, a `.sql` view that no longer runs) keeps the
last good one on `/metrics`: Prometheus sees the counters carry on rather than vanish.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from touchdsl.counting import counted
from touchdsl.serve.snapshot import Snapshot

__all__ = ["Exporter", "PROBLEM_KINDS"]

# Every kind of bad row (touchdsl measure's data quality, and serve's own).
PROBLEM_KINDS: tuple[str, ...] = (
    "after_as_of", "answer_not_whole", "answer_outside_scale", "duplicate_start", "end_before_start",
    "end_without_start", "missing_case", "numerator_without_denominator", "timestamp_before_1970",
    "unknown_event", "unknown_touchpoint", "unreadable_timestamp", "unreadable_value",
)


class Exporter:
    """A prometheus_client collector of the latest good reading (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._ok = 0
        self._errors = 0
        self._last_error: str | None = None

    def update(self, snapshot: Snapshot) -> None:
        with self._lock:
            self._snapshot = snapshot
            self._ok += 1
            self._last_error = None

    def failed(self, reason: str) -> None:
        with self._lock:
            self._errors += 1
            self._last_error = reason

    def health(self) -> tuple[bool, str]:
        """(healthy, why): healthy once a reading succeeded and while the last one did."""
        with self._lock:
            if self._last_error is not None:
                return False, f"the last reading of the event log failed: {self._last_error}"
            if self._snapshot is None:
                return False, "starting: the event log has not been read yet"
            snapshot = self._snapshot
        return True, (f"ok: {counted(snapshot.rows, 'row')} read as of {snapshot.as_of.isoformat(timespec='seconds')}, "
                      f"{snapshot.series} series")

    def collect(self) -> Iterator[Metric]:
        with self._lock:
            snapshot, ok, errors, last_error = self._snapshot, self._ok, self._errors, self._last_error
        if snapshot is not None:
            yield from snapshot.families
        readings = CounterMetricFamily("touchdsl_serve_readings", "Readings of the event log, by outcome.",
                                       labels=["outcome"])
        readings.add_metric(["ok"], ok)
        readings.add_metric(["error"], errors)
        yield readings
        up = GaugeMetricFamily("touchdsl_serve_up", "1 while the last reading of the event log succeeded.")
        up.add_metric([], 1 if snapshot is not None and last_error is None else 0)
        yield up
        if snapshot is None:
            return
        rows = GaugeMetricFamily("touchdsl_serve_rows", "Rows of the event log at the last reading.")
        rows.add_metric([], snapshot.rows)
        yield rows
        bad = GaugeMetricFamily("touchdsl_serve_bad_rows", "Rows of the event log with a problem, by kind.",
                                labels=["kind"])
        for kind in sorted(set(PROBLEM_KINDS) | set(snapshot.problems)):
            bad.add_metric([kind], snapshot.problems.get(kind, 0))
        yield bad
        when = GaugeMetricFamily("touchdsl_serve_last_reading_timestamp_seconds",
                                 "When the last good reading was made (its as-of moment), Unix time.")
        when.add_metric([], snapshot.as_of.timestamp())
        yield when
        took = GaugeMetricFamily("touchdsl_serve_reading_seconds", "How long the last good reading took.")
        took.add_metric([], snapshot.seconds)
        yield took
