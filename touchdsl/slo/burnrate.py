"""Multiwindow, multi-burn-rate alerting maths (Google SRE workbook, ch. 5).

An alert fires when a share of the error budget burns within a long window,
confirmed by a short window (a twelfth of it) so the alert stops soon after
the burning stops. The burn-rate factor depends on the metric's own window:

    factor = budget_fraction * metric_window / long_window

For a 30d window the classic 14.4, 6, 3, 1; for 28d 13.44, 5.6, 2.8, 0.933….
An error ratio above `factor * error_budget` burns at least that fast.

A factor below 1 (1d and 3d over a 7d window: 0.7, 0.233; 3d over 28d: 0.933)
would fire while the objective is met exactly, spending the budget no faster
than allowed; such a condition compares with the budget itself (factor 1), so
nothing ever fires at exactly the objective.

The promise's burn pages (the fast policies); the target's burn tickets (the
slow ones): see `touchdsl.slo.tiers`.

Fractions keep the arithmetic exact; floats are taken only at the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from touchdsl.model import Duration

PAGE = "page"
TICKET = "ticket"


@dataclass(frozen=True)
class BurnPolicy:
    """`budget_fraction` of the error budget burnt within `long_window`."""

    severity: str
    budget_fraction: Fraction
    long_window: str
    short_window: str


# Page when 2% of the budget burns in 1h or 5% in 6h; ticket when 10% burns in 1d or 3d.
POLICIES: tuple[BurnPolicy, ...] = (
    BurnPolicy(PAGE, Fraction(2, 100), "1h", "5m"),
    BurnPolicy(PAGE, Fraction(5, 100), "6h", "30m"),
    BurnPolicy(TICKET, Fraction(10, 100), "1d", "2h"),
    BurnPolicy(TICKET, Fraction(10, 100), "3d", "6h"),
)


def seconds(window: str) -> Fraction:
    """Exact length of a Prometheus-style window such as `5m` or `28d`."""
    return Fraction(str(Duration.parse(window).seconds))


def burn_factor(budget_fraction: Fraction, metric_window: str, long_window: str) -> Fraction:
    """How many times faster than sustainable the budget burns when
    `budget_fraction` of it goes within `long_window`."""
    return Fraction(budget_fraction) * seconds(metric_window) / seconds(long_window)


def error_budget(objective_percent: float) -> Fraction:
    """The share of events allowed to be bad: 1 - objective (99.5% -> 0.005)."""
    return 1 - Fraction(repr(float(objective_percent))) / 100


@dataclass(frozen=True)
class BurnCondition:
    """One long/short window pair of an alert, with the error-ratio threshold.

    `threshold` is `factor * budget`, capped at 1: an error ratio cannot exceed
    1, so a condition whose maths asks for more is kept as "every event failed"
    (`inclusive`, compared with `>=`) rather than an alert that can never fire.
    """

    severity: str
    budget_fraction: Fraction
    long_window: str
    short_window: str
    factor: Fraction  # as the maths gives it, before the floor at 1
    threshold: Fraction  # max(factor, 1) * budget, at most 1
    inclusive: bool

    @property
    def floored(self) -> bool:
        """True when the factor was below 1 and the budget itself is the threshold."""
        return self.factor < 1


def conditions(metric_window: str, budget: Fraction, severity: str | None = None) -> tuple[BurnCondition, ...]:
    """The alert conditions of a metric with this window and error budget (only
    those of `severity` when given).

    A long window longer than the metric's own window is left out (its burn
    rate would say nothing the window does not). No condition at all when the
    budget is the whole population (an objective of 0% cannot be missed).
    """
    if budget >= 1:
        return ()
    out = []
    for policy in POLICIES:
        if severity is not None and policy.severity != severity:
            continue
        if seconds(policy.long_window) > seconds(metric_window):
            continue
        factor = burn_factor(policy.budget_fraction, metric_window, policy.long_window)
        threshold = max(factor, Fraction(1)) * budget
        inclusive = threshold >= 1
        out.append(BurnCondition(policy.severity, policy.budget_fraction, policy.long_window,
                                 policy.short_window, factor, min(threshold, Fraction(1)), inclusive))
    return tuple(out)
