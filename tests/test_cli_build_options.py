"""`build --set` passes target options; receivers are validated before any target runs."""

from __future__ import annotations


import pytest
import yaml
from click.testing import CliRunner

from tests.paths import REPO
from touchdsl.cli import cli
from touchdsl.targets import SETTINGS, TARGETS, BuildOptions, read_settings



def test_set_reaches_the_alertmanager_target(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(REPO / "examples/telecom"), "-o", str(out), "-t", "alertmanager",
                                      "--set", "alertmanager.smtp_smarthost=mail.example.com:587"])
    assert result.exit_code == 0, result.output
    config = yaml.safe_load((out / "alertmanager/alertmanager.yml").read_text(encoding="utf-8"))
    assert config["global"]["smtp_smarthost"] == "mail.example.com:587"


def test_set_without_equals_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(cli, ["build", str(REPO / "examples/telecom"), "-o", str(tmp_path), "--set", "oops"])
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
    result = CliRunner().invoke(cli, ["build", str(REPO / "examples/telecom"), "-o", str(out), "-t", "prometheus",
                                      "--set", "policy_url=https://sla.example.com/policy"])
    assert result.exit_code == 0, result.output
    rules = (out / "prometheus/home_internet.rules.yml").read_text(encoding="utf-8")
    assert "https://sla.example.com/policy/field_ops.html#technical_fault-answer" in rules
    assert "../policy/" not in rules


def _build(tmp_path, *settings: str):
    out = tmp_path / "out"
    args = ["build", str(REPO / "examples/telecom"), "-o", str(out)]
    for setting in settings:
        args += ["--set", setting]
    return CliRunner().invoke(cli, args), out


def test_an_unknown_key_is_a_usage_error_naming_the_key_meant(tmp_path):
    result, out = _build(tmp_path, "alertmanager.smtp_smarthst=mail.example.com:25")
    assert result.exit_code == 2
    assert "unknown option `alertmanager.smtp_smarthst`" in result.output
    assert "Did you mean `alertmanager.smtp_smarthost`?" in result.output
    assert not out.exists()


@pytest.mark.parametrize("setting, problem", [
    ("policy_url=javascript:alert(document.cookie)", "not an http:// or https:// address"),
    ("policy_url=data:text/html,<script>", "not an http:// or https:// address"),
    ("policy_url=https://sla.example.com/\npolicy", "line break"),
    ("alertmanager.smtp_from=a@b.c\nglobal: {x: 1}", "line break"),
    ("alertmanager.smtp_from=ops.example.com", "not an e-mail address"),
    ("alertmanager.smtp_smarthost=mail.example.com", "not host:port"),
    ("alertmanager.smtp_smarthost=mail.example.com:99999", "port"),
    ("alertmanager.smtp_smarthost=mail:25\n  x: y", "line break"),
    ("alertmanager.secrets_dir=/etc/secrets\u0085x", "control character"),
    ("alertmanager.secrets_dir=", "empty"),
])
def test_values_a_target_could_not_write_safely_are_refused(tmp_path, setting, problem):
    result, out = _build(tmp_path, setting)
    assert result.exit_code == 2, result.output
    assert problem in result.output
    assert not out.exists()


@pytest.mark.parametrize("setting", [
    "policy_url=https://sla.example.com/policy", "policy_url=../../policy", "policy_url=http://intranet:8080/sla",
    "alertmanager.smtp_from=alerts@example.com", "alertmanager.smtp_smarthost=[::1]:25",
    "alertmanager.secrets_dir=/run/secrets/alertmanager",
])
def test_values_of_the_declared_types_are_accepted(tmp_path, setting):
    result, out = _build(tmp_path, setting)
    assert result.exit_code == 0, result.output
    assert (out / "alertmanager" / "alertmanager.yml").is_file()


def test_every_default_passes_its_own_check():
    for setting in SETTINGS.values():
        assert setting.problem(setting.default) is None, setting.key
    assert read_settings([f"{s.key}={s.default}" for s in SETTINGS.values()])


def test_library_callers_are_held_to_the_same_checks():
    with pytest.raises(ValueError, match="policy_url"):
        BuildOptions(policy_url="javascript:alert(1)")
    with pytest.raises(ValueError, match="unknown option"):
        BuildOptions(extra={"alertmanager.smtp_smarthst": "x:1"})
    with pytest.raises(ValueError, match="line break"):
        BuildOptions(extra={"alertmanager.smtp_from": "a@b.c\nglobal: {}"})


def test_docs_list_exactly_the_declared_options():
    """docs/targets.md's option table is the registry, row for row."""
    text = (REPO / "docs" / "targets.md").read_text(encoding="utf-8")
    section = text.split("## Options (`--set KEY=VALUE`)", 1)[1].split("\n## ", 1)[0]
    rows = [[cell.strip() for cell in line.strip("|").split("|")]
            for line in section.splitlines() if line.startswith("| `")]
    readers = {key: sorted(name for name, t in TARGETS.items() if any(s.key == key for s in t.settings))
               for key in SETTINGS}
    documented = {row[0].strip("`"): row for row in rows}
    assert sorted(documented) == sorted(SETTINGS)
    for key, setting in SETTINGS.items():
        _, kind, default, read_by, description = documented[key]
        assert kind == setting.type, key
        assert default == (f"`{setting.default}`" if setting.default else "(none)"), key
        assert sorted(r.strip() for r in read_by.split(",")) == readers[key], key
        assert description == setting.description, key
