"""Every dashboard query, run by promtool against the rules the `prometheus`
target writes, fed steady traffic on exactly the series the instrumentation
contract tells producers to emit, returns the one number that traffic means
(not nothing, not NaN): the expected value comes from an independent reading
of the model (shares of good events, averages, NPS, counts per period) pushed
through the query's own arithmetic.

Parsing and naming checks (tests/test_grafana.py) cannot see a panel that reads
a window the rules never record for that metric, or a division whose two sides
do not match on labels; Prometheus' own evaluation can.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import promql_parser
import pytest
import yaml

import touchdsl
from tests.projects import PROJECTS
from tests.tools import require_tool
from touchdsl.model import (
    BoundObjective,
    CountMetric,
    NpsMetric,
    RatioMetric,
    ScoreMetric,
    TimeMetric,
    limit_size,
    metric_key,
)
from touchdsl.slo import burnrate, naming, tiers
from touchdsl.slo import rules as slo_rules
from touchdsl.slo.contract import answer_values, le_spellings, metric_contract, updates_series
from touchdsl.slo.rules import good_percent
from touchdsl.targets import BuildOptions, grafana, prometheus

# Samples every 30m: enough for the 1h and longer windows the panels read.
INTERVAL = "30m"


# Open cases past a deadline, and cases waiting for an update, in every gauge.
GAUGE = 3


def _steady(series) -> list[tuple[str, dict[str, str], int, bool]]:
    """(name, labels, rate, gauge) of input series rising steadily from 0: histogram
    buckets rise more the higher their boundary (cumulative), the whole population
    more than its share; gauges hold GAUGE."""
    out = []
    for s in series:
        labels = dict(s.labels)
        if s.buckets:  # cumulative buckets: le=b_i counts i+1 cases per step
            for i, bound in enumerate(s.buckets):
                out.append((s.name, {**labels, "le": le_spellings(bound)[0]}, i + 1, False))
            out.append((s.name, {**labels, "le": "+Inf"}, len(s.buckets) + 1, False))
        elif s.name.endswith("_count"):
            out.append((s.name, labels, None, False))  # filled in below: the histogram's +Inf count
        else:
            out.append((s.name, labels, GAUGE if s.type == "gauge" else 1, s.type == "gauge"))
    steps = []
    inf = {tuple(sorted((k, v) for k, v in lab.items() if k != "le")): rate
           for name, lab, rate, _ in out if lab.get("le") == "+Inf"}
    for name, labels, rate, gauge in out:
        if rate is None:
            rate = inf[tuple(sorted(labels.items()))]
        steps.append((name, labels, rate, gauge))
    return steps


def _fed(project, touchpoint, metric):
    """The metric's contract and its steady input. A ratio's whole population
    (listed first by the contract) grows faster than its share."""
    contract = metric_contract(project, touchpoint, metric)
    rows = _steady(contract.series)
    if contract.kind == "ratio-like" and [r[0] for r in rows] == ["touch_events_total"] * 2:
        rows = [(rows[0][0], rows[0][1], WHOLE, False), (rows[1][0], rows[1][1], SHARE, False)]
    return contract, rows

# Input rates of `_fed`: a ratio's whole population and its share per step.
WHOLE, SHARE = 10, 3


def _bad_share(metric, contract, tier) -> float:
    """The share of bad events of a tier the steady feed means."""
    objective = tiers.objective_of(metric, tier)
    if isinstance(metric, TimeMetric):
        bounds = contract.series[0].buckets
        within = bounds.index(limit_size(objective.within)) + 1  # per step
        return 1 / (within + 1)  # the late counter: one per step
    if isinstance(metric, RatioMetric):
        share = SHARE / WHOLE
        at_most = isinstance(objective, BoundObjective) and objective.form == "at_most"
        return share if at_most else 1 - share
    assert isinstance(metric, ScoreMetric)
    values = answer_values(metric)
    return len([v for v in values if v < objective.value]) / len(values)


def _expected(project, touchpoint, metric, contract) -> dict[tuple[str, str | None], float]:
    """(recorded series name, tier) -> the value the steady feed means, for one metric."""
    out: dict[tuple[str, str | None], float] = {}
    windows = slo_rules.windows_of(metric)
    if contract.kind == "ratio-like":
        for tier in tiers.tiers_of(metric):
            bad = _bad_share(metric, contract, tier)
            budget = 1 - good_percent(tiers.objective_of(metric, tier)) / 100
            out.update({(naming.sli_error(w), tier): bad for w in slo_rules.tier_windows(metric, tier)})
            out[(naming.ERROR_BUDGET, tier)] = budget
            out[(naming.BUDGET_REMAINING, tier)] = 1 - bad / budget if budget > 0 else 1 - (bad > 0)
            out[(naming.OVERDUE_CASES, tier)] = GAUGE
        out[(naming.OBJECTIVE, None)] = good_percent(metric.target) / 100
        if metric.promise is not None:  # an internal metric records no promise
            out[(naming.PROMISE, None)] = good_percent(metric.promise) / 100
        return out
    if isinstance(metric, CountMetric):
        value = metric.per.seconds / burnrate.seconds(INTERVAL)  # one event per sample step
    elif isinstance(metric, NpsMetric):
        values = answer_values(metric)
        value = 100 * (len([v for v in values if v >= 9]) - len([v for v in values if v <= 6])) / len(values)
    else:
        values = answer_values(metric)
        value = sum(values) / len(values)
    out.update({(naming.indicator(contract.kind, w), None): float(value) for w in windows})
    out[(naming.OBJECTIVE_VALUE, None)] = metric.target.value
    if metric.promise is not None:
        out[(naming.PROMISE_VALUE, None)] = metric.promise.value
    return out


_OPS = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b, "/": lambda a, b: a / b}


def _evaluate(node, recorded: dict[tuple[str, str, str], float]) -> float:
    """A dashboard query's value from the expected recorded values: the
    arithmetic of single-series selectors Grafana panels use."""
    if isinstance(node, promql_parser.NumberLiteral):
        return node.val
    if isinstance(node, promql_parser.ParenExpr):
        return _evaluate(node.expr, recorded)
    if isinstance(node, promql_parser.VectorSelector):
        labels = {m.name: m.value for m in node.matchers.matchers}
        key = labels["metric"] + (f".{labels['segment']}" if "segment" in labels else "")
        return recorded[(node.name, labels["touchpoint"], key, labels.get(tiers.LABEL))]
    if isinstance(node, promql_parser.BinaryExpr) and str(node.op) in _OPS:
        return _OPS[str(node.op)](_evaluate(node.lhs, recorded), _evaluate(node.rhs, recorded))
    raise AssertionError(f"the oracle cannot evaluate {node} ({type(node).__name__}); extend it")



def _selector(name: str, labels: dict[str, str]) -> str:
    inner = ",".join(f"{k}={json.dumps(v)}" for k, v in labels.items())
    return f"{name}{{{inner}}}"


def _longest_seconds(project) -> int:
    longest = 0
    for touchpoint in project.touchpoints.values():
        for metric in touchpoint.metrics:
            for window in slo_rules.windows_of(metric):
                longest = max(longest, int(burnrate.seconds(window)))
    return longest


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_every_dashboard_query_returns_what_the_traffic_means(name, tmp_path):
    promtool = require_tool("promtool")
    project = touchdsl.load([str(PROJECTS[name])])
    options = BuildOptions()
    rule_files = {p: d for p, d in prometheus.render(project, options).items() if p.endswith(".rules.yml")}
    for path, data in rule_files.items():
        (tmp_path / Path(path).name).write_bytes(data)

    series, overridden, recorded = [], set(), {}
    for touchpoint in project.touchpoints.values():
        for metric in touchpoint.metrics:
            contract, rows = _fed(project, touchpoint, metric)
            if contract.overridden:  # the producers' own series: nothing documented to feed
                overridden.add((touchpoint.id, metric.id))
                continue
            for (record, tier), value in _expected(project, touchpoint, metric, contract).items():
                recorded[(record, touchpoint.id, metric_key(metric), tier)] = value
            series += rows
        if touchpoint.updates is not None:
            for s in updates_series(touchpoint):
                series.append((s.name, dict(s.labels), GAUGE, True))
            recorded[(naming.UPDATES_OVERDUE, touchpoint.id, naming.UPDATES_METRIC, None)] = GAUGE

    # Data over the longest window plus a day; rules are evaluated once a day
    # (only the last evaluation is read), the queries on the last day boundary.
    step = int(burnrate.seconds(INTERVAL))
    days = _longest_seconds(project) // 86400 + 2
    samples = days * 86400 // step
    end = f"{days}d"
    input_series = [{"series": _selector(n, lab), "values": f"{rate}x{samples}" if gauge else f"0+{rate}x{samples}"}
                    for n, lab, rate, gauge in series]

    exprs = []
    for board in (json.loads(d) for d in grafana.render(project, options).values()):
        for panel in board["panels"]:
            for target in panel.get("targets", []):
                if any(f'touchpoint="{t}",metric="{m}"' in target["expr"] for t, m in overridden):
                    continue
                exprs.append(target["expr"])
    assert exprs
    unique = list(dict.fromkeys(exprs))
    tests = [{
        "name": f"{name}: dashboard queries",
        "interval": INTERVAL,
        "input_series": input_series,
        # One series within a hair of the expected value (promtool compares
        # floats exactly; NaN or nothing would count 0).
        "promql_expr_test": [{"expr": f"count(abs(({expr}) - ({_evaluate(promql_parser.parse(expr), recorded)!r})) "
                                      "< 1e-9)",
                              "eval_time": end,
                              "exp_samples": [{"labels": "{}", "value": 1}]} for expr in unique],
    }]
    test_file = tmp_path / "dashboards.test.yml"
    test_file.write_text(yaml.safe_dump({
        "rule_files": sorted(Path(p).name for p in rule_files),
        "evaluation_interval": "1d",
        "tests": tests,
    }, sort_keys=False, allow_unicode=True, width=1000), encoding="utf-8")
    result = subprocess.run([promtool, "test", "rules", str(test_file)], capture_output=True, text=True,
                            cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
