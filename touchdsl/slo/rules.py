"""The rule plan: for every metric, the indicators recorded over each window, the
meta rules (objectives, error budgets, budget remaining) and the alerts of its two
tiers; for every touchpoint with `updates`, the alerts on overdue updates.

The promise (what customers were told) pages: its burn (customers failed fast
enough to break it), the promise broken over its window, a backlog of open cases
past its deadline. The target (the internal objective) tickets: its burn, the
target missed, the last day off the target, cases past its deadline. Small numbers
never page: an alert that judges a share, an average or a pace needs at least
`defaults { alerts need N events }` in its window (`Defaults.alert_minimum`), and
fewer than N cases past a deadline are a ticket.

The prometheus target writes the plan as rules files; the tests target proves each
alert with `promtool test rules`; grafana and openslo read the same recordings.
Every expression is built from the model's numbers and the instrumentation
contract, never from titles, so a hostile title cannot change a rule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from typing import TYPE_CHECKING, Literal, Union

from touchdsl.model import (
    AverageObjective,
    BoundObjective,
    CountMetric,
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
    business_calendar,
    counting_period,
    indicator,
    limit_size,
    metric_key,
    objective_value,
    objective_within,
    pauses,
    unknown_kind,
)
from touchdsl.options import BuildOptions
from touchdsl.slo import burnrate, naming, tiers
from touchdsl.slo.contract import (
    ANSWERS_SERIES,
    OPEN_SERIES,
    OVERDUE_SERIES,
    SEGMENT_LABEL,
    UPDATES_OVERDUE_SERIES,
    Counted,
    MetricContract,
    pause_words,
    answer_values,
    label_matchers,
    metric_contract,
    number,
    promql_string,
    render_query,
    selector,
    summed,
    whole_events,
)
from touchdsl.slo.contract import identity as contract_identity
from touchdsl.slo.tiers import Tier

if TYPE_CHECKING:
    from touchdsl.documents.wording import Words
    from touchdsl.model import Duration, Limit

Compared = Literal["error", "average", "nps", "count", "pace", "overdue", "overdue-only-target", "updates"]


@dataclass(frozen=True)
class Judged:
    """What a non-burn alert compares: `reads` over `window` (`op` `threshold`), with
    at least `minimum` events in that window when given. A pace compares
    `events * scale` with `threshold`."""

    compared: Compared
    reads: str
    window: str | None
    op: str
    threshold: float
    minimum: int | None = None
    scale: int = 1


@dataclass(frozen=True)
class Alert:
    name: str
    severity: str
    tier: Tier
    expr: str
    labels: dict[str, str]
    annotations: dict[str, str]  # as the receiver reads them (raw text, not template-escaped)
    # For the tests target and the documents: what the alert compares.
    conditions: tuple[burnrate.BurnCondition, ...] = ()  # of a burn-rate alert
    minimum: int = 0  # events the long window of a burn needs
    judged: Judged | None = None  # of every other alert


@dataclass(frozen=True)
class Recording:
    record: str
    expr: str
    labels: dict[str, str]  # the identity labels and, per tier, `objective`


@dataclass(frozen=True)
class MetricRules:
    touchpoint: Touchpoint
    metric: Metric
    file: str  # stem of the rules file
    labels: dict[str, str]  # identity labels every series and alert carries
    contract: MetricContract
    windows: tuple[str, ...]
    minimum: int  # events an alert needs (defaults { alerts need N events })
    recordings: list[Recording] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)

    @property
    def group(self) -> str:
        return f"touchdsl.{self.touchpoint.id}.{metric_key(self.metric)}"

    def recorded(self, name: str) -> bool:
        return any(r.record == name for r in self.recordings)


@dataclass(frozen=True)
class UpdatesRules:
    """The rules of a touchpoint's `updates every N` promise."""

    touchpoint: Touchpoint
    file: str
    labels: dict[str, str]
    minimum: int
    recordings: list[Recording] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)

    @property
    def group(self) -> str:
        return f"touchdsl.{self.touchpoint.id}.{naming.UPDATES_METRIC}"


Group = Union[MetricRules, UpdatesRules]


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


def groups(project: Project, options: BuildOptions) -> list[Group]:
    """Every rule group in source order: a touchpoint's metrics, then its updates."""
    out: list[Group] = []
    for touchpoint in project.touchpoints.values():
        for metric in touchpoint.metrics:
            out.append(metric_rules(project, touchpoint, metric, options))
        if touchpoint.updates is not None:
            out.append(updates_rules(project, touchpoint, options))
    return out


def identity(touchpoint: Touchpoint, metric: Metric | None) -> dict[str, str]:
    """The labels of every series and alert of a metric (`segment` for one judged per
    class), or of a touchpoint's updates."""
    own = (contract_identity(touchpoint, metric) if metric is not None
           else {"touchpoint": touchpoint.id, "metric": naming.UPDATES_METRIC})
    labels = {**own, "owner": touchpoint.owner}
    if touchpoint.journey:
        labels["journey"] = touchpoint.journey
    return labels


def _seconds(window: str) -> Fraction:
    return burnrate.seconds(window)


def windows_of(metric: Metric) -> tuple[str, ...]:
    """Every window the metric's indicators are recorded over: a share's tiers' burn
    windows and its own; a score's or NPS's own window and the last day (shorter for
    short windows); a count's period and the last day."""
    match indicator(metric):
        case "ratio-like":
            wanted = {w for tier in tiers.tiers_of(metric) for w in tier_windows(metric, tier)}
        case "average" | "nps" | "count":
            per = counting_period(metric)
            whole = naming.window(per if per is not None else metric.window)
            risky = risk_window(whole)
            wanted = {whole} | ({risky} if risky else set())
        case kind:
            unknown_kind(kind)
    return tuple(sorted(wanted, key=_seconds))


def risk_window(longest: str) -> str | None:
    """The window a risk alert of a non-ratio kind looks at: a day, or the largest
    alerting window at most half of `longest` when a day is too long."""
    limit = min(_seconds(naming.RISK_WINDOW), _seconds(longest) / 2)
    fitting = [w for w in naming.ALERT_WINDOWS if _seconds(w) <= limit]
    return fitting[-1] if fitting else None


def _select(labels: dict[str, str], tier: Tier | None = None, counter: str | None = None) -> str:
    """The matchers that pick one metric's recorded series (one class's, for a metric
    judged per class), of one tier or one counter when given."""
    chosen = {k: labels[k] for k in ("touchpoint", "metric", SEGMENT_LABEL) if k in labels}
    if tier is not None:
        chosen[tiers.LABEL] = tier
    if counter is not None:
        chosen["counter"] = counter
    return label_matchers(chosen)


def _num(value: float | Fraction) -> str:
    """A PromQL number literal; Fractions go through float's shortest form."""
    return number(float(value))


def metric_rules(project: Project, touchpoint: Touchpoint, metric: Metric, options: BuildOptions) -> MetricRules:
    contract = metric_contract(project, touchpoint, metric)
    labels = identity(touchpoint, metric)
    rules = MetricRules(touchpoint, metric, rules_file_name(touchpoint), labels, contract, windows_of(metric),
                        project.defaults.alert_minimum)
    texts = Annotations(project, touchpoint, metric, options)
    kind = contract.kind
    match kind:
        case "ratio-like":
            _share_rules(rules, texts)
            if contract.open_cases:
                _open_case_rules(rules, texts)
            return rules
        case "average" | "nps":
            _answer_recordings(rules, kind)
        case "count":
            _count_recordings(rules)
        case _:
            unknown_kind(kind)
    rules.recordings.append(
        Recording(naming.OBJECTIVE_VALUE, f"vector({_num(objective_value(metric.target))})", dict(labels)))
    if metric.promise is not None:  # an internal metric has no promise to record
        rules.recordings.append(
            Recording(naming.PROMISE_VALUE, f"vector({_num(objective_value(metric.promise))})", dict(labels)))
    rules.alerts.extend(_value_alerts(rules, kind, texts))
    return rules


# Shares of good events ---------------------------------------------------------------


def _tier_labels(rules: MetricRules, tier: Tier) -> dict[str, str]:
    return {**rules.labels, tiers.LABEL: tier}


def tier_conditions(metric: Metric, tier: Tier) -> tuple[burnrate.BurnCondition, ...]:
    """The burn conditions of a share's tier: the promise's page, the target's ticket;
    none when nothing can miss the objective, or the metric is not a share."""
    if indicator(metric) != "ratio-like":
        return ()
    objective = tiers.objective_of(metric, tier)
    budget = 1 - good_fraction(objective)
    if budget >= 1 or not _can_fail(metric, objective):
        return ()
    return burnrate.conditions(naming.window(metric.window), budget, tiers.severity(tier))


def tier_windows(metric: Metric, tier: Tier) -> tuple[str, ...]:
    """The windows a share's tier is recorded over: its burn windows and the metric's own."""
    wanted = {naming.window(metric.window)}
    for cond in tier_conditions(metric, tier):
        wanted |= {cond.long_window, cond.short_window}
    return tuple(sorted(wanted, key=_seconds))


def time_to_alert(metric: Metric, tier: Tier) -> Fraction | None:
    """Seconds from the moment every event starts failing (after healthy traffic) to
    the tier's burn alert, with enough events: the earliest long window whose error
    ratio passes its threshold (a threshold of 1 needs the whole long window failed).
    None when the tier has no burn alert."""
    conds = tier_conditions(metric, tier)
    if not conds:
        return None
    return min(_seconds(c.long_window) * c.threshold for c in conds)


def recent_window(metric: Metric, tier: Tier) -> str:
    """The shortest long window a share's tier burns over (the metric's own when none):
    what "lately" means on its dashboard."""
    conds = tier_conditions(metric, tier)
    return conds[0].long_window if conds else naming.window(metric.window)


def _share_rules(rules: MetricRules, texts: "Annotations") -> None:
    """Per tier and window: the events decided and the error ratio, computed from each
    counter's whole events (recorded once per window); the meta rules; the burn and
    window alerts of both tiers."""
    metric, contract = rules.metric, rules.contract
    own = naming.window(metric.window)
    per_tier = {tier: tier_windows(metric, tier) for tier in tiers.tiers_of(metric)}
    # Each counter is counted once per window; the tiers combine the recorded counts.
    roles: dict[str, str] = {}
    needs: dict[str, set[str]] = {}
    for tier in tiers.tiers_of(metric) if not contract.overridden else ():
        for counted in contract.tiers[tier].counters():
            roles.setdefault(counted.selector, counted.role)
            needs.setdefault(counted.selector, set()).update(per_tier[tier])

    def recorded(counted: Counted, window: str) -> str:
        return f"sum({naming.counter_events(window)}{_select(rules.labels, counter=roles[counted.selector])})"

    for w in rules.windows:
        for chosen, role in roles.items():
            if w in needs[chosen]:
                rules.recordings.append(Recording(naming.counter_events(w), whole_events(chosen, w),
                                                  {**rules.labels, "counter": role}))
        for tier in tiers.tiers_of(metric):
            if w not in per_tier[tier]:
                continue
            labels = _tier_labels(rules, tier)
            sel = _select(rules.labels, tier)
            if contract.overridden:
                decided, error = _overridden_counts(rules, tier, w)
            else:
                reads = contract.tiers[tier]
                decided = reads.decided.promql(w, recorded)
                error = f"{reads.bad.promql(w, recorded)}\n/\n(sum({naming.events(w)}{sel}) > 0)"
            rules.recordings.extend([
                Recording(naming.events(w), decided, labels),
                Recording(naming.sli_error(w), error, labels),
            ])
    rules.recordings.append(Recording(naming.OBJECTIVE, f"vector({_num(good_fraction(metric.target))})",
                                      dict(rules.labels)))
    if metric.promise is not None:  # an internal metric has no promise to record
        rules.recordings.append(Recording(naming.PROMISE, f"vector({_num(good_fraction(metric.promise))})",
                                          dict(rules.labels)))
    for tier in tiers.tiers_of(metric):
        budget = 1 - good_fraction(tiers.objective_of(metric, tier))
        sel = _select(rules.labels, tier)
        rules.recordings.append(Recording(naming.ERROR_BUDGET, f"vector({_num(budget)})", _tier_labels(rules, tier)))
        if budget > 0:
            remaining = f"1 - {naming.sli_error(own)}{sel} / {_num(budget)}"
        else:  # no budget: any bad event spends all of it
            remaining = f"1 - ({naming.sli_error(own)}{sel} > bool 0)"
        rules.recordings.append(Recording(naming.BUDGET_REMAINING, remaining, _tier_labels(rules, tier)))
    for tier in tiers.tiers_of(metric):
        objective = tiers.objective_of(metric, tier)
        budget = 1 - good_fraction(objective)
        if budget >= 1 or not _can_fail(metric, objective):
            continue  # nothing can miss this objective
        conds = tier_conditions(metric, tier)
        if conds:
            name = naming.ALERT_PROMISE_BURN if tier == "promise" else naming.ALERT_TARGET_BURN
            rules.alerts.append(_burn_alert(name, tier, conds, rules, texts))
        if tier == "promise" or tiers.distinct_target(metric):
            rules.alerts.append(_window_share_alert(rules, tier, budget, own, texts))


def _overridden_counts(rules: MetricRules, tier: Tier, w: str) -> tuple[str, str]:
    """A metric's own queries are rates: events are estimated as rate x window."""
    source = rules.metric.source
    assert source is not None
    good_query = source.promise_good if tier == "promise" and source.promise_good else source.good
    good, total = summed(good_query, w), summed(source.total, w)
    return f"{total} * {_num(_seconds(w))}", f"({total} - {good})\n/\n({total} > 0)"


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


def _can_fail(metric: Metric, objective: Objective) -> bool:
    """False when no event can miss `objective` (a `P% at least LO` score)."""
    match metric:
        case ScoreMetric():
            return objective_value(objective) > metric.low
        case TimeMetric() | RatioMetric() | NpsMetric() | CountMetric():
            return True
        case _:
            unknown_kind(metric)


def _burn_alert(name: str, tier: Tier, conds: tuple[burnrate.BurnCondition, ...], rules: MetricRules,
                texts: "Annotations") -> Alert:
    sel = _select(rules.labels, tier)
    parts: list[str] = []
    for c in conds:
        above = ">=" if c.inclusive else ">"
        threshold = _num(c.threshold)
        parts.append(f"(\n  {naming.sli_error(c.long_window)}{sel} {above} {threshold}\n"
                     f"  and on(touchpoint, metric)\n"
                     f"  {naming.sli_error(c.short_window)}{sel} {above} {threshold}\n"
                     f"  and on(touchpoint, metric)\n"
                     f"  {naming.events(c.long_window)}{sel} >= {rules.minimum}\n)")
    if tier == "promise":
        what = "customers are being failed fast enough to break the promise"
    else:
        what = "the internal target is burning: at this pace it will be missed before the window ends"
    return Alert(name, tiers.severity(tier), tier, "\nor\n".join(parts), _alert_labels(rules.labels, tier),
                 texts.for_alert(what), conds, rules.minimum)


def _window_share_alert(rules: MetricRules, tier: Tier, budget: Fraction, own: str, texts: "Annotations") -> Alert:
    sel = _select(rules.labels, tier)
    expr = (f"{naming.sli_error(own)}{sel} > {_num(budget)}\n"
            f"and on(touchpoint, metric)\n"
            f"{naming.events(own)}{sel} >= {rules.minimum}")
    over = texts.window
    if tier == "promise":
        name, what = naming.ALERT_PROMISE_BROKEN, f"the promise is broken over the last {over}"
    else:
        name, what = naming.ALERT_TARGET_MISSED, f"the internal target is missed over the last {over}"
    return Alert(name, tiers.severity(tier), tier, expr, _alert_labels(rules.labels, tier), texts.for_alert(what),
                 judged=Judged("error", naming.sli_error(own), own, ">", float(budget), rules.minimum))


def _alert_labels(labels: dict[str, str], tier: Tier, severity: str | None = None) -> dict[str, str]:
    return {**labels, tiers.LABEL: tier, "severity": severity or tiers.severity(tier)}


# Open cases ---------------------------------------------------------------------------


def _open_case_rules(rules: MetricRules, texts: "Annotations") -> None:
    """Open cases past each tier's deadline, from the producers' gauges: a handful past
    the promise is a ticket, the minimum of them a page; past the target (and not yet
    the promise) a ticket. An internal metric has only the target: past it, a ticket."""
    metric = rules.metric
    ident = contract_identity(rules.touchpoint, metric)
    rules.recordings.append(Recording(naming.OPEN_CASES, f"sum({selector(OPEN_SERIES, ident)})", dict(rules.labels)))
    for tier in tiers.tiers_of(metric):
        rules.recordings.append(Recording(
            naming.OVERDUE_CASES, f"sum({selector(OVERDUE_SERIES, {**ident, tiers.LABEL: tier})})",
            _tier_labels(rules, tier)))
    limits = {tier: objective_within(tiers.objective_of(metric, tier)).within for tier in tiers.tiers_of(metric)}
    business = business_calendar(metric) is not None
    target = f"{naming.OVERDUE_CASES}{_select(rules.labels, 'target')}"
    past_target = f"open cases are past the target's deadline ({texts.limit(limits['target'], business)})"
    if "promise" not in limits:
        rules.alerts.append(Alert(
            naming.ALERT_CASES_PAST_TARGET, tiers.TICKET, "target", f"{target} > 0",
            _alert_labels(rules.labels, "target"), texts.for_alert(past_target),
            judged=Judged("overdue", naming.OVERDUE_CASES, None, ">", 0)))
        return
    promise = f"{naming.OVERDUE_CASES}{_select(rules.labels, 'promise')}"
    what = f"open cases are past the promise's deadline ({texts.limit(limits['promise'], business)})"
    rules.alerts.append(Alert(
        naming.ALERT_CASES_PAST_PROMISE, tiers.PAGE, "promise", f"{promise} >= {rules.minimum}",
        _alert_labels(rules.labels, "promise", tiers.PAGE),
        texts.for_alert(f"at least {rules.minimum} {what}"),
        judged=Judged("overdue", naming.OVERDUE_CASES, None, ">=", rules.minimum)))
    rules.alerts.append(Alert(
        naming.ALERT_CASES_PAST_PROMISE, tiers.TICKET, "promise", f"{promise} > 0",
        _alert_labels(rules.labels, "promise", tiers.TICKET), texts.for_alert(what),
        judged=Judged("overdue", naming.OVERDUE_CASES, None, ">", 0)))
    if limit_size(limits["target"]) < limit_size(limits["promise"]):
        rules.alerts.append(Alert(
            naming.ALERT_CASES_PAST_TARGET, tiers.TICKET, "target",
            f"{target} - ignoring({tiers.LABEL}) {promise} > 0",
            _alert_labels(rules.labels, "target"),
            texts.for_alert(f"{past_target}, not yet the promise's: act before the promise is broken for them"),
            judged=Judged("overdue-only-target", naming.OVERDUE_CASES, None, ">", 0)))


# Scores, NPS and counts ---------------------------------------------------------------


def _answer_recordings(rules: MetricRules, kind: Literal["average", "nps"]) -> None:
    metric = rules.metric
    assert isinstance(metric, (ScoreMetric, NpsMetric))
    sel = _select(rules.labels)
    contract = rules.contract
    for w in rules.windows:
        if contract.overridden:
            source = metric.source
            assert source is not None
            good, total = summed(source.good, w), summed(source.total, w)
            value = f"{good}\n/\n({total} > 0)" if kind == "average" else f"100 * {good}\n/\n({total} > 0)"
            rules.recordings.append(Recording(naming.events(w), f"{total} * {_num(_seconds(w))}", dict(rules.labels)))
        else:
            assert contract.counted is not None
            rules.recordings.append(Recording(naming.answers(w), whole_events(contract.counted, w, by="value"),
                                              dict(rules.labels)))
            rules.recordings.append(Recording(naming.events(w), f"sum({naming.answers(w)}{sel}) or vector(0)",
                                              dict(rules.labels)))

            total = f"(sum({naming.events(w)}{sel}) > 0)"
            if kind == "average":
                terms = [f"{v} * {_answers_of(rules, w, [v])}" for v in answer_values(metric)]
                value = "(" + " + ".join(terms) + ")\n/\n" + total
            else:  # integers first, so the division is the only rounding
                value = (f"(100 * ({_answers_of(rules, w, list(range(9, 11)))} - "
                         f"{_answers_of(rules, w, list(range(0, 7)))}))\n/\n{total}")
        record = naming.score_average(w) if kind == "average" else naming.nps(w)
        rules.recordings.append(Recording(record, value, dict(rules.labels)))


def _answers_of(rules: MetricRules, window: str, values: list[int]) -> str:
    """Whole answers of `values` over `window` (0 when none)."""
    chosen = {"touchpoint": rules.labels["touchpoint"], "metric": rules.labels["metric"]}
    matcher = f"value={promql_string(str(values[0]))}" if len(values) == 1 else \
        f"value=~{promql_string('|'.join(str(v) for v in values))}"
    return f"(sum({naming.answers(window)}{label_matchers(chosen)[:-1]},{matcher}}}) or vector(0))"


def _count_recordings(rules: MetricRules) -> None:
    metric = rules.metric
    assert isinstance(metric, CountMetric)
    sel = _select(rules.labels)
    per = _seconds(naming.window(metric.per))
    for w in rules.windows:
        if rules.contract.overridden:
            source = metric.source
            assert source is not None
            events = f"{summed(source.total, w)} * {_num(_seconds(w))}"
        else:
            assert rules.contract.counted is not None
            events = Counted(rules.contract.counted, "counted").promql(w)
        rules.recordings.append(Recording(naming.events(w), events, dict(rules.labels)))
        pace = per / _seconds(w)
        scaled = "" if pace == 1 else f" * {_num(pace)}"
        rules.recordings.append(Recording(naming.count_per_period(w), f"{naming.events(w)}{sel}{scaled}",
                                          dict(rules.labels)))


def _value_alerts(rules: MetricRules, kind: Indicator, texts: "Annotations") -> list[Alert]:
    """The promise broken (page) and the target missed (ticket) over the metric's
    window, or a count's period; the target at risk (ticket) over a recent window."""
    metric = rules.metric
    sel = _select(rules.labels)
    minimum = rules.minimum
    out: list[Alert] = []
    match metric:
        case CountMetric():
            whole = naming.window(metric.per)
            for tier in tiers.tiers_of(metric):
                if tier == "target" and not tiers.distinct_target(metric):
                    continue
                limit = objective_value(tiers.objective_of(metric, tier))
                allowed = "than promised" if tier == "promise" else "than the target allows"
                name = naming.ALERT_PROMISE_BROKEN if tier == "promise" else naming.ALERT_TARGET_MISSED
                out.append(Alert(name, tiers.severity(tier), "target" if tier == "target" else "promise",
                                 f"{naming.events(whole)}{sel} > {_num(limit)}", _alert_labels(rules.labels, tier),
                                 texts.for_alert(f"more {metric.event} in the last {texts.duration(metric.per)} "
                                                 f"{allowed}"),
                                 judged=Judged("count", naming.events(whole), whole, ">", limit)))
            risky = risk_window(whole)
            if risky is not None:
                limit = objective_value(metric.target)
                pace = Fraction(_seconds(whole)) / _seconds(risky)
                # events x per > limit x risk, in whole numbers: no rounding anywhere
                scale, threshold = pace.numerator, Fraction(repr(limit)) * pace.denominator
                scaled = "" if scale == 1 else f" * {scale}"
                expr = (f"{naming.events(risky)}{sel}{scaled} > {_num(threshold)}\n"
                        f"and on(touchpoint, metric)\n{naming.events(risky)}{sel} >= {minimum}")
                out.append(Alert(naming.ALERT_TARGET_AT_RISK, tiers.TICKET, "target", expr,
                                 _alert_labels(rules.labels, "target"),
                                 texts.for_alert(f"at the pace of the last {risky}, {metric.event} would pass the "
                                                 f"target's limit per {texts.duration(metric.per)}"),
                                 judged=Judged("pace", naming.events(risky), risky, ">", float(threshold), minimum,
                                               scale)))
            return out
        case ScoreMetric():
            what = "the average answer"
            indicator: Callable[[str], str] = naming.score_average
            compared: Compared = "average"

            def can_fail(value: float) -> bool:
                return any(v < value for v in answer_values(metric))
        case NpsMetric():
            what, indicator, compared = "the NPS", naming.nps, "nps"

            def can_fail(value: float) -> bool:
                return value > -100
        case TimeMetric() | RatioMetric():
            raise AssertionError(f"a {metric.kind} metric is judged by its error budget, not a value")
        case _:
            unknown_kind(metric)
    own = naming.window(metric.window)
    for tier in tiers.tiers_of(metric):
        if tier == "target" and not tiers.distinct_target(metric):
            continue
        value = objective_value(tiers.objective_of(metric, tier))
        if not can_fail(value):
            continue
        expr = (f"{indicator(own)}{sel} < {_num(value)}\nand on(touchpoint, metric)\n"
                f"{naming.events(own)}{sel} >= {minimum}")
        if tier == "promise":
            name, words = naming.ALERT_PROMISE_BROKEN, f"{what} over the last {texts.window} breaks the promise"
        else:
            name, words = naming.ALERT_TARGET_MISSED, f"{what} over the last {texts.window} is below the target"
        out.append(Alert(name, tiers.severity(tier), tier, expr, _alert_labels(rules.labels, tier),
                         texts.for_alert(words), judged=Judged(compared, indicator(own), own, "<", value, minimum)))
    risky = risk_window(own)
    target = objective_value(metric.target)
    if risky is not None and can_fail(target):
        expr = (f"{indicator(risky)}{sel} < {_num(target)}\nand on(touchpoint, metric)\n"
                f"{naming.events(risky)}{sel} >= {minimum}")
        out.append(Alert(naming.ALERT_TARGET_AT_RISK, tiers.TICKET, "target", expr,
                         _alert_labels(rules.labels, "target"),
                         texts.for_alert(f"{what} over the last {risky} is below the target"),
                         judged=Judged(compared, indicator(risky), risky, "<", target, minimum)))
    return out


# Updates ------------------------------------------------------------------------------


def updates_rules(project: Project, touchpoint: Touchpoint, options: BuildOptions) -> UpdatesRules:
    """Cases waiting longer than `updates every N` promises: a ticket from the first,
    a page from the minimum number of cases."""
    updates = touchpoint.updates
    assert updates is not None
    labels = identity(touchpoint, None)
    minimum = project.defaults.alert_minimum
    rules = UpdatesRules(touchpoint, rules_file_name(touchpoint), labels, minimum)
    rules.recordings.append(Recording(
        naming.UPDATES_OVERDUE, f"sum({selector(UPDATES_OVERDUE_SERIES, {'touchpoint': touchpoint.id})})",
        dict(labels)))
    texts = Annotations(project, touchpoint, None, options)
    every = texts.duration(updates.every)
    waiting = f"{naming.UPDATES_OVERDUE}{_select(labels)}"
    what = f"open cases are waiting longer than promised for an update (every {every})"
    rules.alerts.append(Alert(naming.ALERT_UPDATES_OVERDUE, tiers.PAGE, "promise", f"{waiting} >= {minimum}",
                              _alert_labels(labels, "promise", tiers.PAGE),
                              texts.for_alert(f"at least {minimum} {what}"),
                              judged=Judged("updates", naming.UPDATES_OVERDUE, None, ">=", minimum)))
    rules.alerts.append(Alert(naming.ALERT_UPDATES_OVERDUE, tiers.TICKET, "promise", f"{waiting} > 0",
                              _alert_labels(labels, "promise", tiers.TICKET), texts.for_alert(what),
                              judged=Judged("updates", naming.UPDATES_OVERDUE, None, ">", 0)))
    return rules


# Annotations ----------------------------------------------------------------------


@lru_cache(maxsize=1)
def _english() -> "Words":
    from touchdsl.documents.wording import Words

    return Words("en")


def objective_words(metric: Metric, objective: Objective | None) -> str:
    """The objective in plain English: the documents' own wording (`80% within 30
    seconds`, `at most 5%`), as alerts, dashboards, the contract and `measure` state it,
    with the clock's pauses a time metric does not count (the documents print them
    beside the objective, as the metric's clock); for the missing promise of an internal
    metric, what stands in for it."""
    words = _english().objective_short(metric, objective).plain()
    if objective is not None and pauses(metric):
        words += f", not counting pauses ({pause_words(metric)})"
    return words


def policy_link(options: BuildOptions, touchpoint: Touchpoint, metric: Metric | None) -> str:
    """The metric's section of its owner's policy page (the touchpoint's, for its updates)."""
    section = anchor(touchpoint, metric) if metric is not None else f"touchpoint-{touchpoint.id}"
    return f"{options.policy_url.rstrip('/')}/{touchpoint.owner}.html#{section}"


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
    return objective_words(metric, metric.promise)


class Annotations:
    def __init__(self, project: Project, touchpoint: Touchpoint, metric: Metric | None, options: BuildOptions):
        words = _english()
        if metric is not None:
            self.window = words.duration(metric.window).plain()
            over = f", over the last {self.window}"
            self.common = {
                "title": f"{touchpoint.title}: {title_of(touchpoint, metric)}",
                "expectation": touchpoint.expectation,
                "promise": promise_words(metric) + (over if metric.promise is not None else ""),
                "target": objective_words(metric, metric.target) + over,
                "policy": policy_link(options, touchpoint, metric),
            }
            self.where = f"{touchpoint.id}/{metric_key(metric)}"
        else:
            updates = touchpoint.updates
            assert updates is not None
            self.window = ""
            self.common = {
                "title": f"{touchpoint.title}: updates",
                "expectation": touchpoint.expectation,
                "promise": words.updates(touchpoint, updates).plain(),
                "policy": policy_link(options, touchpoint, None),
            }
            self.where = f"{touchpoint.id}/{naming.UPDATES_METRIC}"

    @staticmethod
    def duration(duration: "Duration", business: bool = False) -> str:
        return _english().duration(duration, business).plain()

    @staticmethod
    def limit(limit: "Limit", business: bool = False) -> str:
        return _english().limit(limit, business).plain()

    def for_alert(self, what: str) -> dict[str, str]:
        return {"summary": f"{self.where}: {what}", **self.common}


