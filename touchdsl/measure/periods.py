"""The periods a measurement reports: which stretch of time, cut into which pieces.

Every period is half-open, [start, end), in epoch microseconds. The run's "now" is
`as_of` (inclusive), so a period reaching it ends one microsecond after it (and is
shown as ending at the as-of moment). By default
each item gets one period, its own window ending now; `--last`, `--from`/`--to`
choose another stretch for all, and `--every week|month` cuts it at the local starts
of weeks (Monday) or months in the zone of the run; `--every window` cuts it into
consecutive windows of each item's own length counted back from the end, so the last
period is the item's default period (the oldest one may be shorter).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

from touchdsl.measure.calendar_table import epoch_us, from_epoch_us

__all__ = ["Every", "Span", "periods", "parse_moment"]

Every = Literal["week", "month", "window"]


@dataclass(frozen=True)
class Span:
    """How the user chose the stretch of time (all optional)."""

    last_seconds: float | None = None
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    every: Every | None = None


def parse_moment(option: str, value: dt.datetime | dt.date | str, zone: ZoneInfo) -> dt.datetime:
    """A moment given by the user: an aware datetime as it is; a naive one, or a date
    (its local midnight), in `zone`; text in ISO 8601 (`2026-09-01`,
    `2026-09-01T08:00`, `2026-09-01T08:00:00+03:00`)."""
    from touchdsl.measure.errors import MeasureError

    if isinstance(value, str):
        text = value.strip()
        try:
            parsed: dt.datetime | dt.date = (dt.date.fromisoformat(text) if len(text) == 10
                                             else dt.datetime.fromisoformat(text.replace("Z", "+00:00")))
        except ValueError:
            raise MeasureError(f"{option} `{value}` is not a date or time such as 2026-09-01 or "
                               "2026-09-01T08:00:00+03:00") from None
        value = parsed
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=zone)
    return value


def _cuts(start: int, end: int, every: Every, zone: ZoneInfo) -> list[int]:
    """Local week or month starts strictly inside (start, end), as epoch µs."""
    day = from_epoch_us(start).astimezone(zone).date()
    if every == "week":
        day -= dt.timedelta(days=day.weekday())
    else:
        day = day.replace(day=1)
    out: list[int] = []
    while True:
        if every == "week":
            day += dt.timedelta(days=7)
        else:
            day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        moment = epoch_us(dt.datetime.combine(day, dt.time(), tzinfo=zone))
        if moment >= end:
            return out
        if moment > start:
            out.append(moment)


def periods(window_seconds: float, as_of_us: int, span: Span, zone: ZoneInfo) -> list[tuple[int, int]]:
    """The periods of one item, oldest first, as [from, to) in epoch µs. The run's
    "now" is inclusive: a period reaching it ends at `as_of_us + 1`, and one of the
    default length L then starts at `as_of_us - L` (shown as the as-of moment and L
    before it). Empty when the chosen stretch is empty (`--from` after the as-of)."""
    cap = as_of_us + 1
    length = round((span.last_seconds if span.last_seconds is not None else window_seconds) * 1_000_000)
    if span.start is not None:
        start = epoch_us(span.start)
        if span.end is not None:
            end = epoch_us(span.end)
        elif span.last_seconds is not None:
            end = start + length
        else:
            end = cap
        end = min(end, cap)
    else:
        end = min(epoch_us(span.end), cap) if span.end is not None else cap
        start = (as_of_us if end == cap else end) - length
        # Nothing before 1970 is measured (timestamp_before_1970): a --last reaching further
        # back (100000000d) starts there, rather than before the first year a date can have.
        start = max(start, min(0, end))
    if start >= end:
        return []
    if span.every is None:
        return [(start, end)]
    if span.every == "window":
        # Counted back from the as-of moment (a period reaching it ends one µs later).
        anchor, step = (as_of_us if end == cap else end), round(window_seconds * 1_000_000)
        cuts = list(range(anchor - step, start, -step))[::-1]
    else:
        cuts = _cuts(start, end, span.every, zone)
    bounds = [start, *cuts, end]
    return list(zip(bounds, bounds[1:]))
