"""Semantic checks: every rule of the language, each reported with its code.

The checker walks the resolved declarations once, reports every problem it
finds (not only the first), and builds the validated model from what it
checked. The model is returned only when no error was reported, so targets
can rely on its invariants. One module per declaration kind; the code of each
rule is documented in `touchdsl.compiler.codes`.
"""

from __future__ import annotations

from collections.abc import Mapping

from touchdsl import model
from touchdsl.compiler.checks.calendars import check_calendar
from touchdsl.compiler.checks.context import Context
from touchdsl.compiler.checks.defaults import check_defaults
from touchdsl.compiler.checks.journeys import check_journey
from touchdsl.compiler.checks.owners import check_owner
from touchdsl.compiler.checks.project import check_project, check_reachable
from touchdsl.compiler.checks.touchpoints import check_touchpoint
from touchdsl.compiler.resolve import SymbolIndex, collect
from touchdsl.diagnostics import DiagnosticSink
from touchdsl.language import ast

__all__ = ["check"]


def check(files: dict[str, ast.File], relative: dict[str, str],
          sink: DiagnosticSink) -> tuple[model.Project | None, SymbolIndex]:
    """Resolve and check a parsed project; returns (Project or None, SymbolIndex)."""
    decls, index = collect(files, sink)
    ctx = Context(sink, decls, index, relative)
    defaults = check_defaults(ctx)
    title, contacts = check_project(ctx)
    calendars = {k: check_calendar(ctx, d) for k, d in decls.calendars.items()}
    ctx.calendars = calendars
    owners = {k: check_owner(ctx, d) for k, d in decls.owners.items()}
    journeys = {k: check_journey(ctx, d) for k, d in decls.journeys.items()}
    touchpoints = {k: check_touchpoint(ctx, d, defaults) for k, d in decls.touchpoints.items()}
    for touchpoint in decls.touchpoints.values():
        check_reachable(ctx, contacts, touchpoint)
    for repeated in decls.repeated:
        _check_repeated(ctx, repeated, defaults)

    used = {(r.kind, r.name) for r in index.references}
    # With a declaration unreadable, what it used is unknown: no "never used" then.
    judged: list[tuple[str, Mapping[str, ast.CalendarDecl | ast.JourneyDecl]]] = (
        [] if decls.incomplete else [("calendar", decls.calendars), ("journey", decls.journeys)])
    for kind, table in judged:
        for name, decl in table.items():
            if (kind, name) not in used:
                sink.warning("TD903", f"{kind} `{name}` is declared but no touchpoint uses it", decl.name.span,
                             help=["remove it, or refer to it from a touchpoint"])
    if sink.has_errors:
        return None, index
    project = model.Project(
        files=sorted(set(relative.values())),
        title=title,
        contacts=contacts,
        defaults=defaults,
        calendars=calendars,
        owners=owners,
        journeys=journeys,
        touchpoints=touchpoints,
    )
    return project, index


def _check_repeated(ctx: Context, decl: ast.OwnerDecl | ast.CalendarDecl | ast.JourneyDecl | ast.TouchpointDecl,
                    defaults: model.Defaults) -> None:
    """A declaration whose name was taken (TD201) is left out of the project, but what
    is wrong inside it is reported all the same: renaming it must not reveal new errors."""
    match decl:
        case ast.OwnerDecl():
            check_owner(ctx, decl)
        case ast.CalendarDecl():
            check_calendar(ctx, decl)
        case ast.JourneyDecl():
            check_journey(ctx, decl)
        case ast.TouchpointDecl():
            check_touchpoint(ctx, decl, defaults)
