"""The instrumentation contract: which series a metric reads, and how.

By default every metric reads documented series that the team producing the
events emits (or `touchdsl serve`, which computes them from the event log); a
`source prometheus { good … total … }` block replaces them with the metric's own
queries. The `prometheus` target builds its rules from `metric_contract`, the
policy document and `prometheus/CONTRACT.md` print it, so what producers are told
to emit is exactly what the rules read.

Default series are counters (and gauges of open cases), read as **whole events**:
the rules count exactly how much a counter grew over a window (`whole_events`),
never a rate extrapolated to the window's edges, so a count at its limit is the
limit and a share at its objective is the objective. Each tier of a share
(`touchdsl.slo.tiers`) reads its own events: the cases decided against that
objective and, of them, the bad ones (`TierReads`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Union

from touchdsl.model import (
    BoundObjective,
    CountMetric,
    Duration,
    Indicator,
    Metric,
    NpsMetric,
    Objective,
    Project,
    RatioMetric,
    ScoreMetric,
    ShareObjective,
    TimeMetric,
    Touchpoint,
    business_days,
    indicator,
    limit_size,
    objective_within,
    pauses,
    unknown_kind,
)
from touchdsl.slo.tiers import LABEL as TIER_LABEL
from touchdsl.slo.tiers import Tier, objective_of, tiers_of

WINDOW = "{{window}}"

DURATION_SERIES = "touch_duration_seconds"
BUSINESS_DAYS_SERIES = "touch_business_days"
LATE_SERIES = "touch_late_cases_total"
OPEN_SERIES = "touch_open_cases"
OVERDUE_SERIES = "touch_overdue_cases"
EVENTS_SERIES = "touch_events_total"
ANSWERS_SERIES = "touch_answers_total"
UPDATES_OVERDUE_SERIES = "touch_update_overdue_cases"
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

# What a metric's own queries (`source prometheus`) must measure, per second over {{window}}.
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

# How long before a window's start the rules look for a counter's last value (the
# window itself, at least an hour, at most a day): a producer unreachable for less
# than that at the window's start still has its events counted exactly.
_LOOKBACK_MIN, _LOOKBACK_MAX = 3600, 86400


@dataclass(frozen=True)
class Series:
    name: str  # e.g. "touch_duration_seconds_bucket"
    type: str  # "histogram" | "counter" | "gauge"
    labels: dict[str, str]  # fixed label values the producer must emit (their meaning in words:
    # touchdsl.documents.wording.Words.series_meaning, in the document's language)
    buckets: tuple[float, ...] = ()  # histogram boundaries (le) in the series' unit, for time metrics


# Whole events ------------------------------------------------------------------------


def lookback(window: str) -> str:
    """The range searched before `window` for a counter's value at its start."""
    from touchdsl.slo.burnrate import seconds

    chosen = min(max(seconds(window), Fraction(_LOOKBACK_MIN)), Fraction(_LOOKBACK_MAX))
    return Duration(seconds=float(chosen), text="x").compact(largest="d")


def whole_events(selector: str, window: str, by: str | None = None) -> str:
    """PromQL for how many events the counters `selector` matches counted over
    `window`, summed into one series: exact whole numbers, no extrapolation.

    Per series: its value now minus its last value before the window (looked for
    up to `lookback(window)` back); a series without a value before the window is
    new, and all of its value was counted within the window (a producer that
    initialises every series at 0 makes this exact, see CONTRACT.md); a series
    that was reset (the producer restarted) falls back on Prometheus' own
    estimate, rounded to whole events. `by` keeps that label apart (answers by value).
    """
    before = f"last_over_time({selector}[{lookback(window)}] offset {window})"
    grouped = f"sum by ({by}) " if by else "sum"
    return (f"{grouped}(\n  (({selector} - {before}) >= 0 unless resets({selector}[{window}]) > 0)\n"
            f"  or ({selector} unless {before})\n"
            f"  or round(increase({selector}[{window}]))\n)")


Reader = Callable[["Counted", str], str]
"""How the rules read a counter's whole events over a window (an expression with no
labels, absent when the counter has no series): `whole_events`, or a recording of it."""


def read_directly(counted: "Counted", window: str) -> str:
    return whole_events(counted.selector, window)


@dataclass(frozen=True)
class Counted:
    """The whole events of the counters `selector` matches (0 when there are none).
    `role` names them in the rules (`counter` label of `touch:counter_events:count…`)."""

    selector: str
    role: str

    def promql(self, window: str, read: Reader = read_directly) -> str:
        return f"({read(self, window)} or vector(0))"

    def words(self) -> str:
        return f"events({self.selector})"

    def rate(self, window: str) -> str:
        return f"(sum(rate({self.selector}[{window}])) or vector(0))"

    def counters(self) -> tuple["Counted", ...]:
        return (self,)


@dataclass(frozen=True)
class Added:
    """Events of several kinds added up."""

    parts: tuple["CountExpr", ...]

    def promql(self, window: str, read: Reader = read_directly) -> str:
        return "(" + " + ".join(p.promql(window, read) for p in self.parts) + ")"

    def words(self) -> str:
        return " + ".join(p.words() for p in self.parts)

    def rate(self, window: str) -> str:
        return "(" + " + ".join(p.rate(window) for p in self.parts) + ")"

    def counters(self) -> tuple["Counted", ...]:
        return tuple(c for p in self.parts for c in p.counters())


@dataclass(frozen=True)
class Less:
    """Events of `whole` that are not `part` (never below 0)."""

    whole: "CountExpr"
    part: "CountExpr"

    def promql(self, window: str, read: Reader = read_directly) -> str:
        return f"clamp_min({self.whole.promql(window, read)} - {self.part.promql(window, read)}, 0)"

    def words(self) -> str:
        part = self.part.words()
        return f"{self.whole.words()} - " + (f"({part})" if " " in part else part)

    def rate(self, window: str) -> str:
        return f"clamp_min({self.whole.rate(window)} - {self.part.rate(window)}, 0)"

    def counters(self) -> tuple["Counted", ...]:
        return self.whole.counters() + self.part.counters()


@dataclass(frozen=True)
class Preferred:
    """`first` when its series exist, else `otherwise` (an older way to say the same)."""

    first: Counted
    otherwise: "CountExpr"

    def promql(self, window: str, read: Reader = read_directly) -> str:
        return f"({read(self.first, window)} or {self.otherwise.promql(window, read)})"

    def words(self) -> str:
        return f"({self.first.words()} or, where it is not emitted, {self.otherwise.words()})"

    def rate(self, window: str) -> str:
        return f"(sum(rate({self.first.selector}[{window}])) or {self.otherwise.rate(window)})"

    def counters(self) -> tuple["Counted", ...]:
        return (self.first, *self.otherwise.counters())


@dataclass(frozen=True)
class Nothing:
    """No event can be of this kind (every answer meets `P% at least LO`)."""

    def promql(self, window: str, read: Reader = read_directly) -> str:
        return "vector(0)"

    def words(self) -> str:
        return "0"

    def rate(self, window: str) -> str:
        return "vector(0)"

    def counters(self) -> tuple["Counted", ...]:
        return ()


CountExpr = Union[Counted, Added, Less, Preferred, Nothing]


@dataclass(frozen=True)
class TierReads:
    """What one tier of a share reads: the events decided against its objective, and
    of them the bad ones (the error ratio is bad / decided)."""

    decided: CountExpr
    bad: CountExpr

    def counters(self) -> tuple[Counted, ...]:
        """Every counter the tier reads, once each."""
        return tuple(dict.fromkeys(self.decided.counters() + self.bad.counters()))


@dataclass(frozen=True)
class MetricContract:
    series: tuple[Series, ...]
    queries: dict[str, str]  # what the documents print (their meaning: Words.query_meaning)
    overridden: bool  # True when the metric has `source prometheus { ... }`
    clock: str | None  # for metrics with a calendar or pauses: what a producer observes for a case
    kind: Indicator = "ratio-like"
    tiers: dict[Tier, TierReads] = field(default_factory=dict)  # ratio-like metrics on default series
    counted: str | None = None  # answers (by value) or events counted, on default series
    open_cases: bool = False  # a time metric whose producers report open cases
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


def selector(series: str, labels: dict[str, str], extra: str = "") -> str:
    """`series{labels…}` with `extra` (already PromQL) added to the matchers."""
    matchers = label_matchers(labels)
    if extra:
        matchers = matchers[:-1] + "," + extra + "}"
    return f"{series}{matchers}"


@dataclass
class _Reads:
    """What one kind of metric reads by default."""

    series: list[Series]
    queries: dict[str, str]
    clock: str | None = None
    tiers: dict[Tier, TierReads] = field(default_factory=dict)
    counted: str | None = None
    open_cases: bool = False
    observe: str | None = None


def _tier_queries(reads: dict[Tier, TierReads]) -> dict[str, str]:
    """What each tier reads, as the documents print it: `promise decided`, `promise bad`, …"""
    queries: dict[str, str] = {}
    for tier, tier_reads in reads.items():
        queries[f"{tier} decided"] = tier_reads.decided.words()
        queries[f"{tier} bad"] = tier_reads.bad.words()
    return queries


def metric_contract(project: Project, touchpoint: Touchpoint, metric: Metric) -> MetricContract:
    """The series `metric` of `touchpoint` reads and how the rules read them."""
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
            counted = selector(EVENTS_SERIES, labels)
            reads = _Reads([Series(EVENTS_SERIES, "counter", labels)], {"counted": f"events({counted})"},
                           counted=counted)
        case _:
            unknown_kind(metric)

    if metric.source is not None:
        supplied = {"good": metric.source.good, "total": metric.source.total}
        if metric.source.promise_good is not None:
            supplied["promise_good"] = metric.source.promise_good
        queries = {key: supplied[key] for key in (*QUERY_MEANING[kind], "promise_good") if key in supplied}
        return MetricContract(series=(), queries=queries, overridden=True, clock=reads.clock, kind=kind,
                              observe=reads.observe)
    return MetricContract(series=tuple(reads.series), queries=reads.queries, overridden=False,
                          clock=reads.clock, kind=kind,
                          tiers=reads.tiers, counted=reads.counted, open_cases=reads.open_cases,
                          observe=reads.observe)


def _le(limit: float) -> str:
    """Matcher for the bucket at `limit` (in the histogram's unit), however the client spells `le`."""
    return f"le=~{promql_string('|'.join(re.escape(s) for s in le_spellings(limit)))}"


def pause_words(metric: Metric) -> str:
    """`while documents, from a.x to a.y`: the pauses of a metric, as the contract names them."""
    return ", ".join(f"while {p.step}" if p.step is not None else f"from {p.start} to {p.end}"
                     for p in pauses(metric))


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
    tiers = tiers_of(metric)
    series = [
        Series(f"{name}_bucket", "histogram", ident, bounds),
        Series(f"{name}_count", "histogram", ident),
    ]
    series += [Series(LATE_SERIES, "counter", {**ident, TIER_LABEL: tier}) for tier in tiers]
    series.append(Series(OPEN_SERIES, "gauge", ident))
    series += [Series(OVERDUE_SERIES, "gauge", {**ident, TIER_LABEL: tier}) for tier in tiers]
    reads: dict[Tier, TierReads] = {}
    for tier in tiers:
        limit = limit_size(objective_within(objective_of(metric, tier)).within)
        good = Counted(selector(f"{name}_bucket", ident, _le(limit)), f"within_{tier}")
        late = Counted(selector(LATE_SERIES, {**ident, TIER_LABEL: tier}), f"late_{tier}")
        finished_late = Less(Counted(selector(f"{name}_count", ident), "finished"), good)
        bad = Preferred(late, finished_late)
        reads[tier] = TierReads(decided=Added((good, bad)), bad=bad)
    return _Reads(series, _tier_queries(reads), clock, reads, open_cases=True, observe=observe)


def _ratio_reads(metric: RatioMetric, ident: dict[str, str]) -> _Reads:
    num = {**ident, "event": metric.numerator}
    den = {**ident, "event": metric.denominator}
    series = [Series(EVENTS_SERIES, "counter", den), Series(EVENTS_SERIES, "counter", num)]
    population = Counted(selector(EVENTS_SERIES, den), "population")
    share = Counted(selector(EVENTS_SERIES, num), "share")
    reads: dict[Tier, TierReads] = {}
    for tier in tiers_of(metric):
        objective = objective_of(metric, tier)
        assert isinstance(objective, BoundObjective)
        # `at most`: the share is the bad outcome; `at least`: missing it is. A share
        # that was never counted is no case at all in either direction.
        bad = share if objective.form == "at_most" else Less(population, share)
        reads[tier] = TierReads(decided=population, bad=bad)
    return _Reads(series, _tier_queries(reads), tiers=reads)


def _answer_reads(metric: ScoreMetric | NpsMetric, kind: Indicator, ident: dict[str, str]) -> _Reads:
    values = answer_values(metric)
    series = [Series(ANSWERS_SERIES, "counter", {**ident, "value": str(v)}) for v in values]
    answers = selector(ANSWERS_SERIES, ident)
    match kind:
        case "average" | "nps":
            return _Reads(series, {"answers": f"events({answers}) by value"}, counted=answers)
        case "ratio-like":
            reads: dict[Tier, TierReads] = {}
            for tier in tiers_of(metric):
                objective = objective_of(metric, tier)
                assert isinstance(objective, ShareObjective)
                bad = [v for v in values if v < objective.value]
                reads[tier] = TierReads(
                    decided=Counted(answers, "answers"),
                    bad=Counted(selector(ANSWERS_SERIES, ident, f"value=~{promql_string(_values_regex(bad))}"),
                                f"below_{tier}")
                    if bad else Nothing())
            return _Reads(series, _tier_queries(reads), tiers=reads, counted=answers)
        case "count":
            raise AssertionError("answers are never counted")
        case _:
            unknown_kind(kind)


def updates_series(touchpoint: Touchpoint) -> tuple[Series, ...]:
    """What producers emit for a touchpoint's `updates every N` promise."""
    updates = touchpoint.updates
    assert updates is not None
    return (Series(UPDATES_OVERDUE_SERIES, "gauge", {"touchpoint": touchpoint.id}),)


def render_query(query: str, window: str) -> str:
    """`{{window}}` replaced by `window` as plain text; nothing else is touched."""
    return query.replace(WINDOW, window)


def summed(query: str, window: str) -> str:
    """A `source prometheus` query as the rules read it over `window`: `{{window}}`
    replaced, the whole summed into one series. The checker parses exactly this."""
    return f"sum({render_query(query, window)})"
