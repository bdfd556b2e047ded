"""The `tests` target: `promtool test rules` files proving every alert.

`DIR/tests/<file>.test.yml` (and `<file>.<time>.test.yml` for cases that look
further than an hour) tests `DIR/prometheus/<file>.rules.yml`. Each case feeds the
series the instrumentation contract tells producers to emit (histogram buckets,
late-case counters, event counters, answers by value, gauges of open cases) and
checks **every** alert of the metric at once — those expected to fire with their
exact labels and annotations, the others silent — so the tests prove the whole way
from what producers emit to who is told. Cases, per metric and tier:

- **exactly at the objective**, in a burst and steady over the burn windows:
  nothing of that tier fires; one bad event past it, or a steady burn past the
  thresholds: its alerts fire;
- **small numbers**: total failure with one event fewer than `alerts need N
  events` is silent, with N it fires;
- **the first events of a counter never initialised** are counted, and an `at
  least` ratio whose numerator never appears is total failure;
- each burn **window pair alone**, just above and just below its threshold, and
  the **quick reset**: once the short window is healthy again, or has no events,
  the burn alert stops;
- a **count** exactly at its limit is silent and one more event fires (whole
  events); a score or NPS exactly at the objective is silent, one answer lower fires;
- **open cases past a deadline and overdue updates**: one case is a ticket, the
  minimum number of cases a page.

A metric with `source prometheus` reads series only its owners know; its alerts
are proven on the recorded indicators instead. What fires in each case is worked
out here from the same numbers the rules use (thresholds, budgets, the minimum),
in exact fractions.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from touchdsl.documents.escape import dump_yaml
from touchdsl.model import (
    BoundObjective,
    CountMetric,
    NpsMetric,
    Project,
    RatioMetric,
    ScoreMetric,
    ShareObjective,
    TimeMetric,
    limit_size,
    metric_key,
    objective_value,
    objective_within,
    unknown_kind,
)
from touchdsl.slo import naming, tiers
from touchdsl.slo.burnrate import BurnCondition
from touchdsl.slo.burnrate import seconds as window_seconds
from touchdsl.slo.contract import (
    ANSWERS_SERIES,
    EVENTS_SERIES,
    LATE_SERIES,
    OVERDUE_SERIES,
    UPDATES_OVERDUE_SERIES,
    answer_values,
    go_float,
    histogram,
    identity,
    label_matchers,
)
from touchdsl.slo.rules import Alert, Group, MetricRules, UpdatesRules, good_fraction, groups
from touchdsl.slo.tiers import Tier
from touchdsl.targets import BuildOptions

# Most cases look at the first hour; cases of longer windows go to files of their own.
EVALUATION_INTERVAL = "1h"
_HOUR = 3600
_MINUTE = 60
# Healthy traffic before a failing stretch is this many times heavier, so windows
# longer than the stretch see it diluted and one window pair can be proven alone.
HEALTHY_VOLUME = 1000
# Events of a burst, in multiples of a metric's events per sample.
BURST = 10


def render(project: Project, options: BuildOptions) -> dict[str, bytes]:
    files: dict[str, list[Group]] = {}
    for rules in groups(project, options):
        files.setdefault(rules.file, []).append(rules)
    out = {}
    for stem, chosen in files.items():
        by_time: dict[str, list[dict[str, Any]]] = {}
        for rules in chosen:
            for case in group_cases(rules):
                by_time.setdefault(case["alert_rule_test"][0]["eval_time"], []).append(case)
        for eval_time, cases in sorted(by_time.items(), key=lambda item: window_seconds(item[0])):
            # Rules are evaluated at 0 and at the one time the cases look at: a case
            # of days costs two evaluations, not one per hour.
            name = (f"tests/{stem}.test.yml" if eval_time == EVALUATION_INTERVAL
                    else f"tests/{stem}.{eval_time}.test.yml")
            out[name] = dump_yaml({
                "rule_files": [f"../prometheus/{stem}.rules.yml"],
                "evaluation_interval": eval_time,
                "tests": cases,
            })
    return dict(sorted(out.items()))


# promtool's series notation ---------------------------------------------------------


def _fmt(value: float | Fraction) -> str:
    """A sample value for promtool's series notation, rounded off float noise."""
    number = round(float(value), 9)
    if number == int(number):
        return str(int(number))
    return repr(number)


def _duration(total_seconds: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if total_seconds % size == 0:
            return f"{total_seconds // size}{unit}"
    return f"{total_seconds}s"


def notation(values: Sequence[float | None]) -> str:
    """promtool's series notation for `values` (None: no sample), arithmetic runs
    written `a+bxn`, gaps `_xn`."""
    parts: list[str] = []
    k = 0
    while k < len(values):
        value = values[k]
        if value is None:
            run = 1
            while k + run < len(values) and values[k + run] is None:
                run += 1
            parts.append(f"_x{run}" if run > 1 else "_")
            k += run
            continue
        nxt = values[k + 1] if k + 1 < len(values) else None
        step = 0.0 if nxt is None else round(nxt - value, 9)
        run = 1
        while k + run < len(values):
            following = values[k + run]
            if following is None or round(following - (value + step * run), 6) != 0:
                break
            run += 1
        if run == 1:
            parts.append(_fmt(value))
        else:
            sign = "+" if step >= 0 else "-"
            parts.append(f"{_fmt(value)}{sign}{_fmt(abs(step))}x{run - 1}")
        k += run
    return " ".join(parts)


def counter(segments: Sequence[tuple[int, float | Fraction]], missing: int = 0) -> str:
    """A counter starting at 0 and growing by `step` per sample, for `count` samples
    per segment. With `missing`, the series has no sample for that many samples:
    it appears with the value it has counted by then (never initialised at 0)."""
    values: list[float | None] = []
    value = 0.0
    for count, step in segments:
        for _ in range(max(count, 0)):
            if values:
                value += float(step)
            values.append(value)
    for k in range(min(missing, len(values))):
        values[k] = None
    return notation(values)


# Cases -----------------------------------------------------------------------------------


@dataclass
class Case:
    """One promtool test: the series, when to look, and which alerts fire then.
    `checked` are the alerts looked at (every alert of the group unless narrowed)."""

    name: str
    interval: int
    series: list[dict[str, Any]]
    eval_s: int
    firing: set[int]
    checked: set[int] | None = None


def _test(rules: Group, case: Case) -> dict[str, Any]:
    chosen = range(len(rules.alerts)) if case.checked is None else sorted(case.checked)
    names: dict[str, list[Alert]] = {}
    for k in chosen:
        names.setdefault(rules.alerts[k].name, [])
    for k in sorted(case.firing):
        names.setdefault(rules.alerts[k].name, []).append(rules.alerts[k])
    checks = [{"eval_time": _duration(case.eval_s), "alertname": name,
               "exp_alerts": [{"exp_labels": dict(a.labels), "exp_annotations": dict(a.annotations)}
                              for a in firing]}
              for name, firing in names.items()]
    segment = rules.labels.get("segment")
    where = f"{rules.labels['touchpoint']}/{rules.labels['metric']}" + (f".{segment}" if segment else "")
    return {"name": f"{where}: {case.name}", "interval": _duration(case.interval), "input_series": case.series,
            "alert_rule_test": checks}


def group_cases(rules: Group) -> list[dict[str, Any]]:
    """The test cases of one rule group (a metric's, or a touchpoint's updates)."""
    if not rules.alerts:
        return []
    if isinstance(rules, UpdatesRules):
        cases = _gauge_cases(rules)
    elif rules.contract.overridden:
        cases = _recorded_cases(rules)
    else:
        kind = rules.contract.kind
        match kind:
            case "ratio-like":
                cases = _share_cases(rules) + _gauge_cases(rules)
            case "average" | "nps":
                cases = _answer_cases(rules)
            case "count":
                cases = _count_cases(rules)
            case _:
                unknown_kind(kind)
    return [_test(rules, case) for case in cases]


def _indices(rules: Group, test: Callable[[Alert], bool]) -> set[int]:
    return {k for k, alert in enumerate(rules.alerts) if test(alert)}


def _beyond(value: Fraction, threshold: Fraction, op: str) -> bool:
    match op:
        case ">":
            return value > threshold
        case ">=":
            return value >= threshold
        case "<":
            return value < threshold
        case _:
            raise AssertionError(op)


# Shares of good events --------------------------------------------------------------


@dataclass(frozen=True)
class Stretch:
    """`samples` of a share's events: `volume` times the metric's events per sample,
    of which the shares `promise` and `target` miss that tier (None: no events)."""

    samples: int
    promise: Fraction | None
    target: Fraction | None
    volume: Fraction | int = 1


def per_sample(rules: MetricRules) -> int:
    """Events per sample: 100, or more so that every tier's budget is a whole number
    of events (99.5% -> 1000), so "exactly at the objective" is exact."""
    metric = rules.metric
    return math.lcm(100, *((1 - good_fraction(tiers.objective_of(metric, t))).denominator
                           for t in tiers.tiers_of(metric)))


def _shared(rules: MetricRules) -> bool:
    """True when both tiers read the same events (a ratio, or equal limits)."""
    return tiers.same_line(rules.metric)


def tier_errors(rules: MetricRules, tier: Tier, error: Fraction) -> dict[Tier, Fraction]:
    """Errors of both tiers when `tier` sees `error`: a target is at least as strict,
    so it misses whatever the promise misses; proving the target alone, the promise
    misses nothing (unless both count the same events)."""
    if tier == "promise" or _shared(rules):
        return {"promise": error, "target": error}
    return {"promise": Fraction(0), "target": error}


def share_series(rules: MetricRules, stretches: Sequence[Stretch], missing_bad: int = 0,
                 without_numerator: bool = False) -> list[dict[str, Any]]:
    """The raw series of a share going through `stretches`. With `missing_bad`, the
    counters of bad events have no sample for that many samples (never initialised);
    `without_numerator` leaves a ratio's numerator out altogether."""
    metric = rules.metric
    n = per_sample(rules)

    def part(share: Callable[[Stretch], Fraction]) -> list[tuple[int, Fraction]]:
        return [(s.samples, Fraction(0) if s.promise is None else share(s) * n * s.volume) for s in stretches]

    def whole(_: Stretch) -> Fraction:
        return Fraction(1)

    def bad_p(s: Stretch) -> Fraction:
        assert s.promise is not None
        return s.promise

    def bad_t(s: Stretch) -> Fraction:
        assert s.target is not None
        return s.target

    def lbl(**extra: str) -> str:
        return label_matchers({**identity(rules.touchpoint, metric), **extra})

    match metric:
        case TimeMetric():
            name = histogram(metric)
            bads = {"promise": bad_p, "target": bad_t}
            out = [{"series": f"{name}_count{lbl()}", "values": counter(part(whole))},
                   {"series": f"{name}_bucket{lbl(le='+Inf')}", "values": counter(part(whole))}]
            bounds: set[float] = set()
            for tier in tiers.tiers_of(metric):  # the bucket at each limit, once
                le = limit_size(objective_within(tiers.objective_of(metric, tier)).within)
                if le not in bounds:
                    bounds.add(le)
                    out.append({"series": f"{name}_bucket{lbl(le=go_float(le))}",
                                "values": counter(part(_good_of(bads[tier])))})
            out += [{"series": f"{LATE_SERIES}{lbl(objective=tier)}",
                     "values": counter(part(bads[tier]), missing_bad)} for tier in tiers.tiers_of(metric)]
            return out
        case RatioMetric():
            assert isinstance(metric.target, BoundObjective)
            at_most = metric.target.form == "at_most"
            out = [{"series": f"{EVENTS_SERIES}{lbl(event=metric.denominator)}", "values": counter(part(whole))}]
            if not without_numerator:
                numerator = part(bad_t) if at_most else part(lambda s: 1 - bad_t(s))
                out.append({"series": f"{EVENTS_SERIES}{lbl(event=metric.numerator)}",
                            "values": counter(numerator, missing_bad if at_most else 0)})
            return out
        case ScoreMetric():
            # An internal metric's floor is its target (its tiers' errors are the same).
            floor = metric.promise if metric.promise is not None else metric.target
            assert isinstance(floor, ShareObjective) and isinstance(metric.target, ShareObjective)
            values = answer_values(metric)
            low, high = values[0], values[-1]
            out = [{"series": f"{ANSWERS_SERIES}{lbl(value=str(high))}",
                    "values": counter(part(lambda s: 1 - bad_t(s)))},
                   {"series": f"{ANSWERS_SERIES}{lbl(value=str(low))}", "values": counter(part(bad_p), missing_bad)}]
            middle = [v for v in values if floor.value <= v < metric.target.value]
            if middle:
                out.append({"series": f"{ANSWERS_SERIES}{lbl(value=str(middle[0]))}",
                            "values": counter(part(lambda s: bad_t(s) - bad_p(s)), missing_bad)})
            return out
        case NpsMetric() | CountMetric():
            raise AssertionError(f"a {metric.kind} metric is not a share of good events")
        case _:
            unknown_kind(metric)


def _good_of(bad: Callable[[Stretch], Fraction]) -> Callable[[Stretch], Fraction]:
    """The share of good events of a stretch, from its share of bad ones."""
    return lambda s: 1 - bad(s)


def _stretch(rules: MetricRules, tier: Tier, samples: int, error: Fraction | None,
             volume: Fraction | int = 1) -> Stretch:
    if error is None:
        return Stretch(samples, None, None, volume)
    errors = tier_errors(rules, tier, error)
    return Stretch(samples, errors["promise"], errors["target"], volume)


# A burst lands on sample 56 of 61 taken a minute apart: every window of 5m or longer
# sees it. A metric read over a shorter window (`window 2m`, `count x per 1s`) would
# miss it, so its burst lands on the last sample, the moment the rules are evaluated.
_SHORTEST_SEEING_MINUTE_56 = 5 * _MINUTE


def _burst_at(rules: MetricRules) -> int:
    """The sample (minutes into the hour) at which a burst of events arrives."""
    shortest = min(window_seconds(w) for w in rules.windows)
    return 56 if shortest >= _SHORTEST_SEEING_MINUTE_56 else 60


def _burst(rules: MetricRules, errors: dict[Tier, Fraction], events: Fraction | int, missing_bad: bool = False,
           without_numerator: bool = False) -> list[dict[str, Any]]:
    """`events` events in the last five minutes of an hour (every window sees all of
    them; the series exist from the start at 0), `errors` of them missing each tier.
    With `missing_bad`, the counters of bad events appear only with them."""
    volume = Fraction(events) / per_sample(rules)
    at = _burst_at(rules)
    stretches = [Stretch(at, Fraction(0), Fraction(0), 0), Stretch(1, errors["promise"], errors["target"], volume),
                 Stretch(60 - at, Fraction(0), Fraction(0), 0)]
    return share_series(rules, stretches, at if missing_bad else 0, without_numerator)


def _share_fires(rules: MetricRules, alert: Alert, errors: dict[Tier, Fraction],
                 events: Callable[[str], Fraction]) -> bool:
    """Whether a share's alert fires when every window sees its tier's error, with
    `events(window)` events in each."""
    error = errors[alert.tier]
    if alert.conditions:
        return any(_beyond(error, c.threshold, ">=" if c.inclusive else ">")
                   and events(c.long_window) >= alert.minimum and events(c.short_window) > 0
                   for c in alert.conditions)
    judged = alert.judged
    assert judged is not None
    if judged.compared == "error":
        assert judged.window is not None and judged.minimum is not None
        budget = 1 - good_fraction(tiers.objective_of(rules.metric, alert.tier))
        return error > budget and events(judged.window) >= judged.minimum
    return False  # open cases: their gauges are not fed here


def _uniform(rules: MetricRules, name: str, errors: dict[Tier, Fraction], events: int, **how: bool) -> Case:
    series = _burst(rules, errors, events, **how)
    firing = _indices(rules, lambda a: _share_fires(rules, a, errors, lambda w: Fraction(events)))
    return Case(name, _MINUTE, series, _HOUR, firing)


def _share_cases(rules: MetricRules) -> list[Case]:
    metric = rules.metric
    n = per_sample(rules)
    total = n * BURST
    cases: list[Case] = []
    for tier in tiers.tiers_of(metric):
        mine = [a for a in rules.alerts if a.tier == tier and (a.conditions or (a.judged and a.judged.compared == "error"))]
        if not mine:
            continue
        budget = 1 - good_fraction(tiers.objective_of(metric, tier))
        cases.append(_uniform(rules, f"the {tier} exactly at its objective ({_fmt(budget)} of events bad), "
                                     f"{total} events at once", tier_errors(rules, tier, budget), total))
        bad = budget * total + 1
        if bad <= total:
            cases.append(_uniform(rules, f"one bad event past the {tier}'s objective",
                                  tier_errors(rules, tier, bad / total), total))
        few = rules.minimum - 1
        if few > 0:
            cases.append(_uniform(rules, f"total failure of the {tier} with {few} events (the minimum is "
                                         f"{rules.minimum})", tier_errors(rules, tier, Fraction(1)), few))
        cases.append(_uniform(rules, f"total failure of the {tier} with {rules.minimum} events",
                              tier_errors(rules, tier, Fraction(1)), rules.minimum))
        cases.append(_uniform(rules, f"the first bad events of counters never initialised ({tier})",
                              tier_errors(rules, tier, min(Fraction(1), bad / total)), total, missing_bad=True))
        burn = next((a for a in mine if a.conditions), None)
        if burn is not None:
            cases += _burn_cases(rules, burn, budget)
    match metric:
        case RatioMetric():  # a share never counted: nothing bad for `at most`, total failure for `at least`
            assert isinstance(metric.target, BoundObjective)
            error = Fraction(0) if metric.target.form == "at_most" else Fraction(1)
            cases.append(_uniform(rules, f"the numerator `{metric.numerator}` never counted ({_fmt(error)} of "
                                         f"events bad)", {"promise": error, "target": error}, total,
                                  without_numerator=True))
        case TimeMetric() | ScoreMetric() | NpsMetric() | CountMetric():
            pass
        case _:
            unknown_kind(metric)
    return cases


def _burn_cases(rules: MetricRules, alert: Alert, budget: Fraction) -> list[Case]:
    tier, conds = alert.tier, alert.conditions
    shortest = min(window_seconds(c.short_window) for c in conds)
    # A sample every quarter of the shortest window: enough for every window,
    # few enough that days of input stay quick to evaluate.
    step = max(_MINUTE, int(shortest / 4) // _MINUTE * _MINUTE)
    longest = max(int(window_seconds(c.long_window)) for c in conds)
    samples = longest // step + 1
    n = per_sample(rules)
    top = max(c.threshold for c in conds)
    fire = Fraction(1) if any(c.inclusive for c in conds) else min(Fraction(1), top * Fraction(11, 10))
    cases = []
    for error, how in ((budget, "exactly at its objective"), (fire, f"burning at {_fmt(fire)}")):
        errors = tier_errors(rules, tier, error)

        def steady(window: str) -> Fraction:
            return Fraction(n * min(int(window_seconds(window)), longest) // step)

        firing = _indices(rules, lambda a: _share_fires(rules, a, errors, steady))
        cases.append(Case(f"the {tier} {how}, steady for {_duration(longest)}", step,
                          share_series(rules, [_stretch(rules, tier, samples, error)]), longest, firing))
    me = {rules.alerts.index(alert)}
    for cond in conds:
        lone = _alone(cond, conds)
        if lone is None:
            continue
        fires_at, quiet = lone
        width = int(window_seconds(cond.long_window))
        pair = f"{cond.long_window}/{cond.short_window}"
        for error, fires, how in ((fires_at, True, "fires"), (quiet, False, "stays silent")):
            stretches = [_stretch(rules, tier, (longest - width) // step, Fraction(0), HEALTHY_VOLUME),
                         _stretch(rules, tier, width // step + 1, error)]
            if longest == width:
                stretches = [_stretch(rules, tier, width // step + 1, error)]
            cases.append(Case(f"{alert.name} {how} on the {pair} windows alone at an error ratio of {_fmt(error)}",
                              step, share_series(rules, stretches), longest, me if fires else set(), me))
    # Failing, then healthy for as long as the longest short window: a long window
    # still burns, every short one is clean -- the alert resets at once.
    longest_short = max(int(window_seconds(c.short_window)) for c in conds)
    failing_s = longest - longest_short
    failing, healthy = failing_s // step + 1, longest_short // step
    burning = any(Fraction(min(int(window_seconds(c.long_window)), failing_s), int(window_seconds(c.long_window)))
                  > c.threshold for c in conds if int(window_seconds(c.long_window)) > longest_short)
    if burning:
        cases.append(Case(f"{alert.name} stops once the short window is healthy again", step,
                          share_series(rules, [_stretch(rules, tier, failing, Fraction(1)),
                                               _stretch(rules, tier, healthy, Fraction(0))]), longest, set(), me))
    cases.append(Case(f"{alert.name} stops once the short window has no events", step,
                      share_series(rules, [_stretch(rules, tier, failing, Fraction(1)),
                                           _stretch(rules, tier, healthy, None)]), longest, set(), me))
    return cases


def _alone(cond: BurnCondition, conds: Sequence[BurnCondition]) -> tuple[Fraction, Fraction] | None:
    """Error ratios just above and just below `cond`'s threshold, failing only during
    its long window (healthy before), such that no other window pair fires; None
    when the other pairs cannot be kept quiet that way."""
    if len(conds) < 2:
        return None
    fire = min(Fraction(1), cond.threshold * Fraction(11, 10)) if cond.threshold > 0 else Fraction(1, 2)
    quiet = cond.threshold * Fraction(9, 10)
    if fire <= cond.threshold and not cond.inclusive:
        return None
    span = window_seconds(cond.long_window)

    def seen(window: str) -> Fraction:
        # The failing stretch is the last `span`; before it, healthy traffic at
        # HEALTHY_VOLUME dilutes every longer window.
        width = window_seconds(window)
        failing = min(width, span)
        return fire * failing / (failing + HEALTHY_VOLUME * max(Fraction(0), width - span))

    for other in conds:
        if other is cond:
            continue
        if seen(other.long_window) > other.threshold * Fraction(9, 10):
            return None
    return fire, quiet


# A metric's own queries ------------------------------------------------------------------


def _recorded_cases(rules: MetricRules) -> list[Case]:
    """`source prometheus`: the recorded indicators fed directly, every window of a
    tier at one value, with a number of events in each."""
    metric = rules.metric
    kind = rules.contract.kind
    cases = []

    def fed(tier: Tier | None, value: Fraction, events: int) -> list[dict[str, Any]]:
        out = []
        for window in rules.windows:
            labels = {**rules.labels, tiers.LABEL: tier} if tier else dict(rules.labels)
            sel = label_matchers(labels)
            indicator = naming.indicator(kind, window)
            out += [{"series": f"{indicator}{sel}", "values": f"{_fmt(value)}x60"},
                    {"series": f"{naming.events(window)}{sel}", "values": f"{events}x60"}]
        return out

    if kind == "ratio-like":
        for tier in tiers.tiers_of(metric):
            budget = 1 - good_fraction(tiers.objective_of(metric, tier))
            for error, events, how in ((budget, rules.minimum, "exactly at its objective"),
                                       (Fraction(1), rules.minimum, "failing every event"),
                                       (Fraction(1), rules.minimum - 1, "failing every event, too few of them")):
                if events < 1:
                    continue
                errors: dict[Tier, Fraction] = {"promise": error, "target": error}  # only `tier` is fed
                mine = _indices(rules, lambda a: a.tier == tier)
                firing = _indices(rules, lambda a: a.tier == tier and _share_fires(
                    rules, a, errors, lambda w: Fraction(events)))
                cases.append(Case(f"the {tier} {how} ({events} events)", _MINUTE, fed(tier, error, events), _HOUR,
                                  firing, mine))
        return cases
    for alert in rules.alerts:
        judged = alert.judged
        assert judged is not None
        threshold = Fraction(repr(judged.threshold))
        beyond = threshold - 1 if judged.op == "<" else threshold + 1
        minimum = judged.minimum or 1
        me = {rules.alerts.index(alert)}
        for value, fires, how in ((threshold, False, "exactly at the objective"), (beyond, True, "past the objective")):
            cases.append(Case(f"{alert.name} ({alert.tier}) {how}", _MINUTE, fed(None, value / judged.scale, minimum),
                              _HOUR, me if fires else set(), me))
    return cases


# Scores and NPS ------------------------------------------------------------------------


def _answer_series(rules: MetricRules, counts: dict[int, int], missing: bool = False) -> list[dict[str, Any]]:
    """Answers given in the last five minutes of an hour, the series at 0 before."""
    metric = rules.metric
    assert isinstance(metric, (ScoreMetric, NpsMetric))
    out = []
    at = _burst_at(rules)
    for value in answer_values(metric):
        count = counts.get(value, 0)
        labels = label_matchers({**identity(rules.touchpoint, metric), "value": str(value)})
        out.append({"series": f"{ANSWERS_SERIES}{labels}",
                    "values": counter([(at, 0), (1, count), (60 - at, 0)], at if missing and count else 0)})
    return out


def _answer_level(rules: MetricRules, counts: dict[int, int]) -> Fraction:
    total = sum(counts.values())
    match rules.metric:
        case ScoreMetric():
            return Fraction(sum(v * c for v, c in counts.items()), total)
        case NpsMetric():
            promoters = sum(c for v, c in counts.items() if v >= 9)
            detractors = sum(c for v, c in counts.items() if v <= 6)
            return Fraction(100 * (promoters - detractors), total)
        case TimeMetric() | RatioMetric() | CountMetric():
            raise AssertionError("no answers")
        case _:
            unknown_kind(rules.metric)


def answers_at(rules: MetricRules, level: Fraction, answers: int) -> dict[int, int] | None:
    """Whole numbers of answers per value whose average (or NPS) is exactly `level`,
    `answers` in all; None when that is impossible."""
    metric = rules.metric
    match metric:
        case ScoreMetric():
            values = answer_values(metric)
            below = [v for v in values if v <= level]
            if not below:
                return None
            low = below[-1]
            if low == level:
                return {low: answers}
            high = low + 1
            share = (level - low) * answers  # answers of `high`
            if share.denominator != 1 or high not in values:
                return None
            return {low: answers - int(share), high: int(share)}
        case NpsMetric():
            gap = level * answers / 100  # promoters minus detractors
            if gap.denominator != 1 or abs(gap) > answers:
                return None
            return {10: int(gap), 7: answers - int(gap)} if gap >= 0 else {0: -int(gap), 7: answers + int(gap)}
        case TimeMetric() | RatioMetric() | CountMetric():
            raise AssertionError(f"a {metric.kind} metric has no answers")
        case _:
            unknown_kind(metric)


def _one_lower(rules: MetricRules, counts: dict[int, int]) -> dict[int, int] | None:
    """The same answers with one of them a step lower: just below the level."""
    metric = rules.metric
    assert isinstance(metric, (ScoreMetric, NpsMetric))
    values = answer_values(metric)
    for value in sorted(counts, reverse=True):
        lower = [v for v in values if v < value]
        if counts[value] > 0 and lower:
            out = dict(counts)
            out[value] -= 1
            out[lower[-1]] = out.get(lower[-1], 0) + 1
            return out
    return None


def _value_fires(alert: Alert, level: Fraction, count: int) -> bool:
    judged = alert.judged
    assert judged is not None
    threshold = Fraction(repr(judged.threshold))
    if judged.compared == "pace":
        return count * judged.scale > threshold and count >= (judged.minimum or 0)
    return _beyond(level, threshold, judged.op) and count >= (judged.minimum or 0)


def _answer_cases(rules: MetricRules) -> list[Case]:
    metric = rules.metric
    assert isinstance(metric, (ScoreMetric, NpsMetric))
    cases = []

    def case(name: str, counts: dict[int, int], missing: bool = False) -> Case:
        level, count = _answer_level(rules, counts), sum(counts.values())
        return Case(name, _MINUTE, _answer_series(rules, counts, missing), _HOUR,
                    _indices(rules, lambda a: _value_fires(a, level, count)))

    seen: set[Fraction] = set()
    for tier in tiers.tiers_of(metric):
        level = Fraction(repr(objective_value(tiers.objective_of(metric, tier))))
        if level in seen:
            continue
        seen.add(level)
        answers = max(100, rules.minimum) * BURST
        exact = answers_at(rules, level, answers)
        if exact is None:
            continue
        cases.append(case(f"answers exactly at the {tier} ({_fmt(level)})", exact))
        lower = _one_lower(rules, exact)
        if lower is not None:
            cases.append(case(f"one answer below the {tier}", lower))
    lowest = answer_values(metric)[0]
    if rules.minimum > 1:
        cases.append(case(f"{rules.minimum - 1} answers, all the lowest (the minimum is {rules.minimum})",
                          {lowest: rules.minimum - 1}))
    cases.append(case(f"{rules.minimum} answers, all the lowest", {lowest: rules.minimum}))
    cases.append(case(f"{rules.minimum} lowest answers in counters never initialised", {lowest: rules.minimum},
                      missing=True))
    return cases


# Counts ---------------------------------------------------------------------------------


def _count_series(rules: MetricRules, events: int, missing: bool = False) -> list[dict[str, Any]]:
    """`events` in the last five minutes of an hour, the counter at 0 before (or never
    initialised)."""
    metric = rules.metric
    assert isinstance(metric, CountMetric)
    labels = label_matchers({**identity(rules.touchpoint, metric), "event": metric.event})
    at = _burst_at(rules)
    return [{"series": f"{EVENTS_SERIES}{labels}",
             "values": counter([(at, 0), (1, events), (60 - at, 0)], at if missing else 0)}]


def _count_cases(rules: MetricRules) -> list[Case]:
    metric = rules.metric
    assert isinstance(metric, CountMetric)
    counts = {0, rules.minimum, max(rules.minimum - 1, 0)}
    for alert in rules.alerts:
        judged = alert.judged
        assert judged is not None
        at = math.floor(Fraction(repr(judged.threshold)) / judged.scale)
        counts |= {at, at + 1}
    cases = []
    for events in sorted(counts):
        firing = _indices(rules, lambda a: _value_fires(a, Fraction(events), events))
        cases.append(Case(f"{events} {metric.event} at once", _MINUTE, _count_series(rules, events), _HOUR, firing))
    events = max(counts)
    cases.append(Case(f"{events} {metric.event} in a counter never initialised", _MINUTE,
                      _count_series(rules, events, missing=True), _HOUR,
                      _indices(rules, lambda a: _value_fires(a, Fraction(events), events))))
    return cases


# Open cases and updates ---------------------------------------------------------------------


def _gauge_cases(rules: Group) -> list[Case]:
    """Open cases past the deadlines (or waiting for an update): none, one, one fewer
    than the minimum, the minimum; and past the target but not the promise."""
    gauges = [k for k, a in enumerate(rules.alerts)
              if a.judged is not None and a.judged.compared in ("overdue", "overdue-only-target", "updates")]
    if not gauges:
        return []
    updates = isinstance(rules, UpdatesRules)
    ident = ({"touchpoint": rules.touchpoint.id} if isinstance(rules, UpdatesRules)
             else identity(rules.touchpoint, rules.metric))
    # An internal metric reports only the target's overdue cases.
    shown: tuple[Tier, ...] = ("promise",) if isinstance(rules, UpdatesRules) else tiers.tiers_of(rules.metric)

    def series(promise: int, target: int) -> list[dict[str, Any]]:
        if updates:
            return [{"series": f"{UPDATES_OVERDUE_SERIES}{label_matchers(ident)}", "values": f"{promise}x60"}]
        count = {"promise": promise, "target": target}
        return [{"series": f"{OVERDUE_SERIES}{label_matchers({**ident, tiers.LABEL: tier})}",
                 "values": f"{count[tier]}x60"} for tier in shown]

    def fires(alert: Alert, promise: int, target: int) -> bool:
        judged = alert.judged
        assert judged is not None
        if judged.compared == "overdue-only-target":
            value = target - promise
        else:
            value = target if alert.tier == "target" else promise
        return _beyond(Fraction(value), Fraction(repr(judged.threshold)), judged.op)

    what = ("open cases waiting too long for an update" if updates
            else f"open cases past the {shown[0]}")
    counts = sorted({0, 1, max(rules.minimum - 1, 0), rules.minimum})
    cases = [Case(f"{count} {what}", _MINUTE, series(count, count), _HOUR,
                  {k for k in gauges if fires(rules.alerts[k], count, count)}, set(gauges)) for count in counts]
    if any(rules.alerts[k].judged.compared == "overdue-only-target" for k in gauges):  # type: ignore[union-attr]
        cases.append(Case("2 open cases past the promise, 3 past the target", _MINUTE, series(2, 3), _HOUR,
                          {k for k in gauges if fires(rules.alerts[k], 2, 3)}, set(gauges)))
    return cases


