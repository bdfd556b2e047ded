"""Project-wide `defaults`: the window, the charter settings and the evidence alerts
need (TD305, TD307, TD310, TD420, TD503)."""

from __future__ import annotations

import datetime as dt

from touchdsl import model
from touchdsl.compiler.checks import bounds
from touchdsl.compiler.checks.context import (
    Context,
    close_match,
    positive_duration,
)
from touchdsl.diagnostics import Related
from touchdsl.language import ast

_CHARTER_KEYS = ("language", "title", "intro", "version", "effective")
# Settings whose value is a date (written bare: `charter effective 2026-01-01`); the others are texts.
_DATE_KEYS = ("effective",)
# More events than any window of any real touchpoint sees: a higher minimum silences every alert.
MAX_ALERT_MINIMUM = 1_000_000


def check_defaults(ctx: Context) -> model.Defaults:
    seen: dict[str, ast.Window | ast.CharterSetting | ast.AlertMinimum] = {}
    window = model.Defaults().window
    minimum = model.ALERT_MINIMUM
    charter: dict[str, str | dt.date] = {}
    for decl in ctx.decls.defaults:
        for item in decl.items:
            if isinstance(item, ast.Window):
                key = "window"
            elif isinstance(item, ast.AlertMinimum):
                key = "alerts need"
            else:
                key = f"charter {item.key.value}"
            if key in seen:
                ctx.sink.error("TD305", f"`{key}` is set more than once in `defaults`", item.span,
                               help=["a project has one value for each default; keep one"],
                               related=[Related(seen[key].span, "first set here")])
                continue
            seen[key] = item
            if isinstance(item, ast.Window):
                window = positive_duration(ctx, item.duration, "the default window") or window
                continue
            if isinstance(item, ast.AlertMinimum):
                minimum = _alert_minimum(ctx, item) or minimum
                continue
            if item.key.value not in _CHARTER_KEYS:
                ctx.sink.error("TD307", f"unknown charter setting `{item.key.value}`", item.key.span,
                               help=close_match(item.key.value, _CHARTER_KEYS) + [
                                   "charter settings are language, title, intro, version and effective"])
                continue
            key = item.key.value
            if key in _DATE_KEYS:
                if isinstance(item.value, ast.Text):
                    ctx.sink.error("TD307", f"`charter {key}` takes a date without quotes", item.value.span,
                                   help=[f"write `charter {key} {item.value.value.strip() or '2026-01-01'}`"
                                         if _is_date(item.value.value.strip()) else
                                         f"write the date as YYYY-MM-DD: `charter {key} 2026-01-01`"])
                    continue
                day = _date(ctx, item.value)
                if day is not None:
                    charter[key] = day
                continue
            if isinstance(item.value, ast.Name):
                ctx.sink.error("TD307", f"`charter {key}` takes a quoted text, not a date", item.value.span,
                               help=[f'write `charter {key} "{item.value.value}"`'])
                continue
            if item.key.value == "language" and item.value.value not in ("he", "en"):
                ctx.sink.error("TD307", f"charter language \"{item.value.value}\" is not supported",
                               item.value.span, help=['use "he" (Hebrew) or "en" (English)'])
                continue
            if not item.value.value.strip():
                ctx.sink.error("TD310", f"`charter {item.key.value}` is empty", item.value.span,
                               help=[f"write the {item.key.value}, or leave the setting out"])
                continue
            charter[item.key.value] = item.value.value
    return model.Defaults(window=window, charter=model.CharterSettings.model_validate(charter),
                          alert_minimum=minimum)


def _is_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def _date(ctx: Context, written: ast.Name) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(written.value)
    except ValueError:
        ctx.sink.error("TD503", f"`{written.value}` is not a date", written.span,
                       help=["dates are YYYY-MM-DD and must exist"])
        return None
    return day if bounds.date(ctx, written, day) else None


def _alert_minimum(ctx: Context, item: ast.AlertMinimum) -> int | None:
    """`alerts need N events`: a whole number of events from 1 to MAX_ALERT_MINIMUM."""
    count = item.count
    if count.value.is_integer() and 1 <= count.value <= MAX_ALERT_MINIMUM:
        return int(count.value)
    ctx.sink.error("TD420", f"`alerts need {count.text} events`: the evidence must be a whole number of events "
                            f"from 1 to {MAX_ALERT_MINIMUM:,}", count.span,
                   help=[f"write how many cases, answers or events an alert needs in its window, e.g. "
                         f"`alerts need {model.ALERT_MINIMUM} events`; 1 alerts on the very first one"])
    return None
