"""The fast way through a file without syntax errors: Lark's parse table, driven by a tight loop.

Lark's own LALR parser spends most of its time around the table rather than in
it: two regular-expression matches per token (whitespace is a token of its own),
a `Token` object per token, a callback wrapper per rule. This driver reads the
same parse table and the same terminals (`touchdsl.language.grammar`), so the
grammar stays the one definition of the language, and per token does one match
(whitespace skipped by the same pattern), one table lookup and, for literals
only, one node.

It lexes exactly as Lark's contextual lexer does: in each parser state only the
terminals that state accepts are tried, in Lark's order (priority, then
length), and a word that spells a keyword is that keyword only where the state
accepts it. At the first thing it does not expect (a character no terminal
matches, a token the table has no action for) it gives up and returns None:
the file is then parsed by Lark with error recovery (`touchdsl.language.recovery`),
which words every error. Both build their nodes with `touchdsl.language.builder`,
and a test holds the two to the same trees.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Callable, NamedTuple

from touchdsl.language import ast
from touchdsl.language.builder import LITERALS, NODES, PASS_THROUGH, ParseContext, make_span
from touchdsl.language.grammar import machine_tables

__all__ = ["parse_fast"]

_WHITESPACE = "WS"
_COMMENT = "COMMENT"
_END = "$END"
_EOF_GROUP = "_EOF_"  # a named group that matches at the end of the text


class _Inline(list):  # type: ignore[type-arg]
    """The children of a helper rule (`x*` in the grammar), spliced into the rule that uses it."""

    __slots__ = ()


class _Scanner:
    """The tokens one parser state accepts, as one pattern that also skips whitespace before them."""

    __slots__ = ("match", "keywords")

    def __init__(self, pattern: re.Pattern[str], keywords: dict[str, str]) -> None:
        self.match = pattern.match
        self.keywords = keywords  # a NAME spelling one of these is that keyword here


class _Symbol(NamedTuple):
    name: str
    is_term: bool


class _Terminal(NamedTuple):
    name: str
    regexp: str
    kind: str  # "re": a pattern; "str": a keyword or punctuation
    value: str
    priority: int
    max_width: int
    flags: frozenset[str]


class _Rule(NamedTuple):
    origin: _Symbol
    expansion: tuple[_Symbol, ...]
    expand1: bool  # `?rule`: passes its one child on


@lru_cache(maxsize=1)
def _machine() -> "_Machine":
    return _Machine(machine_tables())


class _Machine:
    """The parse table in the shape the loop wants, and a scanner per state (built when first needed)."""

    def __init__(self, tables: dict[str, Any]) -> None:
        self.start_state: int = tables["start"]
        self.end_state: int = tables["end"]
        terminals = {name: _Terminal(name, t["regexp"], t["kind"], t["value"], t["priority"], t["max_width"],
                                     frozenset(t["flags"])) for name, t in tables["terminals"].items()}
        self.terminals = terminals
        self.ignore = set(tables["ignore"])
        self.whitespace = terminals[_WHITESPACE].regexp
        rules = [_Rule(_Symbol(r["origin"], False), tuple(_Symbol(n, t) for n, t in r["expansion"]), r["expand1"])
                 for r in tables["rules"]]
        # actions[state][terminal] = next state (shift, >= 0) or ~rule (reduce, < 0)
        self.actions: dict[int, dict[str, int]] = {}
        self.gotos: dict[int, dict[str, int]] = {}
        self.accepts: dict[int, frozenset[str]] = {}
        for key, row in tables["states"].items():
            state = int(key)
            actions: dict[str, int] = {}
            gotos: dict[str, int] = {}
            for symbol, (kind, arg) in row.items():
                if kind == "shift":
                    if symbol.isupper() or symbol.startswith("$"):
                        actions[symbol] = arg
                    else:
                        gotos[symbol] = arg
                else:
                    actions[symbol] = ~arg
            self.actions[state] = actions
            self.gotos[state] = gotos
            self.accepts[state] = frozenset(s for s in row if s.isupper())
        self.reducers: list[tuple[int, int, str, Callable[[list[Any], str], Any] | None]] = [
            (_shape(r, terminals), len(r.expansion), r.origin.name, _reducer(r, terminals)) for r in rules]
        self._scanners: dict[frozenset[str], _Scanner] = {}
        self.scanners: dict[int, _Scanner] = {}

    def scanner(self, state: int) -> _Scanner:
        found = self.scanners.get(state)
        if found is None:
            accepts = self.accepts[state]
            found = self._scanners.get(accepts)
            if found is None:
                found = self._scanners[accepts] = self._build_scanner(accepts)
            self.scanners[state] = found
        return found

    def _build_scanner(self, accepts: frozenset[str]) -> _Scanner:
        # Lark's order within a state: priority, then the longest possible match,
        # then the longest literal, then the name (lark.lexer.BasicLexer).
        terms = [self.terminals[n] for n in accepts | self.ignore if n in self.terminals]
        terms.sort(key=lambda t: (-t.priority, -t.max_width, -len(t.value), t.name))
        regexps = [t for t in terms if t.kind == "re"]
        keywords: dict[str, str] = {}
        folded: set[str] = set()
        # A keyword a pattern also matches (`owner` is a NAME too) is found through
        # that pattern and then looked up, as Lark's lexer does ("unless").
        for literal in (t for t in terms if t.kind == "str"):
            for pattern in regexps:
                if pattern.priority != literal.priority:
                    continue
                m = re.match(pattern.regexp, literal.value)
                if m and m.group(0) == literal.value:
                    if pattern.name != "NAME":
                        raise AssertionError(f"keyword {literal.name} folded into {pattern.name}")
                    keywords[literal.value] = literal.name
                    if literal.flags <= pattern.flags:
                        folded.add(literal.name)
        alternatives = [f"(?P<{t.name}>{t.regexp})" for t in terms
                        if t.name not in folded and t.name != _WHITESPACE]
        alternatives.append(f"(?P<{_EOF_GROUP}>\\Z)")
        compiled = re.compile(f"(?:{self.whitespace})?(?:{'|'.join(alternatives)})")
        return _Scanner(compiled, keywords)


# How the loop reduces a rule. The three commonest shapes are done in place,
# without a call: a third of all reductions only rename their one child
# (`?touchpoint_item: step | metric | …`), most others add one item to a list.
_PASS = 0  # `?rule: child`: the child is the value
_FIRST = 1  # `__x_star: item`: a list of one item
_APPEND = 2  # `__x_star: __x_star item`: the item added to the list
_CALL = 3  # anything else: the rule's function


def _kept(symbol: _Symbol, terminals: dict[str, _Terminal]) -> bool:
    return not symbol.is_term or terminals[symbol.name].kind == "re"


def _shape(rule: _Rule, terminals: dict[str, _Terminal]) -> int:
    symbols = rule.expansion
    helper = rule.origin.name.startswith("_")
    if not helper and rule.expand1 and len(symbols) == 1:
        return _PASS
    if helper and len(symbols) == 1 and _kept(symbols[0], terminals) and not symbols[0].name.startswith("_"):
        return _FIRST
    if (helper and len(symbols) == 2 and symbols[0] == rule.origin
            and _kept(symbols[1], terminals) and not symbols[1].name.startswith("_")):
        return _APPEND
    return _CALL


def _reducer(rule: _Rule, terminals: dict[str, _Terminal]) -> Callable[[list[Any], str], Any]:
    """The function that turns a rule's children (stack values) into its value, given the file's path."""
    name = rule.origin.name
    symbols = rule.expansion
    # Which children count: nodes and literals; keywords and punctuation are dropped.
    keep = [i for i, s in enumerate(symbols) if _kept(s, terminals)]
    splice = [i for i in keep if not symbols[i].is_term and symbols[i].name.startswith("_")]
    if name.startswith("_"):  # a helper of `x*`: its kept children go into the rule using it
        if splice:
            def helper(children: list[Any], path: str) -> Any:
                out = _Inline()
                for i in keep:
                    c = children[i]
                    if type(c) is _Inline:
                        out.extend(c)
                    else:
                        out.append(c)
                return out
            return helper
        return lambda children, path: _Inline([children[i] for i in keep])
    if rule.expand1 and len(symbols) == 1:
        return lambda children, path: children[0]
    if name in PASS_THROUGH:
        if splice:
            return lambda children, path: list(children[0]) if children else []
        return lambda children, path: [children[i] for i in keep]
    build = NODES[name]
    first, last = symbols[0], symbols[-1]
    if not symbols:
        raise AssertionError(f"rule {name} matches nothing: no span to give its node")
    start_of = _start_reader(first, terminals)
    end_of = _end_reader(last, terminals)
    if splice:
        def reduce_spliced(children: list[Any], path: str) -> Any:
            parts: list[Any] = []
            for i in keep:
                c = children[i]
                if type(c) is _Inline:
                    parts.extend(c)
                else:
                    parts.append(c)
            line, column = start_of(children[0])
            end_line, end_column = end_of(children[-1])
            return build(parts, make_span(path, line, column, end_line, end_column))
        return reduce_spliced

    def reduce(children: list[Any], path: str) -> Any:
        line, column = start_of(children[0])
        end_line, end_column = end_of(children[-1])
        return build([children[i] for i in keep], make_span(path, line, column, end_line, end_column))
    return reduce


def _node_span(value: Any) -> Any:
    if type(value) is tuple:  # a step clause: ("by", name)
        return value[1].span
    if type(value) is _Inline:
        raise AssertionError("a helper rule at the edge of a rule")
    return value.span


def _start_reader(symbol: _Symbol, terminals: dict[str, _Terminal]) -> Callable[[Any], tuple[int, int]]:
    if symbol.is_term and terminals[symbol.name].kind == "str":
        return lambda v: (v[0], v[1])  # a keyword's position: (line, column, end_line, end_column)

    def start(v: Any) -> tuple[int, int]:
        if type(v) is _Inline:
            v = v[0]
        s = _node_span(v)
        return s.line, s.column
    return start


def _end_reader(symbol: _Symbol, terminals: dict[str, _Terminal]) -> Callable[[Any], tuple[int, int]]:
    if symbol.is_term and terminals[symbol.name].kind == "str":
        return lambda v: (v[2], v[3])

    def end(v: Any) -> tuple[int, int]:
        if type(v) is _Inline:
            v = v[-1]
        s = _node_span(v)
        return s.end_line, s.end_column
    return end


def parse_fast(ctx: ParseContext) -> list[Any] | None:
    """The declarations of a file without syntax errors; None at the first thing not expected."""
    m_ = _machine()
    text = ctx.text
    path = ctx.path
    actions = m_.actions
    gotos = m_.gotos
    reducers = m_.reducers
    scanners = m_.scanners
    literals = LITERALS
    end_state = m_.end_state
    comments = ctx.comments

    state = m_.start_state
    states = [state]
    values: list[Any] = []
    pos = 0
    line = 1
    line_start = 0
    while True:
        scan = scanners.get(state) or m_.scanner(state)
        m = scan.match(text, pos)
        if m is None:
            return None
        kind = m.lastgroup
        start = m.start(kind)  # type: ignore[arg-type]
        if start != pos:
            breaks = text.count("\n", pos, start)
            if breaks:
                line += breaks
                line_start = text.rindex("\n", pos, start) + 1
        end = m.end()
        if kind == "NAME":
            value = text[start:end]
            type_ = scan.keywords.get(value, "NAME")
        elif kind == _COMMENT:
            comments.append(ast.Comment(text[start:end].rstrip("\r"),
                                        make_span(path, line, start - line_start + 1, line, end - line_start + 1)))
            pos = end
            continue
        elif kind == _EOF_GROUP:
            type_ = _END
            value = ""
        else:
            type_ = kind  # type: ignore[assignment]
            value = text[start:end]
        action = actions[state].get(type_)
        if action is None:
            return None
        while action < 0:  # reduce, as often as the table says, then shift
            shape, size, origin, reduce = reducers[~action]
            if shape == _PASS:
                state = states[-1] = gotos[states[-2]][origin]
            elif shape == _APPEND:
                item = values.pop()
                states.pop()
                values[-1].append(item)
                state = states[-1] = gotos[states[-2]][origin]
            elif shape == _FIRST:
                values[-1] = _Inline((values[-1],))
                state = states[-1] = gotos[states[-2]][origin]
            else:
                if size:
                    children = values[-size:]
                    del values[-size:]
                    del states[-size:]
                else:
                    children = []
                values.append(reduce(children, path))  # type: ignore[misc]
                state = gotos[states[-1]][origin]
                states.append(state)
                if type_ == _END and state == end_state:
                    return values[-1]  # type: ignore[no-any-return]
            action = actions[state].get(type_)
            if action is None:
                return None
        if type_ == _END:
            return None  # the table never shifts the end; a grammar this loop does not know
        column = start - line_start + 1
        if type_ == "STRING" and "\n" in value:
            end_line = line + value.count("\n")
            end_column = end - (start + value.rindex("\n") + 1) + 1
            literal = literals["STRING"](ctx, value, start, line, column, end_line, end_column)
            line = end_line
            line_start = start + value.rindex("\n") + 1
        elif type_ in literals:
            literal = literals[type_](ctx, value, start, line, column, line, column + end - start)
        else:
            literal = (line, column, line, column + end - start)
        state = action
        states.append(state)
        values.append(literal)
        pos = end
