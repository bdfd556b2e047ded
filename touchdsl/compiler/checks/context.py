"""What every rule shares: the run's context and the small checks all declarations use."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from touchdsl import model
from touchdsl.compiler.checks import bounds
from touchdsl.compiler.resolve import Declarations, SymbolIndex, duplicate, suggest
from touchdsl.diagnostics import DiagnosticSink, Related, Span
from touchdsl.language import ast

NAME_RE = re.compile(r"[a-z][a-z0-9_]*\Z")
MOMENT_RANK = {"start": 0, "end": 2}


@dataclass
class Context:
    sink: DiagnosticSink
    decls: Declarations
    index: SymbolIndex
    relative: dict[str, str]
    # The checked calendars (None for one with errors), for what depends on a
    # calendar: how many business days a business week has.
    calendars: dict[str, model.Calendar | None] = field(default_factory=dict)

    def loc(self, span: Span) -> model.Location:
        return model.Location(file=self.relative.get(span.file, span.file), line=span.line, column=span.column)

    def unreadable(self, kind: str, name: str) -> bool:
        """Whether `kind` `name` was declared in a declaration that did not parse (so: not unknown)."""
        return (kind, name) in self.decls.broken




class Block(Protocol):
    """A declaration with statements inside (`owner … { … }`, `metric … { … }`)."""

    @property
    def items(self) -> Sequence[object]: ...


class Statement(Protocol):
    @property
    def span(self) -> Span: ...


class Named(Protocol):
    @property
    def name(self) -> ast.Name: ...


T = TypeVar("T")
S = TypeVar("S", bound=Statement)
N = TypeVar("N", bound=Named)


def items_of(decl: Block, kind: type[T]) -> list[T]:
    return [i for i in decl.items if isinstance(i, kind)]


def single(ctx: Context, items: Sequence[S], what: str) -> S | None:
    """The one statement of a kind; a repeated one is reported (TD305) and the first kept."""
    for extra in items[1:]:
        ctx.sink.error("TD305", f"`{what}` is written more than once here", extra.span,
                       help=[f"keep one `{what}`"],
                       related=[Related(items[0].span, "first written here")])
    return items[0] if items else None


def close_match(name: str, vocabulary: Iterable[str]) -> list[str]:
    """`did you mean …?` for a word of a fixed vocabulary (the caller lists the words itself)."""
    return [h for h in suggest(name, vocabulary) if h.startswith("did you mean")]


def check_name(ctx: Context, name: ast.Name, what: str) -> None:
    if not NAME_RE.match(name.value):
        fixed = re.sub(r"[^a-z0-9_]", "_", name.value.lower()).lstrip("_0123456789") or "name"
        ctx.sink.error("TD006", f"{what} name `{name.value}` must be lowercase letters, digits and `_`",
                       name.span, help=[f"use `{fixed}`"])


def notes_and_tags(ctx: Context, decl: Block) -> tuple[str | None, list[str]]:
    note = single(ctx, items_of(decl, ast.Note), "note")
    tags: list[str] = []
    for line in items_of(decl, ast.Tags):
        for t in line.values:
            if t.value not in tags:
                tags.append(t.value)
    return (note.text.value if note else None), tags


def title_of(ctx: Context, text: ast.Text, what: str) -> str:
    if not text.value.strip():
        ctx.sink.error("TD310", f"the {what} title is empty", text.span, help=["write a title people can read"])
    return text.value


def check_channel(ctx: Context, name: ast.Name) -> bool:
    if name.value in model.CHANNELS:
        return True
    ctx.sink.error("TD304", f"unknown channel `{name.value}`", name.span,
                   help=close_match(name.value, model.CHANNELS) + [
                       "channels are: " + " ".join(model.CHANNELS)])
    return False


def positive_duration(ctx: Context, d: ast.DurationLit, what: str) -> model.Duration | None:
    if d.seconds <= 0:
        ctx.sink.error("TD406", f"{what} must be longer than zero, not `{d.text}`", d.span,
                       help=["durations are a number and a unit: 30s, 48h, 28d"])
        return None
    if not bounds.duration(ctx, d, what):
        return None
    # Monitoring counts time in whole milliseconds: a finer duration would be
    # rounded, to zero at worst, and change what was promised.
    ms = d.seconds * 1000
    if abs(ms - round(ms)) > 1e-6:
        ctx.sink.error("TD310", f"{what} `{d.text}` is not a whole number of milliseconds", d.span,
                       help=["durations are counted in whole milliseconds: write e.g. `1ms`, `250ms`, `1.5s`"])
        return None
    return model.Duration(seconds=d.seconds, text=d.text)


def owner_ref(ctx: Context, name: ast.Name, role: str) -> bool:
    if name.value in ctx.decls.owners:
        ctx.index.ref("owner", name.value, name.span)
        return True
    if ctx.unreadable("owner", name.value):
        return False
    ctx.sink.error("TD202", f"unknown owner `{name.value}` {role}", name.span,
                   help=suggest(name.value, ctx.decls.owners, "owner"))
    return False


def declared_once(ctx: Context, items: Sequence[N], kind: str, scope: str) -> list[N]:
    """Named children of a block (stages, steps, metrics), each name once.

    Checks every name, reports repeats (TD201, pointing at the first) and records
    the definitions as `scope.name` for go-to-definition; returns the first of each.
    """
    first: dict[str, N] = {}
    for item in items:
        check_name(ctx, item.name, kind)
        if item.name.value in first:
            duplicate(ctx.sink, kind, item.name.value, first[item.name.value].name.span, item.name.span)
            continue
        first[item.name.value] = item
        # setdefault: a repeated declaration of the scope (TD201), checked last, keeps
        # go-to-definition on the first one's children.
        ctx.index.definitions.setdefault((kind, f"{scope}.{item.name.value}"), item.name.span)
    return list(first.values())
