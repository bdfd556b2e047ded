"""The grafana target: dashboards of the current JSON model, every PromQL
expression parses and reads only series the prometheus target records for
that very metric, and user text is escaped for the Markdown text panel.

Grafana publishes its dashboard model as CUE (the `dashboard` kind), not as a
JSON Schema, so `DASHBOARD_SCHEMA` below is a strict structural schema written
from that model: required fields and their types, the panel kinds the target
uses, grid positions inside the 24-unit grid, uids of 8..40 URL-safe characters.
"""

from __future__ import annotations

import json

import promql_parser
import pytest
import yaml
from jsonschema import Draft202012Validator

from tests.paths import REPO
import touchdsl
from touchdsl.targets import BuildOptions, grafana, prometheus

EXAMPLES = ("telecom", "banking", "health")

_DATASOURCE = {"type": "object", "additionalProperties": False, "required": ["type", "uid"],
               "properties": {"type": {"const": "prometheus"}, "uid": {"const": "${datasource}"}}}
_GRID = {"type": "object", "additionalProperties": False, "required": ["h", "w", "x", "y"],
         "properties": {"h": {"type": "integer", "minimum": 1}, "w": {"type": "integer", "minimum": 1, "maximum": 24},
                        "x": {"type": "integer", "minimum": 0, "maximum": 23}, "y": {"type": "integer", "minimum": 0}}}
_STEPS = {"type": "array", "minItems": 1, "items": {
    "type": "object", "additionalProperties": False, "required": ["color", "value"],
    "properties": {"color": {"type": "string"}, "value": {"type": ["number", "null"]}}}}
_QUERY = {"type": "object", "additionalProperties": False,
          "required": ["datasource", "expr", "refId", "legendFormat", "range", "instant"],
          "properties": {"datasource": _DATASOURCE, "expr": {"type": "string", "minLength": 1},
                         "refId": {"type": "string", "pattern": "^[A-Z]$"}, "legendFormat": {"type": "string"},
                         "range": {"type": "boolean"}, "instant": {"type": "boolean"}}}
_FIELD_CONFIG = {"type": "object", "additionalProperties": False, "required": ["defaults", "overrides"],
                 "properties": {"overrides": {"type": "array"}, "defaults": {
                     "type": "object", "required": ["thresholds", "unit"],
                     "properties": {"unit": {"type": "string"}, "min": {"type": "number"}, "max": {"type": "number"},
                                    "thresholds": {"type": "object", "additionalProperties": False,
                                                   "required": ["mode", "steps"],
                                                   "properties": {"mode": {"enum": ["absolute", "percentage"]},
                                                                  "steps": _STEPS}}}}}}
_COMMON = {"id": {"type": "integer", "minimum": 1}, "gridPos": _GRID, "title": {"type": "string"}}
_PANEL = {"oneOf": [
    {"type": "object", "additionalProperties": False, "required": ["type", "title", "gridPos", "id", "collapsed", "panels"],
     "properties": {**_COMMON, "type": {"const": "row"}, "collapsed": {"type": "boolean"},
                    "panels": {"type": "array", "maxItems": 0}}},
    {"type": "object", "additionalProperties": False, "required": ["type", "title", "gridPos", "id", "options"],
     "properties": {**_COMMON, "type": {"const": "text"}, "options": {
         "type": "object", "required": ["mode", "content"],
         "properties": {"mode": {"enum": ["markdown", "html", "code"]}, "content": {"type": "string"}}}}},
    {"type": "object", "additionalProperties": False,
     "required": ["type", "title", "gridPos", "id", "datasource", "targets", "fieldConfig", "options", "description"],
     "properties": {**_COMMON, "type": {"enum": ["timeseries", "stat"]}, "datasource": _DATASOURCE,
                    "description": {"type": "string"}, "options": {"type": "object"}, "fieldConfig": _FIELD_CONFIG,
                    "targets": {"type": "array", "minItems": 1, "items": _QUERY},
                    "links": {"type": "array", "items": {"type": "object", "required": ["title", "url"]}}}},
]}
DASHBOARD_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": ["annotations", "editable", "graphTooltip", "id", "panels", "schemaVersion", "templating",
                 "time", "timezone", "title", "uid", "version", "tags", "refresh", "links"],
    "properties": {
        "annotations": {"type": "object", "required": ["list"]},
        "description": {"type": "string"},
        "editable": {"type": "boolean"},
        "fiscalYearStartMonth": {"type": "integer", "minimum": 0, "maximum": 11},
        "graphTooltip": {"enum": [0, 1, 2]},
        "id": {"type": "null"},
        "links": {"type": "array"},
        "panels": {"type": "array", "items": _PANEL},
        "refresh": {"type": "string"},
        "schemaVersion": {"type": "integer", "minimum": 39},
        "tags": {"type": "array", "items": {"type": "string"}},
        "templating": {"type": "object", "additionalProperties": False, "required": ["list"], "properties": {
            "list": {"type": "array", "contains": {
                "type": "object", "required": ["name", "type", "query"],
                "properties": {"name": {"const": "datasource"}, "type": {"const": "datasource"},
                               "query": {"const": "prometheus"}}}}}},
        "time": {"type": "object", "required": ["from", "to"]},
        "timepicker": {"type": "object"},
        "timezone": {"type": "string"},
        "title": {"type": "string", "minLength": 1},
        "uid": {"type": "string", "pattern": "^[a-zA-Z0-9_-]{8,40}$"},
        "version": {"type": "integer"},
        "weekStart": {"type": "string"},
    },
}


def _load(name: str):
    return touchdsl.load([str(REPO / "examples" / name)])


@pytest.fixture(scope="module", params=EXAMPLES + ("hostile",))
def built(request):
    if request.param == "hostile":
        project = touchdsl.load([str(REPO / "tests" / "fixtures" / "hostile")])
    else:
        project = _load(request.param)
    options = BuildOptions()
    return project, grafana.render(project, options), prometheus.render(project, options)


def dashboards(files):
    return {path: json.loads(data) for path, data in files.items()}


def recorded_series(rule_files) -> set[tuple[str, str, str]]:
    """(record, touchpoint, metric) of every recording rule the prometheus target writes."""
    out = set()
    for path, data in rule_files.items():
        if path.endswith(".rules.yml"):
            for group in yaml.safe_load(data)["groups"]:
                for rule in group["rules"]:
                    if "record" in rule:
                        out.add((rule["record"], rule["labels"]["touchpoint"], rule["labels"]["metric"]))
    return out


def selectors(node) -> list:
    """Every vector selector in a parsed PromQL expression."""
    if isinstance(node, promql_parser.VectorSelector):
        return [node]
    if isinstance(node, promql_parser.MatrixSelector):
        return [node.vector_selector]
    children = []
    for attr in ("lhs", "rhs", "expr", "param"):
        child = getattr(node, attr, None)
        if child is not None and not isinstance(child, (str, int, float)):
            children.append(child)
    children.extend(getattr(node, "args", None) or [])
    return [s for child in children for s in selectors(child)]


def test_dashboards_match_the_structural_schema(built):
    Draft202012Validator.check_schema(DASHBOARD_SCHEMA)
    validator = Draft202012Validator(DASHBOARD_SCHEMA)
    _, files, _ = built
    assert files
    for path, board in dashboards(files).items():
        errors = list(validator.iter_errors(board))
        assert not errors, f"{path}: {errors[0].json_path}: {errors[0].message}"


def test_layout_ids_refids_and_thresholds(built):
    _, files, _ = built
    uids = set()
    for path, board in dashboards(files).items():
        assert board["uid"] not in uids
        uids.add(board["uid"])
        ids = [p["id"] for p in board["panels"]]
        assert len(ids) == len(set(ids)), path
        cells = set()
        for panel in board["panels"]:
            pos = panel["gridPos"]
            assert pos["x"] + pos["w"] <= 24
            for x in range(pos["x"], pos["x"] + pos["w"]):
                for y in range(pos["y"], pos["y"] + pos["h"]):
                    assert (x, y) not in cells, f"{path}: panels overlap at {x},{y}"
                    cells.add((x, y))
            refs = [t["refId"] for t in panel.get("targets", [])]
            assert len(refs) == len(set(refs))
            if "fieldConfig" in panel:
                steps = panel["fieldConfig"]["defaults"]["thresholds"]["steps"]
                assert steps[0]["value"] is None
                values = [s["value"] for s in steps[1:]]
                assert values == sorted(values), f"{path}: {panel['title']}: thresholds out of order"


def test_every_query_parses_and_reads_recorded_series_of_its_metric(built):
    _, files, rule_files = built
    recorded = recorded_series(rule_files)
    names = {r for r, _, _ in recorded}
    checked = 0
    for path, board in dashboards(files).items():
        for panel in board["panels"]:
            for target in panel.get("targets", []):
                expr = promql_parser.parse(target["expr"])
                found = selectors(expr)
                assert found, target["expr"]
                for sel in found:
                    labels = {m.name: m.value for m in sel.matchers.matchers}
                    assert sel.name in names, f"{path}: {sel.name} is not recorded"
                    assert (sel.name, labels["touchpoint"], labels["metric"]) in recorded, (
                        f"{path}: {sel.name}{labels} is not recorded for that metric")
                    checked += 1
    assert checked


def test_selectors_walk_finds_nested_series():
    expr = promql_parser.parse('1 - sum(rate(a{x="1"}[5m])) / on(t) -(b{y="2"}) or vector(0)')
    assert sorted(s.name for s in selectors(expr)) == ["a", "b"]


def test_telecom_dashboards():
    project = _load("telecom")
    files = grafana.render(project, BuildOptions())
    assert sorted(files) == ["grafana/billing.json", "grafana/field_ops.json", "grafana/home_internet.json"]
    board = json.loads(files["grafana/home_internet.json"])
    assert board["uid"] == "touchdsl-journey-home_internet"
    assert board["title"] == "Home internet"
    rows = [p["title"] for p in board["panels"] if p["type"] == "row"]
    assert rows == ["Technical fault repaired", "Change of address"]
    header = board["panels"][1]["options"]["content"]
    assert "**Expectation:** My fault is fixed, and I know when the technician will come." in header
    assert "Field Operations (`field_ops`), manager Dana Levi" in header
    answer = next(p for p in board["panels"] if p["title"] == "Customer speaks with a representative")
    steps = answer["fieldConfig"]["defaults"]["thresholds"]["steps"]
    assert [s["value"] for s in steps] == [None, 0.8, 0.9]  # promise 80%, target 90%
    assert answer["fieldConfig"]["defaults"]["custom"]["thresholdsStyle"]["mode"] == "dashed"
    assert answer["links"][0]["url"] == "../policy/field_ops.html#technical_fault-answer"
    # Each share against its own line: the promise's share (orange, as the promise's
    # threshold line), the target's (green, as the target's), and the promise lately.
    exprs = [t["expr"] for t in answer["targets"]]
    assert exprs == [
        '1 - touch:sli_error:ratio_rate28d{touchpoint="technical_fault",metric="answer",objective="promise"}',
        '1 - touch:sli_error:ratio_rate28d{touchpoint="technical_fault",metric="answer",objective="target"}',
        '1 - touch:sli_error:ratio_rate1h{touchpoint="technical_fault",metric="answer",objective="promise"}',
    ]
    colours = {o["matcher"]["options"]: o["properties"][0]["value"]["fixedColor"]
               for o in answer["fieldConfig"]["overrides"]}
    assert colours == {"A": "orange", "B": "green"}
    assert {s["color"]: s["value"] for s in steps[1:]} == {"orange": 0.8, "green": 0.9}
    titles = [p["title"] for p in board["panels"]]
    assert titles.count("Error budget remaining (promise)") == 5  # the five share metrics
    assert titles.count("Error budget remaining (target)") == 5
    assert titles.count("Promise burn rate (1h)") == 5
    assert titles.count("Open cases past the promise") == 3  # the three time metrics
    assert titles.count("Cases waiting too long for an update") == 1  # technical_fault's updates
    assert titles.count("Margin to target") == 2  # csat average and complaints count
    complaints = next(p for p in board["panels"] if p["title"] == "Complaints about mail to an old address")
    steps = complaints["fieldConfig"]["defaults"]["thresholds"]["steps"]
    assert steps == [{"color": "green", "value": None}, {"color": "orange", "value": 10},
                     {"color": "red", "value": 20}]  # fewer is better: target 10, promise 20
    owner = json.loads(files["grafana/billing.json"])
    assert owner["uid"] == "touchdsl-owner-billing"
    assert [p["title"] for p in owner["panels"] if p["type"] == "row"] == ["Change of address"]


def test_markdown_text_is_escaped():
    assert grafana.md_text("<script>alert(1)</script>") == "&#60;script&#62;alert(1)&#60;/script&#62;"
    assert grafana.md_text("**bold** [x](javascript:y)") == "\\*\\*bold\\*\\* \\[x\\](javascript:y)"
    assert grafana.md_text("${datasource} $__user") == "&#36;\\{datasource\\} &#36;\\_\\_user"
    assert grafana.md_text("{{ 7*7 }}\nline") == "\\{\\{ 7\\*7 \\}\\} line"


def test_hostile_headers_carry_no_live_markup(built):
    project, files, _ = built
    for board in dashboards(files).values():
        for panel in board["panels"]:
            if panel["type"] == "text":
                content = panel["options"]["content"]
                assert "<" not in content and "$" not in content


def test_uids_are_stable_and_short():
    assert grafana.uid("journey", "home_internet") == "touchdsl-journey-home_internet"
    long = grafana.uid("owner", "x" * 60)
    assert len(long) == 40 and long == grafana.uid("owner", "x" * 60)
    assert long != grafana.uid("owner", "x" * 61)


def test_owner_named_like_a_journey_gets_its_own_file():
    project = _load("telecom")
    owner = project.owners["billing"].model_copy(update={"id": "home_internet"})
    touchpoints = {k: (t.model_copy(update={"owner": "home_internet"}) if t.owner == "billing" else t)
                   for k, t in project.touchpoints.items()}
    owners = {("home_internet" if k == "billing" else k): (owner if k == "billing" else o)
              for k, o in project.owners.items()}
    clash = project.model_copy(update={"owners": owners, "touchpoints": touchpoints})
    files = grafana.render(clash, BuildOptions())
    assert "grafana/home_internet.json" in files and "grafana/owner-home_internet.json" in files
    assert json.loads(files["grafana/owner-home_internet.json"])["uid"] == "touchdsl-owner-home_internet"


def test_deterministic():
    project = _load("health")
    assert grafana.render(project, BuildOptions()) == grafana.render(project, BuildOptions())
