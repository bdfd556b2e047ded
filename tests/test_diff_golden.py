"""Golden files of `touchdsl diff` reports (text, Markdown, JSON); regenerate with `make golden`.

Two comparisons: the telecom example against a revision that loosens, tightens
and reassigns (the one docs/diff.md shows), and telecom against banking.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from tests.golden_update import GOLDEN, producer

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

EDITS = [
    ("promise 80% within 30s", "promise 80% within 45s"),
    ("owner billing\n", "owner field_ops\n"),
    ("promise at most 20", "promise at most 30"),
    ("per 7d", "per 14d"),
    ("channels phone, chat", "channels phone"),
    ("updates every 4h", "updates every 2h"),
    ('"Technical fault repaired"', '"Technical fault *repaired* <fast> | @support"'),
]


def edited_telecom():
    import touchdsl

    with tempfile.TemporaryDirectory() as tmp:
        for path in (EXAMPLES / "telecom").glob("*.touch"):
            text = path.read_text(encoding="utf-8")
            for old, new in EDITS:
                text = text.replace(old, new, 1)
            (Path(tmp) / path.name).write_text(text, encoding="utf-8")
        return touchdsl.load([tmp])


def diff_reports() -> dict[str, bytes]:
    import touchdsl
    from touchdsl.tools import semdiff

    telecom = touchdsl.load([str(EXAMPLES / "telecom")])
    cases = {
        "telecom-edited": (telecom, edited_telecom(), "git:main:examples/telecom", "examples/telecom"),
        "telecom-banking": (telecom, touchdsl.load([str(EXAMPLES / "banking")]), "examples/telecom",
                            "examples/banking"),
    }
    out: dict[str, bytes] = {}
    for name, (old, new, old_label, new_label) in cases.items():
        changes = semdiff.diff_projects(old, new)
        out[f"{name}.txt"] = semdiff.format_text(changes, old_label, new_label).encode("utf-8")
        out[f"{name}.md"] = semdiff.format_markdown(changes, old_label, new_label).encode("utf-8")
        out[f"{name}.json"] = semdiff.format_json(changes, old_label, new_label).encode("utf-8")
    return out


def test_diff_reports_match_golden_files():
    produced = producer("diff")()
    on_disk = {p.relative_to(GOLDEN / "diff").as_posix(): p.read_bytes()
               for p in (GOLDEN / "diff").rglob("*") if p.is_file()}
    assert sorted(produced) == sorted(on_disk)
    for rel, data in produced.items():
        assert data == on_disk[rel], f"tests/golden/diff/{rel} differs; review and run `make golden`"
