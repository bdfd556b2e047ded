"""`touchdsl fmt`: print `.touch` files in the one canonical layout.

The layout is printed from the syntax tree, never patched into the text, so
two files that parse to the same tree (and carry the same comments) come out
the same:

- four spaces per block level, one statement per line, single spaces between
  words, `a, b` for lists;
- step titles aligned within a touchpoint, `good`/`total` queries aligned
  within a `source` block, contact addresses aligned within the `project`
  block, trailing comments on consecutive lines aligned;
- one blank line between top-level declarations (consecutive imports stay
  together) and around each metric block; elsewhere a blank line the author
  left is kept (several collapse into one), none after `{` or before `}`;
- text in `"..."`, except text that spans lines, which is written as an
  indented `\"\"\"` block; escapes only where needed (`\\"`, `\\\\`, `\\t`, and
  `\\u{...}` for control and bidirectional-override characters, which would
  otherwise be invisible in an editor).

Comments are kept where they belong: a comment on its own line stays above
the statement that follows it (or at the end of its block), a comment at the
end of a line stays at the end of that statement's line. Numbers, durations
and percentages are kept as written: `0.5m` and `30s` mean the same, but
the author chose one.

Files with syntax errors are never formatted.
"""

from __future__ import annotations

import difflib
import os
import sys
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, assert_never

import click

from touchdsl.diagnostics import Diagnostic, Span
from touchdsl.language import ast, syntax

INDENT = "    "

# Characters that reorder or hide text in an editor (Trojan Source, CVE-2021-42574).
_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


# ---- text literals ----------------------------------------------------------------------


def _escape_char(ch: str) -> str:
    if ch == "\\":
        return "\\\\"
    if ch == "\t":
        return "\\t"
    if ch == "\n":
        return "\\n"
    if ch in _BIDI_CONTROLS or unicodedata.category(ch) in ("Cc", "Zl", "Zp"):
        return f"\\u{{{ord(ch):04X}}}"
    return ch


def quote(value: str) -> str:
    """`value` as a one-line string literal."""
    return '"' + "".join('\\"' if ch == '"' else _escape_char(ch) for ch in value) + '"'


def _triple_body_line(line: str) -> str:
    out = []
    for i, ch in enumerate(line):
        # Only a quote that starts `"""` would end the literal; other quotes stay readable.
        if ch == '"' and line[i + 1:i + 3] == '""':
            out.append('\\"')
        else:
            out.append(_escape_char(ch))
    return "".join(out)


def _triple(value: str, indent: str) -> list[str] | None:
    """`value` as an indented `\"\"\"` block, or None when that form would not read back the same."""
    if any(line != line.rstrip(" \t") for line in value.split("\n")):
        return None  # trailing blanks would be invisible in a block; "..." shows them
    inner = indent + INDENT
    lines = ['"""']
    for line in value.split("\n"):
        lines.append(inner + _triple_body_line(line) if line else "")
    lines.append(indent + '"""')
    if _read_back(lines) != value:
        return None
    return lines


def _read_back(lines: list[str]) -> str | None:
    """Decode a literal with the real parser, so the check cannot drift from the language."""
    from touchdsl.language.parser import parse

    literal = "\n".join(lines)
    tree, diags = parse(f'journey j "" {{ note {literal} }}', "<literal>")
    if diags or not tree.declarations:
        return None
    (note,) = tree.declarations[0].items
    assert isinstance(note, ast.Note)
    return note.text.value


def text_lines(value: str, indent: str) -> list[str]:
    """A text value as one or more lines of source; the first line continues the statement."""
    if "\n" in value:
        block = _triple(value, indent)
        if block is not None:
            return block
    return [quote(value)]


# ---- statements -------------------------------------------------------------------------


def _names(names: tuple[ast.Name, ...]) -> str:
    return ", ".join(n.value for n in names)


def _texts(texts: tuple[ast.Text, ...]) -> str:
    return ", ".join(quote(t.value) for t in texts)


def _objective(o: ast.ObjectiveLit) -> str:
    return syntax.objective(o.form, percent=o.percent.text if o.percent is not None else "",
                            number=o.number.text if o.number is not None else "",
                            within=o.within.text if o.within is not None else None)


def _measure(node: ast.Measure) -> str:
    match node:
        case ast.TimeMeasure():
            return syntax.time_measure(str(node.start), str(node.end),
                                       node.calendar.value if node.calendar is not None else None)
        case ast.RatioMeasure():
            return syntax.ratio_measure(node.numerator.value, node.denominator.value)
        case ast.ScoreMeasure():
            return syntax.score_measure(node.low.text, node.high.text)
        case ast.NpsMeasure():
            return syntax.NPS_MEASURE
        case ast.CountMeasure():
            return syntax.count_measure(node.event.value, node.per.text)
        case _:
            assert_never(node)


def _days(days: tuple[ast.DayRange, ...]) -> str:
    return ", ".join(d.first.value + (f"-{d.last.value}" if d.last is not None else "") for d in days)


def _leaf(node: Any, indent: str, pad: int = 0) -> list[str]:
    """A one-statement node as source lines (more than one only for `\"\"\"` text)."""

    def with_text(prefix: str, text: ast.Text, suffix: str = "") -> list[str]:
        lines = text_lines(text.value, indent)
        lines[0] = prefix + lines[0]
        lines[-1] += suffix
        return lines

    if isinstance(node, ast.ImportDecl):
        return with_text("import ", node.path)
    if isinstance(node, ast.Timezone):
        return with_text("timezone ", node.value)
    if isinstance(node, ast.HoursLine):
        return [f"hours {_days(node.days)} {node.start.value}-{node.end.value}"]
    if isinstance(node, ast.EveHoursLine):
        return [f"hours eve {node.start.value}-{node.end.value}"]
    if isinstance(node, ast.DateHoursLine):
        return [f"hours {_names(node.dates)} {node.start.value}-{node.end.value}"]
    if isinstance(node, ast.Holidays):
        return [f"holidays {_texts(node.countries)}"]
    if isinstance(node, ast.Closed):
        return [f"closed {_names(node.dates)}"]
    if isinstance(node, ast.ManagerLine):
        return with_text("manager ", node.name, f" <{node.email.value}>")
    if isinstance(node, ast.ReceiverLine):
        return with_text(f"{node.level} {node.kind.value} ", node.target)
    if isinstance(node, ast.StageDecl):
        return with_text(f"stage {node.name.value} ", node.title)
    if isinstance(node, ast.CharterSetting):
        if isinstance(node.value, ast.Name):  # a date, written bare
            return [f"charter {node.key.value} {node.value.value}"]
        return with_text(f"charter {node.key.value} ", node.value)
    if isinstance(node, ast.ProjectDecl):  # without a block
        return with_text("project ", node.title)
    if isinstance(node, ast.ContactLine):
        return with_text(f"contact {node.channel.value.ljust(pad)} ", node.address)
    if isinstance(node, ast.Compensation):
        return with_text("compensation ", node.text)
    if isinstance(node, ast.Window):
        return [f"window {node.duration.text}"]
    if isinstance(node, ast.AlertMinimum):
        return [f"alerts need {node.count.text} events"]
    if isinstance(node, ast.JourneyRef):
        stage = f".{node.stage.value}" if node.stage is not None else ""
        return [f"journey {node.journey.value}{stage}"]
    if isinstance(node, ast.OwnerRef):
        return [f"owner {node.owner.value}"]
    if isinstance(node, ast.Expectation):
        return with_text("expectation ", node.text)
    if isinstance(node, ast.Channels):
        return [f"channels {_names(node.channels)}"]
    if isinstance(node, ast.StepDecl):
        clauses = "".join(f" by {b.value}" for b in node.by) + "".join(f" via {v.value}" for v in node.via)
        return with_text(f"step {node.name.value.ljust(pad)} ", node.title, clauses)
    if isinstance(node, ast.ClassDecl):
        return with_text(f"class {node.name.value} ", node.title)
    if isinstance(node, ast.PauseLine):
        if node.step is not None:
            return [syntax.pause_while(node.step.value)]
        return [syntax.pause_between(str(node.start), str(node.end))]
    if isinstance(node, ast.UpdatesLine):
        until = f" until {node.until}" if node.until is not None else ""
        return [f"updates every {node.every.text} via {node.via.value}{until}"]
    if isinstance(node, ast.EscalateLine):
        return [f"escalate to {node.to.value} on {_names(node.on)}"]
    if isinstance(node, ast.MEASURES):
        return [_measure(node)]
    if isinstance(node, ast.ObjectiveLine):
        classes = syntax.for_classes([c.value for c in node.classes])
        return [f"{node.role} {_objective(node.objective)}{classes}"]
    if isinstance(node, ast.SourceQuery):
        return with_text(f"{node.key.value.ljust(pad)} ", node.query)
    if isinstance(node, ast.Note):
        return with_text("note ", node.text)
    if isinstance(node, ast.Tags):
        return [f"tags {_texts(node.values)}"]
    raise TypeError(f"the formatter does not know {type(node).__name__}")


def _header(node: Any) -> str | None:
    """The opening line of a block node (without `{`), or None for a one-line statement."""
    if isinstance(node, ast.ProjectDecl):
        return f"project {quote(node.title.value)}"
    if isinstance(node, ast.CalendarDecl):
        return f"calendar {node.name.value} {quote(node.title.value)}"
    if isinstance(node, ast.OwnerDecl):
        return f"owner {node.name.value} {quote(node.title.value)}"
    if isinstance(node, ast.JourneyDecl):
        return f"journey {node.name.value} {quote(node.title.value)}"
    if isinstance(node, ast.DefaultsDecl):
        return "defaults"
    if isinstance(node, ast.TouchpointDecl):
        return f"touchpoint {node.name.value} {quote(node.title.value)}"
    if isinstance(node, ast.MetricDecl):
        return f"metric {node.name.value} {quote(node.title.value)}"
    if isinstance(node, ast.SourceBlock):
        return f"source {node.system.value}"
    return None


def _children(node: Any) -> list[Any]:
    if isinstance(node, ast.SourceBlock):
        return list(node.queries)
    return list(node.items)


# ---- comments and blank lines -----------------------------------------------------------


@dataclass
class _Attached:
    leading: dict[int, list[ast.Comment]] = field(default_factory=dict)  # id(child) -> comments above
    trailing: dict[int, ast.Comment] = field(default_factory=dict)  # id(child) -> comment on its line
    header: dict[int, ast.Comment] = field(default_factory=dict)  # id(block) -> comment after `{`
    footer: dict[int, list[ast.Comment]] = field(default_factory=dict)  # id(block or file) -> before `}`


def _pos(span: Span) -> tuple[int, int]:
    return (span.line, span.column)


def _end(span: Span) -> tuple[int, int]:
    return (span.end_line, span.end_column)


def _inside(c: ast.Comment, span: Span) -> bool:
    return _pos(span) <= _pos(c.span) < _end(span)


def _attach(container: Any, children: list[Any], comments: list[ast.Comment], att: _Attached, is_block: bool) -> None:
    """Give each comment of `container` to the statement it belongs to (recursively)."""
    inner: dict[int, list[ast.Comment]] = {}
    for c in comments:
        holder = next((ch for ch in children if _inside(c, ch.span)), None)
        if holder is not None:
            if _header(holder) is not None:
                inner.setdefault(id(holder), []).append(c)
            elif c.span.line == holder.span.end_line:
                _trail(att, holder, c)
            else:  # inside a statement written over several lines: keep it above the statement
                att.leading.setdefault(id(holder), []).append(c)
            continue
        ending = [ch for ch in children if ch.span.end_line == c.span.line and _end(ch.span) <= _pos(c.span)]
        if ending:
            _trail(att, ending[-1], c)
        elif is_block and c.span.line == container.span.line:
            att.header[id(container)] = c
        else:
            following = next((ch for ch in children if _pos(ch.span) > _pos(c.span)), None)
            if following is not None:
                att.leading.setdefault(id(following), []).append(c)
            else:
                att.footer.setdefault(id(container), []).append(c)
    for ch in children:
        if _header(ch) is not None:
            _attach(ch, _children(ch), inner.get(id(ch), []), att, True)


def _trail(att: _Attached, node: Any, c: ast.Comment) -> None:
    previous = att.trailing.get(id(node))
    if previous is not None:  # two comments end up on one line: the earlier one moves above
        att.leading.setdefault(id(node), []).append(previous)
    att.trailing[id(node)] = c


class _Printer:
    def __init__(self, source: str, att: _Attached):
        self.blank = [not line.strip() for line in source.split("\n")]
        self.att = att
        # Output lines as (code, trailing comment); None is a blank line.
        self.lines: list[tuple[str, str | None] | None] = []

    def blank_between(self, after_line: int, before_line: int) -> bool:
        """Whether the author left an empty line between two source lines (1-based, exclusive)."""
        return any(self.blank[i - 1] for i in range(after_line + 1, before_line) if 0 < i <= len(self.blank))

    def emit(self, code: str, comment: str | None = None) -> None:
        self.lines.append((code, comment.rstrip() if comment is not None else None))

    def separate(self) -> None:
        if self.lines and self.lines[-1] is not None:
            self.lines.append(None)

    def block_items(self, container: Any, children: list[Any], indent: str, is_file: bool) -> None:
        pad_steps = max((len(ch.name.value) for ch in children if isinstance(ch, ast.StepDecl)), default=0)
        pad_keys = max((len(ch.key.value) for ch in children if isinstance(ch, ast.SourceQuery)), default=0)
        pad_contacts = max((len(ch.channel.value) for ch in children if isinstance(ch, ast.ContactLine)), default=0)
        previous = None  # the last child printed
        last_line = 0  # the last source line printed
        first = True  # nothing printed yet in this block: no blank line after `{`
        for ch in children:
            leading = sorted(self.att.leading.get(id(ch), []), key=lambda c: _pos(c.span))
            for k, element in enumerate([*leading, ch]):
                if not first and ((k == 0 and self._forced_blank(container, previous, ch, is_file))
                                  or self.blank_between(last_line, element.span.line)):
                    self.separate()
                if element is ch:
                    self.node(ch, indent, pad_steps if isinstance(ch, ast.StepDecl)
                              else pad_contacts if isinstance(ch, ast.ContactLine) else pad_keys)
                    last_line = max(last_line, ch.span.end_line)
                else:
                    self.emit(indent + element.text.rstrip())
                    last_line = max(last_line, element.span.line)
                first = False
            previous = ch
        for c in sorted(self.att.footer.get(id(container), []), key=lambda c: _pos(c.span)):
            if not first and self.blank_between(last_line, c.span.line):
                self.separate()
            self.emit(indent + c.text.rstrip())
            last_line = c.span.line
            first = False

    @staticmethod
    def _forced_blank(container: Any, previous: Any, current: Any, is_file: bool) -> bool:
        if is_file:
            return not (isinstance(previous, ast.ImportDecl) and isinstance(current, ast.ImportDecl))
        if isinstance(container, ast.TouchpointDecl):
            # As in the spec's examples: blocks of metrics are set apart from the other
            # statements, consecutive metrics are not (a blank the author left is kept).
            return isinstance(previous, ast.MetricDecl) != isinstance(current, ast.MetricDecl)
        return False

    def node(self, node: Any, indent: str, pad: int) -> None:
        trailing = self.att.trailing.get(id(node))
        trailing_text = trailing.text if trailing is not None else None
        header = _header(node)
        if isinstance(node, ast.ProjectDecl) and not node.items and id(node) not in self.att.header \
                and not self.att.footer.get(id(node)):
            header = None  # `project "Name"` needs no block when it lists nothing
        if header is None:
            lines = _leaf(node, indent, pad)
            lines[0] = indent + lines[0]  # the rest of a """ block carries its own indentation
            for line in lines[:-1]:
                self.emit(line)
            self.emit(lines[-1], trailing_text)
            return
        opened = self.att.header.get(id(node))
        self.emit(f"{indent}{header} {{", opened.text if opened is not None else None)
        self.block_items(node, _children(node), indent + INDENT, False)
        self.emit(indent + "}", trailing_text)

    def text(self) -> str:
        while self.lines and self.lines[-1] is None:
            self.lines.pop()
        out: list[str] = []
        i = 0
        n = len(self.lines)
        while i < n:
            entry = self.lines[i]
            if entry is None:
                out.append("")
                i += 1
                continue
            if entry[1] is None:
                out.append(entry[0])
                i += 1
                continue
            # A run of consecutive lines that end in comments: align the comments.
            run: list[tuple[str, str | None]] = []
            j = i
            while j < n:
                line = self.lines[j]
                if line is None or line[1] is None:
                    break
                run.append(line)
                j += 1
            width = max(len(code.rstrip()) for code, _ in run)
            for code, comment in run:
                code = code.rstrip()
                out.append(f"{code.ljust(width)}  {comment}" if code.strip() else f"{code}{comment}")
            i = j
        return "\n".join(out) + "\n" if out else ""


def format_tree(tree: ast.File, source: str) -> str:
    """The canonical text of a parsed file; `source` is the text it was parsed from."""
    att = _Attached()
    _attach(tree, list(tree.declarations), sorted(tree.comments, key=lambda c: _pos(c.span)), att, False)
    printer = _Printer(source, att)
    printer.block_items(tree, list(tree.declarations), "", True)
    return printer.text()


def format_source(text: str, path: str = "<stdin>") -> tuple[str | None, list[Diagnostic]]:
    """Format one file's text. Returns (formatted text, []) or (None, errors) on a syntax error."""
    from touchdsl.compiler.driver import parse_source

    source = text[1:] if text.startswith("\ufeff") else text
    tree, diagnostics = parse_source(source, path)
    errors = [d for d in diagnostics if d.is_error]
    if errors:
        return None, errors
    return format_tree(tree, source), []


# ---- the command ------------------------------------------------------------------------


def _print_errors(diags: list[Diagnostic], sources: dict[str, str]) -> None:
    from touchdsl.compiler import render as report

    color = sys.stderr.isatty() and "NO_COLOR" not in os.environ
    text = report.format_text(diags, sources, color=color)
    click.echo(text.rstrip("\n") + "\n", err=True, nl=False)


def _write_atomically(path: Path, text: str) -> None:
    """Replace the file in one step so an interrupted run never leaves half a file."""
    mode = path.stat().st_mode & 0o7777
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".fmt")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _unified(old: str, new: str, path: str) -> str:
    return "".join(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                        f"a/{path}", f"b/{path}"))


@click.command(name="fmt")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--check", is_flag=True, help="Write nothing; exit 1 and list the files that would change.")
@click.option("--diff", "show_diff", is_flag=True, help="Write nothing; print a unified diff of the changes.")
def command(paths: tuple[str, ...], check: bool, show_diff: bool) -> None:
    """Format .touch files in the canonical layout.

    PATHS are files or directories (searched recursively for *.touch); the
    default is the current directory. `-` formats standard input to standard
    output. Files with syntax errors are reported and left untouched.

    \b
        touchdsl fmt examples/telecom
        touchdsl fmt --check .          # in CI: exit 1 if a file is not formatted
        touchdsl fmt --diff support.touch
    """
    if paths == ("-",):
        sys.exit(_stdin(check, show_diff))
    if "-" in paths:
        raise click.UsageError("`-` (standard input) cannot be combined with other paths")
    from touchdsl.compiler.sources import PathError, decode, discover, load_bytes, shown_name
    from touchdsl.diagnostics import DiagnosticSink, visible

    try:
        files = discover(list(paths) or ["."])
    except PathError as exc:
        raise click.UsageError(visible(str(exc))) from None
    changed: list[str] = []
    failed = False
    io_error = False
    for source in files:
        # Read exactly as `check` reads (binary, not UTF-8, a link out of the project, a
        # name that is not UTF-8): the same diagnostics, and the file is not formatted.
        sink = DiagnosticSink()
        raw = load_bytes(source, sink)
        text = decode(raw, source.display, sink) if raw is not None else None
        if text is None:
            _print_errors(sink.sorted(), {})
            click.echo(f"{visible(shown_name(source.display))}: not formatted", err=True)
            failed = True
            continue
        formatted, errors = format_source(text, source.display)
        if formatted is None:
            _print_errors(errors, {source.display: text[1:] if text.startswith("\ufeff") else text})
            click.echo(f"{visible(source.display)}: not formatted (syntax errors)", err=True)
            failed = True
            continue
        if formatted == text:
            continue
        changed.append(visible(source.display))
        if show_diff:
            click.echo(_unified(text, formatted, source.display), nl=False)
        if check:
            click.echo(f"would reformat {visible(source.display)}", err=show_diff)
        elif not show_diff:
            try:
                _write_atomically(source.real, formatted)
            except OSError as exc:
                click.echo(f"touchdsl fmt: cannot write {visible(source.display)}: {exc.strerror or exc}", err=True)
                io_error = True
                continue
            click.echo(f"reformatted {visible(source.display)}", err=True)
    total = len(files)
    verb = "would be reformatted" if check or show_diff else "reformatted"
    click.echo(f"{len(changed)} of {total} file{'s' if total != 1 else ''} {verb}", err=True)
    if io_error:
        sys.exit(2)
    sys.exit(1 if failed or (check and changed) else 0)


def _stdin(check: bool, show_diff: bool) -> int:
    stream = getattr(sys.stdin, "buffer", None)
    data = stream.read() if stream is not None else sys.stdin.read().encode("utf-8")
    from touchdsl.compiler.sources import decode
    from touchdsl.diagnostics import DiagnosticSink

    sink = DiagnosticSink()
    text = decode(data, "<stdin>", sink)
    if text is None:
        _print_errors(sink.sorted(), {})
        return 1
    formatted, errors = format_source(text, "<stdin>")
    if formatted is None:
        _print_errors(errors, {"<stdin>": text})
        return 1
    if show_diff:
        click.echo(_unified(text, formatted, "<stdin>"), nl=False)
    elif not check:
        click.echo(formatted, nl=False)
    return 1 if check and formatted != text else 0
