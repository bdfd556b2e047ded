"""Diagnostics: what every stage reports to the user, with code and position.

A diagnostic carries its code (from `touchdsl.compiler.codes`), the span it is about, a
message in plain words, optional `help:` lines and related places (the other
declaration of a duplicate, say). Rendering to text/JSON/SARIF lives in
`touchdsl.compiler.render`; this module only holds the data.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import Enum

# Characters a terminal would obey instead of showing (escape sequences, bells,
# carriage returns) and characters that reorder or hide text (bidirectional controls,
# zero-width characters, tag characters: Trojan Source, CVE-2021-42574). Text from a
# .touch file that reaches people in a diagnostic shows them as escapes instead.
HIDDEN = re.compile(
    "[\x00-\x08\x0a-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u180e\u200b-\u200f"
    "\u202a-\u202e\u2028\u2029\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff"
    "\U000e0000-\U000e007f]")
# The ones that change what text says without being seen: reported in names and texts.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff\xad\u180e")


def escape_char(ch: str) -> str:
    """How one hidden character is shown: `\\x1b` for control characters, `\\u{202E}` for others
    (the second is also how a .touch string writes it)."""
    code = ord(ch)
    if ch == "\n":
        return "\\n"
    if ch == "\r":
        return "\\r"
    if ch == "\t":
        return "\\t"
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return f"\\x{code:02x}"
    return f"\\u{{{code:04X}}}"


def visible(text: str, keep_breaks: bool = False) -> str:
    """The text with every hidden character shown as an escape; tabs are kept, and line
    breaks too with `keep_breaks` (for formats that encode them, as GitHub's does)."""
    if text.isascii() and text.isprintable():
        return text
    if keep_breaks:
        return HIDDEN.sub(lambda m: m.group() if m.group() in "\r\n" else escape_char(m.group()), text)
    return HIDDEN.sub(lambda m: escape_char(m.group()), text)


def visible_char(ch: str) -> str:
    """`U+202E (RIGHT-TO-LEFT OVERRIDE)`: a character named for a person."""
    name = unicodedata.name(ch, "")
    if not name and ord(ch) < 0x20:
        name = "control character"
    return f"U+{ord(ch):04X}" + (f" ({name})" if name else "")


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True, slots=True)
class Span:
    """A range in a file; lines and columns are 1-based, `end_*` exclusive of nothing (inclusive end col)."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def point(cls, file: str, line: int, column: int, length: int = 1) -> "Span":
        return cls(file, line, column, line, column + max(length, 1))


@dataclass(frozen=True)
class Related:
    span: Span
    message: str


@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    span: Span | None
    severity: Severity = Severity.ERROR
    help: tuple[str, ...] = ()
    related: tuple[Related, ...] = ()

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple[str, int, int, str, str]:
        if self.span is None:
            return ("", 0, 0, self.code, self.message)
        return (self.span.file, self.span.line, self.span.column, self.code, self.message)


@dataclass
class DiagnosticSink:
    """Collects diagnostics across stages so one run reports everything it can find."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(self, diagnostic: Diagnostic) -> None:
        self.items.append(diagnostic)

    def error(self, code: str, message: str, span: Span | None, *, help: tuple[str, ...] | list[str] = (),
              related: tuple[Related, ...] | list[Related] = ()) -> None:
        self.items.append(Diagnostic(code, message, span, Severity.ERROR, tuple(help), tuple(related)))

    def warning(self, code: str, message: str, span: Span | None, *, help: tuple[str, ...] | list[str] = (),
                related: tuple[Related, ...] | list[Related] = ()) -> None:
        self.items.append(Diagnostic(code, message, span, Severity.WARNING, tuple(help), tuple(related)))

    @property
    def has_errors(self) -> bool:
        return any(d.is_error for d in self.items)

    def sorted(self) -> list[Diagnostic]:
        seen: set[tuple[str, str, Span | None]] = set()
        out = []
        for d in sorted(self.items, key=Diagnostic.sort_key):
            key = (d.code, d.message, d.span)
            if key not in seen:
                seen.add(key)
                out.append(d)
        return out


class TouchError(Exception):
    """Raised by `touchdsl.load` when a project has errors; carries every diagnostic of the run."""

    def __init__(self, diagnostics: list[Diagnostic], sources: dict[str, str] | None = None):
        self.diagnostics = diagnostics
        self.sources = sources or {}
        errors = [d for d in diagnostics if d.is_error]
        first = errors[0] if errors else (diagnostics[0] if diagnostics else None)
        summary = f"{len(errors)} error(s)"
        if first is not None:
            where = f"{first.span.file}:{first.span.line}:{first.span.column}: " if first.span else ""
            summary += f"; first: {where}{first.code}: {first.message}"
        super().__init__(summary)
