"""`touchdsl lsp`: the language server editors talk to over stdio (pygls).

Every feature reads one `Analysis` per project: the same compilation that
`touchdsl check` runs (`touchdsl.compiler.driver.compile_project`), with the unsaved
text of open editors laid over the files on disk. A project is the folder of
the nearest workspace folder that contains the document (or the document's own
folder outside any workspace), exactly what `touchdsl check FOLDER` compiles.

Positions: the compiler counts 1-based lines and columns in characters (code
points); LSP counts 0-based lines and, by default, UTF-16 code units. Every
conversion goes through the position codec pygls negotiated with the client.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, assert_never

import click
from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace import TextDocument

from touchdsl import __version__
from touchdsl.diagnostics import Diagnostic, Severity, Span
from touchdsl.documents.escape import md_text
from touchdsl.language import ast
from touchdsl.model import CHANNELS, RECEIVER_KINDS, WEEKDAYS

log = logging.getLogger(__name__)

SOURCE = "touchdsl"

# Edits arriving closer together than this are checked once, after the last one.
# Requests (hover, completion...) check pending edits first, so they never see stale text.
DEBOUNCE_SECONDS = 0.15

# ---- the vocabulary completion offers -----------------------------------------------------

BLOCK_KEYWORDS: dict[str | None, tuple[str, ...]] = {
    None: ("import", "calendar", "owner", "journey", "defaults", "touchpoint"),
    "calendar": ("timezone", "hours", "holidays", "closed", "note", "tags"),
    "owner": ("manager", "notify", "page", "note", "tags"),
    "journey": ("stage", "note", "tags"),
    "defaults": ("window", "charter"),
    "touchpoint": ("journey", "owner", "expectation", "channels", "step", "metric", "updates", "escalate",
                   "note", "tags"),
    "metric": ("time", "ratio", "score", "nps", "count", "promise", "target", "window", "source", "note", "tags"),
    "source": ("good", "total"),
}

KEYWORD_HELP = {
    "import": "import another file of the project (path relative to this file)",
    "calendar": "a business-hours clock: timezone, hours, holidays, closed dates",
    "owner": "a unit accountable for touchpoints, with its manager and alert receivers",
    "journey": "a customer journey and its stages",
    "defaults": "project-wide defaults: window, charter language",
    "touchpoint": "a moment the customer meets the company: expectation, steps, metrics, one owner",
    "timezone": "IANA time zone of the calendar, e.g. \"Asia/Jerusalem\"",
    "hours": "opening hours: `hours sun-thu 08:00-18:00`",
    "holidays": "public holidays of a country (ISO 3166 code): `holidays \"IL\"`",
    "closed": "extra closed dates: `closed 2026-09-21`",
    "manager": "the accountable manager: `manager \"Name\" <email>`",
    "notify": "where warnings and tickets go: `notify email \"team@example.com\"`",
    "page": "where urgent alerts go: `page pagerduty \"service-key\"`",
    "stage": "a stage of the journey: `stage support \"Getting help\"`",
    "window": "rolling window of the objectives: `window 28d`",
    "charter": "charter settings: `charter language \"he\"`",
    "expectation": "what the customer expects, in the customer's words",
    "channels": "channels the customer uses: " + ", ".join(CHANNELS),
    "step": "a step, in order: `step name \"Title\" by OWNER via CHANNEL`",
    "metric": "a metric with its promise (published) and target (internal)",
    "updates": "how often the customer is updated: `updates every 4h via sms until step.end`",
    "escalate": "who is told: `escalate to manager on breach`",
    "note": "free text shown in the policy document",
    "tags": "labels: `tags \"a\", \"b\"`",
    "time": "elapsed time: `time from step.start to step.end [on CALENDAR]`",
    "ratio": "share of cases: `ratio abandoned of offered`",
    "score": "survey answers on a scale: `score 1..5`",
    "nps": "net promoter score from 0..10 answers",
    "count": "volume: `count complaints per 7d`",
    "promise": "the objective published to customers",
    "target": "the internal objective alerts use (as strict as the promise or stricter)",
    "source": "your own queries: `source prometheus { good \"...\" total \"...\" }`",
    "by": "the unit that performs the step (any declared owner; it does not make that unit accountable)",
    "via": "the channel through which the customer meets this step or gets updates",
    "until": "the event after which updates stop",
    "within": "the time limit of a `time` objective: `80% within 30s`",
    "average": "the mean answer of a `score` metric: `average at least 4.3`",
    "good": "the query counting good events",
    "total": "the query counting all events",
}

_DAY_WORDS = {"sun": "Sun", "mon": "Mon", "tue": "Tue", "wed": "Wed", "thu": "Thu", "fri": "Fri", "sat": "Sat"}


# ---- plain words for hovers ---------------------------------------------------------------


def duration_words(text: str) -> str:
    """`30s` -> `30 seconds`, `1d` -> `1 day`, as the English documents write them."""
    from touchdsl.documents.wording import Words
    from touchdsl.model import Duration

    try:
        return Words("en").duration(Duration.parse(text)).plain()
    except ValueError:  # not (yet) a duration: show it as typed
        return text


def _words(name: str) -> str:
    return name.replace("_", " ")


def _percent(p: ast.Percent | None) -> str:
    return p.text if p is not None else "?"


def _number(n: ast.Number | None, p: ast.Percent | None = None) -> str:
    if p is not None:
        return p.text
    return n.text if n is not None else "?"


def objective_words(measure: ast.Measure | None, objective: ast.ObjectiveLit) -> str:
    """An objective as a sentence a customer or manager reads, for the metric's kind."""
    form = objective.form
    match measure:
        case ast.TimeMeasure():
            return _within_words(objective, measure.calendar)
        case ast.RatioMeasure() | ast.ScoreMeasure() | ast.NpsMeasure() | ast.CountMeasure() | None if form == "within":
            return _within_words(objective, None)
        case ast.RatioMeasure():
            bound = "at most" if form == "at_most" else "at least"
            share = _number(objective.number, objective.percent)
            return f"{bound} {share} of {_words(measure.denominator.value)} are {_words(measure.numerator.value)}"
        case ast.ScoreMeasure():
            scale = f"{measure.low.text}..{measure.high.text}"
            if form == "average_at_least":
                return f"an average answer of at least {_number(objective.number)} on the {scale} scale"
            if form == "share_at_least":
                return (f"{_percent(objective.percent)} of answers are {_number(objective.number)} or better "
                        f"on the {scale} scale")
        case ast.NpsMeasure():
            bound = "at most" if form == "at_most" else "at least"
            return f"a net promoter score of {bound} {_number(objective.number, objective.percent)}"
        case ast.CountMeasure():
            bound = "at most" if form == "at_most" else "at least"
            return (f"{bound} {_number(objective.number, objective.percent)} {_words(measure.event.value)} "
                    f"per {duration_words(measure.per.text)}")
        case None:
            pass
        case _:
            assert_never(measure)
    words = {"at_most": "at most", "at_least": "at least", "average_at_least": "average at least",
             "share_at_least": "at least"}.get(form, form)
    return f"{words} {_number(objective.number, objective.percent)}"


def _within_words(objective: ast.ObjectiveLit, calendar: ast.Name | None) -> str:
    within = duration_words(objective.within.text) if objective.within else "?"
    clock = f" of business hours (`{calendar.value}`)" if calendar is not None else ""
    return f"{_percent(objective.percent)} of cases within {within}{clock}"


def md(text: str) -> str:
    """User text made literal in Markdown (titles may contain `*`, `<`, `#`...), lines kept."""
    return md_text(text, line_breaks=True)


# ---- the analysis of one project ----------------------------------------------------------


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
    references: list  # touchdsl.compiler.resolve.Reference
    paths: dict[str, Path] = field(default_factory=dict)  # display -> resolved absolute path
    uris: dict[str, str] = field(default_factory=dict)  # display -> URI, for documents that are not files
    displays: dict[Path, str] = field(default_factory=dict)
    events: list[EventUse] = field(default_factory=list)

    def lines(self, display: str) -> list[str]:
        return self.sources.get(display, "").split("\n")

    # -- declarations by name, across the project --

    def declarations(self, kind: type) -> Iterable:
        for tree in self.files.values():
            for decl in tree.declarations:
                if isinstance(decl, kind):
                    yield decl

    def declaration(self, kind: type, name: str):
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

    def definition_of(self, kind: str, name: str) -> Span | None:
        if kind == "event":
            touchpoint, step, _ = name.split(".", 2)
            return self.definitions.get(("step", f"{touchpoint}.{step}"))
        return self.definitions.get((kind, name))

    def references_of(self, kind: str, name: str) -> list[Span]:
        if kind == "event":
            return [u.moment_span for u in self.events if u.key == (kind, name)]
        return [r.span for r in self.references if r.kind == kind and r.name == name]


def _collect_events(files: dict[str, ast.File]) -> list[EventUse]:
    uses: list[EventUse] = []
    for tree in files.values():
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
            for ref in refs:
                uses.append(EventUse(tp, ref.step.value, ref.moment.value, ref.step.span, ref.moment.span))
    return uses


def analyse(paths: list[str], overlay: dict[str, str] | None = None) -> Analysis:
    """Compile the project made of `paths` (root folder first) with unsaved editor text laid over."""
    from touchdsl.compiler.driver import compile_project

    comp = compile_project(paths, overlay=overlay)
    symbols = comp.symbols
    result = Analysis(
        root=comp.root,
        diagnostics=list(comp.diagnostics),
        files=dict(comp.files),
        sources=dict(comp.sources),
        definitions=dict(getattr(symbols, "definitions", {}) or {}),
        references=list(getattr(symbols, "references", []) or []),
    )
    for display in list(comp.sources) + [d.span.file for d in comp.diagnostics if d.span is not None]:
        if display not in result.paths:
            real = Path(os.path.abspath(display)).resolve()
            result.paths[display] = real
            result.displays.setdefault(real, display)
    result.events = _collect_events(result.files)
    return result


def analyse_text(text: str, display: str) -> Analysis:
    """A document that is not a file on disk (unsaved, untitled): checked on its own."""
    from touchdsl.compiler.checks import check
    from touchdsl.diagnostics import DiagnosticSink
    from touchdsl.language.parser import parse

    sink = DiagnosticSink()
    tree, diags = parse(text, display)
    for d in diags:
        sink.add(d)
    _, symbols = check({display: tree}, {display: os.path.basename(display)}, sink)
    return Analysis(
        root=Path(os.path.dirname(os.path.abspath(display))),
        diagnostics=sink.sorted(),
        files={display: tree},
        sources={display: text},
        definitions=dict(getattr(symbols, "definitions", {}) or {}),
        references=list(getattr(symbols, "references", []) or []),
        events=_collect_events({display: tree}),
    )


# ---- hovers -------------------------------------------------------------------------------


def _items(decl, kind: type) -> list:
    return [i for i in getattr(decl, "items", ()) if isinstance(i, kind)]


def _first(decl, kind: type):
    found = _items(decl, kind)
    return found[0] if found else None


def hover_markdown(analysis: Analysis, kind: str, name: str) -> str | None:
    """What a person wants to know about a name when pointing at it."""
    if kind == "owner":
        decl = analysis.declaration(ast.OwnerDecl, name)
        if decl is None:
            return None
        out = [f"**owner** `{name}` — {md(decl.title.value)}"]
        manager = _first(decl, ast.ManagerLine)
        if manager is not None:
            out.append(f"Manager: {md(manager.name.value)} ({md(manager.email.value)})")
        else:
            out.append("Manager: not declared")
        for line in _items(decl, ast.ReceiverLine):
            what = "warnings" if line.level == "notify" else "urgent pages"
            out.append(f"{line.level.capitalize()} ({what}): {line.kind.value} {md(line.target.value)}")
        accountable = [tp for tp in analysis.declarations(ast.TouchpointDecl)
                       if any(r.owner.value == name for r in _items(tp, ast.OwnerRef))]
        if accountable:
            listed = ", ".join(f"`{tp.name.value}` ({md(tp.title.value)})" for tp in accountable)
            out.append(f"Accountable for: {listed}")
        return "\n\n".join(out)
    if kind == "calendar":
        decl = analysis.declaration(ast.CalendarDecl, name)
        if decl is None:
            return None
        out = [f"**calendar** `{name}` — {md(decl.title.value)}"]
        tz = _first(decl, ast.Timezone)
        if tz is not None:
            out.append(f"Time zone: {md(tz.value.value)}")
        hours = []
        for line in _items(decl, ast.HoursLine):
            days = ", ".join(
                _DAY_WORDS.get(r.first.value, r.first.value)
                + (f"–{_DAY_WORDS.get(r.last.value, r.last.value)}" if r.last is not None else "")
                for r in line.days)
            hours.append(f"- {days} {line.start.value}–{line.end.value}")
        out.append("Hours:\n" + "\n".join(hours) if hours else "Hours: none declared")
        countries = [t.value for line in _items(decl, ast.Holidays) for t in line.countries]
        if countries:
            out.append("Closed on public holidays of: " + ", ".join(md(c) for c in countries))
        dates = [d.value for line in _items(decl, ast.Closed) for d in line.dates]
        if dates:
            out.append("Also closed: " + ", ".join(dates))
        return "\n\n".join(out)
    if kind == "journey":
        decl = analysis.declaration(ast.JourneyDecl, name)
        if decl is None:
            return None
        stages = "\n".join(f"- `{s.name.value}` {md(s.title.value)}" for s in _items(decl, ast.StageDecl))
        return f"**journey** `{name}` — {md(decl.title.value)}" + (f"\n\nStages:\n{stages}" if stages else "")
    if kind == "stage":
        journey, stage = name.split(".", 1)
        decl = analysis.declaration(ast.JourneyDecl, journey)
        found = next((s for s in _items(decl, ast.StageDecl) if s.name.value == stage), None) if decl else None
        if found is None:
            return None
        return f"**stage** `{stage}` of journey `{journey}` — {md(found.title.value)}"
    if kind == "touchpoint":
        decl = analysis.declaration(ast.TouchpointDecl, name)
        if decl is None:
            return None
        out = [f"**touchpoint** `{name}` — {md(decl.title.value)}"]
        owner = _first(decl, ast.OwnerRef)
        if owner is not None:
            out.append(f"Owner: `{owner.owner.value}`")
        expectation = _first(decl, ast.Expectation)
        if expectation is not None:
            out.append(f"Expectation: “{md(expectation.text.value)}”")
        return "\n\n".join(out)
    if kind in ("step", "event"):
        parts = name.split(".")
        touchpoint, step = parts[0], parts[1]
        decl = analysis.declaration(ast.TouchpointDecl, touchpoint)
        steps = _items(decl, ast.StepDecl) if decl else []
        found = next((s for s in steps if s.name.value == step), None)
        if found is None:
            return None
        head = f"**step** `{step}` ({steps.index(found) + 1} of {len(steps)}) — {md(found.title.value)}"
        if kind == "event":
            head = f"**event** `{step}.{parts[2]}` — a moment of step `{step}`\n\n" + head
        out = [head]
        if found.by:
            out.append(f"Performed by: `{found.by[0].value}`")
        if found.via:
            out.append(f"Via: {found.via[0].value}")
        return "\n\n".join(out)
    if kind == "metric":
        touchpoint, metric = name.split(".", 1)
        decl = analysis.declaration(ast.TouchpointDecl, touchpoint)
        found = next((m for m in _items(decl, ast.MetricDecl) if m.name.value == metric), None) if decl else None
        if found is None:
            return None
        return metric_markdown(analysis, touchpoint, found)
    return None


def _measure_words(measure: ast.Measure | None) -> str:
    match measure:
        case ast.TimeMeasure():
            clock = f", business hours of `{measure.calendar.value}`" if measure.calendar is not None else ""
            return f"time from `{measure.start}` to `{measure.end}`{clock}"
        case ast.RatioMeasure():
            return f"share of `{measure.numerator.value}` among `{measure.denominator.value}`"
        case ast.ScoreMeasure():
            return f"survey score on {measure.low.text}..{measure.high.text}"
        case ast.NpsMeasure():
            return "net promoter score (answers 0..10)"
        case ast.CountMeasure():
            return f"count of `{measure.event.value}` per {duration_words(measure.per.text)}"
        case None:
            return "no measure written yet"
        case _:
            assert_never(measure)


def _measure_events(measure: ast.Measure) -> list[ast.EventRef]:
    match measure:
        case ast.TimeMeasure():
            return [measure.start, measure.end]
        case ast.RatioMeasure() | ast.ScoreMeasure() | ast.NpsMeasure() | ast.CountMeasure():
            return []
        case _:
            assert_never(measure)


def metric_markdown(analysis: Analysis, touchpoint: str, metric: ast.MetricDecl) -> str:
    measure = next((i for i in metric.items if isinstance(i, ast.MEASURES)), None)
    out = [f"**metric** `{metric.name.value}` — {md(metric.title.value)}", _measure_words(measure)]
    lines = {line.role: line for line in _items(metric, ast.ObjectiveLine)}
    promise = lines.get("promise")
    target = lines.get("target")
    bullets = []
    if promise is not None:
        bullets.append(f"- **Promise** (published to customers): {objective_words(measure, promise.objective)}")
    else:
        bullets.append("- **Promise**: missing — every metric needs one")
    if target is not None:
        bullets.append(f"- **Target** (internal, alerts use it): {objective_words(measure, target.objective)}")
    elif promise is not None:
        bullets.append("- **Target** (internal): same as the promise")
    window = _first(metric, ast.Window)
    if window is not None:
        bullets.append(f"- Window: {duration_words(window.duration.text)}, rolling")
    else:
        default = next((w for d in analysis.declarations(ast.DefaultsDecl) for w in _items(d, ast.Window)), None)
        text = default.duration.text if default is not None else "28d"
        bullets.append(f"- Window: {duration_words(text)}, rolling (project default)")
    out.append("\n".join(bullets))
    return "\n\n".join(out)


# ---- quick fixes ---------------------------------------------------------------------------

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


# ---- document outline ---------------------------------------------------------------------


_SYMBOL_KINDS = {
    ast.ImportDecl: types.SymbolKind.File,
    ast.CalendarDecl: types.SymbolKind.Object,
    ast.OwnerDecl: types.SymbolKind.Class,
    ast.JourneyDecl: types.SymbolKind.Module,
    ast.DefaultsDecl: types.SymbolKind.Package,
    ast.TouchpointDecl: types.SymbolKind.Struct,
    ast.StageDecl: types.SymbolKind.EnumMember,
    ast.StepDecl: types.SymbolKind.Function,
    ast.MetricDecl: types.SymbolKind.Property,
}


# ---- completion context -------------------------------------------------------------------

_SCAN = re.compile(
    r'(?P<triple>"""(?:[^"\\]|\\.|"(?!""))*(?:"""|\Z))'
    r'|(?P<string>"(?:[^"\\\n]|\\.)*"?)'
    r"|(?P<comment>#[^\n]*)"
    r"|(?P<open>\{)|(?P<close>\})|(?P<newline>\n)"
    r"|(?P<word>[A-Za-z0-9_.:%\-]+)"
    r"|(?P<punct>,)"
    r"|(?P<other>\S)",
    re.S,
)


_CLOSED = {
    "string": re.compile(r'"(?:[^"\\\n]|\\.)*"'),
    "triple": re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""', re.S),
}


@dataclass
class CompletionContext:
    blocks: list[tuple[str, str | None]]  # enclosing blocks, outermost first: (keyword, name)
    words: list[str]  # the statement's words before the one being typed
    prefix: str  # the word being typed (may be empty)
    in_string_or_comment: bool = False

    @property
    def block(self) -> str | None:
        return self.blocks[-1][0] if self.blocks else None

    def enclosing(self, keyword: str) -> str | None:
        return next((name for kw, name in reversed(self.blocks) if kw == keyword), None)


def completion_context(text_before: str) -> CompletionContext:
    """Where the cursor is: in which blocks, after which words of the statement."""
    blocks: list[tuple[str, str | None]] = []
    words: list[str] = []
    last_kind = None
    last_end = 0
    last_match = None
    for m in _SCAN.finditer(text_before):
        kind = m.lastgroup
        last_kind, last_end, last_match = kind, m.end(), m
        if kind == "open":
            blocks.append((words[0] if words else "", words[1] if len(words) > 1 else None))
            words = []
        elif kind == "close":
            if blocks:
                blocks.pop()
            words = []
        elif kind == "newline":
            words = []
        elif kind == "word":
            words.append(m.group())
        elif kind == "punct":
            words.append(",")
        elif kind == "string":
            words.append('""')
        elif kind == "triple":
            words.append('""')
    in_text = False
    if last_end == len(text_before) and last_kind in ("comment", "string", "triple"):
        literal = text_before[last_match.start():]
        in_text = last_kind == "comment" or not _CLOSED[last_kind].fullmatch(literal)
    prefix = ""
    if last_kind == "word" and last_end == len(text_before) and words:
        typed = words.pop()
        # `report.` or `report.st`: the prefix is what follows the last dot.
        if "." in typed:
            head, _, tail = typed.rpartition(".")
            words.append(head)
            words.append(".")
            prefix = tail
        else:
            prefix = typed
    return CompletionContext(blocks, words, prefix, in_text)


def _item(label: str, kind: types.CompletionItemKind, detail: str | None = None,
          documentation: str | None = None, rank: int = 5, order: int | None = None) -> types.CompletionItem:
    return types.CompletionItem(
        label=label, kind=kind, detail=detail,
        documentation=types.MarkupContent(kind=types.MarkupKind.Markdown, value=documentation)
        if documentation else None,
        # Declaration order where it means something (steps, stages), else by name.
        sort_text=f"{rank}{order:05d}" if order is not None else f"{rank}{label}",
    )


def completion_items(analysis: Analysis | None, display: str | None, text_before: str) -> list[types.CompletionItem]:
    """What may be written at the cursor: keywords of the block, channels, names in scope."""
    ctx = completion_context(text_before)
    if ctx.in_string_or_comment:
        return []
    a = analysis
    K = types.CompletionItemKind

    def keywords(*names: str) -> list[types.CompletionItem]:
        return [_item(n, K.Keyword, documentation=KEYWORD_HELP.get(n), rank=1) for n in names]

    def titled(kind: str, ast_kind: type, item_kind) -> list[types.CompletionItem]:
        if a is None:
            return []
        out = []
        for name in a.names(kind):
            decl = a.declaration(ast_kind, name)
            out.append(_item(name, item_kind, detail=decl.title.value if decl else None, rank=2))
        return out

    def owners() -> list[types.CompletionItem]:
        items = titled("owner", ast.OwnerDecl, K.Class)
        if a is not None:
            for item in items:
                decl = a.declaration(ast.OwnerDecl, item.label)
                manager = _first(decl, ast.ManagerLine) if decl else None
                if manager is not None:
                    item.documentation = types.MarkupContent(kind=types.MarkupKind.Markdown,
                                                             value=f"Manager: {md(manager.name.value)}")
        return items

    def channels(exclude: Iterable[str] = ()) -> list[types.CompletionItem]:
        return [_item(c, K.EnumMember, detail="channel", rank=2) for c in CHANNELS if c not in exclude]

    def steps() -> list[types.CompletionItem]:
        tp = ctx.enclosing("touchpoint")
        return [_item(s, K.Function, detail=title, rank=2, order=i)
                for i, (s, title) in enumerate(_steps_of(a, display, tp, text_before))]

    def moments(step: str) -> list[types.CompletionItem]:
        tp = ctx.enclosing("touchpoint")
        named = sorted({u.moment for u in (a.events if a else []) if u.touchpoint == tp and u.step == step}
                       - {"start", "end"})
        out = [_item("start", K.Event, detail=f"when `{step}` starts", rank=1),
               _item("end", K.Event, detail=f"when `{step}` ends", rank=1)]
        out += [_item(m, K.Event, detail=f"a named moment of `{step}`", rank=3) for m in named]
        return out

    words = ctx.words
    first = words[0] if words else None
    last = words[-1] if words else None
    block = ctx.block

    if last == "." and len(words) >= 2:
        head = words[-2]
        if first == "journey" and block == "touchpoint":
            if a is None:
                return []
            journey = a.declaration(ast.JourneyDecl, head)
            return [_item(st.name.value, K.Field, detail=st.title.value, rank=2, order=i)
                    for i, st in enumerate(_items(journey, ast.StageDecl))] if journey else []
        return moments(head)
    if not words:
        return keywords(*BLOCK_KEYWORDS.get(block, ()))
    if first == "owner" and block == "touchpoint" and len(words) == 1:
        return owners()
    if first == "journey" and block == "touchpoint" and len(words) == 1:
        return titled("journey", ast.JourneyDecl, K.Module)
    if first == "channels":
        if last == "channels" or last == ",":
            return channels(exclude=words)
        return []
    if first == "step" and block == "touchpoint":
        if last == "by":
            return owners()
        if last == "via":
            return channels()
        if len(words) >= 3:
            return keywords(*[k for k in ("by", "via") if k not in words])
        return []
    if first in ("notify", "page") and len(words) == 1:
        return [_item(r, K.EnumMember, detail="receiver", rank=2) for r in RECEIVER_KINDS]
    if first == "escalate":
        if len(words) == 1:
            return keywords("to")
        if last == "to":
            return [_item("manager", K.Keyword, detail="the owner's manager", rank=1)] + owners()
        if len(words) == 3:
            return keywords("on")
        if last in ("on", ","):
            return [_item(c, K.EnumMember, detail="when", rank=2) for c in ("breach", "risk") if c not in words]
        return []
    if first == "updates":
        if len(words) == 1:
            return keywords("every")
        if last == "via":
            return channels()
        if last == "until":
            return steps()
        if len(words) == 3:
            return keywords("via")
        if len(words) == 5:
            return keywords("until")
        return []
    if first == "time" and block == "metric":
        if len(words) == 1:
            return keywords("from")
        if last in ("from", "to"):
            return steps()
        if last == "on":
            return titled("calendar", ast.CalendarDecl, K.Constant)
        if words[-2:-1] == ["."] or (last and "." in last):
            return keywords("on") if "to" in words else keywords("to")
        return []
    if first == "hours" and block == "calendar":
        return [_item(d, K.EnumMember, detail="weekday", rank=2) for d in WEEKDAYS]
    if first in ("promise", "target") and block == "metric":
        if len(words) == 1:
            return keywords("at", "average")
        if last == "at":
            return keywords("least", "most")
        if last == "average":
            return keywords("at")
        if last and last.endswith("%") and len(words) == 2:
            return keywords("within", "at")
        return []
    if first == "ratio" and len(words) == 2:
        return keywords("of")
    if first == "count" and len(words) == 2:
        return keywords("per")
    if first == "source" and len(words) == 1:
        return [_item("prometheus", K.Module, rank=2)]
    if first == "charter" and block == "defaults" and len(words) == 1:
        return [_item("language", K.Property, detail="\"he\" or \"en\"", rank=2)]
    return []


_STEP_LINE = re.compile(r'^[ \t]*step[ \t]+([A-Za-z_][A-Za-z0-9_]*)[ \t]*("(?:[^"\\\n]|\\.)*")?', re.M)


def _steps_of(a: Analysis | None, display: str | None, touchpoint: str | None,
              text_before: str) -> list[tuple[str, str | None]]:
    """Steps of the touchpoint around the cursor: from the tree, else from the text being typed."""
    if a is not None and touchpoint:
        decl = next((d for d in a.declarations(ast.TouchpointDecl)
                     if d.name.value == touchpoint and (display is None or d.span.file == display)), None)
        if decl is not None:
            found = [(s.name.value, s.title.value) for s in _items(decl, ast.StepDecl)]
            if found:
                return found
    # The tree may have lost a block being edited; read the steps written so far.
    start = text_before.rfind("touchpoint")
    return [(m.group(1), None) for m in _STEP_LINE.finditer(text_before[max(start, 0):])]


# ---- the server ---------------------------------------------------------------------------


class TouchServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(SOURCE, __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.analyses: dict[Path, Analysis] = {}
        # URIs that currently show diagnostics, per project root, so fixed files get cleared.
        self.published: dict[Path, set[str]] = {}
        self._pending: dict[str, asyncio.TimerHandle] = {}

    # -- paths and positions --

    def project_root(self, path: Path) -> Path:
        """The nearest workspace folder containing the file, else the file's folder."""
        roots: list[Path] = []
        try:
            folders = self.workspace.folders
            if self.workspace.root_path:
                roots.append(Path(self.workspace.root_path).resolve())
            for folder in folders.values():
                fs = to_fs_path(folder.uri)
                if fs:
                    roots.append(Path(fs).resolve())
        except RuntimeError:  # no workspace before initialize
            pass
        containing = [r for r in roots if r == path.parent or r in path.parents]
        if containing:
            return max(containing, key=lambda r: len(r.parts))
        return path.parent

    def uri_for(self, path: Path) -> str:
        for uri in self.workspace.text_documents:
            fs = to_fs_path(uri)
            if fs and Path(fs).resolve() == path:
                return uri
        return from_fs_path(str(path)) or path.as_uri()

    def span_range(self, a: Analysis, span: Span) -> types.Range:
        lines = a.lines(span.file)
        codec = self.workspace.position_codec

        def position(line: int, column: int) -> types.Position:
            row = max(line - 1, 0)
            char = max(column - 1, 0)
            if row < len(lines):
                return codec.position_to_client_units(lines, types.Position(line=row, character=char))
            return types.Position(line=row, character=char)

        return types.Range(start=position(span.line, span.column), end=position(span.end_line, span.end_column))

    def display_uri(self, a: Analysis, display: str) -> str:
        if display in a.uris:
            return a.uris[display]
        return self.uri_for(a.paths.get(display) or Path(os.path.abspath(display)).resolve())

    def location(self, a: Analysis, span: Span) -> types.Location:
        return types.Location(uri=self.display_uri(a, span.file), range=self.span_range(a, span))

    # -- analysis --

    def _document_path(self, uri: str) -> Path | None:
        fs = to_fs_path(uri)
        return Path(fs).resolve() if fs else None

    def analysis_for(self, uri: str) -> tuple[Analysis | None, str | None]:
        """The analysis that covers a document, and the document's display path in it."""
        path = self._document_path(uri)
        for a in self.analyses.values():
            if path is not None and path in a.displays:
                return a, a.displays[path]
        key = Path(f"<{uri}>")
        a = self.analyses.get(key)
        if a is not None:
            return a, next(iter(a.sources), None)
        return None, None

    def refresh(self, uri: str) -> Analysis | None:
        """Re-check the project of a document and publish every file's diagnostics."""
        path = self._document_path(uri)
        document = self.workspace.get_text_document(uri)
        try:
            if path is None or not path.is_file():
                display = to_fs_path(uri) or uri
                a = analyse_text(document.source, display)
                key = Path(f"<{uri}>")
                a.uris[display] = uri
            else:
                key = self.project_root(path)
                overlay = {}
                for open_uri, doc in self.workspace.text_documents.items():
                    fs = to_fs_path(open_uri)
                    if fs and Path(fs).resolve().is_file():
                        real = Path(fs).resolve()
                        if real == key or key in real.parents:
                            overlay[str(real)] = doc.source
                paths = [str(key)]
                if not (key in path.parents):
                    paths.append(str(path))
                a = analyse(paths, overlay)
        except Exception as exc:  # noqa: BLE001 - an editor must never lose its server to one bad file
            log.exception("touchdsl: analysis failed")
            self.window_log_message(types.LogMessageParams(
                type=types.MessageType.Error, message=f"touchdsl: could not check {uri}: {exc!r}"))
            return None
        self.analyses[key] = a
        self.publish(key, a, uri)
        return a

    def schedule(self, uri: str) -> None:
        """Check a document's project soon, once per burst of keystrokes."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not inside the server's loop (direct calls): check now
            self.refresh(uri)
            return
        old = self._pending.pop(uri, None)
        if old is not None:
            old.cancel()
        self._pending[uri] = loop.call_later(DEBOUNCE_SECONDS, self._run_pending, uri)

    def _run_pending(self, uri: str) -> None:
        self._pending.pop(uri, None)
        if uri in self.workspace.text_documents:
            self.refresh(uri)

    def flush(self) -> None:
        """Check every edit still waiting, before answering a request."""
        for uri in list(self._pending):
            handle = self._pending.pop(uri)
            handle.cancel()
            if uri in self.workspace.text_documents:
                self.refresh(uri)

    def cancel(self, uri: str) -> None:
        handle = self._pending.pop(uri, None)
        if handle is not None:
            handle.cancel()

    def refresh_root(self, root: Path) -> None:
        open_uris = [u for u in self.workspace.text_documents
                     if (p := self._document_path(u)) is not None and (p == root or root in p.parents)]
        if open_uris:
            self.refresh(open_uris[0])
            return
        try:
            a = analyse([str(root)])
        except Exception:  # noqa: BLE001
            log.exception("touchdsl: analysis failed")
            return
        self.analyses[root] = a
        self.publish(root, a, None)

    def publish(self, key: Path, a: Analysis, trigger_uri: str | None) -> None:
        by_uri: dict[str, list[types.Diagnostic]] = {}
        for display in a.sources:
            by_uri.setdefault(self.display_uri(a, display), [])
        for d in a.diagnostics:
            if d.span is not None:
                uri = self.display_uri(a, d.span.file)
            elif trigger_uri is not None:
                uri = trigger_uri
            else:
                continue
            by_uri.setdefault(uri, []).append(self.to_lsp(a, d))
        for uri in self.published.get(key, set()) - set(by_uri):
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        for uri, diags in sorted(by_uri.items()):
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=diags))
        self.published[key] = {u for u, diags in by_uri.items() if diags}

    def to_lsp(self, a: Analysis, d: Diagnostic) -> types.Diagnostic:
        if d.span is not None:
            rng = self.span_range(a, d.span)
        else:
            rng = types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0))
        message = d.message + "".join(f"\nhelp: {h}" for h in d.help)
        related = [types.DiagnosticRelatedInformation(location=self.location(a, r.span), message=r.message)
                   for r in d.related if r.span is not None]
        fix = quick_fix(a, d)
        return types.Diagnostic(
            range=rng,
            message=message,
            severity=types.DiagnosticSeverity.Error if d.severity is Severity.ERROR
            else types.DiagnosticSeverity.Warning,
            code=d.code,
            source=SOURCE,
            related_information=related or None,
            # The client hands this back with a code-action request.
            data={"replace": fix} if fix is not None else None,
        )

    # -- positions from the client --

    def cursor(self, uri: str, position: types.Position) -> tuple[Analysis | None, str | None, int, int]:
        """The analysis, display path and 1-based (line, column) of a client position."""
        self.flush()
        a, display = self.analysis_for(uri)
        if a is None:
            a = self.refresh(uri)
            a, display = self.analysis_for(uri)
        document = self.workspace.get_text_document(uri)
        server = self.workspace.position_codec.position_from_client_units(document.lines, position)
        return a, display, server.line + 1, server.character + 1

    def text_before(self, document: TextDocument, position: types.Position) -> str:
        lines = document.lines
        server = self.workspace.position_codec.position_from_client_units(lines, position)
        before = "".join(lines[: server.line])
        if server.line < len(lines):
            before += lines[server.line][: server.character]
        return before


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def keyword_hover(document: TextDocument, position: types.Position, ls: TouchServer) -> types.Hover | None:
    """What a keyword means, for someone reading a file written by another team."""
    lines = document.lines
    server = ls.workspace.position_codec.position_from_client_units(lines, position)
    if server.line >= len(lines):
        return None
    line = lines[server.line]
    if completion_context(ls.text_before(document, position)).in_string_or_comment:
        return None
    for m in _WORD.finditer(line):
        if m.start() <= server.character <= m.end() and m.group() in KEYWORD_HELP:
            codec = ls.workspace.position_codec
            rng = types.Range(
                start=codec.position_to_client_units(lines, types.Position(line=server.line, character=m.start())),
                end=codec.position_to_client_units(lines, types.Position(line=server.line, character=m.end())))
            return types.Hover(contents=types.MarkupContent(
                kind=types.MarkupKind.Markdown, value=f"**{m.group()}** — {KEYWORD_HELP[m.group()]}"), range=rng)
    return None


def _formatter() -> Callable[[str, str], tuple[str | None, list[Diagnostic]]] | None:
    """`touchdsl fmt` on one text (`touchdsl.tools.fmt.format_source`), if installed."""
    try:
        module = importlib.import_module("touchdsl.tools.fmt")
    except ImportError:
        return None
    fn = getattr(module, "format_source", None)
    return fn if callable(fn) else None


def formatting_edits(ls: TouchServer, document: TextDocument, path: str) -> list[types.TextEdit] | None:
    """One edit that turns the buffer into its canonical layout; None when it cannot be formatted."""
    fmt = _formatter()
    if fmt is None:
        return None
    formatted, errors = fmt(document.source, path)
    if formatted is None:
        # Formatting on save must not nag: say why in the log, leave the text alone.
        first = errors[0] if errors else None
        where = f" (line {first.span.line}: {first.message})" if first is not None and first.span else ""
        ls.window_log_message(types.LogMessageParams(
            type=types.MessageType.Info, message=f"touchdsl: {path} not formatted: it has syntax errors{where}"))
        return None
    if formatted == document.source:
        return []
    lines = document.lines
    if not lines:
        end = types.Position(line=0, character=0)
    elif lines[-1].endswith("\n"):
        end = types.Position(line=len(lines), character=0)
    else:
        end = types.Position(line=len(lines) - 1,
                             character=ls.workspace.position_codec.client_num_units(lines[-1]))
    return [types.TextEdit(range=types.Range(start=types.Position(line=0, character=0), end=end),
                           new_text=formatted)]


def create_server() -> TouchServer:
    server = TouchServer()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: TouchServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.refresh(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: TouchServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: TouchServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.cancel(params.text_document.uri)
        ls.refresh(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: TouchServer, params: types.DidCloseTextDocumentParams) -> None:
        # The editor's text is gone; what is on disk counts again.
        ls.cancel(params.text_document.uri)
        path = ls._document_path(params.text_document.uri)
        key = Path(f"<{params.text_document.uri}>")
        if key in ls.analyses:
            del ls.analyses[key]
            ls.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[]))
            return
        if path is not None and path.is_file():
            ls.refresh_root(ls.project_root(path))

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched(ls: TouchServer, params: types.DidChangeWatchedFilesParams) -> None:
        roots = set()
        for change in params.changes:
            fs = to_fs_path(change.uri)
            if not fs:
                continue
            path = Path(fs).resolve()
            for root in ls.analyses:
                if root == path.parent or root in path.parents:
                    roots.add(root)
        for root in sorted(roots):
            ls.refresh_root(root)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: TouchServer, params: types.HoverParams) -> types.Hover | None:
        a, display, line, column = ls.cursor(params.text_document.uri, params.position)
        if a is None or display is None:
            return None
        found = a.symbol_at(display, line, column)
        if found is None:
            return keyword_hover(ls.workspace.get_text_document(params.text_document.uri), params.position, ls)
        kind, name, span = found
        text = hover_markdown(a, kind, name)
        if text is None:
            return None
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text),
                           range=ls.span_range(a, span))

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    def definition(ls: TouchServer, params: types.DefinitionParams) -> list[types.Location] | None:
        a, display, line, column = ls.cursor(params.text_document.uri, params.position)
        if a is None or display is None:
            return None
        found = a.symbol_at(display, line, column)
        if found is None:
            return None
        span = a.definition_of(found[0], found[1])
        return [ls.location(a, span)] if span is not None else None

    @server.feature(types.TEXT_DOCUMENT_REFERENCES)
    def references(ls: TouchServer, params: types.ReferenceParams) -> list[types.Location] | None:
        a, display, line, column = ls.cursor(params.text_document.uri, params.position)
        if a is None or display is None:
            return None
        found = a.symbol_at(display, line, column)
        if found is None:
            return None
        kind, name, _ = found
        spans = a.references_of(kind, name)
        if params.context.include_declaration:
            decl = a.definition_of(kind, name)
            if decl is not None and kind != "event":
                spans = [decl, *spans]
        ordered = sorted(set(spans), key=lambda s: (s.file, s.line, s.column))
        return [ls.location(a, s) for s in ordered]

    @server.feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=["."]))
    def completion(ls: TouchServer, params: types.CompletionParams) -> types.CompletionList:
        ls.flush()
        document = ls.workspace.get_text_document(params.text_document.uri)
        a, display = ls.analysis_for(params.text_document.uri)
        items = completion_items(a, display, ls.text_before(document, params.position))
        return types.CompletionList(is_incomplete=False, items=items)

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
    def code_action(ls: TouchServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        actions = []
        for diagnostic in params.context.diagnostics:
            data = diagnostic.data if isinstance(diagnostic.data, dict) else {}
            replacement = data.get("replace")
            if diagnostic.source != SOURCE or not isinstance(replacement, str):
                continue
            edit = types.TextEdit(range=diagnostic.range, new_text=replacement)
            actions.append(types.CodeAction(
                title=f"Change to `{replacement}`", kind=types.CodeActionKind.QuickFix,
                diagnostics=[diagnostic], is_preferred=True,
                edit=types.WorkspaceEdit(changes={params.text_document.uri: [edit]})))
        return actions

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    def document_symbol(ls: TouchServer, params: types.DocumentSymbolParams) -> list[types.DocumentSymbol]:
        ls.flush()
        a, display = ls.analysis_for(params.text_document.uri)
        if a is None:
            a = ls.refresh(params.text_document.uri)
            a, display = ls.analysis_for(params.text_document.uri)
        if a is None or display not in a.files:
            return []
        return outline(ls, a, a.files[display])

    if _formatter() is not None:
        @server.feature(types.TEXT_DOCUMENT_FORMATTING)
        def formatting(ls: TouchServer, params: types.DocumentFormattingParams) -> list[types.TextEdit] | None:
            uri = params.text_document.uri
            return formatting_edits(ls, ls.workspace.get_text_document(uri), to_fs_path(uri) or uri)

    return server


def outline(ls: TouchServer, a: Analysis, tree: ast.File) -> list[types.DocumentSymbol]:
    def symbol(node, name: str, detail: str | None, name_span: Span,
               children: list[types.DocumentSymbol] | None = None) -> types.DocumentSymbol:
        return types.DocumentSymbol(
            name=name, detail=detail, kind=_SYMBOL_KINDS[type(node)],
            range=ls.span_range(a, node.span), selection_range=ls.span_range(a, name_span),
            children=children or None)

    out: list[types.DocumentSymbol] = []
    for decl in tree.declarations:
        if isinstance(decl, ast.ImportDecl):
            out.append(symbol(decl, f"import {decl.path.value}", None, decl.path.span))
        elif isinstance(decl, ast.DefaultsDecl):
            out.append(symbol(decl, "defaults", None, decl.span))
        elif isinstance(decl, ast.JourneyDecl):
            stages = [symbol(s, s.name.value, s.title.value, s.name.span) for s in _items(decl, ast.StageDecl)]
            out.append(symbol(decl, decl.name.value, decl.title.value, decl.name.span, stages))
        elif isinstance(decl, ast.TouchpointDecl):
            children = [symbol(i, i.name.value, i.title.value, i.name.span) for i in decl.items
                        if isinstance(i, (ast.StepDecl, ast.MetricDecl))]
            out.append(symbol(decl, decl.name.value, decl.title.value, decl.name.span, children))
        elif type(decl) in _SYMBOL_KINDS:
            out.append(symbol(decl, decl.name.value, decl.title.value, decl.name.span))
    return out


@click.command(name="lsp")
@click.option("--stdio", is_flag=True, help="Talk over stdin and stdout (the default; editors pass it).")
# Some clients add the editor's process id; the LSP `initialize` request carries it too.
@click.option("--clientProcessId", "client_process_id", type=int, default=None, hidden=True)
def command(stdio: bool, client_process_id: int | None) -> None:
    """Run the language server over stdio (for editors).

    Editors start it themselves: the VS Code extension in editors/vscode, or
    any LSP client configured to run `touchdsl lsp` for *.touch files.
    """
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    create_server().start_io()


if __name__ == "__main__":
    command()
