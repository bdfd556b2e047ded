"""Names of recorded series and alerts: the one source of truth shared by the
`prometheus`, `tests`, `grafana` and `openslo` targets.

Recording rules follow the `level:metric:operations` convention SLO users know
(`touch:sli_error:ratio_rate5m`). Every series carries the labels in
`IDENTITY_LABELS` (`journey` only when the touchpoint belongs to one, `segment`
only for a metric judged per class of case), so one metric of one touchpoint is
selected by `{touchpoint="...", metric="..."}` (and `segment="..."`).

These names are a published interface (dashboards and other people's alerts
read them): never rename one, add a new name instead. (The alerts of the first
version, which paged on the internal target, were replaced by the two tiers'
alerts below; their names are not reused.)
"""

from __future__ import annotations

from touchdsl.model import Duration

# Alerting windows of the multiwindow, multi-burn-rate alerts (Google SRE workbook, ch. 5).
ALERT_WINDOWS: tuple[str, ...] = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")

IDENTITY_LABELS: tuple[str, ...] = ("touchpoint", "metric", "segment", "owner", "journey")

# Severities the alertmanager routes on: `page` for the promise's alerts (customers
# are being failed), `ticket` for the target's (the early warning), and for a
# handful of cases where a page would need more evidence (see `touchdsl.slo.tiers`).
PAGE = "page"
TICKET = "ticket"

# The `metric` label of a touchpoint's `updates` promise (the checker keeps metric
# ids of such touchpoints from taking it, TD421).
UPDATES_METRIC = "updates"


def sli_error(window: str) -> str:
    """Share of bad events over `window` (0..1) for ratio-like metrics (time metrics,
    ratios, scores with a `P% at least N` objective), per tier (label `objective`):
    bad events / events decided, both whole numbers."""
    return f"touch:sli_error:ratio_rate{window}"


def events(window: str) -> str:
    """Whole events over `window`: the cases decided against the tier's objective
    (ratio-like metrics, label `objective`), the answers (scores, NPS) or the events
    counted (counts). No extrapolation: an exact count of what the counters say."""
    return f"touch:events:count{window}"


def counter_events(window: str) -> str:
    """Whole events of one counter the metric reads over `window` (label `counter`
    names its part: `within_promise`, `late_target`, `population`, …), the terms the
    shares are computed from."""
    return f"touch:counter_events:count{window}"


def answers(window: str) -> str:
    """Whole answers over `window`, one series per answered value (label `value`)."""
    return f"touch:answers:count{window}"


def score_average(window: str) -> str:
    """Average answer over `window` on the metric's scale (`score` with `average at least`)."""
    return f"touch:score_average:rate{window}"


def nps(window: str) -> str:
    """Net promoter score over `window`, -100..100."""
    return f"touch:nps:rate{window}"


def count_per_period(window: str) -> str:
    """Events per the metric's period (`count X per 7d`), at the pace seen over `window`."""
    return f"touch:count_per_period:rate{window}"


# Meta rules: constant per metric, labelled like the indicator.
OBJECTIVE = "touch:objective:ratio"  # the internal target as a share of good events (0..1)
PROMISE = "touch:promise:ratio"  # the published promise as a share of good events (0..1)
ERROR_BUDGET = "touch:error_budget:ratio"  # 1 - the tier's objective (label `objective`)
BUDGET_REMAINING = "touch:error_budget_remaining:ratio"  # over the metric's own window, per tier
# For kinds that are not shares (score averages, NPS, counts): the value in the metric's unit.
OBJECTIVE_VALUE = "touch:objective:value"
PROMISE_VALUE = "touch:promise:value"
# Open cases of a time metric (all, and past each tier's deadline), from the producers' gauges.
OPEN_CASES = "touch:open_cases:count"
OVERDUE_CASES = "touch:overdue_cases:count"  # label `objective`
# Open cases of a touchpoint's `updates` promise waiting longer than promised for an update.
UPDATES_OVERDUE = "touch:updates_overdue:count"

# Alerts, by tier (label `objective`). The promise's page, the target's are tickets.
ALERT_PROMISE_BURN = "TouchPromiseBurn"  # page: customers failed fast enough to break the promise
ALERT_PROMISE_BROKEN = "TouchPromiseBroken"  # page: the promise is broken over its window (a count's period)
ALERT_TARGET_BURN = "TouchTargetBurn"  # ticket: at this pace the target is missed before the window ends
ALERT_TARGET_MISSED = "TouchTargetMissed"  # ticket: the target is missed over its window
ALERT_TARGET_AT_RISK = "TouchTargetAtRisk"  # ticket: the last day of a score, NPS or count is off the target
ALERT_CASES_PAST_PROMISE = "TouchCasesPastPromise"  # open cases past the promise (page from the minimum)
ALERT_CASES_PAST_TARGET = "TouchCasesPastTarget"  # ticket: open cases past the target, not yet the promise
ALERT_UPDATES_OVERDUE = "TouchUpdatesOverdue"  # open cases waiting too long for an update (page from the minimum)

# Risk alerts of non-ratio kinds look at this window.
RISK_WINDOW = "1d"


def indicator(kind: str, window: str) -> str:
    """The recorded indicator of a metric of `kind` ("ratio-like", "average", "nps", "count")."""
    return {
        "ratio-like": sli_error,
        "average": score_average,
        "nps": nps,
        "count": count_per_period,
    }[kind](window)


def window(duration: Duration) -> str:
    """A model `Duration` as written in series names and PromQL ranges: the largest
    exact unit up to days (`28d`, `90m`, `1500ms`), never weeks, so `28d` reads
    as written rather than `4w`."""
    return duration.compact(largest="d")
