"""Compile a project: the one entry point of the command line, the language server,
fmt and diff. Sources are read and parsed once each, whatever imports them, so
import cycles are harmless; then names are resolved and every rule is checked.

The paths of one run may hold several projects (`touchdsl check examples`): a
folder whose files declare `project "…"` is a project root, and so is every path
named on the command line (one named inside another joins the wider). Each file
belongs to the nearest root above it; each project is checked on its own, with
its own defaults and names (`compile_projects`).

Parsed files are kept by content (`parse_source`): compiling again after one
file changed (the language server, on every edit) parses only that file.
"""

from __future__ import annotations

import gc
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from touchdsl.compiler.sources import (
    LossyText,
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

__all__ = ["Cancelled", "Compilation", "PathError", "compile_document", "compile_project", "compile_projects",
           "load", "parse_source", "project_root_of"]

_SYNTAX_CODES = frozenset({"TD001", "TD002", "TD004"})


class _ParseCache:
    """Parsed files by display path and text, least recently used dropped first.

    A tree is never changed after parsing, so one tree serves every compilation
    of the same text. Bounded by the characters held (the trees are about 30
    times larger than their text).
    """

    def __init__(self, max_chars: int = 32 * 1024 * 1024) -> None:
        self.max_chars = max_chars
        self.chars = 0
        self.entries: OrderedDict[tuple[str, str], tuple[ast.File, tuple[Diagnostic, ...]]] = OrderedDict()
        self.lock = threading.Lock()

    def parse(self, text: str, display: str) -> tuple[ast.File, list[Diagnostic]]:
        key = (display, text)
        with self.lock:
            found = self.entries.get(key)
            if found is not None:
                self.entries.move_to_end(key)
                return found[0], list(found[1])
        from touchdsl.language.parser import parse

        tree, diagnostics = parse(text, display)
        if len(text) <= self.max_chars // 4:
            with self.lock:
                if key not in self.entries:
                    self.entries[key] = (tree, tuple(diagnostics))
                    self.chars += len(text)
                while self.chars > self.max_chars and self.entries:
                    (_, old), _ = self.entries.popitem(last=False)
                    self.chars -= len(old)
        return tree, diagnostics

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.chars = 0


_CACHE = _ParseCache()


def parse_source(text: str, display: str) -> tuple[ast.File, list[Diagnostic]]:
    """Parse one file's text (shown as `display` in diagnostics), once per distinct text."""
    return _CACHE.parse(text, display)


@dataclass
class Compilation:
    """Everything one run learned: the model if the project is valid, else diagnostics."""

    root: Path
    project: Project | None
    diagnostics: list[Diagnostic]
    files: dict[str, ast.File] = field(default_factory=dict)  # display path -> tree
    sources: dict[str, str] = field(default_factory=dict)  # display path -> text
    symbols: object = None  # touchdsl.compiler.resolve.SymbolIndex
    paths: dict[str, Path] = field(default_factory=dict)  # display path -> resolved path of the file read

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)


class Cancelled(Exception):
    """The caller no longer wants this compilation (the language server: a newer edit came)."""


def compile_project(paths: list[str], overlay: dict[str, str] | None = None,
                    cancelled: Callable[[], bool] | None = None) -> Compilation:
    """Read, parse, resolve and check the one project the paths name.

    Raises PathError for missing paths, and when the paths hold more than one
    project (`compile_projects` checks several). `overlay` maps files (any
    spelling of their path) to text that replaces what is on disk (an editor's
    unsaved buffers). `cancelled` is asked between files and before the checks;
    when it says yes, `Cancelled` is raised.
    """
    found = compile_projects(paths, overlay, cancelled)
    if len(found) > 1:
        from touchdsl.compiler.sources import display_path

        names = ", ".join(display_path(c.root) for c in found)
        raise PathError(f"{', '.join(paths) or '.'} holds {len(found)} projects ({names}); name one of them")
    if found:
        return found[0]
    return Compilation(Path(paths[0] if paths else ".").resolve(), None, [])


def compile_projects(paths: list[str], overlay: dict[str, str] | None = None,
                     cancelled: Callable[[], bool] | None = None) -> list[Compilation]:
    """Every project the paths hold, each compiled on its own, ordered by root.

    See `compile_project` for `overlay` and `cancelled`; PathError for missing paths.
    """
    # A run builds millions of long-lived objects (tokens, AST nodes, spans, the
    # model) and no garbage cycles worth chasing; CPython's cyclic collector scans
    # them again and again, which cost a third of the time on 10k touchpoints and
    # grew faster than the project (see bench/README.md). Paused for the run only.
    collecting = gc.isenabled()
    gc.disable()
    try:
        overlay = {str(Path(k).resolve()): v for k, v in (overlay or {}).items()}
        projects, marked = _projects(discover(paths), overlay)
        return [_compile(projects[root], overlay, cancelled or _never, root, marked) for root in sorted(projects)]
    finally:
        if collecting:
            gc.enable()


def _declares_project(text: str, display: str) -> bool:
    if "project" not in text:  # nearly every file: no need to look at its tree
        return False
    tree, _ = parse_source(text, display)
    return any(isinstance(d, ast.ProjectDecl) for d in tree.declarations)


def project_root_of(path: Path, limit: Path) -> Path:
    """The root of the project a file belongs to: the nearest folder from the file's own up
    to `limit` whose files declare `project`, else `limit` (the language server's workspace)."""
    folder = path.parent
    while True:
        try:
            names = sorted(p for p in folder.iterdir() if p.suffix == ".touch")
        except OSError:
            names = []
        for name in names:
            try:
                text = name.read_text(encoding="utf-8")
            except (OSError, ValueError):
                continue
            if _declares_project(text, str(name)):
                return folder
        if folder == limit or limit not in folder.parents:
            return limit
        folder = folder.parent


def _projects(found: list[SourceFile], overlay: dict[str, str]) -> tuple[dict[Path, list[SourceFile]], set[Path]]:
    """The files found, by the root of the project each belongs to; and the folders
    found to hold a `project` declaration.

    What is read here is laid over the disk for the compilation (`overlay`), so
    every file is read once; a file that cannot be read is left to the
    compilation, which reports why.
    """
    scratch = DiagnosticSink()
    marked: set[Path] = set()
    for source in found:
        text = read_source(source, scratch, overlay)
        if text is None or isinstance(text, LossyText):
            continue
        overlay.setdefault(str(source.real), text)
        if _declares_project(text, source.display):
            marked.add(source.real.parent)
    roots = marked | {s.root for s in found}
    projects: dict[Path, list[SourceFile]] = {}
    for source in found:
        # The nearest root above the file; the root it was found under is always one.
        root = max((r for r in roots if within(source.real, r) and within(r, source.root)),
                   key=lambda r: len(r.parts), default=source.root)
        source.root = root
        projects.setdefault(root, []).append(source)
    return projects, marked


class _InnerProjects:
    """Which folder inside a project's root is the root of another project (its files
    declare `project`), asked of the folders an import passes through; each folder
    is looked at once per run."""

    def __init__(self, root: Path, marked: set[Path], overlay: dict[str, str]) -> None:
        self.root = root
        self.overlay = overlay
        self.known: dict[Path, bool] = {m: m != root for m in marked}
        self.known[root] = False

    def __call__(self, real: Path) -> Path | None:
        folder = real.parent
        chain: list[Path] = []
        while folder != self.root and within(folder, self.root):
            chain.append(folder)
            folder = folder.parent
        for folder in reversed(chain):  # the outermost inner project owns the file
            if self._marked(folder):
                return folder
        return None

    def _marked(self, folder: Path) -> bool:
        found = self.known.get(folder)
        if found is None:
            found = False
            scratch = DiagnosticSink()
            try:
                names = sorted(p for p in folder.iterdir() if p.suffix == ".touch")
            except OSError:
                names = []
            for path in names:
                source = SourceFile(str(path), path, self.root)
                text = read_source(source, scratch, self.overlay)
                if text is not None and not isinstance(text, LossyText) and _declares_project(text, str(path)):
                    found = True
                    break
            self.known[folder] = found
        return found


def _never() -> bool:
    return False


def _compile(queue: list[SourceFile], overlay: dict[str, str], cancelled: Callable[[], bool], root: Path,
             marked: set[Path]) -> Compilation:
    from touchdsl.compiler.checks import (
        check,  # deferred: keeps `touchdsl --version` light
    )
    from touchdsl.compiler.checks.hidden import check_source

    sink = DiagnosticSink()
    # Project roots inside this one: their files are another project's, never imported.
    inner = _InnerProjects(root, marked, overlay)
    seen = {s.real for s in queue}
    files: dict[str, ast.File] = {}
    sources: dict[str, str] = {}
    order: list[SourceFile] = []
    i = 0
    while i < len(queue):
        if cancelled():
            raise Cancelled()
        source = queue[i]
        i += 1
        text = read_source(source, sink, overlay)
        if text is None:
            continue
        tree, diags = parse_source(text, source.display)
        if isinstance(text, LossyText):
            # Not UTF-8 (reported): its tree, from a lossy decoding, still says
            # which names it declares and uses, so other files are not judged
            # against a hole. Syntax errors in the undecodable text would only be
            # noise until the file is converted.
            diags = [d for d in diags if d.code not in _SYNTAX_CODES]
        for d in diags:
            sink.add(d)
        check_source(text, tree, sink)  # hidden characters: a lexical check, per file
        files[source.display] = tree
        sources[source.display] = text
        order.append(source)
        for decl in tree.declarations:
            if isinstance(decl, ast.ImportDecl):
                imported = follow_import(source, decl, sink, inner)
                if imported is not None and imported.real not in seen:
                    seen.add(imported.real)
                    queue.append(imported)

    if cancelled():
        raise Cancelled()
    relative = {s.display: s.real.relative_to(root).as_posix() if within(s.real, root) else s.display
                for s in order}
    project, symbols = check(files, relative, sink)
    return Compilation(root, project, sink.sorted(), files, sources, symbols, {s.display: s.real for s in order})


def compile_document(text: str, display: str) -> Compilation:
    """Check one text that is not a file of a project (an editor's unsaved, untitled buffer).

    Its imports are not followed (it has no folder of its own); everything else
    is checked as `compile_project` checks a file.
    """
    from touchdsl.compiler.checks import check
    from touchdsl.compiler.checks.hidden import check_source

    sink = DiagnosticSink()
    tree, diags = parse_source(text, display)
    for d in diags:
        sink.add(d)
    check_source(text, tree, sink)
    project, symbols = check({display: tree}, {display: os.path.basename(display)}, sink)
    root = Path(os.path.dirname(os.path.abspath(display)))
    return Compilation(root, project, sink.sorted(), {display: tree}, {display: text}, symbols)


def load(paths: list[str] | str) -> Project:
    """Compile a project and return its validated model, or raise TouchError with every diagnostic."""
    from touchdsl.diagnostics import TouchError

    if isinstance(paths, (str, os.PathLike)):
        paths = [str(paths)]
    result = compile_project([str(p) for p in paths])
    if result.project is None or not result.ok:
        raise TouchError(result.diagnostics, result.sources)
    return result.project
