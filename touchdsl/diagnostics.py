"""Diagnostics: what every stage reports to the user, with code and position.

A diagnostic carries its code (from `touchdsl.compiler.codes`), the span it is about, a
message in plain words, optional `help:` lines and related places (the other
declaration of a duplicate, say). Rendering to text/JSON/SARIF lives in
`touchdsl.compiler.render`; this module only holds the data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


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

    def sort_key(self) -> tuple:
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
        seen: set = set()
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
