"""A small pure-Python measurement of every kind, written from docs/measure.md and
`touchdsl.clock`, row by row: the oracle the SQL is compared with on random logs.

Deliberately naive (loops, sorting, the clock per case); only for small logs.
"""

from __future__ import annotations

import datetime as dt
import math
from fractions import Fraction
from dataclasses import dataclass
from fractions import Fraction

from touchdsl.clock import (
    business_days_deadline,
    business_days_elapsed,
    business_deadline,
    business_elapsed,
    open_periods,
    running,
    wall_deadline,
)
from touchdsl.measure.calendar_table import epoch_us
from touchdsl.model import (
    BoundObjective,
    BusinessDays,
    CountMetric,
    NpsMetric,
    Project,
    RatioMetric,
    ScoreMetric,
    ShareObjective,
    TimeMetric,
    Touchpoint,
)

US = dt.timedelta(microseconds=1)


@dataclass(frozen=True)
class Row:
    case: str | None
    touchpoint: str
    event: str
    at: dt.datetime | None
    value: float | None
    segment: str | None = None


def last_within(start: dt.datetime, limit: dt.timedelta, calendar, pauses=()) -> dt.datetime:
    """The last moment a case started at `start` is within `limit`: the deadline, or
    where the clock next runs when the deadline is at a closing or a pause."""
    pauses = list(pauses)
    far = dt.timedelta(days=800)
    due = business_deadline(start, limit, calendar, pauses) if calendar else wall_deadline(start, limit, pauses)
    for lo, _ in running(due, due + far, pauses):
        if calendar is None:
            return lo
        for opens, _ in open_periods(lo, due + far, calendar):
            if all(not (a <= opens < b) for a, b in pauses):
                return opens
    raise AssertionError("the clock never runs again")


def pause_stretches(start: dt.datetime, stop: dt.datetime, marks: list[tuple[dt.datetime, int, bool]]
                    ) -> list[tuple[dt.datetime, dt.datetime]]:
    """docs/measure.md: per pause, a start event stops the clock until the next end event
    (a start while stopped and an end while running change nothing); a pause still on
    at the stop lasts until it; events outside [start, stop] do not count."""
    out = []
    for pause in sorted({k for _, k, _ in marks}):
        since = None
        for at, _, is_start in sorted((m for m in marks if m[1] == pause), key=lambda m: (m[0], m[2])):
            if not start <= at <= stop:
                continue
            if is_start and since is None:
                since = at
            elif not is_start and since is not None:
                out.append((since, at))
                since = None
        if since is not None:
            out.append((since, stop))
    return out


def nearest_rank(values: list[int], percent: int) -> int:
    ordered = sorted(values)
    return ordered[math.ceil(percent * len(ordered) / 100) - 1]


def _in(moment: dt.datetime | None, period: tuple[dt.datetime, dt.datetime]) -> bool:
    return moment is not None and period[0] <= moment < period[1]


class Reference:
    def __init__(self, project: Project, rows: list[Row], as_of: dt.datetime):
        self.project = project
        self.as_of = as_of
        # What the SQL measures: readable rows up to as-of.
        self.rows = [r for r in rows if r.at is not None and r.at.timestamp() >= 0 and r.at <= as_of]

    def _of(self, tp: Touchpoint, events: set[str], need_case: bool = True) -> list[Row]:
        return [r for r in self.rows if r.touchpoint == tp.id and r.event in events and (r.case or not need_case)]

    # -- classes of case ----------------------------------------------------------------
    def case_events(self, tp: Touchpoint) -> set[str]:
        """The events a touchpoint reads once per case (time and updates starts and ends,
        ratio events): the rows that say a case's class."""
        names: set[str] = set()
        for metric in tp.metrics:
            if isinstance(metric, TimeMetric):
                names |= {str(metric.start), str(metric.end)}
            elif isinstance(metric, RatioMetric):
                names |= {metric.numerator, metric.denominator}
        if tp.updates is not None:
            names |= {f"{tp.steps[0].id}.start", str(tp.updates.until) if tp.updates.until else f"{tp.steps[-1].id}.end"}
        return names

    def classes_named(self, tp: Touchpoint) -> dict[str, set[str]]:
        named: dict[str, set[str]] = {}
        for r in self._of(tp, self.case_events(tp)):
            named.setdefault(r.case, set())
            if r.segment:
                named[r.case].add(r.segment)
        return named

    def of_class(self, tp: Touchpoint, case: str, segment: str | None) -> bool:
        if segment is None:
            return True
        return self.classes_named(tp).get(case, set()) == {segment}

    # -- time and updates -------------------------------------------------------------
    def spans(self, tp: Touchpoint, start_event: str, end_event: str) -> dict[str, tuple[dt.datetime, dt.datetime | None]]:
        starts: dict[str, list[dt.datetime]] = {}
        ends: dict[str, list[dt.datetime]] = {}
        for r in self._of(tp, {start_event}):
            starts.setdefault(r.case, []).append(r.at)
        for r in self._of(tp, {end_event}):
            ends.setdefault(r.case, []).append(r.at)
        out = {}
        for case, times in starts.items():
            start = min(times)
            after = [e for e in ends.get(case, []) if e >= start]
            out[case] = (start, min(after) if after else None)
        return out

    def time_cases(self, tp: Touchpoint, metric: TimeMetric) -> list[dict]:
        calendar = self.project.calendars[metric.calendar] if metric.calendar else None
        marks: dict[str, list[tuple[dt.datetime, int, bool]]] = {}
        for k, pause in enumerate(metric.pauses):
            for event, is_start in ((str(pause.start), True), (str(pause.end), False)):
                for r in self._of(tp, {event}):
                    marks.setdefault(r.case, []).append((r.at, k, is_start))
        cases = []
        for case, (start, end) in self.spans(tp, str(metric.start), str(metric.end)).items():
            if not self.of_class(tp, case, metric.segment):
                continue
            stop = end or self.as_of
            pauses = pause_stretches(start, stop, marks.get(case, []))
            days = isinstance(metric.target.within, BusinessDays)
            if days:
                value = business_days_elapsed(start, stop, calendar, pauses) * 1_000_000
            elif calendar:
                value = business_elapsed(start, stop, calendar, pauses) // US
            else:
                value = sum((b - a for a, b in running(start, stop, pauses)), dt.timedelta()) // US
            decided = {}
            # An internal metric is judged against its target only; its promise is the target.
            for which, objective in (("promise", metric.promise or metric.target), ("target", metric.target)):
                limit = objective.within
                if isinstance(limit, BusinessDays):
                    late = business_days_deadline(start, limit.days, calendar, pauses)
                    over = value > limit.days * 1_000_000
                else:
                    late = last_within(start, dt.timedelta(seconds=limit.seconds), calendar, pauses)
                    over = value > round(limit.seconds * 1_000_000)
                if over:
                    decided[which] = (late, False)
                elif end is not None:
                    decided[which] = (end, True)
                else:
                    decided[which] = (None, True)
                if which == "promise":
                    promise_late = late
            cases.append({"case": case, "start": start, "end": end, "value": value, "decided": decided,
                          "late": promise_late})
        return cases

    def update_cases(self, tp: Touchpoint) -> list[dict]:
        updates = tp.updates
        first, end_event = f"{tp.steps[0].id}.start", (str(updates.until) if updates.until else f"{tp.steps[-1].id}.end")
        every = dt.timedelta(seconds=updates.every.seconds)
        sent: dict[str, list[dt.datetime]] = {}
        for r in self._of(tp, {"update"}):
            sent.setdefault(r.case, []).append(r.at)
        cases = []
        for case, (start, end) in self.spans(tp, first, end_event).items():
            stop = end or self.as_of
            marks = sorted([start] + [u for u in sent.get(case, []) if start < u < stop] + [stop])
            gaps = [(b - a, a) for a, b in zip(marks, marks[1:])]
            longest = max(g for g, _ in gaps)
            late_at = min((a + every for g, a in gaps if g > every), default=None)
            if late_at is not None:
                decided = (late_at, False)
            elif end is not None:
                decided = (end, True)
            else:
                decided = (None, True)
            cases.append({"case": case, "start": start, "end": end, "value": longest // US,
                          "decided": {"promise": decided, "target": decided}, "late": late_at})
        return cases

    limit_us: int = 1
    percents: tuple[float, float] = (100.0, 100.0)

    def for_item(self, limit: dt.timedelta, percents: tuple[float, float]) -> "Reference":
        """The promise's limit (bins) and the objectives' percents (reach) of the item measured next."""
        self.limit_us = limit // US
        self.percents = percents
        return self

    def overdue_now(self, cases: list[dict]) -> list[str]:
        """Cases open at the as-of moment and past the promise, longest overdue first."""
        late = [c for c in cases if c["end"] is None and c["decided"]["promise"][1] is False]
        return [c["case"] for c in sorted(late, key=lambda c: (c["decided"]["promise"][0], c["case"]))]

    def case_period(self, cases: list[dict], period: tuple[dt.datetime, dt.datetime]) -> dict:
        x = period[1] - US
        out: dict = {}
        for which in ("promise", "target"):
            inside = [c for c in cases if _in(c["decided"][which][0], period)]
            out[which] = (len(inside), sum(1 for c in inside if c["decided"][which][1]))
        still = [c for c in cases if c["start"] <= x and (c["end"] is None or c["end"] > x)]
        out["overdue"] = sum(1 for c in still if c["late"] is not None and c["late"] < x)
        out["open"] = len(still) - out["overdue"]
        finished = [c["value"] for c in cases if _in(c["end"], period)]
        # The distribution: bin k holds values in (k, k + 1] twelfths of the promise's
        # limit (0 in bin 0), bin 24 everything past twice the limit.
        bins: dict[int, int] = {}
        for value in finished:
            k = 0 if value <= 0 else min(24, math.ceil(Fraction(value * 12, self.limit_us)) - 1)
            bins[k] = bins.get(k, 0) + 1
        out["bins"] = bins
        # Within how long each objective's share of the decided cases was done (values
        # of open cases so far), and whether an open case is at or below that value.
        out["reach"] = {}
        for which, percent in (("promise", self.percents[0]), ("target", self.percents[1])):
            inside = [c for c in cases if _in(c["decided"][which][0], period)]
            if inside:
                ordered = sorted(c["value"] for c in inside)
                rank = math.ceil(Fraction(repr(percent)) * len(ordered) / 100)
                reach = ordered[rank - 1]
                open_below = any(c["end"] is None and c["value"] <= reach for c in inside)
                out["reach"][which] = (reach, open_below)
        out["finished"] = len(finished)
        out["elapsed"] = tuple(nearest_rank(finished, p) for p in (50, 90, 95)) if finished else None
        decided = [c for c in cases if _in(c["decided"]["promise"][0], period)]
        decided.sort(key=lambda c: (-c["value"], c["case"]))
        out["worst"] = [(c["case"], c["value"]) for c in decided[:5]]
        return out

    # -- ratio, answers, count -------------------------------------------------------
    def ratio_period(self, tp: Touchpoint, metric: RatioMetric, period) -> dict:
        den: dict[str, dt.datetime] = {}
        num: dict[str, dt.datetime] = {}
        for r in self._of(tp, {metric.denominator}):
            den[r.case] = min(den.get(r.case, r.at), r.at)
        for r in self._of(tp, {metric.numerator}):
            num[r.case] = min(num.get(r.case, r.at), r.at)
        inside = [c for c in set(den) | set(num) if _in(den.get(c, num.get(c)), period)]
        bad_is_num = isinstance(metric.promise, BoundObjective) and metric.promise.form == "at_most"
        bad = [c for c in inside if (c in num) == bad_is_num]
        bad.sort(key=lambda c: (-epoch_us(den.get(c, num.get(c))), c))
        return {"cases": len(inside), "matching": sum(1 for c in inside if c in num), "worst": bad[:5]}

    def valid_answer(self, metric, value: float | None) -> bool:
        if value is None or math.isnan(value):
            return False
        if isinstance(metric, NpsMetric):
            return 0 <= value <= 10 and value == int(value)
        return metric.low <= value <= metric.high

    def answer_period(self, tp: Touchpoint, metric, period) -> dict:
        answers = [r for r in self._of(tp, {metric.id}) if self.valid_answer(metric, r.value) and _in(r.at, period)
                   and (metric.segment is None or r.segment == metric.segment)]
        out = {"answers": len(answers), "total": Fraction(0), "promoters": 0, "detractors": 0}
        for r in answers:
            out["total"] += Fraction(r.value)
            out["promoters"] += r.value >= 9
            out["detractors"] += r.value <= 6
        for which, objective in (("promise", metric.promise or metric.target), ("target", metric.target)):
            if isinstance(objective, ShareObjective):
                out[which] = sum(1 for r in answers if r.value >= objective.value)
        answers.sort(key=lambda r: (r.value, -epoch_us(r.at), r.case))
        out["worst"] = [(r.case, r.value) for r in answers[:5]]
        return out

    def count_period(self, tp: Touchpoint, metric: CountMetric, period) -> dict:
        per = dt.timedelta(seconds=metric.per.seconds)
        stretches: dict[int, int] = {}
        for r in self._of(tp, {metric.event}, need_case=False):
            if _in(r.at, period) and (metric.segment is None or r.segment == metric.segment):
                k = (period[1] - US - r.at) // per
                stretches[k] = stretches.get(k, 0) + 1
        worst = min(stretches, key=lambda k: (-stretches[k], k)) if stretches else None
        return {"events": sum(stretches.values()), "worst": stretches.get(worst, 0), "stretch": worst}

    # -- bad data -----------------------------------------------------------------------
    def duplicate_starts(self, tp: Touchpoint, start_event: str) -> int:
        seen: dict[str, int] = {}
        for r in self._of(tp, {start_event}):
            seen[r.case] = seen.get(r.case, 0) + 1
        return sum(1 for n in seen.values() if n > 1)


def metric_kind(metric) -> str:
    match metric:
        case TimeMetric():
            return "time"
        case RatioMetric():
            return "ratio"
        case ScoreMetric():
            return "score"
        case NpsMetric():
            return "nps"
        case CountMetric():
            return "count"
    raise AssertionError(metric)
