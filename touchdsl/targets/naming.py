"""Names of recorded series and alerts: the one source of truth shared by the
`prometheus`, `tests`, `grafana` and `openslo` targets.

Recording rules follow the `level:metric:operations` convention SLO users know
(`touch:sli_error:ratio_rate5m`). Every series carries the labels in
`IDENTITY_LABELS`, so one metric of one touchpoint is selected by
`{touchpoint="...", metric="..."}`.
"""

from __future__ import annotations

# Alerting windows of the multiwindow, multi-burn-rate alerts (Google SRE workbook, ch. 5).
ALERT_WINDOWS: tuple[str, ...] = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")

IDENTITY_LABELS: tuple[str, ...] = ("touchpoint", "metric", "owner", "journey")


def sli_error(window: str) -> str:
    """Share of bad events over `window` (0..1) for ratio-like metrics."""
    return f"touch:sli_error:ratio_rate{window}"


# Meta rules: constant per metric, labelled like the indicator.
OBJECTIVE = "touch:objective:ratio"  # the internal target as a share of good events (0..1)
PROMISE = "touch:promise:ratio"  # the published promise as a share of good events (0..1)
ERROR_BUDGET = "touch:error_budget:ratio"  # 1 - objective
BUDGET_REMAINING = "touch:error_budget_remaining:ratio"  # over the metric's own window
