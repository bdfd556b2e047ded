"""Quick fixes: the name a diagnostic suggests, offered as a one-click edit."""

from __future__ import annotations

import re

from touchdsl.diagnostics import Diagnostic
from touchdsl.tools.lsp.analysis import Analysis

__all__ = ["quick_fix"]

_SUGGESTION = re.compile(r"^(?:did you mean|use) `([A-Za-z_][A-Za-z0-9_]*)`\??$")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def quick_fix(a: Analysis, d: Diagnostic) -> str | None:
    """The name a diagnostic suggests instead of the misspelt one it points at, if any."""
    if d.span is None or d.span.line != d.span.end_line:
        return None
    written = a.lines(d.span.file)[d.span.line - 1][d.span.column - 1:d.span.end_column - 1] \
        if d.span.line <= len(a.lines(d.span.file)) else ""
    if not _IDENTIFIER.fullmatch(written):
        return None
    for line in d.help:
        m = _SUGGESTION.match(line)
        if m and m.group(1) != written:
            return m.group(1)
    return None

