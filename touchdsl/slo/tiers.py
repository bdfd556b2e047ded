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

from touchdsl.model import (
    CountMetric,
    Metric,
    NpsMetric,
    Objective,
    RatioMetric,
    ScoreMetric,
    ShareObjective,
    TimeMetric,
    limit_size,
    objective_within,
    unknown_kind,
)

Tier = Literal["promise", "target"]
TIERS: Final[tuple[Tier, ...]] = ("promise", "target")

# The label that tells the tiers' series and alerts apart.
LABEL: Final = "objective"

PAGE: Final = "page"
TICKET: Final = "ticket"


def objective_of(metric: Metric, tier: Tier) -> Objective:
    """The metric's objective of that tier (only tiers of `tiers_of(metric)`)."""
    if tier == "target":
        return metric.target
    if metric.promise is None:
        raise ValueError(f"metric {metric.id} is internal: it has no promise tier")
    return metric.promise


def tiers_of(metric: Metric) -> tuple[Tier, ...]:
    """The tiers the metric declares: both (the target defaults to the promise), or
    only the target for an internal metric (no promise: nothing to page on)."""
    return TIERS if metric.promise is not None else ("target",)


def severity(tier: Tier) -> str:
    """How urgent a tier's alerts are: the promise pages, the target tickets."""
    return PAGE if tier == "promise" else TICKET


def distinct_target(metric: Metric) -> bool:
    """True when the target differs from the promise, so that "the target is missed"
    says something "the promise is broken" does not."""
    return metric.promise is None or metric.target != metric.promise


def line(metric: Metric, objective: Objective) -> float | None:
    """Where the objective tells a good event from a bad one: a time metric's limit,
    a `P% at least N` score's N; None when every tier of the kind counts the same events
    (a ratio's share, an average, an NPS, a count)."""
    match metric:
        case TimeMetric():
            return limit_size(objective_within(objective).within)
        case ScoreMetric():
            return objective.value if isinstance(objective, ShareObjective) else None
        case RatioMetric() | NpsMetric() | CountMetric():
            return None
        case _:
            unknown_kind(metric)


def same_line(metric: Metric) -> bool:
    """True when the promise and the target tell good from bad at the same place, so
    both read the same events (only their share or value differs); an internal
    metric has one tier, so one line."""
    if metric.promise is None:
        return True
    return line(metric, metric.promise) == line(metric, metric.target)
