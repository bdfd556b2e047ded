"""Parsing a file with syntax errors: Lark's LALR parser with error recovery.

Files without errors take the fast driver (`touchdsl.language.lalr`); a file
that driver cannot finish is parsed again here, where every syntax error is
reported in plain words.

Recovery: on an unexpected token we report it once per line, then drop tokens
until a keyword or `}` that starts a line can be accepted by some enclosing rule
(popping the parser's stacks down to it), so later errors in the same run are
still found. At the end of the file, open blocks are closed.
"""

from __future__ import annotations

import difflib
import re
from typing import Any, Iterator

from lark import Token, Transformer
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from touchdsl.diagnostics import Diagnostic, Severity, Span
from touchdsl.language import ast, syntax
from touchdsl.language.builder import LITERAL_TYPES, LITERALS, NODES, ParseContext, make_span
from touchdsl.language.grammar import keyword_terminals, lark_parser, terminal_texts
from touchdsl.language.vocabulary import (
    DECLARATION_KEYWORDS,
    MEANT,
    NAMING_KEYWORDS,
    RESYNC_WORDS,
    TERMINAL_WORDS,
    block_keywords,
)

__all__ = ["MAX_ERRORS_PER_FILE", "parse_recovering"]

MAX_ERRORS_PER_FILE = 50
MAX_RECOVERY_STEPS = 2000

# The context of the parse in progress, for Lark's callbacks (which get no arguments of ours).
_current: list[ParseContext] = []


def on_comment(token: Token) -> Token:
    if _current:
        ctx = _current[-1]
        ctx.comments.append(ast.Comment(str(token).rstrip("\r"), token_span(ctx.path, token)))
    return token


def _at(tok: Token) -> tuple[int, int, int, int, int]:
    """A token's offset, line, column, end line and end column.

    Lark types them optional; its lexer, and every token made here, sets them all.
    """
    line = tok.line or 1
    column = tok.column or 1
    return (tok.start_pos or 0, line, column, tok.end_line or line, tok.end_column or column)


def token_span(path: str, tok: Token) -> Span:
    _, line, column, end_line, end_column = _at(tok)
    return make_span(path, line, column, end_line, end_column)


class KeywordsAfterAnError:
    """Right after a syntax error, a statement keyword starting the next line is a keyword.

    The contextual lexer lexes `expectation` as a name where the parser wants a
    name, so after `owner 12` the next line's `expectation` would be taken as
    the owner and the following error would list the wrong words. Only while
    the parser is recovering (nothing parsed since the error) is the keyword
    restored, so names that happen to be keywords still work everywhere else.
    """

    always_accept = ()

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        for tok in stream:
            if tok.type == "NAME" and _current:
                ctx = _current[-1]
                rec = ctx.recovery
                if (rec is not None and rec.recovering and tok.value in RESYNC_WORDS
                        and _is_line_start(ctx.text, _at(tok)[0])
                        and _SKIPPABLE.fullmatch(ctx.text, rec.resume_from, _at(tok)[0])):
                    kind = keyword_terminals().get(tok.value)
                    if kind is not None:
                        tok = Token.new_borrow_pos(kind, tok.value, tok)
            yield tok


def _literal(ctx: ParseContext, tok: Token) -> Any:
    return LITERALS[tok.type](ctx, str(tok), *_at(tok))


def _parts(ctx: ParseContext, children: list[Any]) -> list[Any]:
    """A rule's literals and nodes, in order; keywords and punctuation dropped."""
    return [_literal(ctx, c) if isinstance(c, Token) else c for c in children
            if not isinstance(c, Token) or c.type in LITERAL_TYPES]


def _span_of(path: str, children: list[Any]) -> Span:
    first, last = children[0], children[-1]
    if isinstance(first, Token):
        _, line, column, _, _ = _at(first)
    else:
        a = first[1].span if isinstance(first, tuple) else first.span  # tuple: a step clause
        line, column = a.line, a.column
    if isinstance(last, Token):
        _, _, _, end_line, end_column = _at(last)
    else:
        b = last[1].span if isinstance(last, tuple) else last.span
        end_line, end_column = b.end_line, b.end_column
    return make_span(path, line, column, end_line, end_column)


class LarkBuilder(Transformer):  # type: ignore[type-arg]
    """Lark's callbacks: each rule's node is built by `touchdsl.language.builder.NODES`."""

    def start(self, children: list[Any]) -> list[Any]:
        return [c for c in children if not isinstance(c, Token)]


def _rule_callback(build: Any) -> Any:
    def callback(self: LarkBuilder, children: list[Any]) -> Any:
        ctx = _current[-1]
        return build(_parts(ctx, children), _span_of(ctx.path, children))

    return callback


for _rule, _build in NODES.items():
    setattr(LarkBuilder, _rule, _rule_callback(_build))


# ---- errors in words ------------------------------------------------------------------

def _describe_expected(names: set[str]) -> tuple[str, list[str]]:
    words, keywords = [], []
    for n in sorted(names):
        if n in TERMINAL_WORDS:
            words.append(TERMINAL_WORDS[n])
            continue
        text = terminal_texts().get(n)
        if text is not None:
            keywords.append(text)
    keywords.sort(key=lambda k: (not k[0].isalpha(), k))
    items = words + [f"`{k}`" for k in keywords[:8]]
    if len(keywords) > 8:
        items.append(f"{len(keywords) - 8} more keywords")
    if not items:
        return "something else", keywords
    if len(items) == 1:
        return items[0], keywords
    return ", ".join(items[:-1]) + " or " + items[-1], keywords


def _acceptable(e: UnexpectedToken) -> set[str]:
    """The tokens that could come instead of the unexpected one.

    Lark's `expected` is the table row of the state the error happened in; LALR
    merges the lookaheads of a rule used in several places, so after `time from
    a.start` that row also holds whatever follows an event elsewhere (`until a.end`
    ends an `updates` line: every statement keyword). Trying each token on a copy of
    the parser leaves the one that fits: `to`. The end of the file is left out: a
    token was found, and "expected the end of the file" helps no one.
    """
    accepted: set[str] = set(e.interactive_parser.accepts()) - {"$END"}  # type: ignore[no-untyped-call]
    return accepted or set(e.expected or ())


def _describe_found(tok: Token) -> str:
    if tok.type == "$END":
        return "the end of the file"
    text = str(tok)
    if tok.type == "STRING":
        return "a text"
    if len(text) > 30:
        text = text[:27] + "…"
    return f"`{text}`"


def _help_for(tok: Token | None, char: str | None, expected: set[str], keywords: list[str],
              after: str = "") -> list[str]:
    """Help for an unexpected token; `after` is the text right after it."""
    helps: list[str] = []
    found = str(tok) if tok is not None else (char or "")
    alpha_keywords = [k for k in keywords if k[:1].isalpha()]
    if tok is not None and tok.type == "NAME" and alpha_keywords:
        alias = MEANT.get(found.lower())
        close = ([alias] if alias is not None and alias in alpha_keywords else
                 difflib.get_close_matches(found, alpha_keywords, n=1, cutoff=0.6))
        if close:
            helps.append(f"did you mean `{close[0]}`?")
    if tok is not None and tok.type == "NUMBER":
        if "PERCENT" in expected:
            helps.append(f"write a percentage with a % sign: `{syntax.percent_for(found)}`")
        if "DURATION" in expected:
            meant = syntax.durations_for(found, after)
            if len(meant) == 1:
                written = re.match(r"[A-Za-z]*", after)
                unit = meant[0][len(found):]
                if written is not None and written.group().lower() == unit:
                    helps.append(f"units are lowercase: `{meant[0]}`")
                else:  # `30sec`, `2Days`: the unit is one of the short ones
                    helps.append(f"the units are ms, s, m, h, d and w: `{meant[0]}`")
            else:
                helps.append("add a unit (ms, s, m, h, d or w): " + ", ".join(f"`{d}`" for d in meant))
    if "NAME" in expected and found[:1].isupper() and found.replace("_", "").isalnum():
        helps.append(f"names are lowercase: `{found.lower()}`")
    return helps


_SKIPPABLE = re.compile(r"(?:\s|#[^\n]*)*")


def _is_line_start(text: str, pos: int) -> bool:
    start = text.rfind("\n", 0, pos) + 1
    return text[start:pos].strip(" \t\ufeff") == ""


class Recovery:
    def __init__(self, ctx: ParseContext):
        self.ctx = ctx
        self.last_line = -1
        self.count = 0
        self.calls = 0
        self.gave_up = False
        self.recovering = False
        self.resume_from = 0  # offset just past the last token dropped or reported
        self.damaged: list[Span] = []
        self.broken: list[ast.Broken] = []

    def report(self, span: Span, message: str, helps: list[str], code: str) -> None:
        self.damaged.append(span)
        if span.line == self.last_line:
            return
        self.last_line = span.line
        self.count += 1
        self.ctx.diagnostics.append(Diagnostic(code, message, span, Severity.ERROR, tuple(helps)))

    def __call__(self, e: UnexpectedInput) -> bool:
        # Dropped tokens on one line are not reported, but each costs an
        # exception: bound the work on garbage input (one 10 MB line, say).
        self.calls += 1
        if self.count >= MAX_ERRORS_PER_FILE or self.calls > MAX_RECOVERY_STEPS:
            self.gave_up = True
            return False
        # Tokens parsed without complaint since the last error mean the parser
        # had resumed: this is a new error, not more of the old one.
        pos = _at(e.token)[0] if isinstance(e, UnexpectedToken) else e.pos_in_stream
        if self.recovering and pos is not None and not _SKIPPABLE.fullmatch(self.ctx.text, self.resume_from, pos):
            self.recovering = False
        if not self.recovering and pos is not None and not (isinstance(e, UnexpectedToken) and e.token.type == "$END"):
            statement = _Statement.at(e.interactive_parser.parser_state.value_stack)
            if statement.header_of_block:
                return self._skip_declaration(e, pos, statement)
            if statement.named is not None:
                self.broken.append(statement.broken(self.ctx, pos))
        if isinstance(e, UnexpectedToken):
            ok = self._token(e)
            end = e.token.end_pos
            self.resume_from = end if end is not None else len(self.ctx.text)
            return ok
        if isinstance(e, UnexpectedCharacters):
            ok = self._characters(e)
            self.resume_from = (e.pos_in_stream or 0) + 1
            return ok
        return False

    def _characters(self, e: UnexpectedCharacters) -> bool:
        ctx = self.ctx
        at = e.pos_in_stream or 0
        char = ctx.text[at] if at < len(ctx.text) else ""
        span = Span.point(ctx.path, e.line, e.column)
        expected = set(e.allowed or ())
        what, keywords = _describe_expected(expected)
        if self.recovering:
            self.damaged.append(span)
            return True  # inside the region an error already covers
        self.recovering = True
        if char == '"':
            self.report(span, "this text has no closing `\"` on its line", [
                'close it with `"`, or use `"""` … `"""` for text over several lines'], "TD002")
        elif char.isalpha() and not char.isascii():
            self.report(span, f"`{char}` cannot start a name; expected {what}", [
                "names use the letters a-z, digits and `_`; put other text in quotes: \"…\""], "TD002")
        else:
            shown = repr(char)[1:-1] if char and not char.isprintable() else char
            self.report(span, f"unexpected character `{shown}`; expected {what}",
                        _help_for(None, char, expected, keywords), "TD002")
        return True

    def _token(self, e: UnexpectedToken) -> bool:
        ctx = self.ctx
        tok = e.token
        ip = e.interactive_parser
        expected = set(e.expected or ())
        if tok.type == "$END":
            line = ctx.text.count("\n") + 1
            col = len(ctx.text) - (ctx.text.rfind("\n") + 1) + 1
            span = Span.point(ctx.path, line, col)
            if "RBRACE" in expected:
                opened = self._open_block(ip)
                msg = "the file ends before this block is closed; expected `}`"
                helps = [f"the block opened at line {opened} needs a closing `}}`"] if opened else []
                self.report(span, msg, helps, "TD004")
            else:
                what, _ = _describe_expected(expected)
                self.report(span, f"the file ends too early; expected {what}", [], "TD004")
            return self._finish(ip)
        span = token_span(ctx.path, tok)
        # A `}` closes a block wherever it stands (one-line blocks are common); a
        # keyword only where it starts a line, since keywords double as names.
        resync_point = tok.type == "RBRACE" or (str(tok) in RESYNC_WORDS and _is_line_start(ctx.text, _at(tok)[0]))
        # While recovering, a statement keyword that fits an enclosing block is
        # where the author's next statement starts: resume silently there.
        if resync_point and self.recovering and self._resync(ip, tok):
            self.recovering = False
            return True
        if self.recovering and tok.type == "RBRACE":
            self.damaged.append(span)
            return True  # the end of the block the error was in: nothing new to say
        if self.recovering:
            # Nothing was parsed since the error, and this token fits no open
            # block either: still the broken region (the body of a block whose
            # head was lost, say). One error per region, not one per line.
            self.damaged.append(span)
            return True
        self._report_token(e, resync_point)
        self.recovering = True
        if resync_point and self._resync(ip, tok):
            self.recovering = False
        return True

    def _report_token(self, e: UnexpectedToken, resync_point: bool) -> None:
        tok = e.token
        expected = _acceptable(e)
        if expected == {"BUSINESS"}:
            # `within 30` read the number as the start of `30 business days`: the
            # mistake is the number without its unit, so report that.
            number = e.interactive_parser.parser_state.value_stack[-1]
            if isinstance(number, Token) and number.type == "NUMBER":
                end = number.end_pos if number.end_pos is not None else 0
                helps = _help_for(number, None, {"DURATION"}, [], after=self.ctx.text[end:end + 2])
                helps.append(f"or business days, by the metric's calendar: `{number} business days`")
                self.report(token_span(self.ctx.path, number),
                            f"expected a duration such as 30s or 48h, or business days, found `{number}`",
                            helps, "TD001")
                return
        what, keywords = _describe_expected(expected)
        end = tok.end_pos if tok.end_pos is not None else 0
        helps = _help_for(tok, None, expected, keywords, after=self.ctx.text[end:end + 2])
        if "RBRACE" in expected and resync_point and str(tok) in DECLARATION_KEYWORDS:
            opened = self._open_block(e.interactive_parser)
            if opened:
                helps.append(f"the block opened at line {opened} may be missing its closing `}}`")
        self.report(token_span(self.ctx.path, tok), f"expected {what}, found {_describe_found(tok)}", helps, "TD001")

    def _skip_declaration(self, e: UnexpectedInput, pos: int, statement: "_Statement") -> bool:
        """An error in the head of a block (`owner x "X {`): the whole block goes, braces balanced.

        Resuming inside the block would read its statements as the rest of the
        head (`expected {, found notify` on every line). The error is reported as
        usual; the declaration is dropped up to its matching `}` (or up to the
        next declaration, if its braces are missing) and recorded as broken.
        """
        ctx = self.ctx
        if isinstance(e, UnexpectedToken):
            tok = e.token
            self._report_token(e, tok.type == "RBRACE" or (
                str(tok) in RESYNC_WORDS and _is_line_start(ctx.text, _at(tok)[0])))
        else:
            self._characters(e)  # type: ignore[arg-type]
        keyword = statement.keyword
        end = _declaration_end(ctx.text, pos, _at(keyword)[2], statement.context)
        ip = e.interactive_parser
        ps = ip.parser_state
        del ps.state_stack[statement.start + 1:]
        del ps.value_stack[statement.start:]
        self.broken.append(statement.broken(ctx, end))
        self.damaged.append(token_span(ctx.path, keyword))
        lexer: Any = ip.lexer_thread.state
        if isinstance(e, UnexpectedToken) and end <= _at(e.token)[0]:
            # The next declaration begins at the error token: hand it to the parser.
            self.recovering = not self._resync(ip, e.token)
            self.resume_from = e.token.end_pos if e.token.end_pos is not None else end
            return True
        if end > lexer.line_ctr.char_pos:
            lexer.line_ctr.feed(ctx.text[lexer.line_ctr.char_pos:end])
        self.recovering = False
        self.resume_from = end
        return True

    def _open_block(self, ip: Any) -> int | None:
        for value in reversed(ip.parser_state.value_stack):
            if isinstance(value, Token) and value.type == "LBRACE":
                return value.line
        return None

    @staticmethod
    def _table(ip: Any) -> Any:
        return ip.parser_state.parse_conf.parse_table.states

    def _resync(self, ip: Any, tok: Token) -> bool:
        """Unwind the parser to a state that accepts `tok`, and feed it.

        A partial statement is dropped; a block that may end here is closed with
        a `}` supplied at `tok`, so a forgotten brace loses none of the block's
        content (`owner … {` without `}` before the next `touchpoint`).
        """
        ps = ip.parser_state
        states = self._table(ip)
        saved = (list(ps.state_stack), list(ps.value_stack))
        start, line, column, _, _ = _at(tok)
        brace = Token("RBRACE", "}", start_pos=start, line=line, column=column,
                      end_line=line, end_column=column, end_pos=start)
        try:
            for _ in range(10_000):
                top = states[ps.state_stack[-1]]
                if tok.type in top:
                    ip.feed_token(tok)
                    return True
                if tok.type != "RBRACE" and "RBRACE" in top:
                    ip.feed_token(brace)
                    continue
                if len(ps.state_stack) <= 1:
                    break
                ps.state_stack.pop()
                ps.value_stack.pop()
        except UnexpectedInput:
            pass
        ps.state_stack[:], ps.value_stack[:] = saved
        return False

    def _finish(self, ip: Any) -> bool:
        """At the end of the file: close open blocks so what was parsed is kept."""
        ps = ip.parser_state
        states = self._table(ip)
        # The closing braces we supply sit at the end of the file: the blocks they
        # close need a complete span like any other (the checker compares spans).
        text = self.ctx.text
        line = text.count("\n") + 1
        col = len(text) - (text.rfind("\n") + 1) + 1
        for _ in range(10_000):
            top = states[ps.state_stack[-1]]
            if "$END" in top:
                return True
            if "RBRACE" in top:
                try:
                    ip.feed_token(Token("RBRACE", "}", start_pos=len(text), line=line, column=col,
                                        end_line=line, end_column=col, end_pos=len(text)))
                    continue
                except UnexpectedInput:
                    pass
            if len(ps.state_stack) <= 1:
                return False
            ps.state_stack.pop()
            ps.value_stack.pop()
        return False


# Blocks by the keyword that opens them, and the blocks each may stand in (None: top level).
_BLOCK_CONTEXT = {
    "calendar": None, "owner": None, "journey": None, "defaults": None, "touchpoint": None,
    "metric": "touchpoint", "source": "metric",
}


class _Statement:
    """The statement the parser is in the middle of, read off its value stack."""

    def __init__(self, values: list[Any], start: int, context: str | None, scope: str | None) -> None:
        self.values = values  # from the statement's keyword on
        self.start = start  # index of the keyword in the value stack
        self.context = context  # keyword of the enclosing block, None at the top level
        self.scope = scope  # name of the enclosing block
        self.keyword: Token = values[0]

    @classmethod
    def at(cls, stack: list[Any]) -> "_Statement":
        i = len(stack)
        while i > 0 and not (isinstance(stack[i - 1], Token) and stack[i - 1].type == "LBRACE"):
            i -= 1
        # The statement begins at the first token after the innermost open `{`:
        # the items before it were reduced to nodes already.
        start = next((j for j in range(i, len(stack)) if isinstance(stack[j], Token)), len(stack))
        context = scope = None
        if i > 0:
            k = i - 1
            while k > 0 and not (isinstance(stack[k - 1], Token) and stack[k - 1].type == "LBRACE"):
                k -= 1
            opener = next((j for j in range(k, i - 1) if isinstance(stack[j], Token)), None)
            if opener is not None:
                context = str(stack[opener])
                after = stack[opener + 1] if opener + 1 < len(stack) else None
                scope = str(after) if isinstance(after, Token) and after.type == "NAME" else None
        return cls(stack[start:] or [None], start, context, scope)

    @property
    def header_of_block(self) -> bool:
        word = str(self.keyword) if isinstance(self.keyword, Token) else None
        return word in _BLOCK_CONTEXT and _BLOCK_CONTEXT[word] == self.context and self.keyword.type != "NAME"

    @property
    def named(self) -> Token | None:
        """The name of a declaration or step or stage being written, once the parser has read it."""
        if not isinstance(self.keyword, Token) or str(self.keyword) not in NAMING_KEYWORDS:
            return None
        if self.keyword.type == "NAME" or (str(self.keyword) in ("owner", "journey") and self.context is not None):
            return None  # a name that spells a keyword, or `owner x` inside a touchpoint
        if len(self.values) > 1 and isinstance(self.values[1], Token) and self.values[1].type == "NAME":
            return self.values[1]
        return None

    def broken(self, ctx: ParseContext, end: int) -> ast.Broken:
        name = self.named
        line = ctx.text.count("\n", 0, end) + 1
        column = end - (ctx.text.rfind("\n", 0, end) + 1) + 1
        _, start_line, start_column, _, _ = _at(self.keyword)
        span = make_span(ctx.path, start_line, start_column, line, column)
        written = ast.Name(str(name), token_span(ctx.path, name)) if name is not None else None
        return ast.Broken(str(self.keyword), written, self.scope if self.context is not None else None, span)


_SKIM = re.compile(r"""
    (?P<text>\"\"\"[^"\\]*+(?:(?:\\.|"(?!""))[^"\\]*+)*+\"\"\"|"[^"\\\n]*+(?:\\.[^"\\\n]*+)*+")
  | (?P<comment>\#[^\n]*)
  | (?P<open>\{) | (?P<close>\})
  | (?P<line>\n[ \t\f\r\ufeff]*)
  | (?P<other>[^"{}\n\#]+|")
""", re.S | re.X)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DECLARATION_SHAPE = re.compile(r"[ \t]+[A-Za-z_][A-Za-z0-9_]*[ \t]*[\"{]")


def _starts_declaration(text: str, at: int, column: int, keyword_column: int, context: str | None) -> bool:
    """Whether a line starting at `at` (its first word in `column`) begins the next statement of `context`."""
    if column > keyword_column:
        return False  # deeper than the broken declaration: part of its body
    word = _WORD.match(text, at)
    if word is None or word.group() not in block_keywords(context):
        return False
    if context is None and word.group() in ("owner", "journey"):
        # Inside an unindented touchpoint body these are statements (`owner ops`);
        # a declaration has a title or a block after its name.
        return _DECLARATION_SHAPE.match(text, word.end()) is not None
    return True


def _declaration_end(text: str, pos: int, keyword_column: int, context: str | None) -> int:
    """Where the declaration broken at `pos` ends: after its matching `}`, or where the next one starts."""
    line_start = text.rfind("\n", 0, pos) + 1
    if text[line_start:pos].strip(" \t\f\r\ufeff") == "" and _starts_declaration(
            text, pos, pos - line_start + 1, keyword_column, context):
        return pos
    depth = 0
    for m in _SKIM.finditer(text, pos):
        kind = m.lastgroup
        if kind == "open":
            depth += 1
        elif kind == "close":
            if depth > 1:
                depth -= 1
                continue
            if depth == 1:
                return m.end()
            # A `}` before any `{`. On the head's own line it is a typo in the
            # head (`"T" }{`); on a later line the head had no brace: at or right
            # of the keyword it closes this declaration, left of it the enclosing block.
            line_start = text.rfind("\n", 0, m.start()) + 1
            if line_start <= pos:
                continue
            column = m.start() - line_start + 1
            return m.end() if column >= keyword_column else m.start()
        elif kind == "line":
            column = m.end() - m.start()
            if _starts_declaration(text, m.end(), column, keyword_column, context):
                return m.end()
    return len(text)


def parse_recovering(ctx: ParseContext) -> tuple[list[Any], "Recovery"]:
    """Parse with Lark, recovering from every syntax error; the declarations and the recovery's record."""
    recovery = Recovery(ctx)
    ctx.recovery = recovery
    result: Any = []
    _current.append(ctx)
    try:
        try:
            result = lark_parser().parse(ctx.text, on_error=recovery)
        except UnexpectedInput:
            result = []  # recovery gave up (too many errors); what it reported stands
    finally:
        _current.pop()
        ctx.recovery = None
    if recovery.gave_up:
        ctx.diagnostics.append(
            Diagnostic("TD001", f"too many syntax errors in {ctx.path}; stopped reading it here", None,
                       Severity.ERROR, ("fix the errors above and run again; is this really a .touch file?",))
        )
    return [d for d in (result or []) if not isinstance(d, Token)], recovery
