"""The `grafana` target: importable dashboards whose every query reads a recorded series."""

from __future__ import annotations

import json
from pathlib import Path

import promql_parser
import pytest
import yaml

import touchdsl
from touchdsl.targets import BuildOptions, grafana, naming, prometheus
from touchdsl.targets.contract import indicator_kind, metric_contract

REPO = Path(__file__).resolve().parent.parent
PROJECTS = {
    "telecom": REPO / "examples" / "telecom",
    "banking": REPO / "examples" / "banking",
    "health": REPO / "examples" / "health",
    "hostile": REPO / "tests" / "fixtures" / "hostile",
}
PANEL_TYPES = {"row", "text", "timeseries", "stat"}
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}


@pytest.fixture(scope="module", params=sorted(PROJECTS))
def built(request):
    project = touchdsl.load([str(PROJECTS[request.param])])
    out = grafana.render(project, BuildOptions())
    return request.param, project, out, {path: json.loads(data) for path, data in out.items()}


def panels(board):
    """Every panel, rows' collapsed children included."""
    for panel in board["panels"]:
        yield panel
        yield from panel.get("panels", [])


def targets(board):
    for panel in panels(board):
        for target in panel.get("targets", []):
            yield panel, target


def test_one_dashboard_per_journey_and_per_accountable_owner(built):
    _, project, out, _ = built
    expected = {f"grafana/{j}.json" for j in project.journeys}
    expected |= {f"grafana/{grafana.owner_file(project, o)}" for o in project.owners if project.touchpoints_of(o)}
    assert set(out) == expected
    assert list(out) == sorted(out)


def test_dashboards_list_exactly_their_touchpoints_one_row_each(built):
    _, project, _, boards = built
    for journey in project.journeys.values():
        rows = [p for p in boards[f"grafana/{journey.id}.json"]["panels"] if p["type"] == "row"]
        assert [r["title"] for r in rows] == [grafana.plain_title(t.title) for t in project.touchpoints_in(journey.id)]
    for owner in project.owners.values():
        mine = project.touchpoints_of(owner.id)
        if not mine:
            continue
        board = boards[f"grafana/{grafana.owner_file(project, owner.id)}"]
        rows = [p for p in board["panels"] if p["type"] == "row"]
        assert [r["title"] for r in rows] == [grafana.plain_title(t.title) for t in mine]
        texts = [p["options"]["content"] for p in board["panels"] if p["type"] == "text"]
        assert len(texts) == len(mine)
        assert all(f"(`{owner.id}`)" in text for text in texts)


def test_dashboard_model_is_importable(built):
    _, _, _, boards = built
    uids = set()
    for path, board in boards.items():
        assert board["schemaVersion"] >= 39, path
        assert isinstance(board["title"], str) and board["title"]
        assert 0 < len(board["uid"]) <= 40 and board["uid"] not in uids
        uids.add(board["uid"])
        variables = board["templating"]["list"]
        assert [v["name"] for v in variables] == ["datasource"]
        assert variables[0]["type"] == "datasource" and variables[0]["query"] == "prometheus"
        ids = [p["id"] for p in panels(board)]
        assert len(ids) == len(set(ids)) and all(isinstance(i, int) and i > 0 for i in ids)
        for panel in panels(board):
            assert panel["type"] in PANEL_TYPES, path
            assert isinstance(panel["title"], str) and panel["title"]
            if panel["type"] in ("timeseries", "stat"):
                assert panel["datasource"] == DATASOURCE
                assert panel["targets"], panel["title"]
                refs = [t["refId"] for t in panel["targets"]]
                assert len(refs) == len(set(refs)) and all(refs)
            if panel["type"] == "text":
                assert panel["options"]["mode"] == "markdown"
        for _, target in targets(board):
            assert target["datasource"] == DATASOURCE


def test_grid_fits_24_columns_without_overlaps(built):
    _, _, _, boards = built
    for path, board in boards.items():
        taken: set[tuple[int, int]] = set()
        for panel in board["panels"]:
            g = panel["gridPos"]
            assert g["x"] >= 0 and g["y"] >= 0 and g["w"] > 0 and g["h"] > 0
            assert g["x"] + g["w"] <= 24, (path, panel["title"])
            cells = {(x, y) for x in range(g["x"], g["x"] + g["w"]) for y in range(g["y"], g["y"] + g["h"])}
            assert not cells & taken, (path, panel["title"])
            taken |= cells


def recorded(project) -> set[tuple[str, str, str]]:
    """(record, touchpoint, metric) of every recording rule the prometheus target writes."""
    out = set()
    for path, data in prometheus.render(project, BuildOptions()).items():
        if not path.endswith(".rules.yml"):
            continue
        for group in yaml.safe_load(data)["groups"]:
            for rule in group["rules"]:
                if "record" in rule:
                    out.add((rule["record"], rule["labels"]["touchpoint"], rule["labels"]["metric"]))
    return out


def selectors(node):
    """Every vector selector of a parsed PromQL expression."""
    if isinstance(node, promql_parser.VectorSelector):
        yield node
        return
    if isinstance(node, promql_parser.MatrixSelector):
        yield node.vector_selector
        return
    for attr in ("lhs", "rhs", "expr"):
        child = getattr(node, attr, None)
        if child is not None:
            yield from selectors(child)
    for arg in getattr(node, "args", None) or []:
        yield from selectors(arg)


def matchers(selector) -> dict[str, str]:
    return {m.name: m.value for m in selector.matchers.matchers}


def test_every_query_parses_and_reads_a_recorded_series_of_its_metric(built):
    _, project, _, boards = built
    records = recorded(project)
    contract_series = {s.name for t in project.touchpoints.values() for m in t.metrics
                       for s in metric_contract(project, t, m).series}
    seen = 0
    for board in boards.values():
        for _, target in targets(board):
            expr = promql_parser.parse(target["expr"])
            found = list(selectors(expr))
            assert found, target["expr"]
            for sel in found:
                labels = matchers(sel)
                if sel.name in contract_series:
                    continue
                assert (sel.name, labels.get("touchpoint"), labels.get("metric")) in records, target["expr"]
                seen += 1
    assert seen > 0


def test_every_metric_is_charted_with_target_and_promise(built):
    _, project, _, boards = built
    exprs = {t["expr"] for board in boards.values() for _, t in targets(board)}
    for touchpoint in project.touchpoints.values():
        for metric in touchpoint.metrics:
            sel = grafana.selector(touchpoint, metric)
            kind = indicator_kind(metric)
            if kind == "ratio-like":
                wanted = [naming.OBJECTIVE, naming.PROMISE, naming.BUDGET_REMAINING,
                          f"1 - {naming.sli_error(naming.window(metric.window))}"]
                assert any(naming.sli_error("1h") in e and naming.ERROR_BUDGET in e and sel in e for e in exprs)
            else:
                wanted = [naming.OBJECTIVE_VALUE, naming.PROMISE_VALUE]
                main = naming.window(metric.per) if kind == "count" else naming.window(metric.window)
                wanted.append(naming.indicator(kind, main))
            for name in wanted:
                assert f"{name}{sel}" in exprs, (touchpoint.id, metric.id, name)


def test_output_is_deterministic_and_canonical(built):
    _, project, out, boards = built
    assert grafana.render(project, BuildOptions()) == out
    for path, data in out.items():
        assert data == (json.dumps(boards[path], indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def test_hostile_text_stays_text():
    project = touchdsl.load([str(PROJECTS["hostile"])])
    out = grafana.render(project, BuildOptions())
    everything = b"".join(out.values()).decode("utf-8")
    boards = [json.loads(d) for d in out.values()]
    contents = [p["options"]["content"] for b in boards for p in panels(b) if p["type"] == "text"]
    assert contents
    for content in contents:
        assert "<script>" not in content and "<i>" not in content
        assert "$" not in content  # Grafana would interpolate `$labels`-like text as variables
    assert any("\\<script\\>" in c for c in contents)
    assert "עברית" in everything  # kept as written, not \u-escaped
    for board in boards:
        for panel in panels(board):
            assert "$" not in panel["title"].replace("$\u200b", "")
        for _, target in targets(board):
            assert "7*7" not in target["expr"] and "vector(1)" not in target["expr"]


def test_markdown_escapes_html_markdown_and_variables():
    text = grafana.markdown("**bold** <b>x</b> [link](http://e) ${datasource} $__all |a|")
    assert "<b>" not in text and "**" not in text and "](" not in text
    assert "$" not in text and "&#36;" in text


def test_uids_are_stable_short_and_distinct_for_long_ids():
    a = grafana.uid("j", "a" * 60)
    b = grafana.uid("j", "a" * 59 + "b")
    assert len(a) <= 40 and len(b) <= 40 and a != b
    assert a == grafana.uid("j", "a" * 60)
    assert grafana.uid("o", "billing") == "touch-o-billing"


def test_owner_sharing_a_journey_id_gets_its_own_file():
    project = touchdsl.load([str(PROJECTS["telecom"])])
    owner = next(iter(project.owners))
    clash = project.model_copy(update={"journeys": {**project.journeys, owner: next(iter(project.journeys.values()))}})
    assert grafana.owner_file(clash, owner) == f"owner-{owner}.json"
    assert grafana.owner_file(project, owner) == f"{owner}.json"
