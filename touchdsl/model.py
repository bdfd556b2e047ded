"""The validated model: the intermediate representation every target reads.

The checker builds these objects only after every semantic rule has passed, so
a target may rely on the invariants documented here (every reference resolves,
every touchpoint has exactly one owner, targets are at least as strict as
promises, ...). Targets never see the parse tree.

Order is meaningful and deterministic: mappings keep source order (files sorted
by their path relative to the project root, declarations in the order written).
"""

from __future__ import annotations

import datetime as _dt
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1"

Weekday = Literal["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
WEEKDAYS: tuple[str, ...] = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")

Channel = Literal[
    "phone", "chat", "email", "web", "app", "sms", "whatsapp", "store", "field", "mail", "social"
]
CHANNELS: tuple[str, ...] = (
    "phone", "chat", "email", "web", "app", "sms", "whatsapp", "store", "field", "mail", "social",
)

ReceiverKind = Literal["email", "slack", "pagerduty", "webhook", "opsgenie"]
RECEIVER_KINDS: tuple[str, ...] = ("email", "slack", "pagerduty", "webhook", "opsgenie")

Language = Literal["he", "en"]


class _Node(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Location(_Node):
    """Where a declaration is written: path relative to the project root, 1-based."""

    file: str
    line: int
    column: int


_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


class Duration(_Node):
    """A length of time. `text` is the canonical source form (`30s`, `1.5h`, `28d`)."""

    seconds: float = Field(gt=0)
    text: str

    @classmethod
    def parse(cls, text: str) -> "Duration":
        """Parse `30s`, `1.5h`, `250ms`; raises ValueError on anything else."""
        unit = "ms" if text.endswith("ms") else text[-1:]
        if unit not in _UNIT_SECONDS:
            raise ValueError(f"not a duration: {text!r}")
        number = float(text[: -len(unit)])
        return cls(seconds=number * _UNIT_SECONDS[unit], text=text)

    @property
    def prometheus(self) -> str:
        """The duration as Prometheus writes it (`28d`, `90m`, `1500ms`): largest exact unit."""
        ms = round(self.seconds * 1000)
        for unit, size in (("w", 604800000), ("d", 86400000), ("h", 3600000), ("m", 60000), ("s", 1000)):
            if ms % size == 0:
                return f"{ms // size}{unit}"
        return f"{ms}ms"


class Manager(_Node):
    name: str
    email: str


class Receiver(_Node):
    """Where alerts for an owner go. `target` is an address, channel, service key name or URL."""

    kind: ReceiverKind
    target: str


class Calendar(_Node):
    """A business-hours clock for `time ... on CALENDAR` metrics."""

    id: str
    title: str
    timezone: str
    hours: list["Hours"]
    holidays: list[str] = Field(default_factory=list, description="ISO 3166 country codes")
    closed: list[_dt.date] = Field(default_factory=list)
    note: str | None = None
    tags: list[str] = Field(default_factory=list)
    location: Location


class Hours(_Node):
    """Opening hours on some weekdays; `start` < `end`, both `HH:MM` local time."""

    days: list[Weekday]
    start: str
    end: str


class Owner(_Node):
    """A unit that is accountable for touchpoints and performs steps."""

    id: str
    title: str
    manager: Manager | None = None
    notify: list[Receiver] = Field(default_factory=list)
    page: list[Receiver] = Field(default_factory=list)
    note: str | None = None
    tags: list[str] = Field(default_factory=list)
    location: Location


class Stage(_Node):
    id: str
    title: str


class Journey(_Node):
    id: str
    title: str
    stages: list[Stage]
    note: str | None = None
    tags: list[str] = Field(default_factory=list)
    location: Location


class CharterSettings(_Node):
    language: Language = "en"
    title: str | None = None
    intro: str | None = None


class Defaults(_Node):
    window: Duration = Duration(seconds=28 * 86400, text="28d")
    charter: CharterSettings = CharterSettings()


class Event(_Node):
    """A moment of a step: `start`, `end`, or a named moment such as `answered`."""

    step: str
    moment: str

    def __str__(self) -> str:
        return f"{self.step}.{self.moment}"


class Step(_Node):
    id: str
    title: str
    by: str = Field(description="id of the owner performing the step (the touchpoint's owner if not written)")
    by_written: bool = True
    via: Channel | None = None
    location: Location


# Objectives ------------------------------------------------------------------


class WithinObjective(_Node):
    """`P% within DURATION`: at least `percent` of cases finish within `within`."""

    form: Literal["within"] = "within"
    percent: float
    within: Duration


class BoundObjective(_Node):
    """`at most X` / `at least X`; `X` is a percentage for ratios, a number otherwise."""

    form: Literal["at_most", "at_least"]
    value: float
    percent: bool = False


class AverageObjective(_Node):
    """`average at least N` on a score scale."""

    form: Literal["average_at_least"] = "average_at_least"
    value: float


class ShareObjective(_Node):
    """`P% at least N`: at least `percent` of answers are `value` or better."""

    form: Literal["share_at_least"] = "share_at_least"
    percent: float
    value: float


Objective = Annotated[
    Union[WithinObjective, BoundObjective, AverageObjective, ShareObjective],
    Field(discriminator="form"),
]


class PrometheusSource(_Node):
    """User-supplied queries; `{{window}}` is replaced by each window as plain text."""

    good: str
    total: str


class _MetricBase(_Node):
    id: str
    title: str
    promise: Objective
    target: Objective = Field(description="internal objective; equals the promise when not written")
    target_written: bool = False
    window: Duration
    source: PrometheusSource | None = None
    note: str | None = None
    tags: list[str] = Field(default_factory=list)
    location: Location


class TimeMetric(_MetricBase):
    kind: Literal["time"] = "time"
    start: Event
    end: Event
    calendar: str | None = None


class RatioMetric(_MetricBase):
    """Share of `numerator` cases among `denominator` cases (`abandoned of offered`)."""

    kind: Literal["ratio"] = "ratio"
    numerator: str
    denominator: str


class ScoreMetric(_MetricBase):
    kind: Literal["score"] = "score"
    low: float
    high: float


class NpsMetric(_MetricBase):
    kind: Literal["nps"] = "nps"


class CountMetric(_MetricBase):
    """Volume of `event` per `per` (complaints per week)."""

    kind: Literal["count"] = "count"
    event: str
    per: Duration


Metric = Annotated[
    Union[TimeMetric, RatioMetric, ScoreMetric, NpsMetric, CountMetric],
    Field(discriminator="kind"),
]


class Updates(_Node):
    every: Duration
    via: Channel
    until: Event | None = None


class Escalation(_Node):
    """`escalate to manager|OWNER on breach|risk`; `to` is `manager` or an owner id."""

    to: str
    on: Literal["breach", "risk"]


class Touchpoint(_Node):
    id: str
    title: str
    journey: str | None = None
    stage: str | None = None
    owner: str
    expectation: str
    channels: list[Channel] = Field(default_factory=list)
    steps: list[Step] = Field(default_factory=list)
    metrics: list[Metric] = Field(default_factory=list)
    updates: Updates | None = None
    escalations: list[Escalation] = Field(default_factory=list)
    note: str | None = None
    tags: list[str] = Field(default_factory=list)
    location: Location

    def step(self, step_id: str) -> Step:
        return next(s for s in self.steps if s.id == step_id)


class Project(_Node):
    """A whole compiled project. Look-ups by id: `project.owners["field_ops"]`."""

    schema_version: Literal["1"] = SCHEMA_VERSION
    files: list[str]
    defaults: Defaults = Defaults()
    calendars: dict[str, Calendar] = Field(default_factory=dict)
    owners: dict[str, Owner] = Field(default_factory=dict)
    journeys: dict[str, Journey] = Field(default_factory=dict)
    touchpoints: dict[str, Touchpoint] = Field(default_factory=dict)

    def touchpoints_of(self, owner_id: str) -> list[Touchpoint]:
        """Touchpoints the owner is accountable for, in source order."""
        return [t for t in self.touchpoints.values() if t.owner == owner_id]

    def touchpoints_in(self, journey_id: str | None) -> list[Touchpoint]:
        return [t for t in self.touchpoints.values() if t.journey == journey_id]


Calendar.model_rebuild()
