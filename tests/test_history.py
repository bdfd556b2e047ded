"""`touchdsl check --history` and touchdsl.toml: promises the history can keep.

The figures themselves are measure's (tests/test_measure_reference.py proves them);
here: where the warnings land, exactly at the objective, what is suggested, how a
project configures its history and what happens when it cannot be used."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.paths import REPO
from touchdsl.cli import cli
from touchdsl.measure.history import nice_duration
from touchdsl.settings import SettingsError, read

OWNER = 'owner ops "Ops" { notify email "ops@example.com" }\n'

PROJECT = OWNER + """touchpoint t "T" {
    owner ops
    expectation "Fast."
    step call "Call"
    metric answer "Answer" {
        time from call.start to call.answered
        promise 50% within 1h
        target 75% within 1h
        window 7d
    }
}
"""


def _log(path: Path, minutes: list[int | None]) -> Path:
    """One case per entry, started 2026-03-02 08:00 UTC, answered that many minutes later (None: never)."""
    lines = ["case,touchpoint,event,at"]
    for k, m in enumerate(minutes):
        lines.append(f"c{k},t,call.start,2026-03-02T08:{k:02d}:00Z")
        if m is not None:
            hour, minute = divmod(k + m, 60)
            lines.append(f"c{k},t,call.answered,2026-03-02T{8 + hour:02d}:{minute:02d}:00Z")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def check(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["check", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def proj(tmp_path: Path) -> Path:
    root = tmp_path / "p"
    root.mkdir()
    (root / "main.touch").write_text(PROJECT, encoding="utf-8")
    return root


def test_exactly_at_the_promise_is_kept_and_one_case_less_is_not(proj, tmp_path):
    # 4 cases, 2 within the hour: 50% exactly, the promise is kept; the target (75%) is not.
    events = _log(tmp_path / "at.csv", [10, 60, 61, 120])
    code, out, _ = check(str(proj), "--history", str(events), "--format", "json")
    found = {d["code"]: d for d in json.loads(out)["diagnostics"]}
    assert code == 0 and "TD610" not in found
    assert found["TD611"]["line"] == 9 and found["TD611"]["severity"] == "warning"
    events = _log(tmp_path / "under.csv", [10, 61, 61, 120])
    code, out, _ = check(str(proj), "--history", str(events))
    assert "main.touch:8:9: warning[TD610]" in out
    assert "25% of 4 cases were done within 1 hour; promised 50% within 1 hour" in out
    # the time within which half were done, and a promise the history keeps
    assert "50% were done within 1 hour" not in out and "50% were done within 61 minutes" in out
    assert "promise 50% within 90m or 25% within 1h, or improve" in out
    assert " 8 |         promise 50% within 1h\n   |         ^^^^^" in out
    code, _, _ = check(str(proj), "--history", str(events), "--strict")
    assert code == 1


def test_an_open_case_past_the_promise_makes_the_time_a_lower_bound(proj, tmp_path):
    events = _log(tmp_path / "open.csv", [10, None, None, None, 150])
    _, out, _ = check(str(proj), "--history", str(events))
    assert "TD610" in out and "took at least" in out and "(some are still open)" in out


def test_the_settings_file_configures_the_history_and_no_history_skips_it(proj, tmp_path):
    _log(proj / "events.csv", [10, 61, 61, 120])
    (proj / "touchdsl.toml").write_text('[history]\nevents = ["events.csv"]\nlast = "30d"\n', encoding="utf-8")
    code, out, _ = check(str(proj))
    assert code == 0 and "TD610" in out
    _, out, _ = check(str(proj), "--no-history")
    assert "TD61" not in out
    # --history replaces the events the file names, relative to the working directory
    kept = _log(tmp_path / "kept.csv", [1, 2, 3, 4])
    _, out, _ = check(str(proj), "--history", str(kept))
    assert "TD610" not in out and "TD611" not in out


@pytest.mark.parametrize("text, words", [
    ('[history]\nevnts = ["e.csv"]\n', "unknown key `evnts` in [history]; did you mean `events`?"),
    ('[histroy]\nevents = ["e.csv"]\n', "unknown key `histroy` in the file; did you mean `history`?"),
    ("[history]\n", "[history] needs `events`"),
    ('[history]\nevents = 3\n', "events must be a file name or a list of them"),
    ('[history]\nevents = ["e.csv"]\nmap = { case = 1 }\n', "map must be a table of column names"),
    ('[history]\nevents = "e.csv"\ntimezone = 2\n', "timezone must be text"),
    ("[history\n", "is not valid TOML"),
])
def test_a_settings_file_that_cannot_be_used_is_a_usage_error(proj, text, words):
    (proj / "touchdsl.toml").write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError) as err:
        read(proj)
    assert words in str(err.value) and "touchdsl.toml" in str(err.value)
    code, out, err_text = check(str(proj))
    assert code == 2 and words in err_text and "Traceback" not in err_text


def test_history_that_cannot_be_measured_is_a_usage_error(proj, tmp_path):
    code, _, err = check(str(proj), "--history", str(tmp_path / "missing.csv"))
    assert code == 2 and "missing.csv" in err
    events = _log(tmp_path / "e.csv", [1])
    code, _, err = check(str(proj), "--history", str(events), "--history-map", "cse=ticket")
    assert code == 2 and "cse" in err
    code, _, err = check(str(proj), "--history-map", "case=ticket")
    assert code == 2 and "need a history" in err


def test_a_project_with_errors_is_not_measured(proj, tmp_path):
    (proj / "main.touch").write_text(PROJECT.replace("owner ops\n", "owner nobody\n"), encoding="utf-8")
    code, out, err = check(str(proj), "--history", str(_log(tmp_path / "e.csv", [100])))
    assert code == 1 and "TD61" not in out and "once the project has no errors" in err


def test_the_examples_history(tmp_path):
    code, out, _ = check(str(REPO / "examples" / "telecom"), "--history",
                         str(REPO / "examples" / "telecom" / "events.csv"))
    assert code == 0
    assert "support.touch:21:9: warning[TD610]" in out
    assert "95% were done within 71.5 business hours; promise 95% within 72h or 88% within 48h, or improve" in out
    assert "support.touch:22:9: warning[TD611]" in out


@pytest.mark.parametrize("seconds, business, text", [
    (1, False, "1s"), (50, False, "1m"), (61 * 3600, True, "72h"), (61 * 3600, False, "3d"),
    (3601, False, "90m"), (5401, False, "2h"), (800 * 3600, False, "35d"), (47 * 3600, True, "48h"),
])
def test_suggested_durations_are_what_people_write(seconds, business, text):
    assert nice_duration(seconds, business) == text
