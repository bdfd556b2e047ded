"""Write the example projects' event logs: `python examples/make_events.py`.

Deterministic (seeded), so the committed logs are exactly what this writes (a test
checks it). Nine weeks of cases up to AS_OF, across the autumn holidays and the
change from summer time, shaped by each metric's promise and target:

- most cases meet the target, some only the promise, a few neither; in each project
  one promise is missed on purpose (MISSED below), so `touchdsl measure` exits 1;
- the latest cases are still open (no end event), some of them already overdue;
- a handful of bad rows, so the data-quality report has something to show: an event
  name with a typo, an unreadable timestamp, a duplicated start, an answer outside
  the scale;
- cases of a touchpoint with classes carry their class (`segment`; the health export
  calls it `priority`), and a metric's pauses happen in some cases (the clock stops
  while the patient completes the details of a complaint).

telecom writes the standard schema as CSV; banking as JSON lines; health as CSV
the way a ticketing export names things (`ticket_id`, `created_at`, `priority`, local
time without an offset), read with `--map case=ticket_id,at=created_at,segment=priority
--timezone Asia/Jerusalem`.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import touchdsl  # noqa: E402
from touchdsl.clock import business_days_deadline, business_deadline, wall_deadline  # noqa: E402
from touchdsl.model import (  # noqa: E402
    BoundObjective,
    BusinessDays,
    CountMetric,
    Duration,
    NpsMetric,
    RatioMetric,
    ScoreMetric,
    ShareObjective,
    TimeMetric,
    Touchpoint,
    limit_size,
)

ZONE = ZoneInfo("Asia/Jerusalem")
AS_OF = dt.datetime(2026, 11, 30, 17, 0, tzinfo=ZONE)
FIRST = dt.datetime(2026, 9, 28, 0, 0, tzinfo=ZONE)
CASES = {"telecom": 420, "banking": 700, "health": 260}
# The promise each project misses on purpose: (touchpoint, metric) -> share of late cases.
MISSED = {
    "telecom": ("technical_fault", "arrival", 0.12),
    "banking": ("bank_transfer", "executed", 0.03),
    "health": ("appointment", "abandoned", 0.10),
}
SEED = 20261130


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(ZONE).isoformat()


Row = tuple[dt.datetime, str, str, str, "str | None", "str | None"]  # at, case, touchpoint, event, value, segment


class Log:
    def __init__(self) -> None:
        self.rows: list[Row] = []
        self.segment: str | None = None  # the class of the case being written

    def add(self, case: str, tp: str, event: str, at: dt.datetime, value: float | None = None) -> None:
        if at <= AS_OF:  # what has not happened yet is not in the log
            self.rows.append((at, case, tp, event, None if value is None else _num(value), self.segment))


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _limits(metric: TimeMetric) -> tuple[float, float]:
    """The target's and the promise's limit (seconds, or business days); an internal
    metric's promise is its target."""
    target = limit_size(metric.target.within)  # type: ignore[union-attr]
    promise = limit_size(metric.promise.within) if metric.promise is not None else target  # type: ignore[union-attr]
    return target, promise


def _elapsed(rng: random.Random, metric: TimeMetric, late_share: float) -> float:
    """Seconds a case takes: mostly within the target, some only within the promise,
    `late_share` beyond it."""
    target, promise = _limits(metric)
    roll = rng.random()
    if roll < late_share:
        return promise * rng.uniform(1.05, 1.8)
    if roll < late_share + 0.03:
        return rng.uniform(target, promise)
    return target * rng.uniform(0.1, 0.95)


def _days(rng: random.Random, metric: TimeMetric, late_share: float) -> int:
    """Business days a case takes, the same way: 0 is the day it started."""
    target, promise = (int(x) for x in _limits(metric))
    roll = rng.random()
    if roll < late_share:
        return promise + rng.randint(1, max(1, promise))
    if roll < late_share + 0.03:
        return rng.randint(target, promise)
    return rng.randint(0, target)


def _after(rng: random.Random, start: dt.datetime, metric: TimeMetric, late: float, project: touchdsl.Project,
           pauses: list[tuple[dt.datetime, dt.datetime]]) -> dt.datetime:
    """When a case that started at `start` ends, its clock stopped during `pauses`."""
    calendar = project.calendars[metric.calendar] if metric.calendar is not None else None
    match metric.target.within:  # type: ignore[union-attr]
        case BusinessDays():
            assert calendar is not None
            days = _days(rng, metric, late)
            closing = business_days_deadline(start, days, calendar, pauses)
            before = business_days_deadline(start, days - 1, calendar, pauses) if days else start
            # Some moment of that business day's open time: before its closing, after the day before's.
            span = (closing - before).total_seconds()
            return closing - dt.timedelta(seconds=round(rng.uniform(0, min(span - 60, 3 * 3600))))
        case Duration():
            delta = dt.timedelta(seconds=round(_elapsed(rng, metric, late)))
            if calendar is None:
                return wall_deadline(start, delta, pauses)
            return business_deadline(start, delta, calendar, pauses)
    raise AssertionError("a limit is a duration or business days")


def _answer(rng: random.Random, metric: ScoreMetric | NpsMetric) -> int:
    if isinstance(metric, NpsMetric):
        return rng.choices(range(11), weights=[1, 1, 1, 1, 1, 2, 3, 7, 14, 20, 24])[0]
    low, high = int(metric.low), int(metric.high)
    weights = [1 + 4 * k ** 3 for k in range(high - low + 1)]
    return rng.choices(range(low, high + 1), weights=weights)[0]


def _pauses(rng: random.Random, case: str, tp: Touchpoint, metric: TimeMetric, start: dt.datetime,
            log: Log, paused: set[str]) -> list[tuple[dt.datetime, dt.datetime]]:
    """A third of the cases wait once: the pause starts within a day and lasts up to a week."""
    out: list[tuple[dt.datetime, dt.datetime]] = []
    for pause in metric.pauses:
        if rng.random() >= 1 / 3:
            continue
        begins = start + dt.timedelta(hours=rng.uniform(1, 24))
        ends = begins + dt.timedelta(hours=rng.uniform(4, 7 * 24))
        out.append((begins, ends))
        if str(pause.start) not in paused:
            paused.add(str(pause.start))
            log.add(case, tp.id, str(pause.start), begins)
            log.add(case, tp.id, str(pause.end), ends)
    return out


def _case(rng: random.Random, project: touchdsl.Project, tp: Touchpoint, case: str, start: dt.datetime,
          missed: tuple[str, str, float], log: Log, still_open: bool) -> None:
    ends: list[dt.datetime] = [start]
    started: set[str] = set()
    paused: set[str] = set()
    # A case of a touchpoint with classes is of one class (a fifth of them the first,
    # usually the urgent one); a metric judged per class is written for that class only.
    log.segment = None
    if tp.classes:
        log.segment = tp.classes[0].id if rng.random() < 0.2 else rng.choice(tp.classes[1:] or tp.classes).id
    for metric in tp.metrics:
        if metric.segment is not None and metric.segment != log.segment:
            continue
        if isinstance(metric, TimeMetric):
            late = missed[2] if (tp.id, metric.id) == missed[:2] else 0.01
            begins = start
            if str(metric.start) not in started:
                started.add(str(metric.start))
                log.add(case, tp.id, str(metric.start), begins)
            pauses = _pauses(rng, case, tp, metric, begins, log, paused)
            if still_open and metric.end.moment == "end":
                continue
            done = _after(rng, begins, metric, late, project, pauses)
            log.add(case, tp.id, str(metric.end), done)
            ends.append(done)
        elif isinstance(metric, RatioMetric):
            log.add(case, tp.id, metric.denominator, start)
            objective = metric.promise or metric.target
            assert isinstance(objective, BoundObjective)
            base = objective.value / 100
            if (tp.id, metric.id) == missed[:2]:
                chance = base + missed[2]
            elif objective.form == "at_most":
                chance = base * 0.5
            else:
                chance = min(1.0, base + 0.2)
            if rng.random() < chance:
                log.add(case, tp.id, metric.numerator, start + dt.timedelta(seconds=rng.randint(20, 400)))
        elif isinstance(metric, (ScoreMetric, NpsMetric)):
            if not still_open and rng.random() < 0.35:
                answered = max(ends) + dt.timedelta(hours=rng.uniform(2, 30))
                log.add(case, tp.id, metric.id, answered, _answer(rng, metric))
    if tp.updates is not None and tp.steps:
        until = str(tp.updates.until) if tp.updates.until else f"{tp.steps[-1].id}.end"
        if tp.updates.until is None or until not in {str(m.end) for m in tp.metrics if isinstance(m, TimeMetric)}:
            if not still_open:
                closes = max(ends) + dt.timedelta(hours=rng.uniform(0.2, 3))
                log.add(case, tp.id, until, closes)
                ends.append(closes)
        closes = AS_OF if still_open else max(ends)
        every = tp.updates.every.seconds
        moment = start
        while True:
            gap = every * rng.uniform(0.4, 0.95)
            moment = moment + dt.timedelta(seconds=round(gap))
            if moment >= closes:
                break
            log.add(case, tp.id, "update", moment)


def _counts(rng: random.Random, tp: Touchpoint, log: Log) -> None:
    for metric in tp.metrics:
        if not isinstance(metric, CountMetric):
            continue
        limit = metric.target.value  # type: ignore[union-attr]
        day = FIRST
        k = 0
        while day < AS_OF:
            per_day = limit / (metric.per.seconds / 86400) * rng.uniform(0.3, 0.85)
            for _ in range(int(per_day) + (1 if rng.random() < per_day % 1 else 0)):
                k += 1
                log.add(f"{tp.id[:3].upper()}-C{k:04d}", tp.id, metric.event,
                        day + dt.timedelta(hours=rng.uniform(8, 18)))
            day += dt.timedelta(days=1)


def _starts(rng: random.Random, n: int) -> list[dt.datetime]:
    """Case starts, mostly in working hours, spread over the weeks before AS_OF."""
    span = (AS_OF - FIRST).total_seconds()
    out = []
    for _ in range(n):
        moment = FIRST + dt.timedelta(seconds=rng.uniform(0, span))
        local = moment.astimezone(ZONE)
        if rng.random() < 0.85:
            local = local.replace(hour=rng.randint(8, 17), minute=rng.randint(0, 59), second=rng.randint(0, 59))
        out.append(local)
    return sorted(out)


def events(name: str) -> list[Row]:
    rng = random.Random(f"{SEED}-{name}")
    project = touchdsl.load([str(HERE / name)])
    log = Log()
    missed = MISSED[name]
    for tp in project.touchpoints.values():
        starts = _starts(rng, CASES[name] // len(project.touchpoints) + 40)
        # Cases of the last stretch as long as the touchpoint's longest promise stay open
        # (a business day counted as one).
        longest = max((_limits(m)[1] * (86400 if isinstance(m.target.within, BusinessDays) else 1)  # type: ignore[union-attr]
                       for m in tp.metrics if isinstance(m, TimeMetric)), default=0.0)
        recent = AS_OF - dt.timedelta(seconds=min(3 * 86400.0, 1.5 * longest))
        for k, start in enumerate(starts):
            case = f"{tp.id[:3].upper()}-{k + 1:05d}"
            still_open = start > recent and rng.random() < 0.7
            _case(rng, project, tp, case, start, missed, log, still_open)
        _counts(rng, tp, log)
    # Bad rows, one of each kind a real export has.
    tp = next(iter(project.touchpoints.values()))
    first_step = tp.steps[0].id
    # A case of the first touchpoint, halfway through its rows.
    own = sorted((r for r in log.rows if r[2] == tp.id), key=lambda r: (r[0], r[1], r[3]))
    some = own[len(own) // 2]
    segment = some[5]
    log.rows.append((some[0], some[1], tp.id, f"{first_step}.strat", None, segment))  # a typo
    log.rows.append((some[0], some[1], tp.id[:-2] + tp.id[-1] + tp.id[-2], f"{first_step}.start", None, None))
    log.rows.append((some[0] + dt.timedelta(minutes=3), some[1], tp.id, f"{first_step}.start", None, segment))
    scored = [m for t in project.touchpoints.values() for m in t.metrics if isinstance(m, (ScoreMetric, NpsMetric))]
    if scored:
        metric = scored[0]
        owner = next(t for t in project.touchpoints.values() if metric in t.metrics)
        high = 10 if isinstance(metric, NpsMetric) else metric.high
        log.rows.append((some[0] + dt.timedelta(days=1), some[1], owner.id, metric.id, _num(high + 1), None))
    return sorted(log.rows, key=lambda r: (r[0], r[1], r[3]))


def write(name: str) -> Path:
    rows = events(name)
    if name == "banking":
        path = HERE / name / "events.jsonl"
        with path.open("w", encoding="utf-8", newline="\n") as f:
            for at, case, tp, event, value, segment in rows:
                record = {"case": case, "touchpoint": tp, "event": event, "at": _iso(at)}
                if segment is not None:
                    record["segment"] = segment
                if value is not None:
                    record["value"] = float(value) if "." in value else int(value)
                f.write(json.dumps(record) + "\n")
        return path
    path = HERE / name / "events.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        if name == "health":
            writer.writerow(["ticket_id", "touchpoint", "event", "created_at", "value", "priority"])
            bad = len(rows) // 3
            for k, (at, case, tp, event, value, segment) in enumerate(rows):
                # A ticketing export: local wall time without an offset, one row mistyped.
                stamp = "31/09/2026 25:00" if k == bad else at.astimezone(ZONE).strftime("%Y-%m-%d %H:%M:%S")
                writer.writerow([case, tp, event, stamp, value or "", segment or ""])
        else:
            writer.writerow(["case", "touchpoint", "event", "at", "value", "channel"])
            for at, case, tp, event, value, _ in rows:
                channel = "sms" if event == "update" else ""
                writer.writerow([case, tp, event, _iso(at), value or "", channel])
    return path


def main() -> None:
    for name in CASES:
        path = write(name)
        print(f"{path.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
