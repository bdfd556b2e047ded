"""Property tests of `touchdsl fmt` over generated projects.

Projects are generated valid by construction (owners, calendars, journeys,
touchpoints with steps and every metric kind), then written out in a random,
messy layout: arbitrary whitespace and line breaks between tokens, comments at
the ends of lines and on lines of their own (also inside statements), text in
either quoting style with escapes. For each such file:

- formatting is idempotent: fmt(fmt(x)) == fmt(x);
- formatting keeps the meaning: the compiled model of fmt(x) equals that of x
  (ignoring source positions), and the diagnostics have the same codes;
- formatting keeps every comment;
- the formatted file has no trailing whitespace outside text and no tabs
  outside text, and ends with exactly one newline;
- the layout depends on the tree alone: two layouts of one project (without
  comments or blank lines, the two things fmt keeps) format to the same text.

The example files are also re-laid out at random and must format to the same
model with every comment. Runs are derandomized, so CI sees the same cases.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.paths import EXAMPLES
from touchdsl.compiler.driver import compile_project
from touchdsl.language.parser import parse
from touchdsl.tools.fmt import format_source

KEYWORDS = {
    "import", "calendar", "owner", "journey", "defaults", "touchpoint", "timezone", "hours", "holidays",
    "closed", "manager", "notify", "page", "stage", "window", "charter", "expectation", "channels", "step",
    "by", "via", "metric", "updates", "every", "until", "escalate", "to", "on", "time", "from", "ratio", "of",
    "score", "nps", "count", "per", "promise", "target", "within", "at", "most", "least", "average", "source",
    "note", "tags", "start", "end",
}
CHANNELS = ["phone", "chat", "email", "web", "app", "sms", "whatsapp", "store", "field", "mail", "social"]
RECEIVERS = ["email", "slack", "pagerduty", "webhook", "opsgenie"]

ident = st.from_regex(r"[a-z][a-z0-9_]{0,7}", fullmatch=True).filter(lambda s: s not in KEYWORDS)

# Text people write: Latin and Hebrew letters, digits, punctuation that means
# something elsewhere in the language, quotes, backslashes, tabs, line breaks,
# and now and then an invisible character.
_ALPHABET = list("abcXYZ019 .,:;-_!?%{}()[]<>#/@'\"\\\t\n") + list("אבגשלום") + ["\u202e", "\x07", "é"]
text_value = st.text(st.sampled_from(_ALPHABET), min_size=1, max_size=24).filter(lambda s: s.strip())

address_value = text_value.filter(lambda s: s.isprintable())

_SIMPLE_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t"}


@st.composite
def literal(draw, value_strategy=text_value) -> str:
    """A string literal for a generated value, in one of the ways an author could write it."""
    value = draw(value_strategy)
    triple_ok = (
        all(c not in value for c in '"\\\t\r')
        and value == value.strip()
        and all(line.strip() and line == line.lstrip() for line in value.split("\n"))
    )
    if triple_ok and draw(st.booleans()):
        return '"""' + value + '"""'
    out = []
    for ch in value:
        if ch in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[ch])
        elif not ch.isprintable() or draw(st.integers(0, 9)) == 0:
            out.append(f"\\u{{{ord(ch):X}}}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


comment_text = st.text(st.sampled_from(list("abc XYZ019#\"{}' \tשלום")), max_size=16).map(lambda s: "#" + s)


@st.composite
def separator(draw) -> str:
    """What may stand between two tokens: any whitespace, and comments that end their line."""
    choice = draw(st.integers(0, 11))
    if choice <= 4:
        return " "
    if choice == 5:
        return draw(st.sampled_from(["  ", "\t", " \t "]))
    if choice == 6:
        return "\n" + draw(st.sampled_from(["", "  ", "\t", "        "]))
    if choice == 7:
        return "\n\n" + draw(st.sampled_from(["", "\n", "\n\n"]))
    if choice <= 9:
        return " " + draw(comment_text) + "\n" + draw(st.sampled_from(["", "    "]))
    return "\n" + draw(comment_text) + "\n" + draw(st.sampled_from(["", "\n", "    "]))


# A project as nested statements: ("leaf", tokens) or ("block", header tokens, children).


def leaf(*tokens: str) -> tuple:
    return ("leaf", list(tokens))


def block(header: list[str], children: list) -> tuple:
    return ("block", header, children)


def render(draw, nodes: list, gaps=None, frame: bool = True) -> str:
    """The statements as source text, with a separator drawn from `gaps` between tokens."""
    parts: list[str] = []
    gaps = gaps if gaps is not None else separator()

    def token(t: str) -> None:
        if parts:
            parts.append(draw(gaps))
        parts.append(t)

    def walk(node: tuple) -> None:
        if node[0] == "leaf":
            for t in node[1]:
                token(t)
        else:
            for t in node[1]:
                token(t)
            token("{")
            for child in node[2]:
                walk(child)
            token("}")

    for n in nodes:
        walk(n)
    if not frame:
        return "".join(parts)
    head = draw(st.sampled_from(["", "\n", draw(comment_text) + "\n\n"]))
    tail = draw(st.sampled_from(["", "\n", "\n\n", " " + draw(comment_text), "\n" + draw(comment_text) + "\n"]))
    return head + "".join(parts) + tail


def _note_and_tags(draw) -> list:
    items = []
    if draw(st.booleans()):
        items.append(leaf("note", draw(literal())))
    if draw(st.integers(0, 3)) == 0:
        tags = draw(st.lists(literal(), min_size=1, max_size=3))
        items.append(leaf("tags", *_comma(tags)))
    return items


def _comma(values: list[str]) -> list[str]:
    out = []
    for i, v in enumerate(values):
        out.append(v + ("," if i < len(values) - 1 else ""))
    return out


def _number(value: float) -> str:
    return f"{value:g}"


@st.composite
def objective_pair(draw, kind: str, scale: tuple[int, int] | None) -> tuple[str, str | None]:
    """A promise and an optional target that is at least as strict."""
    if kind == "time":
        p = draw(st.integers(50, 95))
        d = draw(st.integers(2, 90))
        unit = draw(st.sampled_from(["s", "m", "h", "d"]))
        promise = f"{p}% within {d}{unit}"
        target = f"{draw(st.integers(p, 99))}% within {draw(st.integers(1, d))}{unit}"
    elif kind == "ratio":
        if draw(st.booleans()):
            v = draw(st.integers(1, 50))
            promise, target = f"at most {v}%", f"at most {draw(st.integers(0, v))}%"
        else:
            v = draw(st.integers(50, 99))
            promise, target = f"at least {v}%", f"at least {draw(st.integers(v, 100))}%"
    elif kind == "score":
        lo, hi = scale
        if draw(st.booleans()):
            v = draw(st.integers(lo * 10, hi * 10)) / 10
            promise = f"average at least {_number(v)}"
            target = f"average at least {_number(draw(st.integers(int(v * 10), hi * 10)) / 10)}"
        else:
            p, v = draw(st.integers(50, 95)), draw(st.integers(lo, hi))
            promise, target = f"{p}% at least {v}", f"{draw(st.integers(p, 100))}% at least {v}"
    elif kind == "nps":
        v = draw(st.integers(-100, 90))
        promise, target = f"at least {v}", f"at least {draw(st.integers(v, 100))}"
    else:  # count
        v = draw(st.integers(1, 100))
        promise, target = f"at most {v}", f"at most {draw(st.integers(0, v))}"
    return promise, (target if draw(st.booleans()) else None)


@st.composite
def metric(draw, mid: str, steps: list[str], calendar: str | None) -> tuple:
    kind = draw(st.sampled_from(["time", "ratio", "score", "nps", "count"]))
    items: list = []
    scale = None
    if kind == "time":
        i = draw(st.integers(0, len(steps) - 1))
        j = draw(st.integers(i, len(steps) - 1))
        end = draw(st.sampled_from(["end", "answered"])) if i == j else draw(st.sampled_from(["start", "end"]))
        tokens = ["time", "from", f"{steps[i]}.start", "to", f"{steps[j]}.{end}"]
        if calendar and draw(st.booleans()):
            tokens += ["on", calendar]
        measure = leaf(*tokens)
    elif kind == "ratio":
        measure = leaf("ratio", draw(ident), "of", draw(ident))
    elif kind == "score":
        scale = draw(st.sampled_from([(1, 5), (1, 7), (0, 10)]))
        measure = leaf("score", f"{scale[0]}..{scale[1]}")
    elif kind == "nps":
        measure = leaf("nps")
    else:
        measure = leaf("count", draw(ident), "per", draw(st.sampled_from(["7d", "1w", "24h", "30d"])))
    promise, target = draw(objective_pair(kind, scale))
    items = [measure, leaf("promise", *promise.split())]
    if target is not None:
        items.append(leaf("target", *target.split()))
    if draw(st.booleans()):
        items.append(leaf("window", draw(st.sampled_from(["7d", "28d", "30d", "1w"]))))
    if draw(st.integers(0, 4)) == 0:
        items.append(block(["source", "prometheus"], [
            leaf("good", '"sum(rate(good_total[{{window}}]))"'),
            leaf("total", '"sum(rate(all_total[{{window}}]))"'),
        ]))
    items += _note_and_tags(draw)
    # The measure, promise and target may come in any order.
    return block(["metric", mid, draw(literal())], draw(st.permutations(items)))


@st.composite
def project(draw) -> list:
    decls: list = []
    owners = draw(st.lists(ident, min_size=1, max_size=3, unique=True))
    for o in owners:
        items = [leaf("manager", draw(literal()), f"<{o}@example.com>")]
        for level in ("notify", "page"):
            for _ in range(draw(st.integers(0, 2))):
                kind = draw(st.sampled_from(RECEIVERS))
                # The checker validates email and webhook targets; other kinds take any text
                # an address can hold (no control or invisible characters: TD314).
                target = {"email": st.just(f"{o}@example.com"),
                          "webhook": st.just(f"https://hooks.example.com/{o}")}.get(kind, address_value)
                items.append(leaf(level, kind, draw(literal(target))))
        items += _note_and_tags(draw)
        decls.append(block(["owner", o, draw(literal())], items))
    calendar = None
    if draw(st.booleans()):
        calendar = "office"
        items = [leaf("timezone", draw(st.sampled_from(['"Asia/Jerusalem"', '"UTC"', '"Europe/London"'])))]
        items.append(leaf("hours", *draw(st.sampled_from([["sun-thu"], ["mon-fri"], ["sun,", "tue-wed"]])),
                          draw(st.sampled_from(["08:00-18:00", "9:30-17:00"]))))
        if draw(st.booleans()):
            items.append(leaf("hours", "fri", "08:00-13:00"))
        if draw(st.booleans()):
            items.append(leaf("holidays", '"IL"'))
        if draw(st.booleans()):
            items.append(leaf("closed", "2026-09-21,", "2026-12-31"))
        decls.append(block(["calendar", calendar, draw(literal())], items))
    journey = None
    if draw(st.booleans()):
        stages = draw(st.lists(ident, min_size=1, max_size=3, unique=True))
        journey = (draw(ident), stages)
        decls.append(block(["journey", journey[0], draw(literal())],
                           [leaf("stage", s, draw(literal())) for s in stages]))
    if draw(st.booleans()):
        decls.append(block(["defaults"], [leaf("window", "28d"), leaf("charter", "language", '"he"')]))
    for tid in draw(st.lists(ident, min_size=1, max_size=2, unique=True)):
        owner = draw(st.sampled_from(owners))
        head = [leaf("owner", owner), leaf("expectation", draw(literal()))]
        channels = draw(st.lists(st.sampled_from(CHANNELS), min_size=1, max_size=3, unique=True))
        head.append(leaf("channels", *_comma(channels)))
        if journey is not None:
            ref = journey[0] + (f".{draw(st.sampled_from(journey[1]))}" if draw(st.booleans()) else "")
            head.append(leaf("journey", ref))
        items = draw(st.permutations(head))
        steps = draw(st.lists(ident, min_size=1, max_size=4, unique=True))
        for s in steps:
            tokens = ["step", s, draw(literal())]
            if draw(st.booleans()):
                tokens += ["by", draw(st.sampled_from(owners))]
            if draw(st.booleans()):
                tokens += ["via", draw(st.sampled_from(CHANNELS))]
            items.append(leaf(*tokens))
        for mid in draw(st.lists(ident, max_size=3, unique=True)):
            items.append(draw(metric(mid, steps, calendar)))
        if draw(st.booleans()):
            items.append(leaf("updates", "every", "4h", "via", "sms", "until", f"{steps[-1]}.end"))
        if draw(st.booleans()):
            items.append(leaf("escalate", "to", "manager", "on", *draw(st.sampled_from([["breach"], ["risk,", "breach"]]))))
        items += _note_and_tags(draw)
        decls.append(block(["touchpoint", tid, draw(literal())], items))
    return draw(st.permutations(decls))


@st.composite
def messy_file(draw) -> str:
    return render(draw, draw(project()))


# Whitespace that leaves no blank line: the layout must then depend on the tree alone.
plain_gap = st.sampled_from([" ", "  ", "\t", "\n", "\n    ", " \n\t"])


@st.composite
def one_project_two_layouts(draw) -> tuple[str, str]:
    nodes = draw(project())
    return render(draw, nodes, plain_gap, frame=False), render(draw, nodes, plain_gap, frame=False)


def _model(text: str):
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "p.touch").write_text(text, encoding="utf-8")
        result = compile_project([tmp])
        return result, sorted(d.code for d in result.diagnostics)


def _strip_locations(value):
    if isinstance(value, dict):
        return {k: _strip_locations(v) for k, v in value.items() if k != "location"}
    if isinstance(value, list):
        return [_strip_locations(v) for v in value]
    return value


def _comments(text: str) -> list[str]:
    tree, _ = parse(text, "p.touch")
    return sorted(c.text.rstrip() for c in tree.comments)


def _outside_text(text: str) -> list[tuple[int, str]]:
    """(number, line) of the lines of a formatted file that are not inside a \"\"\" block."""
    out, inside = [], False
    for number, line in enumerate(text.split("\n"), 1):
        if line.count('"""') % 2 == 1:
            inside = not inside
            continue
        if not inside:
            out.append((number, line))
    return out


PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, derandomize=True,
                             suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@PROPERTY_SETTINGS
@given(messy_file())
def test_fmt_is_idempotent_and_keeps_meaning_and_comments(text):
    before, codes_before = _model(text)
    assert before.ok, (text, before.diagnostics)
    once, errors = format_source(text, "p.touch")
    assert not errors
    twice, _ = format_source(once, "p.touch")
    assert twice == once
    after, codes_after = _model(once)
    assert after.ok, (once, after.diagnostics)
    assert _strip_locations(after.project.model_dump(mode="json")) == \
        _strip_locations(before.project.model_dump(mode="json"))
    # fmt writes hidden bidirectional characters as escapes, which readers see: their
    # warning (TD904) may go; nothing else changes
    assert [c for c in codes_after if c != "TD904"] == [c for c in codes_before if c != "TD904"]
    assert "TD904" not in codes_after or "TD904" in codes_before
    assert _comments(once) == _comments(text)
    assert once.endswith("\n") and not once.endswith("\n\n")
    tree, _ = parse(once, "p.touch")
    comment_at = {c.span.line: c.span.column for c in tree.comments}
    for number, line in _outside_text(once):
        code = line[: comment_at[number] - 1] if number in comment_at else line
        assert line == line.rstrip(), repr(line)
        assert "\t" not in code, repr(line)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(text_value)
def test_any_text_value_survives_formatting(value):
    from touchdsl.tools.fmt import text_lines

    src = 'journey j "J" {\n    stage s ' + "\n".join(text_lines(value, "    ")) + "\n}\n"
    once, errors = format_source(src, "t.touch")
    assert not errors
    tree, _ = parse(once, "t.touch")
    assert tree.declarations[0].items[0].title.value == value
    assert format_source(once, "t.touch")[0] == once


# ---- the example projects, re-laid out at random ------------------------------------------

_CHUNK = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|"(?:[^"\\\n]|\\.)*"|#[^\n]*|[^\s"#]+|\s+', re.S)


def _chunks(text: str) -> list[str]:
    chunks = _CHUNK.findall(text)
    assert "".join(chunks) == text
    return chunks


@st.composite
def relaid_example(draw) -> tuple[str, str, str]:
    """(project folder, file name, the file's text with every gap between tokens replaced at random)."""
    path = draw(st.sampled_from(sorted(EXAMPLES.glob("*/*.touch"))))
    text = path.read_text(encoding="utf-8")
    out: list[str] = []
    previous = ""
    for chunk in _chunks(text):
        if chunk.isspace():
            sep = draw(separator()) if draw(st.booleans()) else chunk
            if previous.startswith("#") and not sep.startswith("\n"):
                sep = "\n" + sep  # a comment ends at the end of its line
            out.append(sep)
        else:
            out.append(chunk)
        previous = chunk
    return path.parent.name, path.name, "".join(out)


def _project_model(folder: str, name: str, text: str):
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / folder
        shutil.copytree(EXAMPLES / folder, copy)
        (copy / name).write_text(text, encoding="utf-8")
        result = compile_project([str(copy)])
        assert result.ok, result.diagnostics
        return _strip_locations(result.project.model_dump(mode="json"))


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(relaid_example())
def test_examples_relaid_at_random_format_to_the_same_model(example):
    folder, name, text = example
    once, errors = format_source(text, name)
    assert not errors
    assert format_source(once, name)[0] == once
    assert _comments(once) == _comments(text)
    original = (EXAMPLES / folder / name).read_text(encoding="utf-8")
    assert _project_model(folder, name, once) == _project_model(folder, name, original)


@settings(max_examples=100, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(one_project_two_layouts())
def test_one_canonical_layout(layouts):
    """Two layouts of one project without comments or blank lines format to the same text."""
    first, second = layouts
    a, errors = format_source(first, "p.touch")
    assert not errors
    assert format_source(second, "p.touch")[0] == a
