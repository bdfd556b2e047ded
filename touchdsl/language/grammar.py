"""The grammar (`grammar/touch.lark`, shipped as `touchdsl.grammar`) and its analysis by Lark.

The analysed grammar serves both parsers: Lark's own, with error recovery
(`touchdsl.language.recovery`), and the fast driver (`touchdsl.language.lalr`),
which reads the same parse table and terminals. Both analyses are cached on
disk beside each other: Lark's (`cache=`), and the tables the driver needs as
plain JSON, so a run that meets no syntax error never imports Lark at all
(about 100 ms of start-up).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lark import Lark

__all__ = ["grammar_text", "keyword_terminals", "lark_parser", "machine_tables", "terminal_texts"]

# Bumped when the layout of the cached tables changes.
_TABLES_FORMAT = 1


def grammar_text() -> str:
    try:
        from importlib.resources import files

        return (files("touchdsl.grammar") / "touch.lark").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):  # running from a source tree
        from pathlib import Path

        return (Path(__file__).resolve().parent.parent.parent / "grammar" / "touch.lark").read_text(encoding="utf-8")


def _cache_file(grammar: str, kind: str = "grammar", suffix: str = "lark.cache",
                salt: str | None = None) -> str | None:
    """Where an analysis of the grammar is kept; None (no cache) when nowhere is writable.

    Lark's own default lives in the temp dir and logs a traceback when it cannot
    write there; a user must never see that, so we choose the place ourselves.
    """
    import hashlib
    import os

    if salt is None:
        import lark

        salt = lark.__version__
    digest = hashlib.sha256(f"{salt}\0{grammar}".encode()).hexdigest()[:16]
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(base, "touchdsl")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError:
        return None
    if not os.access(folder, os.W_OK):
        return None
    return os.path.join(folder, f"{kind}-{digest}.{suffix}")


@lru_cache(maxsize=1)
def lark_parser() -> "Lark":
    """Lark with the recovering builder: keyword tokens are kept so recovery can see braces."""
    import logging

    logging.getLogger("lark").setLevel(logging.CRITICAL)
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
        cache=_cache_file(grammar) or False,
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


@lru_cache(maxsize=1)
def machine_tables() -> dict[str, Any]:
    """The parse table, rules and terminals as plain data (read from the cache when there)."""
    import json
    import os

    grammar = grammar_text()
    # Any correct analysis of this grammar will do (the driver never mixes its
    # table with Lark's), so the tables are keyed by the grammar alone: no need
    # to import Lark to find them.
    path = _cache_file(grammar, f"tables{_TABLES_FORMAT}", "json", salt="")
    if path:
        try:
            with open(path, encoding="utf-8") as handle:
                tables: dict[str, Any] = json.load(handle)
            if tables.get("format") == _TABLES_FORMAT:
                return tables
        except (OSError, ValueError):
            pass  # absent, unreadable or half-written: analyse again
    tables = _tables_from_lark()
    if path:
        temporary = f"{path}.{os.getpid()}"
        try:
            with open(temporary, "w", encoding="utf-8") as handle:
                json.dump(tables, handle)
            os.replace(temporary, path)
        except OSError:
            pass
    return tables


def _tables_from_lark() -> dict[str, Any]:
    lark = lark_parser()
    table = parse_table()
    rules: list[Any] = []
    index: dict[Any, int] = {}
    states: dict[str, dict[str, list[Any]]] = {}
    for state, row in table.states.items():
        out: dict[str, list[Any]] = {}
        for symbol, (action, arg) in row.items():
            if action.name == "Shift":
                out[symbol] = ["shift", arg]
            else:
                if arg not in index:
                    index[arg] = len(rules)
                    rules.append(arg)
                out[symbol] = ["reduce", index[arg]]
        states[str(state)] = out
    return {
        "format": _TABLES_FORMAT,
        "start": table.start_states["start"],
        "end": table.end_states["start"],
        "states": states,
        "rules": [{"origin": r.origin.name, "expansion": [[s.name, s.is_term] for s in r.expansion],
                   "expand1": bool(r.options.expand1)} for r in rules],
        "terminals": {t.name: {"regexp": t.pattern.to_regexp(), "kind": t.pattern.type, "value": t.pattern.value,
                               "priority": t.priority, "max_width": t.pattern.max_width,
                               "flags": sorted(t.pattern.flags)} for t in lark.terminals},
        "ignore": list(lark.lexer_conf.ignore),
    }
