"""Calendars: time zone, opening hours, holiday countries and closed dates (TD309, TD5xx)."""

from __future__ import annotations

import datetime as dt
import re

from touchdsl import model
from touchdsl.compiler.checks import bounds
from touchdsl.compiler.checks.context import (
    Context,
    check_name,
    close_match,
    items_of,
    notes_and_tags,
    single,
    title_of,
)
from touchdsl.compiler.resolve import suggest
from touchdsl.diagnostics import Related
from touchdsl.language import ast


def _timezone_ok(name: str) -> bool:
    from zoneinfo import ZoneInfo

    if not name or name.startswith("/") or ".." in name:
        return False
    try:
        ZoneInfo(name)
    except (ValueError, KeyError, OSError, Exception):  # ZoneInfoNotFoundError and malformed keys
        return False
    return True


_UTC_OFFSET = re.compile(r"(?:GMT|UTC)\s*([+-])\s*(\d{1,2})(?::?00)?", re.IGNORECASE)


def _timezone_help(name: str) -> list[str]:
    from zoneinfo import available_timezones

    offset = _UTC_OFFSET.fullmatch(name.strip())
    if offset is not None:
        # An offset from UTC: the fixed-offset IANA zone is Etc/GMT with the sign
        # inverted (POSIX), which nobody guesses; the nearest spelling (`GMT+0`)
        # would silently move every clock by hours.
        hours = int(offset.group(2))
        ahead = offset.group(1) == "+"
        utc = f"UTC{offset.group(1)}{hours}"
        posix = f"Etc/GMT{'-' if ahead else '+'}{hours}" if hours else "UTC"
        place = ("better, name the place (e.g. \"Asia/Jerusalem\", \"Europe/Berlin\"): its clock follows "
                 "daylight saving time, a fixed offset does not")
        if not _timezone_ok(posix):
            return [f"{utc} is not an offset any place uses", place]
        if not hours:
            return ['write "UTC"']
        return [f"for the fixed offset {utc}, write \"{posix}\" (IANA inverts the sign: {posix} is {utc})", place]
    return suggest(name, available_timezones()) or ["use an IANA name such as Asia/Jerusalem"]


def _countries() -> set[str]:
    # The registry's codes (with aliases such as UK): the same set as
    # holidays.list_supported_countries(), without importing every country's module.
    from holidays.registry import EntityLoader

    return set(EntityLoader.get_country_codes(include_aliases=True))


def _parse_time(ctx: Context, t: ast.Name) -> int | None:
    m = re.fullmatch(r"(\d{1,2}):(\d{2})", t.value)
    if m:
        h, mi = int(m.group(1)), int(m.group(2))
        if (h < 24 and mi < 60) or (h == 24 and mi == 0):
            return h * 60 + mi
    ctx.sink.error("TD503", f"`{t.value}` is not a time of day", t.span, help=["times are HH:MM, 00:00 to 24:00"])
    return None


def _weekday(ctx: Context, n: ast.Name) -> int | None:
    if n.value in model.WEEKDAYS:
        return model.WEEKDAYS.index(n.value)
    ctx.sink.error("TD504", f"unknown weekday `{n.value}`", n.span,
                   help=close_match(n.value[:3], model.WEEKDAYS) + ["weekdays are sun mon tue wed thu fri sat"])
    return None


def check_calendar(ctx: Context, decl: ast.CalendarDecl) -> model.Calendar | None:
    check_name(ctx, decl.name, "calendar")
    title = title_of(ctx, decl.title, "calendar")
    damaged = id(decl) in ctx.decls.damaged
    tz = single(ctx, items_of(decl, ast.Timezone), "timezone")
    if tz is None and not damaged:
        ctx.sink.error("TD309", f"calendar `{decl.name.value}` has no timezone", decl.name.span,
                       help=['add `timezone "Asia/Jerusalem"` (an IANA name)'])
    elif tz is not None and not _timezone_ok(tz.value.value):
        ctx.sink.error("TD501", f"unknown timezone \"{tz.value.value}\"", tz.value.span,
                       help=_timezone_help(tz.value.value))
    hours: list[model.Hours] = []
    lines = items_of(decl, ast.HoursLine)
    if not lines and not damaged:
        ctx.sink.error("TD309", f"calendar `{decl.name.value}` has no opening hours", decl.name.span,
                       help=["add e.g. `hours sun-thu 08:00-18:00`"])
    for line in lines:
        days: list[str] = []
        for r in line.days:
            first = _weekday(ctx, r.first)
            last = _weekday(ctx, r.last) if r.last else first
            if first is None or last is None:
                continue
            i = first
            while True:  # ranges wrap around the week: fri-sun
                if model.WEEKDAYS[i] not in days:
                    days.append(model.WEEKDAYS[i])
                if i == last:
                    break
                i = (i + 1) % 7
        if _time_range(ctx, line) and days:
            hours.append(model.Hours(days=days, start=line.start.value, end=line.end.value))
    eve = [model.TimeRange(start=line.start.value, end=line.end.value)
           for line in items_of(decl, ast.EveHoursLine) if _time_range(ctx, line)]
    dated: list[tuple[dt.date, ast.Name, ast.DateHoursLine]] = []
    for date_line in items_of(decl, ast.DateHoursLine):
        days_ok = [(day, d) for d in date_line.dates if (day := _date(ctx, d)) is not None]
        if _time_range(ctx, date_line):
            dated += [(day, d, date_line) for day, d in days_ok]
    countries: list[str] = []
    for holidays in items_of(decl, ast.Holidays):
        for c in holidays.countries:
            code = c.value.upper()
            known = _countries()
            if code.split("-")[0] not in known:
                ctx.sink.error("TD502", f"unknown holiday country \"{c.value}\"", c.span,
                               help=suggest(code, known) + ["use an ISO 3166 code such as IL, GB or US"])
            elif code not in countries:
                countries.append(code)
    closed: dict[dt.date, ast.Name] = {}
    for closed_line in items_of(decl, ast.Closed):
        for d in closed_line.dates:
            day = _date(ctx, d)
            if day is not None and day not in closed:
                closed[day] = d
    for day, d, _ in dated:
        if day in closed:
            ctx.sink.error("TD506", f"{d.value} is both `closed` and given opening hours", d.span,
                           help=[f"keep the hours to open on {d.value}, or `closed` to close all day"],
                           related=[Related(closed[day].span, "closed here")])
    eve_lines = items_of(decl, ast.EveHoursLine)
    if eve_lines and not damaged:
        _eves_known(ctx, decl, eve_lines[0], countries)
    note, tags = notes_and_tags(ctx, decl)
    if ctx.sink.has_errors:
        return None
    return model.Calendar(
        id=decl.name.value, title=title, timezone=tz.value.value if tz else "UTC",
        hours=hours, eve=eve,
        dates=[model.DateHours(date=day, start=line.start.value, end=line.end.value)
               for day, _, line in sorted(dated, key=lambda entry: (entry[0], entry[2].start.value))],
        holidays=countries, closed=sorted(closed), note=note, tags=tags, location=ctx.loc(decl.name.span),
    )


def _time_range(ctx: Context, line: ast.HoursLine | ast.EveHoursLine | ast.DateHoursLine) -> bool:
    """`HH:MM-HH:MM` within one day, the start before the end (TD503)."""
    start, end = _parse_time(ctx, line.start), _parse_time(ctx, line.end)
    if start is not None and end is not None and start >= end:
        ctx.sink.error("TD503", f"opening hours {line.start.value}-{line.end.value} end before they start",
                       line.start.span, help=["hours are within one day: start before end, e.g. 08:00-18:00"])
        return False
    return start is not None and end is not None


def _date(ctx: Context, d: ast.Name) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(d.value)
    except ValueError:
        ctx.sink.error("TD503", f"`{d.value}` is not a date", d.span, help=["dates are YYYY-MM-DD and must exist"])
        return None
    return day if bounds.date(ctx, d, day) else None


def _eves_known(ctx: Context, decl: ast.CalendarDecl, line: ast.EveHoursLine, countries: list[str]) -> None:
    """`hours eve` needs a country whose eves of holidays are known (TD505, TD911)."""
    from touchdsl.clock import has_eves

    if not items_of(decl, ast.Holidays):
        ctx.sink.error("TD505", f"calendar `{decl.name.value}` has `hours eve` but no holidays", line.span,
                       help=["the eves are those of the holidays of the calendar's countries: add e.g. "
                             '`holidays "IL"`', "for a few single dates, write `hours 2026-09-20 08:00-12:00`"])
        return
    if countries and not any(has_eves(country) for country in countries):
        names = ", ".join(countries)
        ctx.sink.warning("TD911", f"no eves of holidays are known for {names}: `hours eve` changes no day", line.span,
                         help=["eves are known for IL (the day before each holiday) and for countries whose "
                               "holiday data lists half days (US, IT, TR, …)",
                               "write the dates your office closes early: `hours 2026-12-24 08:00-12:00`"])
