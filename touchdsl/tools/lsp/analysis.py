"""One analysis of a project: the compilation `touchdsl check` runs, with the maps editors need.

Every feature reads one `Analysis` per project, made by the compiler's one
entry (`touchdsl.compiler.driver`) with the unsaved text of open editors laid
over the files on disk, so the editor shows exactly the problems `touchdsl
check` reports. Files whose text did not change since the last analysis are
not parsed again (the driver keeps parsed files by content).
"""

from __future__ import annotations

import gc
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, assert_never

from touchdsl.compiler.driver import Compilation
from touchdsl.diagnostics import Diagnostic, Span
from touchdsl.language import ast
from touchdsl.model import Project
from touchdsl.tools.lsp.positions import lines_of

__all__ = ["Analysis", "EventUse", "analyse", "analyse_document", "first_of", "items_of"]


def items_of(decl: Any, kind: type) -> list[Any]:
    """The statements of a kind in a block (none when `decl` is None or has no block)."""
    return [i for i in getattr(decl, "items", ()) if isinstance(i, kind)]


def first_of(decl: Any, kind: type) -> Any:
    found = items_of(decl, kind)
    return found[0] if found else None


@dataclass(frozen=True)
class EventUse:
    """`step.moment` written in a touchpoint (metric clocks, `updates ... until`)."""

    touchpoint: str
    step: str
    moment: str
    step_span: Span
    moment_span: Span

    @property
    def key(self) -> tuple[str, str]:
        return ("event", f"{self.touchpoint}.{self.step}.{self.moment}")


@dataclass
class Analysis:
    """One compilation of a project, with the maps editors need."""

    root: Path
    diagnostics: list[Diagnostic]
    files: dict[str, ast.File]  # display path -> tree
    sources: dict[str, str]  # display path -> the text compiled
    definitions: dict[tuple[str, str], Span]
    references: list[Any]  # touchdsl.compiler.resolve.Reference
    paths: dict[str, Path] = field(default_factory=dict)  # display -> resolved absolute path
    uris: dict[str, str] = field(default_factory=dict)  # display -> URI, for documents that are not files
    displays: dict[Path, str] = field(default_factory=dict)
    events: list[EventUse] = field(default_factory=list)
    project: Project | None = None  # the model, when the project has no errors (read by the history)
    _lines: dict[str, list[str]] = field(default_factory=dict, repr=False)

    def lines(self, display: str) -> list[str]:
        """The lines of a compiled file, split as the parser splits them."""
        found = self._lines.get(display)
        if found is None:
            found = self._lines[display] = lines_of(self.sources.get(display, ""))
        return found

    # -- declarations by name, across the project --

    def declarations(self, kind: type) -> Iterator[Any]:
        for tree in self.files.values():
            for decl in tree.declarations:
                if isinstance(decl, kind):
                    yield decl

    def declaration(self, kind: type, name: str) -> Any:
        return next((d for d in self.declarations(kind) if d.name.value == name), None)

    def names(self, kind: str) -> list[str]:
        return sorted({name for (k, name) in self.definitions if k == kind})

    # -- what is at a position --

    def symbol_at(self, display: str, line: int, column: int) -> tuple[str, str, Span] | None:
        """(kind, qualified name, span of the word) under a 1-based position."""

        def inside(s: Span) -> bool:
            return s.file == display and (s.line, s.column) <= (line, column) <= (s.end_line, s.end_column)

        # A cursor just after a word (column == end) still means that word.
        for use in self.events:
            if inside(use.moment_span):
                return (*use.key, use.moment_span)
        for ref in self.references:
            if inside(ref.span):
                return (ref.kind, ref.name, ref.span)
        for (kind, name), span in self.definitions.items():
            if inside(span):
                return (kind, name, span)
        return None

    def objective_at(self, display: str, line: int) -> tuple[str, str] | None:
        """(touchpoint, metric) of the `promise`/`target` line (or `updates` line) at a line."""
        from touchdsl.measure.history import objective_spans

        for (touchpoint, metric, _), span in objective_spans(
                {d: t for d, t in self.files.items() if d == display}).items():
            if span.line <= line <= span.end_line:
                return touchpoint, metric
        return None

    def definition_of(self, kind: str, name: str) -> Span | None:
        if kind == "event":
            touchpoint, step, _ = name.split(".", 2)
            return self.definitions.get(("step", f"{touchpoint}.{step}"))
        return self.definitions.get((kind, name))

    def references_of(self, kind: str, name: str) -> list[Span]:
        if kind == "event":
            return [u.moment_span for u in self.events if u.key == (kind, name)]
        return [r.span for r in self.references if r.kind == kind and r.name == name]


def _events_of(tree: ast.File) -> list[EventUse]:
    uses: list[EventUse] = []
    for decl in tree.declarations:
        if not isinstance(decl, ast.TouchpointDecl):
            continue
        tp = decl.name.value
        refs: list[ast.EventRef] = []
        for item in decl.items:
            if isinstance(item, ast.UpdatesLine) and item.until is not None:
                refs.append(item.until)
            elif isinstance(item, ast.MetricDecl):
                for m in item.items:
                    if isinstance(m, ast.MEASURES):
                        refs.extend(_measure_events(m))
                    elif isinstance(m, ast.PauseLine) and m.start is not None and m.end is not None:
                        refs.extend((m.start, m.end))
        for ref in refs:
            uses.append(EventUse(tp, ref.step.value, ref.moment.value, ref.step.span, ref.moment.span))
    return uses


# Events per parsed tree: the driver hands out the same tree for the same text, so
# after an edit only the edited file's events are collected again.
_EVENTS: dict[int, tuple[ast.File, list[EventUse]]] = {}


def _collect_events(files: Iterable[ast.File]) -> list[EventUse]:
    uses: list[EventUse] = []
    seen: dict[int, tuple[ast.File, list[EventUse]]] = {}
    for tree in files:
        found = _EVENTS.get(id(tree))
        if found is None or found[0] is not tree:
            found = (tree, _events_of(tree))
        seen[id(tree)] = found
        uses.extend(found[1])
    _EVENTS.clear()
    _EVENTS.update(seen)
    return uses


def _analysis(comp: Compilation) -> Analysis:
    symbols = comp.symbols
    return Analysis(
        root=comp.root,
        diagnostics=list(comp.diagnostics),
        files=dict(comp.files),
        sources=dict(comp.sources),
        definitions=dict(getattr(symbols, "definitions", {}) or {}),
        references=list(getattr(symbols, "references", []) or []),
        events=_collect_events(comp.files.values()),
        project=comp.project if comp.ok else None,
    )


# The server keeps each analysis until the next one. Its objects (a tree per file,
# the model, the symbol index) are long-lived and free of reference cycles; once
# the collector is back on, its next young-generation pass would walk all of them
# (a sixth of a re-analysis at 1k touchpoints). They are frozen out of its sight
# instead, as `touchdsl check` does; what they replace is freed by reference
# counting as usual. Cyclic garbage frozen along with them (the event loop makes
# some) is reclaimed by a full collection every FULL_COLLECTION_EVERY analyses.
FULL_COLLECTION_EVERY = 25
_since_full_collection = [0]


def _settle() -> None:
    _since_full_collection[0] += 1
    if _since_full_collection[0] >= FULL_COLLECTION_EVERY:
        _since_full_collection[0] = 0
        gc.unfreeze()
        gc.collect()
    gc.freeze()


def analyse(paths: list[str], overlay: dict[str, str] | None = None,
            cancelled: Callable[[], bool] | None = None) -> Analysis:
    """Compile the project made of `paths` (root folder first) with unsaved editor text laid over."""
    from touchdsl.compiler.driver import Compilation, compile_projects

    collecting = gc.isenabled()
    gc.disable()  # compile_projects pauses the collector too; here it stays paused until frozen, below
    try:
        # The first path is the project's root; projects inside it are analysed when one of
        # their files is opened (each is the root of its own analysis then).
        root = Path(paths[0]).resolve() if paths else Path(".").resolve()
        found = compile_projects(paths, overlay=overlay, cancelled=cancelled)
        comp = next((c for c in found if c.root == root), found[0] if found else Compilation(root, None, []))
        result = _analysis(comp)
        _settle()
    finally:
        if collecting:
            gc.enable()
    result.paths.update(comp.paths)
    result.displays.update((real, display) for display, real in comp.paths.items())
    for display in [d.span.file for d in result.diagnostics if d.span is not None]:
        if display not in result.paths:
            real = Path(os.path.abspath(display)).resolve()
            result.paths[display] = real
            result.displays.setdefault(real, display)
    return result


def analyse_document(text: str, display: str, uri: str) -> Analysis:
    """A document that is not a file on disk (unsaved, untitled): checked on its own."""
    from touchdsl.compiler.driver import compile_document

    result = _analysis(compile_document(text, display))
    result.uris[display] = uri
    return result


def _measure_events(measure: ast.Measure) -> list[ast.EventRef]:
    """The events a measure reads (a time metric's start and end)."""
    match measure:
        case ast.TimeMeasure():
            return [measure.start, measure.end]
        case ast.RatioMeasure() | ast.ScoreMeasure() | ast.NpsMeasure() | ast.CountMeasure():
            return []
        case _:
            assert_never(measure)
