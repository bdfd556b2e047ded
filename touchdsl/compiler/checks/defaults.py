"""Project-wide `defaults`: the window and the charter settings (TD305, TD307, TD310, TD503)."""

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


def check_defaults(ctx: Context) -> model.Defaults:
    seen: dict[str, ast.Window | ast.CharterSetting] = {}
    window = model.Defaults().window
    charter: dict[str, str | dt.date] = {}
    for decl in ctx.decls.defaults:
        for item in decl.items:
            key = "window" if isinstance(item, ast.Window) else f"charter {item.key.value}"
            if key in seen:
                ctx.sink.error("TD305", f"`{key}` is set more than once in `defaults`", item.span,
                               help=["a project has one value for each default; keep one"],
                               related=[Related(seen[key].span, "first set here")])
                continue
            seen[key] = item
            if isinstance(item, ast.Window):
                window = positive_duration(ctx, item.duration, "the default window") or window
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
    return model.Defaults(window=window, charter=model.CharterSettings.model_validate(charter))


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
