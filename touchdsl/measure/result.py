"""The result of a measurement: what `measure.json` holds and `touchdsl.measure` returns.

Versioned (`schema_version`); `touchdsl schema measure` prints its JSON Schema.
Instants are ISO 8601 in the zone of the run; durations are seconds, except the
elapsed figures of a business-day metric (`unit` "business_days"), which count
business days.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from touchdsl.model import MetricKind

__all__ = [
    "SCHEMA_VERSION", "Status", "Verdict", "Percentiles", "WorstCase", "Stretch", "Bin", "Reach", "OpenCase",
    "Period", "ItemResult", "Rollup", "Example", "Problem", "DataQuality", "Tally", "Measurement", "schema",
]

SCHEMA_VERSION: Literal["2"] = "2"

Status = Literal["kept", "missed", "no_data"]
Kind = Literal[MetricKind, "updates"]


class _Node(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Verdict(_Node):
    """One objective (the promise or the target) judged over one period."""

    objective: str = Field(description="the objective in words")
    status: Status = Field(description="kept: met, exactly at the objective included; no_data: nothing decided")
    value: float | None = Field(description="the measured figure in the objective's unit: percent of cases "
                                            "(time, updates, ratio, score `P% at least N`), average answer, "
                                            "NPS, or events in the worst stretch (count)")
    margin: float | None = Field(description="how far on the good side of the objective (negative: missed by)")
    decided: int = Field(description="what the verdict rests on: cases decided (time, updates, ratio), "
                                     "answers (score, nps), events (count)")
    good: int | None = Field(description="of them, those meeting the objective (ratio: matching cases)")


class Percentiles(_Node):
    """Nearest-rank percentiles of the cases that finished in the period, in the item's
    `unit`: seconds, or business days."""

    p50: float
    p90: float
    p95: float


class WorstCase(_Node):
    case: str
    value: float | None = Field(description="elapsed seconds (time, business time on a calendar; business "
                                            "days for a business-day metric), longest silence in seconds "
                                            "(updates), the answer (score, nps)")
    at: str = Field(description="when the case's outcome became known (time, updates), or the answer or "
                                "case happened")
    open: bool = Field(description="the case is still open (its value is so far)")


class Stretch(_Node):
    """The stretch of the count's limit length with the most events."""

    start: str
    end: str
    events: int


class Bin(_Node):
    """Cases that finished in the period with a value (elapsed time, longest silence)
    in (low, high] seconds; the first bin holds 0 too, the last one (high null) all
    values above its low."""

    low: float
    high: float | None
    cases: int


class Reach(_Node):
    """Within how long the objective's share of the cases decided in the period were
    done: the value (seconds) of the case at rank ceil(P% of the decided cases), by
    nearest rank. At most the objective's time exactly when the share was met."""

    percent: float
    seconds: float
    at_least: bool = Field(description="a case counted at or below this value is still open: the share took "
                                       "at least this long")


class OpenCase(_Node):
    """A case open at the as-of moment and already past the promise."""

    case: str
    since: str = Field(description="when it started")
    elapsed: float = Field(description="seconds so far (business time on a calendar; updates: the silence so far)")
    late_since: str = Field(description="when it passed the promise")


class Period(_Node):
    start: str = Field(description="first instant of the period")
    end: str = Field(description="first instant after the period; a period reaching the as-of moment "
                                 "ends there, and includes it")
    promise: Verdict | None = Field(description="null for an internal metric (a target, no promise)")
    target: Verdict
    open: int | None = Field(default=None, description="cases open at the period's end and not yet due (never met)")
    overdue: int | None = Field(default=None, description="cases open at the period's end and past the promise "
                                                          "(already counted as missed)")
    finished: int | None = Field(default=None, description="cases that ended in the period")
    elapsed: Percentiles | None = Field(default=None, description="time: elapsed; updates: longest silence")
    answers: int | None = None
    promoters: int | None = None
    detractors: int | None = None
    events: int | None = Field(default=None, description="count: events in the period")
    worst_stretch: Stretch | None = None
    worst: list[WorstCase] = Field(default_factory=list)
    distribution: list[Bin] | None = Field(default=None, description="time and updates: the cases that "
                                           "finished in the period by their value, in bins that have the "
                                           "promise's and, where they can, the target's limit as edges")
    promise_reach: Reach | None = Field(default=None, description="time: within how long the promise's share "
                                                                  "of the cases decided on it were done")
    target_reach: Reach | None = Field(default=None, description="time: the same for the target")


class ItemResult(_Node):
    """A metric, or a touchpoint's updates promise (metric = "updates")."""

    touchpoint: str
    metric: str
    segment: str | None = Field(default=None, description="the class of case, for a metric judged per class")
    kind: Kind
    title: str
    owner: str
    journey: str | None
    calendar: str | None
    definition: str = Field(description="fingerprint of what decides the figures (events, calendar, promise, "
                                        "target): a figure measured under another definition answers another "
                                        "question (touchdsl.measure.identity)")
    unit: Literal["seconds", "business_days"] | None = Field(
        default=None, description="what elapsed figures count (time and updates items)")
    published: bool = Field(default=True, description="false for an internal metric: a target, no promise")
    status: Status | None = Field(description="missed when the promise is missed in any period; null for an "
                                              "internal metric")
    target_status: Status
    periods: list[Period]
    overdue_now: int | None = Field(default=None, description="time and updates: cases open at the as-of moment "
                                                              "and past the promise")
    overdue_cases: list[OpenCase] = Field(default_factory=list, description="the longest overdue of them, "
                                                                           "at most 50, longest first")

    @property
    def key(self) -> str:
        """touchpoint.metric, with the class for a metric judged per class."""
        return f"{self.touchpoint}.{self.metric}" + (f".{self.segment}" if self.segment else "")


class Rollup(_Node):
    """Promises of one owner or journey."""

    id: str
    title: str
    promises: int
    kept: int
    missed: int
    no_data: int
    missed_items: list[str] = Field(description="touchpoint.metric (.class) of the missed promises, worst first")


class Example(_Node):
    source: str | None
    row: int | None = Field(description="row in the source, 1 = the first data row; null where it has none")
    case: str | None
    touchpoint: str | None
    event: str | None
    metric: str | None
    at: str | None = Field(description="the timestamp as written (unreadable ones) or as read")
    value: str | None


class Problem(_Node):
    kind: str
    description: str
    count: int
    per_item: dict[str, int] = Field(default_factory=dict, description="touchpoint.metric (.class) -> count, "
                                                                       "where it applies")
    examples: list[Example]


class DataQuality(_Node):
    rows: int = Field(description="rows read from every source")
    problems: list[Problem]


class Tally(_Node):
    kept: int
    missed: int
    no_data: int


class Measurement(_Node):
    schema_version: Literal["2"] = SCHEMA_VERSION
    as_of: str = Field(description="the 'now' of the run: events after it are not counted")
    timezone: str = Field(description="zone of the instants shown and of week/month boundaries")
    sources: list[str]
    kept: bool = Field(description="every published promise kept in every period (no_data is not a miss)")
    promises: Tally
    targets: Tally
    items: list[ItemResult] = Field(description="worst first")
    owners: list[Rollup] = Field(description="worst first")
    journeys: list[Rollup] = Field(description="worst first")
    data_quality: DataQuality


def schema() -> dict[str, object]:
    """The JSON Schema of measure.json."""
    out: dict[str, object] = {"$schema": "https://json-schema.org/draft/2020-12/schema"}
    out.update(Measurement.model_json_schema(mode="serialization"))
    return out
