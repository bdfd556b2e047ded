"""touchdsl.clock, the additions of issue 13: eves of holidays and hours of single
dates, business days (by the close of the Nth business day), pauses, and the clock
of a metric producers call. Hand-worked numbers for Asia/Jerusalem, the table of
docs/clock.md, and properties that tie the functions to one another."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import touchdsl
from tests.paths import REPO
from touchdsl.clock import (
    business_days_deadline,
    business_days_elapsed,
    business_deadline,
    business_elapsed,
    clock_for,
    closings,
    eves,
    has_eves,
    is_business_day,
    is_eve,
    open_periods,
    running,
    wall_deadline,
)
from touchdsl.model import Calendar, DateHours, Hours, Location, TimeRange

IL = ZoneInfo("Asia/Jerusalem")
UTC = dt.timezone.utc
H = dt.timedelta(hours=1)
SUN_THU = ["sun", "mon", "tue", "wed", "thu"]


def calendar(*, eve: tuple[str, str] | None = ("08:00", "12:00"), dates: tuple[tuple[str, str, str], ...] = (),
             holidays: tuple[str, ...] = ("IL",), closed: tuple[str, ...] = ()) -> Calendar:
    return Calendar(id="office", title="Office", timezone="Asia/Jerusalem",
                    hours=[Hours(days=SUN_THU, start="08:00", end="18:00"), Hours(days=["fri"], start="08:00", end="13:00")],
                    eve=[TimeRange(start=eve[0], end=eve[1])] if eve else [],
                    dates=[DateHours(date=dt.date.fromisoformat(d), start=s, end=e) for d, s, e in dates],
                    holidays=list(holidays), closed=[dt.date.fromisoformat(d) for d in closed],
                    location=Location(file="t", line=1, column=1))


OFFICE = calendar()


def il(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=IL)


# Eves -----------------------------------------------------------------------------


def test_israeli_eves_are_the_days_before_public_holidays():
    assert sorted(eves("IL", 2026)) == [dt.date(2026, 4, 1), dt.date(2026, 4, 7), dt.date(2026, 4, 21),
                                        dt.date(2026, 5, 21), dt.date(2026, 9, 11), dt.date(2026, 9, 20),
                                        dt.date(2026, 9, 25), dt.date(2026, 10, 2)]
    # The second day of Rosh Hashanah is a holiday, not an eve.
    assert dt.date(2026, 9, 12) not in eves("IL", 2026)


def test_an_eve_on_the_last_day_of_a_year_comes_from_the_next_years_holidays():
    found = {day for year in range(2020, 2040) for day in eves("IL", year)}
    assert all(day.year in range(2020, 2040) for day in found)
    assert found == {day - dt.timedelta(days=1) for year in range(2020, 2041) for day in _il_holidays(year)
                     if 2020 <= (day - dt.timedelta(days=1)).year < 2040} - {
        day for year in range(2020, 2041) for day in _il_holidays(year)}


def _il_holidays(year: int) -> set[dt.date]:
    import holidays

    return set(holidays.country_holidays("IL", years=year))


def test_countries_with_half_days_have_them_as_eves_and_others_have_none():
    import holidays

    assert has_eves("IL") and has_eves("US") and has_eves("EE")
    assert not has_eves("GB") and not has_eves("DE")
    assert eves("GB", 2026) == frozenset()
    estonia = set(holidays.country_holidays("EE", years=2026, categories=("half_day",)))
    assert estonia and eves("EE", 2026) == estonia - set(holidays.country_holidays("EE", years=2026))
    assert dt.date(2026, 12, 23) in eves("EE", 2026)  # a pre-holiday day, shortened by three hours


def test_the_eve_of_yom_kippur_closes_at_noon():
    assert is_eve(dt.date(2026, 9, 20), OFFICE) and is_business_day(dt.date(2026, 9, 20), OFFICE)
    (period,) = open_periods(il("2026-09-20 00:00"), il("2026-09-21 00:00"), OFFICE)
    assert period == (il("2026-09-20 08:00"), il("2026-09-20 12:00"))
    # Sun 17:00 on an ordinary Sunday is open; on the eve it is not.
    assert business_elapsed(il("2026-09-20 11:00"), il("2026-09-22 09:00"), OFFICE) == 2 * H  # 1h eve, Yom Kippur, 1h
    # Without `hours eve` an eve keeps its weekday's hours (docs/clock.md).
    assert business_elapsed(il("2026-09-20 11:00"), il("2026-09-22 09:00"), calendar(eve=None)) == 8 * H


def test_an_eve_on_a_closed_weekday_stays_closed():
    # Erev Shavuot 2027 is a Friday; 2029's erev Pesach is a Friday too. Find one on a Saturday.
    saturdays = [d for year in range(2026, 2040) for d in eves("IL", year) if d.weekday() == 5]
    assert saturdays
    assert not is_business_day(saturdays[0], OFFICE)


def test_eve_hours_replace_a_fridays_hours():
    friday_eve = next(d for year in range(2026, 2040) for d in eves("IL", year) if d.weekday() == 4)
    later = calendar(eve=("07:00", "11:00"))
    (period,) = open_periods(dt.datetime.combine(friday_eve, dt.time(), IL),
                             dt.datetime.combine(friday_eve + dt.timedelta(days=1), dt.time(), IL), later)
    assert period == (dt.datetime.combine(friday_eve, dt.time(7), IL), dt.datetime.combine(friday_eve, dt.time(11), IL))


# Hours of single dates --------------------------------------------------------------


def test_a_dates_own_hours_replace_its_weekday_and_even_a_holiday():
    special = calendar(dates=(("2026-11-05", "08:00", "14:00"), ("2026-11-05", "16:00", "17:00"),
                              ("2026-09-21", "10:00", "12:00"), ("2026-09-20", "08:00", "16:00")))
    assert business_elapsed(il("2026-11-05 00:00"), il("2026-11-06 00:00"), special) == 7 * H
    # Yom Kippur opened for two hours by the calendar's own line.
    assert is_business_day(dt.date(2026, 9, 21), special)
    assert business_elapsed(il("2026-09-21 00:00"), il("2026-09-22 00:00"), special) == 2 * H
    # A date's hours win over the eve's too.
    assert business_elapsed(il("2026-09-20 00:00"), il("2026-09-21 00:00"), special) == 8 * H
    # A Saturday with hours of its own opens.
    saturday = calendar(dates=(("2026-11-07", "09:00", "10:30"),))
    assert business_elapsed(il("2026-11-07 00:00"), il("2026-11-08 00:00"), saturday) == 1.5 * H


# Business days ----------------------------------------------------------------------


@pytest.mark.parametrize("start,days,due", [
    # the table of docs/clock.md
    ("2026-11-02 10:00", 1, "2026-11-03 18:00"),   # Monday: due Tuesday's closing
    ("2026-11-02 19:30", 1, "2026-11-04 18:00"),   # after Monday's closing: Tuesday is its first day
    ("2026-11-05 10:00", 1, "2026-11-06 13:00"),   # Thursday: the Friday half day
    ("2026-11-07 11:00", 1, "2026-11-09 18:00"),   # Saturday: Sunday is its first day
    ("2026-09-17 10:00", 2, "2026-09-20 12:00"),   # Friday is day 1, the eve of Yom Kippur day 2
    ("2026-09-20 15:00", 1, "2026-09-23 18:00"),   # after the eve's closing; Monday is Yom Kippur
    ("2026-10-22 17:00", 2, "2026-10-25 18:00"),   # across the change to winter time
    # more edges
    ("2026-11-02 18:00", 0, "2026-11-02 18:00"),   # exactly at closing: that day is day 0
    ("2026-11-02 07:00", 0, "2026-11-02 18:00"),   # before opening: that day
    ("2026-11-01 10:00", 5, "2026-11-06 13:00"),   # Sunday + 5: Monday to Thursday, then the Friday half day
    ("2026-03-26 10:00", 1, "2026-03-27 13:00"),   # across the change to summer time (Fri 02:00)
])
def test_business_days_end_at_the_closing_of_the_nth_business_day(start, days, due):
    deadline = business_days_deadline(il(start), days, OFFICE)
    assert deadline == il(due) and deadline.tzinfo == IL
    # Exactly at the deadline the case took `days`; a microsecond later one more.
    assert business_days_elapsed(il(start), deadline, OFFICE) == days
    assert business_days_elapsed(il(start), deadline + dt.timedelta(microseconds=1), OFFICE) == days + 1


def test_business_days_elapsed_counts_closings_passed():
    assert business_days_elapsed(il("2026-11-02 10:00"), il("2026-11-02 17:59"), OFFICE) == 0
    assert business_days_elapsed(il("2026-11-02 10:00"), il("2026-11-03 07:00"), OFFICE) == 1
    # A case opened on Thursday and closed on Sunday morning took Thursday's and Friday's closings.
    assert business_days_elapsed(il("2026-11-05 09:00"), il("2026-11-08 09:00"), OFFICE) == 2
    # The eve of Yom Kippur closes at noon; Yom Kippur has no closing.
    assert [c.astimezone(IL) for c in closings(il("2026-09-20 00:00"), il("2026-09-23 00:00"), OFFICE)] == [
        il("2026-09-20 12:00"), il("2026-09-22 18:00")]
    # Closed dates and single dates' hours move closings.
    special = calendar(dates=(("2026-11-03", "08:00", "11:00"),), closed=("2026-11-04",))
    assert business_days_deadline(il("2026-11-02 10:00"), 1, special) == il("2026-11-03 11:00")
    assert business_days_deadline(il("2026-11-02 10:00"), 2, special) == il("2026-11-05 18:00")


def test_business_days_refuse_what_is_not_a_count():
    with pytest.raises(ValueError, match="negative"):
        business_days_deadline(il("2026-11-02 10:00"), -1, OFFICE)
    with pytest.raises(ValueError, match="timezone-aware"):
        business_days_elapsed(dt.datetime(2026, 11, 2, 10), il("2026-11-03 10:00"), OFFICE)
    with pytest.raises(ValueError, match="before start"):
        business_days_elapsed(il("2026-11-03 10:00"), il("2026-11-02 10:00"), OFFICE)


# Pauses -------------------------------------------------------------------------------


def test_running_is_the_time_outside_the_pauses():
    pauses = [(il("2026-11-02 12:00"), il("2026-11-02 13:00")), (il("2026-11-02 12:30"), il("2026-11-02 14:00")),
              (il("2026-11-01 00:00"), il("2026-11-02 09:00"))]
    assert running(il("2026-11-02 08:00"), il("2026-11-02 16:00"), pauses) == [
        (il("2026-11-02 09:00"), il("2026-11-02 12:00")), (il("2026-11-02 14:00"), il("2026-11-02 16:00"))]
    with pytest.raises(ValueError, match="ends .* before it starts"):
        running(il("2026-11-02 08:00"), il("2026-11-02 16:00"), [(il("2026-11-02 12:00"), il("2026-11-02 11:00"))])


def test_a_pause_stops_business_time_and_moves_the_deadline():
    wait = [(il("2026-11-02 12:00"), il("2026-11-03 12:00"))]
    # Mon 10:00 -> Tue 15:00: Mon 10-12 (2h) + Tue 12-15 (3h); without the pause 8 + 7.
    assert business_elapsed(il("2026-11-02 10:00"), il("2026-11-03 15:00"), OFFICE, wait) == 5 * H
    assert business_elapsed(il("2026-11-02 10:00"), il("2026-11-03 15:00"), OFFICE) == 15 * H
    # 10 business hours from Mon 10:00: 2h on Monday, 6h Tue 12-18, 2h on Wednesday.
    assert business_deadline(il("2026-11-02 10:00"), 10 * H, OFFICE, wait) == il("2026-11-04 10:00")
    # A pause that ends inside an opening period resumes the count there.
    assert business_deadline(il("2026-11-02 10:00"), 3 * H, OFFICE, wait) == il("2026-11-03 13:00")
    # Wall clock: 24h pause.
    assert wall_deadline(il("2026-11-02 10:00"), 3 * H, wait) == il("2026-11-03 13:00")


def test_a_pause_over_a_closing_keeps_that_business_day_from_counting():
    wait = [(il("2026-11-03 12:00"), il("2026-11-05 09:00"))]
    # docs/clock.md: Monday's closing counts, Tuesday's and Wednesday's pass in the pause.
    assert business_days_elapsed(il("2026-11-02 10:00"), il("2026-11-05 20:00"), OFFICE, wait) == 2
    assert business_days_deadline(il("2026-11-02 10:00"), 1, OFFICE, wait) == il("2026-11-05 18:00")
    # A pause that ends exactly at a closing: that closing counts (the clock runs again).
    at_closing = [(il("2026-11-03 12:00"), il("2026-11-03 18:00"))]
    assert business_days_elapsed(il("2026-11-02 10:00"), il("2026-11-03 19:00"), OFFICE, at_closing) == 2


# Properties -------------------------------------------------------------------------

moments = st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2027, 3, 31), timezones=st.just(IL))
spans = st.tuples(moments, st.integers(min_value=1, max_value=10 * 86400))


@settings(max_examples=60, deadline=None)
@given(moments, st.integers(min_value=0, max_value=15), moments)
def test_within_n_business_days_means_ending_by_the_deadline(start, days, end):
    if end < start:
        start, end = end, start
    due = business_days_deadline(start, days, OFFICE)
    assert (business_days_elapsed(start, end, OFFICE) <= days) == (end <= due)


@settings(max_examples=60, deadline=None)
@given(moments, moments, st.lists(spans, max_size=3))
def test_paused_time_is_what_the_pauses_take_away(start, end, raw):
    if end < start:
        start, end = end, start
    pauses = [(a, a.astimezone(UTC) + dt.timedelta(seconds=s)) for a, s in raw]  # real seconds, across DST
    whole = business_elapsed(start, end, OFFICE)
    paused = business_elapsed(start, end, OFFICE, pauses)
    taken = sum((business_elapsed(max(a, start), min(b, end), OFFICE)
                 for a, b in _merged(pauses) if b > start and a < end), dt.timedelta())
    assert paused == whole - taken
    if paused:
        due = business_deadline(start, paused, OFFICE, pauses)
        assert due <= end and business_elapsed(start, due, OFFICE, pauses) == paused


@settings(max_examples=40, deadline=None)
@given(moments, st.integers(min_value=0, max_value=8), st.lists(spans, max_size=3), moments)
def test_paused_business_days_agree_with_their_deadline(start, days, raw, end):
    if end < start:
        start, end = end, start
    pauses = [(a, a.astimezone(UTC) + dt.timedelta(seconds=s)) for a, s in raw]
    due = business_days_deadline(start, days, OFFICE, pauses)
    assert (business_days_elapsed(start, end, OFFICE, pauses) <= days) == (end <= due)


def _merged(pauses: list[tuple[dt.datetime, dt.datetime]]) -> list[tuple[dt.datetime, dt.datetime]]:
    out: list[tuple[dt.datetime, dt.datetime]] = []
    for a, b in sorted(pauses):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


# The clock of a metric ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def health() -> touchdsl.Project:
    return touchdsl.load([str(REPO / "examples" / "health")])


def test_a_business_day_metric_observes_days_and_honours_pauses(health):
    reply = clock_for(health, "complaint", "reply_time")
    assert reply.unit == "business_days" and reply.calendar is not None
    received = il("2026-11-01 11:00")
    wait = [(il("2026-11-02 10:00"), il("2026-11-04 10:00"))]
    assert reply.observed(received, il("2026-11-12 12:00"), wait) == 8
    assert reply.observed(received, il("2026-11-12 12:00")) == 10
    assert reply.deadline(received, wait) == il("2026-11-15 19:00")          # the target: 10 days
    assert reply.deadline(received, wait, objective="promise") == il("2026-11-19 19:00")  # 14 days
    assert reply.met(received, il("2026-11-15 19:00"), wait) and not reply.met(received, il("2026-11-15 19:01"), wait)
    # A pause still running: no deadline while the clock stands; counted until the end given.
    assert reply.deadline(received, [(il("2026-11-02 10:00"), None)]) is None
    # One that starts after the deadline does not move it (no closings lost to the pause).
    assert reply.deadline(received, [(il("2026-11-30 10:00"), None)]) == il("2026-11-12 19:00")
    # Sunday's closing passed before the pause began; none since.
    assert reply.observed(received, il("2026-11-12 12:00"), [(il("2026-11-02 10:00"), None)]) == 1


def test_a_class_has_its_own_clock_and_a_metric_per_class_needs_the_class(health):
    urgent = clock_for(health, "appointment", "slot", segment="urgent")
    routine = clock_for(health, "appointment", "slot", segment="routine")
    started = il("2026-11-02 10:00")
    assert urgent.deadline(started) == il("2026-11-03 19:00")
    assert routine.deadline(started) == il("2026-11-04 19:00")
    with pytest.raises(KeyError, match="judged per class"):
        clock_for(health, "appointment", "slot")
    with pytest.raises(KeyError, match="no class 'vip'"):
        clock_for(health, "appointment", "slot", segment="vip")
    with pytest.raises(ValueError, match="only `time` metrics have a clock"):
        clock_for(health, "appointment", "csat")
    with pytest.raises(KeyError, match="no metric"):
        clock_for(health, "appointment", "nope")


def test_a_wall_clock_metric_observes_seconds():
    banking = touchdsl.load([str(REPO / "examples" / "banking")])
    executed = clock_for(banking, "bank_transfer", "executed")
    assert executed.unit == "seconds" and executed.calendar is None
    assert executed.observed(il("2026-11-07 10:00"), il("2026-11-07 11:30")) == 5400
    assert executed.deadline(il("2026-11-07 10:00")) == il("2026-11-07 11:00")
    assert executed.deadline(il("2026-11-07 10:00"), objective="promise") == il("2026-11-07 12:00")
