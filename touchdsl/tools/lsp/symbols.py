"""The outline of a document: its declarations, and the stages, steps and metrics inside them."""

from __future__ import annotations

from typing import Any, Callable

from lsprotocol import types

from touchdsl.diagnostics import Span
from touchdsl.language import ast
from touchdsl.tools.lsp.analysis import items_of

__all__ = ["outline"]

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
    ast.ClassDecl: types.SymbolKind.EnumMember,
}


def outline(tree: ast.File, to_range: Callable[[Span], types.Range]) -> list[types.DocumentSymbol]:
    def symbol(node: Any, name: str, detail: str | None, name_span: Span,
               children: list[types.DocumentSymbol] | None = None) -> types.DocumentSymbol:
        return types.DocumentSymbol(
            name=name, detail=detail, kind=_SYMBOL_KINDS[type(node)],
            range=to_range(node.span), selection_range=to_range(name_span),
            children=children or None)

    out: list[types.DocumentSymbol] = []
    for decl in tree.declarations:
        if isinstance(decl, ast.ImportDecl):
            out.append(symbol(decl, f"import {decl.path.value}", None, decl.path.span))
        elif isinstance(decl, ast.DefaultsDecl):
            out.append(symbol(decl, "defaults", None, decl.span))
        elif isinstance(decl, ast.JourneyDecl):
            stages = [symbol(s, s.name.value, s.title.value, s.name.span) for s in items_of(decl, ast.StageDecl)]
            out.append(symbol(decl, decl.name.value, decl.title.value, decl.name.span, stages))
        elif isinstance(decl, ast.TouchpointDecl):
            children = [symbol(i, i.name.value, i.title.value, i.name.span) for i in decl.items
                        if isinstance(i, (ast.ClassDecl, ast.StepDecl, ast.MetricDecl))]
            out.append(symbol(decl, decl.name.value, decl.title.value, decl.name.span, children))
        elif type(decl) in _SYMBOL_KINDS:
            out.append(symbol(decl, decl.name.value, decl.title.value, decl.name.span))
    return out
