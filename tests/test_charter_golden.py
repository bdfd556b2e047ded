"""Golden files of the `charter` and `policy` targets in both languages; `make golden` after review.

Every example project and the hostile fixture, each rendered in English and in
Hebrew (`--lang`), so a reviewer sees each change of wording, layout or escaping
as a diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.projects import PROJECTS

REPO = Path(__file__).resolve().parent.parent
LANGUAGES = ("en", "he")


def _render(target: str) -> dict[str, bytes]:
    import touchdsl
    from touchdsl.targets import BuildOptions, renderer

    out: dict[str, bytes] = {}
    for name, path in PROJECTS.items():
        project = touchdsl.load([str(path)])
        for lang in LANGUAGES:
            for rel, data in renderer(target)(project, BuildOptions(lang=lang)).items():
                out[f"{name}/{lang}/{rel}"] = data
    return out


def charter_target() -> dict[str, bytes]:
    return _render("charter")


def policy_target() -> dict[str, bytes]:
    return _render("policy")


@pytest.mark.parametrize("folder", ["charter", "policy"])
def test_target_matches_golden_files(folder):
    from tests.golden_update import GOLDEN, producer

    produced = producer(folder)()
    root = GOLDEN / folder
    on_disk = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    assert sorted(produced) == sorted(on_disk), "the set of golden files changed; review and run `make golden`"
    for rel, data in produced.items():
        assert data == on_disk[rel], f"tests/golden/{folder}/{rel} differs; review and run `make golden`"
