"""Golden files of `touchdsl fmt` on every example file; regenerate with `make golden` after review.

The goldens end in `.touch.fmt`, not `.touch`, so `touchdsl check .` never takes
them for a project.
"""

from __future__ import annotations

from pathlib import Path

from tests.golden_update import GOLDEN, producer

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def formatted_examples() -> dict[str, bytes]:
    from touchdsl.tools.fmt import format_source

    out: dict[str, bytes] = {}
    for path in sorted(EXAMPLES.glob("*/*.touch")):
        rel = f"{path.parent.name}/{path.name}"
        text, errors = format_source(path.read_text(encoding="utf-8"), rel)
        assert not errors, errors
        out[f"{rel}.fmt"] = text.encode("utf-8")
    return out


def test_formatted_examples_match_golden_files():
    produced = producer("fmt")()
    on_disk = {p.relative_to(GOLDEN / "fmt").as_posix(): p.read_bytes()
               for p in (GOLDEN / "fmt").rglob("*") if p.is_file()}
    assert sorted(produced) == sorted(on_disk)
    for rel, data in produced.items():
        assert data == on_disk[rel], f"tests/golden/fmt/{rel} differs; review and run `make golden`"
