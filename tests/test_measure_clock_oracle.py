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
from touchdsl.clock import business_deadline, business_elapsed, open_periods
from touchdsl.measure.calendar_table import epoch_us, from_epoch_us, segments
from touchdsl.measure.engine import Request, run
from touchdsl.measure.periods import Span
from touchdsl.measure.plan import items_of

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
