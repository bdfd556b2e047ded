"""The openslo target says what the other targets say: every SLO reads the
contract's series, holds the target the rules record over the metric's window,
and alerts on exactly the burn-rate conditions of the rendered Prometheus rules,
sent where Alertmanager routes them. User text is data, in double-quoted scalars."""

from __future__ import annotations

import re

import promql_parser
import pytest
import yaml

import touchdsl
from tests.projects import PROJECTS
from touchdsl.model import Duration, Owner, WithinObjective
from touchdsl.slo import naming, tiers
from touchdsl.slo import rules as slo_rules
from touchdsl.slo.contract import metric_contract, render_query
from touchdsl.targets import BuildOptions, openslo, prometheus

SKIPPED_KINDS = {"average", "nps", "count"}


def documents(files: dict[str, bytes]) -> list[dict]:
    return [d for path, data in sorted(files.items()) if path.endswith(".yaml")
            for d in yaml.safe_load_all(data.decode("utf-8"))]


def by_kind(docs: list[dict], kind: str) -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


@pytest.fixture(scope="module", params=sorted(PROJECTS))
def built(request):
    project = touchdsl.load([str(PROJECTS[request.param])])
    return project, openslo.render(project, BuildOptions())


# Burn conditions as the rendered rules state them: long window, comparison,
# error-ratio threshold, and the short window that confirms it.
_CONDITION = re.compile(
    r"touch:sli_error:ratio_rate(\w+)\{[^}]*\} (>=|>) ([0-9.e+-]+)\n"
    r"  and on\(touchpoint, metric\)\n"
    r"  touch:sli_error:ratio_rate(\w+)\{")


def rule_conditions(project, touchpoint, metric, tier) -> set[tuple]:
    rules = yaml.safe_load(prometheus.rules_file(
        [slo_rules.metric_rules(project, touchpoint, metric, BuildOptions())]))
    out = set()
    for rule in rules["groups"][0]["rules"]:
        if rule.get("alert") in (naming.ALERT_PROMISE_BURN, naming.ALERT_TARGET_BURN) and \
                rule["labels"]["objective"] == tier:
            for long, op, threshold, short in _CONDITION.findall(rule["expr"]):
                out.add((rule["labels"]["severity"], long, short, op, float(threshold)))
    return out


def recorded_budget(project, touchpoint, metric, tier) -> float:
    """The error budget of the tier the rules record."""
    rules = slo_rules.metric_rules(project, touchpoint, metric, BuildOptions())
    [expr] = [r.expr for r in rules.recordings if r.record == naming.ERROR_BUDGET and r.labels["objective"] == tier]
    return float(re.fullmatch(r"vector\((.+)\)", expr).group(1))


def test_every_metric_is_an_slo_or_a_named_warning(built):
    project, files = built
    slos = by_kind(documents(files), "SLO")
    exported = {(s["metadata"]["labels"]["touchpoint"], s["metadata"]["labels"]["metric"]) for s in slos.values()}
    warned = {w.split(":")[0] for w in openslo.warnings(project)}
    for touchpoint in project.touchpoints.values():
        for metric in touchpoint.metrics:
            kind = metric_contract(project, touchpoint, metric).kind
            key = (touchpoint.id, metric.id)
            assert (key in exported) == (kind not in SKIPPED_KINDS), key
            assert (f"{touchpoint.id}.{metric.id}" in warned) == (kind in SKIPPED_KINDS), key
    readme = files["openslo/README.md"].decode()
    for warning in openslo.warnings(project):
        assert warning in readme


def test_every_slo_reads_the_contract_with_the_recorded_target_and_window(built):
    project, files = built
    docs = documents(files)
    services = by_kind(docs, "Service")
    slos = by_kind(docs, "SLO")
    assert slos
    for slo in slos.values():
        labels = slo["metadata"]["labels"]
        touchpoint = project.touchpoints[labels["touchpoint"]]
        metric = next(m for m in touchpoint.metrics
                      if m.id == labels["metric"] and m.segment == labels.get("segment"))
        assert labels["owner"] == touchpoint.owner
        assert labels.get("journey") == touchpoint.journey
        spec = slo["spec"]
        service = services[spec["service"]]["metadata"]["labels"]
        assert service == ({"journey": touchpoint.journey} if touchpoint.journey else {"owner": touchpoint.owner})
        tier = labels["objective"]
        case_class = f" ({touchpoint.case_class(metric.segment).title})" if metric.segment else ""
        assert slo["metadata"]["displayName"] == f"{touchpoint.title}: {metric.title}{case_class} ({tier})"
        assert spec["timeWindow"] == [{"duration": naming.window(metric.window), "isRolling": True}]
        assert spec["budgetingMethod"] == "Occurrences"
        budget = recorded_budget(project, touchpoint, metric, tier)
        assert spec["objectives"] == [{"displayName": tier, "target": pytest.approx(1 - budget)}]
        ratio = spec["indicator"]["spec"]["ratioMetric"]
        assert ratio.pop("counter") is False
        queries = {key: part["metricSource"]["spec"]["query"] for key, part in ratio.items()}
        assert {part["metricSource"]["type"] for part in ratio.values()} == {"Prometheus"}
        contract = metric_contract(project, touchpoint, metric)
        if contract.overridden:
            good, total = (render_query(contract.queries[k], "5m") for k in ("good", "total"))
            assert queries == {"good": f"sum({good})", "total": f"sum({total})"}
        else:
            # the events the rules count for this tier, as rates: every counter of the
            # tier's reads, and nothing else
            reads = contract.tiers[tier]
            assert queries == {"bad": reads.bad.rate("5m"), "total": reads.decided.rate("5m")}
            for counted in reads.counters():
                assert counted.selector in queries["bad"] + queries["total"]
        for query in queries.values():
            promql_parser.parse(query)


def test_alert_conditions_are_the_prometheus_burn_conditions(built):
    project, files = built
    docs = documents(files)
    slos, policies, conditions = by_kind(docs, "SLO"), by_kind(docs, "AlertPolicy"), by_kind(docs, "AlertCondition")
    referenced = set()
    compared = 0
    for slo in slos.values():
        labels = slo["metadata"]["labels"]
        touchpoint = project.touchpoints[labels["touchpoint"]]
        metric = next(m for m in touchpoint.metrics
                      if m.id == labels["metric"] and m.segment == labels.get("segment"))
        budget = 1 - slo["spec"]["objectives"][0]["target"]
        tier = labels["objective"]
        got = set()
        for policy_name in slo["spec"].get("alertPolicies", []):
            policy = policies[policy_name]["spec"]
            assert policy["alertWhenBreaching"] and policy["alertWhenResolved"]
            assert policy["alertWhenNoData"] is False  # like the rules: no traffic, no alert
            [ref] = policy["conditions"]
            referenced.add(ref["conditionRef"])
            cond = conditions[ref["conditionRef"]]["spec"]
            c = cond["condition"]
            assert c["kind"] == "burnrate" and cond["severity"] == policies[policy_name]["metadata"]["labels"]["severity"]
            op = {"gt": ">", "gte": ">="}[c["op"]]
            got.add((cond["severity"], c["lookbackWindow"], c["alertAfter"], op,
                     round(c["threshold"] * budget, 9)))
        want = {(s, lw, sw, op, round(t, 9)) for s, lw, sw, op, t in rule_conditions(project, touchpoint, metric, tier)}
        if project.owners[touchpoint.owner].notify or project.owners[touchpoint.owner].page:
            assert got == want, (touchpoint.id, metric.id)
        compared += len(want)
    assert compared >= 4  # the rules' conditions were really found and compared
    assert referenced == set(conditions)


def test_burn_rates_of_telecom_answer():
    """28d window. The promise, 80% (budget 0.2), pages: factors 13.44 and 5.6; both
    exceed an error ratio of 1 (2.688, 1.12), so they fire when every event fails (burn rate 5).
    The target, 90% (budget 0.1), tickets: factors 2.8 and 0.933, the latter below 1 and
    so the budget itself (burn rate 1): nothing fires at exactly the objective."""
    project = touchdsl.load([str(PROJECTS["telecom"])])
    conditions = by_kind(documents(openslo.render(project, BuildOptions())), "AlertCondition")
    got = {name: (c["spec"]["severity"], c["spec"]["condition"]["op"], c["spec"]["condition"]["threshold"])
           for name, c in conditions.items() if name.startswith("technical-fault-answer-")}
    assert got == {
        "technical-fault-answer-promise-1h": ("page", "gte", 5),
        "technical-fault-answer-promise-6h": ("page", "gte", 5),
        "technical-fault-answer-target-1d": ("ticket", "gt", 2.8),
        "technical-fault-answer-target-3d": ("ticket", "gt", 1),
    }


def test_receivers_follow_the_alertmanager_routes():
    """health: `escalate to manager on breach` adds the manager to pages only;
    `escalate to clinics on risk` adds the clinics' notify receivers to every alert."""
    project = touchdsl.load([str(PROJECTS["health"])])
    docs = documents(openslo.render(project, BuildOptions()))
    policies = by_kind(docs, "AlertPolicy")
    targets = by_kind(docs, "AlertNotificationTarget")
    touchpoint = next(t for t in project.touchpoints.values() if t.owner == "patient_relations")
    metric = next(m for m in touchpoint.metrics if m.kind == "time")
    mine = {p["metadata"]["labels"]["severity"]: [t["targetRef"] for t in p["spec"]["notificationTargets"]]
            for p in policies.values() if p["metadata"]["labels"]["touchpoint"] == touchpoint.id
            and p["metadata"]["labels"]["metric"] == metric.id}
    owners = {name: targets[name]["metadata"]["labels"]["owner"] for refs in mine.values() for name in refs}
    assert "patient-relations-manager" in mine["page"] and "patient-relations-manager" not in mine["ticket"]
    assert "clinics" in {owners[n] for n in mine["page"]} and "clinics" in {owners[n] for n in mine["ticket"]}
    for refs in mine.values():
        assert all(ref in targets for ref in refs)


def _user_texts(project) -> list[str]:
    texts = []
    for owner in project.owners.values():
        texts.append(owner.title)
        texts += [r.target for r in owner.notify + owner.page]
        if owner.manager:
            texts.append(owner.manager.name)
    for journey in project.journeys.values():
        texts.append(journey.title)
    for touchpoint in project.touchpoints.values():
        texts += [touchpoint.title, touchpoint.expectation]
        texts += [m.title for m in touchpoint.metrics]
    return [" ".join(t.split()) for t in texts if len(t) >= 3]


def test_user_text_only_in_double_quoted_scalars():
    project = touchdsl.load([str(PROJECTS["hostile"])])
    files = openslo.render(project, BuildOptions())
    texts = _user_texts(project)
    seen = 0
    for path, data in files.items():
        if not path.endswith(".yaml"):
            continue
        for event in yaml.parse(data.decode("utf-8")):
            if isinstance(event, yaml.ScalarEvent) and any(t in " ".join(event.value.split()) for t in texts):
                seen += 1
                assert event.style == '"', (path, event.value)
    assert seen > 10
    # and it reads back as the very same text: no key, document or tag was injected
    docs = documents(files)
    titles = {d["metadata"].get("displayName") for d in docs}
    for touchpoint in project.touchpoints.values():
        for metric in touchpoint.metrics:
            if metric.kind in ("time", "ratio"):
                first = tiers.tiers_of(metric)[0]
                assert f"{touchpoint.title}: {slo_rules.title_of(touchpoint, metric)} ({first})" in titles
    assert {d["apiVersion"] for d in docs} == {"openslo/v1"}
    assert all(set(d) == {"apiVersion", "kind", "metadata", "spec"} for d in docs)


def _with_metric(project, touchpoint_id, metric_id, **changes):
    touchpoint = project.touchpoints[touchpoint_id]
    metrics = [m.model_copy(update=changes) if m.id == metric_id else m for m in touchpoint.metrics]
    touchpoints = {**project.touchpoints, touchpoint_id: touchpoint.model_copy(update={"metrics": metrics})}
    return project.model_copy(update={"touchpoints": touchpoints})


def test_a_100_percent_target_and_a_seconds_window_are_skipped_with_reasons():
    project = touchdsl.load([str(PROJECTS["telecom"])])
    exact = WithinObjective(percent=100, within=Duration.parse("20s"))
    project = _with_metric(project, "technical_fault", "answer", target=exact, promise=exact)
    project = _with_metric(project, "technical_fault", "arrival", window=Duration.parse("90s"))
    warnings = openslo.warnings(project)
    assert any(w.startswith("technical_fault.answer:") and "100%" in w for w in warnings)
    assert any(w.startswith("technical_fault.arrival:") and "90s" in w for w in warnings)
    slos = by_kind(documents(openslo.render(project, BuildOptions())), "SLO")
    assert not {"technical-fault-answer-promise", "technical-fault-answer-target",
                "technical-fault-arrival-promise", "technical-fault-arrival-target"} & set(slos)
    assert {"technical-fault-abandoned-promise", "technical-fault-abandoned-target"} <= set(slos)


def test_an_owner_without_receivers_gets_slos_but_no_policies(built):
    project = touchdsl.load([str(PROJECTS["telecom"])])
    billing = project.owners["billing"].model_copy(update={"notify": [], "page": []})
    project = project.model_copy(update={"owners": {**project.owners, "billing": billing}})
    docs = documents(openslo.render(project, BuildOptions()))
    slos = by_kind(docs, "SLO")
    assert "alertPolicies" not in slos["address-change-done-promise"]["spec"]
    assert "alertPolicies" not in slos["address-change-done-target"]["spec"]
    assert not [p for p in by_kind(docs, "AlertPolicy").values()
                if p["metadata"]["labels"]["owner"] == "billing"]
    warned = [w for w in openslo.warnings(project) if w.startswith("address_change.done:")]
    assert warned and "no AlertPolicy" in warned[0] and "billing" in warned[0]


def test_a_journey_and_an_owner_of_the_same_id_get_distinct_services():
    project = touchdsl.load([str(PROJECTS["telecom"])])
    twin = Owner(id="home_internet", title="Twin", location=project.owners["billing"].location,
                 notify=project.owners["billing"].notify)
    lonely = project.touchpoints["address_change"].model_copy(
        update={"id": "lonely", "journey": None, "stage": None, "owner": "home_internet"})
    project = project.model_copy(update={"owners": {**project.owners, "home_internet": twin},
                                         "touchpoints": {**project.touchpoints, "lonely": lonely}})
    files = openslo.render(project, BuildOptions())
    services = by_kind(documents(files), "Service")
    assert len(services) == 2
    assert sorted((s["metadata"]["labels"] for s in services.values()), key=str) == sorted(
        [{"journey": "home_internet"}, {"owner": "home_internet"}], key=str)
    for slo in by_kind(documents(files), "SLO").values():
        labels = services[slo["spec"]["service"]]["metadata"]["labels"]
        journey = slo["metadata"]["labels"].get("journey")
        assert labels == ({"journey": journey} if journey else {"owner": slo["metadata"]["labels"]["owner"]})


def test_output_is_deterministic(built):
    project, files = built
    assert openslo.render(project, BuildOptions()) == files
