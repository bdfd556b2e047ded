"""Metrics: what each kind measures and which objectives it takes (TD4xx)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import assert_never

from touchdsl import model
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


_KINDS: dict[type[ast.Measure], _Kind] = {
    ast.TimeMeasure: _Kind(model.TimeMetric, ("within",), "`P% within DURATION`, e.g. `promise 80% within 30s`"),
    ast.RatioMeasure: _Kind(model.RatioMetric, ("at_most", "at_least"), "`at most P%` or `at least P%`"),
    ast.ScoreMeasure: _Kind(model.ScoreMetric, ("average_at_least", "share_at_least"),
                            "`average at least N` or `P% at least N`"),
    ast.NpsMeasure: _Kind(model.NpsMetric, ("at_least",), "`at least N`, N from -100 to 100"),
    ast.CountMeasure: _Kind(model.CountMetric, ("at_most",), "`at most N`"),
}


def _kind_name(measure: ast.Measure) -> str:
    return str(_KINDS[type(measure)].metric.model_fields["kind"].default)


def _objective(ctx: Context, measure: ast.Measure, line: ast.ObjectiveLine) -> model.Objective | None:
    """Validate one objective against its metric kind; returns the model objective or None."""
    o = line.objective
    kind = _kind_name(measure)
    if o.form not in _KINDS[type(measure)].forms:
        ctx.sink.error("TD409", f"a {kind} metric cannot have this objective", o.span,
                       help=[f"a {kind} metric takes {_KINDS[type(measure)].words}"])
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
        assert o.within is not None and o.percent is not None
        within = positive_duration(ctx, o.within, "the time threshold")
        if within is None:
            return None
        return model.WithinObjective(percent=o.percent.value, within=within) if ok else None
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


def _a_number(ctx: Context, kind: str, o: ast.ObjectiveLit) -> ast.Number | None:
    """The number of an NPS or count objective; a percentage there is reported (TD409)."""
    if o.percent is not None:
        ctx.sink.error("TD409", f"a {kind} objective is a number, not a percentage", o.percent.span,
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
            if target.within.seconds > promise.within.seconds:
                return f"it allows more time ({target.within.text} > {promise.within.text})"
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
                 damaged: bool) -> model.Metric | None:
    name = decl.name.value
    title = title_of(ctx, decl.title, "metric")
    measures = [i for i in decl.items if isinstance(i, ast.MEASURES)]
    if not measures:
        if not damaged:
            ctx.sink.error("TD407", f"metric `{name}` measures nothing", decl.name.span,
                           help=["add one of: `time from A to B`, `ratio X of Y`, `score 1..5`, `nps`, "
                                 "`count X per 7d`"])
        return None
    for extra in measures[1:]:
        ctx.sink.error("TD407", f"metric `{name}` measures more than one thing", extra.span,
                       help=["split it into two metrics"], related=[Related(measures[0].span, "first measure here")])
    measure = measures[0]
    fields, ok = _measure_fields(ctx, tp, steps, measure)

    promises = [i for i in decl.items if isinstance(i, ast.ObjectiveLine) and i.role == "promise"]
    targets = [i for i in decl.items if isinstance(i, ast.ObjectiveLine) and i.role == "target"]
    promise_line = single(ctx, promises, "promise")
    target_line = single(ctx, targets, "target")
    if promise_line is None and not damaged:
        ctx.sink.error("TD408", f"metric `{name}` has no promise", decl.name.span,
                       help=["add `promise …`: what the charter tells customers"])
    promise = _objective(ctx, measure, promise_line) if promise_line else None
    target = _objective(ctx, measure, target_line) if target_line else None
    if promise is not None and target is not None:
        assert promise_line is not None and target_line is not None
        why = _looser(promise, target)
        if why:
            code_help = (["promise and target use the same form"] if "form" in why else
                         ["the internal target must be at least as strict as the published promise"])
            ctx.sink.error("TD405", f"the target is looser than the promise: {why}", target_line.objective.span,
                           help=code_help, related=[Related(promise_line.objective.span, "the promise")])
            ok = False

    window_line = single(ctx, items_of(decl, ast.Window), "window")
    window: model.Duration | None = defaults.window
    if window_line is not None:
        window = positive_duration(ctx, window_line.duration, "the window")
        ok = ok and window is not None

    source = None
    blocks = items_of(decl, ast.SourceBlock)
    src = single(ctx, blocks, "source")
    if src is not None:
        source = _source(ctx, src)
        ok = ok and source is not None

    compensation = None
    compensation_line = single(ctx, items_of(decl, ast.Compensation), "compensation")
    if compensation_line is not None:
        if compensation_line.text.value.strip():
            compensation = compensation_line.text.value
        else:
            ctx.sink.error("TD310", "the compensation is empty", compensation_line.text.span,
                           help=["say what the customer gets when this promise is not kept for them, e.g. "
                                 '`compensation "A credit of 50 NIS on your next bill."`, or leave it out'])

    note, tags = notes_and_tags(ctx, decl)
    if not ok or promise is None or (target_line is not None and target is None):
        return None
    cls = _KINDS[type(measure)].metric
    metric = cls(id=name, title=title, promise=promise, target=target or promise,
                 target_written=target is not None, window=window, source=source, compensation=compensation,
                 note=note, tags=tags, location=ctx.loc(decl.name.span), **fields)
    if source is not None and src is not None:
        _check_promise_good(ctx, src, source, metric)
    return metric


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
    a target with another line (30s and 20s): the promise's alerts need their own."""
    from touchdsl.slo.tiers import same_line

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
