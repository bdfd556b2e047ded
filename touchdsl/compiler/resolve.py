"""Resolve names across a project: one table per kind, duplicates reported.

Names are global per kind across all files of a project. This stage records
where every name is defined and (filled in by the checker) where it is
referred to, which is what `touchdsl lsp` uses for go-to-definition and
find-references.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Iterable, Sized

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
    projects: list[ast.ProjectDecl] = field(default_factory=list)
    # Declarations whose name was taken already (TD201): not part of the project, but
    # their content is still checked, so one run reports the mistakes inside them too.
    repeated: list[ast.OwnerDecl | ast.CalendarDecl | ast.JourneyDecl | ast.TouchpointDecl] = field(
        default_factory=list)
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


# "Did you mean" must stay cheap however many names are unknown and however many are
# declared (10,000 of each once took five minutes): every table of names is indexed
# once, a near miss (one letter added, dropped, changed or two swapped) is found by
# lookup, and the slower similarity search behind it runs over at most FULL names
# (beyond that, over names of the same first letter and nearly the same length) and
# only until a run has spent BUDGET comparisons on it.
FULL = 200
NEAR = 64
BUDGET = 200_000
CUTOFF = 0.6


class _Index:
    def __init__(self, candidates: Iterable[str]) -> None:
        self.names = sorted(set(candidates))
        self.lower: dict[str, str] = {}
        self.deletes: dict[str, list[str]] = {}
        self.by_first: dict[str, list[str]] = {}
        self.memo: dict[str, str | None] = {}
        for n in self.names:
            self.lower.setdefault(n.lower(), n)
            for variant in _deletions(n):
                self.deletes.setdefault(variant, []).append(n)
            self.by_first.setdefault(n[:1], []).append(n)

    def near_misses(self, name: str) -> list[str]:
        found: set[str] = set()
        for variant in _deletions(name):
            found.update(self.deletes.get(variant, ()))
        return sorted(found)

    def similar(self, name: str) -> list[str]:
        """The names of a large table the similarity search looks at: a bounded few."""
        same = self.by_first.get(name[:1], [])
        return sorted(same, key=lambda n: (abs(len(n) - len(name)), n))[:NEAR]


def _deletions(word: str) -> set[str]:
    return {word} | {word[:i] + word[i + 1:] for i in range(len(word))}


class _Indexes:
    """The indexes of the tables asked about lately; tables are told apart by identity
    (a project's tables of owners, calendars… are asked about again and again)."""

    def __init__(self) -> None:
        self.recent: dict[int, tuple[object, int, _Index]] = {}
        self.spent = 0

    def of(self, candidates: Iterable[str]) -> _Index:
        size = len(candidates) if isinstance(candidates, Sized) else -1
        hit = self.recent.get(id(candidates))
        if hit is not None and hit[0] is candidates and hit[1] == size >= 0:
            return hit[2]
        index = _Index(candidates)
        if size >= 0:
            if len(self.recent) >= 8:
                self.recent.pop(next(iter(self.recent)))
            self.recent[id(candidates)] = (candidates, size, index)  # held, so the id stays its own
        return index

    def reset(self) -> None:
        """A new run: forget the last run's tables and give the search its budget again."""
        self.recent.clear()
        self.spent = 0


_INDEXES = _Indexes()


def _closest(name: str, index: _Index) -> str | None:
    if name in index.memo:
        return index.memo[name]
    best: list[str] = []
    if len(index.names) <= FULL and _INDEXES.spent < BUDGET:
        # a table of the usual size: the whole of it is searched
        _INDEXES.spent += len(index.names)
        best = difflib.get_close_matches(name, index.names, n=1, cutoff=CUTOFF)
    else:
        misses = index.near_misses(name)
        best = difflib.get_close_matches(name, misses, n=1, cutoff=CUTOFF) if misses else []
        if not best and _INDEXES.spent < BUDGET:
            pool = index.similar(name)
            _INDEXES.spent += len(pool)
            best = difflib.get_close_matches(name, pool, n=1, cutoff=CUTOFF)
    if not best and name.lower() != name and name.lower() in index.lower:
        best = [index.lower[name.lower()]]
    close = best[0] if best else None
    index.memo[name] = close
    return close


def suggest(name: str, candidates: Iterable[str], what: str = "") -> list[str]:
    """`did you mean …?` help for a misspelt name, or the list of choices when few."""
    index = _INDEXES.of(candidates)
    close = _closest(name, index)
    if close is not None:
        return [f"did you mean `{close}`?"]
    choices = index.names
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
    _INDEXES.reset()
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
            if isinstance(decl, ast.ProjectDecl):
                decls.projects.append(decl)
                continue
            entry = _KIND_OF.get(type(decl))
            if entry is None:
                continue
            kind, table_name = entry
            table = getattr(decls, table_name)
            name = decl.name.value
            if name in table:
                duplicate(sink, kind, name, table[name].name.span, decl.name.span)
                decls.repeated.append(decl)
                continue
            table[name] = decl
            index.definitions[(kind, name)] = decl.name.span
    return decls, index
