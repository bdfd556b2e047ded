"""Parse one `.touch` source into a `touchdsl.language.ast.File`, reporting every syntax error.

Lark LALR with the contextual lexer; the transformer runs inside the parser so
no intermediate parse tree is built. The grammar analysis is cached on disk by
Lark (`cache=True`), so start-up after the first run is cheap.

Error recovery: on an unexpected token we report it once per line, then drop
tokens until a keyword or `}` that starts a line can be accepted by some
enclosing rule (popping the parser's stacks down to it), so later errors in
the same run are still found. At the end of the file, open blocks are closed.
"""

from __future__ import annotations

import difflib
import re
import textwrap
from functools import lru_cache
from typing import Any

from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from touchdsl import durations
from touchdsl.diagnostics import Diagnostic, Severity, Span
from touchdsl.language import ast, syntax

MAX_ERRORS_PER_FILE = 50
MAX_RECOVERY_STEPS = 2000


def _grammar_text() -> str:
    try:
        from importlib.resources import files

        return (files("touchdsl.grammar") / "touch.lark").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):  # running from a source tree
        from pathlib import Path

        return (Path(__file__).resolve().parent.parent / "grammar" / "touch.lark").read_text(encoding="utf-8")


class _Context:
    """Per-parse state shared by the transformer and the lexer callback."""

    def __init__(self, path: str, text: str):
        self.path = path
        self.text = text
        self.comments: list[ast.Comment] = []
        self.diagnostics: list[Diagnostic] = []
        self.recovery: "_Recovery | None" = None


_current: list[_Context] = []


def _on_comment(token: Token) -> Token:
    if _current:
        ctx = _current[-1]
        ctx.comments.append(ast.Comment(str(token).rstrip("\r"), _token_span(ctx.path, token)))
    return token


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
def _lark() -> Lark:
    grammar = _grammar_text()
    return Lark(
        grammar,
        parser="lalr",
        lexer="contextual",
        transformer=_Builder(),
        keep_all_tokens=True,
        maybe_placeholders=False,
        lexer_callbacks={"COMMENT": _on_comment},
        postlex=_KeywordsAfterAnError(),
        cache=_cache_file(grammar),
    )


class _KeywordsAfterAnError:
    """Right after a syntax error, a statement keyword starting the next line is a keyword.

    The contextual lexer lexes `expectation` as a name where the parser wants a
    name, so after `owner 12` the next line's `expectation` would be taken as
    the owner and the following error would list the wrong words. Only while
    the parser is recovering (nothing parsed since the error) is the keyword
    restored, so names that happen to be keywords still work everywhere else.
    """

    always_accept = ()

    def process(self, stream):
        for tok in stream:
            if tok.type == "NAME" and _current:
                ctx = _current[-1]
                rec = ctx.recovery
                if (rec is not None and rec.recovering and tok.value in _RESYNC
                        and _is_line_start(ctx.text, tok.start_pos)
                        and _SKIPPABLE.fullmatch(ctx.text, rec.resume_from, tok.start_pos)):
                    kind = _keyword_terminals().get(tok.value)
                    if kind is not None:
                        tok = Token.new_borrow_pos(kind, tok.value, tok)
            yield tok


@lru_cache(maxsize=1)
def _keyword_terminals() -> dict[str, str]:
    return {t.pattern.value: t.name for t in _lark().terminals if t.pattern.type == "str"}


def _token_span(path: str, tok: Token) -> Span:
    return Span(path, tok.line, tok.column, tok.end_line, tok.end_column)


def _span_of(path: str, children: list) -> Span:
    # Read the ends straight off the first and last child: building a Span for
    # each only to take two fields of it was a fifth of the transformer's time.
    first, last = children[0], children[-1]
    if isinstance(first, Token):
        line, column = first.line, first.column
    else:
        a = first[1].span if isinstance(first, tuple) else first.span  # tuple: a step clause
        line, column = a.line, a.column
    if isinstance(last, Token):
        end_line, end_column = last.end_line, last.end_column
    else:
        b = last[1].span if isinstance(last, tuple) else last.span
        end_line, end_column = b.end_line, b.end_column
    return Span(path, line, column, end_line, end_column)


_ESCAPE = re.compile(r"\\(u\{([0-9A-Fa-f]{1,6})\}|.)", re.S)
_SIMPLE_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t"}


def _decode(ctx: _Context, tok: Token) -> ast.Text:
    raw = str(tok)
    triple = raw.startswith('"""')
    body = raw[3:-3] if triple else raw[1:-1]
    if triple:
        # Drop the line break after the opening quotes and the indentation before
        # the closing ones, then the common indentation: what the author meant.
        # A file saved with Windows line ends means the same text.
        body = body.replace("\r\n", "\n")
        if body.startswith("\n"):
            body = body[1:]
        body = textwrap.dedent(body)
        body = re.sub(r"\n[ \t]*\Z", "", body).rstrip(" \t")
    span = _token_span(ctx.path, tok)

    def replace(m: re.Match) -> str:
        if m.group(2) is not None:
            code = int(m.group(2), 16)
            if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                _escape_error(ctx, tok, m, f"`\\u{{{m.group(2)}}}` is not a Unicode character")
                return ""
            return chr(code)
        ch = m.group(1)
        if ch in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[ch]
        _escape_error(ctx, tok, m, f"unknown escape `\\{ch}` in text")
        return ch

    value = _ESCAPE.sub(replace, body) if "\\" in body else body
    return ast.Text(value, span, raw)


def _escape_error(ctx: _Context, tok: Token, m: re.Match, message: str) -> None:
    # Locate the escape inside the literal for an exact caret.
    offset = tok.start_pos + m.start() + (3 if str(tok).startswith('"""') else 1)
    if str(tok).startswith('"""'):
        offset = tok.start_pos + str(tok).find(m.group(0), 3)
    line = ctx.text.count("\n", 0, offset) + 1
    col = offset - (ctx.text.rfind("\n", 0, offset) + 1) + 1
    ctx.diagnostics.append(
        Diagnostic(
            "TD003",
            message,
            Span.point(ctx.path, line, col, len(m.group(0))),
            help=("escapes are \\\" \\\\ \\n \\t and \\u{05D0}; write \\\\ for a backslash",),
        )
    )


def _duration(ctx: _Context, tok: Token) -> ast.DurationLit:
    text = str(tok)
    return ast.DurationLit(durations.seconds(text), text, _token_span(ctx.path, tok))


def _name(ctx: _Context, tok: Token) -> ast.Name:
    return ast.Name(str(tok), _token_span(ctx.path, tok))


_LITERAL_TYPES = frozenset(("NAME", "STRING", "DURATION", "PERCENT", "NUMBER", "DATE", "TIME", "EMAIL"))


class _Builder(Transformer):
    """Builds AST nodes while Lark parses; keywords and punctuation are dropped here."""

    @property
    def ctx(self) -> _Context:
        return _current[-1]

    # -- terminals turned into literals on demand ----------------------------------------
    def _lit(self, tok: Any) -> Any:
        if not isinstance(tok, Token):
            return tok
        ctx = _current[-1]
        if tok.type == "NAME":
            return _name(ctx, tok)
        if tok.type == "STRING":
            return _decode(ctx, tok)
        if tok.type == "DURATION":
            return _duration(ctx, tok)
        if tok.type == "PERCENT":
            return ast.Percent(float(tok[:-1]), str(tok), _token_span(ctx.path, tok))
        if tok.type == "NUMBER":
            return ast.Number(float(tok), str(tok), _token_span(ctx.path, tok))
        if tok.type in ("DATE", "TIME"):
            return _name(ctx, tok)
        if tok.type == "EMAIL":
            return ast.Name(str(tok)[1:-1], _token_span(ctx.path, tok))
        return tok

    def _parts(self, children: list) -> list:
        # Called for every rule of every file: one pass, keywords and punctuation dropped.
        lit = self._lit
        return [lit(c) if isinstance(c, Token) else c for c in children
                if not isinstance(c, Token) or c.type in _LITERAL_TYPES]

    def _span(self, children: list) -> Span:
        return _span_of(_current[-1].path, children)

    # -- file ---------------------------------------------------------------------------
    def start(self, children):
        return [c for c in children if not isinstance(c, Token)]

    def import_decl(self, c):
        (path,) = self._parts(c)
        return ast.ImportDecl(path, self._span(c))

    # -- calendars ----------------------------------------------------------------------
    def calendar(self, c):
        name, title, *items = self._parts(c)
        return ast.CalendarDecl(name, title, tuple(items), self._span(c))

    def timezone(self, c):
        return ast.Timezone(self._parts(c)[0], self._span(c))

    def day_range(self, c):
        parts = self._parts(c)
        return ast.DayRange(parts[0], parts[1] if len(parts) > 1 else None, self._span(c))

    def hours(self, c):
        parts = self._parts(c)
        return ast.HoursLine(tuple(parts[:-2]), parts[-2], parts[-1], self._span(c))

    def holidays(self, c):
        return ast.Holidays(tuple(self._parts(c)), self._span(c))

    def closed(self, c):
        return ast.Closed(tuple(self._parts(c)), self._span(c))

    # -- owners, journeys, defaults -----------------------------------------------------
    def owner(self, c):
        name, title, *items = self._parts(c)
        return ast.OwnerDecl(name, title, tuple(items), self._span(c))

    def manager(self, c):
        name, email = self._parts(c)
        return ast.ManagerLine(name, email, self._span(c))

    def notify(self, c):
        kind, target = self._parts(c)
        return ast.ReceiverLine("notify", kind, target, self._span(c))

    def page(self, c):
        kind, target = self._parts(c)
        return ast.ReceiverLine("page", kind, target, self._span(c))

    def journey(self, c):
        name, title, *items = self._parts(c)
        return ast.JourneyDecl(name, title, tuple(items), self._span(c))

    def stage(self, c):
        name, title = self._parts(c)
        return ast.StageDecl(name, title, self._span(c))

    def defaults(self, c):
        return ast.DefaultsDecl(tuple(self._parts(c)), self._span(c))

    def charter_setting(self, c):
        key, value = self._parts(c)
        return ast.CharterSetting(key, value, self._span(c))

    # -- touchpoints --------------------------------------------------------------------
    def touchpoint(self, c):
        name, title, *items = self._parts(c)
        return ast.TouchpointDecl(name, title, tuple(items), self._span(c))

    def journey_ref(self, c):
        parts = self._parts(c)
        return ast.JourneyRef(parts[0], parts[1] if len(parts) > 1 else None, self._span(c))

    def owner_ref(self, c):
        return ast.OwnerRef(self._parts(c)[0], self._span(c))

    def expectation(self, c):
        return ast.Expectation(self._parts(c)[0], self._span(c))

    def channels(self, c):
        return ast.Channels(tuple(self._parts(c)), self._span(c))

    def step(self, c):
        name, title, *clauses = self._parts(c)
        by = tuple(x[1] for x in clauses if x[0] == "by")
        via = tuple(x[1] for x in clauses if x[0] == "via")
        return ast.StepDecl(name, title, by, via, self._span(c))

    def step_by(self, c):
        return ("by", self._parts(c)[0])

    def step_via(self, c):
        return ("via", self._parts(c)[0])

    def updates(self, c):
        parts = self._parts(c)
        until = parts[2] if len(parts) > 2 else None
        return ast.UpdatesLine(parts[0], parts[1], until, self._span(c))

    def escalate(self, c):
        to, *on = self._parts(c)
        return ast.EscalateLine(to, tuple(on), self._span(c))

    def event(self, c):
        step, moment = self._parts(c)
        return ast.EventRef(step, moment, self._span(c))

    # -- metrics ------------------------------------------------------------------------
    def metric(self, c):
        name, title, *items = self._parts(c)
        return ast.MetricDecl(name, title, tuple(items), self._span(c))

    def time_measure(self, c):
        parts = self._parts(c)
        return ast.TimeMeasure(parts[0], parts[1], parts[2] if len(parts) > 2 else None, self._span(c))

    def ratio_measure(self, c):
        num, den = self._parts(c)
        return ast.RatioMeasure(num, den, self._span(c))

    def score_measure(self, c):
        low, high = self._parts(c)
        return ast.ScoreMeasure(low, high, self._span(c))

    def nps_measure(self, c):
        return ast.NpsMeasure(self._span(c))

    def count_measure(self, c):
        event, per = self._parts(c)
        return ast.CountMeasure(event, per, self._span(c))

    def promise(self, c):
        return ast.ObjectiveLine("promise", self._parts(c)[0], self._span(c))

    def target(self, c):
        return ast.ObjectiveLine("target", self._parts(c)[0], self._span(c))

    def _objective(self, form: str, c) -> ast.ObjectiveLit:
        percent = number = within = None
        for p in self._parts(c):
            if isinstance(p, ast.Percent):
                percent = p
            elif isinstance(p, ast.Number):
                number = p
            elif isinstance(p, ast.DurationLit):
                within = p
        return ast.ObjectiveLit(form, percent, number, within, self._span(c))

    def within(self, c):
        return self._objective("within", c)

    def at_most(self, c):
        return self._objective("at_most", c)

    def at_least(self, c):
        return self._objective("at_least", c)

    def average(self, c):
        return self._objective("average_at_least", c)

    def share(self, c):
        return self._objective("share_at_least", c)

    def window(self, c):
        return ast.Window(self._parts(c)[0], self._span(c))

    def source(self, c):
        system, *queries = self._parts(c)
        return ast.SourceBlock(system, tuple(queries), self._span(c))

    def source_query(self, c):
        key, query = self._parts(c)
        return ast.SourceQuery(key, query, self._span(c))

    # -- shared -------------------------------------------------------------------------
    def note(self, c):
        return ast.Note(self._parts(c)[0], self._span(c))

    def tags(self, c):
        return ast.Tags(tuple(self._parts(c)), self._span(c))


# ---- errors in words ------------------------------------------------------------------

_WORDS = {
    "NAME": "a name such as `field_ops`",
    "STRING": 'a quoted text such as "Field Operations"',
    "DURATION": "a duration such as 30s or 48h",
    "PERCENT": "a percentage such as 80%",
    "NUMBER": "a number such as 4.3",
    "DATE": "a date such as 2026-09-21",
    "TIME": "a time of day such as 08:00",
    "EMAIL": "an email address in angle brackets such as <dana.levi@example.com>",
    "$END": "the end of the file",
}
# Keywords that start a statement or a declaration: safe points to resume after an error.
_RESYNC = {
    "import", "calendar", "owner", "journey", "defaults", "touchpoint", "timezone", "hours",
    "holidays", "closed", "manager", "notify", "page", "stage", "window", "charter",
    "expectation", "channels", "step", "metric", "updates", "escalate", "note", "tags",
    "time", "ratio", "score", "nps", "count", "promise", "target", "source", "}",
}


_DECLARATION_KEYWORDS = {"import", "calendar", "owner", "journey", "defaults", "touchpoint", "metric"}


def _terminal_text(name: str) -> str | None:
    """The literal text of a keyword or punctuation terminal, None for pattern terminals."""
    for term in _lark().terminals:
        if term.name == name:
            if term.pattern.type == "str":
                return term.pattern.value
            return None
    return None


def _describe_expected(names: set[str]) -> tuple[str, list[str]]:
    words, keywords = [], []
    for n in sorted(names):
        if n in _WORDS:
            words.append(_WORDS[n])
            continue
        text = _terminal_text(n)
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
        close = difflib.get_close_matches(found, alpha_keywords, n=1, cutoff=0.6)
        if close:
            helps.append(f"did you mean `{close[0]}`?")
    if tok is not None and tok.type == "NUMBER":
        if "PERCENT" in expected:
            helps.append(f"write a percentage with a % sign: `{syntax.percent_for(found)}`")
        if "DURATION" in expected:
            meant = syntax.durations_for(found, after)
            if len(meant) == 1:
                helps.append(f"units are lowercase: `{meant[0]}`")
            else:
                helps.append("add a unit (ms, s, m, h, d or w): " + ", ".join(f"`{d}`" for d in meant))
    if "NAME" in expected and found[:1].isupper() and found.replace("_", "").isalnum():
        helps.append(f"names are lowercase: `{found.lower()}`")
    return helps


_SKIPPABLE = re.compile(r"(?:\s|#[^\n]*)*")


def _is_line_start(text: str, pos: int) -> bool:
    start = text.rfind("\n", 0, pos) + 1
    return text[start:pos].strip(" \t\ufeff") == ""


class _Recovery:
    def __init__(self, ctx: _Context):
        self.ctx = ctx
        self.last_line = -1
        self.count = 0
        self.calls = 0
        self.gave_up = False
        self.recovering = False
        self.resume_from = 0  # offset just past the last token dropped or reported
        self.damaged: list[Span] = []

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
        pos = e.token.start_pos if isinstance(e, UnexpectedToken) else e.pos_in_stream
        if self.recovering and pos is not None and not _SKIPPABLE.fullmatch(self.ctx.text, self.resume_from, pos):
            self.recovering = False
        if isinstance(e, UnexpectedToken):
            ok = self._token(e)
            end = e.token.end_pos
            self.resume_from = end if end is not None else len(self.ctx.text)
            return ok
        if isinstance(e, UnexpectedCharacters):
            ok = self._characters(e)
            self.resume_from = e.pos_in_stream + 1
            return ok
        return False

    def _characters(self, e: UnexpectedCharacters) -> bool:
        ctx = self.ctx
        char = ctx.text[e.pos_in_stream] if e.pos_in_stream < len(ctx.text) else ""
        span = Span.point(ctx.path, e.line, e.column)
        expected = set(e.allowed or ())
        what, keywords = _describe_expected(expected)
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
        span = _token_span(ctx.path, tok)
        # A `}` closes a block wherever it stands (one-line blocks are common); a
        # keyword only where it starts a line, since keywords double as names.
        resync_point = tok.type == "RBRACE" or (str(tok) in _RESYNC and _is_line_start(ctx.text, tok.start_pos))
        # While recovering, a statement keyword that fits an enclosing block is
        # where the author's next statement starts: resume silently there.
        if resync_point and self.recovering and self._resync(ip, tok):
            self.recovering = False
            return True
        if self.recovering and tok.type == "RBRACE":
            self.damaged.append(span)
            return True  # the end of the block the error was in: nothing new to say
        what, keywords = _describe_expected(expected)
        helps = _help_for(tok, None, expected, keywords, after=ctx.text[tok.end_pos:tok.end_pos + 2])
        if "RBRACE" in expected and resync_point and str(tok) in _DECLARATION_KEYWORDS:
            opened = self._open_block(ip)
            if opened:
                helps.append(f"the block opened at line {opened} may be missing its closing `}}`")
        self.report(span, f"expected {what}, found {_describe_found(tok)}", helps, "TD001")
        self.recovering = True
        if resync_point and self._resync(ip, tok):
            self.recovering = False
        return True

    def _open_block(self, ip) -> int | None:
        for value in reversed(ip.parser_state.value_stack):
            if isinstance(value, Token) and value.type == "LBRACE":
                return value.line
        return None

    @staticmethod
    def _table(ip):
        return ip.parser_state.parse_conf.parse_table.states

    def _resync(self, ip, tok: Token) -> bool:
        """Unwind the parser to a state that accepts `tok`, and feed it.

        A partial statement is dropped; a block that may end here is closed with
        a `}` supplied at `tok`, so a forgotten brace loses none of the block's
        content (`owner … {` without `}` before the next `touchpoint`).
        """
        ps = ip.parser_state
        states = self._table(ip)
        saved = (list(ps.state_stack), list(ps.value_stack))
        brace = Token("RBRACE", "}", start_pos=tok.start_pos, line=tok.line, column=tok.column,
                      end_line=tok.line, end_column=tok.column, end_pos=tok.start_pos)
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

    def _finish(self, ip) -> bool:
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


def parse(text: str, path: str) -> tuple[ast.File, list[Diagnostic]]:
    """Parse `text` (the content of `path`). Never raises on user input."""
    ctx = _Context(path, text)
    recovery = _Recovery(ctx)
    ctx.recovery = recovery
    result: Any = []
    _current.append(ctx)
    try:
        try:
            result = _lark().parse(text, on_error=recovery)
        except UnexpectedInput:
            result = []  # recovery gave up (too many errors); what it reported stands
    finally:
        _current.pop()
    if recovery.gave_up:
        ctx.diagnostics.append(
            Diagnostic("TD001", f"too many syntax errors in {path}; stopped reading it here", None,
                       Severity.ERROR, ("fix the errors above and run again; is this really a .touch file?",))
        )
    declarations = [d for d in (result or []) if not isinstance(d, Token)]
    tree = ast.File(path, declarations, ctx.comments, recovery.damaged)
    return tree, ctx.diagnostics
