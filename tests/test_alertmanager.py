"""The `alertmanager` target: the configuration passes `amtool check-config`, and
`amtool config routes test` sends every owner's alerts of the example projects to
that owner's receivers and the escalations to whom the touchpoint names."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

import touchdsl
from tests.projects import PROJECTS
from tests.tools import require_tool
from touchdsl.model import (
    Escalation,
    Location,
    Manager,
    Owner,
    Project,
    Receiver,
    Touchpoint,
)
from touchdsl.targets import BuildOptions, alertmanager

SEVERITIES = ("page", "ticket")

HERE = Location(file="t.touch", line=1, column=1)


def _load(name: str) -> Project:
    return touchdsl.load([str(PROJECTS[name])])


def _render(project: Project, **extra: str) -> str:
    files = alertmanager.render(project, BuildOptions(extra=extra))
    assert list(files) == ["alertmanager/alertmanager.yml"]
    return files["alertmanager/alertmanager.yml"].decode("utf-8")


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "alertmanager.yml"
    path.write_text(text, encoding="utf-8")
    return path


def _check_config(config: Path) -> None:
    amtool = require_tool("amtool")
    run = subprocess.run([amtool, "check-config", str(config)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "SUCCESS" in run.stdout


def _routes(config: Path, **labels: str) -> list[str]:
    """Receivers `amtool config routes test` resolves the label set to, in tree order."""
    amtool = require_tool("amtool")
    args = [amtool, "config", "routes", "test", f"--config.file={config}",
            *(f"{k}={v}" for k, v in labels.items())]
    run = subprocess.run(args, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    return run.stdout.strip().split(",")


def expected_receivers(project: Project, owner: Owner, touchpoint: Touchpoint | None, severity: str) -> set[str]:
    """What the issue asks for, worked out from the model independently of the target."""
    def notify(o: Owner) -> str:
        return f"{o.id}-page" if o.page and not o.notify else f"{o.id}-notify"

    out = {f"{owner.id}-page" if severity == "page" and owner.page else notify(owner)}
    for escalation in touchpoint.escalations if touchpoint else ():
        if severity == "page" or escalation.on == "risk":
            out.add(f"{owner.id}-manager" if escalation.to == "manager"
                    else notify(project.owners[escalation.to]))
    return out


def _owner(id: str, *, notify=(), page=(), manager: Manager | None = None, title: str | None = None) -> Owner:
    return Owner(id=id, title=title or id, manager=manager, notify=[Receiver(kind=k, target=t) for k, t in notify],
                 page=[Receiver(kind=k, target=t) for k, t in page], location=HERE)


def _touchpoint(id: str, owner: str, escalations=(), title: str | None = None) -> Touchpoint:
    return Touchpoint(id=id, title=title or id, owner=owner, expectation="It works.",
                      escalations=[Escalation(to=to, on=on) for to, on in escalations], location=HERE)


def _project(owners: list[Owner], touchpoints: list[Touchpoint]) -> Project:
    return Project(files=["t.touch"], owners={o.id: o for o in owners},
                   touchpoints={t.id: t for t in touchpoints})


# Every example project -----------------------------------------------------------


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_examples_pass_amtool_check_config(name, tmp_path):
    _check_config(_write(tmp_path, _render(_load(name))))


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_every_owners_alerts_reach_its_receivers_and_escalations(name, tmp_path):
    project = _load(name)
    config = _write(tmp_path, _render(project))
    cases = 0
    for owner in project.owners.values():
        for touchpoint in [*project.touchpoints_of(owner.id), None]:
            for severity in SEVERITIES:
                labels = {"owner": owner.id, "severity": severity, "alertname": "TouchPromiseBurn",
                          "metric": "m"}
                if touchpoint is not None:
                    labels["touchpoint"] = touchpoint.id
                got = _routes(config, **labels)
                assert len(got) == len(set(got)), got
                assert set(got) == expected_receivers(project, owner, touchpoint, severity), labels
                cases += 1
    assert cases >= 2 * len(project.owners)


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_every_generated_alert_is_routed_by_its_tier(name, tmp_path):
    """The labels of every alert the prometheus target writes, through `amtool config
    routes test`: the promise's pages reach the owner's pager (and the manager with
    `escalate to manager on breach`), the target's tickets the owner's notify
    receivers, and every alert reaches someone of its own owner."""
    from touchdsl.slo.rules import groups

    project = _load(name)
    config = _write(tmp_path, _render(project))
    seen: dict[tuple[str, ...], None] = {}
    for rules in groups(project, BuildOptions()):
        for alert in rules.alerts:
            labels = {"alertname": alert.name, **alert.labels}
            key = tuple(sorted(labels.items()))
            if key in seen:
                continue
            seen[key] = None
            assert labels["severity"] == ("page" if labels["objective"] == "promise" else "ticket") or (
                labels["severity"] == "ticket" and alert.judged is not None and alert.judged.op == ">"), labels
            owner = project.owners[labels["owner"]]
            touchpoint = project.touchpoints[labels["touchpoint"]]
            got = _routes(config, **labels)
            assert set(got) == expected_receivers(project, owner, touchpoint, labels["severity"]), labels
    assert seen


def test_the_examples_escalate_as_written(tmp_path):
    """Spot checks against the .touch sources, so the expectation helper is not the
    only statement of the rules."""
    health = _write(tmp_path, _render(_load("health")))
    # complaint: `escalate to manager on breach`, `escalate to clinics on risk`
    assert set(_routes(health, owner="patient_relations", touchpoint="complaint", severity="page")) == {
        "patient_relations-manager", "clinics-notify", "patient_relations-notify"}
    assert set(_routes(health, owner="patient_relations", touchpoint="complaint", severity="ticket")) == {
        "clinics-notify", "patient_relations-notify"}
    # lab has no page receiver: pages fall back to notify; `on risk` tells the manager of tickets too
    assert set(_routes(health, owner="lab", touchpoint="lab_results", severity="ticket")) == {
        "lab-manager", "lab-notify"}
    banking = tmp_path / "banking.yml"
    banking.write_text(_render(_load("banking")), encoding="utf-8")
    assert set(_routes(banking, owner="payments", touchpoint="bank_transfer", severity="page")) == {
        "payments-manager", "payments-page"}


def test_alerts_of_no_known_owner_reach_the_unrouted_receiver(tmp_path):
    config = _write(tmp_path, _render(_load("telecom")))
    assert _routes(config, owner="nobody", severity="page") == ["unrouted"]
    assert _routes(config, severity="page") == ["unrouted"]
    assert "name: 'unrouted'\n" in config.read_text()


@pytest.mark.parametrize("name", ["telecom", "banking", "health"])
def test_receivers_hold_what_each_owner_declares(name):
    project = _load(name)
    config = yaml.safe_load(_render(project))
    receivers = {r["name"]: r for r in config["receivers"]}
    for owner in project.owners.values():
        for role, declared in (("notify", owner.notify), ("page", owner.page)):
            if not declared:
                # no page: pages go to notify; no notify: tickets go to page
                assert f"{owner.id}-{role}" not in receivers or (role == "notify" and not owner.page)
                continue
            got = receivers[f"{owner.id}-{role}"]
            targets = []
            for key, configs in got.items():
                if key == "name":
                    continue
                kind = key.removesuffix("_configs")
                for c in configs:
                    target = {"email": lambda: c["to"], "slack": lambda: c["channel"],
                              "webhook": lambda: c["url"], "pagerduty": lambda: None,
                              "opsgenie": lambda: c["responders"][0]["name"]}[kind]()
                    targets.append((kind, target))
            want = [(r.kind, None if r.kind == "pagerduty" else r.target) for r in declared]
            assert sorted(targets, key=str) == sorted(want, key=str)
        managed = any(e.to == "manager" for t in project.touchpoints_of(owner.id) for e in t.escalations)
        if managed:
            assert receivers[f"{owner.id}-manager"]["email_configs"] == [
                {"to": owner.manager.email, "send_resolved": True}]
        else:
            assert f"{owner.id}-manager" not in receivers


SECRET_FIELDS = ("api_url_file", "routing_key_file", "service_key_file", "api_key_file")
INLINE_SECRETS = ("api_url", "routing_key", "service_key", "api_key", "auth_password", "slack_api_url",
                  "opsgenie_api_key", "smtp_auth_password")


def _walk(node):
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_secrets_are_files_listed_in_the_header_never_inline(name):
    text = _render(_load(name))
    config = yaml.safe_load(text)
    keys = [k for k, _ in _walk(config)]
    assert not set(keys) & set(INLINE_SECRETS)
    header = [line for line in text.splitlines() if line.startswith("#")]
    files = [v for k, v in _walk(config) if k in SECRET_FIELDS]
    for path in files:
        assert path.startswith("/etc/alertmanager/secrets/")
        assert any(line.startswith(f"#   {path}: ") for line in header), path


def test_pagerduty_severity_is_one_pagerduty_accepts():
    """PagerDuty rejects events whose severity is not critical/error/warning/info."""
    config = yaml.safe_load(_render(_load("telecom")))
    (pd,) = [c for r in config["receivers"] for c in r.get("pagerduty_configs", []) if "field_ops" in r["name"]]
    assert pd["routing_key_file"] == "/etc/alertmanager/secrets/field_ops-pagerduty"
    assert pd["severity"] == alertmanager.PAGERDUTY_SEVERITY


@pytest.mark.parametrize("severity, want", [("page", "critical"), ("ticket", "warning")])
def test_pagerduty_severity_template_maps_page_and_ticket(severity, want, tmp_path):
    amtool = require_tool("amtool")
    (tmp_path / "none.tmpl").write_text("")
    text = alertmanager.PAGERDUTY_SEVERITY.replace(".CommonLabels.severity", f'"{severity}"')
    run = subprocess.run([amtool, "template", "render", f"--template.glob={tmp_path / 'none.tmpl'}",
                          f"--template.text={text}"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == want


def test_output_is_deterministic():
    project = _load("health")
    assert _render(project) == _render(project)


# Hand-built projects: the cases the examples do not have ---------------------------


def test_owner_without_receivers_gets_a_valid_silent_receiver_and_escalations_still_work(tmp_path):
    project = _project(
        [_owner("quiet", manager=Manager(name="Boss", email="boss@example.com")),
         _owner("loud", notify=[("email", "loud@example.com")])],
        [_touchpoint("tp", "quiet", [("manager", "risk"), ("loud", "breach")])])
    text = _render(project)
    config = _write(tmp_path, text)
    _check_config(config)
    receivers = {r["name"]: r for r in yaml.safe_load(text)["receivers"]}
    assert receivers["quiet-notify"] == {"name": "quiet-notify"}
    assert "#   quiet\n" in text  # listed in the header as reaching nobody
    assert set(_routes(config, owner="quiet", touchpoint="tp", severity="page")) == {
        "quiet-manager", "loud-notify", "quiet-notify"}
    assert set(_routes(config, owner="quiet", touchpoint="tp", severity="ticket")) == {
        "quiet-manager", "quiet-notify"}


def test_breach_and_risk_to_the_same_manager_make_one_route(tmp_path):
    project = _project(
        [_owner("ops", notify=[("email", "ops@example.com")], manager=Manager(name="M", email="m@example.com"))],
        [_touchpoint("tp", "ops", [("manager", "breach"), ("manager", "risk")])])
    text = _render(project)
    assert text.count("receiver: 'ops-manager'") == 1
    config = _write(tmp_path, text)
    assert _routes(config, owner="ops", touchpoint="tp", severity="ticket") == ["ops-manager", "ops-notify"]


def test_several_receivers_of_one_kind_get_their_own_secret_files(tmp_path):
    project = _project(
        [_owner("ops", notify=[("slack", "#ops"), ("slack", "#ops-2"), ("pagerduty", "svc")],
                page=[("pagerduty", "svc"), ("slack", "#ops"), ("opsgenie", "team-a")])], [])
    text = _render(project, **{"alertmanager.secrets_dir": "/run/secrets/am/"})
    _check_config(_write(tmp_path, text))
    config = yaml.safe_load(text)
    receivers = {r["name"]: r for r in config["receivers"]}
    assert [c["api_url_file"] for c in receivers["ops-notify"]["slack_configs"]] == [
        "/run/secrets/am/ops-slack", "/run/secrets/am/ops-slack-2"]
    # the same service or channel in notify and page reads the same file
    assert receivers["ops-page"]["pagerduty_configs"][0]["routing_key_file"] == "/run/secrets/am/ops-pagerduty"
    assert receivers["ops-page"]["slack_configs"][0]["api_url_file"] == "/run/secrets/am/ops-slack"
    assert receivers["ops-page"]["opsgenie_configs"][0]["api_key_file"] == "/run/secrets/am/ops-opsgenie"
    assert "global" not in config  # no email receiver, so no SMTP settings


def test_smtp_relay_comes_from_the_build_options(tmp_path):
    project = _project([_owner("ops", notify=[("email", "ops@example.com")])], [])
    text = _render(project, **{"alertmanager.smtp_smarthost": "mail.example.com:587",
                               "alertmanager.smtp_from": "alerts@example.com"})
    assert yaml.safe_load(text)["global"] == {"smtp_smarthost": "mail.example.com:587",
                                              "smtp_from": "alerts@example.com"}
    _check_config(_write(tmp_path, text))


HOSTILE = [
    'a"b\'c',
    "{{ 7*7 }} {{ .CommonLabels.owner }} }}",
    "line\nexpr: vector(1)\n- name: injected",
    "tab\tback\\slash \u2028ls \u2029ps \x85nel \x7fdel \ufeffbom",
    "# not a comment: [x] {y} & *z !t |p >f %d @a `b`",
    "עברית \u202e RTL override",
    "\x1b[31m escape \x01 \x9b csi",
]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_titles_and_targets_stay_data(hostile, tmp_path):
    amtool = require_tool("amtool")
    owner = _owner("ops", title=hostile, manager=Manager(name=hostile, email=f"{hostile}@example.com"),
                   notify=[("email", hostile), ("slack", hostile)], page=[("opsgenie", hostile), ("pagerduty", hostile)])
    project = _project([owner], [_touchpoint("tp", "ops", [("manager", "breach")], title=hostile)])
    text = _render(project)
    config_path = _write(tmp_path, text)
    _check_config(config_path)
    assert _routes(config_path, owner="ops", touchpoint="tp", severity="page") == ["ops-manager", "ops-page"]

    # Comments stay comments: every line is a comment or part of the YAML document,
    # and the document is the same with the comment block removed.
    lines = text.split("\n")
    header = [line for line in lines if line.startswith("#")]
    assert lines[: len(header)] == header
    assert yaml.safe_load(text) == yaml.safe_load("\n".join(lines[len(header):]))

    config = yaml.safe_load(text)
    receivers = {r["name"]: r for r in config["receivers"]}
    templated = [receivers["ops-notify"]["email_configs"][0]["to"],
                 receivers["ops-notify"]["slack_configs"][0]["channel"],
                 receivers["ops-page"]["opsgenie_configs"][0]["responders"][0]["name"],
                 receivers["ops-manager"]["email_configs"][0]["to"]]
    want = [hostile, hostile, hostile, f"{hostile}@example.com"]
    # Alertmanager renders these as Go templates: they must print the text as written.
    (tmp_path / "none.tmpl").write_text("")
    for field, expected in zip(templated, want):
        run = subprocess.run([amtool, "template", "render", f"--template.glob={tmp_path / 'none.tmpl'}",
                              f"--template.text={field}"], capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        assert run.stdout.removesuffix("\n") == expected


def test_titles_never_change_the_configuration():
    def build(title: str) -> str:
        owner = _owner("ops", title=title, notify=[("email", "ops@example.com")],
                       manager=Manager(name=title, email="m@example.com"))
        return _render(_project([owner], [_touchpoint("tp", "ops", [("manager", "risk")], title=title)]))

    assert build("Ops") == build('Ops"} or vector(1) #\nexpr: vector(1) {{ 7*7 }}')


# What users write, and what Go's url.Parse (Alertmanager's) is strict about: scheme,
# host characters, %-escapes in host, user, path and fragment, ports, IPv6 zones.
WEBHOOK_URLS = [
    "hooks.example.org/lab", "ftp://example.org/x", "https:///path", "https://exa mple.org/",
    "https://example.org/%zz", "https://example.org/\nx", "https://hooks.example.com/a%zz",
    "https://hooks.example.com/a b", "https://hooks.example.com:99999/", "https://hooks.example.com:abc/",
    "HTTPS://hooks.example.com/x", "https://hooks.example.com/a?x=%zz", "https://hooks.example.com/#%zz",
    "https://[::1]/x", "https://[::1/x", "https://[::1]x/", "https://[::1]:80/", "https://user:pw@hooks.example.com/",
    "https://hooks.example.com/\u00e9", "https://bücher.example/", "https://a_b.example.com/",
    "https://hooks.example.com/{{x}}", "https://a<b.com/", "https://a{b.com/", "https://a|b.com/",
    "https://a%zzb.com/", "https://a%41b.com/", "https://a^b.com/", "https://a`b.com/", "https://a\\b.com/",
    "https://a@b@c.com/", "https://a b@c.com/", "https://a%20b@c.com/", "https://a%zz@c.com/",
    "https://a:b:c.com/", "https://c.com:/", "https://c.com:+1/", "https://[fe80::1%25en0]/",
    "https://[fe80::1%en0]/", "https://c.com/a%2", "https://c.com/?a=\u00ff", "https://c.com/\u200bx",
]


@pytest.mark.tools
def test_the_checker_accepts_only_webhooks_alertmanager_loads(tmp_path):
    """The checker's rule (`touchdsl.addresses`) against amtool itself: every URL it
    accepts loads, and it refuses the ones the issue found the build refusing."""
    from touchdsl.addresses import http_url_problem

    accepted = [url for url in WEBHOOK_URLS if http_url_problem(url) is None]
    assert "https://hooks.example.com/a%zz" not in accepted
    assert len(accepted) >= 10  # the rule is not refusing everything
    for url in accepted:
        project = _project([_owner("ops", notify=[("webhook", url)])], [])
        _check_config(_write(tmp_path, _render(project)))


@pytest.mark.parametrize("url", ["https://hooks.example.com/page?a=1&b={{ 7*7 }}", "http://localhost:9000/x#frag",
                                 "https://user@example.org:8443/p%20q?x=%zz"])
def test_webhooks_alertmanager_accepts_are_written_as_declared(url, tmp_path):
    project = _project([_owner("ops", notify=[("webhook", url)])], [])
    text = _render(project)
    _check_config(_write(tmp_path, text))
    receivers = {r["name"]: r for r in yaml.safe_load(text)["receivers"]}
    assert receivers["ops-notify"]["webhook_configs"] == [{"url": url, "send_resolved": True}]


def test_an_id_that_is_not_an_identifier_is_refused():
    project = _project([_owner('a"b', notify=[("email", "x@example.com")])], [])
    with pytest.raises(ValueError, match="not an identifier"):
        _render(project)


def test_matchers_escape_quotes_backslashes_and_newlines():
    assert alertmanager.matcher("owner", 'a"b\\c\nd') == 'owner="a\\"b\\\\c\\nd"'
    assert re.fullmatch(r'owner="[a-z_]+"', alertmanager.matcher("owner", "field_ops"))


def test_an_owner_with_only_page_receivers_gets_its_tickets_there(tmp_path):
    project = _project([_owner("ops", page=[("pagerduty", "ops-primary")]),
                        _owner("desk", notify=[("email", "desk@example.com")])],
                       [_touchpoint("tp", "desk", [("ops", "risk")])])
    text = _render(project)
    config = _write(tmp_path, text)
    _check_config(config)
    assert "ops-notify" not in {r["name"] for r in yaml.safe_load(text)["receivers"]}
    assert _routes(config, owner="ops", severity="ticket") == ["ops-page"]
    assert _routes(config, owner="ops", severity="page") == ["ops-page"]
    assert _routes(config, owner="desk", touchpoint="tp", severity="ticket") == ["ops-page", "desk-notify"]


def test_escalating_to_the_owner_itself_adds_nothing(tmp_path):
    project = _project([_owner("ops", notify=[("email", "ops@example.com")])],
                       [_touchpoint("tp", "ops", [("ops", "risk")])])
    config = _write(tmp_path, _render(project))
    assert _routes(config, owner="ops", touchpoint="tp", severity="ticket") == ["ops-notify"]
    assert _routes(config, owner="ops", touchpoint="tp", severity="page") == ["ops-notify"]
