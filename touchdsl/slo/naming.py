"""Names of recorded series and alerts: the one source of truth shared by the
`prometheus`, `tests`, `grafana` and `openslo` targets.

Recording rules follow the `level:metric:operations` convention SLO users know
(`touch:sli_error:ratio_rate5m`). Every series carries the labels in
`IDENTITY_LABELS` (`journey` only when the touchpoint belongs to one, `segment`
only for a metric judged per class of case), so one metric of one touchpoint is
selected by `{touchpoint="...", metric="..."}` (and `segment="..."`).

These names are a published interface (dashboards and other people's alerts
read them): never rename one, add a new name instead.
"""

from __future__ import annotations

from touchdsl.model import Duration

# Alerting windows of the multiwindow, multi-burn-rate alerts (Google SRE workbook, ch. 5).
ALERT_WINDOWS: tuple[str, ...] = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")

IDENTITY_LABELS: tuple[str, ...] = ("touchpoint", "metric", "segment", "owner", "journey")

# Severities the alertmanager routes on: `page` is the breach (fast burn, objective
# missed now), `ticket` the risk (slow burn).
PAGE = "page"
TICKET = "ticket"


def sli_error(window: str) -> str:
    """Share of bad events over `window` (0..1) for ratio-like metrics: time
    metrics, ratios and scores with a `P% at least N` objective."""
    return f"touch:sli_error:ratio_rate{window}"


def score_average(window: str) -> str:
    """Average answer over `window` on the metric's scale (`score` with `average at least`)."""
    return f"touch:score_average:rate{window}"


def nps(window: str) -> str:
    """Net promoter score over `window`, -100..100."""
    return f"touch:nps:rate{window}"


def count_per_period(window: str) -> str:
    """Events per the metric's period (`count X per 7d`), at the rate seen over `window`."""
    return f"touch:count_per_period:rate{window}"


# Meta rules: constant per metric, labelled like the indicator.
OBJECTIVE = "touch:objective:ratio"  # the internal target as a share of good events (0..1)
PROMISE = "touch:promise:ratio"  # the published promise as a share of good events (0..1)
ERROR_BUDGET = "touch:error_budget:ratio"  # 1 - objective
BUDGET_REMAINING = "touch:error_budget_remaining:ratio"  # over the metric's own window
# For kinds that are not shares (score averages, NPS, counts): the value in the metric's unit.
OBJECTIVE_VALUE = "touch:objective:value"
PROMISE_VALUE = "touch:promise:value"

# Alerts. Burn-rate alerts exist for ratio-like metrics; the others have their own.
ALERT_FAST_BURN = "TouchErrorBudgetFastBurn"  # page: 2% of budget in 1h or 5% in 6h
ALERT_SLOW_BURN = "TouchErrorBudgetSlowBurn"  # ticket: 10% of budget in 1d or in 3d
ALERT_SCORE_BREACH = "TouchScoreBelowTarget"  # page: average over the window below target
ALERT_SCORE_RISK = "TouchScoreAtRisk"  # ticket: average over the last day below target
ALERT_NPS_BREACH = "TouchNpsBelowTarget"  # page: NPS over the window below target
ALERT_NPS_RISK = "TouchNpsAtRisk"  # ticket: NPS over the last day below target
ALERT_COUNT_BREACH = "TouchCountAboveLimit"  # page: more events in the last period than the limit
ALERT_COUNT_RISK = "TouchCountAtRisk"  # ticket: the recent rate would exceed the limit per period

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
