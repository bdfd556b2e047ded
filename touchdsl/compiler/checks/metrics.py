"""Metrics: what each kind measures and which objectives it takes (TD4xx)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import assert_never

from touchdsl import durations, model
from touchdsl.compiler.checks import bounds
from touchdsl.compiler.checks.context import (
    MOMENT_RANK,
    Context,
    check_name,
    close_match,
    items_of,
    notes_and_tags,
    positive_duration,
    single,
    title_of,
)
from touchdsl.compiler.resolve import suggest
from touchdsl.diagnostics import Related
from touchdsl.language import ast, syntax


def check_event(ctx: Context, tp: str, steps: dict[str, int], ev: ast.EventRef) -> tuple[int, int] | None:
    """Check an event against the touchpoint's steps; returns its position in step order."""
    check_name(ctx, ev.moment, "moment")
    if ev.step.value not in steps:
        if ctx.unreadable("step", f"{tp}.{ev.step.value}"):
            return None
        ctx.sink.error("TD206", f"unknown step `{ev.step.value}` in event `{ev}`", ev.step.span,
                       help=suggest(ev.step.value, steps, "step") if steps else [
                           f'steps belong to their touchpoint, and `{tp}` has none: add `step {ev.step.value} "…"`'])
        return None
    ctx.index.ref("step", f"{tp}.{ev.step.value}", ev.step.span)
    return (steps[ev.step.value], MOMENT_RANK.get(ev.moment.value, 1))


def model_event(ev: ast.EventRef) -> model.Event:
    return model.Event(step=ev.step.value, moment=ev.moment.value)



@dataclass(frozen=True)
class _Kind:
    """What a measure makes: the model's class, and the objectives it takes."""

    metric: type[model.Metric]
    forms: tuple[str, ...]
    words: str  # the objectives it takes, for the help of TD409
    called: str  # how a message names one: "a time", "an NPS"


_KINDS: dict[type[ast.Measure], _Kind] = {
    ast.TimeMeasure: _Kind(model.TimeMetric, ("within",), "`P% within DURATION`, e.g. `promise 80% within 30s`",
                           "a time"),
    ast.RatioMeasure: _Kind(model.RatioMetric, ("at_most", "at_least"), "`at most P%` or `at least P%`", "a ratio"),
    ast.ScoreMeasure: _Kind(model.ScoreMetric, ("average_at_least", "share_at_least"),
                            "`average at least N` or `P% at least N`", "a score"),
    ast.NpsMeasure: _Kind(model.NpsMetric, ("at_least",), "`at least N`, N from -100 to 100", "an NPS"),
    ast.CountMeasure: _Kind(model.CountMetric, ("at_most",), "`at most N`", "a count"),
}


def _kind_name(measure: ast.Measure) -> str:
    return str(_KINDS[type(measure)].metric.model_fields["kind"].default)


def _called(kind: str) -> str:
    """`a time`, `an NPS`: a metric kind (the model's name for it) as a message says it."""
    return next(k.called for k in _KINDS.values() if k.metric.model_fields["kind"].default == kind)


def _objective(ctx: Context, measure: ast.Measure, line: ast.ObjectiveLine,
               calendar: model.Calendar | None) -> model.Objective | None:
    """Validate one objective against its metric kind; returns the model objective or None.
    `calendar` is the business calendar of a time metric (`on CALENDAR`), when it checked."""
    o = line.objective
    kind = _kind_name(measure)
    if o.form not in _KINDS[type(measure)].forms:
        ctx.sink.error("TD409", f"{_called(kind)} metric cannot have this objective", o.span,
                       help=[f"{_called(kind)} metric takes {_KINDS[type(measure)].words}"])
        return None
    ok = bounds.objective(ctx, kind, o)
    if o.percent is not None and not 0 <= o.percent.value <= 100:
        ctx.sink.error("TD402", f"{o.percent.text} is not a percentage between 0% and 100%", o.percent.span)
        ok = False
    match measure:
        case ast.RatioMeasure():
            if o.percent is None:
                assert o.number is not None
                ctx.sink.error("TD409", "a ratio objective is a percentage", o.number.span,
                               help=[f"write `{syntax.percent_for(o.number.text)}`"])
                return None
        case ast.NpsMeasure():
            number = _a_number(ctx, kind, o)
            if number is None:
                return None
            if not -100 <= number.value <= 100:
                ctx.sink.error("TD404", f"NPS {number.text} is outside -100..100", number.span)
                ok = False
        case ast.CountMeasure():
            number = _a_number(ctx, kind, o)
            if number is None:
                return None
            if number.value < 0:
                ctx.sink.error("TD310", f"a count limit cannot be negative ({number.text})", number.span)
                ok = False
        case ast.ScoreMeasure():
            low, high = measure.low.value, measure.high.value
            assert o.number is not None
            if low < high and not low <= o.number.value <= high:
                ctx.sink.error("TD403", f"{o.number.text} is outside the scale {measure.low.text}..{measure.high.text}",
                               o.number.span,
                               help=[f"score objectives lie between {measure.low.text} and {measure.high.text}"])
                ok = False
        case ast.TimeMeasure():
            pass
        case _:
            assert_never(measure)
    if o.form == "within":
        assert o.within is not None and o.percent is not None and isinstance(measure, ast.TimeMeasure)
        limit = _limit(ctx, measure, o.within, calendar)
        if limit is None:
            return None
        return model.WithinObjective(percent=o.percent.value, within=limit) if ok else None
    if not ok:
        return None
    if o.form in ("at_most", "at_least"):
        value = o.percent.value if o.percent is not None else _number(o).value
        return model.BoundObjective(form="at_most" if o.form == "at_most" else "at_least", value=value,
                                    percent=o.percent is not None)
    if o.form == "average_at_least":
        return model.AverageObjective(value=_number(o).value)
    assert o.percent is not None
    return model.ShareObjective(percent=o.percent.value, value=_number(o).value)


def _limit(ctx: Context, measure: ast.TimeMeasure, lit: ast.DurationLit | ast.BusinessDaysLit,
           calendar: model.Calendar | None) -> model.Limit | None:
    """The limit of `P% within LIMIT`: a duration, or business days by the metric's calendar."""
    if isinstance(lit, ast.DurationLit):
        within = positive_duration(ctx, lit, "the time threshold")
        if within is not None and measure.calendar is not None and durations.unit_of(lit.text) in ("d", "w"):
            _days_on_a_calendar(ctx, lit, measure.calendar.value)
        return within
    if measure.calendar is None:
        ctx.sink.error("TD425", f"`{lit.text}` needs a business calendar, and this metric runs on the wall clock",
                       lit.span, help=["business days are the days a calendar is open: measure on one, "
                                       "`time from A to B on CALENDAR`",
                                       f"or, for days of 24 hours, write `{lit.count.text}{lit.unit}`"])
        return None
    count = lit.count.value
    if count < 1:
        ctx.sink.error("TD406", f"the time threshold must be at least one business day, not `{lit.text}`",
                       lit.span, help=["a case ended on the day it started took 0 business days: "
                                       "`within 1 business day` is by the close of the next one"])
        return None
    if count != int(count):
        ctx.sink.error("TD426", f"`{lit.text}` is not a whole number of business days", lit.count.span,
                       help=["business days are counted whole: `1 business day`, `5 business days`; "
                             "for part of a day, write business hours such as `4h`"])
        return None
    if calendar is None:  # the calendar has errors of its own (or is unknown): reported there
        return None
    n = int(count)
    if lit.unit == "w":
        days = n * len({day for hours in calendar.hours for day in hours.days})
        if not bounds.business_days(ctx, lit, days):
            return None
        return model.BusinessDays(days=days, weeks=n, text=syntax.business_days(str(n), "w"))
    if not bounds.business_days(ctx, lit, n):
        return None
    return model.BusinessDays(days=n, text=syntax.business_days(str(n), "d"))


def _days_on_a_calendar(ctx: Context, lit: ast.DurationLit, calendar: str) -> None:
    """TD910: `2d` on a calendar is 48 business hours, which nobody means by two days."""
    hours = durations.compact(lit.seconds, largest="h")
    count = lit.text[:-1]
    business = syntax.business_days(count, durations.unit_of(lit.text))
    ctx.sink.warning("TD910", f"`{lit.text}` on calendar `{calendar}` is {hours} of opening time, not {business}",
                     lit.span,
                     help=[f"for days {calendar} is open, write `{business}` (by the close of the last one)",
                           f"for hours of opening time, write `{hours}`"])


def _a_number(ctx: Context, kind: str, o: ast.ObjectiveLit) -> ast.Number | None:
    """The number of an NPS or count objective; a percentage there is reported (TD409)."""
    if o.percent is not None:
        ctx.sink.error("TD409", f"{_called(kind)} objective is a number, not a percentage", o.percent.span,
                       help=[f"write `{o.percent.text[:-1]}`"])
        return None
    return _number(o)


def _number(o: ast.ObjectiveLit) -> ast.Number:
    assert o.number is not None  # the grammar writes a number in every form but `within`
    return o.number


def _looser(promise: model.Objective, target: model.Objective) -> str | None:
    """Why `target` is looser than `promise`, or None when it is at least as strict."""
    if promise.form != target.form:
        return "it uses another form than the promise"
    match promise, target:
        case model.WithinObjective(), model.WithinObjective():
            if target.percent < promise.percent:
                return f"it covers fewer cases ({target.percent:g}% < {promise.percent:g}%)"
            if type(target.within) is not type(promise.within):
                return None  # TD427: limits in two units are reported apart
            if model.limit_size(target.within) > model.limit_size(promise.within):
                return (f"it allows more time ({model.limit_text(target.within)} > "
                        f"{model.limit_text(promise.within)})")
            return None
        case model.BoundObjective(form="at_most"), model.BoundObjective():
            return f"its limit is higher ({target.value:g} > {promise.value:g})" if target.value > promise.value else None
        case model.BoundObjective(), model.BoundObjective():
            return _less(promise.value, target.value)
        case model.AverageObjective(), model.AverageObjective():
            return _less(promise.value, target.value)
        case model.ShareObjective(), model.ShareObjective():
            if target.percent < promise.percent or target.value < promise.value:
                return "it asks for a smaller share or a lower score"
            return None
    raise AssertionError(f"two `{promise.form}` objectives of different classes")


def _less(promise: float, target: float) -> str | None:
    return f"it asks for less ({target:g} < {promise:g})" if target < promise else None


def _measure_fields(ctx: Context, tp: str, steps: dict[str, int],
                    measure: ast.Measure) -> tuple[dict[str, object], bool]:
    """Check what a metric measures: the model's fields of its kind, and whether they are sound."""
    match measure:
        case ast.TimeMeasure():
            ok = True
            a = check_event(ctx, tp, steps, measure.start)
            b = check_event(ctx, tp, steps, measure.end)
            if a is not None and b is not None and (a > b or str(measure.start) == str(measure.end)):
                ctx.sink.error("TD401", f"`{measure.start}` does not come before `{measure.end}`",
                               measure.start.span,
                               help=["steps are ordered as written; measure from the earlier event to the later one"],
                               related=[Related(measure.end.span, "the end event")])
                ok = False
            ok = ok and a is not None and b is not None
            calendar = None
            if measure.calendar is not None:
                if measure.calendar.value not in ctx.decls.calendars:
                    if not ctx.unreadable("calendar", measure.calendar.value):
                        ctx.sink.error("TD203", f"unknown calendar `{measure.calendar.value}`", measure.calendar.span,
                                       help=suggest(measure.calendar.value, ctx.decls.calendars, "calendar"))
                    ok = False
                else:
                    calendar = measure.calendar.value
                    ctx.index.ref("calendar", calendar, measure.calendar.span)
            return {"start": model_event(measure.start), "end": model_event(measure.end), "calendar": calendar}, ok
        case ast.RatioMeasure():
            check_name(ctx, measure.numerator, "population")
            check_name(ctx, measure.denominator, "population")
            return {"numerator": measure.numerator.value, "denominator": measure.denominator.value}, True
        case ast.ScoreMeasure():
            ok = True
            if not bounds.scale(ctx, measure):
                ok = False
            elif measure.low.value >= measure.high.value:
                ctx.sink.error("TD403", f"the scale {measure.low.text}..{measure.high.text} is empty",
                               measure.low.span, help=["write the low end first: `score 1..5`"])
                ok = False
            return {"low": measure.low.value, "high": measure.high.value}, ok
        case ast.NpsMeasure():
            return {}, True
        case ast.CountMeasure():
            check_name(ctx, measure.event, "counted event")
            per = positive_duration(ctx, measure.per, "the counting period")
            return {"event": measure.event.value, "per": per}, per is not None
        case _:
            assert_never(measure)


def check_metric(ctx: Context, tp: str, decl: ast.MetricDecl, steps: dict[str, int], defaults: model.Defaults,
                 damaged: bool, classes: dict[str, ast.ClassDecl]) -> list[model.Metric]:
    """The metric as the model holds it: one entry, or one per class of the touchpoint
    when an objective is for some classes (`promise … for dangerous`)."""
    name = decl.name.value
    title = title_of(ctx, decl.title, "metric")
    measures = [i for i in decl.items if isinstance(i, ast.MEASURES)]
    if not measures:
        if not damaged:
            ctx.sink.error("TD407", f"metric `{name}` measures nothing", decl.name.span,
                           help=["add one of: `time from A to B`, `ratio X of Y`, `score 1..5`, `nps`, "
                                 "`count X per 7d`"])
        return []
    for extra in measures[1:]:
        ctx.sink.error("TD407", f"metric `{name}` measures more than one thing", extra.span,
                       help=["split it into two metrics"], related=[Related(measures[0].span, "first measure here")])
    measure = measures[0]
    fields, ok = _measure_fields(ctx, tp, steps, measure)
    pauses, pauses_ok = _pauses(ctx, tp, steps, decl, measure)
    ok = ok and pauses_ok
    if pauses:
        fields["pauses"] = pauses
    calendar = ctx.calendars.get(str(fields["calendar"])) if fields.get("calendar") else None

    lines = [i for i in decl.items if isinstance(i, ast.ObjectiveLine)]
    general = {role: single(ctx, [i for i in lines if i.role == role and not i.classes], role)
               for role in ("promise", "target")}
    own = _class_lines(ctx, tp, lines, classes)
    if not lines and not damaged:
        ctx.sink.error("TD408", f"metric `{name}` has neither a promise nor a target", decl.name.span,
                       help=["add `promise …`: what the charter tells customers (the target defaults to it)",
                             "or only `target …` for an internal metric, which the charter never shows"])
    objectives: dict[int, model.Objective | None] = {
        id(line): _objective(ctx, measure, line, calendar) for line in lines if _counted(line, general, own)}
    ok = ok and _one_unit(ctx, [line for line in lines if id(line) in objectives])

    split = bool(own)
    entries: list[tuple[str | None, ast.ObjectiveLine | None, ast.ObjectiveLine | None]] = []
    if split:
        for case_class in classes:
            own_promise, own_target = own.get(("promise", case_class)), own.get(("target", case_class))
            promise_line = own_promise or general["promise"]
            target_line = own_target or (own_promise if own_promise is not None else general["target"])
            entries.append((case_class, promise_line, target_line))
    else:
        entries.append((None, general["promise"], general["target"]))

    window_line = single(ctx, items_of(decl, ast.Window), "window")
    window: model.Duration | None = defaults.window
    if window_line is not None:
        window = positive_duration(ctx, window_line.duration, "the window")
        ok = ok and window is not None

    source = None
    src = single(ctx, items_of(decl, ast.SourceBlock), "source")
    if src is not None:
        source = _source(ctx, src)
        ok = ok and source is not None
        if split:
            ctx.sink.error("TD432", f"metric `{name}` reads its own `source` queries and is judged per class",
                           src.system.span,
                           help=["the queries cannot tell the classes apart: remove the `for CLASS` objectives, "
                                 "or the `source` block so the metric reads the series labelled by `segment`"],
                           related=[Related(next(line for line in lines if line.classes).span,
                                            "an objective for some classes")])
            ok = False

    ok = _published_alike(ctx, name, entries) and ok
    compared: set[tuple[int, int]] = set()
    built: list[tuple[str | None, model.Objective | None, model.Objective, bool]] = []
    for segment, promise_line, target_line in entries:
        if promise_line is None and target_line is None:
            if segment is not None:  # a class with neither (a metric with none at all is reported above)
                ctx.sink.error("TD408", f"metric `{name}` has neither a promise nor a target for class `{segment}`",
                               decl.name.span,
                               help=[f"add `promise … for {segment}`, or a `promise` for every class"])
            ok = False
            continue
        promise = objectives.get(id(promise_line)) if promise_line is not None else None
        target = objectives.get(id(target_line)) if target_line is not None else promise
        if (promise_line is not None and objectives.get(id(promise_line)) is None) or (
                target_line is not None and objectives.get(id(target_line)) is None):
            ok = False
            continue
        if (promise is not None and target is not None and promise_line is not None and target_line is not None
                and promise_line is not target_line):
            pair = (id(promise_line), id(target_line))
            why = _looser(promise, target) if pair not in compared else None
            compared.add(pair)
            if why:
                code_help = (["promise and target use the same form"] if "form" in why else
                             ["the internal target must be at least as strict as the published promise"])
                scope = f" for class `{segment}`" if segment is not None and (promise_line.classes or
                                                                             target_line.classes) else ""
                ctx.sink.error("TD405", f"the target is looser than the promise{scope}: {why}",
                               target_line.objective.span, help=code_help,
                               related=[Related(promise_line.objective.span, "the promise")])
                ok = False
        assert target is not None
        built.append((segment, promise, target, target_line is not None and target_line is not promise_line))

    compensation = None
    compensation_line = single(ctx, items_of(decl, ast.Compensation), "compensation")
    if compensation_line is not None:
        if compensation_line.text.value.strip():
            compensation = compensation_line.text.value
        else:
            ctx.sink.error("TD310", "the compensation is empty", compensation_line.text.span,
                           help=["say what the customer gets when this promise is not kept for them, e.g. "
                                 '`compensation "A credit of 50 NIS on your next bill."`, or leave it out'])
        if lines and not any(line.role == "promise" for line in lines):
            ctx.sink.warning("TD913", f"metric `{name}` is internal: its compensation is never published",
                             compensation_line.span,
                             help=["the charter shows a compensation under the promise it goes with; add a "
                                   "`promise`, or remove the compensation"])

    note, tags = notes_and_tags(ctx, decl)
    if not ok or not built or window is None:
        return []
    cls = _KINDS[type(measure)].metric
    metrics: list[model.Metric] = [
        cls(id=name, title=title, promise=promise, target=target, target_written=written, segment=segment,
            window=window, source=source, compensation=compensation, note=note, tags=tags,
            location=ctx.loc(decl.name.span), **fields)
        for segment, promise, target, written in built]
    if source is not None and src is not None:
        for metric in metrics:
            _check_promise_good(ctx, src, source, metric)
    return metrics


def _counted(line: ast.ObjectiveLine, general: dict[str, ast.ObjectiveLine | None],
             own: dict[tuple[str, str], ast.ObjectiveLine]) -> bool:
    """Whether an objective line is one the metric uses (a repeated one is reported, not judged)."""
    return line is general[line.role] or any(line is kept for kept in own.values())


def _class_lines(ctx: Context, tp: str, lines: list[ast.ObjectiveLine],
                 classes: dict[str, ast.ClassDecl]) -> dict[tuple[str, str], ast.ObjectiveLine]:
    """The objectives for some classes, by (role, class); unknown classes (TD430) and a
    class given two promises or two targets (TD305) are reported."""
    own: dict[tuple[str, str], ast.ObjectiveLine] = {}
    for line in lines:
        for case_class in line.classes:
            if case_class.value not in classes:
                ctx.sink.error("TD430", f"touchpoint `{tp}` has no class `{case_class.value}`", case_class.span,
                               help=suggest(case_class.value, classes, "class") if classes else [
                                   f'declare the classes of case in the touchpoint: `class {case_class.value} "…"`'])
                continue
            ctx.index.ref("class", f"{tp}.{case_class.value}", case_class.span)
            key = (line.role, case_class.value)
            first = own.get(key)
            if first is None:
                own[key] = line
            elif first is not line:
                ctx.sink.error("TD305", f"`{line.role} … for {case_class.value}` is written more than once here",
                               case_class.span, help=[f"keep one {line.role} for class `{case_class.value}`"],
                               related=[Related(first.span, "first written here")])
    return own


def _unit(line: ast.ObjectiveLine) -> str | None:
    within = line.objective.within
    if within is None:
        return None
    return "business days" if isinstance(within, ast.BusinessDaysLit) else "time"


def _one_unit(ctx: Context, lines: list[ast.ObjectiveLine]) -> bool:
    """TD427: every limit of a metric counts business days, or every one counts time."""
    units = [(line, _unit(line)) for line in lines if _unit(line) is not None]
    if not units:
        return True
    first, unit = units[0]
    for line, other in units[1:]:
        if other != unit:
            assert line.objective.within is not None and first.objective.within is not None
            ctx.sink.error("TD427", f"this limit counts {other}, another of the metric counts {unit}",
                           line.objective.within.span,
                           help=["a metric is measured in one unit, so its cases compare with every limit: "
                                 "write every promise and target in business days, or every one as a duration"],
                           related=[Related(first.objective.within.span, f"this one counts {unit}")])
            return False
    return True


def _published_alike(ctx: Context, name: str,
                     entries: list[tuple[str | None, ast.ObjectiveLine | None, ast.ObjectiveLine | None]]) -> bool:
    """TD431: a metric judged per class is published for every class or for none."""
    promised = [segment for segment, promise, _ in entries if promise is not None]
    internal = [segment for segment, promise, target in entries if promise is None and target is not None]
    if not promised or not internal:
        return True
    target = next(t for segment, p, t in entries if p is None and t is not None)
    assert target is not None
    ctx.sink.error("TD431", f"metric `{name}` promises class `{promised[0]}` but not class `{internal[0]}`",
                   target.span,
                   help=[f"add `promise … for {internal[0]}` (or a `promise` for every class)",
                         "or make the metric internal for every class: targets only"])
    return False


def _rank(steps: dict[str, int], ev: ast.EventRef) -> tuple[int, int] | None:
    if ev.step.value not in steps:
        return None
    return (steps[ev.step.value], MOMENT_RANK.get(ev.moment.value, 1))


def _pauses(ctx: Context, tp: str, steps: dict[str, int], decl: ast.MetricDecl,
            measure: ast.Measure) -> tuple[list[model.Pause], bool]:
    """The pauses of a time metric's clock (`pause while STEP`, `pause from A to B`)."""
    lines = items_of(decl, ast.PauseLine)
    if not lines:
        return [], True
    match measure:
        case ast.TimeMeasure():
            span = (_rank(steps, measure.start), _rank(steps, measure.end))
        case ast.RatioMeasure() | ast.ScoreMeasure() | ast.NpsMeasure() | ast.CountMeasure():
            for line in lines:
                ctx.sink.error("TD428", f"{_called(_kind_name(measure))} metric has no clock to pause", line.span,
                               help=["only `time from A to B` metrics pause: remove the line, or measure time"])
            return [], False
        case _:
            assert_never(measure)
    out: list[model.Pause] = []
    ok = True
    for line in lines:
        if line.step is not None:
            step = line.step
            if step.value not in steps:
                if not ctx.unreadable("step", f"{tp}.{step.value}"):
                    ctx.sink.error("TD206", f"unknown step `{step.value}` in `pause while {step.value}`", step.span,
                                   help=suggest(step.value, steps, "step") if steps else [
                                       f'steps belong to their touchpoint, and `{tp}` has none: '
                                       f'add `step {step.value} "…"`'])
                ok = False
                continue
            ctx.index.ref("step", f"{tp}.{step.value}", step.span)
            a, b = (steps[step.value], 0), (steps[step.value], 2)
            pause = model.Pause(start=model.Event(step=step.value, moment="start"),
                                end=model.Event(step=step.value, moment="end"), step=step.value)
        else:
            assert line.start is not None and line.end is not None
            ra, rb = check_event(ctx, tp, steps, line.start), check_event(ctx, tp, steps, line.end)
            if ra is None or rb is None:
                ok = False
                continue
            a, b = ra, rb
            if a > b or str(line.start) == str(line.end):
                ctx.sink.error("TD401", f"`{line.start}` does not come before `{line.end}`", line.start.span,
                               help=["a pause runs from the earlier event to the later one"],
                               related=[Related(line.end.span, "the end of the pause")])
                ok = False
                continue
            pause = model.Pause(start=model_event(line.start), end=model_event(line.end))
        first, last = span
        if first is None or last is None:
            continue  # the measure's own events are reported already
        if a < first or b > last:
            ctx.sink.error("TD429", f"the pause {pause.start}–{pause.end} lies outside what the metric measures "
                           f"({measure.start} to {measure.end})", line.span,
                           help=["a pause stops the clock of a running case: pause on a step between the "
                                 "metric's start and its end"])
            ok = False
            continue
        if a == first and b == last:
            ctx.sink.error("TD429", f"the pause covers all the metric measures ({measure.start} to {measure.end}): "
                           "its clock would never run", line.span,
                           help=["pause only while the case waits, on a step between the start and the end"])
            ok = False
            continue
        if pause in out:
            ctx.sink.error("TD305", f"`{syntax.pause_between(str(pause.start), str(pause.end))}` is written more than "
                           "once here", line.span, help=["keep one"])
            ok = False
            continue
        out.append(pause)
    return out, ok


_SOURCE_KEYS = ("good", "total", "promise_good")


def _source(ctx: Context, src: ast.SourceBlock) -> model.PrometheusSource | None:
    if src.system.value != "prometheus":
        ctx.sink.error("TD410", f"unknown source `{src.system.value}`", src.system.span,
                       help=["the only source is `prometheus`"])
        return None
    queries: dict[str, ast.SourceQuery] = {}
    ok = True
    for q in src.queries:
        if q.key.value not in _SOURCE_KEYS:
            ctx.sink.error("TD410", f"unknown query `{q.key.value}` in the source", q.key.span,
                           help=close_match(q.key.value, _SOURCE_KEYS) + [
                               "a source has `good` and `total`, and may have `promise_good`"])
            ok = False
        elif q.key.value in queries:
            ctx.sink.error("TD305", f"`{q.key.value}` is written more than once here", q.span,
                           related=[Related(queries[q.key.value].span, "first written here")])
            ok = False
        elif not q.query.value.strip():
            ctx.sink.error("TD410", f"the `{q.key.value}` query is empty", q.query.span)
            ok = False
        else:
            queries[q.key.value] = q
    for missing in ("good", "total"):
        if missing not in queries and ok:
            ctx.sink.error("TD410", f"the source has no `{missing}` query", src.system.span,
                           help=[f'add `{missing} "…"` with a PromQL query; {{{{window}}}} stands for the window'])
            ok = False
    for key in _SOURCE_KEYS:
        if key in queries and not _promql_ok(ctx, key, queries[key].query):
            ok = False
    if not ok:
        return None
    promise_good = queries["promise_good"].query.value if "promise_good" in queries else None
    return model.PrometheusSource(good=queries["good"].query.value, total=queries["total"].query.value,
                                  promise_good=promise_good)


def _check_promise_good(ctx: Context, src: ast.SourceBlock, source: model.PrometheusSource,
                        metric: model.Metric) -> None:
    """TD907: one `good` query cannot tell events meeting the promise from those meeting
    a target with another line (30s and 20s): the promise's alerts need their own.
    TD914: an internal metric has no promise, so nothing reads its `promise_good`."""
    from touchdsl.slo.tiers import same_line

    if metric.promise is None:
        written = next((q for q in src.queries if q.key.value == "promise_good"), None)
        if written is not None:
            ctx.sink.warning("TD914", f"metric `{metric.id}` is internal: its `promise_good` query is never read",
                             written.key.span,
                             help=["remove `promise_good`, or add a `promise` for it to judge"])
        return
    if source.promise_good is None and not same_line(metric):
        ctx.sink.warning("TD907", "the promise and the target draw the line at different places, but the source "
                                  "has one `good` query: the promise's alerts read the target's good events",
                         src.system.span,
                         help=['add `promise_good "…"`: the events that meet the promise, so its alerts judge '
                               "the promise and not the stricter target"])


def promql_problem(query: str) -> str | None:
    """Why the rules could not load `query`, or None.

    The rules read a query with `{{window}}` replaced and the whole summed
    (`touchdsl.slo.contract.summed`), so exactly that is parsed: alone first (is it
    PromQL?), then summed (is it an instant vector that can be added up?).
    """
    import promql_parser

    from touchdsl.slo.contract import render_query, summed

    try:
        promql_parser.parse(render_query(query, _CHECK_WINDOW))
    except ValueError as exc:
        return f"is not valid PromQL: {exc}"
    try:
        promql_parser.parse(summed(query, _CHECK_WINDOW))
    except ValueError as exc:
        return f"cannot be summed into one series: {exc}"
    return None


# Any window reads the same: `{{window}}` only ever becomes a range such as this one.
_CHECK_WINDOW = "5m"


def _promql_ok(ctx: Context, key: str, query: ast.Text) -> bool:
    problem = promql_problem(query.value)
    if problem is None:
        return True
    ctx.sink.error("TD411", f"the `{key}` query {problem}", query.span,
                   help=["write one PromQL expression returning an instant vector, e.g. "
                         "`sum(rate(calls_total[{{window}}]))`; `{{window}}` stands for each window (5m … 28d) "
                         "and the rules add up the result"])
    return False
