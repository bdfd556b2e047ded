"""The `openslo` target: OpenSLO v1 documents for other SLO tools.

`DIR/openslo/<journey>.yaml` (touchpoints without a journey: `<owner>.yaml`,
like the rules files) holds the `Service`, one `SLO` per metric that OpenSLO
can express, and one `AlertCondition` + `AlertPolicy` per burn-rate condition
of the `prometheus` target (OpenSLO allows a single condition per policy).
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
User text reaches the documents only as YAML strings (a real emitter).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from fractions import Fraction

import yaml

from .. import burnrate
from ..model import (
    BoundObjective,
    Owner,
    Project,
    Receiver,
    ShareObjective,
    Touchpoint,
    WithinObjective,
)
from . import BuildOptions, naming
from .contract import metric_contract, indicator_kind, number, render_query
from .prometheus import objective_words, rules_file_name

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


def _share(objective) -> Fraction:
    """The objective as the share of good events (0..1)."""
    if isinstance(objective, (WithinObjective, ShareObjective)):
        percent = objective.percent
    else:
        assert isinstance(objective, BoundObjective)
        percent = 100 - objective.value if objective.form == "at_most" else objective.value
    return Fraction(repr(float(percent))) / 100


@dataclass(frozen=True)
class Plan:
    """What becomes an SLO and what is skipped, in source order."""

    slos: list[tuple[Touchpoint, object]]
    skipped: list[str]


def plan(project: Project) -> Plan:
    slos, skipped = [], []
    for touchpoint in project.touchpoints.values():
        for metric in touchpoint.metrics:
            where = f"{touchpoint.id}.{metric.id}"
            kind = indicator_kind(metric)
            if kind != "ratio-like":
                what = {"average": "a score average", "nps": "an NPS", "count": "a count"}[kind]
                skipped.append(f"{where}: {what} is not a share of good events; OpenSLO v1 cannot express it")
            elif _share(metric.target) >= 1:
                skipped.append(f"{where}: a 100% target; OpenSLO v1 needs a target below 100%")
            elif duration(naming.window(metric.window)) is None:
                skipped.append(f"{where}: the window {metric.window.text} is not a whole number of "
                               f"minutes; OpenSLO v1 cannot express it")
            else:
                slos.append((touchpoint, metric))
    return Plan(slos, skipped)


def warnings(project: Project) -> list[str]:
    """Metrics that have no OpenSLO document, each with the reason; `build` prints them."""
    return plan(project).skipped


skipped = warnings


class _Names:
    """Metadata names per kind: plain where unique, hashed where two ids would meet."""

    def __init__(self):
        self.wanted: dict[tuple[str, tuple[str, ...]], str] = {}

    def add(self, kind: str, *ids: str) -> None:
        self.wanted[(kind, ids)] = dns_name(*ids)

    def resolve(self) -> dict[tuple[str, tuple[str, ...]], str]:
        seen: dict[tuple[str, str], int] = {}
        for (kind, _), name in self.wanted.items():
            seen[(kind, name)] = seen.get((kind, name), 0) + 1
        return {key: (hashed_name(*key[1]) if seen[(key[0], name)] > 1 else name)
                for key, name in self.wanted.items()}


def _description(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _DESCRIPTION_MAX else text[: _DESCRIPTION_MAX - 1] + "…"


def _doc(kind: str, name: str, spec: dict, display: str | None = None, labels: dict | None = None) -> dict:
    metadata: dict = {"name": name}
    if display and display.strip():
        metadata["displayName"] = display
    if labels:
        metadata["labels"] = {k: label_value(v) for k, v in labels.items()}
    return {"apiVersion": API_VERSION, "kind": kind, "metadata": metadata, "spec": spec}


def _service_of(touchpoint: Touchpoint) -> tuple[str, ...]:
    """Journeys are the services customers use; a touchpoint outside any journey is its own."""
    return ("journey", touchpoint.journey) if touchpoint.journey else ("touchpoint", touchpoint.id)


def _receivers(project: Project, touchpoint: Touchpoint, severity: str) -> list[tuple[str, ...]]:
    """Notification targets of one severity, as the alertmanager routes it: pages to
    the owner's `page` receivers, tickets to `notify`; an owner with only one kind
    gets everything there; escalations add the manager or another owner."""
    owner = project.owners[touchpoint.owner]
    out = _owner_targets(owner, severity)
    on = "breach" if severity == burnrate.PAGE else "risk"
    for escalation in touchpoint.escalations:
        if escalation.on != on:
            continue
        if escalation.to == "manager":
            if owner.manager:
                out.append((owner.id, "manager"))
        elif escalation.to != owner.id:
            out.extend(_owner_targets(project.owners[escalation.to], severity))
    return list(dict.fromkeys(out))


def _owner_targets(owner: Owner, severity: str) -> list[tuple[str, ...]]:
    first, second = ("page", "notify") if severity == burnrate.PAGE else ("notify", "page")
    chosen = first if getattr(owner, first) else second
    return [(owner.id, chosen, str(i + 1)) for i in range(len(getattr(owner, chosen)))]


def render(project: Project, options: BuildOptions) -> dict[str, bytes]:
    chosen = plan(project)
    names = _Names()
    for touchpoint, metric in chosen.slos:
        names.add("Service", *_service_of(touchpoint)[1:])
        names.add("SLO", touchpoint.id, metric.id)
        for cond in _conditions(metric):
            names.add("AlertCondition", touchpoint.id, metric.id, cond.long_window)
            for severity in (cond.severity,):
                for target in _receivers(project, touchpoint, severity):
                    names.add("AlertNotificationTarget", *target)
    resolved = names.resolve()

    def name(kind: str, *ids: str) -> str:
        return resolved[(kind, ids)]

    files: dict[str, list[dict]] = {}
    services_done: set[str] = set()
    used_targets: dict[tuple[str, ...], None] = {}
    for touchpoint, metric in chosen.slos:
        docs = files.setdefault(f"openslo/{rules_file_name(touchpoint)}.yaml", [])
        service_kind, service_id = _service_of(touchpoint)
        service = name("Service", service_id)
        if service not in services_done:
            services_done.add(service)
            if service_kind == "journey":
                journey = project.journeys[service_id]
                docs.append(_doc("Service", service, {"description": _description(
                    journey.note or f"Customer journey: {journey.title}")}, journey.title,
                    {"journey": journey.id}))
            else:
                docs.append(_doc("Service", service, {"description": _description(touchpoint.expectation)},
                                 touchpoint.title, {"touchpoint": touchpoint.id, "owner": touchpoint.owner}))
        labels = {"owner": touchpoint.owner, "touchpoint": touchpoint.id, "metric": metric.id}
        if touchpoint.journey:
            labels["journey"] = touchpoint.journey
        slo = name("SLO", touchpoint.id, metric.id)
        policies = []
        policy_docs = []
        for cond in _conditions(metric):
            condition = name("AlertCondition", touchpoint.id, metric.id, cond.long_window)
            targets = _receivers(project, touchpoint, cond.severity)
            if not targets:
                continue  # an owner without receivers: nowhere to notify (the checker allows it)
            for target in targets:
                used_targets[target] = None
            factor = float(cond.factor)
            policy_docs.append(_doc("AlertCondition", condition, {
                "description": _description(
                    f"{int(cond.budget_fraction * 100)}% of the error budget burns within "
                    f"{cond.long_window}; the alert waits {cond.short_window} for the burning "
                    f"to be confirmed"),
                "severity": cond.severity,
                "condition": {
                    "kind": "burnrate",
                    "op": "gte",
                    "threshold": factor,
                    "lookbackWindow": cond.long_window,
                    "alertAfter": cond.short_window,
                },
            }, labels={**labels, "severity": cond.severity}))
            policies.append(condition)
            policy_docs.append(_doc("AlertPolicy", condition, {
                "description": _description(
                    f"{'Page' if cond.severity == burnrate.PAGE else 'Ticket'}: "
                    f"{touchpoint.id}/{metric.id} burns its error budget"),
                "alertWhenNoData": False,
                "alertWhenResolved": True,
                "alertWhenBreaching": True,
                "conditions": [{"conditionRef": condition}],
                "notificationTargets": [{"targetRef": name("AlertNotificationTarget", *t)} for t in targets],
            }, labels={**labels, "severity": cond.severity}))
        contract = metric_contract(project, touchpoint, metric)
        wrap = "sum({})" if contract.overridden else "{}"

        def source(key: str) -> dict:
            return {"metricSource": {"type": "Prometheus", "spec": {
                "query": wrap.format(render_query(contract.queries[key], QUERY_WINDOW))}}}

        spec = {
            "description": _description(
                f"{touchpoint.title}: {metric.title}. Target: {objective_words(metric, metric.target)}; "
                f"promise to customers: {objective_words(metric, metric.promise)}."),
            "service": service,
            "indicator": {
                "metadata": {"name": slo, "displayName": f"{touchpoint.title}: {metric.title}"},
                "spec": {"ratioMetric": {"counter": False, "good": source("good"), "total": source("total")}},
            },
            "timeWindow": [{"duration": naming.window(metric.window), "isRolling": True}],
            "budgetingMethod": "Occurrences",
            "objectives": [{"displayName": "target", "target": float(_share(metric.target))}],
        }
        if policies:
            spec["alertPolicies"] = policies
        docs.append(_doc("SLO", slo, spec, f"{touchpoint.title}: {metric.title}", labels))
        docs.extend(policy_docs)

    targets_docs = [_target_doc(project, target, name("AlertNotificationTarget", *target))
                    for target in used_targets]
    out = {path: _dump_all(docs) for path, docs in files.items()}
    if targets_docs:
        out[NOTIFICATION_TARGETS] = _dump_all(targets_docs)
    out["openslo/README.md"] = _readme(chosen).encode("utf-8")
    return dict(sorted(out.items()))


def _conditions(metric) -> tuple[burnrate.BurnCondition, ...]:
    return burnrate.conditions(naming.window(metric.window), 1 - _share(metric.target))


def _target_doc(project: Project, target: tuple[str, ...], name: str) -> dict:
    owner = project.owners[target[0]]
    labels = {"owner": owner.id}
    if target[1] == "manager":
        return _doc("AlertNotificationTarget", name, {
            "target": "email",
            "description": _description(f"{owner.manager.name} <{owner.manager.email}>, "
                                        f"manager of {owner.title}"),
        }, f"{owner.title}: manager", labels)
    receiver: Receiver = getattr(owner, target[1])[int(target[2]) - 1]
    return _doc("AlertNotificationTarget", name, {
        "target": receiver.kind,
        "description": _description(f"{receiver.target} ({target[1]} receiver of {owner.title})"),
    }, f"{owner.title}: {receiver.kind} {receiver.target}", labels)


def _readme(chosen: Plan) -> str:
    lines = [
        "# OpenSLO documents",
        "",
        "OpenSLO v1 documents generated by touchdsl: a Service per journey, an SLO per",
        "metric that OpenSLO can express (a share of good events), an AlertCondition and",
        "AlertPolicy per burn-rate condition, and an AlertNotificationTarget per receiver",
        "in notification-targets.yaml. Queries are rates over "
        f"{QUERY_WINDOW} from the instrumentation contract (see ../prometheus/CONTRACT.md).",
        "",
    ]
    if chosen.skipped:
        lines += ["## Not exported", "", "These metrics have no OpenSLO document; the Prometheus",
                  "rules and alerts still cover them:", ""]
        lines += [f"- {line}" for line in chosen.skipped]
    else:
        lines.append("Every metric of the project is exported.")
    return "\n".join(lines) + "\n"


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str):
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _str)


def _dump_all(docs: list[dict]) -> bytes:
    return yaml.dump_all(docs, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                         default_flow_style=False, width=1000, explicit_start=True).encode("utf-8")
