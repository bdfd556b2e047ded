"""Judging: the SQL's aggregates against each promise and target, into a Measurement.

Every comparison is exact (integers and `Fraction`s of the objective as written), so
a period exactly at its objective is kept, never missed by a rounding error. Shares
and margins are rounded for display only after the verdict.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from fractions import Fraction
from typing import Any, Literal, assert_never

from touchdsl.measure.calendar_table import from_epoch_us
from touchdsl.measure.engine import Raw
from touchdsl.measure.sql import BINS, BINS_PER_LIMIT
from touchdsl.measure.identity import definition
from touchdsl.measure.plan import Item
from touchdsl.measure.result import (
    Bin,
    DataQuality,
    Example,
    ItemResult,
    Measurement,
    OpenCase,
    Percentiles,
    Period,
    Problem,
    Reach,
    Rollup,
    Status,
    Stretch,
    Tally,
    Verdict,
    WorstCase,
)
from touchdsl.model import (
    AverageObjective,
    BoundObjective,
    CountMetric,
    NpsMetric,
    Objective,
    Project,
    RatioMetric,
    ScoreMetric,
    ShareObjective,
    TimeMetric,
    business_calendar,
    business_days,
    limit_size,
    objective_within,
)

__all__ = ["judge", "PROBLEMS"]

# Every kind of bad data, in the order reports list them: kind -> what it means.
PROBLEMS: dict[str, str] = {
    "unreadable_timestamp": "rows whose `at` is missing or is not a timestamp; not measured",
    "timestamp_before_1970": "rows dated before 1970-01-01; not measured",
    "after_as_of": "rows after the as-of moment (or in the future); not measured",
    "unknown_touchpoint": "rows of a touchpoint the project does not declare; not measured",
    "unknown_event": "rows whose event the touchpoint does not use (not a step's start or end, nor an event "
                     "a metric or its updates read); not measured",
    "missing_case": "rows without a case id for an event measured per case; not measured",
    "unreadable_value": "rows whose `value` is not a number",
    "answer_outside_scale": "answers missing a value or outside the metric's scale (NPS: whole numbers 0..10); "
                            "not measured",
    "duplicate_start": "cases with more than one start event; the first one counts",
    "end_before_start": "cases with an end event before their start; it is ignored (the first end after the "
                        "start counts, and without one the case is open)",
    "end_without_start": "cases with an end event and no start; not measured",
    "numerator_without_denominator": "ratio cases with the counted event (X) but not the population event (Y); "
                                     "counted in both, as X implies Y",
    "missing_segment": "cases (or answers and counted events) of a metric judged per class whose rows name no "
                       "class in `segment`; not measured by it",
    "unknown_segment": "cases (or answers and counted events) of a metric judged per class whose class the "
                       "touchpoint does not declare; not measured by it",
    "conflicting_segment": "cases whose rows name two classes; not measured by a metric judged per class",
}

_RANK: dict[str, int] = {"missed": 0, "kept": 1, "no_data": 2}
_DIGITS = 4


def _iso(us: int, zone: dt.tzinfo) -> str:
    return from_epoch_us(us).astimezone(zone).isoformat()


def _exact(value: float) -> Fraction:
    return Fraction(repr(float(value)))


def _round(value: Fraction | float) -> float:
    return round(float(value), _DIGITS)


def _shown(text: str | None) -> str | None:
    """A value as people write it: `6`, not the `6.0` of a DOUBLE."""
    if text is None:
        return None
    try:
        number = float(text)
    except ValueError:
        return text
    return str(int(number)) if number.is_integer() and "e" not in text.lower() else text


def _share_verdict(words: str, decided: int, good: int, percent: float) -> Verdict:
    """At least `percent`% of `decided` are good."""
    if decided == 0:
        return Verdict(objective=words, status="no_data", value=None, margin=None, decided=0, good=0)
    share = Fraction(100 * good, decided)
    status: Status = "kept" if share >= _exact(percent) else "missed"
    return Verdict(objective=words, status=status, value=_round(share), margin=_round(share - _exact(percent)),
                   decided=decided, good=good)


def _objective_words(item: Item, objective: Objective | None) -> str:
    from touchdsl.slo.rules import objective_words

    if item.metric is None:
        updates = item.touchpoint.updates
        assert updates is not None
        until = f" (until {updates.until})" if updates.until is not None else ""
        return f"an update at least every {updates.every.text} while open{until}"
    assert objective is not None
    return objective_words(item.metric, objective)


class _Rows:
    """The result rows of one item, by period."""

    def __init__(self, raw: Raw) -> None:
        self.by: dict[str, dict[tuple[int, int], tuple[Any, ...]]] = {}
        for name in ("cases", "ratios", "answers", "counts"):
            self.by[name] = {(row[0], row[1]): row[2:] for row in raw.results[name]}
        self.worst: dict[tuple[int, int], list[tuple[Any, ...]]] = defaultdict(list)
        for row in raw.results["worst"]:
            self.worst[(row[0], row[1])].append(row[2:])
        self.bins: dict[tuple[int, int], dict[int, int]] = defaultdict(dict)
        for item, period, bin_, cases in raw.results["distribution"]:
            self.bins[(item, period)][int(bin_)] = int(cases)
        self.reach: dict[tuple[int, int, str], tuple[int, int]] = {
            (item, period, role): (int(us), int(open_upto or 0))
            for item, period, role, us, open_upto in raw.results["reach"] if us is not None}
        self.overdue: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
        for row in raw.results["overdue"]:
            self.overdue[row[0]].append(row[1:])

    def get(self, name: str, key: tuple[int, int], width: int) -> tuple[Any, ...]:
        row = self.by[name].get(key)
        return tuple(0 if v is None and k < width else v for k, v in enumerate(row)) if row else (0,) * width


def _bins(item: Item, counts: dict[int, int]) -> list[Bin]:
    """Every bin from the first to the last with a case (empty ones between included),
    in seconds (business days for a business-day metric): twelfths of the promise's limit
    (`sql.BINS_PER_LIMIT`; an internal metric's target), the last past twice the limit."""
    if not counts:
        return []
    metric = item.metric
    if metric is None:
        assert item.touchpoint.updates is not None
        limit = item.touchpoint.updates.every.seconds
    else:
        limit = limit_size(objective_within(metric.promise or metric.target).within)
    step = limit / BINS_PER_LIMIT
    return [Bin(low=_round(k * step), high=None if k == BINS else _round((k + 1) * step), cases=counts.get(k, 0))
            for k in range(0, max(counts) + 1)]


def _overdue_cases(rows: list[tuple[Any, ...]], zone: dt.tzinfo) -> list[OpenCase]:
    return [OpenCase(case=str(case), since=_iso(int(start), zone), elapsed=_round(value / 1e6),
                     late_since=_iso(int(late), zone))
            for case, start, value, late, _ in rows]


def _period(number: int, item: Item, k: int, bounds: tuple[int, int], rows: _Rows, zone: dt.tzinfo,
            as_of_us: int) -> Period:
    key = (number, k)
    start, end = bounds
    internal = item.metric is not None and item.metric.promise is None
    # An internal metric's promise is computed as its target (plan.item_row) and not reported.
    words = (_objective_words(item, item.metric.promise or item.metric.target if item.metric else None),
             _objective_words(item, item.metric.target if item.metric else None))
    worst = [WorstCase(case=str(case), value=None if value is None else _round(value), at=_iso(int(at), zone),
                       open=bool(still_open))
             for case, value, at, still_open in rows.worst.get(key, [])]
    metric = item.metric
    extra: dict[str, Any] = {}
    verdicts: list[Verdict] = []
    match metric:
        case TimeMetric() | None:
            (p_dec, p_good, t_dec, t_good, open_, overdue, finished, *pct) = rows.get("cases", key, 7)
            if metric is None:
                objectives: tuple[float, float] = (100.0, 100.0)
            else:
                target_within = objective_within(metric.target)
                promise_within = objective_within(metric.promise) if metric.promise is not None else target_within
                objectives = (promise_within.percent, target_within.percent)
            verdicts = [_share_verdict(words[0], int(p_dec), int(p_good), objectives[0]),
                        _share_verdict(words[1], int(t_dec), int(t_good), objectives[1])]
            extra = {"open": int(open_), "overdue": int(overdue), "finished": int(finished)}
            if pct and pct[0] is not None:
                extra["elapsed"] = Percentiles(p50=pct[0] / 1e6, p90=pct[1] / 1e6, p95=pct[2] / 1e6)
            extra["distribution"] = _bins(item, rows.bins.get(key, {}))
            for role, percent in zip(("promise", "target"), objectives):
                found = rows.reach.get((number, k, role)) if metric is not None else None
                if found is not None:
                    extra[f"{role}_reach"] = Reach(percent=percent, seconds=found[0] / 1e6, at_least=found[1] > 0)
        case RatioMetric():
            cases, matching = (int(v) for v in rows.get("ratios", key, 2))
            for words_, objective in zip(words, (metric.promise or metric.target, metric.target)):
                assert isinstance(objective, BoundObjective)
                if cases == 0:
                    verdicts.append(Verdict(objective=words_, status="no_data", value=None, margin=None,
                                            decided=0, good=0))
                    continue
                share, limit = Fraction(100 * matching, cases), _exact(objective.value)
                margin = limit - share if objective.form == "at_most" else share - limit
                verdicts.append(Verdict(objective=words_, status="kept" if margin >= 0 else "missed",
                                        value=_round(share), margin=_round(margin), decided=cases, good=matching))
        case ScoreMetric() | NpsMetric():
            answers, total, p_good, t_good, promoters, detractors = rows.get("answers", key, 6)
            answers, promoters, detractors = int(answers), int(promoters), int(detractors)
            extra = {"answers": answers}
            match metric:
                case NpsMetric():  # the score is the net of promoters and detractors
                    extra |= {"promoters": promoters, "detractors": detractors}
                    score = Fraction(100 * (promoters - detractors), answers) if answers else Fraction(0)
                case ScoreMetric():  # the score is the average answer
                    score = _exact(float(total)) / answers if answers else Fraction(0)
            for words_, objective, good in zip(words, (metric.promise or metric.target, metric.target),
                                               (p_good, t_good)):
                if isinstance(objective, ShareObjective):
                    verdicts.append(_share_verdict(words_, answers, int(good), objective.percent))
                    continue
                if answers == 0:
                    verdicts.append(Verdict(objective=words_, status="no_data", value=None, margin=None,
                                            decided=0, good=None))
                    continue
                assert isinstance(objective, (AverageObjective, BoundObjective))
                value = score
                margin = value - _exact(objective.value)
                verdicts.append(Verdict(objective=words_, status="kept" if margin >= 0 else "missed",
                                        value=_round(value), margin=_round(margin), decided=answers, good=None))
        case CountMetric():
            total, worst_events, stretch = rows.get("counts", key, 3)
            total, worst_events = int(total), int(worst_events)
            extra = {"events": total}
            if total:
                per = round(metric.per.seconds * 1_000_000)
                hi = end - int(stretch) * per
                shown = hi - 1 if hi == as_of_us + 1 else hi
                extra["worst_stretch"] = Stretch(start=_iso(max(start, hi - per), zone), end=_iso(shown, zone),
                                                 events=worst_events)
            for words_, objective in zip(words, (metric.promise or metric.target, metric.target)):
                assert isinstance(objective, BoundObjective)
                margin = _exact(objective.value) - worst_events
                verdicts.append(Verdict(objective=words_, status="kept" if margin >= 0 else "missed",
                                        value=float(worst_events), margin=_round(margin), decided=total,
                                        good=None))
        case _:
            assert_never(metric)
    return Period(start=_iso(start, zone), end=_iso(end - 1 if end == as_of_us + 1 else end, zone),
                  promise=None if internal else verdicts[0], target=verdicts[1],
                  worst=worst, **extra)


def _overall(statuses: list[Status]) -> Status:
    if "missed" in statuses:
        return "missed"
    return "kept" if "kept" in statuses else "no_data"


def _severity(result: ItemResult) -> tuple[int, int, float, str]:
    """Sort key, worst first: missed promises, then missed targets, by how far off
    (an internal metric, without a promise, after every published one)."""
    worst = 0.0
    for period in result.periods:
        for verdict in (period.promise, period.target):
            if verdict is not None and verdict.margin is not None and verdict.value is not None:
                scale = max(abs(verdict.value - verdict.margin), 1.0)
                worst = min(worst, verdict.margin / scale)
    promise = _RANK[result.status] if result.status is not None else len(_RANK)
    return (promise, _RANK[result.target_status], worst, result.key)


def _rollups(project: Project, results: list[ItemResult], by: str) -> list[Rollup]:
    groups: dict[str, list[ItemResult]] = defaultdict(list)
    for result in results:  # already worst first
        group = result.owner if by == "owner" else result.journey
        if group is not None and result.status is not None:  # promises only: internal metrics promise nothing
            groups[group].append(result)
    out = []
    for group, members in groups.items():
        title = project.owners[group].title if by == "owner" else project.journeys[group].title
        statuses = [m.status for m in members]
        out.append(Rollup(id=group, title=title, promises=len(members), kept=statuses.count("kept"),
                          missed=statuses.count("missed"), no_data=statuses.count("no_data"),
                          missed_items=[m.key for m in members if m.status == "missed"]))
    out.sort(key=lambda r: (-r.missed, -Fraction(r.missed, r.promises), r.id))
    return out


def _quality(raw: Raw) -> DataQuality:
    counts = {str(kind): int(n) for kind, n in raw.results["problem_counts"]}
    per_item: dict[str, dict[str, int]] = defaultdict(dict)
    for kind, item, n in raw.results["problem_items"]:
        per_item[kind][raw.items[item].key] = int(n)
    examples: dict[str, list[Example]] = defaultdict(list)
    for kind, item, src, row, case, touchpoint, event, at_us, at_text, value_text in raw.results["problem_examples"]:
        at = at_text if at_text is not None else (_iso(int(at_us), raw.zone) if at_us is not None else None)
        metric = raw.items[item].id if item is not None else None
        examples[kind].append(Example(source=raw.sources[src], row=None if row is None else int(row), case=case,
                                      touchpoint=touchpoint or None, event=event or None, metric=metric,
                                      at=at, value=_shown(value_text)))
    problems = [Problem(kind=kind, description=PROBLEMS[kind], count=counts[kind], per_item=per_item.get(kind, {}),
                        examples=examples[kind])
                for kind in PROBLEMS if counts.get(kind)]
    return DataQuality(rows=raw.rows, problems=problems)


def judge(project: Project, raw: Raw) -> Measurement:
    rows = _Rows(raw)
    results: list[ItemResult] = []
    for number, item in enumerate(raw.items):
        tp = item.touchpoint
        periods = [_period(number, item, k, bounds, rows, raw.zone, raw.as_of_us)
                   for k, bounds in enumerate(raw.periods[number])]
        metric = item.metric
        title = metric.title if metric is not None else f"Updates every {tp.updates.every.text}"  # type: ignore[union-attr]
        published = metric is None or metric.promise is not None
        unit: Literal["seconds", "business_days"] | None = None
        if item.kind in ("time", "updates"):
            unit = "business_days" if metric is not None and business_days(metric) else "seconds"
        results.append(ItemResult(
            touchpoint=tp.id, metric=item.id, segment=item.segment, kind=item.kind,
            definition=definition(project, tp, metric),
            title=title, owner=tp.owner, journey=tp.journey,
            calendar=business_calendar(metric) if metric is not None else None,
            unit=unit, published=published,
            status=_overall([p.promise.status for p in periods if p.promise is not None]) if published else None,
            target_status=_overall([p.target.status for p in periods]),
            periods=periods,
            overdue_now=(int(rows.overdue[number][0][-1]) if rows.overdue.get(number) else 0)
            if item.kind in ("time", "updates") else None,
            overdue_cases=_overdue_cases(rows.overdue.get(number, []), raw.zone),
        ))
    results.sort(key=_severity)

    def tally(attr: str) -> Tally:
        statuses = [getattr(r, attr) for r in results if getattr(r, attr) is not None]
        return Tally(kept=statuses.count("kept"), missed=statuses.count("missed"), no_data=statuses.count("no_data"))

    promises = tally("status")
    return Measurement(
        as_of=_iso(raw.as_of_us, raw.zone), timezone=str(raw.zone), sources=raw.sources,
        kept=promises.missed == 0, promises=promises, targets=tally("target_status"), items=results,
        owners=_rollups(project, results, "owner"), journeys=_rollups(project, results, "journey"),
        data_quality=_quality(raw),
    )
