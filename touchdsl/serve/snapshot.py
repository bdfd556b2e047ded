"""One reading of the event log as the series the generated rules read.

`read(project, source, now)` measures the whole log up to `now` with the measure
engine (`touchdsl.measure.live`) and turns its few rows per item into the metric
families of the instrumentation contract (`touchdsl.slo.contract`): for every
metric on the default series and every touchpoint with `updates`, exactly the
series the contract lists, with exactly its labels — each one present from the
first reading, at 0 when nothing happened yet (the contract's "initialise every
series"). Metrics with `source prometheus` read their owners' series: nothing is
emitted for them.

The measure engine decides every case, so the series follow the language as
`measure` does: business time and business days (`touch_business_days`, in days),
pauses taken out of a case's time (an open case's age too), a metric judged per
class read once per class (its series labelled `segment`), an internal metric's
series of the target alone. A family whose series differ in labels (`segment` on
some metrics only) lists every label, empty where a series has none: Prometheus
reads an empty label as no label, so each series is exactly the contract's.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any, Mapping

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.core import Metric as Family

from touchdsl.measure import live
from touchdsl.measure.engine import Request, execute
from touchdsl.measure.periods import Span
from touchdsl.measure.plan import items_of
from touchdsl.model import (
    CountMetric,
    Metric,
    NpsMetric,
    Project,
    RatioMetric,
    ScoreMetric,
    TimeMetric,
    metric_key,
    unknown_kind,
)
from touchdsl.slo import tiers
from touchdsl.slo.contract import (
    ANSWERS_SERIES,
    BUSINESS_DAYS_SERIES,
    DURATION_SERIES,
    EVENTS_SERIES,
    LATE_SERIES,
    MetricContract,
    OPEN_SERIES,
    OVERDUE_SERIES,
    UPDATES_OVERDUE_SERIES,
    Series,
    go_float,
    histogram,
    metric_contract,
    updates_series,
)

__all__ = ["Source", "Snapshot", "read"]

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
# The measure engine's unit of a case's time: microseconds, or millionths of a business
# day (touchdsl.measure.plan.DAY_UNITS) — a histogram's boundary in its unit times this.
_US = 1_000_000

# One line of help per family (Prometheus keeps one per name); CONTRACT.md and the
# policy say per metric what each series counts.
HELP: Mapping[str, str] = {
    DURATION_SERIES: "Finished cases by elapsed time in seconds (business time on a calendar), per touchdsl.",
    BUSINESS_DAYS_SERIES: "Finished cases by the business days they took (closings passed), per touchdsl.",
    LATE_SERIES: "Cases whose time passed the objective's limit, counted the moment it passed.",
    OPEN_SERIES: "Cases open now.",
    OVERDUE_SERIES: "Cases open now whose time already passed the objective's limit.",
    EVENTS_SERIES: "Cases (ratios) or events (counts) as the touchdsl contract counts them.",
    ANSWERS_SERIES: "Survey answers, by the whole number answered.",
    UPDATES_OVERDUE_SERIES: "Cases open now waiting longer than promised for an update.",
}


@dataclass(frozen=True)
class Source:
    """The event log, as `touchdsl measure` reads it."""

    events: tuple[str, ...]
    mapping: dict[str, str] = field(default_factory=dict)
    timezone: str | None = None


@dataclass(frozen=True)
class Snapshot:
    """The series of one reading, and what the reading found."""

    families: list[Family]
    rows: int
    sources: tuple[str, ...]
    problems: dict[str, int]  # kind of bad row -> rows
    as_of: dt.datetime
    seconds: float  # how long the reading took
    series: int  # how many series the families hold


def read(project: Project, source: Source, now: dt.datetime) -> Snapshot:
    """Measure the whole log up to `now` and read it as the contract's series. Raises
    `touchdsl.measure.MeasureError` when the log cannot be read (a missing file or
    column, naive timestamps without a time zone)."""
    started = time.perf_counter()
    number = {item.key: k for k, item in enumerate(items_of(project))}
    buckets: list[tuple[int, int]] = []
    contracts: dict[str, MetricContract] = {}
    for touchpoint in project.touchpoints.values():
        for metric in touchpoint.metrics:
            contract = metric_contract(project, touchpoint, metric)
            if contract.overridden:
                continue
            key = f"{touchpoint.id}.{metric_key(metric)}"
            contracts[key] = contract
            for series in contract.series:
                buckets += [(number[key], round(b * _US)) for b in series.buckets]
    request = Request(events=source.events, mapping=dict(source.mapping), timezone=source.timezone,
                      span=Span(start=EPOCH), as_of=now)
    raw = execute(project, request, now=now, results=live.QUERIES,
                  inputs={"touch_live_buckets": (live.INPUTS["touch_live_buckets"], sorted(set(buckets)))})
    found = _Found(raw.results)
    builder = _Families()
    for touchpoint in project.touchpoints.values():
        for metric in touchpoint.metrics:
            key = f"{touchpoint.id}.{metric_key(metric)}"
            chosen = contracts.get(key)
            if chosen is None:
                continue
            for series in chosen.series:
                _emit(builder, metric, series, number[key], found)
        if touchpoint.updates is not None:
            item_or_none = number.get(f"{touchpoint.id}.updates")
            for series in updates_series(touchpoint):
                overdue = found.updates.get(item_or_none, 0) if item_or_none is not None else 0
                builder.gauge(series, overdue)
    problems = {str(kind): int(n) for kind, n in raw.results["problem_counts"]}
    uneven = int(raw.results["uneven"][0][0] or 0) if raw.results["uneven"] else 0
    if uneven:
        problems["answer_not_whole"] = uneven
    return Snapshot(builder.done(), raw.rows, tuple(raw.sources), problems, now,
                    time.perf_counter() - started, builder.count)


class _Found:
    """The live queries' rows, by item."""

    def __init__(self, results: Mapping[str, list[tuple[Any, ...]]]) -> None:
        self.durations = {(int(i), int(le)): int(n or 0) for i, le, n in results["durations"]}
        self.times = {int(row[0]): tuple(int(v or 0) for v in row[1:]) for row in results["times"]}
        self.ratios = {int(i): (int(pop or 0), int(share or 0)) for i, pop, share in results["ratios"]}
        self.answers = {(int(i), int(v)): int(n or 0) for i, v, n in results["answers"]}
        self.counts = {int(i): int(n or 0) for i, n in results["counts"]}
        self.updates = {int(i): int(n or 0) for i, n in results["updates"]}

    def time(self, item: int) -> tuple[int, ...]:
        """finished, finished_us, late_promise, late_target, open, overdue_promise, overdue_target"""
        return self.times.get(item, (0, 0, 0, 0, 0, 0, 0))


def _emit(builder: "_Families", metric: Metric, series: Series, item: int, found: _Found) -> None:
    """The value of one series of the contract, from what the reading found."""
    match metric:
        case TimeMetric():
            finished, finished_us, late_p, late_t, open_, over_p, over_t = found.time(item)
            if series.name == f"{histogram(metric)}_bucket":
                cumulative = [(go_float(b), found.durations.get((item, round(b * _US)), 0)) for b in series.buckets]
                builder.histogram(series, cumulative + [("+Inf", finished)], finished_us / _US)
            elif series.name == LATE_SERIES:
                builder.counter(series, late_p if series.labels[tiers.LABEL] == "promise" else late_t)
            elif series.name == OPEN_SERIES:
                builder.gauge(series, open_)
            elif series.name == OVERDUE_SERIES:
                builder.gauge(series, over_p if series.labels[tiers.LABEL] == "promise" else over_t)
            # `_count` is part of the histogram above
        case RatioMetric():
            population, share = found.ratios.get(item, (0, 0))
            builder.counter(series, population if series.labels["event"] == metric.denominator else share)
        case ScoreMetric() | NpsMetric():
            builder.counter(series, found.answers.get((item, int(series.labels["value"])), 0))
        case CountMetric():
            builder.counter(series, found.counts.get(item, 0))
        case _:
            unknown_kind(metric)


class _Families:
    """Metric families by name, in the order first seen. Samples are gathered first and
    the families built at the end, so that each family knows every label its series use."""

    def __init__(self) -> None:
        self.samples: dict[str, tuple[str, list[tuple[dict[str, str], Any]]]] = {}
        self.count = 0

    def _add(self, series: Series, kind: str, value: Any) -> None:
        base = series.name.removesuffix("_bucket").removesuffix("_total")
        self.samples.setdefault(base, (kind, []))[1].append((dict(series.labels), value))

    def counter(self, series: Series, value: int) -> None:
        self._add(series, "counter", value)
        self.count += 1

    def gauge(self, series: Series, value: int) -> None:
        self._add(series, "gauge", value)
        self.count += 1

    def histogram(self, series: Series, buckets: list[tuple[str, int]], total: float) -> None:
        self._add(series, "histogram", (buckets, total))
        self.count += len(buckets) + 2

    def done(self) -> list[Family]:
        out: list[Family] = []
        for base, (kind, samples) in self.samples.items():
            labels = list(dict.fromkeys(k for one, _ in samples for k in one))
            help_text = HELP[base if base in HELP else f"{base}_total"]
            family: Family
            if kind == "counter":
                family = CounterMetricFamily(base, help_text, labels=labels)
            elif kind == "gauge":
                family = GaugeMetricFamily(base, help_text, labels=labels)
            else:
                family = HistogramMetricFamily(base, help_text, labels=labels)
            for one, value in samples:
                values = [one.get(k, "") for k in labels]
                if isinstance(family, HistogramMetricFamily):
                    family.add_metric(values, value[0], value[1])
                else:
                    family.add_metric(values, value)
            out.append(family)
        return out
