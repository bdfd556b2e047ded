"""Project-wide `defaults`: the window and the charter settings (TD305, TD307, TD310)."""

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


def check_defaults(ctx: Context) -> model.Defaults:
    seen: dict[str, ast.Window | ast.CharterSetting] = {}
    window = model.Defaults().window
    charter: dict[str, str] = {}
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
    return model.Defaults(window=window, charter=model.CharterSettings(**charter))
