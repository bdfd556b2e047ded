"""The calendar-interval table: a calendar's time cut into open and closed segments.

Business time in SQL is a look-up, never a loop: for every calendar the measurement
joins against rows that tile the timeline without gaps, generated here from
`touchdsl.clock.open_periods` (so the SQL and the clock cannot disagree):

    calendar   the calendar's id
    utc_day    the UTC day number of the segment (epoch microseconds // 86_400_000_000):
               the equality-join key; an instant's day is integer arithmetic in any engine
    local_day  the calendar's local date the segment lies in (for people, and for
               rules by date such as business days)
    from_us    the segment's first microsecond (epoch microseconds, UTC)
    to_us      the first microsecond after it
    is_open    whether the calendar is open during the segment
    before_us  business microseconds from the table's first segment up to `from_us`
    closings_before  the closings of business days (`touchdsl.clock.closings`) before
               `from_us`, counted from the table's first segment
    closing_at 1 when `from_us` is such a closing (a closing always starts a segment)

Segments are cut at every opening and closing, at every UTC midnight and at every
local midnight, so each lies in one UTC day *and* one local day. The business
position of an instant `t` is then `before_us + (t - from_us if is_open else 0)` for
the one segment of its UTC day that contains it, and the business time between two
instants is the difference of their positions: an equality join on (calendar,
utc_day) plus a filter, exact to the microsecond, with no time-zone arithmetic left
to the engine (whose time-zone database and session zone may differ from Python's).

Business days are counted the same way: the closings strictly before an instant `t`
of a segment are `closings_before + (closing_at if t > from_us else 0)`, so the
business days between two instants (the closings in [start, end)) are a difference
too, and the Nth closing is found by equality on `closings_before` where
`closing_at` is 1.

The day is taken in UTC rather than in the calendar's zone for that reason: the key
of an instant must be computable the same way by DuckDB, Spark, Trino or a
warehouse. `local_day` still names the calendar date of each segment.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterator
from zoneinfo import ZoneInfo

from touchdsl.clock import closings, open_periods
from touchdsl.model import Calendar

__all__ = ["Segment", "COLUMNS", "DAY_US", "segments", "epoch_us", "from_epoch_us"]

DAY_US = 86_400_000_000
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_UTC = dt.timezone.utc

# Column names and portable SQL types, in order (the DDL of the table).
COLUMNS: tuple[tuple[str, str], ...] = (
    ("calendar", "VARCHAR"),
    ("utc_day", "BIGINT"),
    ("local_day", "DATE"),
    ("from_us", "BIGINT"),
    ("to_us", "BIGINT"),
    ("is_open", "BOOLEAN"),
    ("before_us", "BIGINT"),
    ("closings_before", "BIGINT"),
    ("closing_at", "INTEGER"),
)


@dataclass(frozen=True)
class Segment:
    calendar: str
    utc_day: int
    local_day: dt.date
    from_us: int
    to_us: int
    is_open: bool
    before_us: int
    closings_before: int
    closing_at: int

    def row(self) -> tuple[str, int, dt.date, int, int, bool, int, int, int]:
        return (self.calendar, self.utc_day, self.local_day, self.from_us, self.to_us, self.is_open,
                self.before_us, self.closings_before, self.closing_at)


def epoch_us(moment: dt.datetime) -> int:
    """Microseconds since 1970-01-01 UTC of a timezone-aware datetime, exactly."""
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_epoch_us(value: int) -> dt.datetime:
    return _EPOCH + dt.timedelta(microseconds=value)


def _local_midnights(start: dt.datetime, end: dt.datetime, zone: ZoneInfo) -> list[tuple[int, dt.date]]:
    """The instants (epoch µs) at which the local date changes, from the last one at or
    before `start` to the last one before `end`, with the date that begins there."""
    day = start.astimezone(zone).date()
    out: list[tuple[int, dt.date]] = []
    while True:
        # fold=0 in a gap reads the wall time with the offset before the jump, which
        # is the jump itself: the first instant of the new date.
        moment = epoch_us(dt.datetime.combine(day, dt.time(), tzinfo=zone).astimezone(_UTC))
        if moment >= epoch_us(end):
            return out
        out.append((moment, day))
        day += dt.timedelta(days=1)


def segments(calendar: Calendar, start: dt.datetime, end: dt.datetime) -> list[Segment]:
    """The segments tiling [start, end) for `calendar`; `start` and `end` are aware and
    are widened to whole UTC days so every instant of those days finds its segment."""
    first_day = epoch_us(start) // DAY_US
    last_day = -(-epoch_us(end) // DAY_US)  # ceiling: the day holding `end` is whole
    lo, hi = from_epoch_us(first_day * DAY_US), from_epoch_us(last_day * DAY_US)
    zone = ZoneInfo(calendar.timezone)
    midnights = _local_midnights(lo, hi, zone)
    cuts = {first_day * DAY_US, last_day * DAY_US}
    cuts.update(day * DAY_US for day in range(first_day + 1, last_day))
    cuts.update(m for m, _ in midnights if m > first_day * DAY_US)
    opens: list[tuple[int, int]] = []
    for opening, closing in open_periods(lo, hi, calendar):
        span = (epoch_us(opening), epoch_us(closing))
        opens.append(span)
        cuts.update(span)
    # Every closing ends an open period, so it is already a cut.
    shut = {epoch_us(c) for c in closings(lo, hi, calendar)}
    bounds = sorted(cuts)
    out: list[Segment] = []
    before = 0
    passed = 0  # closings before the segment
    k = 0  # index into opens: the first open period not yet passed
    m = 0  # index into midnights: the local date in force
    for a, b in zip(bounds, bounds[1:]):
        while k < len(opens) and opens[k][1] <= a:
            k += 1
        while m + 1 < len(midnights) and midnights[m + 1][0] <= a:
            m += 1
        is_open = k < len(opens) and opens[k][0] <= a < opens[k][1]
        at = 1 if a in shut else 0
        out.append(Segment(calendar.id, a // DAY_US, midnights[m][1], a, b, is_open, before, passed, at))
        passed += at
        if is_open:
            before += b - a
    return out
