"""Alert scenarios as data: `tests/scenarios/*.yml`, one file per scenario, run through
`promtool test rules` against the rules touchdsl generates for the scenario project
(`tests/scenarios/project/`).

A scenario feeds the series producers emit (as the contract names them) and says, at
each moment it looks, which alerts of its metric fire; **every other alert of that
metric must be silent then**, so a scenario proves silence as much as firing:

```yaml
about: the target exactly met, steadily, pages no one and raises no ticket
metric: answer                 # the metric of the touchpoint `repair` (or `updates`)
interval: 1m                   # the step of the input series
evaluation_interval: 1m        # how often the rules are evaluated (default 1m)
series:                        # promtool input series, written out
  - series: 'touch_duration_seconds_count{touchpoint="repair",metric="answer"}'
    values: '0+100x120'
expect:                        # at each time: the alerts firing (alert, severity)
  - at: 2h
    firing: []
  - at: 3h
    firing:
      - {alert: TouchPromiseBurn, severity: page}
```

The labels and annotations an alert must carry are the rule plan's own; the scenario
names only the alert and its severity. Each scenario loads the rules of its metric only,
so it stays quick.
"""

from __future__ import annotations

import functools
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

import touchdsl
from tests.paths import REPO
from tests.tools import require_tool
from touchdsl.documents.escape import dump_yaml
from touchdsl.slo.rules import Group, groups
from touchdsl.targets import BuildOptions
from touchdsl.targets.prometheus import rules_file

SCENARIOS = REPO / "tests" / "scenarios"
PROJECT = SCENARIOS / "project"
FILES = sorted(SCENARIOS.glob("*.yml"))
_KEYS = {"about", "metric", "interval", "evaluation_interval", "series", "expect"}


@functools.lru_cache(maxsize=1)
def plan() -> dict[str, Group]:
    project = touchdsl.load([str(PROJECT)])
    return {rules.labels["metric"]: rules for rules in groups(project, BuildOptions())}


def load(path: Path) -> dict[str, Any]:
    scenario = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert set(scenario) <= _KEYS and {"about", "metric", "series", "expect"} <= set(scenario), path.name
    assert scenario["metric"] in plan(), f"{path.name}: no metric `{scenario['metric']}` in the project"
    return scenario


def promtool_test(scenario: dict[str, Any]) -> dict[str, Any]:
    """The promtool test of a scenario: every alert of its metric checked at every time."""
    rules = plan()[scenario["metric"]]
    names = list(dict.fromkeys(alert.name for alert in rules.alerts))
    checks = []
    for moment in scenario["expect"]:
        wanted = [(f["alert"], f["severity"]) for f in moment["firing"] or []]
        known = {(a.name, a.severity) for a in rules.alerts}
        assert set(wanted) <= known, f"unknown alerts {set(wanted) - known}; the metric has {sorted(known)}"
        for name in names:
            firing = [a for a in rules.alerts if (a.name, a.severity) in wanted and a.name == name]
            checks.append({"eval_time": moment["at"], "alertname": name,
                           "exp_alerts": [{"exp_labels": dict(a.labels), "exp_annotations": dict(a.annotations)}
                                          for a in firing]})
    return {"rule_files": ["rules.yml"],
            "evaluation_interval": scenario.get("evaluation_interval", "1m"),
            "tests": [{"name": scenario["about"], "interval": scenario.get("interval", "1m"),
                       "input_series": scenario["series"], "alert_rule_test": checks}]}


def test_there_are_scenarios_for_every_kind_and_both_tiers():
    covered = {load(path)["metric"] for path in FILES}
    assert covered == set(plan()), set(plan()) - covered
    fired = {(load(path)["metric"], f["alert"], f["severity"])
             for path in FILES for moment in load(path)["expect"] for f in moment["firing"] or []}
    for metric, rules in plan().items():
        for alert in rules.alerts:
            assert (metric, alert.name, alert.severity) in fired, f"no scenario fires {metric} {alert.name}"


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_scenario(path: Path, tmp_path: Path):
    scenario = load(path)
    tool = require_tool("promtool")
    (tmp_path / "rules.yml").write_bytes(rules_file([plan()[scenario["metric"]]]))
    (tmp_path / "scenario.test.yml").write_bytes(dump_yaml(promtool_test(scenario)))
    run = subprocess.run([tool, "test", "rules", "scenario.test.yml"], cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, f"{path.name}: {scenario['about']}\n{run.stdout[-6000:]}{run.stderr[-2000:]}"
