"""Where a project's text comes from: find its files, read and decode them, follow imports.

The project root is the directory named on the command line (for a file, its
folder). Every file read must lie inside its root once symbolic links are
resolved; an import that leads outside (through `..` or a link) is refused.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from pathlib import Path

from touchdsl.diagnostics import DiagnosticSink, Span
from touchdsl.language import ast

MAX_FILE_BYTES = 64 * 1024 * 1024


class PathError(Exception):
    """A path named by the user does not exist or cannot be listed (a usage error, exit 2)."""


@dataclass
class SourceFile:
    display: str  # path shown in diagnostics, as the user would type it
    real: Path  # resolved absolute path: identity of the file
    root: Path  # resolved project root it belongs to
    text: str = ""


def display_path(path: Path) -> str:
    """How diagnostics name a file: relative to the working directory when the file
    lies inside it (as users type paths: `examples/telecom/support.touch`), else its
    absolute path. Never `../…`: such a name changes with where the command ran, and
    a SARIF location must be either relative to the checkout or an absolute URI
    (`touchdsl.compiler.render` turns absolute paths into `file:` URIs)."""
    absolute = os.path.abspath(os.path.normpath(str(path)))
    try:
        rel = os.path.relpath(absolute)
    except ValueError:  # another drive on Windows
        return absolute
    if rel == os.pardir or rel.startswith(os.pardir + os.sep):
        return absolute
    return rel


def within(path: Path, root: Path) -> bool:
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
                        found[real] = SourceFile(display_path(p), real, root)
        else:
            real = given.resolve()
            if real not in found:
                found[real] = SourceFile(display_path(given), real, given.absolute().parent.resolve())
    # `check main.touch sub/` names two roots, one inside the other: a file under
    # both belongs to the wider one, so its imports may reach what that root holds.
    roots = {s.root for s in found.values()}
    for source in found.values():
        wider = [r for r in roots if within(source.real, r) and within(source.root, r)]
        source.root = min(wider, key=lambda r: len(r.parts), default=source.root)
    return list(found.values())


def read_source(source: SourceFile, sink: DiagnosticSink, overlay: dict[str, str]) -> str | None:
    key = str(source.real)
    if key in overlay:
        return overlay[key]
    if not within(source.real, source.root):
        sink.error("TD101", f"`{source.display}` is a link that leads outside the project root",
                   Span.point(source.display, 1, 1),
                   help=[f"the project root is {display_path(source.root)}; copy the file into it"])
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
                   Span.point(source.display, line, col), help=conversion_help(data, source.display))
        # Still read (lossily) for the names it declares: see LossyText.
        text = LossyText(data.decode("utf-8", "replace"))
    return text[1:] if text.startswith("\ufeff") else text


class LossyText(str):
    """The text of a file that is not UTF-8 (already reported), undecodable bytes replaced.

    The compiler reads it only to learn the names the file declares and uses, so
    that the rest of the project is not judged against a hole ("unknown owner"
    for every owner of an unreadable file).
    """

    __slots__ = ()


def conversion_help(data: bytes, display: str) -> list[str]:
    """How to turn the file into UTF-8, naming the encoding it most likely is in."""
    import shlex

    high = [b for b in data if b >= 0x80]
    if high and sum(0xE0 <= b <= 0xFA for b in high) >= len(high) * 0.6:
        encoding, what = "WINDOWS-1255", "Windows-1255 (Hebrew)"
    else:
        encoding, what = "WINDOWS-1252", "Windows-1252 (Western European)"
    quoted, converted = shlex.quote(display), shlex.quote(display + ".utf8")
    return [f"it looks like {what}; convert it to UTF-8 with "
            f"`iconv -f {encoding} -t UTF-8 {quoted} > {converted} && mv {converted} {quoted}`",
            "save touch files as UTF-8; Hebrew and other scripts are welcome in UTF-8"]


def follow_import(importer: SourceFile, decl: ast.ImportDecl, sink: DiagnosticSink) -> SourceFile | None:
    written = decl.path.value
    span = decl.path.span
    if not written or os.path.isabs(written) or written.startswith("~"):
        sink.error("TD101", f"import `{written}` is not a path relative to this file", span,
                   help=["write the path relative to the importing file, inside the project root"])
        return None
    target = importer.real.parent / written
    real = target.resolve()
    if not within(real, importer.root):
        how = "through a symbolic link" if within(Path(os.path.normpath(target)), importer.root) else "through `..`"
        sink.error("TD101", f"import `{written}` leads outside the project root {how}", span,
                   help=[f"the project root is {display_path(importer.root)}; imports stay inside it"])
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
    display = display_path(Path(os.path.dirname(importer.display) or ".") / written)
    return SourceFile(display, real, importer.root)
