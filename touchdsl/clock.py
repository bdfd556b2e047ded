"""The business clock of `time from A to B on CALENDAR` metrics.

Event producers measure a case's elapsed *business* time with
`business_elapsed(start, end, calendar)` and observe it (in seconds) into the
metric's histogram; `business_deadline(start, duration, calendar)` answers the
reverse question ("when is 36 business hours from now?"). Both take the
`touchdsl.model.Calendar` of the project (`touchdsl.load(...).calendars[id]`).

What counts as business time (docs/clock.md says the same for producers):

- Only real elapsed time while the calendar's local wall clock is inside its
  weekly `hours`. Overlapping `hours` lines of one day count once.
- Across a DST change the real time is counted: on the spring-forward day an
  opening period that spans the missing hour is an hour shorter, on the
  fall-back day one that spans the repeated hour an hour longer. A bound that
  falls in the missing hour means the moment the clock jumps; a bound in the
  repeated hour means its first occurrence for an opening and its second for a
  closing, so the office never closes and reopens inside one period.
- A public holiday of any of the calendar's countries (the `holidays` package,
  its default public category) closes the whole local date it names. Jewish
  holidays start at sunset the evening before, but the eve (erev chag) is a
  working day in the calendar's `hours`; a calendar that closes on an eve says
  so with `closed`. Dates listed in `closed` are closed all day.
- `end` is exclusive the way intervals are: a case opened and closed in the
  same closed period took no business time.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Iterator
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from touchdsl.model import WEEKDAYS, Calendar

__all__ = ["business_elapsed", "business_deadline", "is_business_day", "open_periods"]

_UTC = dt.timezone.utc
_DAY = dt.timedelta(days=1)
# A calendar that stays closed this long will never open (business_deadline's guard).
_LONGEST_CLOSURE_DAYS = 2 * 366


def _aware(name: str, value: dt.datetime) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise TypeError(f"{name} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (e.g. datetime.now(timezone.utc)); got naive {value.isoformat()}")
    return value.astimezone(_UTC)


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (on systems without a zoneinfo database, "
                         "install the `tzdata` package)") from None


@lru_cache(maxsize=512)
def _holidays(country: str, year: int) -> frozenset[dt.date]:
    import holidays

    try:
        return frozenset(holidays.country_holidays(country, years=year))
    except NotImplementedError:
        raise ValueError(f"the holidays package knows no country {country!r}") from None


def is_business_day(date: dt.date, calendar: Calendar) -> bool:
    """The date has opening hours and is neither a public holiday nor `closed`."""
    weekday = WEEKDAYS[(date.weekday() + 1) % 7]  # Python's Monday=0; WEEKDAYS starts on Sunday
    if not any(weekday in h.days for h in calendar.hours):
        return False
    if date in calendar.closed:
        return False
    return not any(date in _holidays(country, date.year) for country in calendar.holidays)


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def _wall_periods(date: dt.date, calendar: Calendar) -> list[tuple[int, int]]:
    """The day's opening periods in minutes after local midnight, merged."""
    weekday = WEEKDAYS[(date.weekday() + 1) % 7]
    spans = sorted((_minutes(h.start), _minutes(h.end)) for h in calendar.hours if weekday in h.days)
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        elif start < end:
            merged.append((start, end))
    return merged


def _instant(wall: dt.datetime, zone: ZoneInfo, closing: bool) -> dt.datetime:
    """The UTC instant the local wall clock reaches `wall` (see the module docstring
    for the missing and the repeated hour)."""
    u = wall.replace(tzinfo=zone, fold=1 if closing else 0).astimezone(_UTC)
    if u.astimezone(zone).replace(tzinfo=None) == wall:
        return u
    # `wall` does not exist: find the jump between the two readings of it.
    a = wall.replace(tzinfo=zone, fold=0).astimezone(_UTC)
    b = wall.replace(tzinfo=zone, fold=1).astimezone(_UTC)
    lo, hi = min(a, b), max(a, b)
    after = hi.astimezone(zone).utcoffset()
    while hi - lo > dt.timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        mid = mid.replace(microsecond=0)
        if mid <= lo:
            break
        if mid.astimezone(zone).utcoffset() == after:
            hi = mid
        else:
            lo = mid
    return hi


def _day_periods(date: dt.date, calendar: Calendar, zone: ZoneInfo) -> list[tuple[dt.datetime, dt.datetime]]:
    if not is_business_day(date, calendar):
        return []
    midnight = dt.datetime.combine(date, dt.time())
    out = []
    for start, end in _wall_periods(date, calendar):
        opens = _instant(midnight + dt.timedelta(minutes=start), zone, closing=False)
        closes = _instant(midnight + dt.timedelta(minutes=end), zone, closing=True)
        if opens < closes:
            out.append((opens, closes))
    return out


def open_periods(start: dt.datetime, end: dt.datetime, calendar: Calendar) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    """The calendar's opening periods clipped to [start, end), in order, as UTC datetimes."""
    start, end = _aware("start", start), _aware("end", end)
    zone = _zone(calendar.timezone)
    date = start.astimezone(zone).date() - _DAY  # a period of the day before may reach past midnight
    last = end.astimezone(zone).date()
    while date <= last:
        for opens, closes in _day_periods(date, calendar, zone):
            lo, hi = max(opens, start), min(closes, end)
            if lo < hi:
                yield lo, hi
        date += _DAY


def business_elapsed(start: dt.datetime, end: dt.datetime, calendar: Calendar) -> dt.timedelta:
    """Business time between two timezone-aware moments by `calendar`.

    Raises ValueError for naive datetimes and when `end` is before `start`.
    """
    if _aware("end", end) < _aware("start", start):
        raise ValueError(f"end {end.isoformat()} is before start {start.isoformat()}")
    total = dt.timedelta()
    for lo, hi in open_periods(start, end, calendar):
        total += hi - lo
    return total


def business_deadline(start: dt.datetime, duration: dt.timedelta, calendar: Calendar) -> dt.datetime:
    """The first moment at which `duration` of business time has passed since `start`,
    in the calendar's time zone. A zero duration is `start` itself."""
    begin = _aware("start", start)
    if duration < dt.timedelta():
        raise ValueError(f"duration must not be negative: {duration}")
    zone = _zone(calendar.timezone)
    if not duration:
        return begin.astimezone(zone)
    remaining = duration
    date = begin.astimezone(zone).date() - _DAY
    closed_days = 0
    while True:
        periods = _day_periods(date, calendar, zone)
        closed_days = 0 if periods else closed_days + 1
        if closed_days > _LONGEST_CLOSURE_DAYS:
            raise ValueError(f"calendar {calendar.id} is closed for more than {_LONGEST_CLOSURE_DAYS} days "
                             f"after {date - dt.timedelta(days=closed_days)}")
        for opens, closes in periods:
            lo = max(opens, begin)
            if lo >= closes:
                continue
            if closes - lo >= remaining:
                return (lo + remaining).astimezone(zone)
            remaining -= closes - lo
        date += _DAY
