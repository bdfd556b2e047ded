"""The two tiers of every objective, as monitoring sees them.

A metric has a *promise*, what customers were told, and a *target*, the stricter
internal objective (the promise when no target is written). They are watched
differently: the promise is the commitment, so its alerts page the owner (and the
manager, with `escalate to manager on breach`); the target is the early warning, so
its alerts are tickets. Every rule, series label and dashboard line that depends on
the tier reads it from here.
"""

from __future__ import annotations

from typing import Final, Literal

from touchdsl.model import Metric, Objective

Tier = Literal["promise", "target"]
TIERS: Final[tuple[Tier, ...]] = ("promise", "target")

# The label that tells the tiers' series and alerts apart.
LABEL: Final = "objective"

PAGE: Final = "page"
TICKET: Final = "ticket"


def objective_of(metric: Metric, tier: Tier) -> Objective:
    """The metric's objective of that tier."""
    return metric.promise if tier == "promise" else metric.target


def tiers_of(metric: Metric) -> tuple[Tier, ...]:
    """The tiers the metric declares: both (the target defaults to the promise)."""
    return TIERS


def severity(tier: Tier) -> str:
    """How urgent a tier's alerts are: the promise pages, the target tickets."""
    return PAGE if tier == "promise" else TICKET


def distinct_target(metric: Metric) -> bool:
    """True when the target differs from the promise, so that "the target is missed"
    says something "the promise is broken" does not."""
    return metric.target != metric.promise
