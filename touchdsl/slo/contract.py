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
from dataclasses import dataclass, field
from decimal import Decimal

from touchdsl.model import (
    AverageObjective,
    BoundObjective,
    CountMetric,
    NpsMetric,
    Project,
    RatioMetric,
    ScoreMetric,
    ShareObjective,
    TimeMetric,
    Touchpoint,
)

WINDOW = "{{window}}"

DURATION_SERIES = "touch_duration_seconds"
EVENTS_SERIES = "touch_events_total"
ANSWERS_SERIES = "touch_answers_total"

CLOCK_API = "touchdsl.clock.business_elapsed(start, end, calendar)"

# Histogram boundaries offered besides the thresholds, so a dashboard can show the
# distribution around them (seconds: 1s … 90d).
_LADDER: tuple[float, ...] = (
    1, 2, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600, 900, 1200, 1800, 2700,
    3600, 5400, 7200, 10800, 14400, 21600, 28800, 43200, 64800, 86400, 129600, 172800,
    259200, 345600, 432000, 604800, 864000, 1209600, 1814400, 2419200, 2592000, 3888000,
    5184000, 7776000,
)

# What each query of a kind measures (all per second over {{window}}).
QUERY_MEANING: dict[str, dict[str, str]] = {
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
    labels: dict[str, str]  # fixed label values the producer must emit
    help: str  # one line, English
    buckets: tuple[float, ...] = ()  # histogram boundaries in seconds (le), for time metrics


@dataclass(frozen=True)
class MetricContract:
    series: tuple[Series, ...]
    queries: dict[str, str]  # PromQL actually used, with {{window}}; keys per QUERY_MEANING
    overridden: bool  # True when the metric has `source prometheus { ... }`
    clock: str | None  # for `on CALENDAR` metrics: how elapsed business time is measured
    kind: str = "ratio-like"  # key of QUERY_MEANING
    notes: tuple[str, ...] = field(default=())  # further rules for producers, English


def indicator_kind(metric) -> str:
    """How a metric is judged: "ratio-like" (a share of good events, with an error
    budget and burn-rate alerts), "average", "nps" or "count"."""
    if isinstance(metric, ScoreMetric) and isinstance(metric.target, AverageObjective):
        return "average"
    if isinstance(metric, NpsMetric):
        return "nps"
    if isinstance(metric, CountMetric):
        return "count"
    return "ratio-like"


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


def thresholds(metric) -> tuple[float, ...]:
    """Every duration a time metric is judged against: promise and target."""
    values = {metric.promise.within.seconds, metric.target.within.seconds}
    return tuple(sorted(values))


def buckets(metric: TimeMetric) -> tuple[float, ...]:
    """Histogram boundaries: every threshold, and the ladder from a tenth of the
    smallest to four times the largest threshold."""
    limits = thresholds(metric)
    low, high = limits[0] / 10, limits[-1] * 4
    chosen = {b for b in _LADDER if low <= b <= high} | set(limits)
    return tuple(sorted(chosen))


def rate_query(series: str, labels: dict[str, str], extra: str = "") -> str:
    matchers = label_matchers(labels)
    if extra:
        matchers = matchers[:-1] + "," + extra + "}"
    return f"sum(rate({series}{matchers}[{WINDOW}]))"


def answer_values(metric) -> tuple[int, ...]:
    """The whole numbers a survey answer can take: 0..10 for NPS, else the scale."""
    if isinstance(metric, NpsMetric):
        return tuple(range(0, 11))
    return tuple(range(math.ceil(metric.low), math.floor(metric.high) + 1))


def _values_regex(values) -> str:
    return "|".join(str(v) for v in values)


def metric_contract(project: Project, touchpoint: Touchpoint, metric) -> MetricContract:
    """The series `metric` of `touchpoint` reads and the queries the rules use."""
    ident = {"touchpoint": touchpoint.id, "metric": metric.id}
    kind = indicator_kind(metric)
    clock = None
    series: list[Series] = []
    queries: dict[str, str]
    notes: list[str] = []

    if isinstance(metric, TimeMetric):
        bounds = buckets(metric)
        what = f"time from {metric.start} to {metric.end}"
        if metric.calendar:
            calendar = project.calendars[metric.calendar]
            clock = (f"business time by calendar {calendar.id} ({calendar.timezone}): observe "
                     f"{CLOCK_API} with the calendar {calendar.id}, in seconds")
            what += f" in business seconds by calendar {calendar.id}"
        else:
            what += " in seconds (wall clock)"
        series.append(Series(f"{DURATION_SERIES}_bucket", "histogram", ident,
                             f"Cases by {what}; one observation per case when {metric.end} happens.",
                             bounds))
        series.append(Series(f"{DURATION_SERIES}_count", "histogram", ident,
                             "Count of the same histogram: every finished case."))
        target = metric.target.within.seconds
        le = "|".join(re.escape(s) for s in le_spellings(target))
        queries = {
            "good": rate_query(f"{DURATION_SERIES}_bucket", ident, f"le=~{promql_string(le)}"),
            "total": rate_query(f"{DURATION_SERIES}_count", ident),
        }
        notes.append("Declare every bucket boundary listed; the rules read the one at the target.")
    elif isinstance(metric, RatioMetric):
        num = {**ident, "event": metric.numerator}
        den = {**ident, "event": metric.denominator}
        series.append(Series(EVENTS_SERIES, "counter", den,
                             f"Cases counted as {metric.denominator} (the whole population)."))
        series.append(Series(EVENTS_SERIES, "counter", num,
                             f"Cases counted as {metric.numerator}, each also counted as {metric.denominator}."))
        total = rate_query(EVENTS_SERIES, den)
        share = rate_query(EVENTS_SERIES, num)
        if isinstance(metric.target, BoundObjective) and metric.target.form == "at_most":
            good = f"({total} - ({share} or vector(0)))"
        else:
            good = share
        queries = {"good": good, "total": total}
    elif isinstance(metric, (ScoreMetric, NpsMetric)):
        values = answer_values(metric)
        scale = "0..10" if isinstance(metric, NpsMetric) else f"{number(metric.low)}..{number(metric.high)}"
        for v in values:
            series.append(Series(ANSWERS_SERIES, "counter", {**ident, "value": str(v)},
                                 f"Survey answers of value {v} on the scale {scale}."))
        total = rate_query(ANSWERS_SERIES, ident)

        def answers(selected) -> str:
            return f'({rate_query(ANSWERS_SERIES, ident, f"value=~{promql_string(_values_regex(selected))}")} or vector(0))'

        if kind == "average":
            terms = [f"{v} * ({rate_query(ANSWERS_SERIES, ident, f'value={promql_string(str(v))}')} or vector(0))"
                     for v in values]
            queries = {"good": "(" + " + ".join(terms) + ")", "total": total}
        elif kind == "nps":
            queries = {"good": f"({answers(range(9, 11))} - {answers(range(0, 7))})", "total": total}
        else:
            assert isinstance(metric.target, ShareObjective)
            good_values = [v for v in values if v >= metric.target.value]
            queries = {"good": answers(good_values), "total": total}
    elif isinstance(metric, CountMetric):
        labels = {**ident, "event": metric.event}
        series.append(Series(EVENTS_SERIES, "counter", labels,
                             f"Each {metric.event} event, counted against the limit per {metric.per.text}."))
        queries = {"total": rate_query(EVENTS_SERIES, labels)}
    else:  # pragma: no cover - the model has no other kind
        raise TypeError(f"unknown metric kind {type(metric).__name__}")

    overridden = metric.source is not None
    if overridden:
        wanted = QUERY_MEANING[kind]
        supplied = {"good": metric.source.good, "total": metric.source.total}
        queries = {key: supplied[key] for key in wanted}
        series = []
        notes = []
    return MetricContract(series=tuple(series), queries=queries, overridden=overridden,
                          clock=clock, kind=kind, notes=tuple(notes))


def render_query(query: str, window: str) -> str:
    """`{{window}}` replaced by `window` as plain text; nothing else is touched."""
    return query.replace(WINDOW, window)
