"""A target never refuses what `check` accepted: every rule is a check.

Every project `check` accepts is built with every target through the command
line and must exit 0: the examples and the hostile fixture, every rule case
that has no error, adversarial sources (URLs, queries, numbers and texts at
the edges of what the checker allows) and generated projects. The adversarial
outputs are also handed to the real tools (`amtool check-config`, `promtool
check rules`), since a target that writes what the tool rejects refuses too,
only later.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings

from tests.paths import FIXTURES
from tests.projects import PROJECTS
from tests.rules import cases
from tests.test_alertmanager import WEBHOOK_URLS
from tests.test_fmt_properties import messy_file
from tests.tools import require_tool
from touchdsl.addresses import http_url_problem
from touchdsl.cli import cli
from touchdsl.tools.fmt import quote

OWNERS = (FIXTURES.parent / "rules" / "_common" / "owners.touch").read_text(encoding="utf-8")


def check_then_build(root: Path, out: Path) -> tuple[bool, str]:
    """(check accepted, output); when it accepted, every target must build."""
    runner = CliRunner()
    checked = runner.invoke(cli, ["check", str(root)])
    assert checked.exit_code in (0, 1), checked.output
    if checked.exit_code != 0:
        return False, checked.output
    built = runner.invoke(cli, ["build", str(root), "-o", str(out)])
    assert built.exit_code == 0, f"check accepted {root} but build refused it:\n{built.output}"
    assert "built " in built.output and (out / "json" / "model.json").is_file()
    return True, built.output


@pytest.mark.parametrize("name", PROJECTS)
def test_every_project_builds_every_target(tmp_path, name):
    accepted, output = check_then_build(PROJECTS[name], tmp_path / "out")
    assert accepted, output


ACCEPTED_CASES = [c for c in cases() if not any(e["code"] < "TD9" for e in c.expect)]


@pytest.mark.parametrize("case", ACCEPTED_CASES, ids=[c.id for c in ACCEPTED_CASES])
def test_every_accepted_rule_case_builds_every_target(tmp_path, case):
    root = tmp_path / "case"
    root.mkdir()
    paths = case.write(root)
    if paths != [str(root / ".")]:
        pytest.skip("the case checks a part of its folder")
    accepted, output = check_then_build(root, tmp_path / "out")
    assert accepted, output


# Adversarial sources: each is added to a project with two owners, and must pass check.
QUERIES = [
    "sum(rate(x_good[{{window}}])) > 0",
    "rate(x_good[{{window}}] offset {{window}})",
    "vector(1)",
    'label_replace(rate(x[{{window}}]), "a", "$1", "b", "(.*)")',
    'rate(x{a="{{ 7*7 }}", b="\\"q\\" \\\\", c="\u05d0"}[{{window}}])',
    "sum by (le) (rate(x_bucket[{{window}}]))",
    "max_over_time(rate(x[5m])[{{window}}:1m])",
    "rate(x[{{window}}]) or on() vector(0)",
]
TITLES = ['{{ .Alerts }} $labels ${__user.login} [[x]]', "*_`~|<>&#!:", "\u202etxet\u202c \u200b ✓ 🚀",
          "א" * 300, 'line\nbreak\ttab " \\ }} or vector(1) #']


def _metric(i: int, body: str, title: str = "M") -> str:
    return f"    metric m{i} {quote(title)} {{\n" + "".join(f"        {line}\n" for line in body.splitlines()) + "    }\n"


def adversarial_sources() -> dict[str, str]:
    out: dict[str, str] = {}
    metrics = [
        "time from s.start to s.end\npromise 0% within 1ms\ntarget 0.001% within 1ms",
        "time from s.start to s.end\npromise 100% within 90d\nwindow 1ms",
        "time from s.start to s.end\npromise 99.999% within 1.5s\ntarget 100% within 1s\nwindow 1d",
        "ratio x of y\npromise at most 0%",
        "ratio x of y\npromise at least 100%",
        "ratio x of y\npromise at most 100%\ntarget at most 0.5%",
        "score 0..1\npromise average at least 0",
        "score 0..1\npromise 100% at least 1",
        "score 1.5..4.5\npromise 50% at least 2.5",
        "nps\npromise at least -100",
        "nps\npromise at least 100",
        "count c per 1ms\npromise at most 0",
        "count c per 90d\npromise at most 1000000",
    ]
    for i, q in enumerate(QUERIES):
        metrics.append("time from s.start to s.end\npromise 80% within 1h\nsource prometheus {\n"
                       f'    good {quote(q)}\n    total "sum(rate(x_total[{{{{window}}}}]))"\n}}')
    body = "".join(_metric(i, m, TITLES[i % len(TITLES)]) for i, m in enumerate(metrics))
    out["edges.touch"] = (f"touchpoint t {quote(TITLES[0])} {{\n    owner field_ops\n    expectation {quote(TITLES[1])}\n"
                          f"    step s {quote(TITLES[2])}\n{body}}}\n")
    # What the checker accepts: URLs Alertmanager loads (TD310) with no user part (TD315).
    webhooks = [u for u in WEBHOOK_URLS if http_url_problem(u) is None and "@" not in urlsplit(u).netloc]
    out["hooks.touch"] = 'owner hooks "Hooks" {\n' + "".join(
        f"    notify webhook {quote(u)}\n" for u in webhooks) + "}\n"
    return out


@pytest.mark.tools
def test_adversarial_projects_build_and_the_tools_load_the_outputs(tmp_path):
    amtool, promtool = require_tool("amtool"), require_tool("promtool")
    root = tmp_path / "project"
    root.mkdir()
    (root / "owners.touch").write_text(OWNERS, encoding="utf-8")
    for name, text in adversarial_sources().items():
        (root / name).write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    accepted, output = check_then_build(root, out)
    assert accepted, output
    run = subprocess.run([amtool, "check-config", str(out / "alertmanager" / "alertmanager.yml")],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    rules = sorted((out / "prometheus").glob("*.rules.yml"))
    run = subprocess.run([promtool, "check", "rules", *map(str, rules)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(text=messy_file())
def test_generated_projects_that_check_accepts_build(tmp_path_factory, text):
    root = tmp_path_factory.mktemp("generated")
    (root / "main.touch").write_text(text, encoding="utf-8")
    check_then_build(root, root.parent / (root.name + "-out"))
