"""The `grafana` target: a dashboard per journey and per accountable owner.

`DIR/grafana/<journey>.json` shows the touchpoints of a journey,
`DIR/grafana/<owner>.json` those an owner is accountable for (an owner whose id
is also a journey's gets `owner-<id>.json`). Each is an importable dashboard of
the current JSON model with a `${datasource}` Prometheus variable and a stable
`uid` derived from the id.

Per touchpoint a row: a text panel with the expectation and the accountable
owner, then per metric the indicator against the promise and the target. A share
of good events is drawn per tier, each against its own line: the share of events
meeting the promise (orange, with the promise's dashed line) and the share
meeting the target (green, with the target's); then each tier's error budget
remaining, the promise's burn rate, and for time metrics the open cases past
the promise. Score averages, NPS and counts, which have no error budget, show
the margin to the target and the last day's value instead. A touchpoint with
`updates` shows the cases waiting longer than promised for an update.

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
from touchdsl.slo import naming, tiers
from touchdsl.slo.contract import identity as contract_identity
from touchdsl.slo.contract import label_matchers, number
from touchdsl.slo.rules import (
    MetricRules,
    UpdatesRules,
    good_fraction,
    groups,
    objective_words,
    policy_link,
    promise_words,
    recent_window,
    risk_window,
    tier_conditions,
    title_of,
)
from touchdsl.targets import BuildOptions

# Grafana 11's dashboard JSON model.
SCHEMA_VERSION = 39
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
UID_MAX = 40  # Grafana refuses longer dashboard uids
# Colours of the tiers: the promise orange, the target green (as the threshold steps).
TIER_COLOURS = {"promise": "orange", "target": "green"}
FULL_WIDTH = 24
HEADER_HEIGHT = 4
PANEL_HEIGHT = 8


def render(project: Project, options: BuildOptions) -> dict[str, bytes]:
    rules_of = {(r.touchpoint.id, metric_key(r.metric) if isinstance(r, MetricRules) else naming.UPDATES_METRIC): r
                for r in groups(project, options)}
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


def dashboard(project: Project, options: BuildOptions, rules_of: dict[tuple[str, str], MetricRules | UpdatesRules],
              dash_uid: str,
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
            chosen = rules_of[(touchpoint.id, metric_key(metric))]
            assert isinstance(chosen, MetricRules)
            panels.extend(_metric_panels(options, chosen, layout))
        if touchpoint.updates is not None:
            updates = rules_of[(touchpoint.id, naming.UPDATES_METRIC)]
            assert isinstance(updates, UpdatesRules)
            panels.append(_updates_panel(updates, layout))
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
    """The metric's recorded series (its class's, for a metric judged per class)."""
    return label_matchers(contract_identity(rules.touchpoint, rules.metric))


def _recorded(rules: MetricRules | UpdatesRules, name: str) -> str:
    """A series of this metric's rules; anything else is a bug that would show an empty panel."""
    if name not in {r.record for r in rules.recordings}:
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
    indicator: Callable[[str], str]
    minimum: float | None
    per = counting_period(metric)
    shown = naming.window(per) if per is not None else own
    recent = risk_window(shown)
    match kind:
        case "ratio-like":
            return _share_panels(rules, layout, sel, own, links, words)
        case "count":
            assert isinstance(metric, CountMetric)
            indicator = naming.count_per_period
            unit, minimum, maximum, higher = "none", 0, None, False
            legends = (f"{metric.event} per {metric.per.text}", f"at the pace of the last {recent}")
        case "average":
            assert isinstance(metric, ScoreMetric)
            indicator = naming.score_average
            unit, minimum, maximum, higher = "none", metric.low, metric.high, True
            legends = (f"average over {own}", f"average over the last {recent}")
        case "nps":
            indicator = naming.nps
            unit, minimum, maximum, higher = "none", -100, 100, True
            legends = (f"NPS over {own}", f"NPS over the last {recent}")
        case _:
            unknown_kind(kind)
    current = f"{_recorded(rules, indicator(shown))}{sel}"
    objective = f"{_recorded(rules, naming.OBJECTIVE_VALUE)}{sel}"
    steps = _steps(higher, objective_value(metric.target),
                   objective_value(metric.promise) if metric.promise is not None else None)
    margin = (f"{current} - on(touchpoint, metric) {objective}" if higher
              else f"{objective} - on(touchpoint, metric) {current}")
    queries = [_target("A", current, legends[0])]
    latest = f"{_recorded(rules, indicator(recent))}{sel}" if recent is not None else None
    if latest is not None:
        queries.append(_target("B", latest, legends[1]))
    panels = [
        _timeseries(layout, plain_title(title_of(touchpoint, metric)), words, queries, steps, unit, links, minimum, maximum),
        _stat(layout, "Margin to target", "How far the indicator is on the good side of the target "
              "(negative: the target is missed).", _target("A", margin, "margin", instant=True),
              [{"color": "red", "value": None}, {"color": "green", "value": 0}], unit),
    ]
    if latest is not None:
        panels.append(_stat(layout, f"Last {recent}", f"The indicator over the last {recent}, the window the "
                            "risk alert reads.", _target("A", latest, legends[1], instant=True), steps, unit))
    return panels


def _tier(rules: MetricRules, tier: str) -> str:
    """One tier's recorded series of the metric (of its class, for a metric judged per class)."""
    return label_matchers({**contract_identity(rules.touchpoint, rules.metric), tiers.LABEL: tier})


def _colour(ref: str, colour: str) -> dict[str, Any]:
    """A field override giving the query `ref` a fixed colour."""
    return {"matcher": {"id": "byFrameRefID", "options": ref},
            "properties": [{"id": "color", "value": {"mode": "fixed", "fixedColor": colour}}]}


def _share_panels(rules: MetricRules, layout: _Layout, sel: str, own: str, links: list[dict[str, Any]],
                  words: str) -> list[dict[str, Any]]:
    metric = rules.metric
    target = float(good_fraction(metric.target))
    promise = float(good_fraction(metric.promise)) if metric.promise is not None else None
    # The line customers were told first; an internal metric has only its target.
    first_tier = tiers.tiers_of(metric)[0]
    shown = [t for t in tiers.tiers_of(metric) if t == first_tier or tiers.distinct_target(metric)]
    queries, overrides = [], []
    for ref, tier in zip("AB", shown):
        legend = f"meeting the {tier}, over {own}"
        queries.append(_target(ref, f"1 - {_recorded(rules, naming.sli_error(own))}{_tier(rules, tier)}", legend))
        overrides.append(_colour(ref, TIER_COLOURS[tier]))
    recent = recent_window(metric, first_tier)
    if recent != own:
        ref = "ABC"[len(queries)]
        queries.append(_target(ref, f"1 - {_recorded(rules, naming.sli_error(recent))}{_tier(rules, first_tier)}",
                               f"meeting the {first_tier}, over the last {recent}"))
    chart = _timeseries(layout, plain_title(title_of(rules.touchpoint, metric)), words, queries,
                        _steps(True, target, promise), "percentunit", links, maximum=1)
    chart["fieldConfig"]["overrides"] = overrides
    panels = [chart]
    for tier in tiers.tiers_of(metric):
        budget = 1 - good_fraction(tiers.objective_of(metric, tier))
        panels.append(_stat(
            layout, f"Error budget remaining ({tier})",
            f"Share of the {tier}'s error budget ({number(float(budget * 100))}% of events) left over the "
            f"rolling {own}.",
            _target("A", f"{_recorded(rules, naming.BUDGET_REMAINING)}{_tier(rules, tier)}", "remaining",
                    instant=True),
            [{"color": "red", "value": None}, {"color": "orange", "value": 0}, {"color": "green", "value": 0.25}],
            "percentunit", 4))
    conds = tier_conditions(metric, first_tier)
    first_budget = 1 - good_fraction(tiers.objective_of(metric, first_tier))
    if conds:
        first = conds[0]
        burn = (f"{_recorded(rules, naming.sli_error(first.long_window))}{_tier(rules, first_tier)}\n"
                f"/ on(touchpoint, metric)\n{_recorded(rules, naming.ERROR_BUDGET)}{_tier(rules, first_tier)}")
        page = float(first.threshold / first_budget) if first_budget > 0 else 0
        steps: list[dict[str, Any]] = [{"color": "green", "value": None}, {"color": "orange", "value": 1}]
        if page > 1:
            steps.append({"color": "red", "value": round(page, 4)})
        if first_budget > 0:
            alert = "the page" if first_tier == "promise" else "the ticket"
            panels.append(_stat(
                layout, f"{first_tier.capitalize()} burn rate ({first.long_window})",
                f"How many times faster than the {first_tier} allows customers are failed over the last "
                f"{first.long_window}; 1 spends exactly its budget by the end of the window, and {alert} fires "
                f"above {number(round(page, 4))}.", _target("A", burn, "burn rate", instant=True), steps, "none", 4))
    if rules.contract.open_cases:
        panels.append(_stat(
            layout, f"Open cases past the {first_tier}",
            f"Cases still open whose time already passed the {first_tier}'s limit (from the producers' gauges).",
            _target("A", f"{_recorded(rules, naming.OVERDUE_CASES)}{_tier(rules, first_tier)}",
                    f"past the {first_tier}", instant=True),
            [{"color": "green", "value": None}, {"color": "orange", "value": 1},
             {"color": "red", "value": rules.minimum}], "none", 4))
    return panels


def _updates_panel(rules: UpdatesRules, layout: _Layout) -> dict[str, Any]:
    updates = rules.touchpoint.updates
    assert updates is not None
    sel = label_matchers({"touchpoint": rules.touchpoint.id, "metric": naming.UPDATES_METRIC})
    return _stat(layout, "Cases waiting too long for an update",
                 f"Open cases whose last update (or opening) is older than {updates.every.text}: one is a ticket, "
                 f"{rules.minimum} a page.",
                 _target("A", f"{_recorded(rules, naming.UPDATES_OVERDUE)}{sel}", "waiting", instant=True),
                 [{"color": "green", "value": None}, {"color": "orange", "value": 1},
                  {"color": "red", "value": rules.minimum}], "none", 6)
