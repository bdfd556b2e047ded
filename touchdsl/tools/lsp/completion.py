"""What may be written at the cursor: the block's keywords, channels, names in scope.

Completion reads the text before the cursor (the tree may have lost the block
being typed) to learn where the cursor is, and the last analysis for the names
the project declares.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from lsprotocol import types

from touchdsl.language import ast
from touchdsl.language.vocabulary import block_keywords, help_for
from touchdsl.model import CHANNELS, CONTACT_KINDS, RECEIVER_KINDS, WEEKDAYS
from touchdsl.tools.lsp.analysis import Analysis, first_of, items_of
from touchdsl.tools.lsp.hover import md

__all__ = ["CompletionContext", "completion_context", "completion_items"]

# Texts as in the grammar: unrolled, possessive loops, so a long text costs no memory per character.
_SCAN = re.compile(
    r'(?P<triple>"""[^"\\]*+(?:(?:\\.|"(?!""))[^"\\]*+)*+(?:"""|\Z))'
    r'|(?P<string>"[^"\\\n]*+(?:\\.[^"\\\n]*+)*+"?)'
    r"|(?P<comment>#[^\n]*)"
    r"|(?P<open>\{)|(?P<close>\})|(?P<newline>\n)"
    r"|(?P<word>[A-Za-z0-9_.:%\-]+)"
    r"|(?P<punct>,)"
    r"|(?P<other>\S)",
    re.S,
)


_CLOSED = {
    "string": re.compile(r'"[^"\\\n]*+(?:\\.[^"\\\n]*+)*+"'),
    "triple": re.compile(r'"""[^"\\]*+(?:(?:\\.|"(?!""))[^"\\]*+)*+"""', re.S),
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
    if last_match is not None and last_end == len(text_before) and last_kind in ("comment", "string", "triple"):
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
        return [_item(n, K.Keyword, documentation=help_for(n), rank=1) for n in names]

    def titled(kind: str, ast_kind: type, item_kind: types.CompletionItemKind) -> list[types.CompletionItem]:
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
                manager = first_of(decl, ast.ManagerLine) if decl else None
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

    def classes(exclude: Iterable[str] = ()) -> list[types.CompletionItem]:
        tp = ctx.enclosing("touchpoint")
        return [_item(c, K.EnumMember, detail=title, rank=2, order=i)
                for i, (c, title) in enumerate(_classes_of(a, display, tp, text_before)) if c not in exclude]

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
                    for i, st in enumerate(items_of(journey, ast.StageDecl))] if journey else []
        return moments(head)
    if not words:
        return keywords(*block_keywords(block))
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
        if len(words) == 1:
            return keywords("eve") + [_item(d, K.EnumMember, detail="weekday", rank=2) for d in WEEKDAYS]
        return [] if "eve" in words or _DATE.match(words[1]) else [
            _item(d, K.EnumMember, detail="weekday", rank=2) for d in WEEKDAYS]
    if first == "pause" and block == "metric":
        if len(words) == 1:
            return keywords("while", "from")
        if last in ("while", "from", "to"):
            return steps()
        if words[-2:-1] == ["."] or (last and "." in last):
            return keywords("to") if "to" not in words else []
        return []
    if first in ("promise", "target") and block == "metric":
        if last == "for" or (last == "," and "for" in words):
            return classes(exclude=words)
        if len(words) == 1:
            return keywords("at", "average")
        if last == "at":
            return keywords("least", "most")
        if last == "average":
            return keywords("at")
        if last and last.endswith("%") and len(words) == 2:
            return keywords("within", "at")
        if len(words) == 3 and words[1].endswith("%") and last == "within" and _NUMBER.match(ctx.prefix):
            return []  # a number being typed: `30s`, or `5 business days` next
        if len(words) == 4 and last and _NUMBER.match(last) and words[2] == "within":
            return keywords("business")
        if last == "business":
            return keywords("days", "weeks") if words[-2] != "1" else keywords("day", "week")
        complete = last in ("day", "days", "week", "weeks") or (last is not None and last[:1].isdigit())
        if len(words) >= 4 and complete and "for" not in words:  # a whole objective: for some classes?
            return keywords("for") if _classes_of(a, display, ctx.enclosing("touchpoint"), text_before) else []
        return []
    if first == "ratio" and len(words) == 2:
        return keywords("of")
    if first == "count" and len(words) == 2:
        return keywords("per")
    if first == "source" and len(words) == 1:
        return [_item("prometheus", K.Module, rank=2)]
    if first == "charter" and block == "defaults" and len(words) == 1:
        return [_item(key, K.Property, detail=detail, rank=2) for key, detail in _CHARTER_SETTINGS]
    if first == "contact" and block == "project" and len(words) == 1:
        return [_item(c, K.EnumMember, detail=f"channel: {CONTACT_KINDS[c]}", rank=2) for c in CONTACT_KINDS]
    return []


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NUMBER = re.compile(r"\d+(?:\.\d+)?\Z")
_CLASS_LINE = re.compile(r'^[ \t]*class[ \t]+([A-Za-z_][A-Za-z0-9_]*)', re.M)


def _classes_of(a: Analysis | None, display: str | None, touchpoint: str | None,
                text_before: str) -> list[tuple[str, str | None]]:
    """Classes of case of the touchpoint around the cursor: from the tree, else from the text."""
    if a is not None and touchpoint:
        decl = next((d for d in a.declarations(ast.TouchpointDecl)
                     if d.name.value == touchpoint and (display is None or d.span.file == display)), None)
        if decl is not None:
            found = [(c.name.value, c.title.value) for c in items_of(decl, ast.ClassDecl)]
            if found:
                return found
    start = text_before.rfind("touchpoint")
    return [(m.group(1), None) for m in _CLASS_LINE.finditer(text_before[max(start, 0):])]
# The settings of `charter KEY VALUE`, with what each takes.
_CHARTER_SETTINGS = (
    ("language", "\"he\" or \"en\""),
    ("title", "the charter's heading"),
    ("intro", "the charter's opening sentence"),
    ("version", "the charter's version: \"2026.1\""),
    ("effective", "the date it takes effect: 2026-01-01"),
)


_STEP_LINE = re.compile(r'^[ \t]*step[ \t]+([A-Za-z_][A-Za-z0-9_]*)[ \t]*("[^"\\\n]*+(?:\\.[^"\\\n]*+)*+")?', re.M)


def _steps_of(a: Analysis | None, display: str | None, touchpoint: str | None,
              text_before: str) -> list[tuple[str, str | None]]:
    """Steps of the touchpoint around the cursor: from the tree, else from the text being typed."""
    if a is not None and touchpoint:
        decl = next((d for d in a.declarations(ast.TouchpointDecl)
                     if d.name.value == touchpoint and (display is None or d.span.file == display)), None)
        if decl is not None:
            found = [(s.name.value, s.title.value) for s in items_of(decl, ast.StepDecl)]
            if found:
                return found
    # The tree may have lost a block being edited; read the steps written so far.
    start = text_before.rfind("touchpoint")
    return [(m.group(1), None) for m in _STEP_LINE.finditer(text_before[max(start, 0):])]

