"""The examples' event logs are what the committed generator writes; measuring them gives
the reviewed measure.json and measure.csv under tests/golden/measure/ (the `measure`
producer of tests/golden.py, checked by tests/test_golden.py; regenerate with
`make golden FOLDERS=measure` and review the diff)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from tests.paths import EXAMPLES, GOLDEN, REPO

AS_OF = "2026-11-30T17:00:00+02:00"
# How each example's log is read (the same options `make demo` passes).
RUNS: dict[str, dict[str, object]] = {
    "telecom": {"events": "examples/telecom/events.csv"},
    "banking": {"events": "examples/banking/events.jsonl", "timezone": "Asia/Jerusalem"},
    "health": {"events": "examples/health/events.csv",
               "mapping": {"case": "ticket_id", "at": "created_at", "segment": "priority"},
               "timezone": "Asia/Jerusalem"},
}


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
