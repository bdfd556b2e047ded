"""Promises the history can keep: `touchdsl check --history` and the language server.

The seeds' first principle is "don't promise what you cannot deliver: promise less,
deliver more". The project's history (its event log, `touchdsl.settings`) is
measured in consecutive windows of each metric's own length, the last one ending at
the latest event, over the last year (`last`); then, at the line of the promise or
target in the .touch file:

- TD610: the promise was not kept in the last window — with the share achieved at
  the promised time and the time within which the promised share was done, and what
  could be promised instead;
- TD611: the (written) target was reached in none of the windows — with the best
  figure achieved;
- TD612: the history has no case for the promise at all (often an event name the
  log spells differently; the data-quality section of `touchdsl measure` tells).

The figures come from `touchdsl.measure` (its result model), so `check`, the report
and the charter agree to the last digit.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from touchdsl.diagnostics import Diagnostic, Severity, Span
from touchdsl.language import ast
from touchdsl.model import (
    AverageObjective,
    BoundObjective,
    CountMetric,
    Metric,
    NpsMetric,
    Objective,
    Project,
    RatioMetric,
    ScoreMetric,
    ShareObjective,
    TimeMetric,
    Touchpoint,
    WithinObjective,
    business_calendar,
    business_days,
    limit_text,
    objective_within,
    unknown_kind,
)
from touchdsl.language import syntax

if TYPE_CHECKING:
    from touchdsl.documents.wording import Evidence
    from touchdsl.measure.result import ItemResult, Measurement, Period, Reach, Verdict
    from touchdsl.settings import History

__all__ = ["measure_history", "history_diagnostics", "Finding", "findings", "objective_spans"]


def measure_history(project: Project, history: "History") -> "Measurement":
    """The history measured in windows of each metric's own length (MeasureError when unusable)."""
    from touchdsl.measure import measure
    from touchdsl.measure.sources import parse_mapping

    mapping = parse_mapping([f"{k}={v}" for k, v in history.mapping.items()])
    return measure(project, list(history.events), mapping=mapping, timezone=history.timezone, last=history.last,
                   every="window")


def objective_spans(files: dict[str, ast.File]) -> dict[tuple[str, str, str], Span]:
    """(touchpoint, metric, role) -> the span of its `promise`/`target` line; the
    updates promise is (touchpoint, "updates", "promise") at its `updates` line."""
    spans: dict[tuple[str, str, str], Span] = {}
    for tree in files.values():
        for decl in tree.declarations:
            if not isinstance(decl, ast.TouchpointDecl):
                continue
            tp = decl.name.value
            for part in decl.items:
                if isinstance(part, ast.UpdatesLine):
                    spans.setdefault((tp, "updates", "promise"), part.span)
                elif isinstance(part, ast.MetricDecl):
                    for line in part.items:
                        if isinstance(line, ast.ObjectiveLine):
                            spans.setdefault((tp, part.name.value, line.role), line.span)
    return spans


@dataclass(frozen=True)
class Finding:
    """What the history says about one promise or target, in plain English."""

    code: str
    touchpoint: str
    metric: str
    role: str  # promise | target
    message: str
    help: tuple[str, ...]


# --- rounding a suggestion to what people promise ---------------------------------------

# What people write, shortest first: seconds, minutes, hours (then whole weeks).
_NICE: tuple[tuple[int, str], ...] = (
    *((n, "s") for n in (1, 2, 5, 10, 15, 20, 30, 45)),
    *((n * 60, "m") for n in (1, 2, 3, 5, 10, 15, 20, 30, 45, 90)),
    *((n * 3600, "h") for n in (1, 2, 3, 4, 6, 8, 12, 16, 24, 36, 48, 72, 96, 120, 144, 168, 240, 336, 504, 720)),
)


def nice_duration(seconds: float, business: bool) -> str:
    """The shortest duration people write that is at least `seconds`, in the language's
    syntax: `45s`, `90m`, `72h`, `3d` (business time stays in hours)."""
    size, unit = next(((s, u) for s, u in _NICE if seconds <= s), (0, "w"))
    if unit == "w":
        size, unit = math.ceil(seconds / (7 * 86400)) * 7 * 86400, "h"
    count = size // {"s": 1, "m": 60, "h": 3600}[unit]
    if unit == "h" and not business and count >= 48 and count % 24 == 0:
        return f"{count // 24}d"
    return f"{count}{unit}"


def _floor_share(value: float) -> str:
    """A share rounded down to a whole percent (one decimal below 1%)."""
    whole = math.floor(value)
    return f"{whole}%" if whole >= 1 else f"{math.floor(value * 10) / 10:g}%"


def _ceil_share(value: float) -> str:
    whole = math.ceil(value)
    return f"{whole}%" if value >= 1 else f"{math.ceil(value * 10) / 10:g}%"


def _number(value: float, digits: int = 1) -> str:
    return f"{round(value, digits):g}"


# --- the words of a finding --------------------------------------------------------------

class _Words:
    """English figures for diagnostics (the same Babel formatting as the documents)."""

    def __init__(self) -> None:
        from touchdsl.documents.wording import Evidence, Words

        self.words = Words("en")
        self.evidence: Evidence = Evidence(self.words)

    def objective(self, metric: Metric | None, touchpoint: Touchpoint, objective: Objective | None) -> str:
        if metric is None:
            assert touchpoint.updates is not None
            return f"an update at least every {self.words.duration(touchpoint.updates.every).plain()}"
        assert objective is not None
        return self.words.objective_short(metric, objective).plain()

    def elapsed(self, seconds: float, business: bool) -> str:
        return self.evidence.elapsed(seconds, business).plain()

    def span(self, period: "Period") -> str:
        return self.evidence.period(period.start, period.end).plain()


def _reach_words(w: _Words, reach: "Reach", business: bool, verb: str, days: bool = False) -> str:
    share = w.evidence.share(reach.percent).plain()
    took = w.evidence.elapsed(reach.seconds, business, days).plain()
    if reach.at_least:
        return f"{share} took at least {took} (some are still open)"
    return f"{share} were {verb} within {took}"


def _achieved(w: _Words, metric: Metric | None, objective: Objective | None, verdict: "Verdict",
              period: "Period") -> str:
    """The figure a verdict rests on, in words: `88% of 125 cases within 48 business hours`."""
    ev = w.evidence
    value = verdict.value if verdict.value is not None else 0.0
    n = ev.count(verdict.decided).plain()
    match metric:
        case None:
            return f"{ev.share(value).plain()} of {n} cases were updated in time"
        case TimeMetric():
            assert objective is not None
            limit = w.words.limit(objective_within(objective).within, metric.calendar is not None).plain()
            return f"{ev.share(value).plain()} of {n} cases were done within {limit}"
        case RatioMetric():
            return f"{ev.share(value).plain()} of {n} cases"
        case ScoreMetric():
            if isinstance(objective, ShareObjective):
                return f"{ev.share(value).plain()} of {n} answers were {_number(objective.value)} or higher"
            return f"an average of {ev.decimal(value, 2).plain()} from {n} answers"
        case NpsMetric():
            return f"an NPS of {ev.decimal(value).plain()} from {n} answers"
        case CountMetric():
            busiest = period.worst_stretch
            return (f"{int(value)} in the busiest {w.words.duration(metric.per).plain()}"
                    + (f" (from {busiest.start[:16]})" if busiest is not None else ""))
        case _:
            unknown_kind(metric)


def _instead(metric: Metric | None, objective: Objective | None, verdict: "Verdict", reach: "Reach | None",
             longest: float | None) -> list[str]:
    """What could be promised instead, from the figures achieved."""

    value = verdict.value
    if value is None:
        return []
    match metric:
        case None:
            return [f"updates every {nice_duration(longest, False)}"] if longest is not None else []
        case TimeMetric():
            assert isinstance(objective, WithinObjective)
            out = []
            if reach is not None and not reach.at_least:
                took = (syntax.business_days(str(math.ceil(reach.seconds)), "d") if business_days(metric)
                        else nice_duration(reach.seconds, metric.calendar is not None))
                out.append(f"{_number(objective.percent)}% within {took}")
            if value >= 1:
                out.append(f"{_floor_share(value)} within {limit_text(objective.within)}")
            return out
        case RatioMetric():
            assert isinstance(objective, BoundObjective)
            return [f"at most {_ceil_share(value)}" if objective.form == "at_most" else f"at least {_floor_share(value)}"]
        case ScoreMetric():
            if isinstance(objective, ShareObjective):
                return [f"{_floor_share(value)} at least {_number(objective.value)}"] if value >= 1 else []
            assert isinstance(objective, (AverageObjective, BoundObjective))
            return [f"an average of at least {math.floor(value * 10) / 10:g}"]
        case NpsMetric():
            return [f"at least {math.floor(value):g}"]
        case CountMetric():
            assert isinstance(objective, BoundObjective)
            if objective.form == "at_most":
                return [f"at most {math.ceil(value):g} per {metric.per.text}"]
            return [f"at least {math.floor(value):g} per {metric.per.text}"]
        case _:
            unknown_kind(metric)


def findings(project: Project, measurement: "Measurement") -> list[Finding]:
    """TD610, TD611 and TD612 for every item of `measurement` the project still has."""
    from touchdsl.measure.identity import definition

    w = _Words()
    out: list[Finding] = []
    for item in measurement.items:
        tp = project.touchpoints.get(item.touchpoint)
        if tp is None:
            continue
        metric = None if item.kind == "updates" else next(
            (m for m in tp.metrics if m.id == item.metric and m.segment == item.segment), None)
        if item.kind != "updates" and metric is None:
            continue
        if item.kind == "updates" and tp.updates is None:
            continue
        if item.definition != definition(project, tp, metric):
            continue  # measured for another version of the metric (the project changed meanwhile)
        out += _item_findings(w, tp, metric, item)
    return out


def _item_findings(w: _Words, tp: Touchpoint, metric: Metric | None, item: "ItemResult") -> list[Finding]:
    business = metric is not None and business_calendar(metric) is not None
    days = metric is not None and business_days(metric)
    verb = "updated" if metric is None else "done"
    out = []
    if metric is not None and metric.promise is None:  # internal: only its target is judged
        return _target_findings(w, tp, metric, item, business, days, verb)
    periods = [p for p in item.periods if p.promise is not None and p.promise.status != "no_data"]
    if not periods:
        span = w.evidence.period(item.periods[0].start, item.periods[-1].end).plain() if item.periods else "history"
        return [Finding("TD612", tp.id, item.metric, "promise",
                        f"no history for this promise: nothing was decided in {span}",
                        ("the event log has no case for it: check the event names it uses against the log "
                         "(`touchdsl measure` lists unknown events under data quality)",))]
    last = item.periods[-1]
    promise = metric.promise if metric is not None else None
    assert last.promise is not None  # a published metric's periods have a promise verdict
    if last.promise.status == "missed":
        words = w.objective(metric, tp, promise)
        achieved = _achieved(w, metric, promise, last.promise, last)
        message = f"promise not kept in {w.span(last)}: {achieved}; promised {words}"
        longest = max((c.value for c in last.worst if c.value is not None), default=None)
        facts = []
        if last.promise_reach is not None:
            facts.append(_reach_words(w, last.promise_reach, business, verb, days))
        if metric is None and longest is not None:
            facts.append(f"the longest silence was {w.elapsed(longest, False)}")
        options = _instead(metric, promise, last.promise, last.promise_reach, longest)
        advice = f"promise {' or '.join(options)}, or improve" if options else "improve, or promise less"
        out.append(Finding("TD610", tp.id, item.metric, "promise", message, ("; ".join([*facts, advice]),)))
    if metric is not None:
        out += _target_findings(w, tp, metric, item, business, days, verb)
    return out


def _target_findings(w: _Words, tp: Touchpoint, metric: Metric, item: "ItemResult", business: bool, days: bool,
                     verb: str) -> list[Finding]:
    """TD611 for a written target (an internal metric's target is always written)."""
    out: list[Finding] = []
    if metric.target_written or metric.promise is None:
        judged = [p for p in item.periods if p.target.status != "no_data"]
        if judged and all(p.target.status == "missed" for p in judged):
            best = max(judged, key=lambda p: p.target.margin if p.target.margin is not None else -math.inf)
            words = w.objective(metric, tp, metric.target)
            count = f"{len(judged)} window{'s' if len(judged) != 1 else ''} of {w.words.duration(metric.window).plain()}"
            message = (f"target {words} was reached in none of the {count} with data in the history; "
                       f"at best {_achieved(w, metric, metric.target, best.target, best)} "
                       f"(in {w.span(best)})")
            help_lines = []
            reaches = [p.target_reach for p in judged if p.target_reach is not None]
            best_reach = min(reaches, key=lambda r: r.seconds) if reaches else None
            if best_reach is not None:
                help_lines.append("at best, " + _reach_words(w, best_reach, business, verb, days))
            options = _instead(metric, metric.target, best.target, best_reach, None)
            help_lines.append(("a target of " + " or ".join(options) + " would have been reached"
                               if options else "a target the history has reached would guide the work better"))
            out.append(Finding("TD611", tp.id, item.metric, "target", message, tuple(help_lines)))
    return out


def history_diagnostics(project: Project, files: dict[str, ast.File], measurement: "Measurement") -> list[Diagnostic]:
    """The findings as warnings at the promise or target line they are about (the
    promise line when the target is not written)."""
    spans = objective_spans(files)
    out = []
    for f in findings(project, measurement):
        span = spans.get((f.touchpoint, f.metric, f.role)) or spans.get((f.touchpoint, f.metric, "promise"))
        out.append(Diagnostic(f.code, f.message, span, Severity.WARNING, f.help))
    return out


def for_metric(found: Iterable[Finding], touchpoint: str, metric: str) -> list[Finding]:
    return [f for f in found if f.touchpoint == touchpoint and f.metric == metric]


def configured_diagnostics(project: Project | None, root: "os.PathLike[str] | str",
                           files: dict[str, ast.File]) -> list[Diagnostic]:
    """The history's warnings for a project whose folder configures a history
    (`touchdsl.toml`); [] without one or while the project has errors. Raises
    `touchdsl.settings.SettingsError` or `touchdsl.measure.MeasureError` for a
    history that cannot be used."""
    from pathlib import Path

    from touchdsl.settings import read

    history = read(Path(root))
    if history is None or project is None:
        return []
    return history_diagnostics(project, files, measure_history(project, history))
