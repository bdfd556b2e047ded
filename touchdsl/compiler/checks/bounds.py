"""Bounds on every number the language accepts (TD415 range, TD416 precision).

The limits lie far beyond what a real organisation writes, and make sure that no
value a user can write overflows a target, silently changes on its way into a
floating-point number (`99.99999999999999999999%` is 100% once it is a float), or
makes a target write a giant file (a score scale lists every answer in its queries).
Each message says the limit.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from touchdsl.language import ast

if TYPE_CHECKING:
    from touchdsl.compiler.checks.context import Context

DAY = 86_400
MAX_DURATION_DAYS = 3650  # ten years: no promise, window, period or update interval is longer
MAX_COUNT = 10**12  # a count limit per period
MAX_SCALE_END = 1000  # the ends of a score scale lie within -1000..1000
MAX_SCALE_ANSWERS = 101  # whole answers on a scale (0..100 is the widest in use)
MAX_DECIMALS = 6  # digits after the point of a number or a percentage (99.9999% has four)
FIRST_DATE = dt.date(1970, 1, 1)  # monitoring counts time from 1970
LAST_DATE = dt.date(2199, 12, 31)


def _decimals(text: str) -> int:
    digits = text.rstrip("%")
    return len(digits.split(".", 1)[1]) if "." in digits else 0


def precise_enough(ctx: Context, lit: ast.Number | ast.Percent, what: str) -> bool:
    if _decimals(lit.text) <= MAX_DECIMALS:
        return True
    ctx.sink.error("TD416", f"{what} `{lit.text}` has more than {MAX_DECIMALS} digits after the point", lit.span,
                   help=[f"numbers and percentages have at most {MAX_DECIMALS} decimals: more would be rounded "
                         "and no longer mean what was written"])
    return False


def duration(ctx: Context, d: ast.DurationLit, what: str) -> bool:
    if d.seconds <= MAX_DURATION_DAYS * DAY:
        return True
    ctx.sink.error("TD415", f"{what} `{d.text}` is longer than {MAX_DURATION_DAYS}d (ten years)", d.span,
                   help=[f"durations are at most {MAX_DURATION_DAYS}d; a longer one is most likely a typo"])
    return False


def business_days(ctx: Context, lit: ast.BusinessDaysLit, days: int) -> bool:
    """`N business days` (or weeks, `days` counted) within MAX_DURATION_DAYS."""
    if days <= MAX_DURATION_DAYS:
        return True
    ctx.sink.error("TD415", f"`{lit.text}` is more than {MAX_DURATION_DAYS} business days", lit.span,
                   help=[f"business days are at most {MAX_DURATION_DAYS}; a longer limit is most likely a typo"])
    return False


def objective(ctx: Context, kind: str, o: ast.ObjectiveLit) -> bool:
    """The numbers of one objective: precise enough, and a count limit below MAX_COUNT."""
    ok = True
    if o.percent is not None:
        ok = precise_enough(ctx, o.percent, "the percentage") and ok
    if o.number is not None:
        ok = precise_enough(ctx, o.number, "the number") and ok
        if kind == "count" and o.number.value > MAX_COUNT:
            ctx.sink.error("TD415", f"the count limit `{o.number.text}` is over {MAX_COUNT:,}", o.number.span,
                           help=[f"a count limit is at most {MAX_COUNT:,} per period; count per a shorter "
                                 "period instead"])
            ok = False
    return ok


def scale(ctx: Context, measure: ast.ScoreMeasure) -> bool:
    """A score scale: ends within ±MAX_SCALE_END, at most MAX_SCALE_ANSWERS whole answers."""
    low, high = measure.low, measure.high
    ok = precise_enough(ctx, low, "the low end") and precise_enough(ctx, high, "the high end")
    for end in (low, high):
        if ok and abs(end.value) > MAX_SCALE_END:
            ctx.sink.error("TD415", f"the scale end `{end.text}` lies outside -{MAX_SCALE_END}..{MAX_SCALE_END}",
                           end.span, help=["survey scales are small: 1..5, 1..7, 0..10, at most 0..100"])
            ok = False
    if ok and high.value - low.value >= MAX_SCALE_ANSWERS:
        ctx.sink.error("TD415", f"the scale {low.text}..{high.text} has more than {MAX_SCALE_ANSWERS} answers",
                       low.span, help=[f"a scale has at most {MAX_SCALE_ANSWERS} whole answers (0..100); "
                                       "every answer is counted in the monitoring queries"])
        ok = False
    return ok


def date(ctx: Context, written: ast.Name, day: dt.date) -> bool:
    if FIRST_DATE <= day <= LAST_DATE:
        return True
    ctx.sink.error("TD415", f"the date `{written.value}` lies outside {FIRST_DATE}..{LAST_DATE}", written.span,
                   help=["monitoring counts time from 1970; a date this far off is most likely a typo"])
    return False
