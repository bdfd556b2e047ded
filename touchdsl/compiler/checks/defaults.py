"""Project-wide `defaults`: the window, the charter settings and the evidence alerts
need (TD305, TD307, TD310, TD420)."""

from __future__ import annotations

from touchdsl import model
from touchdsl.compiler.checks.context import (
    Context,
    close_match,
    positive_duration,
)
from touchdsl.diagnostics import Related
from touchdsl.language import ast

_CHARTER_KEYS = ("language", "title", "intro")
# More events than any window of any real touchpoint sees: a higher minimum silences every alert.
MAX_ALERT_MINIMUM = 1_000_000


def check_defaults(ctx: Context) -> model.Defaults:
    seen: dict[str, ast.Window | ast.CharterSetting | ast.AlertMinimum] = {}
    window = model.Defaults().window
    minimum = model.ALERT_MINIMUM
    charter: dict[str, str] = {}
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
                                   "charter settings are language, title and intro"])
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
    return model.Defaults(window=window, charter=model.CharterSettings(**charter), alert_minimum=minimum)


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
