"""Compile a project: the one entry point of the command line, the language server,
fmt and diff. Sources are read and parsed once each, whatever imports them, so
import cycles are harmless; then names are resolved and every rule is checked.
"""

from __future__ import annotations

import gc
import os
from dataclasses import dataclass, field
from pathlib import Path

from touchdsl.compiler.sources import (
    PathError,
    SourceFile,
    discover,
    follow_import,
    read_source,
    within,
)
from touchdsl.diagnostics import Diagnostic, DiagnosticSink
from touchdsl.language import ast
from touchdsl.model import Project

__all__ = ["Compilation", "PathError", "compile_project", "load"]


@dataclass
class Compilation:
    """Everything one run learned: the model if the project is valid, else diagnostics."""

    root: Path
    project: Project | None
    diagnostics: list[Diagnostic]
    files: dict[str, ast.File] = field(default_factory=dict)  # display path -> tree
    sources: dict[str, str] = field(default_factory=dict)  # display path -> text
    symbols: object = None  # touchdsl.compiler.resolve.SymbolIndex

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)


def compile_project(paths: list[str], overlay: dict[str, str] | None = None) -> Compilation:
    """Read, parse, resolve and check a project. Raises PathError for missing paths only."""
    # A run builds millions of long-lived objects (tokens, AST nodes, spans, the
    # model) and no garbage cycles worth chasing; CPython's cyclic collector scans
    # them again and again, which cost a third of the time on 10k touchpoints and
    # grew faster than the project (see bench/README.md). Paused for the run only.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _compile(paths, overlay)
    finally:
        if collecting:
            gc.enable()


def _compile(paths: list[str], overlay: dict[str, str] | None) -> Compilation:
    from touchdsl.compiler.checks import (
        check,  # deferred: keeps `touchdsl --version` light
    )
    from touchdsl.compiler.checks.hidden import check_source
    from touchdsl.language.parser import parse

    overlay = {str(Path(k).resolve()): v for k, v in (overlay or {}).items()}
    sink = DiagnosticSink()
    queue = discover(paths)
    seen = {s.real for s in queue}
    files: dict[str, ast.File] = {}
    sources: dict[str, str] = {}
    order: list[SourceFile] = []
    i = 0
    while i < len(queue):
        source = queue[i]
        i += 1
        text = read_source(source, sink, overlay)
        if text is None:
            continue
        tree, diags = parse(text, source.display)
        for d in diags:
            sink.add(d)
        check_source(text, tree, sink)  # hidden characters: a lexical check, per file
        files[source.display] = tree
        sources[source.display] = text
        order.append(source)
        for decl in tree.declarations:
            if isinstance(decl, ast.ImportDecl):
                imported = follow_import(source, decl, sink)
                if imported is not None and imported.real not in seen:
                    seen.add(imported.real)
                    queue.append(imported)

    roots = sorted({s.root for s in queue}) or [Path(".").resolve()]
    root = Path(os.path.commonpath([str(r) for r in roots]))
    relative = {s.display: s.real.relative_to(root).as_posix() if within(s.real, root) else s.display
                for s in order}
    project, symbols = check(files, relative, sink)
    return Compilation(root, project, sink.sorted(), files, sources, symbols)


def load(paths: list[str] | str) -> Project:
    """Compile a project and return its validated model, or raise TouchError with every diagnostic."""
    from touchdsl.diagnostics import TouchError

    if isinstance(paths, (str, os.PathLike)):
        paths = [str(paths)]
    result = compile_project([str(p) for p in paths])
    if result.project is None or not result.ok:
        raise TouchError(result.diagnostics, result.sources)
    return result.project
