"""What the engine builds before and around the SQL: the calendar segments only for the
calendars and the stretch of time the measured cases need; cases that cannot matter
to a reported period not measured further, while their data problems still are."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import duckdb
import pytest

import touchdsl
from touchdsl.measure import measure
from touchdsl.measure.calendar_table import DAY_US, epoch_us
from touchdsl.measure.engine import Request, run
from touchdsl.measure.periods import Span

UTC = dt.timezone.utc

PROJECT = """
calendar office "Office" {
    timezone "Asia/Jerusalem"
    hours sun-thu 08:00-18:00
}
calendar night "Night desk" {
    timezone "Europe/London"
    hours sun-sat 00:00-06:00
}
owner ops "Ops" { notify email "ops@example.com" }
touchpoint t "T" {
    owner ops
    expectation "Fast."
    step a "A"
    step b "B"
    metric office "Office" {
        time from a.start to b.end on office
        promise 90% within 10h
        target 95% within 5h
        window 7d
    }
}
touchpoint u "U" {
    owner ops
    expectation "Fast at night."
    step a "A"
    step b "B"
    metric night "Night" {
        time from a.start to b.end on night
        promise 90% within 2h
        target 95% within 1h
        window 7d
    }
}
"""

AS_OF = dt.datetime(2026, 9, 30, 12, 0, tzinfo=UTC)
OLD = dt.datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # months before the window


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> touchdsl.Project:
    root = tmp_path_factory.mktemp("engine")
    (root / "p.touch").write_text(PROJECT, encoding="utf-8")
    return touchdsl.load([str(root)])


def _log(path: Path, rows: list[tuple[str, str, str, dt.datetime]]) -> str:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["case", "touchpoint", "event", "at"])
        writer.writerows([(c, tp, e, at.isoformat()) for c, tp, e, at in rows])
    return str(path)


ROWS = [
    # an old case of t, finished months ago, with a duplicate start
    ("old", "t", "a.start", OLD), ("old", "t", "a.start", OLD + dt.timedelta(hours=1)),
    ("old", "t", "b.end", OLD + dt.timedelta(hours=3)),
    # a case of t in the window, and one still open that started before it
    ("new", "t", "a.start", AS_OF - dt.timedelta(days=2)), ("new", "t", "b.end", AS_OF - dt.timedelta(days=1)),
    ("long", "t", "a.start", AS_OF - dt.timedelta(days=20)),
    # touchpoint u only has an old case: its calendar is not needed
    ("gone", "u", "a.start", OLD), ("gone", "u", "b.end", OLD + dt.timedelta(hours=1)),
]


def test_calendar_segments_only_where_cases_need_them(compiled, tmp_path):
    con = duckdb.connect()
    run(con, compiled, Request(events=(_log(tmp_path / "events.csv", ROWS),), as_of=AS_OF), keep=True)
    spans = {(item, case) for item, case in con.execute("SELECT item, case_id FROM touch_spans").fetchall()}
    assert spans == {(0, "new"), (0, "long")}  # the old cases stopped before the window
    calendars = con.execute("SELECT DISTINCT calendar FROM touch_calendar").fetchall()
    assert calendars == [("office",)]  # nobody needs the night desk's calendar
    first = con.execute("SELECT MIN(from_us) FROM touch_calendar").fetchone()[0]
    earliest = epoch_us(AS_OF - dt.timedelta(days=20))  # the start of the open case
    assert first == (earliest - DAY_US) // DAY_US * DAY_US  # a day before it, in whole UTC days
    # and still far past the case that is open now: until it could become late, and a day more
    last = con.execute("SELECT MAX(to_us) FROM touch_calendar").fetchone()[0]
    assert last > epoch_us(AS_OF + dt.timedelta(days=1))
    con.close()


def test_old_cases_still_count_in_data_quality_and_a_period_reaching_them_measures_them(compiled, tmp_path):
    path = _log(tmp_path / "events.csv", ROWS)
    recent = measure(compiled, path, as_of=AS_OF)
    problems = {p.kind: p for p in recent.data_quality.problems}
    assert problems["duplicate_start"].count == 1
    assert problems["duplicate_start"].examples[0].case == "old"
    office = next(i for i in recent.items if i.metric == "office")
    (period,) = office.periods
    assert (period.finished, period.open) == (1, 0) and period.overdue == 1  # `long` is late, still open
    # a period starting before the old cases measures them, with the calendar reaching back to them
    whole = measure(compiled, path, as_of=AS_OF, start=dt.datetime(2026, 3, 1, tzinfo=UTC))
    by_metric = {i.metric: i.periods[0] for i in whole.items}
    assert by_metric["office"].finished == 2
    assert by_metric["night"].finished == 1 and by_metric["night"].promise.decided == 1


def test_every_step_runs_when_the_log_has_nothing_for_a_kind(compiled, tmp_path):
    """A log without any per-case event still gives every figure (no data, nothing open)."""
    path = _log(tmp_path / "events.csv", [("x", "t", "a.strat", AS_OF)])
    result = measure(compiled, path, as_of=AS_OF, last="7d")
    assert all(p.promise.status == "no_data" for i in result.items for p in i.periods)
    assert {p.kind for p in result.data_quality.problems} == {"unknown_event"}


def test_the_span_of_a_run_is_one_input_not_part_of_the_sql(compiled, tmp_path):
    """The same steps measure any stretch: the SQL is written per project, the run's
    periods and as-of moment are input tables."""
    from touchdsl.measure import sql
    from touchdsl.measure.plan import items_of

    steps = sql.steps(items_of(compiled))
    path = _log(tmp_path / "events.csv", ROWS)
    for span in (Span(), Span(start=dt.datetime(2026, 3, 1, tzinfo=UTC), every="month")):
        con = duckdb.connect()
        raw = run(con, compiled, Request(events=(path,), as_of=AS_OF, span=span), steps=steps)
        assert raw.results["cases"]
        con.close()
    assert all(str(epoch_us(AS_OF)) not in s.sql for s in steps)


def test_identical_bad_answers_count_once_each_for_their_metric(tmp_path):
    """Two identical rows with an answer outside the scale are two problems, for the
    metric too (each answer is matched to its own row, not to every identical one)."""
    root = tmp_path / "p"
    root.mkdir()
    (root / "p.touch").write_text("""
owner ops "Ops" { notify email "ops@example.com" }
touchpoint t "T" {
    owner ops
    expectation "Fine."
    step a "A"
    metric csat "CSAT" {
        score 1..5
        promise average at least 3
    }
}
""", encoding="utf-8")
    path = tmp_path / "events.csv"
    path.write_text("case,touchpoint,event,at,value\n"
                    "k,t,csat,2026-09-01T10:00:00Z,9\n"
                    "k,t,csat,2026-09-01T10:00:00Z,9\n"
                    "k,t,csat,2026-09-01T11:00:00Z,4\n", encoding="utf-8")
    result = measure(touchdsl.load([str(root)]), str(path), as_of="2026-09-02T00:00:00Z")
    (problem,) = result.data_quality.problems
    assert problem.kind == "answer_outside_scale"
    assert problem.count == 2 and problem.per_item == {"t.csat": 2}
    assert [e.row for e in problem.examples] == [1, 2]
