"""The `alertmanager` target: `alertmanager/alertmanager.yml`, a routing tree that
sends each owner's alerts to that owner's receivers and escalations to whom the
touchpoint names.

The alerts of the `prometheus` target carry `owner`, `touchpoint`, `metric`,
`objective` (`promise` or `target`) and `severity`: `page` for the promise's
alerts (customers are being failed: its burn, the promise broken, a backlog of
cases past its deadline or waiting for updates), `ticket` for the target's (the
early warning) and for a handful of cases too few to page on. Under the root
there is one route per owner on `owner="<id>"`; inside it, in this order:

1. one route per escalation (`continue: true`, so the owner is still told):
   `escalate to manager` -> `<owner>-manager` (email to the owner's manager),
   `escalate to OTHER` -> `<other>-notify`; `on breach` matches the touchpoint's
   `page` alerts (the promise's), `on risk` all of them (the target's too);
2. `severity="page"` -> `<owner>-page`, or `<owner>-notify` when the owner
   declares no `page` receiver;
3. everything else (tickets) -> `<owner>-notify`, or `<owner>-page` when the
   owner declares only `page` receivers.

An owner without any receiver (the checker warns, TD901) still gets an
`<owner>-notify` receiver without integrations, the valid way to say "nobody"
in Alertmanager; it is listed in the header, and its escalations still work.

Alertmanager stops at the first matching child unless it continues, and a
parent whose child matched is not itself a match: that is why step 3 is an
explicit catch-all route and not only the owner route's receiver.

Secrets (Slack webhook URLs, PagerDuty routing keys, Opsgenie API keys) are
referenced through `*_file` fields and listed in the header comment of the
file; they are never written into the configuration. The output targets
Alertmanager 0.25 (Debian's), which has no webhook `url_file` (0.26+): webhook
URLs are written as declared in the `.touch` source, which is where they are
already public.

Options (`--set`, declared with their defaults in `touchdsl.targets`):
`alertmanager.secrets_dir`, `alertmanager.smtp_smarthost` and
`alertmanager.smtp_from`, the SMTP relay every email receiver sends through.
"""

from __future__ import annotations

from typing import Any

import json
import re
from dataclasses import dataclass, field

import yaml

from touchdsl.model import Owner, Project, Receiver, Touchpoint
from touchdsl.targets import BuildOptions

OUTPUT = "alertmanager/alertmanager.yml"

# The root route must name a receiver. Every alert of the touchdsl rules carries
# an owner, so only foreign alerts (a shared Alertmanager) land here. Owner
# receivers always contain a hyphen and ids never do, so the name cannot clash.
UNROUTED = "unrouted"

PAGE = "page"
TICKET = "ticket"

# Grouping: one notification per alert of one metric of one touchpoint.
GROUP_BY = ["alertname", "owner", "touchpoint", "metric"]

# PagerDuty Events v2 and Opsgenie reject severities they do not know; the
# alert's `page`/`ticket` is mapped onto theirs.
PAGERDUTY_SEVERITY = '{{ if eq .CommonLabels.severity "page" }}critical{{ else }}warning{{ end }}'
OPSGENIE_PRIORITY = '{{ if eq .CommonLabels.severity "page" }}P1{{ else }}P3{{ end }}'

_ID = re.compile(r"[a-z][a-z0-9_]*")

_SECRET_KINDS = {
    "slack": ("api_url_file", "the Slack incoming-webhook URL posting to channel {target}"),
    "pagerduty": ("routing_key_file", "the PagerDuty Events API v2 routing key of service {target}"),
    "opsgenie": ("api_key_file", "the Opsgenie API key of the integration for team {target}"),
}


# YAML ------------------------------------------------------------------------------


class Quoted(str):
    """A value written as a double-quoted YAML string whatever it holds."""


class _Dumper(yaml.SafeDumper):
    pass


# Single quotes keep matchers readable (`'owner="ops"'`); anything a single-quoted
# scalar would fold or cannot escape is double-quoted with escapes instead.
_SINGLE_QUOTABLE = re.compile("[^\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]*")


def _quoted(dumper: yaml.SafeDumper, value: Quoted) -> yaml.ScalarNode:
    style = "'" if _SINGLE_QUOTABLE.fullmatch(value) else '"'
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style=style)


_Dumper.add_representer(Quoted, _quoted)


def _dump(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=100000)


def go_literal(text: str) -> Quoted:
    """User text for a field Alertmanager renders as a Go template (email `to`, Slack
    `channel`, Opsgenie responder): `{{` would open an action, so it is written as
    the action that prints it."""
    return Quoted(text.replace("{{", '{{ "{{" }}'))


def matcher(label: str, value: str) -> Quoted:
    """`label="value"` in Alertmanager's matcher syntax (escapes `\\`, `"` and newlines)."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return Quoted(f'{label}="{escaped}"')


# YAML forbids non-printable characters even in comments, and NEL/LS/PS end a line.
_YAML_UNSAFE = re.compile("[^\t\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def comment_text(text: str) -> str:
    """User text inside a `#` comment: one line, quoted, nothing YAML would act on."""
    quoted = json.dumps(text, ensure_ascii=False)
    return _YAML_UNSAFE.sub(lambda m: "\\u%04x" % ord(m.group()) if ord(m.group()) < 0x10000
                            else "\\U%08x" % ord(m.group()), quoted)


# The model -> routing -------------------------------------------------------------


@dataclass
class SecretFile:
    path: str
    what: str  # generated words with user text already comment-safe
    receiver: str


@dataclass
class OwnerRouting:
    owner: Owner
    secrets: dict[tuple[str, str], SecretFile] = field(default_factory=dict)

    @property
    def notify(self) -> str:
        # Tickets of an owner that only declares `page` go to its page receivers,
        # which Pagerduty and Opsgenie get as low urgency (see the severity maps).
        if not self.owner.notify and self.owner.page:
            return f"{self.owner.id}-page"
        return f"{self.owner.id}-notify"

    @property
    def page(self) -> str:
        return f"{self.owner.id}-page" if self.owner.page else self.notify

    @property
    def manager(self) -> str:
        return f"{self.owner.id}-manager"


def _check_id(kind: str, value: str) -> str:
    # Ids reach matchers and file names; the grammar guarantees their shape.
    if not _ID.fullmatch(value):
        raise ValueError(f"{kind} id {value!r} is not an identifier")
    return value


def _secret_files(owner: Owner, secrets_dir: str) -> dict[tuple[str, str], SecretFile]:
    """One file per distinct (kind, target) of the owner: `<owner>-<kind>`, then
    `<owner>-<kind>-2`, ... in declaration order (notify first)."""
    files: dict[tuple[str, str], SecretFile] = {}
    per_kind: dict[str, int] = {}
    for role, receivers in (("notify", owner.notify), ("page", owner.page)):
        for receiver in receivers:
            key = (receiver.kind, receiver.target)
            if receiver.kind not in _SECRET_KINDS or key in files:
                continue
            per_kind[receiver.kind] = per_kind.get(receiver.kind, 0) + 1
            n = per_kind[receiver.kind]
            name = f"{owner.id}-{receiver.kind}" + (f"-{n}" if n > 1 else "")
            what = _SECRET_KINDS[receiver.kind][1].format(target=comment_text(receiver.target))
            files[key] = SecretFile(f"{secrets_dir.rstrip('/')}/{name}", what, f"{owner.id}-{role}")
    return files


def _integration(owner: Owner, receiver: Receiver, routing: OwnerRouting) -> tuple[str, dict[str, Any]]:
    """(`<kind>_configs` key, one config) for a declared receiver."""
    kind, target = receiver.kind, receiver.target
    if kind == "email":
        return "email_configs", {"to": go_literal(target), "send_resolved": True}
    if kind == "webhook":
        # The checker accepted only URLs Alertmanager loads (touchdsl.addresses, TD310).
        return "webhook_configs", {"url": Quoted(target), "send_resolved": True}
    secret = routing.secrets[(kind, target)].path
    field_name = _SECRET_KINDS[kind][0]
    if kind == "slack":
        return "slack_configs", {field_name: Quoted(secret), "channel": go_literal(target), "send_resolved": True}
    if kind == "pagerduty":
        return "pagerduty_configs", {field_name: Quoted(secret), "severity": Quoted(PAGERDUTY_SEVERITY),
                                     "send_resolved": True}
    if kind == "opsgenie":
        return "opsgenie_configs", {field_name: Quoted(secret),
                                    "responders": [{"name": go_literal(target), "type": "team"}],
                                    "priority": Quoted(OPSGENIE_PRIORITY), "send_resolved": True}
    raise TypeError(f"unknown receiver kind {kind}")  # pragma: no cover


def _receiver(name: str, owner: Owner, receivers: list[Receiver], routing: OwnerRouting) -> dict[str, Any]:
    out: dict[str, Any] = {"name": Quoted(name)}
    for receiver in receivers:
        key, config = _integration(owner, receiver, routing)
        out.setdefault(key, []).append(config)
    return out


@dataclass(frozen=True)
class EscalationRoute:
    touchpoint: Touchpoint
    receiver: str
    on: str  # "breach" | "risk"

    def route(self) -> dict[str, Any]:
        matchers = [matcher("touchpoint", self.touchpoint.id)]
        if self.on == "breach":
            matchers.append(matcher("severity", PAGE))
        return {"receiver": Quoted(self.receiver), "matchers": matchers, "continue": True}


def _escalations(project: Project, owner: Owner, routing: dict[str, OwnerRouting]) -> list[EscalationRoute]:
    """Escalation routes of the owner's touchpoints; `on risk` covers `on breach` to
    the same receiver, so only one route is kept per touchpoint and receiver."""
    out: list[EscalationRoute] = []
    for touchpoint in project.touchpoints_of(owner.id):
        _check_id("touchpoint", touchpoint.id)
        chosen: dict[str, str] = {}
        for escalation in touchpoint.escalations:
            if escalation.to == "manager":
                if owner.manager is None:  # the checker rejects this (TD308)
                    continue
                receiver = routing[owner.id].manager
            elif escalation.to == owner.id:  # its alerts reach it anyway
                continue
            else:
                receiver = routing[escalation.to].notify
            if chosen.get(receiver) != "risk":
                chosen[receiver] = escalation.on
        out.extend(EscalationRoute(touchpoint, receiver, on) for receiver, on in chosen.items())
    return out


def _owner_route(owner: Owner, escalations: list[EscalationRoute], routing: OwnerRouting) -> dict[str, Any]:
    children = [e.route() for e in escalations]
    children.append({"receiver": Quoted(routing.page), "matchers": [matcher("severity", PAGE)]})
    # Tickets are worked in office hours: a daily reminder is enough.
    children.append({"receiver": Quoted(routing.notify), "repeat_interval": "1d"})
    return {"receiver": Quoted(routing.notify), "matchers": [matcher("owner", owner.id)], "routes": children}


def _header(project: Project, routing: dict[str, OwnerRouting], smtp: tuple[str, str] | None) -> str:
    lines = [
        "Alertmanager routing generated by touchdsl from the project's owners and escalations.",
        "Do not edit: change the .touch files and build again.",
        "",
        "Alerts carry owner, touchpoint, metric, objective and severity: page = the promise is being",
        "broken (customers are failed), ticket = the internal target is at risk (the early warning).",
        "Each owner's pages go to <owner>-page (<owner>-notify when it declares no page receiver),",
        "its tickets to <owner>-notify (<owner>-page when it declares only page receivers);",
        "escalations also reach <owner>-manager (the manager's email)",
        "or another owner's notify receiver. Alerts without a known owner go to `unrouted`,",
        "which notifies nobody: give it a receiver when this file is merged into a shared setup.",
    ]
    secrets = [s for r in routing.values() for s in r.secrets.values()]
    lines.append("")
    if secrets:
        lines.append("Secret files (one value each, readable only by the alertmanager user), read when")
        lines.append("a notification is sent, never written here:")
        for s in secrets:
            lines.append(f"  {s.path}: {s.what} (receiver {s.receiver})")
    else:
        lines.append("Secret files: none (no Slack, PagerDuty or Opsgenie receiver).")
    silent = [r.owner.id for r in routing.values() if not r.owner.notify and not r.owner.page]
    if silent:
        lines.append("")
        lines.append("Owners without any receiver (the checker warns, TD901): their <owner>-notify has no")
        lines.append("integration, so their own alerts reach nobody; escalations still do.")
        lines.append("  " + ", ".join(silent))
    if any(rcv.kind == "webhook" for r in routing.values() for rcv in (*r.owner.notify, *r.owner.page)):
        lines.append("")
        lines.append("Webhook URLs are written as declared: Alertmanager 0.25 has no webhook url_file")
        lines.append("(0.26 and later do); keep credentials out of webhook URLs.")
    if smtp is not None:
        lines.append("")
        lines.append(f"Email goes through the SMTP relay {smtp[0]} from {smtp[1]} (build options")
        lines.append("alertmanager.smtp_smarthost / alertmanager.smtp_from).")
    return "".join(f"# {line}".rstrip() + "\n" for line in lines)


def render(project: Project, options: BuildOptions) -> dict[str, bytes]:
    secrets_dir = options.setting("alertmanager.secrets_dir")
    routing: dict[str, OwnerRouting] = {}
    for owner in project.owners.values():
        _check_id("owner", owner.id)
        routing[owner.id] = OwnerRouting(owner, _secret_files(owner, secrets_dir))

    routes = []
    receivers: list[dict[str, Any]] = [{"name": Quoted(UNROUTED)}]
    uses_email = False
    for owner in project.owners.values():
        r = routing[owner.id]
        escalations = _escalations(project, owner, routing)
        routes.append(_owner_route(owner, escalations, r))
        if owner.notify or not owner.page:
            receivers.append(_receiver(r.notify, owner, owner.notify, r))
        if owner.page:
            receivers.append(_receiver(r.page, owner, owner.page, r))
        if any(e.receiver == r.manager for e in escalations):
            assert owner.manager is not None
            receivers.append({"name": Quoted(r.manager),
                              "email_configs": [{"to": go_literal(owner.manager.email), "send_resolved": True}]})
            uses_email = True
        uses_email |= any(rcv.kind == "email" for rcv in (*owner.notify, *owner.page))

    config: dict[str, Any] = {}
    smtp = None
    if uses_email:
        smtp = (options.setting("alertmanager.smtp_smarthost"), options.setting("alertmanager.smtp_from"))
        config["global"] = {"smtp_smarthost": Quoted(smtp[0]), "smtp_from": Quoted(smtp[1])}
    config["route"] = {
        "receiver": Quoted(UNROUTED),
        "group_by": GROUP_BY,
        "group_wait": "30s",
        "group_interval": "5m",
        "repeat_interval": "4h",
        "routes": routes,
    }
    # While a metric's promise pages, the tickets of its target say nothing new.
    config["inhibit_rules"] = [{
        "source_matchers": [matcher("severity", PAGE)],
        "target_matchers": [matcher("severity", TICKET)],
        "equal": ["touchpoint", "metric"],
    }]
    config["receivers"] = receivers
    text = _header(project, routing, smtp) + _dump(config)
    return {OUTPUT: text.encode("utf-8")}
