"""Every producer over every project matches its reviewed golden files (tests/golden.py);
after a reviewed change, `make golden` rewrites them."""

from __future__ import annotations

import pytest

from tests.golden import PRODUCERS, on_disk
from tests.paths import GOLDEN

PAIRS = [(producer, case) for producer, p in PRODUCERS.items() for case in p.cases]


@pytest.mark.parametrize("producer, case", PAIRS, ids=[f"{p}/{c}" for p, c in PAIRS])
def test_output_matches_the_golden_files(producer, case):
    produced = PRODUCERS[producer].render(case)
    stored = on_disk(producer, case)
    hint = f"review the change and run `make golden FOLDERS={producer}`"
    assert sorted(produced) == sorted(stored), f"the set of files of {producer}/{case} changed; {hint}"
    for rel, data in produced.items():
        assert data == stored[rel], f"tests/golden/{producer}/{case}/{rel} differs; {hint}"


def test_no_stale_golden_files():
    """A golden folder no producer writes any more would never be checked again."""
    for folder in GOLDEN.iterdir():
        assert folder.name in PRODUCERS, f"tests/golden/{folder.name} has no producer"
        cases = {p.name for p in folder.iterdir()}
        assert cases <= set(PRODUCERS[folder.name].cases), (folder.name, cases)


def test_every_target_and_project_has_goldens():
    from tests.projects import PROJECTS
    from touchdsl.targets import TARGETS

    assert set(TARGETS) | {"fmt", "diff", "measure"} == set(PRODUCERS)
    for name in [*TARGETS, "fmt"]:
        assert PRODUCERS[name].cases == tuple(PROJECTS), name
