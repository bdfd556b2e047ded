"""Measured figures in the published documents: `touchdsl build --measured measure.json`.

The charter prints under each promise what the last period achieved; the policy shows
the promise's and the target's figures per metric. A figure is published only when it
answers the promise as written now:

- the file must be a `measure.json` of this touchdsl's schema version (an older one is
  refused: measure again);
- it must measure this project: when none of its metrics is in the project, it is
  another project's and is refused;
- each metric's figures must have been measured under its current definition
  (`touchdsl.measure.identity`): otherwise TD613 says so and the promise is shown
  without figures; a promise the file does not measure at all is TD614.

Refusals are `MeasureError` (a usage error, exit 2); TD613 and TD614 are warnings at
the metric's promise line.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from touchdsl.diagnostics import Diagnostic, Severity
from touchdsl.language import ast
from touchdsl.measure.errors import MeasureError
from touchdsl.measure.result import SCHEMA_VERSION, ItemResult, Measurement, Period
from touchdsl.model import Metric, Project, Touchpoint, metric_key

if TYPE_CHECKING:
    from touchdsl.documents.wording import Phrase, Words

__all__ = ["Published", "load_measured", "published", "measured_diagnostics", "figure_line"]


def load_measured(path: str | os.PathLike[str]) -> Measurement:
    """A measure.json, validated; MeasureError names the file and what is wrong."""
    from pydantic import ValidationError

    from touchdsl.compiler.sources import display_path

    shown = display_path(os.fspath(path))  # type: ignore[arg-type]
    try:
        raw = open(path, "rb").read()
    except (OSError, ValueError) as exc:
        raise MeasureError(f"cannot read `{shown}`: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise MeasureError(f"`{shown}` is not a measure.json: not JSON text") from None
    if not isinstance(doc, dict) or "schema_version" not in doc or "items" not in doc:
        raise MeasureError(f"`{shown}` is not a measure.json (written by `touchdsl measure -o DIR`)")
    version = doc.get("schema_version")
    if version != SCHEMA_VERSION:
        raise MeasureError(f"`{shown}` has schema version {json.dumps(version)}; this touchdsl reads version "
                           f"{SCHEMA_VERSION}: measure again with it (`touchdsl measure … -o DIR`)")
    try:
        return Measurement.model_validate(doc)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise MeasureError(f"`{shown}` is not a valid measure.json: {where}: {first['msg']} "
                           f"({exc.error_count()} problem{'s' if exc.error_count() != 1 else ''})") from None


@dataclass(frozen=True)
class Published:
    """The figures a build may publish: per item key (`touchpoint.metric`, or
    `touchpoint.updates`), the measured item when it answers the promise as written now."""

    measurement: Measurement
    figures: dict[str, ItemResult]
    stale: list[str]  # measured under another definition (TD613)
    missing: list[str]  # not in the measurement (TD614)

    def of(self, touchpoint: str, metric: str) -> ItemResult | None:
        return self.figures.get(f"{touchpoint}.{metric}")

    def last(self, touchpoint: str, metric: str) -> Period | None:
        """The last period of an item, None when there are no figures for it."""
        item = self.of(touchpoint, metric)
        return item.periods[-1] if item is not None and item.periods else None


def published(project: Project, measurement: Measurement, source: str = "measure.json") -> Published:
    """Match a measurement with the project as it is now (MeasureError: another project)."""
    from touchdsl.measure.identity import definition
    from touchdsl.measure.plan import items_of

    measured = {i.key: i for i in measurement.items}
    items = items_of(project)
    if measured and not any(item.key in measured for item in items):
        example = next(iter(measured))
        raise MeasureError(f"`{source}` measures another project: none of its {len(measured)} metrics "
                           f"(such as `{example}`) is in this one")
    figures, stale, missing = {}, [], []
    for item in items:
        found = measured.get(item.key)
        if found is None:
            missing.append(item.key)
        elif found.definition != definition(project, item.touchpoint, item.metric):
            stale.append(item.key)
        else:
            figures[item.key] = found
    return Published(measurement, figures, stale, missing)


def measured_diagnostics(project: Project, files: dict[str, ast.File], found: Published) -> list[Diagnostic]:
    """TD613 and TD614 at the promise line of each metric without figures to publish."""
    from touchdsl.measure.history import objective_spans

    spans = objective_spans(files)
    out = []
    for key in found.stale:
        tp, metric = key.split(".")[:2]  # touchpoint.metric(.class)
        out.append(Diagnostic(
            "TD613", f"`{key}` was measured under another definition (its promise, target, events or calendar "
                     "changed since); its figures are not published", spans.get((tp, metric, "promise")),
            Severity.WARNING, ("measure again with the project as it is: `touchdsl measure … -o DIR`",)))
    for key in found.missing:
        tp, metric = key.split(".")[:2]  # touchpoint.metric(.class)
        out.append(Diagnostic(
            "TD614", f"`{key}` is not in the measurement; the charter says it has no figures yet",
            spans.get((tp, metric, "promise")), Severity.WARNING,
            ("measure again to publish its figures: `touchdsl measure … -o DIR`",)))
    return out


def figure_line(words: "Words", found: Published, touchpoint: Touchpoint, metric: Metric | None,
                role: str = "promise", verdict: bool = False) -> "Phrase":
    """What the last period achieved against the promise (or the target) of a metric,
    or of the touchpoint's updates (metric None), as the documents print it:
    `In the 28 days to 30 November 2026: 96.4% of 1,204 cases within 48 business hours.`
    With `verdict`, the status and margin follow (the policy)."""
    from touchdsl.documents.wording import Evidence

    ev = Evidence(words)
    period = found.last(touchpoint.id, metric_key(metric) if metric is not None else "updates")
    if period is None:
        return ev.no_figures()
    # An internal metric has no promise: its figure is its target's.
    judged = period.promise if role == "promise" and period.promise is not None else period.target
    objective = None if metric is None else (metric.promise or metric.target) if role == "promise" else metric.target
    every = touchpoint.updates.every if metric is None and touchpoint.updates is not None else None
    figure = ev.achieved(metric, every, objective, judged.decided, judged.good, judged.value)
    if verdict and judged.value is not None:
        margin = None if judged.margin is None else ev.margin(metric, objective, judged.margin)
        figure = words.phrase("%(figure)s (%(verdict)s)", figure=figure, verdict=ev.verdict(judged.status, margin))
    return ev.in_period(period.start, period.end, figure)
