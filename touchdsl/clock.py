"""The clock of `time from A to B [on CALENDAR]` metrics: business time, business
days and pauses.

Event producers observe what a metric's histogram counts with the metric's own
clock, `clock_for(project, touchpoint, metric)`: its `observed(start, end,
pauses)` is the business (or wall-clock) seconds, or the business days, of a
case, and `deadline(start, pauses)` when the case is due. Underneath are the
functions for one calendar: `business_elapsed(start, end, calendar)`,
`business_deadline(start, duration, calendar)`, `business_days_elapsed` and
`business_days_deadline`, each taking the `touchdsl.model.Calendar` of the
project (`touchdsl.load(...).calendars[id]`) and optional pauses.

What counts as business time (docs/clock.md says the same for producers):

- Only real elapsed time while the calendar's local wall clock is inside the
  hours of the day. Overlapping `hours` lines of one day count once.
- The hours of a date: its own (`hours 2026-09-20 08:00-12:00`) if it has any;
  else none on a `closed` date or a public holiday; else, on an eve of a
  holiday (`eves`) that the weekday's hours open, the `hours eve` hours; else
  the weekday's hours.
- Across a DST change the real time is counted: on the spring-forward day an
  opening period that spans the missing hour is an hour shorter, on the
  fall-back day one that spans the repeated hour an hour longer. A bound that
  falls in the missing hour means the moment the clock jumps; a bound in the
  repeated hour means its first occurrence for an opening and its second for a
  closing, so the office never closes and reopens inside one period.
- A public holiday of any of the calendar's countries (the `holidays` package,
  its default public category) closes the whole local date it names. Jewish
  holidays start at sunset the evening before: the eve (erev chag) is a working
  day with the calendar's `hours eve` when it has them, else its weekday's
  hours; a calendar that closes on an eve says so with `closed`. Dates listed in
  `closed` are closed all day.
- `end` is exclusive the way intervals are: a case opened and closed in the
  same closed period took no business time.
- A business day is a local date with opening hours; its closing is the end of
  its last opening period. `N business days` end at the closing of the Nth
  business day after the one the case started on (a case started after a day's
  closing starts on the next business day): a case took as many business days
  as closings passed while its clock ran.
- A pause stops the clock: time (and closings) inside a pause do not count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from touchdsl.model import (
    WEEKDAYS,
    BusinessDays,
    Calendar,
    CountMetric,
    Duration,
    Limit,
    NpsMetric,
    Project,
    RatioMetric,
    ScoreMetric,
    TimeMetric,
    business_days,
    limit_size,
    objective_within,
    unknown_kind,
)

__all__ = [
    "MetricClock",
    "PauseSpan",
    "business_days_deadline",
    "business_days_elapsed",
    "business_deadline",
    "business_elapsed",
    "closings",
    "clock_for",
    "eves",
    "has_eves",
    "is_business_day",
    "is_eve",
    "open_periods",
    "running",
    "wall_deadline",
]

PauseSpan = tuple[dt.datetime, "dt.datetime | None"]
"""A pause of a case's clock: from its start to its end, None while it lasts."""

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


# Countries whose holidays begin at sunset the evening before, so the day before a
# holiday is its eve (erev chag), for countries whose `holidays` data has no
# `half_day` category of its own.
_EVENING_HOLIDAYS = frozenset({"IL"})


@lru_cache(maxsize=256)
def _half_day_category(country: str) -> bool:
    import holidays

    try:
        return "half_day" in holidays.country_holidays(country).supported_categories
    except NotImplementedError:
        return False


def has_eves(country: str) -> bool:
    """Whether `eves` knows the eves of holidays of `country`: the `half_day` dates of
    the `holidays` package where it has them, else the day before each public
    holiday where holidays begin at sunset (IL). Elsewhere there are none."""
    return _half_day_category(country) or country in _EVENING_HOLIDAYS


@lru_cache(maxsize=512)
def eves(country: str, year: int) -> frozenset[dt.date]:
    """The eves of holidays of `country` in `year` that are not holidays themselves
    (see `has_eves`)."""
    import holidays

    if _half_day_category(country):
        found = set(holidays.country_holidays(country, years=year, categories=("half_day",)))
    elif country in _EVENING_HOLIDAYS:
        days = _holidays(country, year) | _holidays(country, year + 1)
        found = {day - _DAY for day in days if (day - _DAY).year == year}
    else:
        return frozenset()
    return frozenset(d for d in found if d not in _holidays(country, year))


def is_eve(date: dt.date, calendar: Calendar) -> bool:
    """The date is an eve of a holiday of one of the calendar's countries."""
    return any(date in eves(country, date.year) for country in calendar.holidays)


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def _day_spans(date: dt.date, calendar: Calendar) -> list[tuple[int, int]]:
    """The day's opening hours as written, in minutes after local midnight (unmerged)."""
    own = [(_minutes(h.start), _minutes(h.end)) for h in calendar.dates if h.date == date]
    if own:
        return own
    if date in calendar.closed or any(date in _holidays(country, date.year) for country in calendar.holidays):
        return []
    weekday = WEEKDAYS[(date.weekday() + 1) % 7]  # Python's Monday=0; WEEKDAYS starts on Sunday
    spans = [(_minutes(h.start), _minutes(h.end)) for h in calendar.hours if weekday in h.days]
    if spans and calendar.eve and is_eve(date, calendar):
        return [(_minutes(h.start), _minutes(h.end)) for h in calendar.eve]
    return spans


def is_business_day(date: dt.date, calendar: Calendar) -> bool:
    """The date has opening hours: its own, an eve's or its weekday's, and is not
    closed by a public holiday or `closed` (see the module docstring)."""
    return bool(_day_spans(date, calendar))


def _wall_periods(date: dt.date, calendar: Calendar) -> list[tuple[int, int]]:
    """The day's opening periods in minutes after local midnight, merged."""
    spans = sorted(_day_spans(date, calendar))
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


def _pauses(pauses: Iterable[tuple[dt.datetime, dt.datetime]]) -> list[tuple[dt.datetime, dt.datetime]]:
    """Pauses as UTC intervals, in order, overlapping ones merged."""
    spans = []
    for a, b in pauses:
        lo, hi = _aware("pause start", a), _aware("pause end", b)
        if hi < lo:
            raise ValueError(f"a pause ends ({b.isoformat()}) before it starts ({a.isoformat()})")
        if lo < hi:
            spans.append((lo, hi))
    spans.sort()
    merged: list[tuple[dt.datetime, dt.datetime]] = []
    for lo, hi in spans:
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def running(start: dt.datetime, end: dt.datetime,
            pauses: Iterable[tuple[dt.datetime, dt.datetime]] = ()) -> list[tuple[dt.datetime, dt.datetime]]:
    """The stretches of [start, end) outside every pause, in order, as UTC datetimes:
    when a case's clock runs. Raises ValueError when `end` is before `start`."""
    lo, hi = _aware("start", start), _aware("end", end)
    if hi < lo:
        raise ValueError(f"end {end.isoformat()} is before start {start.isoformat()}")
    out = []
    for a, b in _pauses(pauses):
        if b <= lo or a >= hi:
            continue
        if a > lo:
            out.append((lo, a))
        lo = max(lo, b)
    if lo < hi:
        out.append((lo, hi))
    return out


def business_elapsed(start: dt.datetime, end: dt.datetime, calendar: Calendar,
                     pauses: Iterable[tuple[dt.datetime, dt.datetime]] = ()) -> dt.timedelta:
    """Business time between two timezone-aware moments by `calendar`, not counting
    the `pauses` (pairs of moments: the clock stops from the first to the second).

    Raises ValueError for naive datetimes and when `end` is before `start`.
    """
    total = dt.timedelta()
    for a, b in running(start, end, pauses):
        for lo, hi in open_periods(a, b, calendar):
            total += hi - lo
    return total


def _open_from(begin: dt.datetime, calendar: Calendar) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    """The calendar's opening periods that end after `begin`, in order, without end.
    Raises ValueError when the calendar stays closed for two years."""
    zone = _zone(calendar.timezone)
    date = begin.astimezone(zone).date() - _DAY
    closed_days = 0
    while True:
        periods = _day_periods(date, calendar, zone)
        closed_days = 0 if periods else closed_days + 1
        if closed_days > _LONGEST_CLOSURE_DAYS:
            raise ValueError(f"calendar {calendar.id} is closed for more than {_LONGEST_CLOSURE_DAYS} days "
                             f"after {date - dt.timedelta(days=closed_days)}")
        for opens, closes in periods:
            if closes > begin:
                yield opens, closes
        date += _DAY


def _run_from(begin: dt.datetime, pauses: list[tuple[dt.datetime, dt.datetime]]
              ) -> Iterator[tuple[dt.datetime, dt.datetime | None]]:
    """The stretches from `begin` on outside the (merged) pauses; the last has no end."""
    lo = begin
    for a, b in pauses:
        if b <= lo:
            continue
        if a > lo:
            yield lo, a
        lo = max(lo, b)
    yield lo, None


def business_deadline(start: dt.datetime, duration: dt.timedelta, calendar: Calendar,
                      pauses: Iterable[tuple[dt.datetime, dt.datetime]] = ()) -> dt.datetime:
    """The first moment at which `duration` of business time has passed since `start`
    (the `pauses` not counted), in the calendar's time zone. A zero duration is
    `start` itself."""
    begin = _aware("start", start)
    if duration < dt.timedelta():
        raise ValueError(f"duration must not be negative: {duration}")
    zone = _zone(calendar.timezone)
    if not duration:
        return begin.astimezone(zone)
    remaining = duration
    stretches = _run_from(begin, _pauses(pauses))
    run_lo, run_hi = next(stretches)
    for opens, closes in _open_from(begin, calendar):
        while True:
            lo, hi = max(opens, run_lo), closes if run_hi is None else min(closes, run_hi)
            if lo < hi:
                if hi - lo >= remaining:
                    return (lo + remaining).astimezone(zone)
                remaining -= hi - lo
            if run_hi is not None and run_hi < closes:
                run_lo, run_hi = next(stretches)  # the period goes on after this pause
                continue
            break
    raise AssertionError("unreachable: _open_from never ends")  # pragma: no cover


def wall_deadline(start: dt.datetime, duration: dt.timedelta,
                  pauses: Iterable[tuple[dt.datetime, dt.datetime]] = ()) -> dt.datetime:
    """The moment `duration` of wall-clock time has passed since `start`, the pauses not
    counted, in the time zone of `start`."""
    begin = _aware("start", start)
    if duration < dt.timedelta():
        raise ValueError(f"duration must not be negative: {duration}")
    remaining = duration
    for lo, hi in _run_from(begin, _pauses(pauses)):
        if hi is None or hi - lo >= remaining:
            return (lo + remaining).astimezone(start.tzinfo)
        remaining -= hi - lo
    raise AssertionError("unreachable: the last stretch has no end")  # pragma: no cover


# Business days --------------------------------------------------------------------


def _closing(date: dt.date, calendar: Calendar, zone: ZoneInfo) -> dt.datetime | None:
    """The end of the date's last opening period (UTC), or None on a closed day."""
    periods = _day_periods(date, calendar, zone)
    return periods[-1][1] if periods else None


def _closings_from(begin: dt.datetime, calendar: Calendar) -> Iterator[dt.datetime]:
    """The closings of business days at or after `begin`, in order, without end."""
    zone = _zone(calendar.timezone)
    date = begin.astimezone(zone).date() - _DAY  # a day's hours may end at the next midnight
    closed_days = 0
    while True:
        closing = _closing(date, calendar, zone)
        closed_days = 0 if closing is not None else closed_days + 1
        if closed_days > _LONGEST_CLOSURE_DAYS:
            raise ValueError(f"calendar {calendar.id} is closed for more than {_LONGEST_CLOSURE_DAYS} days "
                             f"after {date - dt.timedelta(days=closed_days)}")
        if closing is not None and closing >= begin:
            yield closing
        date += _DAY


def closings(start: dt.datetime, end: dt.datetime, calendar: Calendar) -> Iterator[dt.datetime]:
    """The closings of the calendar's business days in [start, end), in order (UTC):
    the end of each business day's last opening period."""
    lo, hi = _aware("start", start), _aware("end", end)
    for closing in _closings_from(lo, calendar):
        if closing >= hi:
            return
        yield closing


def business_days_elapsed(start: dt.datetime, end: dt.datetime, calendar: Calendar,
                          pauses: Iterable[tuple[dt.datetime, dt.datetime]] = ()) -> int:
    """Business days a case took: the closings of business days that passed while its
    clock ran, from `start` (inclusive) to `end` (exclusive), the pauses not counted.

    0 when it ended on the business day it started on (by that day's closing), 1 by
    the next business day's closing, and so on; `within N business days` is met
    when this is at most N. Raises ValueError for naive datetimes and when `end`
    is before `start`.
    """
    return sum(sum(1 for _ in closings(a, b, calendar)) for a, b in running(start, end, pauses))


def business_days_deadline(start: dt.datetime, days: int, calendar: Calendar,
                           pauses: Iterable[tuple[dt.datetime, dt.datetime]] = ()) -> dt.datetime:
    """The last moment a case started at `start` is within `days` business days: the
    closing of the `days`-th business day after the one it started on (the pauses
    not counted), in the calendar's time zone."""
    begin = _aware("start", start)
    if days < 0:
        raise ValueError(f"days must not be negative: {days}")
    zone = _zone(calendar.timezone)
    counted = 0
    stretches = _run_from(begin, _pauses(pauses))
    run_lo, run_hi = next(stretches)
    for closing in _closings_from(begin, calendar):
        while run_hi is not None and closing >= run_hi:
            run_lo, run_hi = next(stretches)
        if closing >= run_lo:
            counted += 1
            if counted == days + 1:
                return closing.astimezone(zone)
    raise AssertionError("unreachable: _closings_from never ends")  # pragma: no cover


# The clock of a metric --------------------------------------------------------------


@dataclass(frozen=True)
class MetricClock:
    """How one time metric (one class of it) counts a case: what a producer observes
    into its histogram, and when a case is due. Made by `clock_for`.

    Pauses are pairs of moments, the clock stopped from the first to the second;
    the last may end in None while the case is still paused.
    """

    touchpoint: str
    metric: str
    segment: str | None
    calendar: Calendar | None
    unit: Literal["seconds", "business_days"]
    promise: Limit | None
    target: Limit

    def observed(self, start: dt.datetime, end: dt.datetime, pauses: Sequence[PauseSpan] = ()) -> float:
        """What the metric's histogram observes for a case from `start` to `end`:
        business days (`touch_business_days`), else seconds of business time on a
        calendar or of wall-clock time (`touch_duration_seconds`)."""
        closed = self._closed(pauses, end)
        if self.unit == "business_days":
            assert self.calendar is not None
            return float(business_days_elapsed(start, end, self.calendar, closed))
        if self.calendar is not None:
            return business_elapsed(start, end, self.calendar, closed).total_seconds()
        return sum((b - a for a, b in running(start, end, closed)), dt.timedelta()).total_seconds()

    def met(self, start: dt.datetime, end: dt.datetime, pauses: Sequence[PauseSpan] = (),
            objective: Literal["promise", "target"] = "target") -> bool:
        """Whether a case from `start` to `end` met the limit of the promise or the target."""
        return self.observed(start, end, pauses) <= limit_size(self._limit(objective))

    def deadline(self, start: dt.datetime, pauses: Sequence[PauseSpan] = (),
                 objective: Literal["promise", "target"] = "target") -> dt.datetime | None:
        """The last moment a case started at `start` still meets the limit (exactly at
        it is on time); None while it is paused before reaching it."""
        limit = self._limit(objective)
        open_pause = next((a for a, b in pauses if b is None), None)
        closed = [(a, b) for a, b in pauses if b is not None]
        due: dt.datetime
        match limit:
            case BusinessDays():
                assert self.calendar is not None
                due = business_days_deadline(start, limit.days, self.calendar, closed)
            case Duration():
                span = dt.timedelta(seconds=limit.seconds)
                due = (business_deadline(start, span, self.calendar, closed) if self.calendar is not None
                       else wall_deadline(start, span, closed))
            case _:
                unknown_kind(limit)
        if open_pause is not None and due > _aware("pause start", open_pause):
            return None
        return due

    def _limit(self, objective: Literal["promise", "target"]) -> Limit:
        if objective == "promise":
            if self.promise is None:
                raise ValueError(f"{self.touchpoint}.{self.metric} is internal: it has no promise")
            return self.promise
        return self.target

    @staticmethod
    def _closed(pauses: Sequence[PauseSpan], end: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
        """Pauses with an end; one still running lasts until `end`."""
        return [(a, b if b is not None else end) for a, b in pauses]


def clock_for(project: Project, touchpoint: str, metric: str, segment: str | None = None) -> MetricClock:
    """The clock of the time metric `touchpoint.metric` (of class `segment` when the
    metric is judged per class). Raises KeyError for an unknown name and ValueError
    for a metric that is not a `time` metric."""
    tp = project.touchpoints[touchpoint]
    found = [m for m in tp.metrics if m.id == metric]
    if not found:
        raise KeyError(f"touchpoint {touchpoint} has no metric {metric}")
    chosen = [m for m in found if m.segment == segment]
    if not chosen:
        classes = ", ".join(str(m.segment) for m in found)
        raise KeyError(f"{touchpoint}.{metric} is judged per class ({classes}); pass segment="
                       if segment is None else f"{touchpoint}.{metric} has no class {segment!r} (classes: {classes})")
    match chosen[0]:
        case TimeMetric() as time:
            calendar = project.calendars[time.calendar] if time.calendar is not None else None
            return MetricClock(
                touchpoint, metric, segment, calendar, "business_days" if business_days(time) else "seconds",
                objective_within(time.promise).within if time.promise is not None else None,
                objective_within(time.target).within)
        case RatioMetric() | ScoreMetric() | NpsMetric() | CountMetric() as other:
            raise ValueError(f"{touchpoint}.{metric} is a {other.kind} metric: only `time` metrics have a clock")
        case _ as unknown:
            unknown_kind(unknown)
