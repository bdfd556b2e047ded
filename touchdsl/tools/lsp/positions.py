"""Lines and positions, counted the way the parser counts them.

The parser ends a line at `\\n` only (a form feed, a vertical tab or U+2028 is a
character of the line, as the LSP specification also says); Python's
`str.splitlines()`, which pygls uses, ends lines at those too and so shifts
every position after one. Every conversion here splits at `\\n`, and the
documents the server keeps apply editors' incremental changes by that rule.

The compiler counts 1-based lines and columns in characters (code points);
LSP counts 0-based lines and, by default, UTF-16 code units. Every conversion
goes through the position codec pygls negotiated with the client.
"""

from __future__ import annotations

import bisect
import re
from typing import Sequence

from lsprotocol import types
from pygls.workspace import TextDocument, Workspace
from pygls.workspace.position_codec import PositionCodec

from touchdsl.diagnostics import Span

__all__ = ["TouchDocument", "TouchWorkspace", "lines_of", "lsp_position", "span_range", "server_position"]

_LINE = re.compile(r"[^\n]*\n|[^\n]+\Z")


def lines_of(text: str) -> list[str]:
    """The lines of a text as the parser counts them, each with its `\\n` (the last one without)."""
    return _LINE.findall(text)


def lsp_position(codec: PositionCodec, lines: Sequence[str], line: int, column: int) -> types.Position:
    """A compiler position (1-based line and column in characters) as an LSP position."""
    row = max(line - 1, 0)
    char = max(column - 1, 0)
    if row < len(lines):
        return codec.position_to_client_units(lines, types.Position(line=row, character=char))
    return types.Position(line=row, character=char)


def span_range(codec: PositionCodec, lines: Sequence[str], span: Span) -> types.Range:
    return types.Range(start=lsp_position(codec, lines, span.line, span.column),
                       end=lsp_position(codec, lines, span.end_line, span.end_column))


def server_position(codec: PositionCodec, lines: Sequence[str], position: types.Position) -> tuple[int, int]:
    """An LSP position as a 0-based (line, character) in code points, clamped to the text."""
    if position.line >= len(lines):
        if not lines:
            return 0, 0
        last = lines[-1]
        if last.endswith("\n"):
            return len(lines), 0
        return len(lines) - 1, len(last)
    server = codec.position_from_client_units(lines, position)
    return server.line, server.character


class TouchDocument(TextDocument):
    """A document whose lines end at `\\n` only, and which applies incremental edits by offsets.

    Applying an edit costs a copy of the text (no per-line rebuild), so an 8 MB
    document stays quick to edit.
    """

    _starts: list[int] | None = None
    _starts_of: str | None = None

    @property
    def lines(self) -> Sequence[str]:
        return lines_of(self.source)

    def _line_starts(self) -> list[int]:
        source = self.source
        if self._starts is None or self._starts_of is not source:
            self._starts = [0] + [m.end() for m in re.finditer("\n", source)]
            self._starts_of = source
        return self._starts

    def _offset(self, position: types.Position) -> int:
        source = self.source
        starts = self._line_starts()
        if position.line >= len(starts):
            return len(source)
        start = starts[position.line]
        end = starts[position.line + 1] if position.line + 1 < len(starts) else len(source)
        content = source[start:end]
        if content.endswith("\n"):
            content = content[:-1]
        server = self.position_codec.position_from_client_units(
            [content], types.Position(line=0, character=position.character))
        return start + min(server.character, len(content))

    def _apply_incremental_change(self, change: types.TextDocumentContentChangePartial) -> None:
        starts = self._line_starts()
        start = self._offset(change.range.start)
        end = max(self._offset(change.range.end), start)
        text = change.text
        self._source = self.source[:start] + text + self.source[end:]
        # The line starts move with the edit instead of being found again in the
        # whole text (a few milliseconds instead of 50 for an 8 MB document).
        keep = bisect.bisect_right(starts, start)
        after = bisect.bisect_right(starts, end)
        delta = len(text) - (end - start)
        inserted = [start + m.end() for m in re.finditer("\n", text)]
        self._starts = starts[:keep] + inserted + [offset + delta for offset in starts[after:]]
        self._starts_of = self._source

    def offset_at_position(self, client_position: types.Position) -> int:
        return self._offset(client_position)

    def line_of_offset(self, offset: int) -> int:
        return bisect.bisect_right(self._line_starts(), offset) - 1


class TouchWorkspace(Workspace):
    """pygls' workspace, keeping `TouchDocument`s."""

    def _create_text_document(self, doc_uri: str, source: str | None = None, version: int | None = None,
                              language_id: str | None = None) -> TextDocument:
        return TouchDocument(doc_uri, source=source, version=version, language_id=language_id,
                             sync_kind=self._sync_kind, position_codec=self._position_codec)
