"""From the grammar's rules and tokens to `touchdsl.language.ast` nodes.

Both ways of parsing a file build their nodes here, so they cannot disagree:
the fast driver (`touchdsl.language.lalr`) for files without syntax errors, and
Lark with error recovery (`touchdsl.language.recovery`) for the others.

`LITERALS` turns the text of a literal token into its node; `NODES` builds the
node of a grammar rule from the rule's meaningful parts (literals and nodes, in
order; keywords and punctuation dropped) and the rule's span. A rule missing
from `NODES` is a grammar change the builder does not know yet: the tests fail.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import fields
from typing import Any, Callable, TypeVar

from touchdsl import durations
from touchdsl.diagnostics import Diagnostic, Span
from touchdsl.language import ast

__all__ = ["LITERALS", "LITERAL_TYPES", "NODES", "ParseContext", "make_span", "fast_constructor"]

T = TypeVar("T")


class ParseContext:
    """What one parse of one file collects besides the tree."""

    __slots__ = ("path", "text", "comments", "diagnostics", "recovery")

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self.comments: list[ast.Comment] = []
        self.diagnostics: list[Diagnostic] = []
        self.recovery: Any = None  # touchdsl.language.recovery.Recovery while Lark parses


_new = object.__new__
_SPAN_FIELDS = tuple(getattr(Span, f).__set__ for f in ("file", "line", "column", "end_line", "end_column"))


def make_span(path: str, line: int, column: int, end_line: int, end_column: int,
              _fields: tuple[Any, ...] = _SPAN_FIELDS) -> Span:
    """`Span(path, line, column, end_line, end_column)`, built in a third of the time.

    A parse builds one span per token and per rule (a million for 10k
    touchpoints). A frozen dataclass's `__init__` sets each field through
    `object.__setattr__`; this sets the slots directly. The object is the same
    (equal, hashed, ordered and pickled alike).
    """
    span = _new(Span)
    _fields[0](span, path)
    _fields[1](span, line)
    _fields[2](span, column)
    _fields[3](span, end_line)
    _fields[4](span, end_column)
    return span


def fast_constructor(cls: type[T]) -> Callable[..., T]:
    """The constructor of a frozen, slotted AST dataclass without its `__init__`'s per-field cost."""
    setters = tuple(getattr(cls, f.name).__set__ for f in fields(cls))  # type: ignore[arg-type]
    if len(setters) == 2:
        s0, s1 = setters

        def make2(a: Any, b: Any) -> T:
            node = _new(cls)
            s0(node, a)
            s1(node, b)
            return node
        return make2
    if len(setters) == 3:
        t0, t1, t2 = setters

        def make3(a: Any, b: Any, c: Any) -> T:
            node = _new(cls)
            t0(node, a)
            t1(node, b)
            t2(node, c)
            return node
        return make3
    if len(setters) == 4:
        u0, u1, u2, u3 = setters

        def make4(a: Any, b: Any, c: Any, d: Any) -> T:
            node = _new(cls)
            u0(node, a)
            u1(node, b)
            u2(node, c)
            u3(node, d)
            return node
        return make4
    if len(setters) == 5:
        v0, v1, v2, v3, v4 = setters

        def make5(a: Any, b: Any, c: Any, d: Any, e: Any) -> T:
            node = _new(cls)
            v0(node, a)
            v1(node, b)
            v2(node, c)
            v3(node, d)
            v4(node, e)
            return node
        return make5
    return cls


# ---- literals -------------------------------------------------------------------------

_BusinessDaysLit = fast_constructor(ast.BusinessDaysLit)
_Channels = fast_constructor(ast.Channels)
_ClassDecl = fast_constructor(ast.ClassDecl)
_DateHoursLine = fast_constructor(ast.DateHoursLine)
_EveHoursLine = fast_constructor(ast.EveHoursLine)
_ForClasses = fast_constructor(ast.ForClasses)
_PauseLine = fast_constructor(ast.PauseLine)
_CharterSetting = fast_constructor(ast.CharterSetting)
_AlertMinimum = fast_constructor(ast.AlertMinimum)
_Closed = fast_constructor(ast.Closed)
_Compensation = fast_constructor(ast.Compensation)
_ContactLine = fast_constructor(ast.ContactLine)
_CountMeasure = fast_constructor(ast.CountMeasure)
_DayRange = fast_constructor(ast.DayRange)
_DefaultsDecl = fast_constructor(ast.DefaultsDecl)
_DurationLit = fast_constructor(ast.DurationLit)
_EscalateLine = fast_constructor(ast.EscalateLine)
_EventRef = fast_constructor(ast.EventRef)
_Expectation = fast_constructor(ast.Expectation)
_Holidays = fast_constructor(ast.Holidays)
_HoursLine = fast_constructor(ast.HoursLine)
_ImportDecl = fast_constructor(ast.ImportDecl)
_JourneyRef = fast_constructor(ast.JourneyRef)
_ManagerLine = fast_constructor(ast.ManagerLine)
_Name = fast_constructor(ast.Name)
_Note = fast_constructor(ast.Note)
_NpsMeasure = fast_constructor(ast.NpsMeasure)
_Number = fast_constructor(ast.Number)
_ObjectiveLine = fast_constructor(ast.ObjectiveLine)
_ObjectiveLit = fast_constructor(ast.ObjectiveLit)
_OwnerRef = fast_constructor(ast.OwnerRef)
_ProjectDecl = fast_constructor(ast.ProjectDecl)
_Percent = fast_constructor(ast.Percent)
_RatioMeasure = fast_constructor(ast.RatioMeasure)
_ReceiverLine = fast_constructor(ast.ReceiverLine)
_ScoreMeasure = fast_constructor(ast.ScoreMeasure)
_SourceBlock = fast_constructor(ast.SourceBlock)
_SourceQuery = fast_constructor(ast.SourceQuery)
_StageDecl = fast_constructor(ast.StageDecl)
_StepDecl = fast_constructor(ast.StepDecl)
_Tags = fast_constructor(ast.Tags)
_Text = fast_constructor(ast.Text)
_TimeMeasure = fast_constructor(ast.TimeMeasure)
_Timezone = fast_constructor(ast.Timezone)
_UpdatesLine = fast_constructor(ast.UpdatesLine)
_Window = fast_constructor(ast.Window)

# A literal's function gets the context, the token's text, its offset in the file,
# and its 1-based start line and column and end line and column.
Literal = Callable[[ParseContext, str, int, int, int, int, int], Any]

_ESCAPE = re.compile(r"\\(u\{([0-9A-Fa-f]{1,6})\}|.)", re.S)
_SIMPLE_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t"}
_TRAILING_INDENT = re.compile(r"\n[ \t]*\Z")


def _string(ctx: ParseContext, raw: str, start: int, line: int, column: int, end_line: int,
            end_column: int) -> ast.Text:
    span = make_span(ctx.path, line, column, end_line, end_column)
    triple = raw.startswith('"""')
    if not triple:
        body = raw[1:-1]
        if "\\" not in body:
            return _Text(body, span, raw)
    else:
        # Drop the line break after the opening quotes and the indentation before
        # the closing ones, then the common indentation: what the author meant.
        # A file saved with Windows line ends means the same text.
        body = raw[3:-3].replace("\r\n", "\n")
        if body.startswith("\n"):
            body = body[1:]
        body = textwrap.dedent(body)
        body = _TRAILING_INDENT.sub("", body).rstrip(" \t")
        if "\\" not in body:
            return _Text(body, span, raw)

    def replace(m: re.Match[str]) -> str:
        if m.group(2) is not None:
            code = int(m.group(2), 16)
            if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                _escape_error(ctx, raw, start, m, f"`\\u{{{m.group(2)}}}` is not a Unicode character")
                return ""
            return chr(code)
        ch = m.group(1)
        if ch in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[ch]
        _escape_error(ctx, raw, start, m, f"unknown escape `\\{ch}` in text")
        return ch

    return _Text(_ESCAPE.sub(replace, body), span, raw)


def _escape_error(ctx: ParseContext, raw: str, start: int, m: re.Match[str], message: str) -> None:
    # Locate the escape inside the literal for an exact caret.
    if raw.startswith('"""'):
        offset = start + raw.find(m.group(0), 3)
    else:
        offset = start + m.start() + 1
    line = ctx.text.count("\n", 0, offset) + 1
    col = offset - (ctx.text.rfind("\n", 0, offset) + 1) + 1
    ctx.diagnostics.append(
        Diagnostic(
            "TD003",
            message,
            Span.point(ctx.path, line, col, len(m.group(0))),
            help=("escapes are \\\" \\\\ \\n \\t and \\u{05D0}; write \\\\ for a backslash",),
        )
    )


def _name(ctx: ParseContext, text: str, start: int, line: int, column: int, end_line: int,
          end_column: int) -> ast.Name:
    return _Name(text, make_span(ctx.path, line, column, end_line, end_column))


def _email(ctx: ParseContext, text: str, start: int, line: int, column: int, end_line: int,
           end_column: int) -> ast.Name:
    return _Name(text[1:-1], make_span(ctx.path, line, column, end_line, end_column))


def _duration(ctx: ParseContext, text: str, start: int, line: int, column: int, end_line: int,
              end_column: int) -> ast.DurationLit:
    return _DurationLit(durations.seconds(text), text, make_span(ctx.path, line, column, end_line, end_column))


def _percent(ctx: ParseContext, text: str, start: int, line: int, column: int, end_line: int,
             end_column: int) -> ast.Percent:
    return _Percent(float(text[:-1]), text, make_span(ctx.path, line, column, end_line, end_column))


def _number(ctx: ParseContext, text: str, start: int, line: int, column: int, end_line: int,
            end_column: int) -> ast.Number:
    return _Number(float(text), text, make_span(ctx.path, line, column, end_line, end_column))


LITERALS: dict[str, Literal] = {
    "NAME": _name,
    "STRING": _string,
    "DURATION": _duration,
    "PERCENT": _percent,
    "NUMBER": _number,
    "DATE": _name,  # kept as text with its position; the checker reads it
    "TIME": _name,
    "EMAIL": _email,
}
LITERAL_TYPES = frozenset(LITERALS)


# ---- rules ----------------------------------------------------------------------------

Node = Callable[[list[Any], Span], Any]


def _block(kind: type[Any]) -> Node:
    """`KEYWORD NAME STRING { items }`."""
    make = fast_constructor(kind)

    def build(p: list[Any], span: Span) -> Any:
        return make(p[0], p[1], tuple(p[2:]), span)

    return build


def _objective(form: str) -> Node:
    def build(p: list[Any], span: Span) -> ast.ObjectiveLit:
        percent = number = within = None
        for part in p:
            if isinstance(part, ast.Percent):
                percent = part
            elif isinstance(part, ast.Number):
                number = part
            elif isinstance(part, (ast.DurationLit, ast.BusinessDaysLit)):
                within = part
        return _ObjectiveLit(form, percent, number, within, span)

    return build


def _objective_line(role: str) -> Node:
    def build(p: list[Any], span: Span) -> ast.ObjectiveLine:
        classes: tuple[ast.Name, ...] = p[1].names if len(p) > 1 else ()
        return _ObjectiveLine(role, p[0], classes, span)

    return build


def _step(p: list[Any], span: Span) -> ast.StepDecl:
    clauses = p[2:]
    by = tuple(c[1] for c in clauses if c[0] == "by")
    via = tuple(c[1] for c in clauses if c[0] == "via")
    return _StepDecl(p[0], p[1], by, via, span)


NODES: dict[str, Node] = {
    "import_decl": lambda p, s: _ImportDecl(p[0], s),
    "project": lambda p, s: _ProjectDecl(p[0], tuple(p[1:]), s),
    "contact": lambda p, s: _ContactLine(p[0], p[1], s),
    # calendars
    "calendar": _block(ast.CalendarDecl),
    "timezone": lambda p, s: _Timezone(p[0], s),
    "hours": lambda p, s: _HoursLine(tuple(p[:-2]), p[-2], p[-1], s),
    "eve_hours": lambda p, s: _EveHoursLine(p[0], p[1], s),
    "date_hours": lambda p, s: _DateHoursLine(tuple(p[:-2]), p[-2], p[-1], s),
    "day_range": lambda p, s: _DayRange(p[0], p[1] if len(p) > 1 else None, s),
    "holidays": lambda p, s: _Holidays(tuple(p), s),
    "closed": lambda p, s: _Closed(tuple(p), s),
    # owners, journeys, defaults
    "owner": _block(ast.OwnerDecl),
    "manager": lambda p, s: _ManagerLine(p[0], p[1], s),
    "notify": lambda p, s: _ReceiverLine("notify", p[0], p[1], s),
    "page": lambda p, s: _ReceiverLine("page", p[0], p[1], s),
    "journey": _block(ast.JourneyDecl),
    "stage": lambda p, s: _StageDecl(p[0], p[1], s),
    "defaults": lambda p, s: _DefaultsDecl(tuple(p), s),
    "charter_setting": lambda p, s: _CharterSetting(p[0], p[1], s),
    "alert_minimum": lambda p, s: _AlertMinimum(p[0], s),
    # touchpoints
    "touchpoint": _block(ast.TouchpointDecl),
    "journey_ref": lambda p, s: _JourneyRef(p[0], p[1] if len(p) > 1 else None, s),
    "owner_ref": lambda p, s: _OwnerRef(p[0], s),
    "expectation": lambda p, s: _Expectation(p[0], s),
    "channels": lambda p, s: _Channels(tuple(p), s),
    "step": _step,
    "case_class": lambda p, s: _ClassDecl(p[0], p[1], s),
    # A clause of a step is told apart by its keyword; the step reads the pair.
    "step_by": lambda p, s: ("by", p[0]),
    "step_via": lambda p, s: ("via", p[0]),
    "updates": lambda p, s: _UpdatesLine(p[0], p[1], p[2] if len(p) > 2 else None, s),
    "escalate": lambda p, s: _EscalateLine(p[0], tuple(p[1:]), s),
    "event": lambda p, s: _EventRef(p[0], p[1], s),
    # metrics
    "metric": _block(ast.MetricDecl),
    "time_measure": lambda p, s: _TimeMeasure(p[0], p[1], p[2] if len(p) > 2 else None, s),
    "ratio_measure": lambda p, s: _RatioMeasure(p[0], p[1], s),
    "score_measure": lambda p, s: _ScoreMeasure(p[0], p[1], s),
    "nps_measure": lambda p, s: _NpsMeasure(s),
    "count_measure": lambda p, s: _CountMeasure(p[0], p[1], s),
    "promise": _objective_line("promise"),
    "target": _objective_line("target"),
    # The classes an objective is for, as one part of the objective's line.
    "for_classes": lambda p, s: _ForClasses(tuple(p), s),
    "business_days": lambda p, s: _BusinessDaysLit(p[0], "d", s),
    "business_weeks": lambda p, s: _BusinessDaysLit(p[0], "w", s),
    "pause_while": lambda p, s: _PauseLine(p[0], None, None, s),
    "pause_between": lambda p, s: _PauseLine(None, p[0], p[1], s),
    "within": _objective("within"),
    "at_most": _objective("at_most"),
    "at_least": _objective("at_least"),
    "average": _objective("average_at_least"),
    "share": _objective("share_at_least"),
    "window": lambda p, s: _Window(p[0], s),
    "source": lambda p, s: _SourceBlock(p[0], tuple(p[1:]), s),
    "source_query": lambda p, s: _SourceQuery(p[0], p[1], s),
    "compensation": lambda p, s: _Compensation(p[0], s),
    # shared
    "note": lambda p, s: _Note(p[0], s),
    "tags": lambda p, s: _Tags(tuple(p), s),
}

# Rules that only pass one of their alternatives on (`?rule` in the grammar) and the
# file itself (`start`, a list of declarations) build no node of their own.
PASS_THROUGH = frozenset({"start"})
