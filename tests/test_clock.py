"""touchdsl.clock: business time by a calendar, checked against hand-worked
numbers for Asia/Jerusalem (DST, the Friday half-day, Yom Kippur, closed dates)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.paths import REPO
import touchdsl
from touchdsl.clock import (
    business_deadline,
    business_elapsed,
    is_business_day,
    open_periods,
)
from touchdsl.model import Calendar, Hours, Location

IL = ZoneInfo("Asia/Jerusalem")
UTC = dt.timezone.utc
H = dt.timedelta(hours=1)


def calendar(*hours: tuple[list[str], str, str], holidays=("IL",), closed=(), timezone="Asia/Jerusalem") -> Calendar:
    return Calendar(id="office", title="Office", timezone=timezone,
                    hours=[Hours(days=d, start=s, end=e) for d, s, e in hours],
                    holidays=list(holidays), closed=list(closed), location=Location(file="t", line=1, column=1))


SUN_THU = ["sun", "mon", "tue", "wed", "thu"]
OFFICE = calendar((SUN_THU, "08:00", "18:00"), (["fri"], "08:00", "13:00"))


def il(text: str) -> dt.datetime:
    """Local Israel time; `fold=1` picks the second reading of a repeated hour."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=IL)


def test_within_one_open_day():
    assert business_elapsed(il("2026-11-02 09:00"), il("2026-11-02 11:30"), OFFICE) == 2.5 * H


def test_any_timezone_in_any_timezone_out():
    start = dt.datetime(2026, 11, 2, 7, 0, tzinfo=UTC)  # 09:00 in Israel (UTC+2 in November)
    end = dt.datetime(2026, 11, 2, 4, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))  # 11:30 in Israel
    assert business_elapsed(start, end, OFFICE) == 2.5 * H


def test_start_and_end_outside_hours_count_only_the_open_time():
    # Mon 06:00 -> Tue 20:00: two full days of 10 hours
    assert business_elapsed(il("2026-11-02 06:00"), il("2026-11-03 20:00"), OFFICE) == 20 * H
    # overnight, closed the whole time
    assert business_elapsed(il("2026-11-02 18:30"), il("2026-11-03 07:59"), OFFICE) == dt.timedelta()
    assert business_elapsed(il("2026-11-02 17:00"), il("2026-11-03 09:00"), OFFICE) == 2 * H


def test_friday_half_day_and_the_weekend():
    # Thu 17:00 -> Sun 09:00: Thu 1h + Fri 08:00-13:00 5h + Sun 1h; Saturday has no hours
    assert business_elapsed(il("2026-11-05 17:00"), il("2026-11-08 09:00"), OFFICE) == 7 * H
    # arriving on Friday after closing time waits for Sunday
    assert business_elapsed(il("2026-11-06 13:30"), il("2026-11-08 08:45"), OFFICE) == 0.75 * H
    assert business_elapsed(il("2026-11-06 12:00"), il("2026-11-07 23:00"), OFFICE) == 1 * H


def test_yom_kippur_2026_closes_the_whole_day():
    yom_kippur = dt.date(2026, 9, 21)
    assert holidays.country_holidays("IL", years=2026).get(yom_kippur) == "Yom Kippur"
    assert yom_kippur.strftime("%a") == "Mon"
    assert not is_business_day(yom_kippur, OFFICE)
    # Sun 17:00 -> Tue 09:00: Sun 1h, Monday (Yom Kippur) closed, Tue 1h
    assert business_elapsed(il("2026-09-20 17:00"), il("2026-09-22 09:00"), OFFICE) == 2 * H
    # The eve is a working day by the calendar's hours (documented choice).
    assert business_elapsed(il("2026-09-20 08:00"), il("2026-09-20 18:00"), OFFICE) == 10 * H
    # Without holidays the same Monday counts
    no_holidays = calendar((SUN_THU, "08:00", "18:00"), holidays=())
    assert business_elapsed(il("2026-09-20 17:00"), il("2026-09-22 09:00"), no_holidays) == 12 * H


def test_holidays_of_several_countries_all_close():
    both = calendar((SUN_THU + ["fri", "sat"], "08:00", "18:00"), holidays=("IL", "US"))
    independence_day_us = dt.date(2026, 7, 3)  # July 4th 2026 is a Saturday: observed on Friday
    assert not is_business_day(independence_day_us, both)
    assert not is_business_day(dt.date(2026, 9, 21), both)
    assert is_business_day(dt.date(2026, 9, 22), both)


def test_closed_dates_close_the_whole_day():
    inventory = calendar((SUN_THU, "08:00", "18:00"), (["fri"], "08:00", "13:00"), closed=[dt.date(2026, 12, 31)])
    # Wed 17:00 -> Fri 10:00: Wed 1h, Thu 31 Dec closed, Fri 2h
    assert business_elapsed(il("2026-12-30 17:00"), il("2027-01-01 10:00"), inventory) == 3 * H
    assert business_elapsed(il("2026-12-30 17:00"), il("2027-01-01 10:00"), OFFICE) == 13 * H


def test_spring_forward_across_a_week_counts_local_opening_hours():
    # Israel moves to summer time on Fri 2026-03-27 at 02:00. Opening hours are local:
    # Thu 17:00 (UTC+2) -> Sun 09:00 (UTC+3) is 1h + 5h + 1h, not an hour more or less.
    assert business_elapsed(il("2026-03-26 17:00"), il("2026-03-29 09:00"), OFFICE) == 7 * H


def test_fall_back_across_a_week_counts_local_opening_hours():
    # Winter time from Sun 2026-10-25 02:00 (back to 01:00): Thu 17:00 -> Mon 09:00.
    assert business_elapsed(il("2026-10-22 17:00"), il("2026-10-26 09:00"), OFFICE) == 17 * H


def test_the_missing_hour_is_not_counted():
    night = calendar((["fri"], "00:00", "06:00"), holidays=())
    assert business_elapsed(il("2026-03-27 00:00"), il("2026-03-28 00:00"), night) == 5 * H
    # A bound inside the missing hour (02:00-03:00) is the moment the clock jumps.
    gap = calendar((["fri"], "02:30", "04:00"), holidays=())
    (period,) = open_periods(il("2026-03-27 00:00"), il("2026-03-28 00:00"), gap)
    assert period == (dt.datetime(2026, 3, 27, 0, 0, tzinfo=UTC), dt.datetime(2026, 3, 27, 1, 0, tzinfo=UTC))
    closes_in_gap = calendar((["fri"], "01:00", "02:30"), holidays=())
    assert business_elapsed(il("2026-03-27 00:00"), il("2026-03-28 00:00"), closes_in_gap) == 1 * H


def test_the_repeated_hour_is_counted_twice():
    night = calendar((["sun"], "00:00", "06:00"), holidays=())
    assert business_elapsed(il("2026-10-25 00:00"), il("2026-10-26 00:00"), night) == 7 * H
    # Opening inside the repeated hour 01:00-02:00: from its first reading.
    repeated = calendar((["sun"], "01:30", "03:00"), holidays=())
    (period,) = open_periods(il("2026-10-25 00:00"), il("2026-10-26 00:00"), repeated)
    assert period == (dt.datetime(2026, 10, 24, 22, 30, tzinfo=UTC), dt.datetime(2026, 10, 25, 1, 0, tzinfo=UTC))
    # Closing inside it: at its second reading.
    closes = calendar((["sun"], "00:00", "01:30"), holidays=())
    assert business_elapsed(il("2026-10-25 00:00"), il("2026-10-26 00:00"), closes) == 2.5 * H
    # Moments inside the repeated hour, told apart by fold
    first, second = il("2026-10-25 01:15"), il("2026-10-25 01:15").replace(fold=1)
    assert business_elapsed(first, second, night) == 1 * H


def test_hours_until_midnight_and_overlapping_lines():
    late = calendar((SUN_THU, "16:00", "24:00"), (["mon"], "20:00", "22:00"), (["mon"], "10:00", "12:00"), holidays=())
    # Mon 10-12 and 16-24 (20-22 is inside 16-24 and counts once)
    assert business_elapsed(il("2026-11-02 00:00"), il("2026-11-03 00:00"), late) == 10 * H
    assert business_elapsed(il("2026-11-02 23:00"), il("2026-11-03 17:00"), late) == 2 * H


def test_multi_week_span():
    # Sun 2026-11-01 00:00 -> Sun 2026-11-29 00:00: four weeks of 5x10h + 5h, no IL holiday in November
    assert business_elapsed(il("2026-11-01 00:00"), il("2026-11-29 00:00"), OFFICE) == 4 * 55 * H
    # September 2026 holds Rosh Hashanah (Sat 12, Sun 13) and Yom Kippur (Mon 21):
    # weeks from Sun 6 Sep to Sun 4 Oct lose Sun 13 (10h) and Mon 21 (10h); Sukkot falls on Sat 26.
    assert business_elapsed(il("2026-09-06 00:00"), il("2026-10-04 00:00"), OFFICE) == (4 * 55 - 20) * H


def test_a_year_is_counted_by_days_not_minutes():
    # 2026-01-04 (Sun) to 2027-01-03 (Sun): 52 weeks, minus the IL holidays on open days
    start, end = il("2026-01-04 00:00"), il("2027-01-03 00:00")
    lost = 0
    for day in holidays.country_holidays("IL", years=2026):
        if start.date() <= day < end.date():
            lost += {"Fri": 5}.get(day.strftime("%a"), 0 if day.strftime("%a") == "Sat" else 10)
    assert business_elapsed(start, end, OFFICE) == (52 * 55 - lost) * H


def test_zero_and_reversed_intervals():
    t = il("2026-11-02 10:00")
    assert business_elapsed(t, t, OFFICE) == dt.timedelta()
    with pytest.raises(ValueError, match="before start"):
        business_elapsed(t, t - dt.timedelta(seconds=1), OFFICE)


@pytest.mark.parametrize("which", ["start", "end"])
def test_naive_datetimes_are_refused(which):
    aware, naive = il("2026-11-02 10:00"), dt.datetime(2026, 11, 2, 12, 0)
    args = (naive, aware) if which == "start" else (aware, naive)
    with pytest.raises(ValueError, match=f"{which} must be timezone-aware"):
        business_elapsed(*args, OFFICE)


def test_unknown_zone_and_country_are_clear_errors():
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
        business_elapsed(il("2026-11-02 10:00"), il("2026-11-02 12:00"), calendar((SUN_THU, "08:00", "18:00"),
                                                                                  timezone="Mars/Olympus"))
    with pytest.raises(ValueError, match="no country 'XX'"):
        business_elapsed(il("2026-11-02 10:00"), il("2026-11-02 12:00"), calendar((SUN_THU, "08:00", "18:00"),
                                                                                  holidays=("XX",)))


def test_deadline_examples():
    # 36 business hours from Thu 2026-09-17 10:00: Thu 8h, Fri 5h, Sun 10h, Mon is Yom Kippur, Tue 10h
    # (33h), then 3h on Wed 23 Sep -> 11:00
    assert business_deadline(il("2026-09-17 10:00"), 36 * H, OFFICE) == il("2026-09-23 11:00")
    # a deadline that ends exactly at closing time stays there
    assert business_deadline(il("2026-11-06 08:00"), 5 * H, OFFICE) == il("2026-11-06 13:00")
    # from closed time, the clock starts at the next opening
    assert business_deadline(il("2026-11-06 20:00"), 30 * dt.timedelta(minutes=1), OFFICE) == il("2026-11-08 08:30")
    assert business_deadline(il("2026-11-06 20:00"), dt.timedelta(), OFFICE) == il("2026-11-06 20:00")
    deadline = business_deadline(dt.datetime(2026, 11, 2, 6, 0, tzinfo=UTC), H, OFFICE)
    assert deadline.tzinfo == IL and deadline == il("2026-11-02 09:00")
    with pytest.raises(ValueError, match="negative"):
        business_deadline(il("2026-11-02 08:00"), -H, OFFICE)


def test_deadline_of_a_calendar_that_never_opens_is_an_error():
    only_closed = calendar((["mon"], "08:00", "09:00"), holidays=(),
                           closed=[dt.date(2026, 11, 2) + dt.timedelta(weeks=w) for w in range(120)])
    with pytest.raises(ValueError, match="closed for more than"):
        business_deadline(il("2026-11-01 00:00"), H, only_closed)


moments = st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2027, 6, 30),
                       timezones=st.just(IL))


@settings(max_examples=60, deadline=None)
@given(moments, moments, moments)
def test_elapsed_adds_up_and_deadline_inverts_it(a, b, c):
    a, b, c = sorted([a, b, c], key=lambda t: t.astimezone(UTC))
    assert business_elapsed(a, c, OFFICE) == business_elapsed(a, b, OFFICE) + business_elapsed(b, c, OFFICE)
    spent = business_elapsed(a, c, OFFICE)
    assert spent <= c.astimezone(UTC) - a.astimezone(UTC)
    if spent:
        deadline = business_deadline(a, spent, OFFICE)
        assert deadline <= c
        assert business_elapsed(a, deadline, OFFICE) == spent


def test_the_example_calendars_load_and_tick():
    telecom = touchdsl.load([str(REPO / "examples" / "telecom")]).calendars["il_office"]
    assert business_elapsed(il("2026-09-20 17:00"), il("2026-09-22 09:00"), telecom) == 2 * H
    health = touchdsl.load([str(REPO / "examples" / "health")]).calendars["clinic_hours"]
    # clinics: sun-thu 07:30-19:00, fri 08:00-12:00, closed 2026-12-31 (Thu, annual inventory):
    # Wed 18:00-19:00, Thu closed, Fri 1 Jan 4h, Sun 07:30-08:30
    assert business_elapsed(il("2026-12-30 18:00"), il("2027-01-03 08:30"), health) == 2 * H + 4 * H


def test_the_producer_example_in_the_docs_runs(monkeypatch):
    monkeypatch.chdir(REPO)
    text = (REPO / "docs" / "clock.md").read_text(encoding="utf-8")
    (code,) = [block.split("```", 1)[0] for block in text.split("```python\n")[1:]]
    observed = []

    class Histogram:
        def labels(self, **labels):
            assert labels == {"touchpoint": "technical_fault", "metric": "arrival"}
            return self

        def observe(self, value):
            observed.append(value)

    scope = {"duration_histogram": Histogram()}
    exec(compile(code, "docs/clock.md", "exec"), scope)
    assert len(observed) == 1 and observed[0] > 0
    # Thu 17 Sep 13:00 local + 36h: Thu 5h, Fri 5h, Sun 10h, Mon Yom Kippur, Tue 10h, Wed 6h
    assert scope["due"] == il("2026-09-23 14:00") and scope["due"].tzinfo == IL
    # The complaint: Sunday is day 0; Monday's and Tuesday's closings pass inside the pause;
    # Wednesday to Thursday 12 November are days 1 to 8 (Thursday's closing not yet passed).
    assert scope["days"] == 8
    # The target's 10 business days end at the closing of Sunday 15 November.
    assert scope["reply_due"] == il("2026-11-15 19:00")
