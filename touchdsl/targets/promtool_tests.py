"""The `tests` target: `promtool test rules` files proving every alert.

`DIR/tests/<file>.test.yml` tests `DIR/prometheus/<file>.rules.yml`. For every
alert there is a case whose synthetic series breach the target and expect the
alert with its exact labels and annotations, and a case where the target is
met and nothing fires. Burn-rate alerts also get each window pair proven on its
own, just above and just below its threshold, and the two cases of the
no-traffic design: a short window without events keeps a real breach alerting,
and a short window with healthy traffic silences it. The breach and risk alerts
of scores, NPS and counts are told apart by when the trouble happened.

Input series are the instrumentation contract's own (histogram buckets, event
counters, answers by value), so the tests prove the whole way from what the
producers emit to the alert. A metric with `source prometheus` reads series
only its owners know; its alerts are proven on the recorded indicator instead.
"""

from __future__ import annotations

from typing import Any

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from touchdsl.documents.escape import dump_yaml
from touchdsl.model import (
    BoundObjective,
    CountMetric,
    NpsMetric,
    Project,
    RatioMetric,
    ScoreMetric,
    TimeMetric,
    counting_period,
    limit_size,
    metric_key,
    objective_value,
    objective_within,
    unknown_kind,
)
from touchdsl.slo import naming
from touchdsl.slo.burnrate import BurnCondition
from touchdsl.slo.burnrate import seconds as window_seconds
from touchdsl.slo.contract import (
    ANSWERS_SERIES,
    EVENTS_SERIES,
    go_float,
    histogram,
    identity,
    label_matchers,
)
from touchdsl.slo.rules import Alert, MetricRules, plan, risk_window
from touchdsl.targets import BuildOptions

# Cases per sample of the synthetic counters: large enough that shares are exact
# to many digits, small enough to read.
PER_SAMPLE = 100
# Healthy traffic before a failing stretch is this many times heavier, so windows
# longer than the stretch see it diluted and one window pair can be proven alone.
HEALTHY_VOLUME = 1000
# Rules are evaluated once an hour in the tests; every eval_time is a whole hour.
EVALUATION_INTERVAL = "1h"
_HOUR = 3600


@dataclass(frozen=True)
class Segment:
    """`samples` at one level of the indicator -- the error ratio of a ratio-like
    metric (None: no events at all), else the average answer, the NPS or the count
    per period -- with `volume` times the usual number of events per sample."""

    samples: int
    value: float | None
    volume: int = 1

    @property
    def level(self) -> float:
        """The value of a score, NPS or count segment, which always has events."""
        assert self.value is not None
        return self.value


def render(project: Project, options: BuildOptions) -> dict[str, bytes]:
    files: dict[str, list[MetricRules]] = {}
    for rules in plan(project, options):
        files.setdefault(rules.file, []).append(rules)
    out = {}
    for stem, groups in files.items():
        cases = []
        for rules in groups:
            for alert in rules.alerts:
                cases += alert_cases(rules, alert)
        out[f"tests/{stem}.test.yml"] = dump_yaml({
            "rule_files": [f"../prometheus/{stem}.rules.yml"],
            "evaluation_interval": EVALUATION_INTERVAL,
            "tests": cases,
        })
    return dict(sorted(out.items()))


def _fmt(value: float) -> str:
    """A sample value for promtool's series notation, rounded off float noise."""
    value = round(value, 9)
    if value == int(value):
        return str(int(value))
    return repr(value)


def _duration(total_seconds: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if total_seconds % size == 0:
            return f"{total_seconds // size}{unit}"
    return f"{total_seconds}s"


def counter(segments: list[tuple[int, float]]) -> str:
    """promtool's expanding notation for a counter starting at 0 and growing by
    `step` per sample, for `count` samples per segment."""
    parts = []
    value = 0.0
    first = True
    for count, step in segments:
        if count <= 0:
            continue
        start = value if first else value + step
        parts.append(f"{_fmt(start)}+{_fmt(step)}x{count - 1}")
        value = start + step * (count - 1)
        first = False
    return " ".join(parts)


def alert_cases(rules: MetricRules, alert: Alert) -> list[dict[str, Any]]:
    """The test cases of one alert."""
    where = f"{rules.touchpoint.id}/{metric_key(rules.metric)} {alert.name}"
    kind = rules.contract.kind
    per = counting_period(rules.metric)
    # A count is judged over its period: evaluate once a whole period has passed.
    eval_s = max(_HOUR, math.ceil(per.seconds / _HOUR) * _HOUR) if per is not None else _HOUR
    cases = [
        _case(f"{where} fires when the target is missed", rules, alert, alert.breach, eval_s, True),
        _case(f"{where} stays silent when the target is met", rules, alert, alert.met, eval_s, False),
    ]
    if kind == "ratio-like" and not rules.contract.overridden:
        cases += _burn_window_cases(where, rules, alert)
    elif not rules.contract.overridden:
        cases += _value_window_cases(where, rules, alert)
    return cases


def _value_window_cases(where: str, rules: MetricRules, alert: Alert) -> list[dict[str, Any]]:
    """A breach alert and a risk alert of a score, NPS or count read different
    windows; two stories tell them apart. "Earlier": the trouble happened before
    the risk window and the recent stretch is healthy. "Recent": only the risk
    window is troubled. The breach alert fires on the first and not the second,
    the risk alert the other way round."""
    metric = rules.metric
    mine = _window_of(alert.reads[0])
    per = counting_period(metric)
    breach_window = naming.window(per if per is not None else metric.window)
    risky = risk_window(breach_window)
    if risky is None:
        return []
    whole, recent = int(window_seconds(breach_window)), int(window_seconds(risky))
    step = max(60, recent // 4 // 60 * 60)
    if per is not None:
        limit = objective_value(metric.target)
        if limit <= 0:
            return []  # any event at all breaches a limit of 0: trouble cannot be only "recent"
        span = whole
        early = Fraction(repr(limit * 1.5 + 1)) * whole / (whole - recent - step)
        late = (Fraction(repr(limit)) + Fraction(9, 10) * Fraction(repr(limit)) * whole / (recent + step)) / 2
        stories = {"earlier": [Segment((span - recent) // step, float(early)), Segment(recent // step + 1, 0.0)],
                   "recent": [Segment((span - recent) // step, 0.0), Segment(recent // step + 1, float(late))]}
    else:
        if alert.met <= objective_value(metric.target):
            return []  # a target at the top of the scale: one bad answer anywhere misses it
        span = min(86400, whole - recent) + recent
        bad, good = alert.breach, alert.met
        prefix = (span - recent) // step
        stories = {"earlier": [Segment(prefix, bad, HEALTHY_VOLUME), Segment(recent // step + 1, good)],
                   "recent": [Segment(prefix, good, HEALTHY_VOLUME), Segment(recent // step + 1, bad)]}
    if span % _HOUR:
        return []
    fires_on = "earlier" if mine == breach_window else "recent"
    told = {"earlier": f"the trouble was earlier in the {breach_window} and the last {risky} is fine",
            "recent": f"only the last {risky} is troubled"}
    cases = []
    for story, segments in stories.items():
        fires = story == fires_on
        cases.append(_test(f"{where} {'fires' if fires else 'stays silent'} when {told[story]}", step,
                           value_series(rules, segments, step), span, alert, fires))
    return cases


def _window_of(record: str) -> str:
    return record.rsplit(":", 1)[1].split("rate", 1)[1]


def _case(name: str, rules: MetricRules, alert: Alert, value: float, eval_s: int, fires: bool) -> dict[str, Any]:
    interval = _HOUR if eval_s > 86400 else 60
    samples = eval_s // interval + 1
    if rules.contract.overridden:
        series = [{"series": f"{record}{label_matchers(rules.labels)}",
                   "values": f"{_fmt(value)}+0x{samples - 1}"} for record in alert.reads]
    else:
        series = input_series(rules, value, samples, interval)
    return _test(name, interval, series, eval_s, alert, fires)


def _test(name: str, interval: int, series: list[dict[str, Any]], eval_s: int, alert: Alert,
          fires: bool) -> dict[str, Any]:
    expected = [{"exp_labels": dict(alert.labels), "exp_annotations": dict(alert.annotations)}] if fires else []
    return {
        "name": name,
        "interval": _duration(interval),
        "input_series": series,
        "alert_rule_test": [{"eval_time": _duration(eval_s), "alertname": alert.name, "exp_alerts": expected}],
    }


def _burn_window_cases(where: str, rules: MetricRules, alert: Alert) -> list[dict[str, Any]]:
    """Each window pair proven on its own, and the no-traffic design: a quiet short
    window keeps a breach alerting, a healthy one silences it."""
    conds = alert.conditions
    cases = []
    # A sample every quarter of the shortest window: enough for rate() in every
    # window, few enough that days of input stay quick to evaluate.
    step = max(60, int(min(window_seconds(c.short_window) for c in conds) / 4) // 60 * 60)
    longest = max(int(window_seconds(c.long_window)) for c in conds)
    for cond in conds:
        lone = _alone(cond, conds)
        if lone is None:
            continue
        fire, quiet = lone
        span = int(window_seconds(cond.long_window))
        pair = f"{cond.long_window}/{cond.short_window}"
        for error, fires, how in ((fire, True, "fires"), (quiet, False, "stays silent")):
            segments = [Segment((longest - span) // step, 0.0, HEALTHY_VOLUME), Segment(span // step + 1, error)]
            if longest == span:
                segments = [Segment(span // step + 1, error)]
            cases.append(_test(f"{where} {how} on the {pair} windows alone at an error ratio of {_fmt(error)}",
                               step, segmented_series(rules, segments), longest, alert, fires))
    short_s = max(int(window_seconds(c.short_window)) for c in conds)
    # Failing, then no events for a little longer than the longest short window:
    # every short window is empty at eval time, every long one saw the failure.
    margin = max(600, step)
    quiet_eval = math.ceil((short_s + margin + 2 * step) / _HOUR) * _HOUR
    failing = (quiet_eval - short_s - margin) // step
    segments = [Segment(failing, 1.0), Segment(quiet_eval // step - failing + 1, None)]
    cases.append(_test(f"{where} keeps firing when the short window has no traffic", step,
                       segmented_series(rules, segments), quiet_eval, alert, True))
    # Failing, then as long healthy: the long windows still burn at about 50%, the
    # short ones are clean.
    if any(c.threshold < Fraction(2, 5) for c in conds):
        segments = [Segment(short_s // step, 1.0), Segment(short_s // step + 1, 0.0)]
        cases.append(_test(f"{where} stops once the short window is healthy again", step,
                           segmented_series(rules, segments), 2 * short_s, alert, False))
    return cases


def _alone(cond: BurnCondition, conds: Sequence[BurnCondition]) -> tuple[float, float] | None:
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
        margin = other.threshold * Fraction(9, 10)
        if seen(other.long_window) > margin and seen(other.short_window) > margin:
            return None
    return float(fire), float(quiet)


# Input series --------------------------------------------------------------------


def _labels(rules: MetricRules, **extra: str) -> str:
    return label_matchers({**identity(rules.touchpoint, rules.metric), **extra})


def input_series(rules: MetricRules, value: float, samples: int, interval: int) -> list[dict[str, Any]]:
    """Counters growing at a constant pace so every window sees `value`: the error
    ratio, the average answer, the NPS or the count per period."""
    match rules.contract.kind:
        case "ratio-like":
            return segmented_series(rules, [Segment(samples, value)])
        case "average" | "nps" | "count":
            return value_series(rules, [Segment(samples, value)], interval)
        case _:
            unknown_kind(rules.contract.kind)


def value_series(rules: MetricRules, segments: list[Segment], step: int) -> list[dict[str, Any]]:
    """The raw series of a score average, an NPS or a count going through
    `segments` of indicator values."""
    metric = rules.metric
    match metric:
        case ScoreMetric():
            values = sorted({int(s.level) for s in segments})
            return [{"series": f"{ANSWERS_SERIES}{_labels(rules, value=str(v))}",
                     "values": counter([(s.samples, PER_SAMPLE * s.volume if int(s.level) == v else 0.0)
                                        for s in segments])} for v in values]
        case NpsMetric():
            return [
                {"series": f"{ANSWERS_SERIES}{_labels(rules, value='10')}",
                 "values": counter([(s.samples, s.volume * (PER_SAMPLE + s.level) / 2) for s in segments])},
                {"series": f"{ANSWERS_SERIES}{_labels(rules, value='0')}",
                 "values": counter([(s.samples, s.volume * (PER_SAMPLE - s.level) / 2) for s in segments])},
            ]
        case CountMetric():
            return [{"series": f"{EVENTS_SERIES}{_labels(rules, event=metric.event)}",
                     "values": counter([(s.samples, s.level * s.volume * step / metric.per.seconds)
                                        for s in segments])}]
        case TimeMetric() | RatioMetric():
            raise AssertionError(f"a {metric.kind} metric is a share of good events: see segmented_series")
        case _:
            unknown_kind(metric)


def segmented_series(rules: MetricRules, segments: list[Segment]) -> list[dict[str, Any]]:
    """The raw series of a ratio-like metric going through `segments` of error ratios."""
    metric = rules.metric
    total = [(s.samples, 0.0 if s.value is None else PER_SAMPLE * s.volume) for s in segments]
    bad = [(s.samples, 0.0 if s.value is None else PER_SAMPLE * s.volume * s.value) for s in segments]
    good = [(n, t - b) for (n, t), (_, b) in zip(total, bad)]
    match metric:
        case TimeMetric():
            le = go_float(limit_size(objective_within(metric.target).within))
            name = histogram(metric)
            return [
                {"series": f"{name}_bucket{_labels(rules, le=le)}", "values": counter(good)},
                {"series": f"{name}_bucket{_labels(rules, le='+Inf')}", "values": counter(total)},
                {"series": f"{name}_count{_labels(rules)}", "values": counter(total)},
            ]
        case RatioMetric():
            at_most = isinstance(metric.target, BoundObjective) and metric.target.form == "at_most"
            share = bad if at_most else good
            return [
                {"series": f"{EVENTS_SERIES}{_labels(rules, event=metric.denominator)}", "values": counter(total)},
                {"series": f"{EVENTS_SERIES}{_labels(rules, event=metric.numerator)}", "values": counter(share)},
            ]
        case ScoreMetric():  # `P% at least N`: the top answer is good, the lowest bad
            return [
                {"series": f"{ANSWERS_SERIES}{_labels(rules, value=str(int(metric.high)))}",
                 "values": counter(good)},
                {"series": f"{ANSWERS_SERIES}{_labels(rules, value=str(math.ceil(metric.low)))}",
                 "values": counter(bad)},
            ]
        case NpsMetric() | CountMetric():
            raise AssertionError(f"a {metric.kind} metric is not a share of good events: see value_series")
        case _:
            unknown_kind(metric)
