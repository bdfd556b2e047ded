"""The examples' event logs are what the committed generator writes, and measuring them
gives the reviewed measure.json and measure.csv under tests/golden/measure/
(regenerate with `make golden FOLDERS=measure`, review the diff)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from tests.golden_update import GOLDEN

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
AS_OF = "2026-11-30T17:00:00+02:00"
# How each example's log is read (the same options `make demo` passes).
RUNS: dict[str, dict[str, object]] = {
    "telecom": {"events": "examples/telecom/events.csv"},
    "banking": {"events": "examples/banking/events.jsonl"},
    "health": {"events": "examples/health/events.csv", "mapping": {"case": "ticket_id", "at": "created_at"},
               "timezone": "Asia/Jerusalem"},
}


def measure_examples() -> dict[str, bytes]:
    import os

    import touchdsl
    from touchdsl.measure.output import to_csv, to_json

    out: dict[str, bytes] = {}
    here = os.getcwd()
    os.chdir(REPO)  # sources are shown as given: relative to the repository
    try:
        for name, options in RUNS.items():
            result = touchdsl.measure(f"examples/{name}", as_of=AS_OF, **options)  # type: ignore[arg-type]
            out[f"{name}/measure.json"] = to_json(result).encode("utf-8")
            out[f"{name}/measure.csv"] = to_csv(result).encode("utf-8")
    finally:
        os.chdir(here)
    return out


def test_measure_goldens():
    produced = measure_examples()
    folder = GOLDEN / "measure"
    on_disk = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert sorted(on_disk) == sorted(produced)
    for rel, data in produced.items():
        assert data == on_disk[rel], f"tests/golden/measure/{rel} differs: run `make golden FOLDERS=measure`"


def test_each_example_misses_a_promise_on_purpose_and_has_open_cases():
    import json

    for name in RUNS:
        doc = json.loads((GOLDEN / "measure" / name / "measure.json").read_text(encoding="utf-8"))
        assert doc["kept"] is False and doc["promises"]["missed"] == 1, name
        assert any(p.get("open") for i in doc["items"] for p in i["periods"]), name
        assert doc["data_quality"]["problems"], name


@pytest.fixture(scope="module")
def generator():
    spec = importlib.util.spec_from_file_location("make_events", EXAMPLES / "make_events.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", sorted(RUNS))
def test_committed_logs_are_what_the_generator_writes(generator, name, tmp_path, monkeypatch):
    path = Path(str(RUNS[name]["events"]))
    committed = (REPO / path).read_bytes()
    monkeypatch.setattr(generator, "HERE", tmp_path)
    (tmp_path / name).mkdir()
    for touch in (EXAMPLES / name).glob("*.touch"):
        (tmp_path / name / touch.name).write_bytes(touch.read_bytes())
    written = generator.write(name)
    assert written.read_bytes() == committed, f"{path} differs from `python examples/make_events.py`"
    assert 1000 < committed.count(b"\n") < 20000
