"""Golden files of the `alertmanager` target; `make golden` after review.

Covers every example project and the hostile fixture, so a reviewer sees each
change of a route, a receiver or a secret file path as a diff.
"""

from __future__ import annotations

from pathlib import Path

from tests.projects import PROJECTS

REPO = Path(__file__).resolve().parent.parent


def alertmanager_target() -> dict[str, bytes]:
    import touchdsl
    from touchdsl.targets import BuildOptions, alertmanager

    out: dict[str, bytes] = {}
    for name, path in PROJECTS.items():
        project = touchdsl.load([str(path)])
        for rel, data in alertmanager.render(project, BuildOptions()).items():
            out[f"{name}/{rel}"] = data
    return out


def test_alertmanager_matches_golden_files():
    from tests.golden_update import GOLDEN, producer

    produced = producer("alertmanager")()
    root = GOLDEN / "alertmanager"
    on_disk = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    assert sorted(produced) == sorted(on_disk)
    for rel, data in produced.items():
        assert data == on_disk[rel], f"tests/golden/alertmanager/{rel} differs; review and run `make golden`"
