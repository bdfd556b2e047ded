"""The rule plan: for every metric, the indicator recorded over each window, the
meta rules (objective, error budget, budget remaining) and the alerts.

The prometheus target writes the plan as rules files; the tests target proves each
alert with `promtool test rules`; grafana and openslo read the same recordings.
Every expression is built from the model's numbers and the instrumentation
contract, never from titles, so a hostile title cannot change a rule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

from touchdsl.model import (
    AverageObjective,
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
    WithinObjective,
    business_days,
    counting_period,
    limit_text,
    metric_key,
    objective_value,
    objective_within,
    unknown_kind,
)
from touchdsl.options import BuildOptions
from touchdsl.slo import burnrate, naming
from touchdsl.slo.contract import (
    SEGMENT_LABEL,
    MetricContract,
    pause_words,
    answer_values,
    label_matchers,
    metric_contract,
    number,
    render_query,
    summed,
)
from touchdsl.slo.contract import identity as contract_identity

# Windows the indicator is recorded over, besides the metric's own (and a count's period).
RECORDED_WINDOWS = naming.ALERT_WINDOWS


@dataclass(frozen=True)
class Alert:
    name: str
    severity: str
    expr: str
    labels: dict[str, str]
    annotations: dict[str, str]  # as the receiver reads them (raw text, not template-escaped)
    # For the tests target: the recorded indicators the alert reads, and how to breach it.
    reads: tuple[str, ...] = ()
    breach: float = 0.0  # an indicator value that fires the alert
    met: float = 0.0  # an indicator value that keeps it silent
    conditions: tuple[burnrate.BurnCondition, ...] = ()  # of a burn-rate alert


@dataclass(frozen=True)
class MetricRules:
    touchpoint: Touchpoint
    metric: Metric
    file: str  # stem of the rules file
    labels: dict[str, str]  # identity labels every series and alert carries
    contract: MetricContract
    windows: tuple[str, ...]
    recordings: list[tuple[str, str]] = field(default_factory=list)  # (record, expr)
    alerts: list[Alert] = field(default_factory=list)

    @property
    def group(self) -> str:
        return f"touchdsl.{self.touchpoint.id}.{metric_key(self.metric)}"


def rules_file_name(touchpoint: Touchpoint) -> str:
    """Rules are filed by journey; a touchpoint without one by its owner."""
    return touchpoint.journey or touchpoint.owner


def plan(project: Project, options: BuildOptions) -> list[MetricRules]:
    """Every metric's rules, in source order."""
    out = []
    for touchpoint in project.touchpoints.values():
        for metric in touchpoint.metrics:
            out.append(metric_rules(project, touchpoint, metric, options))
    return out


def identity(touchpoint: Touchpoint, metric: Metric) -> dict[str, str]:
    labels = {**contract_identity(touchpoint, metric), "owner": touchpoint.owner}
    if touchpoint.journey:
        labels["journey"] = touchpoint.journey
    return labels


def _seconds(window: str) -> Fraction:
    return burnrate.seconds(window)


def windows_of(metric: Metric) -> tuple[str, ...]:
    wanted = set(RECORDED_WINDOWS) | {naming.window(metric.window)}
    per = counting_period(metric)
    if per is not None:
        wanted.add(naming.window(per))
    return tuple(sorted(wanted, key=_seconds))


def risk_window(longest: str) -> str | None:
    """The window a risk alert of a non-ratio kind looks at: a day, or the largest
    alerting window at most half of `longest` when a day is too long."""
    limit = min(_seconds(naming.RISK_WINDOW), _seconds(longest) / 2)
    fitting = [w for w in naming.ALERT_WINDOWS if _seconds(w) <= limit]
    return fitting[-1] if fitting else None


def selector(labels: dict[str, str]) -> str:
    """The matchers that pick one metric's recorded series (one class's, for a metric judged per class)."""
    return label_matchers({k: labels[k] for k in ("touchpoint", "metric", SEGMENT_LABEL) if k in labels})


def _num(value: float | Fraction) -> str:
    """A PromQL number literal; Fractions go through float's shortest form."""
    return number(float(value))


def metric_rules(project: Project, touchpoint: Touchpoint, metric: Metric, options: BuildOptions) -> MetricRules:
    contract = metric_contract(project, touchpoint, metric)
    labels = identity(touchpoint, metric)
    rules = MetricRules(touchpoint, metric, rules_file_name(touchpoint), labels, contract, windows_of(metric))
    # The user's queries are summed so they combine like the default ones (one
    # series without labels); the defaults already are. The checker parsed each
    # query wrapped the same way (TD411).
    q = {key: {w: summed(query, w) if contract.overridden else render_query(query, w) for w in rules.windows}
         for key, query in contract.queries.items()}
    sel = selector(labels)
    texts = Annotations(project, touchpoint, metric, options)
    kind = contract.kind
    match kind:
        case "ratio-like":
            _share_rules(rules, q, sel, texts)
            return rules
        case "average":
            indicator = naming.score_average
            for w in rules.windows:
                rules.recordings.append((indicator(w), f"{q['good'][w]}\n/\n({q['total'][w]} > 0)"))
        case "nps":
            indicator = naming.nps
            for w in rules.windows:
                rules.recordings.append((indicator(w), f"100 * {q['good'][w]}\n/\n({q['total'][w]} > 0)"))
        case "count":
            indicator = naming.count_per_period
            assert isinstance(metric, CountMetric)
            per = _num(metric.per.seconds)
            for w in rules.windows:
                rules.recordings.append((indicator(w), f"{q['total'][w]} * {per}"))
        case _:
            unknown_kind(kind)
    rules.recordings.append((naming.OBJECTIVE_VALUE, f"vector({_num(objective_value(metric.target))})"))
    if metric.promise is not None:  # an internal metric has no promise to record
        rules.recordings.append((naming.PROMISE_VALUE, f"vector({_num(objective_value(metric.promise))})"))
    rules.alerts.extend(_value_alerts(metric, kind, indicator, labels, sel, texts))
    return rules


def _share_rules(rules: MetricRules, q: dict[str, dict[str, str]], sel: str, texts: Annotations) -> None:
    """The error ratio over every window, the meta rules and the burn-rate alerts."""
    metric = rules.metric
    own = naming.window(metric.window)
    for w in rules.windows:
        rules.recordings.append((naming.sli_error(w),
                                 f"({q['total'][w]} - {q['good'][w]})\n/\n({q['total'][w]} > 0)"))
    objective = good_fraction(metric.target)
    budget = 1 - objective
    rules.recordings.append((naming.OBJECTIVE, f"vector({_num(objective)})"))
    if metric.promise is not None:  # an internal metric has no promise to record
        rules.recordings.append((naming.PROMISE, f"vector({_num(good_fraction(metric.promise))})"))
    rules.recordings.append((naming.ERROR_BUDGET, f"vector({_num(budget)})"))
    if budget > 0:
        remaining = f"1 - {naming.sli_error(own)}{sel} / {_num(budget)}"
    else:  # no budget: any bad event spends all of it
        remaining = f"1 - ({naming.sli_error(own)}{sel} > bool 0)"
    rules.recordings.append((naming.BUDGET_REMAINING, remaining))
    if _can_fail(metric):
        for severity, name in ((burnrate.PAGE, naming.ALERT_FAST_BURN), (burnrate.TICKET, naming.ALERT_SLOW_BURN)):
            conds = [c for c in burnrate.conditions(own, budget) if c.severity == severity]
            if conds:
                rules.alerts.append(_burn_alert(name, severity, conds, rules.labels, sel, texts))


def good_fraction(objective: Objective) -> Fraction:
    """The objective as the exact share of good events (0..1), as the meta rules record it."""
    return Fraction(repr(good_percent(objective))) / 100


def good_percent(objective: Objective) -> float:
    """The objective as the percentage of good events (a share's objective only)."""
    match objective:
        case WithinObjective() | ShareObjective():
            return objective.percent
        case BoundObjective():
            return 100 - objective.value if objective.form == "at_most" else objective.value
        case AverageObjective():
            raise AssertionError("an average is not a share of good events")
        case _:
            unknown_kind(objective)


def _can_fail(metric: Metric) -> bool:
    """False when no event can be bad (a `P% at least LO` score): no alert could fire."""
    match metric:
        case ScoreMetric():
            return objective_value(metric.target) > metric.low
        case TimeMetric() | RatioMetric() | NpsMetric() | CountMetric():
            return True
        case _:
            unknown_kind(metric)


def _burn_alert(name: str, severity: str, conds: list[burnrate.BurnCondition], labels: dict[str, str], sel: str,
                texts: Annotations) -> Alert:
    parts: list[str] = []
    reads: list[str] = []
    for c in conds:
        above, recovered = (">=", "<") if c.inclusive else (">", "<=")
        threshold = _num(c.threshold)
        long_s, short_s = naming.sli_error(c.long_window), naming.sli_error(c.short_window)
        reads += [long_s, short_s]
        parts.append(f"(\n  {long_s}{sel} {above} {threshold}\n"
                     f"  unless on(touchpoint, metric)\n"
                     f"  {short_s}{sel} {recovered} {threshold}\n)")
    lowest = min(c.threshold for c in conds)
    breach = min(Fraction(1), lowest * Fraction(11, 10)) if lowest > 0 else Fraction(1, 2)
    met = lowest * Fraction(9, 10)
    what = ("the error budget is burning fast: the target will be missed within days"
            if severity == burnrate.PAGE else
            "the error budget is burning: at this pace the target will be missed this window")
    return Alert(name, severity, "\nor\n".join(parts), {**labels, "severity": severity},
                 texts.for_alert(what), tuple(dict.fromkeys(reads)), float(breach), float(met), tuple(conds))


def _recent_words(what: str, window: Duration) -> tuple[str, str | None, str, str]:
    """The breach window (the metric's own), the risk window and what each alert says."""
    breach_window = naming.window(window)
    risky = risk_window(breach_window)
    return (breach_window, risky, f"{what} over {breach_window} is below the target",
            f"{what} over the last {risky} is below the target")


def _value_alerts(metric: Metric, kind: Indicator, indicator: Callable[[str], str], labels: dict[str, str],
                  sel: str, texts: Annotations) -> list[Alert]:
    """The breach alert (page) over the metric's window, or a count's period, and
    the risk alert (ticket) over a shorter recent window."""
    limit = objective_value(metric.target)
    match metric:
        case CountMetric():
            breach_window = naming.window(metric.per)
            risky = risk_window(breach_window)
            breach_name, risk_name = naming.ALERT_COUNT_BREACH, naming.ALERT_COUNT_RISK
            op, breach, met = ">", limit * 1.5 + 1, limit / 2
            what_breach = f"more {metric.event} in the last {breach_window} than the target allows"
            what_risk = f"at the pace of the last {risky}, {metric.event} would exceed the target per {breach_window}"
        case ScoreMetric():
            values = [v for v in answer_values(metric) if v < limit]
            if not values:
                return []  # every answer meets `average at least LO`: nothing can breach it
            breach_name, risk_name = naming.ALERT_SCORE_BREACH, naming.ALERT_SCORE_RISK
            op, breach, met = "<", float(values[-1]), float(answer_values(metric)[-1])
            breach_window, risky, what_breach, what_risk = _recent_words("the average answer", metric.window)
        case NpsMetric():
            if limit <= -100:
                return []  # NPS at least -100 cannot be missed
            breach_name, risk_name = naming.ALERT_NPS_BREACH, naming.ALERT_NPS_RISK
            op, breach, met = "<", max(-100.0, limit - 10), min(100.0, limit + 10)
            breach_window, risky, what_breach, what_risk = _recent_words("the NPS", metric.window)
        case TimeMetric() | RatioMetric():
            raise AssertionError(f"a {metric.kind} metric is judged by its error budget, not a value")
        case _:
            unknown_kind(metric)
    alerts = [Alert(breach_name, burnrate.PAGE, f"{indicator(breach_window)}{sel} {op} {_num(limit)}",
                    {**labels, "severity": burnrate.PAGE}, texts.for_alert(what_breach),
                    (indicator(breach_window),), breach, met)]
    if risky:
        alerts.append(Alert(risk_name, burnrate.TICKET, f"{indicator(risky)}{sel} {op} {_num(limit)}",
                            {**labels, "severity": burnrate.TICKET}, texts.for_alert(what_risk),
                            (indicator(risky),), breach, met))
    return alerts


# Annotations ----------------------------------------------------------------------


def objective_words(metric: Metric, objective: Objective) -> str:
    """The objective in plain English, as the alert and the contract state it."""
    match metric:
        case TimeMetric():
            within = objective_within(objective)
            clock = ""
            if metric.calendar:
                clock = f" ({metric.calendar})" if business_days(metric) else f" of business time ({metric.calendar})"
            paused = f", not counting pauses ({pause_words(metric)})" if metric.pauses else ""
            return f"{number(within.percent)}% of cases within {limit_text(within.within)}{clock}{paused}"
        case RatioMetric():
            assert isinstance(objective, BoundObjective)
            bound = "at most" if objective.form == "at_most" else "at least"
            return f"{bound} {number(objective.value)}% {metric.numerator} of {metric.denominator}"
        case ScoreMetric():
            scale = f"{number(metric.low)}..{number(metric.high)}"
            if isinstance(objective, AverageObjective):
                return f"average answer at least {number(objective.value)} on {scale}"
            assert isinstance(objective, ShareObjective)
            return f"{number(objective.percent)}% of answers at least {number(objective.value)} on {scale}"
        case NpsMetric():
            return f"NPS at least {number(objective_value(objective))}"
        case CountMetric():
            return f"at most {number(objective_value(objective))} {metric.event} per {metric.per.text}"
        case _:
            unknown_kind(metric)


def policy_link(options: BuildOptions, touchpoint: Touchpoint, metric: Metric) -> str:
    return f"{options.policy_url.rstrip('/')}/{touchpoint.owner}.html#{anchor(touchpoint, metric)}"


def anchor(touchpoint: Touchpoint, metric: Metric) -> str:
    """The id of a metric's section in its owner's policy page (one per class)."""
    segment = f"-{metric.segment}" if metric.segment is not None else ""
    return f"{touchpoint.id}-{metric.id}{segment}"


def title_of(touchpoint: Touchpoint, metric: Metric) -> str:
    """The metric's title, with the title of its class for a metric judged per class."""
    if metric.segment is None:
        return metric.title
    return f"{metric.title} ({touchpoint.case_class(metric.segment).title})"


def promise_words(metric: Metric) -> str:
    """The promise in plain English, or what stands for it on an internal metric."""
    if metric.promise is None:
        return "none: an internal metric, not published in the charter"
    return objective_words(metric, metric.promise)


class Annotations:
    def __init__(self, project: Project, touchpoint: Touchpoint, metric: Metric, options: BuildOptions):
        window = f" over a rolling {metric.window.text}"
        self.common = {
            "title": f"{touchpoint.title}: {title_of(touchpoint, metric)}",
            "expectation": touchpoint.expectation,
            "promise": promise_words(metric) + (window if metric.promise is not None else ""),
            "target": objective_words(metric, metric.target) + window,
            "policy": policy_link(options, touchpoint, metric),
        }
        self.where = f"{touchpoint.id}/{metric_key(metric)}"

    def for_alert(self, what: str) -> dict[str, str]:
        return {"summary": f"{self.where}: {what}", **self.common}
