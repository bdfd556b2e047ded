"""`touchdsl measure` as people meet it: boundaries (exactly at the objective, no
events, one event, open cases before and after the deadline), bad data counted with
file and row, usage errors with exit 2 naming the file and column, the sources
(CSV, JSON lines, gzip, Parquet, globs, several at once, .sql views), the outputs."""

from __future__ import annotations

import csv
import gzip
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import jsonschema
import pytest
from click.testing import CliRunner

from tests.paths import REPO
from touchdsl.cli import cli
from touchdsl.measure.output import CSV_COLUMNS
from touchdsl.measure.result import schema

EXAMPLES = REPO / "examples"

PROJECT = """
owner ops "Ops" { notify email "ops@example.com" }
touchpoint t "T" {
    owner ops
    expectation "Fast."
    step call "Call"
    step fix "Fix"
    metric answer "Answer" {
        time from call.start to call.answered
        promise 80% within 1h
        target 90% within 30m
        window 7d
    }
    metric lost "Lost" {
        ratio abandoned of offered
        promise at most 25%
        window 7d
    }
    metric csat "CSAT" {
        score 1..5
        promise average at least 4
        window 7d
    }
    metric nps "NPS" {
        nps
        promise at least 50
        window 7d
    }
    metric complaints "Complaints" {
        count complaints per 1d
        promise at most 2
        window 7d
    }
}
"""

T0 = "2026-11-02T10:00:00+02:00"


def at(minutes: float) -> str:
    """T0 plus minutes, as written in a log."""
    import datetime as dt

    return (dt.datetime.fromisoformat(T0) + dt.timedelta(minutes=minutes)).isoformat()


@pytest.fixture
def proj(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "main.touch").write_text(PROJECT, encoding="utf-8")
    return root


def write_csv(path: Path, rows: list[list[object]], header: tuple[str, ...] = ("case", "touchpoint", "event", "at", "value")) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["measure", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def measured(proj: Path, events: Path, *extra: str) -> tuple[int, dict]:
    code, out, err = run(str(proj), "-e", str(events), "--format", "json", *extra)
    assert out, err
    return code, json.loads(out)


def item(doc: dict, metric: str) -> dict:
    return next(i for i in doc["items"] if i["metric"] == metric)


# ---- boundaries --------------------------------------------------------------------------


def test_exactly_at_every_objective_is_kept(proj, tmp_path):
    rows: list[list[object]] = []
    # answer: 4 of 5 exactly at the limit (1h), one late: 80% = the promise.
    for k in range(5):
        rows += [[f"c{k}", "t", "call.start", at(0)], [f"c{k}", "t", "call.answered", at(60 if k < 4 else 61)]]
    # lost: 1 abandoned of 4 offered = 25%, the limit.
    for k in range(4):
        rows.append([f"c{k}", "t", "offered", at(1)])
    rows.append(["c0", "t", "abandoned", at(2)])
    # csat: average exactly 4; nps: 3 promoters, 1 detractor of 4 = 50.
    rows += [["c0", "t", "csat", at(3), 3], ["c1", "t", "csat", at(3), 5]]
    rows += [[f"c{k}", "t", "nps", at(4), v] for k, v in enumerate([10, 9, 9, 6])]
    # complaints: 2 in a day, the limit.
    rows += [["", "t", "complaints", at(5)], ["", "t", "complaints", at(6)]]
    code, doc = measured(proj, write_csv(tmp_path / "e.csv", rows))
    assert code == 0
    for metric, value in [("answer", 80.0), ("lost", 25.0), ("csat", 4.0), ("nps", 50.0), ("complaints", 2.0)]:
        promise = item(doc, metric)["periods"][0]["promise"]
        assert (promise["status"], promise["value"], promise["margin"]) == ("kept", value, 0.0), metric
    assert doc["kept"] is True


def test_one_more_late_case_misses_the_promise(proj, tmp_path):
    rows: list[list[object]] = []
    for k in range(5):
        rows += [[f"c{k}", "t", "call.start", at(0)], [f"c{k}", "t", "call.answered", at(60 if k < 3 else 60.001)]]
    code, doc = measured(proj, write_csv(tmp_path / "e.csv", rows))
    promise = item(doc, "answer")["periods"][0]["promise"]
    assert (promise["status"], promise["decided"], promise["good"], promise["margin"]) == ("missed", 5, 3, -20.0)
    assert code == 1


def test_no_events_at_all_is_no_data_not_kept_or_missed(proj, tmp_path):
    code, doc = measured(proj, write_csv(tmp_path / "e.csv", []), "--as-of", T0)
    assert code == 0
    assert {i["metric"]: i["status"] for i in doc["items"]} == {
        "answer": "no_data", "lost": "no_data", "csat": "no_data", "nps": "no_data",
        "complaints": "kept",  # no complaint is within the limit
    }
    assert doc["data_quality"] == {"rows": 0, "problems": []}


def test_one_event_is_an_open_case_never_met(proj, tmp_path):
    code, doc = measured(proj, write_csv(tmp_path / "e.csv", [["c1", "t", "call.start", T0]]),
                         "--timezone", "Asia/Jerusalem")
    period = item(doc, "answer")["periods"][0]
    assert code == 0 and doc["as_of"] == T0
    assert (period["open"], period["overdue"], period["promise"]["decided"], period["promise"]["status"]) == (1, 0, 0, "no_data")


@pytest.mark.parametrize("as_of,open_,overdue,decided", [
    (at(60), 1, 0, 0),          # exactly at the deadline: still within
    (at(60.0001), 0, 1, 1),     # a moment later: missed, in the period the deadline passed
])
def test_an_open_case_is_missed_the_moment_the_deadline_passes(proj, tmp_path, as_of, open_, overdue, decided):
    code, doc = measured(proj, write_csv(tmp_path / "e.csv", [["c1", "t", "call.start", T0]]), "--as-of", as_of,
                         "--timezone", "Asia/Jerusalem")
    period = item(doc, "answer")["periods"][0]
    assert (period["open"], period["overdue"], period["promise"]["decided"]) == (open_, overdue, decided)
    assert period["promise"]["status"] == ("missed" if decided else "no_data")
    assert code == (1 if decided else 0)
    if decided:
        # missed at the deadline; its time so far is shown, the case being open
        assert period["worst"] == [{"case": "c1", "value": 3600.006, "at": at(60), "open": True}]


def test_end_before_start_and_duplicate_starts_are_counted_with_rows(proj, tmp_path):
    rows = [
        ["a", "t", "call.answered", at(-10)],   # row 1: before its start
        ["a", "t", "call.start", at(0)],
        ["b", "t", "call.start", at(0)],
        ["b", "t", "call.start", at(5)],        # row 4: a second start; the first counts
        ["b", "t", "call.answered", at(50)],
    ]
    code, doc = measured(proj, write_csv(tmp_path / "e.csv", rows))
    problems = {p["kind"]: p for p in doc["data_quality"]["problems"]}
    assert problems["end_before_start"]["count"] == 1
    assert problems["end_before_start"]["examples"][0]["row"] == 1
    assert problems["duplicate_start"]["examples"][0]["row"] == 4
    period = item(doc, "answer")["periods"][0]
    assert period["open"] == 1  # case a has no end after its start
    assert period["worst"][0]["value"] == 3000.0  # case b: 50 minutes from its first start


def test_bad_rows_are_counted_with_file_row_and_text(proj, tmp_path):
    rows = [
        ["c1", "t", "call.start", "yesterday"],
        ["c1", "x", "call.start", T0],
        ["c1", "t", "call.strat", T0],
        ["c1", "t", "csat", T0, 6],
        ["c1", "t", "nps", T0, 7.5],
        ["c1", "t", "csat", T0, "good"],
        ["", "t", "call.start", T0],
        ["c2", "t", "abandoned", T0],
        ["c3", "t", "call.start", "1960-01-01T00:00:00Z"],
    ]
    code, doc = measured(proj, write_csv(tmp_path / "e.csv", rows))
    problems = {p["kind"]: p for p in doc["data_quality"]["problems"]}
    expect = {"unreadable_timestamp": 1, "unknown_touchpoint": 2, "unknown_event": 3, "answer_outside_scale": 4,
              "unreadable_value": 6, "missing_case": 7, "numerator_without_denominator": 8,
              "timestamp_before_1970": 9}
    assert {k: problems[k]["examples"][0]["row"] for k in expect} == expect
    assert problems["answer_outside_scale"]["count"] == 3  # 6 on 1..5, 7.5 for NPS, "good"
    assert problems["unreadable_timestamp"]["examples"][0]["at"] == "yesterday"
    assert problems["unknown_touchpoint"]["examples"][0]["source"] == str(tmp_path / "e.csv")
    assert all(p["description"] for p in problems.values())


def test_terminal_table_shows_data_quality_and_never_control_characters(proj, tmp_path):
    rows = [["c\x1b[31mred", "t", "call.start", T0], ["c\x1b[31mred", "t", "call.answered", at(90)],
            ["x", "t", "nope", T0]]
    code, out, err = run(str(proj), "-e", str(write_csv(tmp_path / "e.csv", rows)))
    assert code == 1
    assert "\x1b" not in out and "c\\x1b[31mred" in out
    assert "MISSED   t.answer" in out
    assert "unknown_event" in out and "e.csv row 3" in out
    assert "Data quality: 1 problem in 3 rows." in out


def test_terminal_counts_one_row_in_the_singular(proj, tmp_path):
    code, out, err = run(str(proj), "-e", str(write_csv(tmp_path / "e.csv", [["x", "t", "nope", T0]])))
    assert "Data quality: 1 problem in 1 row." in out


# ---- usage errors: exit 2, naming the file and column, never a traceback ------------------


def test_naive_timestamps_need_a_timezone(proj, tmp_path):
    events = write_csv(tmp_path / "e.csv", [["c1", "t", "call.start", "2026-11-02 10:00:00"],
                                            ["c1", "t", "call.answered", "2026-11-02 10:20:00"]])
    code, out, err = run(str(proj), "-e", str(events))
    assert code == 2
    assert f"{events} row 1: timestamp `2026-11-02 10:00:00` has no time zone; give --timezone ZONE" in err
    code, doc = measured(proj, events, "--timezone", "Asia/Jerusalem")
    assert code == 0 and doc["as_of"] == "2026-11-02T10:20:00+02:00"
    assert item(doc, "answer")["periods"][0]["promise"]["good"] == 1


@pytest.mark.parametrize("args,message", [
    (["--map", "case=ticket"], "no column `ticket` (mapped to `case`); the columns are: case, touchpoint, event, at, value"),
    (["--map", "cas=ticket"], "--map `cas`: the event log has no column `cas`"),
    (["--map", "case=ticket", "--map", "case=id"], "--map `case` is given twice, as `ticket` and as `id`"),
    (["--map", "case=ticket,case=id"], "--map `case` is given twice, as `ticket` and as `id`"),
    (["--timezone", "Mars/Base"], "unknown time zone `Mars/Base`"),
    (["--last", "a week"], "--last `a week` is not a duration"),
    (["--as-of", "soon"], "--as-of `soon` is not a date or time"),
])
def test_bad_options_are_usage_errors(proj, tmp_path, args, message):
    events = write_csv(tmp_path / "e.csv", [["c1", "t", "call.start", T0]])
    code, out, err = run(str(proj), "-e", str(events), *args)
    assert code == 2 and message in err, err


def test_a_missing_column_names_file_and_column(proj, tmp_path):
    events = write_csv(tmp_path / "e.csv", [["c1", "t", T0]], header=("case", "touchpoint", "at"))
    code, out, err = run(str(proj), "-e", str(events))
    assert code == 2
    assert f"{events}: no column `event`; the columns are: case, touchpoint, at; name the column that holds it " \
           "with --map event=COLUMN" in err


def test_unreadable_files_name_the_file(proj, tmp_path):
    (tmp_path / "junk.parquet").write_bytes(b"not parquet at all")
    (tmp_path / "bad.jsonl").write_text('{"case": "c1"\n', encoding="utf-8")
    (tmp_path / "x.xlsx").write_bytes(b"")
    (tmp_path / "two.sql").write_text("SELECT 1; SELECT 2", encoding="utf-8")
    (tmp_path / "drop.sql").write_text("DROP TABLE x", encoding="utf-8")
    for name, message in [("junk.parquet", "junk.parquet: cannot read"), ("bad.jsonl", "bad.jsonl: cannot read"),
                          ("missing.csv", "missing.csv: no such file"), ("*.nothing", "*.nothing: no file matches"),
                          ("x.xlsx", "x.xlsx: cannot tell the format"),
                          ("two.sql", "two.sql: must hold exactly one SELECT"),
                          ("drop.sql", "drop.sql: must hold exactly one SELECT")]:
        code, out, err = run(str(proj), "-e", str(tmp_path / name))
        assert code == 2 and message in err, (name, err)


def test_errors_reach_the_user_without_a_traceback(proj, tmp_path):
    events = write_csv(tmp_path / "e.csv", [["c1", "t", "call.start", "2026-11-02 10:00"]])
    for args in (["-e", str(events)], ["-e", str(tmp_path / "none.csv")], ["-e", str(events), "--every", "day"]):
        proc = subprocess.run([sys.executable, "-m", "touchdsl", "measure", str(proj), *args],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 2, proc.stderr
        assert "Traceback" not in proc.stderr and proc.stderr.strip()


def test_a_project_with_errors_is_not_measured(tmp_path):
    (tmp_path / "main.touch").write_text('owner ops "Ops" {\n', encoding="utf-8")
    events = write_csv(tmp_path / "e.csv", [])
    code, out, err = run(str(tmp_path), "-e", str(events))
    assert code == 1 and "nothing measured" in err


# ---- sources ---------------------------------------------------------------------------------


def test_json_lines_gzip_parquet_globs_and_renamed_columns_read_alike(proj, tmp_path):
    rows = [["c1", "t", "call.start", T0, None], ["c1", "t", "call.answered", at(20), None],
            ["c2", "t", "call.start", at(1), None], ["c2", "t", "csat", at(30), 5]]
    parts = tmp_path / "parts"
    parts.mkdir()
    write_csv(parts / "a.csv", rows[:2], header=("ticket", "touchpoint", "event", "created", "value"))
    with gzip.open(parts / "b.jsonl.gz", "wt", encoding="utf-8") as f:
        for case, tp, event, when, value in rows[2:]:
            f.write(json.dumps({"ticket": case, "touchpoint": tp, "event": event, "created": when, "value": value}) + "\n")
    con = duckdb.connect()
    con.execute(f"COPY (SELECT 'c3' AS ticket, 't' AS touchpoint, 'call.start' AS event, "
                f"TIMESTAMPTZ '{at(2)}' AS created) TO '{parts / 'c.parquet'}' (FORMAT parquet)")
    con.close()
    code, doc = measured(proj, parts / "*.csv", "-e", str(parts / "*.gz"), "-e", str(parts / "c.parquet"),
                         "--map", "case=ticket,at=created")
    assert doc["sources"] == [str(parts / "a.csv"), str(parts / "b.jsonl.gz"), str(parts / "c.parquet")]
    period = item(doc, "answer")["periods"][0]
    assert (period["promise"]["decided"], period["open"]) == (1, 2)
    assert item(doc, "csat")["periods"][0]["answers"] == 1
    assert doc["data_quality"]["rows"] == 5


def test_sql_recipes_from_the_docs_run_and_read_files_beside_them(tmp_path, monkeypatch):
    recipes = EXAMPLES / "recipes"
    docs = (REPO / "docs" / "measure.md").read_text(encoding="utf-8")
    for name in ("queue_log.sql", "ticket_history.sql"):
        assert (recipes / name).read_text(encoding="utf-8").strip() in docs, f"docs/measure.md must show {name}"
    monkeypatch.chdir(tmp_path)  # the .sql files read their CSVs relative to themselves
    code, doc = measured(EXAMPLES / "telecom", recipes / "queue_log.sql", "-e", str(recipes / "ticket_history.sql"),
                         "--timezone", "Asia/Jerusalem")
    assert doc["data_quality"]["problems"] == []
    answer = item(doc, "answer")["periods"][0]
    assert (answer["promise"]["decided"], answer["promise"]["good"]) == (7, 4)  # 2 abandoned calls never answered
    assert item(doc, "abandoned")["periods"][0]["promise"]["value"] == round(200 / 7, 4)
    done = item(doc, "done")["periods"][0]
    assert (done["promise"]["decided"], done["open"]) == (3, 1)
    assert item(doc, "first_contact")["periods"][0]["promise"]["good"] == 2


# ---- periods, outputs, exit codes --------------------------------------------------------------


def test_outputs_validate_and_csv_is_tidy(tmp_path):
    out = tmp_path / "out"
    code, stdout, err = run(str(EXAMPLES / "telecom"), "-e", str(EXAMPLES / "telecom" / "events.csv"),
                            "--as-of", "2026-11-30T17:00:00+02:00", "--every", "week", "-o", str(out))
    assert code == 1
    assert f"Written: {out}/measure.json, {out}/measure.csv" in stdout
    doc = json.loads((out / "measure.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema())
    jsonschema.validate(doc, schema())
    with (out / "measure.csv").open(encoding="utf-8") as f:
        table = list(csv.DictReader(f))
    assert tuple(table[0]) == CSV_COLUMNS
    assert len(table) == sum(len(i["periods"]) for i in doc["items"]) > len(doc["items"])
    first = doc["items"][0]
    assert first["status"] == "missed" and doc["items"][-1]["status"] != "missed"  # worst first


def test_every_month_cuts_at_local_month_starts(proj, tmp_path):
    events = write_csv(tmp_path / "e.csv", [["c1", "t", "call.start", "2026-10-31T23:30:00+02:00"],
                                            ["c1", "t", "call.answered", "2026-11-01T00:10:00+02:00"]])
    code, doc = measured(proj, events, "--from", "2026-10-01", "--to", "2026-12-01", "--every", "month",
                         "--timezone", "Asia/Jerusalem")
    periods = item(doc, "answer")["periods"]
    assert [(p["start"], p["end"]) for p in periods] == [
        ("2026-10-01T00:00:00+03:00", "2026-11-01T00:00:00+02:00"),
        ("2026-11-01T00:00:00+02:00", "2026-11-01T00:10:00+02:00"),  # clipped at the as-of
    ]
    assert [p["promise"]["decided"] for p in periods] == [0, 1]


def test_fail_on_target_and_never(proj, tmp_path):
    rows = [["c1", "t", "call.start", T0], ["c1", "t", "call.answered", at(45)]]  # promise kept, target missed
    events = write_csv(tmp_path / "e.csv", rows)
    assert measured(proj, events)[0] == 0
    assert measured(proj, events, "--fail-on", "target")[0] == 1
    late = write_csv(tmp_path / "late.csv", [["c1", "t", "call.start", T0], ["c1", "t", "call.answered", at(90)]])
    assert measured(proj, late, "--fail-on", "never")[0] == 0


def test_schema_measure_is_the_schema_of_measure_json():
    result = CliRunner().invoke(cli, ["schema", "measure"])
    assert result.exit_code == 0
    assert json.loads(result.output) == json.loads(json.dumps(schema()))
    assert "data_quality" in json.loads(result.output)["properties"]


# ---- timestamps as exports write them --------------------------------------------------------

END = "2026-11-02T12:00:00Z"  # the answer of every case below; the start is read from the text


@pytest.mark.parametrize("text,timezone,seconds", [
    ("2026-11-02T10:00:00+02:00", None, 4 * 3600.0),
    ("2026-11-02T10:00:00 +02:00", None, 4 * 3600.0),      # a space before the offset
    ("2026-11-02 10:00:00 +0200", "Asia/Jerusalem", 4 * 3600.0),  # ... whatever --timezone says
    ("2026-11-02T10:00:00z", None, 2 * 3600.0),             # RFC 3339 allows a lower-case z
    ("2026-11-02 10:00:00 UTC", None, 2 * 3600.0),          # as BigQuery exports timestamps
    ("2026-11-02 10:00:00 UTC", "Asia/Jerusalem", 2 * 3600.0),  # UTC is UTC, not the local zone
    ("2026-11-02 10:00:00 Asia/Jerusalem", None, 4 * 3600.0),
    ("2026-11-02 10:00:00", "Asia/Jerusalem", 4 * 3600.0),  # naive: read in --timezone
    ("2026-11-02 10:00:00 EST", "Asia/Jerusalem", None),     # an abbreviation is not guessed, nor dropped
    ("2026-11-02 10:00:00 EST", None, None),
    ("99999-11-02T10:00:00Z", None, None),                   # a typo beyond year 9999: unreadable, not a crash
    ("0000-01-01T00:00:00Z", None, None),
])
def test_timestamps_with_their_zone_are_read_as_written(proj, tmp_path, text, timezone, seconds):
    rows = [["c1", "t", "call.start", text], ["c1", "t", "call.answered", END]]
    extra = ["--as-of", END, *(["--timezone", timezone] if timezone else [])]
    code, out, err = run(str(proj), "-e", str(write_csv(tmp_path / "e.csv", rows)), "--format", "json", *extra)
    assert code in (0, 1), err
    doc = json.loads(out)
    problems = {p["kind"]: p for p in doc["data_quality"]["problems"]}
    worst = item(doc, "answer")["periods"][0]["worst"]
    if seconds is None:
        assert problems["unreadable_timestamp"]["examples"][0]["at"] == text
        assert worst == []
    else:
        assert "unreadable_timestamp" not in problems
        assert worst[0]["value"] == seconds


# ---- files as people have them -------------------------------------------------------------


def test_json_values_of_mixed_types_are_read_as_their_text(proj, tmp_path):
    """One key holding a number in one row and text in another (a case 7 and "007", an
    answer 5 and "4"), or a key only late rows have: every row is read, ids unquoted."""
    def row(case: object, event: str, when: object, **more: object) -> str:
        return json.dumps({"case": case, "touchpoint": "t", "event": event, "at": when, **more}) + "\n"

    lines = [row("007", "call.start", T0), row(7, "call.start", T0), row("007", "call.answered", at(20)),
             row("c1", "call.start", 1762070400)]
    lines += [row(f"x{k}", "complaints", at(1)) for k in range(25_000)]  # past DuckDB's sample of types
    lines += [row("c2", "csat", at(2), value=5), row("c3", "csat", at(2), value="4"), row("c4", "csat", at(2), value="good"),
              row(8, "csat", at(2), value=True)]
    events = tmp_path / "e.jsonl"
    events.write_text("".join(lines), encoding="utf-8")
    code, doc = measured(proj, events)
    problems = {p["kind"]: p for p in doc["data_quality"]["problems"]}
    assert doc["data_quality"]["rows"] == 25_008
    assert problems["unreadable_timestamp"]["count"] == 1
    first = problems["unreadable_timestamp"]["examples"][0]
    assert (first["source"], first["row"], first["case"], first["at"]) == (str(events), 4, "c1", "1762070400")
    answer = item(doc, "answer")["periods"][0]
    assert answer["worst"][0]["case"] == "007" and (answer["promise"]["decided"], answer["open"]) == (1, 1)
    assert item(doc, "csat")["periods"][0]["answers"] == 2  # 5 and "4"; "good" and true are not numbers
    assert [e["row"] for e in problems["unreadable_value"]["examples"]] == [25_007, 25_008]


@pytest.mark.parametrize("kind,value,readable", [
    ("DOUBLE", "4.0", True), ("INTEGER", "4", True), ("DECIMAL(4,1)", "4.0", True), ("VARCHAR", "'4'", True),
    ("BOOLEAN", "true", False), ("DATE", "DATE '2026-11-02'", False), ("VARCHAR", "'good'", False),
])
def test_a_parquet_value_is_an_answer_only_when_it_is_a_number(proj, tmp_path, kind, value, readable):
    """A typed `value` column is read as a number only when its type is a number or its
    text is one: a boolean `true` is not the answer 1, it is an unreadable value."""
    import duckdb

    events = tmp_path / "e.parquet"
    con = duckdb.connect()
    con.execute(f"COPY (SELECT 'c1' AS \"case\", 't' AS touchpoint, 'csat' AS event, TIMESTAMPTZ '{T0}' AS \"at\", "
                f"CAST({value} AS {kind}) AS value) TO '{events}' (FORMAT parquet)")
    con.close()
    code, doc = measured(proj, events)
    problems = {p["kind"]: p for p in doc["data_quality"]["problems"]}
    assert item(doc, "csat")["periods"][0]["answers"] == (1 if readable else 0)
    assert ("unreadable_value" in problems) is not readable


def test_csv_quoted_line_breaks_bom_and_empty_files_are_read(proj, tmp_path):
    quoted = tmp_path / "quoted.csv"
    quoted.write_text('\ufeffcase,touchpoint,event,at,value\r\n"c,1\nsecond line",t,call.start,' + T0 + '\r\n'
                      '"c,1\nsecond line",t,call.answered,' + at(20) + ',\r\n', encoding="utf-8")
    (tmp_path / "empty.csv").write_bytes(b"")  # an export of a day without events
    (tmp_path / "empty.jsonl").write_bytes(b"")
    code, doc = measured(proj, quoted, "-e", str(tmp_path / "empty.csv"), "-e", str(tmp_path / "empty.jsonl"))
    assert doc["data_quality"] == {"rows": 2, "problems": []}
    assert item(doc, "answer")["periods"][0]["worst"][0]["case"] == "c,1\nsecond line"
    code, doc = measured(proj, tmp_path / "empty.csv", "--as-of", T0)
    assert code == 0 and doc["data_quality"] == {"rows": 0, "problems": []}


@pytest.mark.parametrize("name,content,message", [
    ("latin1.csv", "case,touchpoint,event,at\n" + "c1,t,call.start,2026-11-02T10:00:00Z\n" * 3
     + "caf\xe9,t,call.start,2026-11-02T10:00:00Z\n", "latin1.csv: cannot read: it is not UTF-8 text (line 5)"),
    ("csv.parquet", "case,touchpoint,event,at\n", "csv.parquet: cannot read: it is not a Parquet file"),
    ("numbers.json", "[1, 2]", "numbers.json: holds no JSON objects"),
    ("view.sql", "SELECT 'c1' AS \"case\", 't' AS touchpoint, 'call.start' AS event, CAST('x' AS TIMESTAMPTZ) AS at",
     "view.sql: cannot read: Conversion Error"),
])
def test_files_that_cannot_be_read_are_named_in_plain_words(proj, tmp_path, name, content, message):
    (tmp_path / name).write_bytes(content.encode("latin-1"))
    code, out, err = run(str(proj), "-e", str(write_csv(tmp_path / "ok.csv", [["c1", "t", "call.start", T0]])),
                         "-e", str(tmp_path / name))
    assert code == 2 and message in err, err


@pytest.mark.parametrize("args,code,message", [
    (["--from", "2026-12-01", "--to", "2026-11-01"], 2, "--from 2026-12-01T00:00:00+02:00 is not before --to"),
    (["--from", "2026-11-01", "--to", "2026-11-01"], 2, "is not before --to"),
    (["--last", "100000000d"], 0, ""),        # further back than 1970: from 1970
    (["--last", "99999999999999w"], 0, ""),
])
def test_stretches_out_of_range_are_usage_errors_or_start_in_1970(proj, tmp_path, args, code, message):
    events = write_csv(tmp_path / "e.csv", [["c1", "t", "call.start", T0], ["c1", "t", "call.answered", at(20)]])
    got, out, err = run(str(proj), "-e", str(events), "--timezone", "Asia/Jerusalem", "--format", "json", *args)
    assert got == code and message in err, err
    if code == 0:
        period = item(json.loads(out), "answer")["periods"][0]
        assert period["start"] == "1970-01-01T02:00:00+02:00" and period["promise"]["good"] == 1


def test_a_parquet_log_damaged_inside_is_named_not_an_internal_error(proj, tmp_path):
    """Parquet is read through a view: its footer reads fine, a damaged page is met by a
    step of the measurement, long after the file was opened."""
    path = tmp_path / "log.parquet"
    con = duckdb.connect()
    con.execute(f"COPY (SELECT 'c' || i AS \"case\", 't' AS touchpoint, 'call.start' AS event, "
                f"TIMESTAMPTZ '{T0}' + i * INTERVAL 1 SECOND AS at FROM range(200000) r(i)) "
                f"TO '{path}' (FORMAT parquet, ROW_GROUP_SIZE 50000)")
    con.close()
    data = bytearray(path.read_bytes())
    data[len(data) // 3:len(data) // 3 + 2000] = b"\x55" * 2000
    path.write_bytes(bytes(data))
    code, out, err = run(str(proj), "-e", str(path))
    assert code == 2 and f"{path}: cannot read" in err, err
