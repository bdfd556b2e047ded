"""The `prometheus` target: files, rules, labels, burn-rate thresholds, hostile text."""

from __future__ import annotations

import re

import pytest
import yaml

import touchdsl
from tests.projects import PROJECTS
from touchdsl.documents.escape import go_template_literal
from touchdsl.model import metric_key
from touchdsl.slo import naming
from touchdsl.targets import BuildOptions
from touchdsl.targets.prometheus import render



def load(name):
    return touchdsl.load([str(PROJECTS[name])])


def rules_of(out: dict[str, bytes]) -> dict[str, dict]:
    return {path: yaml.safe_load(data) for path, data in out.items() if path.endswith(".rules.yml")}


def groups(out):
    return {g["name"]: g for doc in rules_of(out).values() for g in doc["groups"]}


def alerts(out):
    return [r for g in groups(out).values() for r in g["rules"] if "alert" in r]


def thresholds(expr: str) -> list[float]:
    return [float(x) for x in re.findall(r"^\s*touch:sli_error:ratio_rate\w+\{[^}]*\} >=? (\S+)$", expr, re.M)]


@pytest.fixture(scope="module", params=sorted(PROJECTS))
def built(request):
    project = load(request.param)
    return project, render(project, BuildOptions())


def test_files_are_named_by_journey_or_owner():
    assert sorted(render(load("telecom"), BuildOptions())) == [
        "prometheus/CONTRACT.md", "prometheus/home_internet.rules.yml"]
    assert sorted(render(load("health"), BuildOptions())) == [
        "prometheus/CONTRACT.md", "prometheus/feedback.rules.yml", "prometheus/routine_care.rules.yml"]
    # `lonely` has no journey: its rules go to its owner's file.
    assert sorted(render(load("hostile"), BuildOptions())) == [
        "prometheus/CONTRACT.md", "prometheus/desk.rules.yml", "prometheus/hostile_journey.rules.yml"]


def test_output_is_deterministic(built):
    project, out = built
    assert render(project, BuildOptions()) == out


def test_every_metric_records_its_indicator_over_every_window(built):
    project, out = built
    by_group = groups(out)
    for tp in project.touchpoints.values():
        for metric in tp.metrics:
            group = by_group[f"touchdsl.{tp.id}.{metric_key(metric)}"]
            records = [r["record"] for r in group["rules"] if "record" in r]
            windows = set(naming.ALERT_WINDOWS) | {naming.window(metric.window)}
            if metric.kind == "count":
                windows.add(naming.window(metric.per))
            indicator = {"time": naming.sli_error, "ratio": naming.sli_error, "nps": naming.nps,
                         "count": naming.count_per_period}.get(metric.kind)
            if metric.kind == "score":
                indicator = naming.score_average if metric.target.form == "average_at_least" else naming.sli_error
            assert {indicator(w) for w in windows} <= set(records)
            for rule in group["rules"]:
                labels = rule["labels"]
                assert labels["touchpoint"] == tp.id and labels["metric"] == metric.id
                assert labels.get("segment") == metric.segment  # the class, for a metric judged per class
                assert labels["owner"] == tp.owner
                assert labels.get("journey") == tp.journey


def test_meta_rules_of_a_ratio_like_metric():
    out = render(load("telecom"), BuildOptions())
    rules = {r["record"]: r["expr"] for r in groups(out)["touchdsl.technical_fault.arrival"]["rules"]
             if "record" in r}
    assert rules[naming.OBJECTIVE] == "vector(0.98)"
    assert rules[naming.PROMISE] == "vector(0.95)"
    assert rules[naming.ERROR_BUDGET] == "vector(0.02)"
    assert rules[naming.BUDGET_REMAINING] == (
        '1 - touch:sli_error:ratio_rate28d{touchpoint="technical_fault",metric="arrival"} / 0.02')


def test_meta_rules_of_value_kinds():
    out = render(load("telecom"), BuildOptions())
    rules = {r["record"]: r["expr"] for r in groups(out)["touchdsl.address_change.complaints"]["rules"]
             if "record" in r}
    assert rules[naming.OBJECTIVE_VALUE] == "vector(10)"
    assert rules[naming.PROMISE_VALUE] == "vector(20)"


def _burn(out, group, alert):
    return next(r for r in groups(out)[group]["rules"] if r.get("alert") == alert)


def test_burn_thresholds_over_28d_follow_the_window():
    # 98% target, 28d: 13.44 * 2% = 0.2688, 5.6 * 2% = 0.112; 2.8 * 2% = 0.056, 0.9333 * 2% = 0.018666…
    out = render(load("telecom"), BuildOptions())
    assert thresholds(_burn(out, "touchdsl.technical_fault.arrival", naming.ALERT_FAST_BURN)["expr"]) == [
        0.2688, 0.112]
    assert thresholds(_burn(out, "touchdsl.technical_fault.arrival", naming.ALERT_SLOW_BURN)["expr"]) == [
        0.056, pytest.approx(0.0186666666)]


def test_burn_thresholds_over_30d_are_the_classic_ones():
    # 99.5% target, 30d: 14.4, 6, 3, 1 times a budget of 0.5%.
    out = render(load("banking"), BuildOptions())
    fast = _burn(out, "touchdsl.bank_transfer.executed", naming.ALERT_FAST_BURN)
    slow = _burn(out, "touchdsl.bank_transfer.executed", naming.ALERT_SLOW_BURN)
    assert thresholds(fast["expr"]) == [0.072, 0.03]
    assert thresholds(slow["expr"]) == [0.015, 0.005]


def test_burn_thresholds_over_7d():
    # 90% target, 7d: 3.36, 1.4, 0.7, 0.2333 times a budget of 10%.
    out = render(load("health"), BuildOptions())
    fast = _burn(out, "touchdsl.appointment.answer", naming.ALERT_FAST_BURN)
    slow = _burn(out, "touchdsl.appointment.answer", naming.ALERT_SLOW_BURN)
    assert thresholds(fast["expr"]) == [0.336, 0.14]
    assert thresholds(slow["expr"]) == [0.07, pytest.approx(0.0233333333)]


def test_a_loose_target_pages_when_every_case_fails():
    # 90% over 28d: 13.44 * 10% = 1.344 cannot be reached by an error ratio.
    out = render(load("telecom"), BuildOptions())
    expr = _burn(out, "touchdsl.technical_fault.answer", naming.ALERT_FAST_BURN)["expr"]
    assert 'touch:sli_error:ratio_rate1h{touchpoint="technical_fault",metric="answer"} >= 1\n' in expr
    assert 'touch:sli_error:ratio_rate5m{touchpoint="technical_fault",metric="answer"} < 1\n' in expr


def test_alerts_carry_routing_labels_and_annotations(built):
    project, out = built
    assert alerts(out)
    for alert in alerts(out):
        labels = alert["labels"]
        tp = project.touchpoints[labels["touchpoint"]]
        assert labels["owner"] == tp.owner
        assert labels["severity"] in ("page", "ticket")
        assert labels.get("journey") == tp.journey
        assert set(alert["annotations"]) == {"summary", "title", "expectation", "promise", "target", "policy"}
        metric = labels["metric"] + (f"-{labels['segment']}" if "segment" in labels else "")
        assert alert["annotations"]["policy"] == f"../policy/{tp.owner}.html#{tp.id}-{metric}"


def test_policy_link_follows_the_build_option():
    out = render(load("telecom"), BuildOptions(policy_url="https://wiki.example.com/sla/"))
    links = {a["annotations"]["policy"] for a in alerts(out)}
    assert "https://wiki.example.com/sla/field_ops.html#technical_fault-answer" in links


def test_every_kind_has_its_alerts():
    names = {(a["labels"]["touchpoint"], a["labels"]["metric"], a["alert"], a["labels"]["severity"])
             for a in alerts(render(load("telecom"), BuildOptions()))}
    assert ("technical_fault", "csat", naming.ALERT_SCORE_BREACH, "page") in names
    assert ("technical_fault", "csat", naming.ALERT_SCORE_RISK, "ticket") in names
    assert ("address_change", "complaints", naming.ALERT_COUNT_BREACH, "page") in names
    assert ("address_change", "complaints", naming.ALERT_COUNT_RISK, "ticket") in names
    nps = {(a["alert"], a["labels"]["severity"]) for a in alerts(render(load("banking"), BuildOptions()))
           if a["labels"]["metric"] == "recommend"}
    assert nps == {(naming.ALERT_NPS_BREACH, "page"), (naming.ALERT_NPS_RISK, "ticket")}


def test_value_alerts_compare_with_the_target():
    out = render(load("telecom"), BuildOptions())
    by = {(a["labels"]["metric"], a["alert"]): a["expr"] for a in alerts(out)}
    assert by[("csat", naming.ALERT_SCORE_BREACH)] == (
        'touch:score_average:rate28d{touchpoint="technical_fault",metric="csat"} < 4.3')
    assert by[("csat", naming.ALERT_SCORE_RISK)] == (
        'touch:score_average:rate1d{touchpoint="technical_fault",metric="csat"} < 4.3')
    assert by[("complaints", naming.ALERT_COUNT_BREACH)] == (
        'touch:count_per_period:rate7d{touchpoint="address_change",metric="complaints"} > 10')


def test_count_per_period_scales_the_rate_by_the_period():
    out = render(load("telecom"), BuildOptions())
    rules = {r["record"]: r["expr"] for r in groups(out)["touchdsl.address_change.complaints"]["rules"]
             if "record" in r}
    assert rules[naming.count_per_period("7d")] == (
        'sum(rate(touch_events_total{touchpoint="address_change",metric="complaints",event="complaints"}[7d]))'
        " * 604800")


def test_indicators_divide_only_by_windows_with_traffic(built):
    _, out = built
    for group in groups(out).values():
        for rule in group["rules"]:
            if rule.get("record", "").startswith(("touch:sli_error", "touch:score_average", "touch:nps")):
                assert rule["expr"].endswith(" > 0)"), rule["record"]


# Hostile text ------------------------------------------------------------------------


def plain(project):
    """The same project with every free text replaced by a plain word."""
    def calm(node, **more):
        fields = {k: "plain" for k in ("title", "expectation") if hasattr(node, k)}
        if getattr(node, "note", None) is not None:
            fields["note"] = "plain"
        return node.model_copy(update={**fields, **more})

    touchpoints = {}
    for key, tp in project.touchpoints.items():
        touchpoints[key] = calm(tp, steps=[calm(s) for s in tp.steps], metrics=[calm(m) for m in tp.metrics])
    return project.model_copy(update={
        "touchpoints": touchpoints,
        "owners": {k: calm(o) for k, o in project.owners.items()},
        "journeys": {k: calm(j, stages=[calm(s) for s in j.stages]) for k, j in project.journeys.items()},
        "calendars": {k: calm(c) for k, c in project.calendars.items()},
    })


def test_hostile_titles_change_no_rule():
    hostile = load("hostile")
    calm = plain(hostile)
    assert calm.touchpoints["injected"].title == "plain"
    hostile_out, calm_out = render(hostile, BuildOptions()), render(calm, BuildOptions())
    assert sorted(hostile_out) == sorted(calm_out)

    def shape(out):
        return [(name, [(r.get("record") or r.get("alert"), r["expr"], r["labels"]) for r in g["rules"]])
                for name, g in groups(out).items()]

    assert shape(hostile_out) == shape(calm_out)
    # ... and the texts arrive whole, escaped only for Prometheus' templates.
    injected = [a for a in alerts(hostile_out) if a["labels"]["metric"] == "wait"][0]
    tp = hostile.touchpoints["injected"]
    assert injected["annotations"]["expectation"] == go_template_literal(tp.expectation)
    assert "expr: vector(1)" in tp.expectation


def test_hostile_files_have_no_injected_rules():
    out = render(load("hostile"), BuildOptions())
    for doc in rules_of(out).values():
        for group in doc["groups"]:
            assert set(group) == {"name", "rules"}
            for rule in group["rules"]:
                assert rule.get("alert", "Touch").startswith("Touch")
                assert rule.get("record", "touch:").startswith("touch:")
                assert "vector(1)" not in rule["expr"]


def test_user_queries_are_used_with_only_the_window_replaced():
    out = render(load("hostile"), BuildOptions())
    rules = {r["record"]: r["expr"] for r in groups(out)["touchdsl.injected.own_queries"]["rules"]
             if "record" in r}
    assert rules[naming.sli_error("5m")] == (
        '(sum(sum(rate(desk_answer_seconds_count[5m]))) - '
        'sum(sum(rate(desk_answer_seconds_bucket{le="3600",note="{{ 7*7 }} \\"x\\""}[5m]))))\n/\n'
        '(sum(sum(rate(desk_answer_seconds_count[5m]))) > 0)')


@pytest.mark.parametrize("text, expected", [
    ("{{ 7*7 }}", '{{ "{{" }} 7*7 }}'),
    ("a {{{ b", 'a {{ "{{" }}{ b'),
    ("}} alone", "}} alone"),
    ("no braces", "no braces"),
])
def test_go_template_literal(text, expected):
    assert go_template_literal(text) == expected


def test_an_owner_named_like_a_journey_shares_its_file_without_clashing_groups():
    project = load("hostile")
    lonely = project.touchpoints["lonely"]
    # `lonely` has no journey and is owned by `desk`; give a journey-bound touchpoint the id `desk`.
    injected = project.touchpoints["injected"].model_copy(update={"journey": "desk"})
    project = project.model_copy(update={"touchpoints": {"injected": injected, "lonely": lonely}})
    out = render(project, BuildOptions())
    assert sorted(out) == ["prometheus/CONTRACT.md", "prometheus/desk.rules.yml"]
    names = [g["name"] for g in yaml.safe_load(out["prometheus/desk.rules.yml"])["groups"]]
    assert len(names) == len(set(names)) == len(injected.metrics) + len(lonely.metrics)
