"""`build --set` passes target options; receivers are validated before any target runs."""

from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner

from touchdsl.cli import cli

ROOT = Path(__file__).resolve().parent.parent


def test_set_reaches_the_alertmanager_target(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(ROOT / "examples/telecom"), "-o", str(out), "-t", "alertmanager",
                                      "--set", "alertmanager.smtp_smarthost=mail.example.com:587"])
    assert result.exit_code == 0, result.output
    config = yaml.safe_load((out / "alertmanager/alertmanager.yml").read_text(encoding="utf-8"))
    assert config["global"]["smtp_smarthost"] == "mail.example.com:587"


def test_set_without_equals_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(cli, ["build", str(ROOT / "examples/telecom"), "-o", str(tmp_path), "--set", "oops"])
    assert result.exit_code == 2
    assert "KEY=VALUE" in result.output
    assert not any(tmp_path.iterdir())


def test_webhook_and_email_receivers_are_checked(tmp_path):
    (tmp_path / "o.touch").write_text(
        'owner ops "Ops" {\n'
        '    notify webhook "not a url"\n'
        '    notify email "ops.example.com"\n'
        '    page webhook "https://hooks.example.com/x"\n'
        '}\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(tmp_path), "--format", "json"])
    assert result.exit_code == 1
    import json

    found = [(d["code"], d["line"], d["column"]) for d in json.loads(result.output)["diagnostics"]]
    assert ("TD310", 2, 20) in found
    assert ("TD310", 3, 18) in found
    assert not any(line == 4 for _, line, _ in found)


def test_set_policy_url_reaches_the_alert_links(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(ROOT / "examples/telecom"), "-o", str(out), "-t", "prometheus",
                                      "--set", "policy_url=https://sla.example.com/policy"])
    assert result.exit_code == 0, result.output
    rules = (out / "prometheus/home_internet.rules.yml").read_text(encoding="utf-8")
    assert "https://sla.example.com/policy/field_ops.html#technical_fault-answer" in rules
    assert "../policy/" not in rules
