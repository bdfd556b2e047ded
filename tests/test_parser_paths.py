"""The two ways through a file agree: the fast driver and Lark with recovery build the same tree.

`touchdsl.language.lalr` parses files without syntax errors; at its first surprise
the file goes to Lark with error recovery (`touchdsl.language.recovery`). For every
file the fast driver accepts, Lark must accept it too and build the same
declarations, comments and diagnostics; every file the fast driver gives up on
must have a syntax error by Lark's account. Checked on the examples, a generated
project and a few hundred mutations of them (deterministic).
"""

from __future__ import annotations

import random
import sys

import pytest

from tests.paths import REPO
from touchdsl.language.builder import ParseContext
from touchdsl.language.lalr import parse_fast
from touchdsl.language.recovery import parse_recovering

SYNTAX = {"TD001", "TD002", "TD004"}


def _sources() -> dict[str, str]:
    found = {str(p.relative_to(REPO)): p.read_text(encoding="utf-8")
             for p in sorted((REPO / "examples").rglob("*.touch")) + sorted((REPO / "tests" / "fixtures").rglob("*.touch"))}
    sys.path.insert(0, str(REPO / "bench"))
    try:
        import generate
    finally:
        sys.path.remove(str(REPO / "bench"))
    for rel, decls in generate.build(120, seed=9, per_file=40):
        found[f"generated/{rel}.touch"] = generate.to_touch(decls)
    return found


SOURCES = _sources()
PIECES = ['"', "{", "}", ",", "-", ".", "..", "%", "#", "\n", " ", "owner", "step", "x", "5", "30s", "<a@b.c>",
          "ת", '"""', "\\", "\t", "\u2028", "\x0c", "metric", "at", "least", "notify", "by", "08:00", "2026-01-01"]


def _mutants(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    texts = list(SOURCES.values())
    out = []
    for _ in range(count):
        text = rng.choice(texts)
        for _ in range(rng.randint(1, 3)):
            pos = rng.randrange(len(text) + 1)
            roll = rng.random()
            if roll < 0.4:
                text = text[:pos] + text[pos + rng.randint(1, 5):]
            elif roll < 0.8:
                text = text[:pos] + rng.choice(PIECES) + text[pos:]
            else:
                other = rng.randrange(len(text) + 1)
                a, b = sorted((pos, other))
                text = text[:a] + text[b:b + (b - a)] + text[b:]
        out.append(text)
    return out


def _agree(text: str) -> bool:
    """Assert the two parsers agree on `text`; True when the fast driver took it."""
    fast_ctx = ParseContext("f.touch", text)
    fast = parse_fast(fast_ctx)
    slow_ctx = ParseContext("f.touch", text)
    slow, recovery = parse_recovering(slow_ctx)
    syntax = [d for d in slow_ctx.diagnostics if d.code in SYNTAX]
    if fast is None:
        assert syntax or recovery.gave_up, f"the fast driver gave up on a file Lark reads: {text[:300]!r}"
        return False
    assert syntax == [], f"the fast driver took a file with syntax errors: {syntax[:2]}"
    assert fast == slow
    assert fast_ctx.comments == slow_ctx.comments
    assert fast_ctx.diagnostics == slow_ctx.diagnostics  # escapes (TD003) are reported by both
    return True


@pytest.mark.parametrize("name", list(SOURCES))
def test_valid_files_take_the_fast_way_to_the_same_tree(name: str) -> None:
    assert _agree(SOURCES[name])


@pytest.mark.parametrize("seed", range(4))
def test_mutated_files_parse_to_the_same_tree_or_go_to_recovery(seed: int) -> None:
    taken = sum(_agree(text) for text in _mutants(150, seed))
    assert 0 < taken < 150  # both ways were exercised
