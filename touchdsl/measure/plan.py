"""What the event log must say for each promise: the items, roles and vocabulary
tables of the SQL (`touchdsl.measure.sql.INPUTS`), derived from the model.

An *item* is one thing judged against a promise and a target: each metric of each
touchpoint, and each touchpoint's `updates` promise. Which event plays which part:

- time `from A to B`: A starts a case, the first B at or after it ends it;
- ratio `X of Y`: a case with a Y event is counted, and with an X event matches;
- score / nps: an answer is a row whose event is the metric's name, with `value`;
- count `X per D`: every X event;
- updates `every N … [until E]`: a case is open from its first step's start to E (or
  to its last step's end) and an `update` event is a message sent while it is open;
- a pause of a time metric (`pause while STEP`, `pause from A to B`): each of its
  start events stops the case's clock until the next of its end events.

A metric judged per class is one item per class (`segment`): it reads only the
cases (rows, for answers and counted events) of that class. An internal metric
(no promise) is measured against its target only; its promise limits in the SQL
are the target's, and the judge reports no promise for it.

Limits of a business-day metric are business days counted in millionths (days ×
1 000 000), so the SQL and the division by a million it applies to every value read
them as it reads seconds of time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import assert_never

from touchdsl.measure.result import Kind
from touchdsl.model import (
    BoundObjective,
    BusinessDays,
    CountMetric,
    Duration,
    Limit,
    Metric,
    NpsMetric,
    Project,
    RatioMetric,
    ScoreMetric,
    ShareObjective,
    TimeMetric,
    Touchpoint,
    business_days,
    metric_key,
    objective_within,
    unknown_kind,
)

__all__ = ["Item", "UPDATE_EVENT", "PER_CASE_ROLES", "PER_ROW_ROLES", "CaseColumns", "case_columns", "items_of",
           "item_roles", "item_row", "roles_of", "vocabulary_of", "updates_span", "classes_of", "limit_us"]

UPDATE_EVENT = "update"



@dataclass(frozen=True)
class Item:
    """One promise measured: a metric, or a touchpoint's updates (metric is None)."""

    key: str  # touchpoint.metric (touchpoint.metric.class for a class), or touchpoint.updates
    touchpoint: Touchpoint
    metric: Metric | None
    kind: Kind
    window_seconds: float

    @property
    def id(self) -> str:
        return self.metric.id if self.metric is not None else "updates"

    @property
    def segment(self) -> str | None:
        """The class of case the item judges (a metric judged per class), else None."""
        return self.metric.segment if self.metric is not None else None


def _us(seconds: float) -> int:
    return round(seconds * 1_000_000)


def updates_span(touchpoint: Touchpoint) -> tuple[str, str] | None:
    """The events between which a case of the touchpoint is open, for `updates`:
    the first step's start, and the `until` event or the last step's end."""
    if touchpoint.updates is None or not touchpoint.steps:
        return None
    until = touchpoint.updates.until
    end = str(until) if until is not None else f"{touchpoint.steps[-1].id}.end"
    return f"{touchpoint.steps[0].id}.start", end


def items_of(project: Project) -> list[Item]:
    """Every measurable item, in source order (a touchpoint's metrics, then its updates)."""
    out: list[Item] = []
    for tp in project.touchpoints.values():
        for metric in tp.metrics:
            out.append(Item(f"{tp.id}.{metric_key(metric)}", tp, metric, metric.kind, metric.window.seconds))
        if updates_span(tp) is not None:
            out.append(Item(f"{tp.id}.updates", tp, None, "updates", project.defaults.window.seconds))
    return out


ItemRow = tuple[int, str, str, str | None, int | None, int | None, float | None, float | None, bool,
                float | None, float | None, bool | None, int | None, str | None, bool]

DAY_UNITS = 1_000_000  # a business day, in the SQL's microsecond-sized units


def limit_us(limit: Limit) -> int:
    """A limit as the SQL compares it: microseconds, or business days × 1 000 000."""
    match limit:
        case Duration():
            return _us(limit.seconds)
        case BusinessDays():
            return limit.days * DAY_UNITS
        case _:
            unknown_kind(limit)


def item_row(number: int, item: Item) -> ItemRow:
    """The row of touch_items of the item numbered `number` (columns as in sql.INPUTS)."""
    tp, metric = item.touchpoint, item.metric
    calendar = None
    promise_us = target_us = per_us = None
    low = high = promise_least = target_least = None
    whole = False
    bad_is_num = None
    match metric:
        case None:
            assert tp.updates is not None
            promise_us = target_us = _us(tp.updates.every.seconds)
        case TimeMetric():
            calendar = metric.calendar
            target_us = limit_us(objective_within(metric.target).within)
            # An internal metric has no promise: its promise's limit is the target's.
            promise_us = (limit_us(objective_within(metric.promise).within) if metric.promise is not None
                          else target_us)
        case RatioMetric():
            objective = metric.promise if metric.promise is not None else metric.target
            assert isinstance(objective, BoundObjective)
            bad_is_num = objective.form == "at_most"
        case ScoreMetric():
            low, high = metric.low, metric.high
            if isinstance(metric.target, ShareObjective):
                target_least = metric.target.value
            promise = metric.promise if metric.promise is not None else metric.target
            if isinstance(promise, ShareObjective):
                promise_least = promise.value
        case NpsMetric():
            low, high, whole = 0.0, 10.0, True
        case CountMetric():
            per_us = _us(metric.per.seconds)
        case _:
            assert_never(metric)
    days = metric is not None and business_days(metric)
    return (number, tp.id, item.kind, calendar, promise_us, target_us, low, high, whole,
            promise_least, target_least, bad_is_num, per_us, item.segment, days)


PER_CASE_ROLES = ("start", "end", "den", "num")  # read once per case: the first moment it happened
PER_ROW_ROLES = ("answer", "count", "update", "pause_start", "pause_end")  # every row counts on its own


def item_roles(item: Item) -> list[tuple[str, str]]:
    """(event, role) of each event the item reads, for its touchpoint."""
    metric = item.metric
    match metric:
        case None:
            span = updates_span(item.touchpoint)
            assert span is not None
            return [(span[0], "start"), (span[1], "end"), (UPDATE_EVENT, "update")]
        case TimeMetric():
            return [(str(metric.start), "start"), (str(metric.end), "end")]
        case RatioMetric():
            return [(metric.numerator, "num"), (metric.denominator, "den")]
        case ScoreMetric() | NpsMetric():
            return [(metric.id, "answer")]
        case CountMetric():
            return [(metric.event, "count")]
        case _:
            assert_never(metric)


def pause_roles(item: Item) -> list[tuple[str, str, int]]:
    """(event, role, the pause's number) of the events that stop and restart the item's clock."""
    match item.metric:
        case TimeMetric() as metric:
            return [(str(event), role, k) for k, pause in enumerate(metric.pauses)
                    for event, role in ((pause.start, "pause_start"), (pause.end, "pause_end"))]
        case RatioMetric() | ScoreMetric() | NpsMetric() | CountMetric() | None:
            return []
        case _ as other:
            unknown_kind(other)


def roles_of(items: list[Item]) -> list[tuple[str, str, int, str, str | None, int | None]]:
    """Rows of touch_roles: (touchpoint, event, item number, role, the item's class, the pause's number)."""
    rows: list[tuple[str, str, int, str, str | None, int | None]] = []
    for number, item in enumerate(items):
        tp = item.touchpoint.id
        rows += [(tp, event, number, role, item.segment, None) for event, role in item_roles(item)]
        rows += [(tp, event, number, role, item.segment, k) for event, role, k in pause_roles(item)]
    return rows


def classes_of(project: Project) -> list[tuple[str, str]]:
    """Rows of touch_classes: (touchpoint, class) of every touchpoint with classes of case."""
    return [(tp.id, c.id) for tp in project.touchpoints.values() for c in tp.classes]


@dataclass(frozen=True)
class CaseColumns:
    """Where the per-case table of the SQL (`touch_cases`: one row per touchpoint and
    case) keeps each event read per case (the roles of PER_CASE_ROLES).

    Each touchpoint that has such events gets a number (`tp`), and each of its events
    a column number (`slot`), counted per touchpoint so the table is only as wide as
    the touchpoint with the most of them: slot 2 may be `visit.start` for one
    touchpoint and `update.end` for another. `counted` are the slots that start a case
    somewhere (their count finds duplicate starts)."""

    touchpoints: dict[str, int]
    slots: dict[tuple[str, str], int]  # (touchpoint, event) -> slot
    counted: frozenset[int]

    @property
    def width(self) -> int:
        return max(self.slots.values(), default=-1) + 1

    def slot(self, item: Item, role: str) -> int:
        event = next(e for e, r in item_roles(item) if r == role)
        return self.slots[(item.touchpoint.id, event)]

    def rows(self) -> list[tuple[str, str, int, int]]:
        """Rows of touch_slots: (touchpoint, event, tp, slot)."""
        return [(tp, event, self.touchpoints[tp], slot) for (tp, event), slot in self.slots.items()]


def case_columns(items: list[Item]) -> CaseColumns:
    touchpoints: dict[str, int] = {}
    slots: dict[tuple[str, str], int] = {}
    per_touchpoint: dict[str, int] = {}
    counted: set[int] = set()
    for item in items:
        tp = item.touchpoint.id
        for event, role in item_roles(item):
            if role not in PER_CASE_ROLES:
                continue
            touchpoints.setdefault(tp, len(touchpoints))
            if (tp, event) not in slots:
                slots[(tp, event)] = per_touchpoint.get(tp, 0)
                per_touchpoint[tp] = slots[(tp, event)] + 1
            if role == "start":
                counted.add(slots[(tp, event)])
    return CaseColumns(touchpoints, slots, frozenset(counted))


def vocabulary_of(project: Project) -> list[tuple[str, str]]:
    """Rows of touch_vocabulary: every event name each touchpoint uses. A named moment
    no metric reads (`report.assigned`, or a typo such as `report.strat`) is unknown."""
    rows: list[tuple[str, str]] = []
    for tp in project.touchpoints.values():
        names = {UPDATE_EVENT}
        for step in tp.steps:
            names |= {f"{step.id}.start", f"{step.id}.end"}
        if tp.updates is not None and tp.updates.until is not None:
            names.add(str(tp.updates.until))
        for metric in tp.metrics:
            match metric:
                case TimeMetric():
                    names |= {str(metric.start), str(metric.end)}
                    names |= {str(e) for pause in metric.pauses for e in (pause.start, pause.end)}
                case RatioMetric():
                    names |= {metric.numerator, metric.denominator}
                case ScoreMetric() | NpsMetric():
                    names.add(metric.id)
                case CountMetric():
                    names.add(metric.event)
                case _:
                    assert_never(metric)
        rows += [(tp.id, name) for name in sorted(names)]
    return rows
