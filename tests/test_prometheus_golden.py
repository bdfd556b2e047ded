"""Golden files of the `prometheus` and `tests` targets; `make golden` after review.

Covers every example project and the hostile fixture, so a reviewer sees each
change of a rule, a threshold or an escaped text as a diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.projects import PROJECTS

REPO = Path(__file__).resolve().parent.parent


def _render(target: str) -> dict[str, bytes]:
    import touchdsl
    from touchdsl.targets import BuildOptions, renderer

    out: dict[str, bytes] = {}
    for name, path in PROJECTS.items():
        project = touchdsl.load([str(path)])
        for rel, data in renderer(target)(project, BuildOptions()).items():
            out[f"{name}/{rel}"] = data
    return out


def prometheus_target() -> dict[str, bytes]:
    return _render("prometheus")


def promtool_tests_target() -> dict[str, bytes]:
    return _render("tests")


@pytest.mark.parametrize("folder", ["prometheus", "tests"])
def test_target_matches_golden_files(folder):
    from tests.golden_update import GOLDEN, producer

    produced = producer(folder)()
    root = GOLDEN / folder
    on_disk = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    assert sorted(produced) == sorted(on_disk)
    for rel, data in produced.items():
        assert data == on_disk[rel], f"tests/golden/{folder}/{rel} differs; review and run `make golden`"
