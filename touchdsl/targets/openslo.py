"""The `openslo` target: OpenSLO v1 documents for other SLO tools.

`DIR/openslo/<journey>.yaml` (touchpoints without a journey: `<owner>.yaml`,
like the rules files) holds the `Service` (the journey's, or the owner's for its
touchpoints outside any journey), one `SLO` per tier of each metric that OpenSLO
can express -- `<touchpoint>-<metric>-promise` and `-target`, each with the
events decided against that objective and the bad ones (`bad`/`total`; a metric's
own queries `good`/`total`) -- and one `AlertCondition` + `AlertPolicy` per
burn-rate condition of the `prometheus` target's alerts of that tier: the
promise's page, the target's ticket (OpenSLO allows a single condition per policy).
`DIR/openslo/notification-targets.yaml` holds an `AlertNotificationTarget` per
owner receiver and manager; `DIR/openslo/README.md` lists what was skipped.

OpenSLO's v1 SLO is a share of good events with a target below 1, over a
whole-minute window: time and ratio metrics (and `P% at least N` scores) fit;
score averages, NPS and counts do not, nor a 100% target or a window finer
than a minute. Those are skipped, and `warnings(project)` names them so
`touchdsl build` prints them (a target never prints).

Metadata names are DNS labels (`[a-z0-9-]`, at most 63 characters): an id's
underscores become hyphens; a name that would be invalid, too long or shared
with another document of the same kind gets a stable hash suffix instead.
User text (titles, expectations, receiver addresses, a metric's own queries)
reaches the documents only as double-quoted YAML strings written by the
emitter, so no title can add a key or a document.

One source of truth: the queries are the instrumentation contract's (summed
like the `prometheus` target sums a `source prometheus` query), the objective is
the one the rules record, and every alert condition is a burn-rate condition of
the `prometheus` target's own alerts (`prometheus.metric_rules`), sent where the
`alertmanager` target routes it.
"""

from __future__ import annotations

from typing import Any

import hashlib
import re
from dataclasses import dataclass
from fractions import Fraction

import yaml

from touchdsl.model import (
    BoundObjective,
    CountMetric,
    Metric,
    NpsMetric,
    Owner,
    Project,
    RatioMetric,
    Receiver,
    ScoreMetric,
    TimeMetric,
    Touchpoint,
    indicator,
    metric_key,
    unknown_kind,
)
from touchdsl.slo import burnrate, naming, tiers
from touchdsl.slo.contract import (
    identity,
    number,
    render_query,
)
from touchdsl.slo.rules import (
    MetricRules,
    good_fraction,
    metric_rules,
    objective_words,
    rules_file_name,
    tier_conditions,
    title_of,
)
from touchdsl.slo.tiers import Tier
from touchdsl.targets import BuildOptions

API_VERSION = "openslo/v1"
# The window each rate in a `ratioMetric` query is taken over: the shortest
# alerting window, so a tool sampling the queries sees near-current rates.
QUERY_WINDOW = naming.ALERT_WINDOWS[0]
NOTIFICATION_TARGETS = "openslo/notification-targets.yaml"
_DNS_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
_LABEL_VALUE = re.compile(r"^[a-zA-Z0-9]([a-zA-Z0-9._-]{0,61}[a-zA-Z0-9])?$")
_DURATION = re.compile(r"^[1-9][0-9]*[mhdw]$")
_DESCRIPTION_MAX = 1050  # OpenSLO's limit on `description`


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def dns_name(*ids: str) -> str:
    """A DNS-label name for the joined ids; hashed when the plain form is not one."""
    plain = "-".join(i.replace("_", "-") for i in ids)
    if _DNS_LABEL.match(plain) and "--" not in plain:
        return plain
    return hashed_name(*ids)


def hashed_name(*ids: str) -> str:
    plain = re.sub(r"-+", "-", "-".join(i.replace("_", "-") for i in ids)).strip("-")
    return f"{plain[:54].rstrip('-')}-{_digest('.'.join(ids))}".lstrip("-")


def label_value(value: str) -> str:
    """Ids are valid label values up to 63 characters; longer ones are shortened stably."""
    if _LABEL_VALUE.match(value):
        return value
    return f"{value[:54].rstrip('_')}-{_digest(value)}"


def duration(window: str) -> str | None:
    """A Prometheus-style window in OpenSLO's shorthand, or None when it has no
    whole-minute form (`30s`, `1500ms`)."""
    return window if _DURATION.match(window) else None


@dataclass(frozen=True)
class Plan:
    """What becomes an SLO (a tier of a metric) and what is skipped, in source order."""

    slos: list[tuple[Touchpoint, Metric, Tier]]
    skipped: list[str]


def plan(project: Project) -> Plan:
    slos: list[tuple[Touchpoint, Metric, Tier]] = []
    skipped: list[str] = []
    for touchpoint in project.touchpoints.values():
        for metric in touchpoint.metrics:
            where = f"{touchpoint.id}.{metric_key(metric)}"
            what = _not_a_share(metric)
            if what is not None:
                skipped.append(f"{where}: {what} is not a share of good events; OpenSLO v1 cannot express it")
                continue
            if duration(naming.window(metric.window)) is None:
                skipped.append(f"{where}: the window {metric.window.text} is not a whole number of "
                               f"minutes; OpenSLO v1 cannot express it")
                continue
            for tier in tiers.tiers_of(metric):
                if good_fraction(tiers.objective_of(metric, tier)) >= 1:
                    skipped.append(f"{where}: its {tier} is 100%; OpenSLO v1 needs an objective below 100%")
                    continue
                slos.append((touchpoint, metric, tier))
                severity = tiers.severity(tier)
                if not _receivers(project, touchpoint, severity) and tier_conditions(metric, tier):
                    # OpenSLO needs at least one notification target per policy.
                    skipped.append(f"{where}: its {tier}'s {severity} alerts have no AlertPolicy, as "
                                   f"owner {touchpoint.owner} declares no receiver to notify")
    return Plan(slos, skipped)


def _not_a_share(metric: Metric) -> str | None:
    """What the metric's indicator is when it is not a share of good events, or None."""
    kind = indicator(metric)
    match kind:
        case "ratio-like":
            return None
        case "average":
            return "a score average"
        case "nps":
            return "an NPS"
        case "count":
            return "a count"
        case _:
            unknown_kind(kind)


def warnings(project: Project) -> list[str]:
    """What the OpenSLO documents leave out (metrics, alert policies), each with the
    reason; `build` prints them and `README.md` lists them."""
    return plan(project).skipped


class _Names:
    """Metadata names per kind: plain where unique, hashed where two ids would meet."""

    def __init__(self) -> None:
        self.wanted: dict[tuple[str, tuple[str, ...]], str] = {}

    def add(self, kind: str, *ids: str) -> None:
        self.wanted[(kind, ids)] = dns_name(*ids)

    def resolve(self) -> dict[tuple[str, tuple[str, ...]], str]:
        seen: dict[tuple[str, str], int] = {}
        for (kind, _), name in self.wanted.items():
            seen[(kind, name)] = seen.get((kind, name), 0) + 1
        return {key: (hashed_name(*key[1]) if seen[(key[0], name)] > 1 else name)
                for key, name in self.wanted.items()}


class Quoted(str):
    """User text: always written as a double-quoted YAML scalar."""


def _description(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _DESCRIPTION_MAX else text[: _DESCRIPTION_MAX - 1] + "…"


def _doc(kind: str, name: str, spec: dict[str, Any], display: str | None = None, labels: dict[str, str] | None = None) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name}
    if display and display.strip():
        metadata["displayName"] = Quoted(display)
    if labels:
        metadata["labels"] = {k: label_value(v) for k, v in labels.items()}
    return {"apiVersion": API_VERSION, "kind": kind, "metadata": metadata, "spec": spec}


def _service_of(touchpoint: Touchpoint) -> tuple[str, str]:
    """Journeys are the services customers use; touchpoints outside any journey are
    grouped by their owner."""
    return ("journey", touchpoint.journey) if touchpoint.journey else ("owner", touchpoint.owner)


def _receivers(project: Project, touchpoint: Touchpoint, severity: str) -> list[tuple[str, ...]]:
    """Notification targets of one severity, as the alertmanager target routes it:
    pages to the owner's `page` receivers, tickets to `notify`, each falling back on
    the other kind when the owner declares only one; `escalate ... on breach` adds
    the manager (or another owner's notify receivers) to pages, `on risk` to every
    alert."""
    owner = project.owners[touchpoint.owner]
    out = _owner_targets(owner, severity)
    for escalation in touchpoint.escalations:
        if escalation.on == "breach" and severity != burnrate.PAGE:
            continue
        if escalation.to == "manager":
            if owner.manager:
                out.append((owner.id, "manager"))
        elif escalation.to != owner.id:
            out.extend(_owner_targets(project.owners[escalation.to], burnrate.TICKET))
    return list(dict.fromkeys(out))


def _owner_targets(owner: Owner, severity: str) -> list[tuple[str, ...]]:
    first, second = ("page", "notify") if severity == burnrate.PAGE else ("notify", "page")
    chosen = first if getattr(owner, first) else second
    return [(owner.id, chosen, str(i + 1)) for i in range(len(getattr(owner, chosen)))]


def burn_conditions(rules: MetricRules, tier: Tier) -> list[burnrate.BurnCondition]:
    """The burn-rate conditions of the metric's Prometheus alerts of one tier."""
    return [cond for alert in rules.alerts if alert.tier == tier for cond in alert.conditions]


def burn_rate_threshold(cond: burnrate.BurnCondition, objective: Fraction) -> Fraction:
    """The condition as a burn rate (error ratio / error budget). Prometheus compares
    the error ratio with `factor x budget` capped at 1 ("every event failed"), so a
    capped condition is the burn rate of every event failing, not the factor."""
    return cond.threshold / (1 - objective)


def ratio_queries(rules: MetricRules, tier: Tier) -> dict[str, str]:
    """The tier's events as rates over `{{window}}`: `bad` (events missing the
    objective) and `total` (events decided against it), from the contract's counters;
    a metric's own queries (`source prometheus`) as `good` and `total`, summed as the
    rules sum them."""
    contract, source = rules.contract, rules.metric.source
    if contract.overridden:
        assert source is not None
        good = source.promise_good if tier == "promise" and source.promise_good else source.good
        return {"good": f"sum({good})", "total": f"sum({source.total})"}
    reads = contract.tiers[tier]
    window = "{{window}}"
    return {"bad": reads.bad.rate(window), "total": reads.decided.rate(window)}


def _ids(metric: Metric) -> tuple[str, ...]:
    """What names a metric's documents besides its touchpoint: its id, and its class."""
    return (metric.id,) if metric.segment is None else (metric.id, metric.segment)


def render(project: Project, options: BuildOptions) -> dict[str, bytes]:
    chosen = plan(project)
    rules_of: dict[tuple[str, str], MetricRules] = {}
    planned = []
    for touchpoint, metric, tier in chosen.slos:
        key = (touchpoint.id, metric_key(metric))
        if key not in rules_of:
            rules_of[key] = metric_rules(project, touchpoint, metric, options)
        planned.append((touchpoint, metric, tier, rules_of[key]))
    names = _Names()
    for touchpoint, metric, tier, rules in planned:
        names.add("Service", _service_of(touchpoint)[1])
        names.add("SLO", touchpoint.id, *_ids(metric), tier)
        for cond in burn_conditions(rules, tier):
            names.add("AlertCondition", touchpoint.id, *_ids(metric), tier, cond.long_window)
            for target in _receivers(project, touchpoint, cond.severity):
                names.add("AlertNotificationTarget", *target)
    resolved = names.resolve()
    # A journey and an owner of the same id would share a Service name.
    services = {_service_of(t) for t, _, _, _ in planned}
    service_names: dict[tuple[str, str], str] = {}
    for service in sorted(services):
        plain = resolved[("Service", (service[1],))]
        clash = (("owner" if service[0] == "journey" else "journey"), service[1]) in services
        service_names[service] = hashed_name(*service) if clash else plain

    def name(kind: str, *ids: str) -> str:
        return resolved[(kind, ids)]

    files: dict[str, list[dict[str, Any]]] = {}
    services_done: set[tuple[str, str]] = set()
    used_targets: dict[tuple[str, ...], None] = {}
    for touchpoint, metric, tier, rules in planned:
        docs = files.setdefault(f"openslo/{rules_file_name(touchpoint)}.yaml", [])
        service_key = _service_of(touchpoint)
        service_name = service_names[service_key]
        if service_key not in services_done:
            services_done.add(service_key)
            docs.append(_service_doc(project, service_key, service_name))
        labels = {"owner": touchpoint.owner, **identity(touchpoint, metric)}
        if touchpoint.journey:
            labels["journey"] = touchpoint.journey
        labels[tiers.LABEL] = tier
        slo = name("SLO", touchpoint.id, *_ids(metric), tier)
        title = f"{touchpoint.title}: {title_of(touchpoint, metric)}"
        objective = good_fraction(tiers.objective_of(metric, tier))
        policies = []
        policy_docs = []
        for cond in burn_conditions(rules, tier):
            condition = name("AlertCondition", touchpoint.id, *_ids(metric), tier, cond.long_window)
            targets = _receivers(project, touchpoint, cond.severity)
            if not targets:
                continue  # an owner without receivers: nowhere to notify (the checker warns, TD901)
            for target in targets:
                used_targets[target] = None
            burn = burn_rate_threshold(cond, objective)
            capped = " (every event failing)" if cond.inclusive else ""
            policy_docs.append(_doc("AlertCondition", condition, {
                "description": _description(
                    f"The {tier}: {number(float(cond.budget_fraction * 100))}% of its error budget burns within "
                    f"{cond.long_window}: burn rate {'at least' if cond.inclusive else 'above'} "
                    f"{number(float(burn))}{capped}, confirmed over {cond.short_window}, with at least "
                    f"{rules.minimum} events"),
                "severity": cond.severity,
                "condition": {
                    "kind": "burnrate",
                    "op": "gte" if cond.inclusive else "gt",
                    "threshold": _number(burn),
                    "lookbackWindow": cond.long_window,
                    "alertAfter": cond.short_window,
                },
            }, labels={**labels, "severity": cond.severity}))
            policies.append(condition)
            policy_docs.append(_doc("AlertPolicy", condition, {
                "description": _description(
                    f"{'Page' if cond.severity == burnrate.PAGE else 'Ticket'}: "
                    f"{touchpoint.id}/{metric_key(metric)} burns the error budget of its {tier}"),
                "alertWhenNoData": False,
                "alertWhenResolved": True,
                "alertWhenBreaching": True,
                "conditions": [{"conditionRef": condition}],
                "notificationTargets": [{"targetRef": name("AlertNotificationTarget", *t)} for t in targets],
            }, labels={**labels, "severity": cond.severity}))

        def source(query: str) -> dict[str, Any]:
            return {"metricSource": {"type": "Prometheus", "spec": {
                "query": Quoted(render_query(query, QUERY_WINDOW))}}}

        ratio: dict[str, Any] = {"counter": False}
        ratio.update({key: source(query) for key, query in ratio_queries(rules, tier).items()})
        told = "promise to customers" if tier == "promise" else "internal target"
        spec = {
            "description": Quoted(_description(
                f"{title}. The {told}: "
                f"{objective_words(metric, tiers.objective_of(metric, tier))}.")),
            "service": service_name,
            "indicator": {
                "metadata": {"name": slo, "displayName": Quoted(f"{title} ({tier})")},
                "spec": {"ratioMetric": ratio},
            },
            "timeWindow": [{"duration": naming.window(metric.window), "isRolling": True}],
            "budgetingMethod": "Occurrences",
            "objectives": [{"displayName": tier, "target": _number(objective)}],
        }
        if policies:
            spec["alertPolicies"] = policies
        docs.append(_doc("SLO", slo, spec, f"{title} ({tier})", labels))
        docs.extend(policy_docs)

    targets_docs = [_target_doc(project, target, name("AlertNotificationTarget", *target))
                    for target in used_targets]
    out = {path: _dump_all(docs) for path, docs in files.items()}
    if targets_docs:
        out[NOTIFICATION_TARGETS] = _dump_all(targets_docs)
    out["openslo/README.md"] = _readme(chosen).encode("utf-8")
    return dict(sorted(out.items()))


def _number(value: Fraction) -> float | int:
    as_float = float(value)
    return int(as_float) if as_float.is_integer() else as_float


def _service_doc(project: Project, service: tuple[str, str], name: str) -> dict[str, Any]:
    kind, ident = service
    if kind == "journey":
        journey = project.journeys[ident]
        return _doc("Service", name, {"description": Quoted(_description(
            journey.note or f"Customer journey: {journey.title}"))}, journey.title, {"journey": journey.id})
    owner = project.owners[ident]
    return _doc("Service", name, {"description": Quoted(_description(
        f"Touchpoints of {owner.title} outside any journey"))}, owner.title, {"owner": owner.id})


def _target_doc(project: Project, target: tuple[str, ...], name: str) -> dict[str, Any]:
    owner = project.owners[target[0]]
    labels = {"owner": owner.id}
    if target[1] == "manager":
        assert owner.manager is not None  # escalation to a manager needs one (TD308)
        return _doc("AlertNotificationTarget", name, {
            "target": "email",
            "description": Quoted(_description(f"{owner.manager.name} <{owner.manager.email}>, "
                                               f"manager of {owner.title}")),
        }, f"{owner.title}: manager", labels)
    receiver: Receiver = getattr(owner, target[1])[int(target[2]) - 1]
    return _doc("AlertNotificationTarget", name, {
        "target": receiver.kind,
        "description": Quoted(_description(f"{receiver.target} ({target[1]} receiver of {owner.title})")),
    }, f"{owner.title}: {receiver.kind} {receiver.target}", labels)


def _readme(chosen: Plan) -> str:
    lines = [
        "# OpenSLO documents",
        "",
        "OpenSLO v1 documents generated by touchdsl: a Service per journey (per owner for",
        "touchpoints outside a journey), an SLO per tier of every metric that OpenSLO can",
        "express (a share of good events): `-promise`, what customers were told, whose",
        "alerts page, and `-target`, the internal objective, whose alerts are tickets; an",
        "AlertCondition and AlertPolicy per burn-rate condition of the Prometheus alerts, and",
        "an AlertNotificationTarget per receiver in notification-targets.yaml. Queries are",
        f"rates over {QUERY_WINDOW} of the instrumentation contract's counters (see",
        "../prometheus/CONTRACT.md): `bad` (events missing the objective) against `total`",
        "(events decided against it).",
        "",
        "Check them with the OpenSLO CLI, `oslo validate -f <file>` (one `-f` per file),",
        "then load every file together into your SLO tool: its own importer, or",
        "`oslo convert -f <file> ... -o nobl9` for Nobl9. The SLOs name the policies, the",
        "policies the conditions and notification targets, so apply them as one set.",
        "",
    ]
    if chosen.skipped:
        lines += ["## Not exported", "", "These have no OpenSLO document; the Prometheus rules",
                  "and alerts still cover them:", ""]
        # Ids, window texts and fixed words only: nothing Markdown would act on.
        lines += [f"- {line}" for line in chosen.skipped]
    else:
        lines.append("Every metric of the project is exported.")
    return "\n".join(lines) + "\n"


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


def _quoted(dumper: yaml.SafeDumper, value: Quoted) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style='"')


_Dumper.add_representer(str, _str)
_Dumper.add_representer(Quoted, _quoted)


def _dump_all(docs: list[dict[str, Any]]) -> bytes:
    return yaml.dump_all(docs, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                         default_flow_style=False, width=1000, explicit_start=True).encode("utf-8")
