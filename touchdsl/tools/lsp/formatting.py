"""Format on request: one edit that turns the buffer into `touchdsl fmt`'s layout."""

from __future__ import annotations

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from touchdsl.tools.lsp.positions import lines_of

__all__ = ["formatting_edits"]


def formatting_edits(source: str, path: str, codec: PositionCodec) -> tuple[list[types.TextEdit] | None, str | None]:
    """The edits, or None and why not (a file with syntax errors is left alone)."""
    from touchdsl.tools.fmt import format_source

    formatted, errors = format_source(source, path)
    if formatted is None:
        first = errors[0] if errors else None
        where = f" (line {first.span.line}: {first.message})" if first is not None and first.span else ""
        return None, f"touchdsl: {path} not formatted: it has syntax errors{where}"
    if formatted == source:
        return [], None
    lines = lines_of(source)
    if not lines:
        end = types.Position(line=0, character=0)
    elif lines[-1].endswith("\n"):
        end = types.Position(line=len(lines), character=0)
    else:
        end = types.Position(line=len(lines) - 1, character=codec.client_num_units(lines[-1]))
    return [types.TextEdit(range=types.Range(start=types.Position(line=0, character=0), end=end),
                           new_text=formatted)], None
