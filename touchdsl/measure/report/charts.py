"""The report's charts: Vega-Lite specifications drawn to inline SVG by `vl-convert`.

Why Vega-Lite through `vl-convert-python` (docs/measure.md, "The report", has the
figures): it writes text as SVG `<text>`, so the browser shapes Hebrew and applies the
bidirectional algorithm (matplotlib's SVG backend draws glyphs as paths in its own
left-to-right layout, or leaves text to fonts it measured without Hebrew); it needs no
numpy (importing matplotlib costs ~0.4 s before the first chart); and a chart is a
small declarative document, built here as plain data (altair would only wrap the same
dictionaries). `vl-convert` embeds the Vega libraries in its wheel and is told to load
nothing: no network, no CDN.

What the SVG receives is fixed so the same measurement gives the same bytes: ids Vega
numbers per process (`clip1`, `clip2`, …) are renamed after the chart, and nothing
carries a date. Charts hold numbers and dates only; the words around them (titles,
axis names, the legend) are HTML, escaped by the template, except each chart's
`<title>` and `<desc>` for screen readers, escaped here. The full figures are in a
table beside every chart (its text alternative).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

__all__ = ["Point", "Series", "Bar", "Chart", "trend", "distribution", "svg"]

WIDTH, HEIGHT = 520, 180
INK, MUTED, GRID = "#1d2733", "#5a6573", "#e3e7eb"
PROMISE, TARGET = "#0b6e63", "#8a5a00"
KEPT, MISSED = "#2e7d32", "#c62828"
FONT = "DejaVu Sans, Noto Sans, Arial, sans-serif"


@dataclass(frozen=True)
class Point:
    """One period of a trend: its label on the axis, the figure (None: no data), kept or not."""

    label: str
    value: float | None
    missed: bool


@dataclass(frozen=True)
class Bar:
    """One bin of a distribution, in the chart's unit: (low, high] and the cases in it."""

    low: float
    high: float
    cases: int


@dataclass(frozen=True)
class Chart:
    """A chart ready to be placed in the page: its SVG and the id its parts are named after."""

    id: str
    svg: Markup


def _config() -> dict[str, Any]:
    axis = {"labelFont": FONT, "labelFontSize": 11, "labelColor": MUTED, "titleFont": FONT,
            "domainColor": MUTED, "tickColor": MUTED, "gridColor": GRID}
    return {"view": {"stroke": None}, "axis": axis, "aria": False, "font": FONT}


def _rules(orient: str, promise: float | None, target: float | None) -> list[dict[str, Any]]:
    """The promise (solid) and the target (dashed) as lines across the chart."""
    layers = []
    for value, color, dash in ((target, TARGET, [6, 4]), (promise, PROMISE, [])):
        if value is None:
            continue
        layers.append({"data": {"values": [{"v": value}]},
                       "mark": {"type": "rule", "color": color, "strokeWidth": 2, "strokeDash": dash},
                       "encoding": {orient: {"field": "v", "type": "quantitative"}}})
    return layers


@dataclass(frozen=True)
class Series:
    """One figure over the periods (the promise's, or the target's when it is measured
    differently), drawn in the colour of its objective's line."""

    points: list[Point]
    target: bool


def trend(labels: list[str], series: list[Series], promise: float | None, target: float | None,
          domain: tuple[float, float]) -> dict[str, Any]:
    """The figure of each period against the promise (solid) and the target (dashed): a
    line per figure, the promise's with a dot per period (green kept, red missed)."""
    x = {"field": "label", "type": "ordinal", "sort": None, "scale": {"domain": labels},
         "axis": {"title": None, "labelAngle": 0 if len(labels) <= 8 else -45, "labelOverlap": "parity",
                  "grid": False}}
    y = {"field": "value", "type": "quantitative", "scale": {"domain": list(domain), "nice": False},
         "axis": {"title": None, "tickCount": 5}}
    layers: list[dict[str, Any]] = []
    for line in series:
        values = [{"label": p.label, "value": p.value, "missed": p.missed} for p in line.points if p.value is not None]
        color, dash = (TARGET, [5, 3]) if line.target else (INK, [])
        drawn: list[dict[str, Any]] = [
            {"mark": {"type": "line", "color": color, "strokeWidth": 1.5, "strokeDash": dash},
             "encoding": {"x": x, "y": y}}]
        if line.target:
            drawn.append({"mark": {"type": "point", "filled": False, "size": 40, "color": TARGET},
                          "encoding": {"x": x, "y": y}})
        else:
            drawn.append({"mark": {"type": "point", "filled": True, "size": 55, "opacity": 1},
                          "encoding": {"x": x, "y": y,
                                       "color": {"field": "missed", "type": "nominal", "legend": None,
                                                 "scale": {"domain": [False, True], "range": [KEPT, MISSED]}},
                                       "shape": {"field": "missed", "type": "nominal", "legend": None,
                                                 "scale": {"domain": [False, True],
                                                           "range": ["circle", "diamond"]}}}})
        layers.append({"data": {"values": values}, "layer": drawn})
    return {"width": WIDTH, "height": HEIGHT, "background": "white", "config": _config(),
            "layer": [*_rules("y", promise, target), *layers]}


def distribution(bars: list[Bar], promise: float | None, target: float | None) -> dict[str, Any]:
    """How many cases took how long (bars), with the promise's and the target's limits."""
    top = max([b.high for b in bars] + [v for v in (promise, target) if v is not None] + [1.0])
    values = [{"low": b.low, "high": b.high, "cases": b.cases} for b in bars]
    x = {"field": "low", "type": "quantitative", "scale": {"domain": [0, top], "nice": False},
         "axis": {"title": None, "tickCount": 8, "grid": False}}
    layers = [{"data": {"values": values}, "mark": {"type": "bar", "color": "#9fb3c8", "stroke": "white",
                                                    "strokeWidth": 0.5},
               "encoding": {"x": x, "x2": {"field": "high"},
                            "y": {"field": "cases", "type": "quantitative",
                                  "axis": {"title": None, "tickMinStep": 1, "tickCount": 4}},
                            "y2": {"datum": 0}}}]
    return {"width": WIDTH, "height": HEIGHT, "background": "white", "config": _config(),
            "layer": [*layers, *_rules("x", promise, target)]}


_ROOT = re.compile(r"<svg\b[^>]*>")
_SIZE = re.compile(r'\s(?:width|height)="[^"]*"')
_ID = re.compile(r'\bid="([^"]+)"')


def svg(spec: dict[str, Any], chart_id: str, title: str, description: str) -> Chart:
    """Draw `spec` to SVG for inline use in the page: sized by the page (its viewBox
    kept), ids named after `chart_id`, and a `<title>` and `<desc>` (escaped) that a
    screen reader announces for the image."""
    import vl_convert

    drawn = vl_convert.vegalite_to_svg(spec, allowed_base_urls=[])
    names = {old: f"{chart_id}-{k}" for k, old in enumerate(dict.fromkeys(_ID.findall(drawn)))}
    for old, new in names.items():
        drawn = (drawn.replace(f'id="{old}"', f'id="{new}"').replace(f"url(#{old})", f"url(#{new})")
                 .replace(f'href="#{old}"', f'href="#{new}"'))
    root = _ROOT.search(drawn)
    assert root is not None, "vl-convert returned no <svg> element"
    # The drawing is vl-convert's own markup (numbers and dates only); the only text
    # added to it is escaped by Markup.format.
    opening = Markup(_SIZE.sub("", root.group(0))[:-1]) + Markup(
        ' role="img" aria-labelledby="{id}-title {id}-desc" id="{id}">').format(id=chart_id)
    head = Markup('<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>').format(
        id=chart_id, title=title, desc=description)
    return Chart(chart_id, opening + head + Markup(drawn[root.end():]))
