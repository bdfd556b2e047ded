"""Any objective and window the language accepts either becomes a schema-valid SLO
whose conditions are the Prometheus rules' own, or is skipped with a reason."""

from __future__ import annotations


import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.paths import REPO
import touchdsl
from tests.test_openslo import _validator, documents
from tests.test_openslo_structure import _with_metric, by_kind, rule_conditions
from touchdsl.model import BoundObjective, Duration, WithinObjective
from touchdsl.targets import BuildOptions, openslo

TELECOM = touchdsl.load([str(REPO / "examples" / "telecom")])

percents = st.integers(min_value=0, max_value=1000).map(lambda tenths: tenths / 10)
windows = st.sampled_from(["90s", "30m", "1.5h", "1d", "7d", "2w", "28d", "30d", "90d"])


@pytest.fixture(scope="module")
def validator():
    return _validator()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answer=percents, abandoned=percents, window=windows, at_most=st.booleans())
def test_any_objective_is_valid_openslo_or_skipped(validator, answer, abandoned, window, at_most):
    answer_target = WithinObjective(percent=answer, within=Duration.parse("20s"))
    project = _with_metric(TELECOM, "technical_fault", "answer", target=answer_target,
                           promise=answer_target, window=Duration.parse(window))
    bound = BoundObjective(form="at_most" if at_most else "at_least", value=abandoned, percent=True)
    project = _with_metric(project, "technical_fault", "abandoned", target=bound, promise=bound)
    files = openslo.render(project, BuildOptions())
    docs = documents(files)
    for doc in docs:
        errors = list(validator.iter_errors(doc))
        assert not errors, (doc["kind"], doc["metadata"]["name"], errors[0].message)
    slos = by_kind(docs, "SLO")
    conditions = by_kind(docs, "AlertCondition")
    warned = " ".join(openslo.warnings(project))
    whole_minutes = window not in ("90s",)
    answer_share = answer
    abandoned_share = 100 - abandoned if at_most else abandoned
    for metric_id, share, minutes_ok in (("answer", answer_share, whole_minutes), ("abandoned", abandoned_share, True)):
        for tier in ("promise", "target"):
            exported = f"technical-fault-{metric_id}-{tier}" in slos
            assert exported == (share < 100 and minutes_ok), (metric_id, share, window)
            assert exported != (f"technical_fault.{metric_id}:" in warned)
            if not exported:
                continue
            slo = slos[f"technical-fault-{metric_id}-{tier}"]
            assert slo["spec"]["objectives"][0]["target"] == pytest.approx(share / 100)
            budget = 1 - slo["spec"]["objectives"][0]["target"]
            touchpoint = project.touchpoints["technical_fault"]
            metric = next(m for m in touchpoint.metrics if m.id == metric_id)
            want = {(s, lw, sw, op, round(t, 9))
                    for s, lw, sw, op, t in rule_conditions(project, touchpoint, metric, tier)}
            got = set()
            for name in slo["spec"].get("alertPolicies", []):
                c = conditions[name]["spec"]
                got.add((c["severity"], c["condition"]["lookbackWindow"], c["condition"]["alertAfter"],
                         {"gt": ">", "gte": ">="}[c["condition"]["op"]], round(c["condition"]["threshold"] * budget, 9)))
            assert got == want
