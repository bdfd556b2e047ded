"""The SQL's business time is `touchdsl.clock`'s, to the microsecond.

Random cases (hypothesis) around DST changes, public holidays, closed dates and
outside opening hours are written as an event log, measured through the real SQL
steps, and each case's elapsed time and the moment its limit passed are compared
with `business_elapsed` and `business_deadline` of the same calendar.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import touchdsl
from touchdsl.clock import (
    business_days_deadline,
    business_days_elapsed,
    business_deadline,
    business_elapsed,
    closings,
    open_periods,
    running,
    wall_deadline,
)
from touchdsl.measure.calendar_table import epoch_us, from_epoch_us, segments
from touchdsl.measure.engine import Request, run
from touchdsl.measure.periods import Span
from touchdsl.measure.plan import items_of
from touchdsl.model import BusinessDays

UTC = dt.timezone.utc

PROJECT = """
calendar office "Office" {
    timezone "Asia/Jerusalem"
    hours sun-thu 08:00-18:00
    hours fri 08:00-13:00
    holidays "IL"
    closed 2026-09-20
}
calendar night "Night desk across the DST change" {
    timezone "America/New_York"
    hours sun-sat 00:30-03:30
    hours mon-fri 09:00-12:00
    hours mon-fri 11:00-17:00
    closed 2026-11-03
}
calendar always "Around the clock" {
    timezone "Europe/London"
    hours sun-sat 00:00-24:00
    holidays "GB"
}
owner ops "Ops" { notify email "ops@example.com" }
touchpoint t "T" {
    owner ops
    expectation "Fast."
    step a "A"
    step b "B"
    metric office "Office" {
        time from a.start to b.end on office
        promise 90% within 36h
        target 95% within 9h
    }
    metric night "Night" {
        time from a.start to b.end on night
        promise 90% within 5h
        target 95% within 1.5h
    }
    metric always "Always" {
        time from a.start to b.end on always
        promise 90% within 2d
        target 95% within 30m
    }
    metric wall "Wall clock" {
        time from a.start to b.end
        promise 90% within 1d
        target 95% within 1h
    }
}
"""

# Stretches where the clock is tricky: DST changes of each zone in 2026, the IL
# autumn holidays (Rosh Hashana 12-13 Sep, Yom Kippur 21 Sep, Sukkot 26 Sep), a closed
# date, GB's late-August bank holiday and Christmas.
HOTSPOTS = [
    dt.datetime(2026, 3, 26, tzinfo=UTC),   # IL spring forward (Fri 27 Mar)
    dt.datetime(2026, 10, 24, tzinfo=UTC),  # IL fall back (Sun 25 Oct)
    dt.datetime(2026, 3, 7, tzinfo=UTC),    # US spring forward (Sun 8 Mar)
    dt.datetime(2026, 10, 31, tzinfo=UTC),  # US fall back (Sun 1 Nov), closed 3 Nov
    dt.datetime(2026, 3, 28, tzinfo=UTC),   # GB spring forward (Sun 29 Mar)
    dt.datetime(2026, 9, 10, tzinfo=UTC),   # IL holidays and the closed date
    dt.datetime(2026, 8, 29, tzinfo=UTC),   # GB bank holiday (Mon 31 Aug)
    dt.datetime(2026, 12, 23, tzinfo=UTC),  # Christmas
]
METRICS = ("office", "night", "always", "wall")


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> touchdsl.Project:
    root = tmp_path_factory.mktemp("oracle")
    (root / "p.touch").write_text(PROJECT, encoding="utf-8")
    return touchdsl.load([str(root)])


moments = st.builds(
    lambda base, offset_s, micro: base + dt.timedelta(seconds=offset_s, microseconds=micro),
    st.sampled_from(HOTSPOTS),
    st.integers(min_value=0, max_value=6 * 86400),
    st.sampled_from([0, 0, 0, 1, 999_999, 123_456]),
)
durations = st.one_of(
    st.integers(min_value=0, max_value=3600),            # short: within a period
    st.integers(min_value=0, max_value=20 * 86400),      # long: across weekends and holidays
).map(lambda s: dt.timedelta(seconds=s))
cases = st.lists(st.tuples(moments, durations, st.booleans()), min_size=1, max_size=25)


def _last_within(start: dt.datetime, limit: dt.timedelta, calendar) -> dt.datetime:
    """The last moment at which a case started at `start` is still within `limit`:
    the clock's deadline, or the next opening when the deadline falls at a closing."""
    due = business_deadline(start, limit, calendar)
    nxt = next(iter(open_periods(due, due + dt.timedelta(days=800), calendar)))
    return nxt[0]


def _measure(project, tmp_path: Path, rows: list[list[str]]) -> duckdb.DuckDBPyConnection:
    path = tmp_path / "events.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["case", "touchpoint", "event", "at"])
        writer.writerows(rows)
    con = duckdb.connect()
    # One period over the whole year, so that every case is measured.
    span = Span(start=dt.datetime(2026, 1, 1, tzinfo=UTC))
    run(con, project, Request(events=(str(path),), span=span), now=dt.datetime(2030, 1, 1, tzinfo=UTC), keep=True)
    return con


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cases=cases)
def test_sql_business_time_equals_the_clock(compiled, tmp_path, cases):
    rows = []
    expected_stop = {}
    for k, (start, length, closed) in enumerate(cases):
        rows.append([f"c{k}", "t", "a.start", start.isoformat()])
        if closed:
            rows.append([f"c{k}", "t", "b.end", (start + length).isoformat()])
            expected_stop[f"c{k}"] = start + length
    con = _measure(compiled, tmp_path, rows)
    as_of = from_epoch_us(con.execute("SELECT as_of_us FROM touch_run").fetchone()[0])
    names = [item.id for item in items_of(compiled)]  # touch_items numbers them in this order
    got = {(names[item], case): (value, p_late, t_late) for item, case, value, p_late, t_late in con.execute(
        "SELECT item, case_id, value_us, promise_late_us, target_late_us FROM touch_decisions").fetchall()}
    assert len(got) == len(cases) * len(METRICS)
    for name in METRICS:
        metric = next(m for m in compiled.touchpoints["t"].metrics if m.id == name)
        calendar = compiled.calendars.get(metric.calendar) if metric.calendar else None
        for k, (start, _, _) in enumerate(cases):
            case = f"c{k}"
            stop = expected_stop.get(case, as_of)
            value, p_late, t_late = got[(name, case)]
            for limit, late in ((metric.promise.within.seconds, p_late), (metric.target.within.seconds, t_late)):
                limit_td = dt.timedelta(seconds=limit)
                if calendar is None:
                    assert value == epoch_us(stop) - epoch_us(start)
                    assert late == epoch_us(start + limit_td)
                else:
                    assert value == epoch_us(from_epoch_us(0) + business_elapsed(start, stop, calendar)), (name, case)
                    assert late == epoch_us(_last_within(start, limit_td, calendar)), (name, case, limit)
    con.close()


@pytest.mark.parametrize("calendar_id", ["office", "night", "always"])
def test_segments_tile_time_and_add_up_to_the_clock(compiled, calendar_id):
    """Every microsecond of the table lies in exactly one segment, every segment in one
    UTC day and one local day, and the open ones are exactly the clock's periods."""
    calendar = compiled.calendars[calendar_id]
    lo, hi = dt.datetime(2026, 2, 20, tzinfo=UTC), dt.datetime(2026, 12, 31, tzinfo=UTC)
    rows = segments(calendar, lo, hi)
    for a, b in zip(rows, rows[1:]):
        assert a.to_us == b.from_us and a.from_us < a.to_us
        assert b.before_us == a.before_us + (a.to_us - a.from_us if a.is_open else 0)
    for s in rows:
        assert s.from_us // 86_400_000_000 == (s.to_us - 1) // 86_400_000_000 == s.utc_day
        zone = __import__("zoneinfo").ZoneInfo(calendar.timezone)
        assert from_epoch_us(s.from_us).astimezone(zone).date() == s.local_day
        assert from_epoch_us(s.to_us - 1).astimezone(zone).date() == s.local_day
    opened = [(s.from_us, s.to_us) for s in rows if s.is_open]
    merged: list[tuple[int, int]] = []
    for a, b in opened:
        if merged and merged[-1][1] == a:
            merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    clock = []
    for a, b in open_periods(from_epoch_us(rows[0].from_us), from_epoch_us(rows[-1].to_us), calendar):
        if clock and clock[-1][1] == epoch_us(a):
            clock[-1] = (clock[-1][0], epoch_us(b))
        else:
            clock.append((epoch_us(a), epoch_us(b)))
    assert merged == clock


# ---- business days, pauses, eves and dates of their own (issue 13) ----------------------

PAUSED = """
calendar office "Office" {
    timezone "Asia/Jerusalem"
    hours sun-thu 08:00-18:00
    hours fri 08:00-13:00
    hours eve 08:00-12:00
    hours 2026-10-29 10:00-11:30
    holidays "IL"
    closed 2026-09-24
}
owner ops "Ops" { notify email "ops@example.com" }
touchpoint t "T" {
    owner ops
    expectation "Fast."
    step a "A"
    step w "Waiting for the customer"
    step b "B"
    metric days "Business days" {
        time from a.start to b.end on office
        promise 90% within 3 business days
        target 95% within 1 business day
    }
    metric paused_days "Business days, paused" {
        time from a.start to b.end on office
        promise 90% within 2 business days
        target 95% within 1 business day
        pause while w
    }
    metric paused "Business hours, paused" {
        time from a.start to b.end on office
        promise 90% within 20h
        target 95% within 3h
        pause while w
        pause from a.hold to a.resume
    }
    metric paused_wall "Wall clock, paused" {
        time from a.start to b.end
        promise 90% within 1d
        target 95% within 2h
        pause while w
    }
}
"""

# The IL autumn holidays with their eves (Rosh Hashanah 12-13 Sep, eve 11 Sep; Yom
# Kippur 21 Sep, eve 20 Sep; Sukkot 26 Sep, eve 25 Sep; Simchat Torah 3 Oct, eve
# 2 Oct), the closed date, the fall back (25 Oct), a date with its own hours.
DAY_HOTSPOTS = [dt.datetime(2026, 9, 10, tzinfo=UTC), dt.datetime(2026, 9, 18, tzinfo=UTC),
                dt.datetime(2026, 9, 30, tzinfo=UTC), dt.datetime(2026, 10, 22, tzinfo=UTC)]
day_moments = st.builds(
    lambda base, offset_s, micro: base + dt.timedelta(seconds=offset_s, microseconds=micro),
    st.sampled_from(DAY_HOTSPOTS), st.integers(min_value=0, max_value=8 * 86400),
    st.sampled_from([0, 0, 1, 999_999]))
# A pause event: (offset after the start in seconds, which pause, start or end).
marks = st.tuples(st.integers(min_value=0, max_value=6 * 86400), st.sampled_from(["w", "hold"]), st.booleans())
paused_cases = st.lists(st.tuples(day_moments, st.integers(min_value=0, max_value=12 * 86400), st.booleans(),
                                  st.lists(marks, max_size=5)), min_size=1, max_size=15)
PAUSE_EVENTS = {"w": ("w.start", "w.end"), "hold": ("a.hold", "a.resume")}


def _stretches(start: dt.datetime, stop: dt.datetime, events: list[tuple[dt.datetime, str, bool]],
               which: tuple[str, ...]) -> list[tuple[dt.datetime, dt.datetime]]:
    """The documented pairing: per pause, a start stops the clock until the next end;
    a start while stopped and an end while running change nothing; a pause still on
    at the stop lasts until it; events outside [start, stop] do not count."""
    out = []
    for pause in which:
        since = None
        for at, kind, is_start in sorted((e for e in events if e[1] == pause), key=lambda e: (e[0], e[2])):
            if not start <= at <= stop:
                continue
            if is_start and since is None:
                since = at
            elif not is_start and since is not None:
                out.append((since, at))
                since = None
        if since is not None:
            out.append((since, stop))
    return out


def _runs_again(due: dt.datetime, calendar, pauses) -> dt.datetime:
    """The last moment the running time still equals the limit: where the clock next
    runs at or after `due` (past a closing, a pause)."""
    for lo, _ in running(due, due + dt.timedelta(days=800), pauses):
        if calendar is None:
            return lo
        for opens, _ in open_periods(lo, due + dt.timedelta(days=800), calendar):
            if all(not (a <= opens < b) for a, b in pauses):
                return opens
    raise AssertionError("the clock never runs again")


@pytest.fixture(scope="module")
def paused_project(tmp_path_factory: pytest.TempPathFactory) -> touchdsl.Project:
    root = tmp_path_factory.mktemp("paused")
    (root / "p.touch").write_text(PAUSED, encoding="utf-8")
    return touchdsl.load([str(root)])


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cases=paused_cases)
def test_sql_business_days_and_pauses_equal_the_clock(paused_project, tmp_path, cases):
    rows: list[list[str]] = []
    stops: dict[str, dt.datetime] = {}
    events: dict[str, list[tuple[dt.datetime, str, bool]]] = {}
    for k, (start, length, closed, pause_marks) in enumerate(cases):
        case = f"c{k}"
        rows.append([case, "t", "a.start", start.isoformat()])
        if closed:
            rows.append([case, "t", "b.end", (start + dt.timedelta(seconds=length)).isoformat()])
            stops[case] = start + dt.timedelta(seconds=length)
        events[case] = []
        for offset, pause, is_start in pause_marks:
            at = start + dt.timedelta(seconds=offset)
            rows.append([case, "t", PAUSE_EVENTS[pause][0 if is_start else 1], at.isoformat()])
            events[case].append((at, pause, is_start))
    con = _measure(paused_project, tmp_path, rows)
    as_of = from_epoch_us(con.execute("SELECT as_of_us FROM touch_run").fetchone()[0])
    names = [item.id for item in items_of(paused_project)]
    got = {(names[item], case): (value, p_late, t_late) for item, case, value, p_late, t_late in con.execute(
        "SELECT item, case_id, value_us, promise_late_us, target_late_us FROM touch_decisions").fetchall()}
    assert len(got) == len(cases) * 4
    office = paused_project.calendars["office"]
    for metric in paused_project.touchpoints["t"].metrics:
        which = tuple("w" if p.step == "w" else "hold" for p in metric.pauses)
        calendar = office if metric.calendar else None
        for k, (start, _, _, _) in enumerate(cases):
            case = f"c{k}"
            stop = stops.get(case, as_of)
            pauses = _stretches(start, stop, events[case], which)
            value, p_late, t_late = got[(metric.id, case)]
            for objective, late in ((metric.promise, p_late), (metric.target, t_late)):
                limit = objective.within
                if isinstance(limit, BusinessDays):
                    assert value == business_days_elapsed(start, stop, office, pauses) * 1_000_000, (metric.id, case)
                    assert late == epoch_us(business_days_deadline(start, limit.days, office, pauses)), (
                        metric.id, case, limit.text)
                    continue
                span = dt.timedelta(seconds=limit.seconds)
                if calendar is None:
                    elapsed = sum((b - a for a, b in running(start, stop, pauses)), dt.timedelta())
                    due = wall_deadline(start, span, pauses)
                else:
                    elapsed = business_elapsed(start, stop, office, pauses)
                    due = business_deadline(start, span, office, pauses)
                assert value == epoch_us(from_epoch_us(0) + elapsed), (metric.id, case)
                assert late == epoch_us(_runs_again(due, calendar, pauses)), (metric.id, case, limit.text)
    con.close()


def test_closings_in_the_calendar_table_are_the_clocks(paused_project):
    calendar = paused_project.calendars["office"]
    lo, hi = dt.datetime(2026, 9, 1, tzinfo=UTC), dt.datetime(2026, 11, 30, tzinfo=UTC)
    rows = segments(calendar, lo, hi)
    shut = [s.from_us for s in rows if s.closing_at]
    assert shut == [epoch_us(c) for c in closings(from_epoch_us(rows[0].from_us), from_epoch_us(rows[-1].to_us),
                                                  calendar)]
    for a, b in zip(rows, rows[1:]):
        assert b.closings_before == a.closings_before + a.closing_at
    # The eve of Yom Kippur closes at noon; the date with its own hours at 11:30; the
    # closed date and Yom Kippur have no closing.
    zone = __import__("zoneinfo").ZoneInfo("Asia/Jerusalem")
    local = {from_epoch_us(c).astimezone(zone).replace(tzinfo=None) for c in shut}
    assert dt.datetime(2026, 9, 20, 12, 0) in local and dt.datetime(2026, 10, 29, 11, 30) in local
    assert not any(d.date() in (dt.date(2026, 9, 21), dt.date(2026, 9, 24)) for d in local)
