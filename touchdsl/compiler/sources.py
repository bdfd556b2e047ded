"""Where a project's text comes from: find its files, read and decode them, follow imports.

The project root is the directory named on the command line (for a file, its
folder). Every file read must lie inside its root once symbolic links are
resolved; an import that leads outside (through `..` or a link) is refused.
"""

from __future__ import annotations

import difflib
import os
import stat
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from touchdsl.diagnostics import DiagnosticSink, Span, visible_char
from touchdsl.language import ast

MAX_FILE_BYTES = 64 * 1024 * 1024
NAME_MAX = 255  # bytes in one file or folder name, on every common file system
PATH_MAX = 4096  # bytes in a whole path (Linux)

# What the file system can raise about a path a user wrote: OSError (too long, a link
# loop, no permission), ValueError (a NUL character), RuntimeError (Path.resolve()
# on a link loop, Python < 3.13).
FS_ERRORS = (OSError, ValueError, RuntimeError)


class PathError(Exception):
    """A path named by the user does not exist or cannot be listed (a usage error, exit 2)."""


@dataclass
class SourceFile:
    display: str  # path shown in diagnostics, as the user would type it
    real: Path  # resolved absolute path: identity of the file
    root: Path  # resolved project root it belongs to
    text: str = ""


def _why(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror[0].lower() + exc.strerror[1:]
    if isinstance(exc, RuntimeError):
        return "a symbolic link leads back to itself"
    return str(exc)


def resolve(path: Path) -> Path:
    """The real absolute path; a link loop or an impossible name raises OSError."""
    try:
        return path.resolve()
    except RuntimeError:  # a link loop (Python < 3.13; later versions raise OSError)
        import errno

        raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), str(path)) from None


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


def undecodable(path: str) -> bool:
    """A name with bytes that are not UTF-8 (Python carries them as lone surrogates)."""
    return any("\udc80" <= ch <= "\udcff" for ch in path)


def shown_name(path: str) -> str:
    """A path as text that can be printed and written anywhere: undecodable bytes as `\\xff`."""
    if not undecodable(path):
        return path
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def within(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def discover(paths: list[str]) -> list[SourceFile]:
    """The `.touch` files named or found below the given paths, in a stable order."""
    found: dict[Path, SourceFile] = {}
    for raw in paths or ["."]:
        given = Path(raw)
        try:
            exists = os.path.lexists(given)
            is_dir = given.is_dir()
            root = resolve(given if is_dir else given.absolute().parent)
        except FS_ERRORS as exc:
            raise PathError(f"{shown_name(raw)}: {_why(exc)}") from None
        if not exists:
            raise PathError(f"{shown_name(raw)}: no such file or directory")
        if is_dir:
            for dirpath, dirnames, filenames in os.walk(given, followlinks=False):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for name in sorted(filenames):
                    if not name.endswith(".touch"):
                        continue
                    p = Path(dirpath) / name
                    _add(found, p, root)
        else:
            _add(found, given, root)
    # `check main.touch sub/` names two roots, one inside the other: a file under
    # both belongs to the wider one, so its imports may reach what that root holds.
    roots = {s.root for s in found.values()}
    for source in found.values():
        wider = [r for r in roots if within(source.real, r) and within(source.root, r)]
        source.root = min(wider, key=lambda r: len(r.parts), default=source.root)
    return list(found.values())


def _add(found: dict[Path, SourceFile], path: Path, root: Path) -> None:
    try:
        real = resolve(path)
    except OSError:
        # a link loop: not resolved, and read_source says why it cannot be read
        real = Path(os.path.abspath(path))
    if real not in found:
        found[real] = SourceFile(display_path(path), real, root)


def load_bytes(source: SourceFile, sink: DiagnosticSink) -> bytes | None:
    """The file's bytes, or None with a TD101/TD005 diagnostic saying why not."""
    at = Span.point(shown_name(source.display), 1, 1)
    if undecodable(source.display):
        sink.error("TD005", f"the file name `{shown_name(source.display)}` is not UTF-8", at,
                   help=["rename the file (or the folders above it) with UTF-8 characters: file names appear "
                         "in the outputs, which are UTF-8 text"])
        return None
    if not within(source.real, source.root):
        sink.error("TD101", f"`{source.display}` is a link that leads outside the project root", at,
                   help=[f"the project root is {display_path(source.root)}; copy the file into it"])
        return None
    try:
        mode = os.stat(source.real).st_mode
        if stat.S_ISDIR(mode):
            sink.error("TD005", f"`{source.display}` is a directory, not a .touch file", at)
            return None
        if not stat.S_ISREG(mode):
            # a device or a pipe (`check /dev/zero`) would be read forever or block
            sink.error("TD005", f"`{source.display}` is not a regular file", at)
            return None
        with source.real.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except FS_ERRORS as exc:
        sink.error("TD005", f"cannot read `{source.display}`: {_why(exc)}", at)
        return None
    if len(data) > MAX_FILE_BYTES:
        sink.error("TD005", f"`{source.display}` is over {MAX_FILE_BYTES // (1024 * 1024)} MB; touch files "
                   f"are at most {MAX_FILE_BYTES // (1024 * 1024)} MB", at)
        return None
    return data


def _position(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of a byte offset, counting lines as the parser does."""
    before = data[:offset]
    line = before.count(b"\n") + 1
    return line, len(before[before.rfind(b"\n") + 1:].decode("utf-8", "replace")) + 1


def decode(data: bytes, display: str, sink: DiagnosticSink) -> str | None:
    """UTF-8 text (a leading BOM kept), or None with TD005 pointing at the first bad byte."""
    nul = data.find(b"\x00")
    if 0 <= nul < 8192:
        sink.error("TD005", f"`{display}` is a binary file, not UTF-8 text", Span.point(display, 1, 1),
                   help=["touch files are UTF-8 text"])
        return None
    if nul >= 0:  # a NUL deep in a text file: not text either, and worth pointing at
        line, col = _position(data, nul)
        sink.error("TD005", f"`{display}` holds a NUL byte (0x00), so it is not text",
                   Span.point(display, line, col), help=["touch files are UTF-8 text; remove the NUL byte"])
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _position(data, exc.start)
        sink.error("TD005", f"`{display}` is not valid UTF-8 (byte 0x{data[exc.start]:02x})",
                   Span.point(display, line, col), help=conversion_help(data, display))
        return None


def read_source(source: SourceFile, sink: DiagnosticSink, overlay: dict[str, str]) -> str | None:
    key = str(source.real)
    if key in overlay:
        return overlay[key]
    data = load_bytes(source, sink)
    if data is None:
        return None
    text = decode(data, source.display, sink)
    if text is None:
        if b"\x00" in data:
            return None  # binary: nothing to learn from it
        # Not UTF-8 (reported): still read, lossily, for the names it declares (see LossyText).
        lossy = data.decode("utf-8", "replace")
        return LossyText(lossy[1:] if lossy.startswith("\ufeff") else lossy)
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


def _bad_import_name(written: str) -> str | None:
    """Why the written import cannot be a file name at all, before asking the file system."""
    for ch in written:
        if ch == "\x00" or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
            return f"it contains the invisible character {visible_char(ch)}"
    if len(written.encode("utf-8")) > PATH_MAX:
        return f"it is longer than {PATH_MAX} bytes"
    for part in written.replace("\\", "/").split("/"):
        if len(part.encode("utf-8")) > NAME_MAX:
            return f"a name in it is longer than {NAME_MAX} bytes"
    return None


def follow_import(importer: SourceFile, decl: ast.ImportDecl, sink: DiagnosticSink,
                  other_project: Callable[[Path], Path | None] | None = None) -> SourceFile | None:
    """The file an import names, or None after reporting why it cannot be read.

    `other_project` tells the root of another project inside the importer's root
    that holds a file (None if none does): such a file belongs to that project,
    and is not imported.
    """
    written = decl.path.value
    span = decl.path.span
    if not written or os.path.isabs(written) or written.startswith("~"):
        sink.error("TD101", f"import `{written}` is not a path relative to this file", span,
                   help=["write the path relative to the importing file, inside the project root"])
        return None
    why = _bad_import_name(written)
    if why is not None:
        sink.error("TD103", f"import `{written}` is not a file name: {why}", span,
                   help=["write the path of a .touch file relative to this one, e.g. `shared/owners.touch`"])
        return None
    target = importer.real.parent / written
    try:
        real = resolve(target)
        if not within(real, importer.root):
            how = ("through a symbolic link" if within(Path(os.path.normpath(target)), importer.root)
                   else "through `..`")
            sink.error("TD101", f"import `{written}` leads outside the project root {how}", span,
                       help=[f"the project root is {display_path(importer.root)}; imports stay inside it"])
            return None
        if not real.is_file():
            helps = []
            folder = real.parent
            if folder.is_dir():
                names = sorted(p.name for p in folder.iterdir() if p.suffix == ".touch" and not undecodable(p.name))
                close = difflib.get_close_matches(real.name, names, n=1)
                if close:
                    helps.append(f"did you mean `{os.path.join(os.path.dirname(written), close[0])}`?")
            what = "is a directory" if real.is_dir() else "does not exist"
            sink.error("TD102", f"imported file `{written}` {what}", span, help=helps)
            return None
        other = other_project(real) if other_project is not None else None
        if other is not None:
            sink.error("TD106", f"import `{written}` leads into another project ({display_path(other)})", span,
                       help=["a folder whose files declare `project` is a project of its own, checked apart with "
                             "its own defaults; declare what both need in each, or remove the inner `project` "
                             "to make its folder part of this project"])
            return None
    except FS_ERRORS as exc:
        sink.error("TD102", f"cannot open the imported file `{written}`: {_why(exc)}", span)
        return None
    display = display_path(Path(os.path.dirname(importer.display) or ".") / written)
    return SourceFile(display, real, importer.root)
