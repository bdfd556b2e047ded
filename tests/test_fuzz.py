"""The fuzz target (fuzz/target.py) under hypothesis: parse -> check -> every target -> fmt.

Inputs are the example files, mutated the ways a file gets damaged or attacked:
characters and tokens inserted (keywords, extreme numbers, hidden characters,
escapes), spans deleted, duplicated or spliced in from another file, truncation.
`make test` runs a few seconds of it (TOUCHDSL_FUZZ_EXAMPLES, default 25, plus
every saved regression); `make fuzz` runs thousands. See docs/fuzzing.md.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzz.target import regressions, run_one, seeds

SEEDS = seeds()
EXAMPLES = int(os.environ.get("TOUCHDSL_FUZZ_EXAMPLES", "25"))

TOKENS = [
    "{", "}", '"', '"""', "#", "%", "..", ".", ",", "-", "<", ">", "@", "\\", "\\u{", "\\u{202E}", "\\u{0}",
    "\\u{110000}", "\\n", "\n", "\t", "\r", "\x00", "\x1b]0;x\x07", "\u202e", "\u2066", "\u200b", "\u2028", "\x0c",
    "\ufeff", "שלום", "中文", "owner", "touchpoint", "metric", "step", "promise", "target", "within", "at least",
    "at most", "average at least", "time from", "ratio", "score", "nps", "count", "per", "window", "import",
    "calendar", "journey", "defaults", "source prometheus", "updates every", "escalate to manager on breach",
    "0", "-0", "1e400", "99999999999999999999999999", "0.0000000001", "99.99999999999999999%", "100%", "101%",
    "-1%", "1ms", "0.5ms", "3650d", "3651d", "99999999999999999999d", "1..5", "0..100", "1..10000000",
    "2026-02-30", "1969-12-31", "9999-12-31", "24:00", "99:99", "<a@b.c>", '"https://a@b/"', '"x\\u{0}.touch"',
    '"../x.touch"', "{{window}}", "%s%n", "'", "`",
]


@st.composite
def mutated(draw):
    project, name, text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 5))):
        op = draw(st.sampled_from(["token", "chars", "delete", "duplicate", "splice", "truncate"]))
        at = draw(st.integers(0, len(text)))
        if op == "token":
            text = text[:at] + draw(st.sampled_from(TOKENS)) + text[at:]
        elif op == "chars":
            text = text[:at] + draw(st.text(min_size=1, max_size=8)) + text[at:]
        elif op == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 200)):]
        elif op == "duplicate":
            end = min(len(text), at + draw(st.integers(1, 400)))
            text = text[:end] + text[at:end] + text[end:]
        elif op == "splice":
            _, _, other = draw(st.sampled_from(SEEDS))
            start = draw(st.integers(0, len(other)))
            text = text[:at] + other[start:start + draw(st.integers(1, 400))] + text[at:]
        else:
            text = text[:at]
    return project, name, text, draw(st.sampled_from([None, "he"]))


@pytest.mark.parametrize("case", regressions() + SEEDS, ids=lambda c: f"{c[0]}-{c[1]}")
def test_seeds_and_saved_regressions(case):
    run_one(*case)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(case=mutated())
def test_fuzz(case):
    run_one(*case)
