"""A Measurement for people and programs: the terminal table, measure.csv, measure.json."""

from __future__ import annotations

import csv
import io
from typing import Any, assert_never

from touchdsl.counting import counted
from touchdsl.measure.result import ItemResult, Measurement, Period, Verdict

__all__ = ["table", "to_csv", "to_json", "CSV_COLUMNS"]

CSV_COLUMNS: tuple[str, ...] = (
    "touchpoint", "metric", "segment", "kind", "owner", "journey", "calendar", "period_start", "period_end",
    "promise", "promise_status", "promise_value", "promise_margin", "promise_decided", "promise_good",
    "target", "target_status", "target_value", "target_margin", "target_decided", "target_good",
    "open", "overdue", "finished", "elapsed_unit", "p50_seconds", "p90_seconds", "p95_seconds",
    "answers", "promoters", "detractors", "events", "worst_cases",
)
"""`segment`: the class of case of a metric judged per class. `promise_status` is
`internal` for an internal metric (its other promise cells empty). The `p…_seconds`
columns count business days where `elapsed_unit` says `business_days`."""


def to_json(result: Measurement) -> str:
    return result.model_dump_json(indent=2) + "\n"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def to_csv(result: Measurement) -> str:
    """Tidy: one row per item and period, every figure in its own column."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for item in result.items:
        for p in item.periods:
            verdicts: list[Any] = []
            for v in (p.promise, p.target):
                verdicts += ([v.objective, v.status, v.value, v.margin, v.decided, v.good] if v is not None
                             else [None, "internal", None, None, None, None])
            elapsed = [p.elapsed.p50, p.elapsed.p90, p.elapsed.p95] if p.elapsed else [None] * 3
            writer.writerow([_cell(x) for x in [
                item.touchpoint, item.metric, item.segment, item.kind, item.owner, item.journey, item.calendar,
                p.start, p.end, *verdicts, p.open, p.overdue, p.finished, item.unit if p.elapsed else None, *elapsed,
                p.answers, p.promoters, p.detractors, p.events, " ".join(w.case for w in p.worst),
            ]])
    return out.getvalue()


def _plain(text: str) -> str:
    """Text from the event log made safe for a terminal: control characters (escape
    sequences, newlines) are shown as escapes instead of acting on the screen."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)


def _duration(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f}{unit}"
    return f"{seconds:.0f}s"


def _figure(item: ItemResult, verdict: Verdict) -> str:
    if verdict.value is None:
        return "-"
    match item.kind:
        case "count":
            return f"{verdict.value:.0f}"
        case "nps":
            return f"{verdict.value:+.1f}"
        case "score" if verdict.objective.startswith("average"):
            return f"{verdict.value:.2f}"
        case "time" | "ratio" | "score" | "updates":  # a share of cases or answers
            return f"{verdict.value:.1f}%"
        case _:
            assert_never(item.kind)


def _margin(item: ItemResult, verdict: Verdict) -> str:
    if verdict.margin is None:
        return ""
    match item.kind:
        case "count":
            return f"{verdict.margin:+.0f}"
        case "score" if verdict.objective.startswith("average"):
            return f"{verdict.margin:+.2f}"
        case "nps":
            return f"{verdict.margin:+.1f}"
        case "time" | "ratio" | "score" | "updates":  # percentage points
            return f"{verdict.margin:+.1f} pt"
        case _:
            assert_never(item.kind)


_STATUS = {"kept": "kept", "missed": "MISSED", "no_data": "no data"}


def _row(item: ItemResult, period: Period, many: bool) -> list[str]:
    p, t = period.promise, period.target
    cases = str((p or t).decided)
    open_ = "" if period.open is None else f"{period.open}/{period.overdue}"
    slow = ""
    if period.elapsed:
        slow = f"{period.elapsed.p90:g}bd" if item.unit == "business_days" else _duration(period.elapsed.p90)
    worst = " ".join(_plain(w.case) for w in period.worst[:3])
    name = item.key
    if many:
        name += f" {period.start[:10]}"
    if p is None:  # an internal metric: judged against its target only
        return ["internal", name, "(no promise)", "", "", _STATUS[t.status], _figure(item, t), cases, open_, slow,
                worst]
    return [_STATUS[p.status], name, p.objective, _figure(item, p), _margin(item, p),
            _STATUS[t.status], _figure(item, t), cases, open_, slow, worst]


_HEAD = ["promise", "touchpoint.metric", "promised", "measured", "by", "target", "target value", "n",
         "open/late", "p90", "worst cases"]


def table(result: Measurement) -> str:
    """The compact terminal report, worst first."""
    rows = [_HEAD]
    for item in result.items:
        many = len(item.periods) > 1
        if not item.periods:
            rows.append(["no data", item.key, "(no period in range)"] + [""] * 8)
        for period in item.periods:
            rows.append(_row(item, period, many))
    widths = [max(len(r[k]) for r in rows) for k in range(len(_HEAD))]
    lines = []
    for r in rows:
        lines.append("  ".join(cell.ljust(widths[k]) for k, cell in enumerate(r)).rstrip())
    pr, tg = result.promises, result.targets
    out = [
        f"As of {result.as_of} ({result.timezone}), {result.data_quality.rows} rows from "
        f"{len(result.sources)} source{'s' if len(result.sources) != 1 else ''}.",
        f"Promises: {pr.kept} kept, {pr.missed} missed, {pr.no_data} without data. "
        f"Targets: {tg.kept} kept, {tg.missed} missed, {tg.no_data} without data.",
        "",
        *lines,
    ]
    missed_owners = [o for o in result.owners if o.missed]
    if missed_owners:
        out += ["", "Owners with a missed promise (worst first):"]
        out += [f"  {o.id} ({o.title}): {o.missed} of {o.promises} missed" for o in missed_owners]
    missed_journeys = [j for j in result.journeys if j.missed]
    if missed_journeys:
        out += ["", "Journeys with a missed promise (worst first):"]
        out += [f"  {j.id} ({j.title}): {j.missed} of {j.promises} missed" for j in missed_journeys]
    problems = result.data_quality.problems
    out += ["", "Data quality: " + ("no problems found." if not problems else
                                     f"{counted(sum(p.count for p in problems), 'problem')} in "
                                     f"{counted(result.data_quality.rows, 'row')}.")]
    for problem in problems:
        out.append(f"  {problem.count} {problem.kind}: {problem.description}")
        for ex in problem.examples:
            where = ex.source or "?"
            if ex.row is not None:
                where += f" row {ex.row}"
            what = " ".join(x for x in [
                f"case {ex.case}" if ex.case else "", ex.touchpoint or "", ex.event or "",
                f"at {ex.at}" if ex.at else "", f"value {ex.value}" if ex.value else "",
            ] if x)
            out.append(f"      e.g. {_plain(where)}: {_plain(what)}")
    return "\n".join(out)
