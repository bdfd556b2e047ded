"""Parse one `.touch` source into a `touchdsl.language.ast.File`, reporting every syntax error.

Two parsers share the grammar (`grammar/touch.lark`, analysed once by Lark and
cached) and the node builder (`touchdsl.language.builder`):

- the fast driver (`touchdsl.language.lalr`) reads a file without syntax errors
  in a fraction of Lark's time;
- at its first surprise the file is parsed again by Lark with error recovery
  (`touchdsl.language.recovery`), which reports every syntax error in words.
  Lark is imported only then.

A file therefore parses to the same tree and the same diagnostics whichever
way it went; only the time differs.
"""

from __future__ import annotations

from touchdsl.diagnostics import Diagnostic
from touchdsl.language import ast
from touchdsl.language.builder import ParseContext

__all__ = ["parse"]


def parse(text: str, path: str) -> tuple[ast.File, list[Diagnostic]]:
    """Parse `text` (the content of `path`). Never raises on user input."""
    from touchdsl.language.lalr import parse_fast

    ctx = ParseContext(path, text)
    declarations = parse_fast(ctx)
    if declarations is not None:
        return ast.File(path, declarations, ctx.comments, []), ctx.diagnostics
    from touchdsl.language.recovery import parse_recovering

    ctx = ParseContext(path, text)
    declarations, recovery = parse_recovering(ctx)
    return ast.File(path, declarations, ctx.comments, recovery.damaged, recovery.broken), ctx.diagnostics
