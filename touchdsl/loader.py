"""Read a project: find its files, decode them, parse them and follow imports.

The project root is the directory named on the command line (for a file, its
folder). Every file read must lie inside its root once symbolic links are
resolved; an import that leads outside (through `..` or a link) is refused.
Each file is read and parsed once, whatever imports it, so import cycles are
harmless.
"""

from __future__ import annotations

import difflib
import gc
import os
from dataclasses import dataclass, field
from pathlib import Path

from . import ast
from .diagnostics import Diagnostic, DiagnosticSink, Span
from .model import Project

MAX_FILE_BYTES = 64 * 1024 * 1024


class PathError(Exception):
    """A path named by the user does not exist or cannot be listed (a usage error, exit 2)."""


@dataclass
class SourceFile:
    display: str  # path shown in diagnostics, as the user would type it
    real: Path  # resolved absolute path: identity of the file
    root: Path  # resolved project root it belongs to
    text: str = ""


@dataclass
class Compilation:
    """Everything one run learned: the model if the project is valid, else diagnostics."""

    root: Path
    project: Project | None
    diagnostics: list[Diagnostic]
    files: dict[str, ast.File] = field(default_factory=dict)  # display path -> tree
    sources: dict[str, str] = field(default_factory=dict)  # display path -> text
    symbols: object = None  # touchdsl.resolve.SymbolIndex

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)


def _display(path: Path) -> str:
    """Relative to the working directory when that is shorter, as users type paths."""
    text = os.path.normpath(str(path))
    try:
        rel = os.path.relpath(text)
    except ValueError:  # another drive on Windows
        return text
    return rel if not rel.startswith(".." + os.sep + "..") else text


def _within(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def discover(paths: list[str]) -> list[SourceFile]:
    """The `.touch` files named or found below the given paths, in a stable order."""
    found: dict[Path, SourceFile] = {}
    for raw in paths or ["."]:
        given = Path(raw)
        if not given.exists():
            raise PathError(f"{raw}: no such file or directory")
        if given.is_dir():
            root = given.resolve()
            for dirpath, dirnames, filenames in os.walk(given, followlinks=False):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for name in sorted(filenames):
                    if not name.endswith(".touch"):
                        continue
                    p = Path(dirpath) / name
                    real = p.resolve()
                    if real not in found:
                        found[real] = SourceFile(_display(p), real, root)
        else:
            real = given.resolve()
            if real not in found:
                found[real] = SourceFile(_display(given), real, given.absolute().parent.resolve())
    # `check main.touch sub/` names two roots, one inside the other: a file under
    # both belongs to the wider one, so its imports may reach what that root holds.
    roots = {s.root for s in found.values()}
    for source in found.values():
        wider = [r for r in roots if _within(source.real, r) and _within(source.root, r)]
        source.root = min(wider, key=lambda r: len(r.parts), default=source.root)
    return list(found.values())


def _read(source: SourceFile, sink: DiagnosticSink, overlay: dict[str, str]) -> str | None:
    key = str(source.real)
    if key in overlay:
        return overlay[key]
    if not _within(source.real, source.root):
        sink.error("TD101", f"`{source.display}` is a link that leads outside the project root",
                   Span.point(source.display, 1, 1),
                   help=[f"the project root is {_display(source.root)}; copy the file into it"])
        return None
    try:
        if source.real.is_dir():
            sink.error("TD005", f"`{source.display}` is a directory, not a .touch file",
                       Span.point(source.display, 1, 1))
            return None
        if not source.real.is_file():
            # a device or a pipe (`check /dev/zero`) would be read forever or block
            sink.error("TD005", f"`{source.display}` is not a regular file", Span.point(source.display, 1, 1))
            return None
        with source.real.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            sink.error("TD005", f"`{source.display}` is over {MAX_FILE_BYTES // (1024 * 1024)} MB; touch files "
                       f"are at most {MAX_FILE_BYTES // (1024 * 1024)} MB", Span.point(source.display, 1, 1))
            return None
    except OSError as exc:
        sink.error("TD005", f"cannot read `{source.display}`: {exc.strerror or exc}",
                   Span.point(source.display, 1, 1))
        return None
    if b"\x00" in data[:8192]:
        sink.error("TD005", f"`{source.display}` is a binary file, not UTF-8 text",
                   Span.point(source.display, 1, 1), help=["touch files are UTF-8 text"])
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before[before.rfind(b"\n") + 1:].decode("utf-8", "replace")) + 1
        sink.error("TD005", f"`{source.display}` is not valid UTF-8 (byte 0x{data[exc.start]:02x})",
                   Span.point(source.display, line, col),
                   help=["save the file as UTF-8; Hebrew and other scripts are welcome in UTF-8"])
        return None
    return text[1:] if text.startswith("\ufeff") else text


def _follow_import(importer: SourceFile, decl: ast.ImportDecl, sink: DiagnosticSink) -> SourceFile | None:
    written = decl.path.value
    span = decl.path.span
    if not written or os.path.isabs(written) or written.startswith("~"):
        sink.error("TD101", f"import `{written}` is not a path relative to this file", span,
                   help=["write the path relative to the importing file, inside the project root"])
        return None
    target = importer.real.parent / written
    real = target.resolve()
    if not _within(real, importer.root):
        how = "through a symbolic link" if _within(Path(os.path.normpath(target)), importer.root) else "through `..`"
        sink.error("TD101", f"import `{written}` leads outside the project root {how}", span,
                   help=[f"the project root is {_display(importer.root)}; imports stay inside it"])
        return None
    if not real.is_file():
        helps = []
        folder = real.parent
        if folder.is_dir():
            names = sorted(p.name for p in folder.iterdir() if p.suffix == ".touch")
            close = difflib.get_close_matches(real.name, names, n=1)
            if close:
                helps.append(f"did you mean `{os.path.join(os.path.dirname(written), close[0])}`?")
        what = "is a directory" if real.is_dir() else "does not exist"
        sink.error("TD102", f"imported file `{written}` {what}", span, help=helps)
        return None
    display = _display(Path(os.path.dirname(importer.display) or ".") / written)
    return SourceFile(display, real, importer.root)


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
    from .checks import check  # deferred: keeps `touchdsl --version` light
    from .parser import parse

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
        text = _read(source, sink, overlay)
        if text is None:
            continue
        tree, diags = parse(text, source.display)
        for d in diags:
            sink.add(d)
        files[source.display] = tree
        sources[source.display] = text
        order.append(source)
        for decl in tree.declarations:
            if isinstance(decl, ast.ImportDecl):
                imported = _follow_import(source, decl, sink)
                if imported is not None and imported.real not in seen:
                    seen.add(imported.real)
                    queue.append(imported)

    roots = sorted({s.root for s in queue}) or [Path(".").resolve()]
    root = Path(os.path.commonpath([str(r) for r in roots]))
    relative = {s.display: s.real.relative_to(root).as_posix() if _within(s.real, root) else s.display
                for s in order}
    project, symbols = check(files, relative, sink)
    return Compilation(root, project, sink.sorted(), files, sources, symbols)


def load(paths: list[str] | str) -> Project:
    """Compile a project and return its validated model, or raise TouchError with every diagnostic."""
    from .diagnostics import TouchError

    if isinstance(paths, (str, os.PathLike)):
        paths = [str(paths)]
    result = compile_project([str(p) for p in paths])
    if result.project is None or not result.ok:
        raise TouchError(result.diagnostics, result.sources)
    return result.project
