"""Journeys and their stages (TD309)."""

from __future__ import annotations

from touchdsl import model
from touchdsl.compiler.checks.context import (
    Context,
    check_name,
    declared_once,
    items_of,
    notes_and_tags,
    title_of,
)
from touchdsl.language import ast


def check_journey(ctx: Context, decl: ast.JourneyDecl) -> model.Journey | None:
    check_name(ctx, decl.name, "journey")
    stages = {s.name.value: s for s in declared_once(ctx, items_of(decl, ast.StageDecl), "stage", decl.name.value)}
    if not stages and id(decl) not in ctx.decls.damaged:
        ctx.sink.error("TD309", f"journey `{decl.name.value}` has no stages", decl.name.span,
                       help=['add e.g. `stage support "Getting help"`'])
    note, tags = notes_and_tags(ctx, decl)
    title = title_of(ctx, decl.title, "journey")
    # A stage's title heads its part of the charter: never empty either.
    return model.Journey(id=decl.name.value, title=title,
                         stages=[model.Stage(id=k, title=title_of(ctx, v.title, "stage")) for k, v in stages.items()],
                         note=note, tags=tags, location=ctx.loc(decl.name.span))
