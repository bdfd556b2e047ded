"""Every number the language accepts is bounded by a check: whatever a user writes is
either refused by `check` with the limit in the message (TD415 range, TD416
precision), or builds every target, quickly and at a bounded size.

The property runs over every place a number is written (percentages, durations of
every kind, score scales, count limits, NPS, windows, dates) with values from the
ordinary to the absurd; the boundary tests pin each limit exactly.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from touchdsl.build import render_all
from touchdsl.compiler.checks import bounds
from touchdsl.compiler.driver import compile_project
from touchdsl.targets import BuildOptions, available

HEAD = '''calendar c "C" {
    timezone "Asia/Jerusalem"
    hours sun-thu 08:00-18:00
    closed DATE
}
owner o "O" { notify email "o@example.com" }
defaults { window DEFAULT }
touchpoint t "T" {
    owner o
    expectation "E"
    step a "A"
    updates every EVERY via sms
    metric m "M" {
        METRIC
        window WINDOW
    }
}
'''
METRICS = [
    "time from a.start to a.end on c\n        promise P within D",
    "ratio x of y\n        promise at most P",
    "score N..N\n        promise average at least N",
    "score N..N\n        promise P at least N",
    "nps\n        promise at least N",
    "count x per D\n        promise at most N",
]

digits = st.text(alphabet="0123456789", min_size=1, max_size=40)
wild_number = st.one_of(
    st.integers(-200, 200).map(str),
    st.tuples(st.integers(-5, 5), digits).map(lambda t: f"{t[0]}.{t[1]}"),
    digits,
    st.sampled_from(["0", "-0", "1000000000000", "1000000000001", "0.000001", "99.9999999", "-100", "100"]),
)
wild_duration = st.tuples(st.one_of(digits, st.tuples(digits, digits).map(".".join)),
                          st.sampled_from(["ms", "s", "m", "h", "d", "w"])).map("".join)
wild_date = st.one_of(st.dates().map(str), st.sampled_from(["1970-01-01", "1969-12-31", "2199-12-31", "2200-01-01"]))


def mostly(sane: list[str], wild: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Three draws in four are ordinary, so that whole projects get built, not only refused."""
    ordinary = st.sampled_from(sane)
    return st.one_of(ordinary, ordinary, ordinary, wild)


number = mostly(["0", "1", "4.3", "5", "7", "10", "-100", "100", "1000000"], wild_number)
percent = mostly(["0%", "50%", "80%", "99.9%", "100%"], wild_number.map(lambda n: n.lstrip("-") + "%"))
duration = mostly(["250ms", "30s", "1.5h", "1h", "7d", "28d", "3650d"], wild_duration)
date = mostly(["2026-01-01", "2026-09-21"], wild_date)


@st.composite
def project(draw) -> str:
    metric = draw(st.sampled_from(METRICS))
    while "P" in metric or "N" in metric or "D" in metric:
        metric = (metric.replace("P", draw(percent), 1) if "P" in metric else
                  metric.replace("N", draw(number), 1) if "N" in metric else metric.replace("D", draw(duration), 1))
    return (HEAD.replace("METRIC", metric).replace("WINDOW", draw(duration)).replace("DEFAULT", draw(duration))
            .replace("EVERY", draw(duration)).replace("DATE", draw(date)))


def compile_text(text: str):
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "m.touch").write_text(text, encoding="utf-8")
        return compile_project([tmp])


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=project())
def test_any_number_is_refused_by_check_or_builds_every_target(text):
    result = compile_text(text)
    event("refused" if result.project is None else "built")
    if result.project is None:
        errors = [d for d in result.diagnostics if d.is_error]
        assert errors and all(d.span is not None for d in errors)
        return
    rendered = render_all(result.project, available(), BuildOptions())
    size = sum(len(data) for files in rendered.values() for data in files.values())
    assert size < 2_000_000, f"{size} bytes for one touchpoint"


def run(metric: str, window: str = "28d", every: str = "4h", date: str = "2026-01-01", default: str = "28d"):
    text = (HEAD.replace("METRIC", metric).replace("WINDOW", window).replace("EVERY", every)
            .replace("DATE", date).replace("DEFAULT", default))
    result = compile_text(text)
    if result.project is not None:
        render_all(result.project, available(), BuildOptions())
    return [(d.code, d.message) for d in result.diagnostics if d.is_error]


TIME = "time from a.start to a.end on c\n        promise {p} within {d}"
LAST_MS = f"{bounds.MAX_DURATION_DAYS * 86_400_000}ms"
OVER_MS = f"{bounds.MAX_DURATION_DAYS * 86_400_000 + 1}ms"


@pytest.mark.parametrize("metric, kwargs, code, words", [
    (TIME.format(p="80%", d=LAST_MS), {}, None, ""),
    (TIME.format(p="80%", d=OVER_MS), {}, "TD415", "longer than 3650d (ten years)"),
    (TIME.format(p="80%", d="1h"), {"window": OVER_MS}, "TD415", "the window"),
    (TIME.format(p="80%", d="1h"), {"every": OVER_MS}, "TD415", "the update interval"),
    (TIME.format(p="80%", d="1h"), {"default": OVER_MS}, "TD415", "the default window"),
    ("count x per " + OVER_MS + "\n        promise at most 5", {}, "TD415", "the counting period"),
    (TIME.format(p="99.999999%", d="1h"), {}, None, ""),
    (TIME.format(p="99.9999999%", d="1h"), {}, "TD416", "more than 6 digits after the point"),
    ("count x per 1d\n        promise at most 1000000000000", {}, None, ""),
    ("count x per 1d\n        promise at most 1000000000001", {}, "TD415", "over 1,000,000,000,000"),
    ("score 0..100\n        promise average at least 50", {}, None, ""),
    ("score 0..101\n        promise average at least 50", {}, "TD415", "more than 101 answers"),
    ("score -1000..-950\n        promise average at least -960", {}, None, ""),
    ("score -1001..-950\n        promise average at least -960", {}, "TD415", "outside -1000..1000"),
    ("score 1.5..5.000001\n        promise average at least 4", {}, None, ""),
    ("score 1..5.0000001\n        promise average at least 4", {}, "TD416", "the high end"),
    ("nps\n        promise at least 10.0000001", {}, "TD416", "the number"),
    (TIME.format(p="80%", d="1h"), {"date": "1970-01-01"}, None, ""),
    (TIME.format(p="80%", d="1h"), {"date": "2199-12-31"}, None, ""),
    (TIME.format(p="80%", d="1h"), {"date": "1969-12-31"}, "TD415", "outside 1970-01-01..2199-12-31"),
    (TIME.format(p="80%", d="1h"), {"date": "2200-01-01"}, "TD415", "outside 1970-01-01..2199-12-31"),
])
def test_each_limit_is_exact_and_named(metric, kwargs, code, words):
    errors = run(metric, **kwargs)
    if code is None:
        assert errors == []
    else:
        assert [c for c, _ in errors] == [code], errors
        assert words in errors[0][1]
