"""Numbers the `grafana` target prints for people read as written: a 93% target
leaves a 7% error budget, not 7.000000000000001%."""

from __future__ import annotations

import json
import re

from tests.paths import REPO
import touchdsl
from touchdsl.model import BoundObjective, WithinObjective
from touchdsl.targets import BuildOptions, grafana

FLOAT_NOISE = re.compile(r"\d\.\d*(?:0000000|9999999)\d*")


def test_budget_shares_print_without_float_noise():
    project = touchdsl.load([str(REPO / "examples" / "telecom")])
    touchpoints = {}
    for key, tp in project.touchpoints.items():
        metrics = []
        for m in tp.metrics:
            if isinstance(m.target, WithinObjective):
                m = m.model_copy(update={"target": m.target.model_copy(update={"percent": 93.0}),
                                         "promise": m.promise.model_copy(update={"percent": 71.0})})
            elif isinstance(m.target, BoundObjective) and m.target.percent and m.target.form == "at_least":
                m = m.model_copy(update={"target": m.target.model_copy(update={"value": 57.0}),
                                         "promise": m.promise.model_copy(update={"value": 29.0})})
            metrics.append(m)
        touchpoints[key] = tp.model_copy(update={"metrics": metrics})
    files = grafana.render(project.model_copy(update={"touchpoints": touchpoints}), BuildOptions())
    descriptions = [p.get("description", "") for d in files.values() for p in json.loads(d)["panels"]]
    text = "\n".join(descriptions)
    assert "error budget (7% of events)" in text
    assert "error budget (43% of events)" in text
    assert not FLOAT_NOISE.search(text), FLOAT_NOISE.search(text).group(0)
