"""Golden files of the `openslo` target; `make golden FOLDERS=openslo` after review.

Covers every example project and the hostile fixture, so a reviewer sees each
change of an SLO, a query, a burn-rate condition or a quoted title as a diff.
"""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HOSTILE = REPO / "tests" / "fixtures" / "hostile"


def openslo_target() -> dict[str, bytes]:
    import touchdsl
    from tests.golden_producers import render_examples
    from touchdsl.targets import BuildOptions, openslo

    out = render_examples("openslo")
    for rel, data in openslo.render(touchdsl.load([str(HOSTILE)]), BuildOptions()).items():
        out[f"hostile/{rel}"] = data
    return out


def test_openslo_matches_golden_files():
    from tests.golden_update import GOLDEN, producer

    produced = producer("openslo")()
    root = GOLDEN / "openslo"
    on_disk = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    assert sorted(produced) == sorted(on_disk)
    for rel, data in produced.items():
        assert data == on_disk[rel], f"tests/golden/openslo/{rel} differs; review and run `make golden FOLDERS=openslo`"
