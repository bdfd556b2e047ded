"""What an analyst writes instead of `touchdsl measure`: pandas plus `touchdsl.clock`
per case. `python bench/measure/baseline.py EVENTS.parquet AS_OF`.

It computes *less* than `touchdsl measure` (a lower bound on its cost): for each
metric of examples/telecom over its window, the share of finished cases within the
promise and the target (business time by the clock, one call per case), the ratios,
the average answer, complaints per 7 days and the longest silence between updates —
but no open or overdue cases, no deadlines, no percentiles, no data-quality report.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import touchdsl  # noqa: E402
from touchdsl.clock import business_elapsed  # noqa: E402


def main(path: str, as_of_text: str) -> None:
    project = touchdsl.load([str(Path(__file__).resolve().parents[2] / "examples" / "telecom")])
    as_of = pd.Timestamp(as_of_text)
    events = pd.read_parquet(path)
    events = events[events["at"] <= as_of]
    out = []
    for tp in project.touchpoints.values():
        mine = events[events["touchpoint"] == tp.id]
        for metric in tp.metrics:
            since = as_of - pd.Timedelta(seconds=metric.window.seconds)
            if metric.kind == "time":
                starts = mine[mine["event"] == str(metric.start)].groupby("case")["at"].min().rename("start")
                ends = mine[mine["event"] == str(metric.end)].groupby("case")["at"].min().rename("end")
                cases = pd.concat([starts, ends], axis=1).dropna()
                cases = cases[(cases["end"] >= cases["start"]) & (cases["end"] >= since)]
                if metric.calendar:
                    calendar = project.calendars[metric.calendar]
                    seconds = cases.apply(lambda r: business_elapsed(r["start"].to_pydatetime(),
                                                                     r["end"].to_pydatetime(), calendar)
                                          .total_seconds(), axis=1)
                else:
                    seconds = (cases["end"] - cases["start"]).dt.total_seconds()
                figures = [(seconds <= o.within.seconds).mean() * 100 for o in (metric.promise, metric.target)]
            elif metric.kind == "ratio":
                recent = mine[mine["at"] >= since]
                population = set(recent.loc[recent["event"] == metric.denominator, "case"])
                counted = set(recent.loc[recent["event"] == metric.numerator, "case"]) & population
                figures = [100 * len(counted) / max(len(population), 1)]
            elif metric.kind in ("score", "nps"):
                answers = mine[(mine["event"] == metric.id) & (mine["at"] >= since)]["value"]
                figures = [answers.mean()]
            else:
                complaints = mine[(mine["event"] == metric.event) & (mine["at"] >= since)]
                figures = [complaints.set_index("at").resample(f"{int(metric.per.seconds)}s").size().max()]
            out.append((tp.id, metric.id, figures))
        if tp.updates is not None:
            updates = mine[mine["event"].isin(["update", f"{tp.steps[0].id}.start", str(tp.updates.until)])]
            gaps = updates.sort_values("at").groupby("case")["at"].diff().dt.total_seconds()
            longest = gaps.groupby(updates["case"]).max()
            out.append((tp.id, "updates", [(longest <= tp.updates.every.seconds).mean() * 100]))
    for row in out:
        print(*row)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
