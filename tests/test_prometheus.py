"""The `prometheus` target: files, rules, labels, burn-rate thresholds, hostile text."""

from __future__ import annotations

import re

import pytest
import yaml

import touchdsl
from tests.paths import REPO
from tests.projects import PROJECTS
from touchdsl.documents.escape import go_template_literal
from touchdsl.model import metric_key
from touchdsl.slo import naming, tiers
from touchdsl.slo import rules as slo_rules
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
            records = {(r["record"], r["labels"].get("objective")) for r in group["rules"] if "record" in r}
            if metric.kind == "score" and metric.target.form == "average_at_least" or metric.kind in ("nps", "count"):
                indicator = {"score": naming.score_average, "nps": naming.nps,
                             "count": naming.count_per_period}[metric.kind]
                wanted = {(indicator(w), None) for w in slo_rules.windows_of(metric)}
            else:
                # each tier over its own burn windows and the metric's window
                wanted = {(naming.sli_error(w), tier) for tier in tiers.tiers_of(metric)
                          for w in slo_rules.tier_windows(metric, tier)}
                first = tiers.tiers_of(metric)[0]  # the promise, or an internal metric's target
                assert (naming.sli_error(naming.window(metric.window)), first) in wanted
            assert wanted <= records, wanted - records
            for rule in group["rules"]:
                labels = rule["labels"]
                assert labels["touchpoint"] == tp.id and labels["metric"] == metric.id
                assert labels.get("segment") == metric.segment  # the class, for a metric judged per class
                assert labels["owner"] == tp.owner
                assert labels.get("journey") == tp.journey


def _records(out, group):
    return {(r["record"], r["labels"].get("objective")): r["expr"] for r in groups(out)[group]["rules"]
            if "record" in r}


def test_meta_rules_of_a_ratio_like_metric():
    out = render(load("telecom"), BuildOptions())
    rules = _records(out, "touchdsl.technical_fault.arrival")
    assert rules[(naming.OBJECTIVE, None)] == "vector(0.98)"
    assert rules[(naming.PROMISE, None)] == "vector(0.95)"
    assert rules[(naming.ERROR_BUDGET, "target")] == "vector(0.02)"
    assert rules[(naming.ERROR_BUDGET, "promise")] == "vector(0.05)"
    assert rules[(naming.BUDGET_REMAINING, "target")] == (
        '1 - touch:sli_error:ratio_rate28d{touchpoint="technical_fault",metric="arrival",objective="target"} / 0.02')
    assert rules[(naming.BUDGET_REMAINING, "promise")] == (
        '1 - touch:sli_error:ratio_rate28d{touchpoint="technical_fault",metric="arrival",objective="promise"} / 0.05')


def test_shares_are_whole_events_bad_over_decided():
    out = render(load("telecom"), BuildOptions())
    rules = _records(out, "touchdsl.address_change.first_contact")
    # `at least 70%` of contacts resolved: bad = contacts - resolved, a resolved count never
    # seen counting as zero (total failure, not silence)
    error = rules[(naming.sli_error("1h"), "promise")]
    assert error == (
        'clamp_min((sum(touch:counter_events:count1h{touchpoint="address_change",metric="first_contact",'
        'counter="population"}) or vector(0)) - (sum(touch:counter_events:count1h{touchpoint="address_change",'
        'metric="first_contact",counter="share"}) or vector(0)), 0)\n/\n'
        '(sum(touch:events:count1h{touchpoint="address_change",metric="first_contact",objective="promise"}) > 0)')
    assert "rate(" not in "".join(rules.values())


def test_meta_rules_of_value_kinds():
    out = render(load("telecom"), BuildOptions())
    rules = _records(out, "touchdsl.address_change.complaints")
    assert rules[(naming.OBJECTIVE_VALUE, None)] == "vector(10)"
    assert rules[(naming.PROMISE_VALUE, None)] == "vector(20)"


def _alert(out, group, alert, tier=None, severity=None):
    return next(r for r in groups(out)[group]["rules"] if r.get("alert") == alert
                and (tier is None or r["labels"]["objective"] == tier)
                and (severity is None or r["labels"]["severity"] == severity))


def test_burn_thresholds_over_28d_follow_the_window():
    # promise 95% (budget 5%): 13.44 * 5% = 0.672, 5.6 * 5% = 0.28 -- pages
    # target 98% (budget 2%): 2.8 * 2% = 0.056; 0.933 is below 1, so the budget 0.02 -- tickets
    out = render(load("telecom"), BuildOptions())
    assert thresholds(_alert(out, "touchdsl.technical_fault.arrival", naming.ALERT_PROMISE_BURN)["expr"]) == [
        0.672, 0.672, 0.28, 0.28]
    assert thresholds(_alert(out, "touchdsl.technical_fault.arrival", naming.ALERT_TARGET_BURN)["expr"]) == [
        0.056, 0.056, 0.02, 0.02]


def test_burn_thresholds_over_30d_are_the_classic_ones():
    # promise 99% over 30d: 14.4 and 6 times 1% page; target 99.5%: 3 and 1 times 0.5% ticket
    out = render(load("banking"), BuildOptions())
    promise = _alert(out, "touchdsl.bank_transfer.executed", naming.ALERT_PROMISE_BURN)
    target = _alert(out, "touchdsl.bank_transfer.executed", naming.ALERT_TARGET_BURN)
    assert thresholds(promise["expr"]) == [0.144, 0.144, 0.06, 0.06]
    assert thresholds(target["expr"]) == [0.015, 0.015, 0.005, 0.005]
    assert promise["labels"]["severity"] == "page" and target["labels"]["severity"] == "ticket"


def test_burn_thresholds_over_7d_never_fire_at_the_objective():
    # target 90% over 7d: 0.7 and 0.233 are below 1, so both ticket windows compare with
    # the budget itself: a target met exactly raises no ticket
    out = render(load("health"), BuildOptions())
    target = _alert(out, "touchdsl.appointment.answer", naming.ALERT_TARGET_BURN)
    assert thresholds(target["expr"]) == [0.1, 0.1, 0.1, 0.1]
    promise = _alert(out, "touchdsl.appointment.answer", naming.ALERT_PROMISE_BURN)
    assert thresholds(promise["expr"]) == [0.672, 0.672, 0.28, 0.28]


def test_a_loose_promise_pages_when_every_case_fails():
    # 80% over 28d: 13.44 * 20% = 2.688 cannot be reached by an error ratio.
    out = render(load("telecom"), BuildOptions())
    expr = _alert(out, "touchdsl.technical_fault.answer", naming.ALERT_PROMISE_BURN)["expr"]
    assert ('touch:sli_error:ratio_rate1h{touchpoint="technical_fault",metric="answer",objective="promise"} >= 1\n'
            in expr)
    assert ('touch:sli_error:ratio_rate5m{touchpoint="technical_fault",metric="answer",objective="promise"} >= 1\n'
            in expr)


def test_every_burn_needs_both_windows_and_the_minimum_of_events():
    out = render(load("telecom"), BuildOptions())
    expr = _alert(out, "touchdsl.technical_fault.arrival", naming.ALERT_PROMISE_BURN)["expr"]
    assert "unless" not in expr
    assert expr.count("and on(touchpoint, metric)") == 4
    assert ('touch:events:count1h{touchpoint="technical_fault",metric="arrival",objective="promise"} >= 10'
            in expr)
    project = load("telecom")
    demanding = project.model_copy(update={"defaults": project.defaults.model_copy(update={"alert_minimum": 50})})
    assert ">= 50\n" in _alert(render(demanding, BuildOptions()), "touchdsl.technical_fault.arrival",
                                naming.ALERT_PROMISE_BURN)["expr"]


def test_alerts_carry_routing_labels_and_annotations(built):
    project, out = built
    assert alerts(out)
    for alert in alerts(out):
        labels = alert["labels"]
        tp = project.touchpoints[labels["touchpoint"]]
        assert labels["owner"] == tp.owner
        assert labels["objective"] in ("promise", "target")
        assert labels["severity"] in ("page", "ticket")
        if labels["objective"] == "target":
            assert labels["severity"] == "ticket"
        assert labels.get("journey") == tp.journey
        metric = labels["metric"]
        if metric == naming.UPDATES_METRIC:
            assert set(alert["annotations"]) == {"summary", "title", "expectation", "promise", "policy"}
            assert alert["annotations"]["policy"] == f"../policy/{tp.owner}.html#touchpoint-{tp.id}"
        else:
            assert set(alert["annotations"]) == {"summary", "title", "expectation", "promise", "target", "policy"}
            section = metric + (f"-{labels['segment']}" if "segment" in labels else "")
            assert alert["annotations"]["policy"] == f"../policy/{tp.owner}.html#{tp.id}-{section}"


def test_annotations_state_the_objectives_in_the_documents_words():
    out = render(load("telecom"), BuildOptions())
    alert = _alert(out, "touchdsl.technical_fault.arrival", naming.ALERT_PROMISE_BROKEN)
    assert alert["annotations"]["promise"] == "95% within 48 business hours, over the last 28 days"
    assert alert["annotations"]["target"] == "98% within 36 business hours, over the last 28 days"
    assert alert["annotations"]["summary"] == (
        "technical_fault/arrival: the promise is broken over the last 28 days")


def test_policy_link_follows_the_build_option():
    out = render(load("telecom"), BuildOptions(policy_url="https://wiki.example.com/sla/"))
    links = {a["annotations"]["policy"] for a in alerts(out)}
    assert "https://wiki.example.com/sla/field_ops.html#technical_fault-answer" in links


def test_every_kind_has_both_tiers():
    names = {(a["labels"]["touchpoint"], a["labels"]["metric"], a["alert"], a["labels"]["objective"],
              a["labels"]["severity"]) for a in alerts(render(load("telecom"), BuildOptions()))}
    for metric in ("answer", "arrival", "abandoned"):
        assert ("technical_fault", metric, naming.ALERT_PROMISE_BURN, "promise", "page") in names
        assert ("technical_fault", metric, naming.ALERT_PROMISE_BROKEN, "promise", "page") in names
        assert ("technical_fault", metric, naming.ALERT_TARGET_BURN, "target", "ticket") in names
        assert ("technical_fault", metric, naming.ALERT_TARGET_MISSED, "target", "ticket") in names
    # open cases of time metrics: a page from the minimum, a ticket from one
    assert ("technical_fault", "arrival", naming.ALERT_CASES_PAST_PROMISE, "promise", "page") in names
    assert ("technical_fault", "arrival", naming.ALERT_CASES_PAST_PROMISE, "promise", "ticket") in names
    assert ("technical_fault", "arrival", naming.ALERT_CASES_PAST_TARGET, "target", "ticket") in names
    # the csat has no target of its own: the promise broken pages, the last day at risk tickets
    assert ("technical_fault", "csat", naming.ALERT_PROMISE_BROKEN, "promise", "page") in names
    assert ("technical_fault", "csat", naming.ALERT_TARGET_AT_RISK, "target", "ticket") in names
    assert ("technical_fault", "csat", naming.ALERT_TARGET_MISSED, "target", "ticket") not in names
    assert ("address_change", "complaints", naming.ALERT_PROMISE_BROKEN, "promise", "page") in names
    assert ("address_change", "complaints", naming.ALERT_TARGET_MISSED, "target", "ticket") in names
    assert ("address_change", "complaints", naming.ALERT_TARGET_AT_RISK, "target", "ticket") in names
    assert ("technical_fault", "updates", naming.ALERT_UPDATES_OVERDUE, "promise", "page") in names
    assert ("technical_fault", "updates", naming.ALERT_UPDATES_OVERDUE, "promise", "ticket") in names
    nps = {(a["alert"], a["labels"]["severity"]) for a in alerts(render(load("banking"), BuildOptions()))
           if a["labels"]["metric"] == "recommend"}
    assert nps == {(naming.ALERT_PROMISE_BROKEN, "page"), (naming.ALERT_TARGET_MISSED, "ticket"),
                   (naming.ALERT_TARGET_AT_RISK, "ticket")}


def test_an_internal_metric_has_the_target_tier_only():
    """No promise, nothing to page on: an internal metric's rules record and alert on its
    target alone (tickets), whatever its kind."""
    health = render(load("health"), BuildOptions())
    volume = groups(health)["touchdsl.complaint.volume"]["rules"]
    assert {(r["alert"], r["labels"]["severity"], r["labels"]["objective"]) for r in volume if "alert" in r} == {
        (naming.ALERT_TARGET_MISSED, "ticket", "target"), (naming.ALERT_TARGET_AT_RISK, "ticket", "target")}
    assert naming.PROMISE_VALUE not in {r.get("record") for r in volume}
    scenarios = render(touchdsl.load([str(REPO / "tests/scenarios/project")]),
                       BuildOptions())
    review = groups(scenarios)["touchdsl.repair.review"]["rules"]
    assert {(r["alert"], r["labels"]["severity"]) for r in review if "alert" in r} == {
        (naming.ALERT_TARGET_BURN, "ticket"), (naming.ALERT_TARGET_MISSED, "ticket"),
        (naming.ALERT_CASES_PAST_TARGET, "ticket")}
    assert {r["labels"].get("objective") for r in review if "record" in r} <= {None, "target"}
    assert naming.PROMISE not in {r.get("record") for r in review}
    assert 'objective="promise"' not in yaml.safe_dump(review)


def test_a_metric_judged_per_class_has_a_group_and_series_per_class():
    health = render(load("health"), BuildOptions())
    for segment in ("urgent", "routine"):
        rules = groups(health)[f"touchdsl.appointment.slot.{segment}"]["rules"]
        assert all(r["labels"]["segment"] == segment for r in rules if "labels" in r)
        raw = "\n".join(r["expr"] for r in rules)
        assert f'touch_business_days_bucket{{touchpoint="appointment",metric="slot",segment="{segment}"' in raw
        assert f'touch_overdue_cases{{touchpoint="appointment",metric="slot",segment="{segment}",objective="promise"}}' in raw


def test_value_alerts_compare_with_each_tier():
    out = render(load("telecom"), BuildOptions())
    by = {(a["labels"]["metric"], a["alert"]): a["expr"] for a in alerts(out)}
    assert by[("csat", naming.ALERT_PROMISE_BROKEN)] == (
        'touch:score_average:rate28d{touchpoint="technical_fault",metric="csat"} < 4.3\n'
        'and on(touchpoint, metric)\n'
        'touch:events:count28d{touchpoint="technical_fault",metric="csat"} >= 10')
    assert by[("csat", naming.ALERT_TARGET_AT_RISK)].startswith(
        'touch:score_average:rate1d{touchpoint="technical_fault",metric="csat"} < 4.3\n')
    # whole events over the period against the limit: 20 complaints is the promise kept
    assert by[("complaints", naming.ALERT_PROMISE_BROKEN)] == (
        'touch:events:count7d{touchpoint="address_change",metric="complaints"} > 20')
    assert by[("complaints", naming.ALERT_TARGET_MISSED)] == (
        'touch:events:count7d{touchpoint="address_change",metric="complaints"} > 10')
    # the pace of the last day, in whole numbers: events x 7 > 10
    assert by[("complaints", naming.ALERT_TARGET_AT_RISK)].startswith(
        'touch:events:count1d{touchpoint="address_change",metric="complaints"} * 7 > 10\n')


def test_count_per_period_scales_the_whole_events_by_the_period():
    out = render(load("telecom"), BuildOptions())
    rules = _records(out, "touchdsl.address_change.complaints")
    assert rules[(naming.count_per_period("7d"), None)] == (
        'touch:events:count7d{touchpoint="address_change",metric="complaints"}')
    assert rules[(naming.count_per_period("1d"), None)] == (
        'touch:events:count1d{touchpoint="address_change",metric="complaints"} * 7')


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
    updates = sum(1 for tp in (injected, lonely) if tp.updates is not None)
    assert len(names) == len(set(names)) == len(injected.metrics) + len(lonely.metrics) + updates
