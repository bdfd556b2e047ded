"""The `grafana` target: a dashboard per journey and per accountable owner.

`DIR/grafana/<journey>.json` shows the touchpoints of a journey,
`DIR/grafana/<owner>.json` those an owner is accountable for (an owner whose id
is also a journey's gets `owner-<id>.json`). Each is an importable dashboard of
the current JSON model with a `${datasource}` Prometheus variable and a stable
`uid` derived from the id.

Per touchpoint a row: a text panel with the expectation and the accountable
owner, then per metric the indicator against the target and the promise (two
threshold lines), and for shares of good events the error budget remaining and
the current burn rate; score averages, NPS and counts, which have no error
budget, show the margin to the target and the last day's value instead.

Every query reads only series the `prometheus` target records (names from
`naming`, checked against the rules it plans), so the dashboards and the rules
cannot drift apart. Dashboards are hand-assembled dicts held to a strict
structural schema by the tests. grafana-foundation-sdk was weighed: its PyPI
releases carry epochs (`1769699998!10.1.0` sorts above `1769699379!11.6.0`), so
an unpinned install resolves to the Grafana 10.1 build and an exact pin must
change with every release; the model it would produce is no more checked than
this one.

User text reaches panels as JSON strings; in the Markdown text panel it is
escaped for Markdown, HTML and Grafana's `$variable` interpolation.
"""

from __future__ import annotations

from typing import Any

import hashlib
import json
from urllib.parse import quote

from collections.abc import Callable

from touchdsl.documents import escape
from touchdsl.model import (
    CountMetric,
    Project,
    ScoreMetric,
    Touchpoint,
    counting_period,
    metric_key,
    objective_value,
    unknown_kind,
)
from touchdsl.slo import burnrate, naming
from touchdsl.slo.contract import label_matchers, number
from touchdsl.slo.rules import (
    MetricRules,
    good_fraction,
    objective_words,
    plan,
    policy_link,
    promise_words,
    selector,
    title_of,
)
from touchdsl.targets import BuildOptions

# Grafana 11's dashboard JSON model.
SCHEMA_VERSION = 39
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
UID_MAX = 40  # Grafana refuses longer dashboard uids
# The burn rate shown is the one the fast page alert reads first.
BURN_WINDOW = burnrate.POLICIES[0].long_window
FULL_WIDTH = 24
HEADER_HEIGHT = 4
PANEL_HEIGHT = 8


def render(project: Project, options: BuildOptions) -> dict[str, bytes]:
    rules_of = {(r.touchpoint.id, metric_key(r.metric)): r for r in plan(project, options)}
    out: dict[str, bytes] = {}
    for journey in project.journeys.values():
        touchpoints = project.touchpoints_in(journey.id)
        if touchpoints:
            out[f"grafana/{journey.id}.json"] = _encode(dashboard(
                project, options, rules_of, uid("journey", journey.id), journey.title,
                journey.note or f"Touchpoints of the journey {journey.title}", touchpoints, "journey"))
    for owner in project.owners.values():
        touchpoints = project.touchpoints_of(owner.id)
        if touchpoints:
            stem = f"owner-{owner.id}" if owner.id in project.journeys else owner.id
            out[f"grafana/{stem}.json"] = _encode(dashboard(
                project, options, rules_of, uid("owner", owner.id), owner.title,
                f"Touchpoints {owner.title} is accountable for", touchpoints, "owner"))
    return dict(sorted(out.items()))


def uid(kind: str, ident: str) -> str:
    """`touchdsl-<kind>-<id>`, shortened with a hash of the id past Grafana's 40 characters."""
    plain = f"touchdsl-{kind}-{ident}"
    if len(plain) <= UID_MAX:
        return plain
    digest = hashlib.sha256(f"{kind}:{ident}".encode("utf-8")).hexdigest()[:10]
    return f"{plain[: UID_MAX - len(digest) - 1]}-{digest}"


def _encode(data: dict[str, Any]) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def dashboard(project: Project, options: BuildOptions, rules_of: dict[tuple[str, str], MetricRules], dash_uid: str,
              title: str, description: str, touchpoints: list[Touchpoint], kind: str) -> dict[str, Any]:
    panels: list[dict[str, Any]] = []
    layout = _Layout()
    for touchpoint in touchpoints:
        panels.append({
            "type": "row", "title": plain_title(touchpoint.title), "collapsed": False,
            "gridPos": layout.place(FULL_WIDTH, 1), "id": layout.next_id(), "panels": [],
        })
        panels.append(_header(project, options, touchpoint, layout))
        for metric in touchpoint.metrics:
            panels.extend(_metric_panels(options, rules_of[(touchpoint.id, metric_key(metric))], layout))
    return {
        "annotations": {"list": [{
            "builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"},
            "enable": True, "hide": True, "iconColor": "rgba(0, 211, 255, 1)",
            "name": "Annotations & Alerts", "type": "dashboard",
        }]},
        "description": " ".join(description.split()),
        "editable": True,
        "fiscalYearStartMonth": 0,
        "graphTooltip": 1,
        "id": None,
        "links": [],
        "panels": panels,
        "refresh": "1m",
        "schemaVersion": SCHEMA_VERSION,
        "tags": ["touchdsl", kind],
        "templating": {"list": [{
            "name": "datasource", "label": "Data source", "type": "datasource",
            "query": "prometheus", "current": {}, "hide": 0, "includeAll": False,
            "multi": False, "options": [], "refresh": 1, "regex": "", "skipUrlSync": False,
        }]},
        "time": {"from": "now-7d", "to": "now"},
        "timepicker": {},
        "timezone": "browser",
        "title": title,
        "uid": dash_uid,
        "version": 1,
        "weekStart": "",
    }


class _Layout:
    """Panels flow left to right in rows of 24 units; ids count up from 1."""

    def __init__(self) -> None:
        self.x = self.y = self.row_height = 0
        self.ids = 0

    def next_id(self) -> int:
        self.ids += 1
        return self.ids

    def place(self, width: int, height: int) -> dict[str, Any]:
        if self.x + width > FULL_WIDTH:
            self.x, self.y, self.row_height = 0, self.y + self.row_height, 0
        pos = {"h": height, "w": width, "x": self.x, "y": self.y}
        self.x += width
        self.row_height = max(self.row_height, height)
        return pos


def md_text(text: str) -> str:
    """User text as literal Markdown on one line in a text panel. Grafana's Markdown
    panel renders HTML, so `<`, `>` and `&` become entities; `$` becomes an entity
    too, because Grafana interpolates `$variable` in text panels before rendering them."""
    return escape.md_text(text, line_start=False, entities="<>&$")


def plain_title(text: str) -> str:
    """A row or panel title shown as written. Grafana interpolates `$name`,
    `${name}` and the deprecated `[[name]]` in titles (`${__user.login}` would
    print the viewer's login), so a zero-width space breaks each of them; the
    text reads the same. Runs of whitespace become one space, as Grafana draws
    titles on one line."""
    flat = " ".join(text.split())
    return flat.replace("$", "$\u200b").replace("[[", "[\u200b[")


def _header(project: Project, options: BuildOptions, touchpoint: Touchpoint, layout: _Layout) -> dict[str, Any]:
    owner = project.owners[touchpoint.owner]
    lines = [f"**Expectation:** {md_text(touchpoint.expectation)}", ""]
    accountable = f"**Accountable owner:** {md_text(owner.title)} (`{owner.id}`)"
    if owner.manager:
        accountable += f", manager {md_text(owner.manager.name)}"
    lines += [accountable, ""]
    if touchpoint.channels:
        lines += [f"**Channels:** {', '.join(touchpoint.channels)}", ""]
    # The policy page's section of this touchpoint; quoted so a base URL with
    # spaces or brackets cannot end the Markdown link early.
    policy = quote(f"{options.policy_url.rstrip('/')}/{owner.id}.html#touchpoint-{touchpoint.id}",
                   safe="/:#.-_~")
    lines.append(f"[SLA policy]({policy})")
    return {
        "type": "text", "title": "", "id": layout.next_id(),
        "gridPos": layout.place(FULL_WIDTH, HEADER_HEIGHT),
        "options": {"mode": "markdown", "content": "\n".join(lines),
                    "code": {"language": "plaintext", "showLineNumbers": False, "showMiniMap": False}},
    }


def _selector(rules: MetricRules) -> str:
    return selector(rules.labels)


def _recorded(rules: MetricRules, name: str) -> str:
    """A series of this metric's rules; anything else is a bug that would show an empty panel."""
    if name not in {record for record, _ in rules.recordings}:
        raise AssertionError(f"{name} is not recorded for {rules.group}")
    return name


def _target(ref: str, expr: str, legend: str, instant: bool = False) -> dict[str, Any]:
    return {"datasource": DATASOURCE, "expr": expr, "legendFormat": legend, "range": not instant,
            "instant": instant, "refId": ref}


def _steps(higher_is_better: bool, target: float, promise: float | None, base: str = "red") -> list[dict[str, Any]]:
    """Two threshold lines: the promise (orange) and the stricter internal target (green);
    the target alone for an internal metric (no promise)."""
    if promise is None:
        if higher_is_better:
            return [{"color": base, "value": None}, {"color": "green", "value": target}]
        return [{"color": "green", "value": None}, {"color": "red", "value": target}]
    if higher_is_better:
        return [{"color": base, "value": None}, {"color": "orange", "value": promise},
                {"color": "green", "value": target}]
    return [{"color": "green", "value": None}, {"color": "orange", "value": target},
            {"color": "red", "value": promise}]


def _timeseries(layout: _Layout, title: str, description: str, targets: list[dict[str, Any]],
                steps: list[dict[str, Any]], unit: str, links: list[dict[str, Any]], minimum: float | None = None,
                maximum: float | None = None) -> dict[str, Any]:
    defaults: dict[str, Any] = {
        "color": {"mode": "palette-classic"},
        "custom": {"drawStyle": "line", "lineWidth": 2, "fillOpacity": 0, "showPoints": "never",
                   "spanNulls": False, "thresholdsStyle": {"mode": "dashed"}},
        "thresholds": {"mode": "absolute", "steps": steps},
        "unit": unit,
    }
    if minimum is not None:
        defaults["min"] = minimum
    if maximum is not None:
        defaults["max"] = maximum
    return {
        "type": "timeseries", "title": title, "description": description, "id": layout.next_id(),
        "gridPos": layout.place(12, PANEL_HEIGHT), "datasource": DATASOURCE,
        "fieldConfig": {"defaults": defaults, "overrides": []},
        "options": {"legend": {"displayMode": "list", "placement": "bottom", "showLegend": True, "calcs": []},
                    "tooltip": {"mode": "multi", "sort": "none"}},
        "targets": targets, "links": links,
    }


def _stat(layout: _Layout, title: str, description: str, target: dict[str, Any], steps: list[dict[str, Any]],
          unit: str, width: int = 6) -> dict[str, Any]:
    return {
        "type": "stat", "title": title, "description": description, "id": layout.next_id(),
        "gridPos": layout.place(width, PANEL_HEIGHT), "datasource": DATASOURCE,
        "fieldConfig": {"defaults": {"color": {"mode": "thresholds"}, "unit": unit, "decimals": 2,
                                     "thresholds": {"mode": "absolute", "steps": steps}},
                        "overrides": []},
        "options": {"colorMode": "background", "graphMode": "area", "justifyMode": "auto",
                    "orientation": "auto", "textMode": "auto", "wideLayout": True,
                    "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False}},
        "targets": [target],
    }


def _metric_panels(options: BuildOptions, rules: MetricRules, layout: _Layout) -> list[dict[str, Any]]:
    touchpoint, metric = rules.touchpoint, rules.metric
    sel = _selector(rules)
    own = naming.window(metric.window)
    links = [{"title": "SLA policy", "url": policy_link(options, touchpoint, metric), "targetBlank": True}]
    words = (f"Target: {objective_words(metric, metric.target)}; promise: "
             f"{promise_words(metric)}; over a rolling {metric.window.text}.")
    kind = rules.contract.kind
    recent = naming.RISK_WINDOW
    indicator: Callable[[str], str]
    minimum: float | None
    match kind:
        case "ratio-like":
            return _share_panels(rules, layout, sel, own, links, words)
        case "count":
            per = counting_period(metric)
            assert isinstance(metric, CountMetric) and per is not None
            shown = naming.window(per)
            indicator = naming.count_per_period
            unit, minimum, maximum, higher = "none", 0, None, False
            legends = (f"{metric.event} per {per.text}", f"at the pace of the last {recent}")
        case "average":
            assert isinstance(metric, ScoreMetric)
            shown, indicator = own, naming.score_average
            unit, minimum, maximum, higher = "none", metric.low, metric.high, True
            legends = (f"average over {own}", f"average over the last {recent}")
        case "nps":
            shown, indicator = own, naming.nps
            unit, minimum, maximum, higher = "none", -100, 100, True
            legends = (f"NPS over {own}", f"NPS over the last {recent}")
        case _:
            unknown_kind(kind)
    current = f"{_recorded(rules, indicator(shown))}{sel}"
    latest = f"{_recorded(rules, indicator(recent))}{sel}"
    objective = f"{_recorded(rules, naming.OBJECTIVE_VALUE)}{sel}"
    steps = _steps(higher, objective_value(metric.target),
                   objective_value(metric.promise) if metric.promise is not None else None)
    margin = (f"{current} - on(touchpoint, metric) {objective}" if higher
              else f"{objective} - on(touchpoint, metric) {current}")
    return [
        _timeseries(layout, plain_title(title_of(touchpoint, metric)), words,
                    [_target("A", current, legends[0]), _target("B", latest, legends[1])],
                    steps, unit, links, minimum, maximum),
        _stat(layout, "Margin to target", "How far the indicator is on the good side of the target "
              "(negative: the target is missed).", _target("A", margin, "margin", instant=True),
              [{"color": "red", "value": None}, {"color": "green", "value": 0}], unit),
        _stat(layout, f"Last {recent}", f"The indicator over the last {recent}, the window the risk "
              "alert reads.", _target("A", latest, legends[1], instant=True), steps, unit),
    ]


def _share_panels(rules: MetricRules, layout: _Layout, sel: str, own: str, links: list[dict[str, Any]],
                  words: str) -> list[dict[str, Any]]:
    metric = rules.metric
    target = float(good_fraction(metric.target))
    promise = float(good_fraction(metric.promise)) if metric.promise is not None else None
    good = [_target("A", f"1 - {_recorded(rules, naming.sli_error(own))}{sel}", f"good events over {own}"),
            _target("B", f"1 - {_recorded(rules, naming.sli_error(BURN_WINDOW))}{sel}",
                    f"good events over the last {BURN_WINDOW}")]
    panels = [
        _timeseries(layout, plain_title(title_of(rules.touchpoint, metric)), words, good, _steps(True, target, promise),
                    "percentunit", links,
                    maximum=1),
    ]
    budget = 1 - good_fraction(metric.target)
    width = 6 if budget > 0 else 12
    panels.append(_stat(
        layout, "Error budget remaining",
        f"Share of the error budget ({number(float(budget * 100))}% of events) left over the rolling {own}.",
        _target("A", f"{_recorded(rules, naming.BUDGET_REMAINING)}{sel}", "remaining", instant=True),
        [{"color": "red", "value": None}, {"color": "orange", "value": 0}, {"color": "green", "value": 0.25}],
        "percentunit", width))
    if budget > 0:  # a 100% target has no budget to burn: any bad event spends it all
        burn = (f"{_recorded(rules, naming.sli_error(BURN_WINDOW))}{sel}\n/ on(touchpoint, metric)\n"
                f"{_recorded(rules, naming.ERROR_BUDGET)}{sel}")
        page = float(burnrate.burn_factor(burnrate.POLICIES[0].budget_fraction, own, BURN_WINDOW))
        steps: list[dict[str, Any]] = [{"color": "green", "value": None}, {"color": "orange", "value": 1}]
        if page > 1:
            steps.append({"color": "red", "value": round(page, 4)})
        panels.append(_stat(
            layout, f"Burn rate ({BURN_WINDOW})",
            f"How many times faster than sustainable the budget burns over the last {BURN_WINDOW}; "
            "1 spends exactly the budget by the end of the window.",
            _target("A", burn, "burn rate", instant=True), steps, "none"))
    return panels
