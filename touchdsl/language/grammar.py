"""The grammar (`grammar/touch.lark`, shipped as `touchdsl.grammar`) and its analysis by Lark.

Lark's LALR analysis of the grammar is cached on disk (`cache=`), so start-up
after the first run is cheap. The analysed grammar serves both parsers: Lark's
own, with error recovery (`touchdsl.language.recovery`), and the fast driver
(`touchdsl.language.lalr`), which reads the same parse table and terminals.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lark import Lark

__all__ = ["grammar_text", "lark_parser", "keyword_terminals"]


def grammar_text() -> str:
    try:
        from importlib.resources import files

        return (files("touchdsl.grammar") / "touch.lark").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):  # running from a source tree
        from pathlib import Path

        return (Path(__file__).resolve().parent.parent.parent / "grammar" / "touch.lark").read_text(encoding="utf-8")


def _cache_file(grammar: str) -> str | bool:
    """Where Lark keeps its analysed grammar; False (no cache) when nowhere is writable.

    Lark's own default lives in the temp dir and logs a traceback when it cannot
    write there; a user must never see that, so we choose the place ourselves.
    """
    import hashlib
    import logging
    import os

    logging.getLogger("lark").setLevel(logging.CRITICAL)
    import lark

    digest = hashlib.sha256(f"{lark.__version__}\0{grammar}".encode()).hexdigest()[:16]
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(base, "touchdsl")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError:
        return False
    if not os.access(folder, os.W_OK):
        return False
    return os.path.join(folder, f"grammar-{digest}.lark.cache")


@lru_cache(maxsize=1)
def lark_parser() -> "Lark":
    """Lark with the recovering builder: keyword tokens are kept so recovery can see braces."""
    from lark import Lark

    from touchdsl.language.recovery import KeywordsAfterAnError, LarkBuilder, on_comment

    grammar = grammar_text()
    return Lark(
        grammar,
        parser="lalr",
        lexer="contextual",
        transformer=LarkBuilder(),
        keep_all_tokens=True,
        maybe_placeholders=False,
        lexer_callbacks={"COMMENT": on_comment},
        postlex=KeywordsAfterAnError(),
        cache=_cache_file(grammar),
    )


@lru_cache(maxsize=1)
def keyword_terminals() -> dict[str, str]:
    """Keyword and punctuation text -> terminal name (`"owner"` -> `OWNER`, `"{"` -> `LBRACE`)."""
    return {t.pattern.value: t.name for t in lark_parser().terminals if t.pattern.type == "str"}


@lru_cache(maxsize=1)
def terminal_texts() -> dict[str, str]:
    """Terminal name -> its literal text, for keywords and punctuation only."""
    return {name: text for text, name in keyword_terminals().items()}


def parse_table() -> Any:
    """Lark's LALR table (`states`, `start_states`, `end_states`) of the grammar."""
    return lark_parser().parser.parser.parser.parse_table
