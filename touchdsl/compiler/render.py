"""Render diagnostics for people (text) and for machines (JSON, SARIF, GitHub annotations)."""

from __future__ import annotations

import json
import unicodedata
from typing import Any, Callable, Iterable

from touchdsl.counting import counted
from touchdsl.diagnostics import HIDDEN, Diagnostic, Severity, Span, escape_char, visible

JSON_FORMAT_VERSION = 1


TAB = "    "  # a tab is shown as four spaces, in the line and under it
CONTEXT = 60  # characters of the line shown on each side of what the caret points at
MARKED = 80  # characters of a long span shown (and underlined) before it is cut


class _Lines:
    """Source lines as the parser counts them: split at `\\n` only (a form feed, a
    vertical tab or U+2028 inside a line is shown, not taken for a line break)."""

    def __init__(self, sources: dict[str, str]) -> None:
        self.sources = sources
        self.split: dict[str, list[str]] = {}

    def line(self, file: str, number: int) -> str | None:
        lines = self.split.get(file)
        if lines is None:
            text = self.sources.get(file)
            if text is None:
                return None
            lines = self.split[file] = text.split("\n")
        if 1 <= number <= len(lines):
            line = lines[number - 1]
            return line[:-1] if line.endswith("\r") else line
        return None


def _shown(ch: str) -> tuple[str, int]:
    """How one source character is drawn in an excerpt, and how many terminal columns it takes."""
    if ch == "\t":
        return TAB, len(TAB)
    if HIDDEN.match(ch):
        shown = escape_char(ch)
        return shown, len(shown)
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me"):
        return ch, 0
    return ch, 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _draw(text: str) -> tuple[str, int]:
    if text.isascii() and text.isprintable():
        return text, len(text)
    parts = [_shown(ch) for ch in text]
    return "".join(p for p, _ in parts), sum(w for _, w in parts)


def _excerpt(d: Diagnostic, lines: _Lines, style: Callable[[str, Diagnostic], str]) -> list[str]:
    span = d.span
    if span is None:
        return []
    line = lines.line(span.file, span.line)
    if line is None:
        return []
    # Columns count characters, not bytes; the caret row is drawn with the same
    # widths as the line (tabs, escapes of hidden characters, wide characters).
    start = min(max(span.column - 1, 0), len(line))
    stop = span.end_column - 1 if span.end_line == span.line else len(line)
    stop = min(max(stop, start + 1), len(line))
    cut = min(stop, start + MARKED)
    left = max(start - CONTEXT, 0)
    right = min(cut + CONTEXT, len(line))
    before, before_width = _draw(line[left:start])
    marked, marked_width = _draw(line[start:cut])
    after, _ = _draw(line[cut:right])
    lead = "…" if left > 0 else ""
    tail = "…" if right < len(line) else ""
    gutter = str(span.line)
    pad = " " * len(gutter)
    caret = style(" " * (len(lead) + before_width) + "^" * max(marked_width, 1), d)
    return [f" {gutter} | {lead}{before}{marked}{after}{tail}", f" {pad} | {caret}"]


def format_text(diagnostics: Iterable[Diagnostic], sources: dict[str, str], color: bool = False) -> str:
    """Diagnostics for people. User text is shown with its hidden characters escaped (`\\x1b`,
    `\\u{202E}`): nothing in a .touch file can drive the terminal or hide from the reader."""
    def style(text: str, d: Diagnostic) -> str:
        if not color:
            return text
        import click

        return click.style(text, fg="red" if d.is_error else "yellow", bold=True)

    lines = _Lines(sources)
    out: list[str] = []
    for d in diagnostics:
        where = f"{visible(d.span.file)}:{d.span.line}:{d.span.column}: " if d.span else ""
        label = style(f"{d.severity.value}[{d.code}]", d)
        out.append(f"{where}{label}: {visible(d.message)}")
        out.extend(_excerpt(d, lines, style))
        for h in d.help:
            out.append(f"  help: {visible(h)}")
        for r in d.related:
            out.append(f"  note: {visible(r.span.file)}:{r.span.line}:{r.span.column}: {visible(r.message)}")
        out.append("")
    return "\n".join(out)


def summary(diagnostics: list[Diagnostic], files: int, touchpoints: int | None, projects: int = 1) -> str:
    """The last line of `check`: `ok: 3 files, 2 touchpoints, no problems`; with several
    projects in one run, `… 7 files in 3 projects …`."""
    errors = sum(1 for d in diagnostics if d.is_error)
    warnings = len(diagnostics) - errors

    where = counted(files, "file") + (f" in {counted(projects, 'project')}" if projects > 1 else "")
    if errors or warnings:
        return f"{counted(errors, 'error')}, {counted(warnings, 'warning')} in {where}"
    tp = f", {counted(touchpoints, 'touchpoint')}" if touchpoints is not None else ""
    return f"ok: {where}{tp}, no problems"


def _d_json(d: Diagnostic) -> dict[str, Any]:
    s = d.span
    return {
        "code": d.code,
        "severity": d.severity.value,
        "message": d.message,
        "file": s.file if s else None,
        "line": s.line if s else None,
        "column": s.column if s else None,
        "endLine": s.end_line if s else None,
        "endColumn": s.end_column if s else None,
        "help": list(d.help),
        "related": [
            {"file": r.span.file, "line": r.span.line, "column": r.span.column, "message": r.message}
            for r in d.related
        ],
    }


def format_json(diagnostics: list[Diagnostic], files: list[str]) -> str:
    from touchdsl import __version__

    errors = sum(1 for d in diagnostics if d.is_error)
    doc = {
        "version": JSON_FORMAT_VERSION,
        "tool": {"name": "touchdsl", "version": __version__},
        "summary": {"errors": errors, "warnings": len(diagnostics) - errors, "files": len(files)},
        "files": files,
        "diagnostics": [_d_json(d) for d in diagnostics],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2)


def _uri(path: str) -> str:
    """A file as SARIF locates it. Diagnostics name files inside the working directory
    relatively (`touchdsl.compiler.sources.display_path`): those stay relative, and
    code scanning resolves them against the checkout; any other file is named by its
    absolute path, which becomes a `file:` URI."""
    import os
    from pathlib import Path
    from urllib.parse import quote

    if os.path.isabs(path):
        return Path(path).as_uri()
    # the file's own bytes, percent-encoded: also right for a name that is not UTF-8
    return quote(os.fsencode(path.replace("\\", "/")))


def _region(s: Span) -> dict[str, int]:
    return {"startLine": s.line, "startColumn": s.column, "endLine": s.end_line, "endColumn": s.end_column}


def format_sarif(diagnostics: list[Diagnostic]) -> str:
    """SARIF 2.1.0, as GitHub code scanning accepts it."""
    from touchdsl import __version__
    from touchdsl.compiler.codes import CATALOGUE

    used = sorted({d.code for d in diagnostics} | set(CATALOGUE))
    index = {code: i for i, code in enumerate(used)}
    rules = []
    for code in used:
        entry = CATALOGUE.get(code)
        rules.append({
            "id": code,
            "name": "".join(w.capitalize() for w in (entry.title if entry else code).split()),
            "shortDescription": {"text": entry.title if entry else code},
            "fullDescription": {"text": entry.explanation if entry else code},
            "help": {"text": f"{entry.explanation}\n\nRun `touchdsl explain {code}` for examples." if entry else code},
            "defaultConfiguration": {"level": "warning" if entry and entry.warning else "error"},
        })
    results = []
    for d in diagnostics:
        message = d.message + "".join(f"\nhelp: {h}" for h in d.help)
        result: dict[str, Any] = {
            "ruleId": d.code,
            "ruleIndex": index[d.code],
            "level": "error" if d.severity is Severity.ERROR else "warning",
            "message": {"text": message},
        }
        if d.span is not None:
            result["locations"] = [{
                "physicalLocation": {
                    "artifactLocation": {"uri": _uri(d.span.file)},
                    "region": _region(d.span),
                }
            }]
        if d.related:
            result["relatedLocations"] = [
                {
                    "id": i,
                    "message": {"text": r.message},
                    "physicalLocation": {"artifactLocation": {"uri": _uri(r.span.file)}, "region": _region(r.span)},
                }
                for i, r in enumerate(d.related)
            ]
        results.append(result)
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "touchdsl", "version": __version__, "semanticVersion": __version__,
                                "rules": rules}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2)


def _gh_escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def format_github(diagnostics: list[Diagnostic]) -> str:
    """GitHub Actions workflow commands: one annotation per diagnostic."""
    lines = []
    for d in diagnostics:
        level = "error" if d.is_error else "warning"
        props = [f"title={_gh_escape(d.code, True)}"]
        if d.span is not None:
            s = d.span
            props = [f"file={_gh_escape(visible(s.file), True)}", f"line={s.line}", f"col={s.column}"]
            if s.end_line != s.line:
                props.append(f"endLine={s.end_line}")
            else:
                # GitHub's endColumn is the last column of the annotation (it defaults to
                # col for one character); our spans end one past it, as SARIF's do.
                props.append(f"endColumn={max(s.end_column - 1, s.column)}")
            props.append(f"title={_gh_escape(d.code, True)}")
        message = visible(d.message + "".join(f"\nhelp: {h}" for h in d.help), keep_breaks=True)
        lines.append(f"::{level} {','.join(props)}::{_gh_escape(message)}")
    return "\n".join(lines)
