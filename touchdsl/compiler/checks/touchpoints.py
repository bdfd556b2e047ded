"""Touchpoints: one owner, the expectation, journey, channels, steps, updates, escalation (TD2xx, TD3xx)."""

from __future__ import annotations

from touchdsl import model
from touchdsl.compiler.checks.context import (
    Context,
    check_channel,
    check_name,
    close_match,
    declared_once,
    items_of,
    notes_and_tags,
    owner_ref,
    positive_duration,
    single,
    title_of,
)
from touchdsl.compiler.checks.metrics import check_event, check_metric, model_event
from touchdsl.slo.naming import UPDATES_METRIC
from touchdsl.compiler.resolve import suggest
from touchdsl.diagnostics import Related
from touchdsl.language import ast


def check_touchpoint(ctx: Context, decl: ast.TouchpointDecl, defaults: model.Defaults) -> model.Touchpoint | None:
    tp = decl.name.value
    check_name(ctx, decl.name, "touchpoint")
    title = title_of(ctx, decl.title, "touchpoint")
    damaged = id(decl) in ctx.decls.damaged
    # Diagnostics are only ever appended: what this touchpoint added starts here
    # (counting every error of the project per touchpoint was quadratic).
    first_new = len(ctx.sink.items)

    # owner: exactly one
    owners = items_of(decl, ast.OwnerRef)
    if not owners and not damaged:
        ctx.sink.error("TD301", f"touchpoint `{tp}` has no owner", decl.name.span,
                       help=["add `owner UNIT`: the one unit accountable for this touchpoint"] +
                       ([f"declared owners: {', '.join(sorted(ctx.decls.owners)[:8])}"] if ctx.decls.owners else []))
    for extra in owners[1:]:
        ctx.sink.error("TD302", f"touchpoint `{tp}` has more than one owner", extra.span,
                       help=["exactly one unit is accountable; other units take part with `step ... by UNIT`"],
                       related=[Related(owners[0].span, "first owner here")])
    owner = owners[0].owner.value if owners else None
    if owners:
        owner_ref(ctx, owners[0].owner, "as the touchpoint's owner")
    for extra in owners[1:]:
        owner_ref(ctx, extra.owner, "as the touchpoint's owner")

    # expectation
    expectation = single(ctx, items_of(decl, ast.Expectation), "expectation")
    if expectation is None and not damaged:
        ctx.sink.error("TD303", f"touchpoint `{tp}` has no expectation", decl.name.span,
                       help=['add `expectation "…"`: what the customer expects, in their words'])
    elif expectation is not None and not expectation.text.value.strip():
        ctx.sink.error("TD310", "the expectation is empty", expectation.text.span,
                       help=["write what the customer expects, in their words"])

    # journey and stage
    journey = stage = None
    ref = single(ctx, items_of(decl, ast.JourneyRef), "journey")
    if ref is not None:
        j = ctx.decls.journeys.get(ref.journey.value)
        if j is None and ctx.unreadable("journey", ref.journey.value):
            pass
        elif j is None:
            ctx.sink.error("TD204", f"unknown journey `{ref.journey.value}`", ref.journey.span,
                           help=suggest(ref.journey.value, ctx.decls.journeys, "journey"))
        else:
            journey = j.name.value
            ctx.index.ref("journey", journey, ref.journey.span)
            if ref.stage is not None:
                names = [s.name.value for s in items_of(j, ast.StageDecl)]
                if ref.stage.value not in names and ctx.unreadable("stage", f"{journey}.{ref.stage.value}"):
                    pass
                elif ref.stage.value not in names:
                    ctx.sink.error("TD205", f"journey `{journey}` has no stage `{ref.stage.value}`",
                                   ref.stage.span, help=suggest(ref.stage.value, names, "stage"))
                else:
                    stage = ref.stage.value
                    ctx.index.ref("stage", f"{journey}.{stage}", ref.stage.span)

    # channels
    channels: list[str] = []
    chan = single(ctx, items_of(decl, ast.Channels), "channels")
    if chan is not None:
        for c in chan.channels:
            if check_channel(ctx, c) and c.value not in channels:
                channels.append(c.value)

    # steps
    steps: dict[str, int] = {}
    step_models: list[model.Step] = []
    for s in declared_once(ctx, items_of(decl, ast.StepDecl), "step", tp):
        steps[s.name.value] = len(steps)
        step_title = title_of(ctx, s.title, "step")
        for repeated in s.by[1:]:
            ctx.sink.error("TD305", "`by` is written more than once in this step", repeated.span,
                           help=["a step is performed by one unit"])
        for repeated in s.via[1:]:
            ctx.sink.error("TD305", "`via` is written more than once in this step", repeated.span,
                           help=["a step uses one channel"])
        by = s.by[0].value if s.by else owner
        if s.by:
            owner_ref(ctx, s.by[0], "performing this step")
        via = s.via[0].value if s.via and check_channel(ctx, s.via[0]) else None
        if by is not None:
            step_models.append(model.Step(id=s.name.value, title=step_title, by=by, by_written=bool(s.by),
                                          via=via, location=ctx.loc(s.name.span)))

    # classes of case
    classes: dict[str, ast.ClassDecl] = {}
    for class_decl in declared_once(ctx, items_of(decl, ast.ClassDecl), "class", tp):
        title_of(ctx, class_decl.title, "class")
        classes[class_decl.name.value] = class_decl

    # metrics
    metrics: list[model.Metric] = []
    for m in declared_once(ctx, items_of(decl, ast.MetricDecl), "metric", tp):
        metrics.extend(check_metric(ctx, tp, m, steps, defaults, damaged, classes))
    if classes and not damaged and not any(m.segment is not None for m in metrics) and not any(
            line.classes for m in items_of(decl, ast.MetricDecl) for line in items_of(m, ast.ObjectiveLine)):
        first = next(iter(classes.values()))
        ctx.sink.warning("TD912", f"touchpoint `{tp}` declares classes of case, but no objective is for a class",
                         first.name.span,
                         help=[f"give a class its own promise in a metric: `promise … for {first.name.value}`",
                               "or remove the classes: every metric then judges all cases alike"])
    if not items_of(decl, ast.MetricDecl) and not damaged:
        ctx.sink.warning("TD902", f"touchpoint `{tp}` has no metrics; it promises nothing", decl.name.span,
                         help=["add a `metric` with a `promise` the charter can publish"])

    # updates
    updates = None
    up = single(ctx, items_of(decl, ast.UpdatesLine), "updates")
    if up is not None:
        every = positive_duration(ctx, up.every, "the update interval")
        via_ok = check_channel(ctx, up.via)
        until_ok = up.until is None or check_event(ctx, tp, steps, up.until) is not None
        if every and via_ok and until_ok:
            updates = model.Updates(every=every, via=up.via.value,
                                    until=model_event(up.until) if up.until else None)
        for m in items_of(decl, ast.MetricDecl):
            if m.name.value == UPDATES_METRIC:
                ctx.sink.error("TD421", f"a metric of `{tp}` is named `{UPDATES_METRIC}`, like the touchpoint's "
                                        f"`updates` promise", m.name.span,
                               help=["the updates promise is watched and measured under that name: rename the "
                                     "metric, e.g. `update_time`"],
                               related=[Related(up.span, "the updates promise")])

    # escalation
    escalations: list[model.Escalation] = []
    for line in items_of(decl, ast.EscalateLine):
        to = line.to.value
        if to == "manager":
            o = ctx.decls.owners.get(owner or "")
            if o is not None and not items_of(o, ast.ManagerLine) and id(o) not in ctx.decls.damaged:
                ctx.sink.error("TD308", f"`escalate to manager`, but owner `{owner}` has no manager", line.to.span,
                               help=[f'add `manager "Name" <name@example.com>` to owner `{owner}`'],
                               related=[Related(o.name.span, f"owner `{owner}` is declared here")])
        elif to not in ctx.decls.owners and not ctx.unreadable("owner", to):
            ctx.sink.error("TD308", f"cannot escalate to `{to}`: it is neither `manager` nor a declared owner",
                           line.to.span, help=suggest(to, list(ctx.decls.owners) + ["manager"]))
        elif to in ctx.decls.owners:
            ctx.index.ref("owner", to, line.to.span)
        for cond in line.on:
            if cond.value not in ("breach", "risk"):
                ctx.sink.error("TD308", f"unknown escalation condition `{cond.value}`", cond.span,
                               help=close_match(cond.value, ("breach", "risk")) + [
                                   "escalate `on breach` (objective missed) or `on risk` (budget burning)"])
                continue
            e = model.Escalation(to=to, on=cond.value)
            if e not in escalations:
                escalations.append(e)

    note, tags = notes_and_tags(ctx, decl)
    new_errors = any(d.is_error for d in ctx.sink.items[first_new:])
    if new_errors or owner is None or expectation is None or damaged:
        return None
    return model.Touchpoint(
        id=tp, title=title, journey=journey, stage=stage, owner=owner,
        expectation=expectation.text.value, channels=channels, steps=step_models, metrics=metrics,
        updates=updates, escalations=escalations,
        classes=[model.CaseClass(id=c.name.value, title=c.title.value) for c in classes.values()],
        note=note, tags=tags, location=ctx.loc(decl.name.span),
    )
