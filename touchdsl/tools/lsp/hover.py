"""What the server shows when a person points at a name or a keyword.

A name shows what it is, in the words of the people who run the service: an
owner's manager and what it is accountable for, a metric's promise and target as
sentences. A keyword shows what it means (from the language's vocabulary).
"""

from __future__ import annotations

import re
from typing import assert_never

from touchdsl.documents.escape import md_text
from touchdsl.language import ast
from touchdsl.language.vocabulary import help_for
from touchdsl.tools.lsp.analysis import Analysis, first_of, items_of

__all__ = ["duration_words", "hover_markdown", "keyword_at", "md", "metric_markdown", "objective_words"]

_DAY_WORDS = {"sun": "Sun", "mon": "Mon", "tue": "Tue", "wed": "Wed", "thu": "Thu", "fri": "Fri", "sat": "Sat"}

def duration_words(text: str) -> str:
    """`30s` -> `30 seconds`, `1d` -> `1 day`, as the English documents write them."""
    from touchdsl.documents.wording import Words
    from touchdsl.model import Duration

    try:
        return Words("en").duration(Duration.parse(text)).plain()
    except ValueError:  # not (yet) a duration: show it as typed
        return text


def _words(name: str) -> str:
    return name.replace("_", " ")


def _percent(p: ast.Percent | None) -> str:
    return p.text if p is not None else "?"


def _number(n: ast.Number | None, p: ast.Percent | None = None) -> str:
    if p is not None:
        return p.text
    return n.text if n is not None else "?"


def objective_words(measure: ast.Measure | None, objective: ast.ObjectiveLit) -> str:
    """An objective as a sentence a customer or manager reads, for the metric's kind."""
    form = objective.form
    match measure:
        case ast.TimeMeasure():
            return _within_words(objective, measure.calendar)
        case ast.RatioMeasure() | ast.ScoreMeasure() | ast.NpsMeasure() | ast.CountMeasure() | None if form == "within":
            return _within_words(objective, None)
        case ast.RatioMeasure():
            bound = "at most" if form == "at_most" else "at least"
            share = _number(objective.number, objective.percent)
            return f"{bound} {share} of {_words(measure.denominator.value)} are {_words(measure.numerator.value)}"
        case ast.ScoreMeasure():
            scale = f"{measure.low.text}..{measure.high.text}"
            if form == "average_at_least":
                return f"an average answer of at least {_number(objective.number)} on the {scale} scale"
            if form == "share_at_least":
                return (f"{_percent(objective.percent)} of answers are {_number(objective.number)} or better "
                        f"on the {scale} scale")
        case ast.NpsMeasure():
            bound = "at most" if form == "at_most" else "at least"
            return f"a net promoter score of {bound} {_number(objective.number, objective.percent)}"
        case ast.CountMeasure():
            bound = "at most" if form == "at_most" else "at least"
            return (f"{bound} {_number(objective.number, objective.percent)} {_words(measure.event.value)} "
                    f"per {duration_words(measure.per.text)}")
        case None:
            pass
        case _:
            assert_never(measure)
    words = {"at_most": "at most", "at_least": "at least", "average_at_least": "average at least",
             "share_at_least": "at least"}.get(form, form)
    return f"{words} {_number(objective.number, objective.percent)}"


def _within_words(objective: ast.ObjectiveLit, calendar: ast.Name | None) -> str:
    limit = objective.within
    if isinstance(limit, ast.BusinessDaysLit):
        by = f" of `{calendar.value}`" if calendar is not None else ""
        return (f"{_percent(objective.percent)} of cases within {limit.text}{by} "
                "(by the close of the last one, counted from the day the case starts)")
    within = duration_words(limit.text) if limit is not None else "?"
    clock = f" of business hours (`{calendar.value}`)" if calendar is not None else ""
    return f"{_percent(objective.percent)} of cases within {within}{clock}"


def md(text: str) -> str:
    """User text made literal in Markdown (titles may contain `*`, `<`, `#`...), lines kept."""
    return md_text(text, line_breaks=True)


def hover_markdown(analysis: Analysis, kind: str, name: str) -> str | None:
    """What a person wants to know about a name when pointing at it."""
    if kind == "owner":
        decl = analysis.declaration(ast.OwnerDecl, name)
        if decl is None:
            return None
        out = [f"**owner** `{name}` — {md(decl.title.value)}"]
        manager = first_of(decl, ast.ManagerLine)
        if manager is not None:
            out.append(f"Manager: {md(manager.name.value)} ({md(manager.email.value)})")
        else:
            out.append("Manager: not declared")
        for line in items_of(decl, ast.ReceiverLine):
            what = "warnings" if line.level == "notify" else "urgent pages"
            out.append(f"{line.level.capitalize()} ({what}): {line.kind.value} {md(line.target.value)}")
        accountable = [tp for tp in analysis.declarations(ast.TouchpointDecl)
                       if any(r.owner.value == name for r in items_of(tp, ast.OwnerRef))]
        if accountable:
            listed = ", ".join(f"`{tp.name.value}` ({md(tp.title.value)})" for tp in accountable)
            out.append(f"Accountable for: {listed}")
        return "\n\n".join(out)
    if kind == "calendar":
        decl = analysis.declaration(ast.CalendarDecl, name)
        if decl is None:
            return None
        out = [f"**calendar** `{name}` — {md(decl.title.value)}"]
        tz = first_of(decl, ast.Timezone)
        if tz is not None:
            out.append(f"Time zone: {md(tz.value.value)}")
        hours = []
        for line in items_of(decl, ast.HoursLine):
            days = ", ".join(
                _DAY_WORDS.get(r.first.value, r.first.value)
                + (f"–{_DAY_WORDS.get(r.last.value, r.last.value)}" if r.last is not None else "")
                for r in line.days)
            hours.append(f"- {days} {line.start.value}–{line.end.value}")
        hours += [f"- eves of holidays {line.start.value}–{line.end.value}"
                  for line in items_of(decl, ast.EveHoursLine)]
        hours += [f"- {', '.join(d.value for d in line.dates)} {line.start.value}–{line.end.value}"
                  for line in items_of(decl, ast.DateHoursLine)]
        out.append("Hours:\n" + "\n".join(hours) if hours else "Hours: none declared")
        countries = [t.value for line in items_of(decl, ast.Holidays) for t in line.countries]
        if countries:
            out.append("Closed on public holidays of: " + ", ".join(md(c) for c in countries))
        dates = [d.value for line in items_of(decl, ast.Closed) for d in line.dates]
        if dates:
            out.append("Also closed: " + ", ".join(dates))
        return "\n\n".join(out)
    if kind == "journey":
        decl = analysis.declaration(ast.JourneyDecl, name)
        if decl is None:
            return None
        stages = "\n".join(f"- `{s.name.value}` {md(s.title.value)}" for s in items_of(decl, ast.StageDecl))
        return f"**journey** `{name}` — {md(decl.title.value)}" + (f"\n\nStages:\n{stages}" if stages else "")
    if kind == "stage":
        journey, stage = name.split(".", 1)
        decl = analysis.declaration(ast.JourneyDecl, journey)
        found = next((s for s in items_of(decl, ast.StageDecl) if s.name.value == stage), None) if decl else None
        if found is None:
            return None
        return f"**stage** `{stage}` of journey `{journey}` — {md(found.title.value)}"
    if kind == "touchpoint":
        decl = analysis.declaration(ast.TouchpointDecl, name)
        if decl is None:
            return None
        out = [f"**touchpoint** `{name}` — {md(decl.title.value)}"]
        owner = first_of(decl, ast.OwnerRef)
        if owner is not None:
            out.append(f"Owner: `{owner.owner.value}`")
        expectation = first_of(decl, ast.Expectation)
        if expectation is not None:
            out.append(f"Expectation: “{md(expectation.text.value)}”")
        return "\n\n".join(out)
    if kind in ("step", "event"):
        parts = name.split(".")
        touchpoint, step = parts[0], parts[1]
        decl = analysis.declaration(ast.TouchpointDecl, touchpoint)
        steps = items_of(decl, ast.StepDecl) if decl else []
        found = next((s for s in steps if s.name.value == step), None)
        if found is None:
            return None
        head = f"**step** `{step}` ({steps.index(found) + 1} of {len(steps)}) — {md(found.title.value)}"
        if kind == "event":
            head = f"**event** `{step}.{parts[2]}` — a moment of step `{step}`\n\n" + head
        out = [head]
        if found.by:
            out.append(f"Performed by: `{found.by[0].value}`")
        if found.via:
            out.append(f"Via: {found.via[0].value}")
        return "\n\n".join(out)
    if kind == "class":
        touchpoint, case_class = name.split(".", 1)
        decl = analysis.declaration(ast.TouchpointDecl, touchpoint)
        found_class = next((c for c in items_of(decl, ast.ClassDecl) if c.name.value == case_class),
                           None) if decl else None
        if decl is None or found_class is None:
            return None
        out = [f"**class** `{case_class}` of touchpoint `{touchpoint}` — {md(found_class.title.value)}"]
        for metric_decl in items_of(decl, ast.MetricDecl):
            measure = next((i for i in metric_decl.items if isinstance(i, ast.MEASURES)), None)
            own = [f"{line.role} {objective_words(measure, line.objective)}"
                   for line in items_of(metric_decl, ast.ObjectiveLine)
                   if any(c.value == case_class for c in line.classes)]
            if own:
                out.append(f"`{metric_decl.name.value}`: " + "; ".join(own))
        return "\n\n".join(out)
    if kind == "metric":
        touchpoint, metric = name.split(".", 1)
        decl = analysis.declaration(ast.TouchpointDecl, touchpoint)
        found = next((m for m in items_of(decl, ast.MetricDecl) if m.name.value == metric), None) if decl else None
        if found is None:
            return None
        return metric_markdown(analysis, touchpoint, found)
    return None


def _measure_words(measure: ast.Measure | None) -> str:
    match measure:
        case ast.TimeMeasure():
            clock = f", business hours of `{measure.calendar.value}`" if measure.calendar is not None else ""
            return f"time from `{measure.start}` to `{measure.end}`{clock}"
        case ast.RatioMeasure():
            return f"share of `{measure.numerator.value}` among `{measure.denominator.value}`"
        case ast.ScoreMeasure():
            return f"survey score on {measure.low.text}..{measure.high.text}"
        case ast.NpsMeasure():
            return "net promoter score (answers 0..10)"
        case ast.CountMeasure():
            return f"count of `{measure.event.value}` per {duration_words(measure.per.text)}"
        case None:
            return "no measure written yet"
        case _:
            assert_never(measure)


def metric_markdown(analysis: Analysis, touchpoint: str, metric: ast.MetricDecl) -> str:
    measure = next((i for i in metric.items if isinstance(i, ast.MEASURES)), None)
    out = [f"**metric** `{metric.name.value}` — {md(metric.title.value)}", _measure_words(measure)]
    every = items_of(metric, ast.ObjectiveLine)
    lines = {line.role: line for line in every if not line.classes}
    promise = lines.get("promise")
    target = lines.get("target")
    bullets = []
    if promise is not None:
        bullets.append(f"- **Promise** (published to customers): {objective_words(measure, promise.objective)}")
    elif target is not None:
        bullets.append("- **Promise**: none — an internal metric, never in the charter")
    else:
        bullets.append("- **Promise**: missing — write a promise, or a target for an internal metric")
    if target is not None:
        bullets.append(f"- **Target** (internal, alerts use it): {objective_words(measure, target.objective)}")
    elif promise is not None:
        bullets.append("- **Target** (internal): same as the promise")
    for line in every:
        if line.classes:
            classes = ", ".join(f"`{c.value}`" for c in line.classes)
            role = "Promise" if line.role == "promise" else "Target"
            bullets.append(f"- **{role}** for {classes}: {objective_words(measure, line.objective)}")
    for pause in items_of(metric, ast.PauseLine):
        where = (f"while step `{pause.step.value}`" if pause.step is not None
                 else f"from `{pause.start}` to `{pause.end}`")
        bullets.append(f"- The clock stops {where} (not counted: the time the case waits)")
    window = first_of(metric, ast.Window)
    if window is not None:
        bullets.append(f"- Window: {duration_words(window.duration.text)}, rolling")
    else:
        default = next((w for d in analysis.declarations(ast.DefaultsDecl) for w in items_of(d, ast.Window)), None)
        text = default.duration.text if default is not None else "28d"
        bullets.append(f"- Window: {duration_words(text)}, rolling (project default)")
    compensation = first_of(metric, ast.Compensation)
    if compensation is not None:
        bullets.append(f"- Compensation (in the charter, when the promise is missed): {md(compensation.text.value)}")
    out.append("\n".join(bullets))
    return "\n\n".join(out)



_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def keyword_at(line: str, character: int) -> tuple[str, int, int] | None:
    """The keyword (or built-in word) under a 0-based character of a line, with its start and end."""
    for m in _WORD.finditer(line):
        if m.start() <= character <= m.end() and help_for(m.group()) is not None:
            return m.group(), m.start(), m.end()
    return None


def keyword_markdown(word: str) -> str:
    return f"**{word}** — {help_for(word)}"
