"""What an analyst writes instead of `touchdsl measure`: pandas plus `touchdsl.clock`
per case. `python bench/measure/baseline.py EVENTS.parquet AS_OF` prints the figures
as JSON, one entry per metric, so the benchmark can check them against measure.json.

It computes, for every metric of examples/telecom over its window ending at AS_OF,
the figures `touchdsl measure` reports for it, by the rules of docs/measure.md —
vectorised with pandas wherever pandas can, and calling the business clock once per
case where business time is needed:

- time: per case the first start and the first end at or after it; for the cases
  that can matter to the window (stopped inside it or still open), the elapsed time
  of each finished case (`business_elapsed`), and for each case over the limit or
  still open, for the promise and the target, the moment it became late
  (`business_deadline`, or the next opening when that falls at a closing) — so
  cases decided and met, open, overdue; finished cases and their p50/p90/p95
  (nearest rank); the five worst cases decided against the promise (the elapsed
  time so far of late open cases, `business_elapsed` again);
- updates: the silences between the opening, each update while open and the
  closing (or now): the longest, the moment the first too-long one became too long,
  cases decided and met, open, overdue, percentiles, worst cases;
- ratio: cases by their first denominator event, matching ones; score: the valid
  answers and their average; count: events and the busiest stretch of the limit's
  length counted back from the window's end.

It leaves out what is not a figure of a metric: the data-quality report, roll-ups,
the JSON and CSV files.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import touchdsl  # noqa: E402
from touchdsl.clock import MetricClock, business_deadline, business_elapsed, clock_for, open_periods  # noqa: E402
from touchdsl.model import limit_size  # noqa: E402

US = pd.Timedelta(microseconds=1)


def us(delta: pd.Timedelta | dt.timedelta) -> int:
    """A duration in whole microseconds."""
    return int(pd.Timedelta(delta) // US)


def late_moment(start: dt.datetime, limit: dt.timedelta, calendar: object | None) -> dt.datetime:
    """The last moment a case started at `start` is still within `limit`."""
    if calendar is None:
        return start + limit
    due = business_deadline(start, limit, calendar)  # type: ignore[arg-type]
    return next(iter(open_periods(due, due + dt.timedelta(days=800), calendar)))[0]  # type: ignore[arg-type]


def nearest_rank(values: list[int], scale: float = 1e6) -> dict[str, float] | None:
    if not values:
        return None
    ordered = sorted(values)
    n = len(ordered)
    return {f"p{p}": ordered[math.ceil(p * n / 100) - 1] / scale for p in (50, 90, 95)}


def first_per_case(rows: pd.DataFrame, event: str) -> pd.Series:
    return rows.loc[rows["event"] == event].groupby("case")["at"].min()


def spans(mine: pd.DataFrame, start_event: str, end_event: str) -> pd.DataFrame:
    """Per case: the first start and the first end at or after it (NaT while open)."""
    starts = first_per_case(mine, start_event).rename("start")
    ends = mine.loc[mine["event"] == end_event, ["case", "at"]].join(starts, on="case", how="inner")
    ends = ends.loc[ends["at"] >= ends["start"]].groupby("case")["at"].min().rename("end")
    return pd.DataFrame({"start": starts}).join(ends)


def judge_cases(cases: pd.DataFrame, limits: tuple[int, int], lates: tuple[pd.Series, pd.Series],
                since: pd.Timestamp, as_of: pd.Timestamp, scale: float = 1e6) -> dict[str, object]:
    """Figures of time-like cases: `cases` has start, end, value (µs), and `lates` the
    moment each case passes the promise's and the target's limit (NaT where not needed)."""
    out: dict[str, object] = {}
    for name, limit, late in zip(("promise", "target"), limits, lates):
        met = cases["value"] <= limit
        at = cases["end"].where(met, late)
        decided = at.notna() & (at >= since) & (at <= as_of)
        out[name] = {"decided": int(decided.sum()), "good": int((decided & met).sum())}
        if name == "promise":
            still_open = cases["end"].isna()
            out["open"] = int((still_open & ~(late < as_of)).sum())
            out["overdue"] = int((still_open & (late < as_of)).sum())
            worst = cases.loc[decided, ["value"]].reset_index().sort_values(["value", "case"],
                                                                           ascending=[False, True]).head(5)
            out["worst"] = [[c, round(v / scale, 4)] for c, v in zip(worst["case"], worst["value"])]
    done = cases.loc[(cases["end"] >= since) & (cases["end"] <= as_of), "value"]
    out["finished"] = int(len(done))
    out["elapsed"] = nearest_rank([int(v) for v in done], scale)
    return out


def time_metric(mine: pd.DataFrame, metric, clock: MetricClock, since: pd.Timestamp,
                as_of: pd.Timestamp) -> dict[str, object]:
    """A time metric by its clock (`touchdsl.clock.clock_for`): business days counted
    in whole days, business or wall-clock time in microseconds."""
    assert not getattr(metric, "pauses", ()), "the benchmark's project has no pauses"
    cases = spans(mine, str(metric.start), str(metric.end))
    stop = cases["end"].fillna(as_of)
    cases = cases.loc[stop >= since].copy()  # a case that stopped before the window cannot count in it
    stop = cases["end"].fillna(as_of)
    days = clock.unit == "business_days"
    scale = 1 if days else 1e6
    limits = (int(limit_size(clock.promise) * scale), int(limit_size(clock.target) * scale))
    if days:  # the clock, once per case
        cases["value"] = [int(clock.observed(a, b))
                          for a, b in zip(cases["start"].dt.to_pydatetime(), stop.dt.to_pydatetime())]
    elif clock.calendar is None:
        cases["value"] = ((stop - cases["start"]) // US).astype("int64")
    else:
        cases["value"] = [us(business_elapsed(a, b, clock.calendar))
                          for a, b in zip(cases["start"].dt.to_pydatetime(), stop.dt.to_pydatetime())]
    lates = []
    for objective, limit in zip(("promise", "target"), limits):
        needed = (cases["value"] > limit) | cases["end"].isna()  # late, or open: when does it become late?
        starts = cases.loc[needed, "start"].dt.to_pydatetime()
        if days:  # late at the closing of the last business day allowed
            moments = [clock.deadline(a, objective=objective) for a in starts]
        else:
            moments = [late_moment(a, dt.timedelta(microseconds=limit), clock.calendar) for a in starts]
        lates.append(pd.Series(pd.to_datetime(moments, utc=True), index=cases.index[needed]).reindex(cases.index))
    return judge_cases(cases, limits, (lates[0], lates[1]), since, as_of, scale)


def updates(mine: pd.DataFrame, tp, since: pd.Timestamp, as_of: pd.Timestamp) -> dict[str, object]:
    until = str(tp.updates.until) if tp.updates.until is not None else f"{tp.steps[-1].id}.end"
    cases = spans(mine, f"{tp.steps[0].id}.start", until)
    cases["stop"] = cases["end"].fillna(as_of)
    cases = cases.loc[cases["stop"] >= since]
    every = us(dt.timedelta(seconds=tp.updates.every.seconds))
    sent = mine.loc[mine["event"] == "update", ["case", "at"]].join(cases, on="case", how="inner")
    sent = sent.loc[(sent["at"] > sent["start"]) & (sent["at"] < sent["stop"]), ["case", "at"]]
    marks = pd.concat([sent, cases["start"].rename("at").reset_index(), cases["stop"].rename("at").reset_index()])
    marks = marks.sort_values(["case", "at"])
    marks["prev"] = marks.groupby("case")["at"].shift()
    marks["gap"] = (marks["at"] - marks["prev"]) // US
    frame = cases.copy()
    frame["value"] = marks.groupby("case")["gap"].max().astype("int64")
    too_long = marks.loc[marks["gap"] > every]
    first_late = (too_long.groupby("case")["prev"].min() + pd.Timedelta(microseconds=every)).reindex(frame.index)
    return judge_cases(frame, (every, every), (first_late, first_late), since, as_of)


def main(path: str, as_of_text: str) -> None:
    project = touchdsl.load([str(Path(__file__).resolve().parents[2] / "examples" / "telecom")])
    as_of = pd.Timestamp(as_of_text)
    events = pd.read_parquet(path, columns=["case", "touchpoint", "event", "at", "value"])
    events = events.loc[events["at"] <= as_of]
    out: dict[str, object] = {}
    for tp in project.touchpoints.values():
        mine = events.loc[events["touchpoint"] == tp.id]
        for metric in tp.metrics:
            since = as_of - pd.Timedelta(seconds=metric.window.seconds)
            recent = mine.loc[mine["at"] >= since]
            key = f"{tp.id}.{metric.id}"
            if metric.kind == "time":
                out[key] = time_metric(mine, metric, clock_for(project, tp.id, metric.id), since, as_of)
            elif metric.kind == "ratio":
                firsts = pd.DataFrame({"den": first_per_case(mine, metric.denominator),
                                       "num": first_per_case(mine, metric.numerator)})
                moment = firsts["den"].fillna(firsts["num"])  # X implies Y
                inside = firsts.loc[(moment >= since) & (moment <= as_of)]
                out[key] = {"decided": int(len(inside)), "good": int(inside["num"].notna().sum())}
            elif metric.kind in ("score", "nps"):
                low, high = (0.0, 10.0) if metric.kind == "nps" else (metric.low, metric.high)
                answers = recent.loc[recent["event"] == metric.id, "value"]
                valid = answers.loc[answers.between(low, high) & ((metric.kind != "nps") | (answers % 1 == 0))]
                out[key] = {"answers": int(len(valid)), "value": round(float(valid.mean()), 4) if len(valid) else None}
            else:  # count: stretches of `per` counted back from the window's end (as-of included)
                per = us(dt.timedelta(seconds=metric.per.seconds))
                times = recent.loc[recent["event"] == metric.event, "at"]
                stretch = ((as_of - times) // US) // per
                out[key] = {"events": int(len(times)), "value": int(stretch.value_counts().max()) if len(times) else 0}
        if tp.updates is not None:
            since = as_of - pd.Timedelta(seconds=project.defaults.window.seconds)
            out[f"{tp.id}.updates"] = updates(mine, tp, since, as_of)
    print(json.dumps(out, indent=1, sort_keys=True))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
