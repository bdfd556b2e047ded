"""The instrumentation contract: which series a metric reads, and how.

By default every metric reads documented series that the team producing the
events emits; a `source prometheus { good … total … }` block replaces them with
the metric's own queries. The `prometheus` target builds its rules from
`metric_contract`, the policy document and `prometheus/CONTRACT.md` print it,
so what producers are told to emit is exactly what the rules read.

Every query is a per-second rate over `{{window}}` (replaced by each window as
plain text). What `good` and `total` mean depends on the kind, see
`QUERY_MEANING`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from touchdsl.model import (
    BoundObjective,
    CountMetric,
    Duration,
    Indicator,
    Metric,
    NpsMetric,
    Project,
    RatioMetric,
    ScoreMetric,
    ShareObjective,
    TimeMetric,
    Touchpoint,
    WithinObjective,
    business_days,
    indicator,
    limit_size,
    objective_within,
    unknown_kind,
)

WINDOW = "{{window}}"

DURATION_SERIES = "touch_duration_seconds"
BUSINESS_DAYS_SERIES = "touch_business_days"
EVENTS_SERIES = "touch_events_total"
ANSWERS_SERIES = "touch_answers_total"
# The label that carries a case's class (`class` of the touchpoint), in the series
# as in the event log.
SEGMENT_LABEL = "segment"

# Histogram boundaries offered besides the thresholds, so a dashboard can show the
# distribution around them (seconds: 1s … 90d).
_LADDER: tuple[float, ...] = (
    1, 2, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600, 900, 1200, 1800, 2700,
    3600, 5400, 7200, 10800, 14400, 21600, 28800, 43200, 64800, 86400, 129600, 172800,
    259200, 345600, 432000, 604800, 864000, 1209600, 1814400, 2419200, 2592000, 3888000,
    5184000, 7776000,
)
# The same for business days; 0 holds the cases finished on the day they started.
_DAY_LADDER: tuple[float, ...] = (0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 15, 20, 21, 25, 30, 40, 45, 60, 90, 120,
                                  180, 365)

# What each query of an indicator measures (all per second over {{window}}).
QUERY_MEANING: dict[Indicator, dict[str, str]] = {
    "ratio-like": {
        "good": "events that meet the objective",
        "total": "all events",
    },
    "average": {
        "good": "sum of the answers' values",
        "total": "number of answers",
    },
    "nps": {
        "good": "promoters (9-10) minus detractors (0-6)",
        "total": "number of answers",
    },
    "count": {
        "total": "events counted against the limit",
    },
}


@dataclass(frozen=True)
class Series:
    name: str  # e.g. "touch_duration_seconds_bucket"
    type: str  # "histogram" | "counter"
    labels: dict[str, str]  # fixed label values the producer must emit (their meaning in words:
    # touchdsl.documents.wording.Words.series_meaning, in the policy's language)
    buckets: tuple[float, ...] = ()  # histogram boundaries (le) in the series' unit, for time metrics


@dataclass(frozen=True)
class MetricContract:
    series: tuple[Series, ...]
    queries: dict[str, str]  # PromQL actually used, with {{window}}; keys per QUERY_MEANING
    overridden: bool  # True when the metric has `source prometheus { ... }`
    clock: str | None  # for metrics with a calendar or pauses: what a producer observes for a case
    kind: Indicator = "ratio-like"  # key of QUERY_MEANING
    notes: tuple[str, ...] = field(default=())  # further rules for producers, English
    observe: str | None = None  # with `clock`: the call that gives a producer the value


def number(value: float) -> str:
    """A number as people and PromQL read it: `20`, `0.5`, `99.5`."""
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


def le_spellings(seconds: float) -> tuple[str, ...]:
    """The ways client libraries and Prometheus versions write an `le` value.

    Go clients write the shortest form (`20`, `1.2096e+06`); the Python client
    and Prometheus 3's normalisation write whole numbers with `.0` (`20.0`). A
    rule matching only one spelling would silently read nothing from the others.
    """
    go = go_float(seconds)
    if "." in go or "e" in go:
        return (go,)
    return (go, go + ".0")


def go_float(value: float) -> str:
    """strconv.FormatFloat(value, 'g', -1, 64): the shortest round-trip digits (as
    Python's repr finds them), in exponent form when the decimal exponent is below
    -4 or at least 6."""
    shortest = Decimal(repr(abs(float(value))))
    exp = shortest.adjusted()
    if -4 <= exp < 6:
        return number(value)
    digits = "".join(map(str, shortest.as_tuple().digits)).rstrip("0") or "0"
    sign = "-" if value < 0 else ""
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{sign}{mantissa}e{'+' if exp >= 0 else '-'}{abs(exp):02d}"


def label_matchers(labels: dict[str, str]) -> str:
    """`{a="x",b="y"}` with each value escaped as a PromQL string."""
    return "{" + ",".join(f"{k}={promql_string(v)}" for k, v in labels.items()) + "}"


def promql_string(value: str) -> str:
    """A PromQL double-quoted string literal (Go escaping rules)."""
    out = []
    for ch in value:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def thresholds(metric: TimeMetric) -> tuple[float, ...]:
    """Every limit a time metric is judged against (promise and target), in the unit of
    its histogram: seconds, or business days."""
    objectives = [metric.target] + ([metric.promise] if metric.promise is not None else [])
    return tuple(sorted({limit_size(objective_within(o).within) for o in objectives}))


def buckets(metric: TimeMetric) -> tuple[float, ...]:
    """Histogram boundaries: every threshold, and the ladder from a tenth of the
    smallest to four times the largest threshold (business days: from 0)."""
    limits = thresholds(metric)
    if business_days(metric):
        return tuple(sorted({b for b in _DAY_LADDER if b <= limits[-1] * 4} | set(limits)))
    low, high = limits[0] / 10, limits[-1] * 4
    chosen = {b for b in _LADDER if low <= b <= high} | set(limits)
    return tuple(sorted(chosen))


def histogram(metric: TimeMetric) -> str:
    """The histogram a time metric's producer observes into: business days, or seconds."""
    return BUSINESS_DAYS_SERIES if business_days(metric) else DURATION_SERIES


def identity(touchpoint: Touchpoint, metric: Metric) -> dict[str, str]:
    """The labels a producer puts on every series of the metric (with `segment` for a
    metric judged per class)."""
    labels = {"touchpoint": touchpoint.id, "metric": metric.id}
    if metric.segment is not None:
        labels[SEGMENT_LABEL] = metric.segment
    return labels


def clock_call(touchpoint: Touchpoint, metric: Metric) -> str:
    """The call that gives a producer the value to observe for one case of a time metric."""
    segment = f", segment={metric.segment!r}" if metric.segment is not None else ""
    return (f"touchdsl.clock.clock_for(project, {touchpoint.id!r}, {metric.id!r}{segment})"
            ".observed(start, end, pauses)")


def rate_query(series: str, labels: dict[str, str], extra: str = "") -> str:
    matchers = label_matchers(labels)
    if extra:
        matchers = matchers[:-1] + "," + extra + "}"
    return f"sum(rate({series}{matchers}[{WINDOW}]))"


def answer_values(metric: ScoreMetric | NpsMetric) -> tuple[int, ...]:
    """The whole numbers a survey answer can take: 0..10 for NPS, else the scale."""
    match metric:
        case NpsMetric():
            return tuple(range(0, 11))
        case ScoreMetric():
            return tuple(range(math.ceil(metric.low), math.floor(metric.high) + 1))
        case _:
            unknown_kind(metric)


def _values_regex(values: Iterable[int]) -> str:
    return "|".join(str(v) for v in values)


@dataclass
class _Reads:
    """What one kind of metric reads by default."""

    series: list[Series]
    queries: dict[str, str]
    notes: list[str] = field(default_factory=list)
    clock: str | None = None
    observe: str | None = None


def metric_contract(project: Project, touchpoint: Touchpoint, metric: Metric) -> MetricContract:
    """The series `metric` of `touchpoint` reads and the queries the rules use."""
    ident = identity(touchpoint, metric)
    kind = indicator(metric)
    match metric:
        case TimeMetric():
            reads = _time_reads(project, touchpoint, metric, ident)
        case RatioMetric():
            reads = _ratio_reads(metric, ident)
        case ScoreMetric() | NpsMetric():
            reads = _answer_reads(metric, kind, ident)
        case CountMetric():
            labels = {**ident, "event": metric.event}
            reads = _Reads([Series(EVENTS_SERIES, "counter", labels)], {"total": rate_query(EVENTS_SERIES, labels)})
        case _:
            unknown_kind(metric)

    if metric.source is not None:
        supplied = {"good": metric.source.good, "total": metric.source.total}
        queries = {key: supplied[key] for key in QUERY_MEANING[kind]}
        return MetricContract(series=(), queries=queries, overridden=True, clock=reads.clock, kind=kind, notes=(),
                              observe=reads.observe)
    return MetricContract(series=tuple(reads.series), queries=reads.queries, overridden=False,
                          clock=reads.clock, kind=kind, notes=tuple(reads.notes), observe=reads.observe)


def pause_words(metric: TimeMetric) -> str:
    """`while documents, from a.x to a.y`: the pauses of a metric, as the contract names them."""
    return ", ".join(f"while {p.step}" if p.step is not None else f"from {p.start} to {p.end}" for p in metric.pauses)


def _time_reads(project: Project, touchpoint: Touchpoint, metric: TimeMetric, ident: dict[str, str]) -> _Reads:
    bounds = buckets(metric)
    days = business_days(metric)
    name = histogram(metric)
    what = f"time from {metric.start} to {metric.end}"
    unit = "in seconds (wall clock)"
    if metric.calendar:
        calendar = project.calendars[metric.calendar]
        unit = (f"in business days by calendar {calendar.id} ({calendar.timezone}): the closings of business "
                "days passed while the clock ran" if days else
                f"in business seconds by calendar {calendar.id} ({calendar.timezone})")
    if metric.pauses:
        unit += f", not counting pauses ({pause_words(metric)})"
    clock = observe = None
    if metric.calendar or metric.pauses:
        clock, observe = f"{what} {unit}", clock_call(touchpoint, metric)
    series = [
        Series(f"{name}_bucket", "histogram", ident, bounds),
        Series(f"{name}_count", "histogram", ident),
    ]
    le = "|".join(re.escape(s) for s in le_spellings(limit_size(objective_within(metric.target).within)))
    queries = {
        "good": rate_query(f"{name}_bucket", ident, f"le=~{promql_string(le)}"),
        "total": rate_query(f"{name}_count", ident),
    }
    return _Reads(series, queries, ["Declare every bucket boundary listed; the rules read the one at the target."],
                  clock, observe)


def _ratio_reads(metric: RatioMetric, ident: dict[str, str]) -> _Reads:
    num = {**ident, "event": metric.numerator}
    den = {**ident, "event": metric.denominator}
    series = [Series(EVENTS_SERIES, "counter", den), Series(EVENTS_SERIES, "counter", num)]
    total = rate_query(EVENTS_SERIES, den)
    share = rate_query(EVENTS_SERIES, num)
    if isinstance(metric.target, BoundObjective) and metric.target.form == "at_most":
        good = f"({total} - ({share} or vector(0)))"
    else:
        good = share
    return _Reads(series, {"good": good, "total": total})


def _answer_reads(metric: ScoreMetric | NpsMetric, kind: Indicator, ident: dict[str, str]) -> _Reads:
    values = answer_values(metric)
    series = [Series(ANSWERS_SERIES, "counter", {**ident, "value": str(v)}) for v in values]
    total = rate_query(ANSWERS_SERIES, ident)

    def answers(selected: Iterable[int]) -> str:
        return f'({rate_query(ANSWERS_SERIES, ident, f"value=~{promql_string(_values_regex(selected))}")} or vector(0))'

    match kind:
        case "average":
            terms = [f"{v} * ({rate_query(ANSWERS_SERIES, ident, f'value={promql_string(str(v))}')} or vector(0))"
                     for v in values]
            return _Reads(series, {"good": "(" + " + ".join(terms) + ")", "total": total})
        case "nps":
            return _Reads(series, {"good": f"({answers(range(9, 11))} - {answers(range(0, 7))})", "total": total})
        case "ratio-like":
            assert isinstance(metric.target, ShareObjective)
            good_values = [v for v in values if v >= metric.target.value]
            return _Reads(series, {"good": answers(good_values), "total": total})
        case "count":
            raise AssertionError("answers are never counted")
        case _:
            unknown_kind(kind)


def render_query(query: str, window: str) -> str:
    """`{{window}}` replaced by `window` as plain text; nothing else is touched."""
    return query.replace(WINDOW, window)


def summed(query: str, window: str) -> str:
    """A `source prometheus` query as the rules read it over `window`: `{{window}}`
    replaced, the whole summed into one series. The checker parses exactly this."""
    return f"sum({render_query(query, window)})"
