"""Resolve names across a project: one table per kind, duplicates reported.

Names are global per kind across all files of a project. This stage records
where every name is defined and (filled in by the checker) where it is
referred to, which is what `touchdsl lsp` uses for go-to-definition and
find-references.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from touchdsl.diagnostics import DiagnosticSink, Related, Span
from touchdsl.language import ast


@dataclass(frozen=True)
class Reference:
    kind: str  # owner | calendar | journey | stage | touchpoint | step | metric
    name: str  # qualified for nested kinds: `journey.stage`, `touchpoint.step`
    span: Span


@dataclass
class SymbolIndex:
    definitions: dict[tuple[str, str], Span] = field(default_factory=dict)
    references: list[Reference] = field(default_factory=list)

    def ref(self, kind: str, name: str, span: Span) -> None:
        self.references.append(Reference(kind, name, span))

    def references_to(self, kind: str, name: str) -> list[Reference]:
        return [r for r in self.references if r.kind == kind and r.name == name]

    def at(self, file: str, line: int, column: int) -> tuple[str, str] | None:
        """The (kind, name) defined or referred to at a position, if any."""
        def inside(s: Span) -> bool:
            return s.file == file and (s.line, s.column) <= (line, column) < (s.end_line, s.end_column)

        for r in self.references:
            if inside(r.span):
                return (r.kind, r.name)
        for key, span in self.definitions.items():
            if inside(span):
                return key
        return None


@dataclass
class Declarations:
    """The project's top-level declarations by name (first one wins on duplicates)."""

    owners: dict[str, ast.OwnerDecl] = field(default_factory=dict)
    calendars: dict[str, ast.CalendarDecl] = field(default_factory=dict)
    journeys: dict[str, ast.JourneyDecl] = field(default_factory=dict)
    touchpoints: dict[str, ast.TouchpointDecl] = field(default_factory=dict)
    defaults: list[ast.DefaultsDecl] = field(default_factory=list)
    damaged: set[int] = field(default_factory=set)  # id() of declarations with syntax errors
    # (kind, qualified name) of declarations and steps/stages/metrics that did not
    # parse: references to them are not "unknown", their content is not judged.
    broken: set[tuple[str, str]] = field(default_factory=set)
    # Some declaration did not parse: what it referred to is not known, so no
    # "declared but never used".
    incomplete: bool = False


_KIND_OF = {
    ast.OwnerDecl: ("owner", "owners"),
    ast.CalendarDecl: ("calendar", "calendars"),
    ast.JourneyDecl: ("journey", "journeys"),
    ast.TouchpointDecl: ("touchpoint", "touchpoints"),
}


def suggest(name: str, candidates, what: str = "") -> list[str]:
    """`did you mean …?` help for a misspelt name, or the list of choices when few."""
    choices = sorted(set(candidates))
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    if not close and name.lower() != name:
        close = [c for c in choices if c == name.lower()]
    if close:
        return [f"did you mean `{close[0]}`?"]
    if choices and len(choices) <= 8:
        listed = ", ".join(f"`{c}`" for c in choices)
        return [f"declared {what + ' ' if what else ''}names: {listed}"]
    if not choices and what:
        return [f"no {what} is declared in this project"]
    return []


def duplicate(sink: DiagnosticSink, kind: str, name: str, first: Span, again: Span) -> None:
    sink.error("TD201", f"{kind} `{name}` is declared twice", again,
               help=[f"rename one of them, or remove the repeated {kind}"],
               related=[Related(first, f"`{name}` is first declared here")])


def collect(files: dict[str, ast.File], sink: DiagnosticSink) -> tuple[Declarations, SymbolIndex]:
    decls = Declarations()
    index = SymbolIndex()
    for tree in files.values():
        for broken in tree.broken:
            decls.incomplete = True
            if broken.qualified is not None:
                decls.broken.add((broken.kind, broken.qualified))
        if tree.damaged:
            decls.incomplete = True
        for decl in tree.declarations:
            if tree.damaged and tree.is_damaged(decl.span):
                decls.damaged.add(id(decl))
            if isinstance(decl, ast.DefaultsDecl):
                decls.defaults.append(decl)
                continue
            entry = _KIND_OF.get(type(decl))
            if entry is None:
                continue
            kind, table_name = entry
            table = getattr(decls, table_name)
            name = decl.name.value
            if name in table:
                duplicate(sink, kind, name, table[name].name.span, decl.name.span)
                continue
            table[name] = decl
            index.definitions[(kind, name)] = decl.name.span
    return decls, index
