"""Golden test of the `json` target; regenerate with `make golden` after review."""

from tests.golden_update import GOLDEN, producer


def test_json_target_matches_golden_files():
    produced = producer("json")()
    on_disk = {p.relative_to(GOLDEN / "json").as_posix(): p.read_bytes()
               for p in (GOLDEN / "json").rglob("*") if p.is_file()}
    assert sorted(produced) == sorted(on_disk)
    for rel, data in produced.items():
        assert data == on_disk[rel], f"tests/golden/json/{rel} differs; review and run `make golden`"
