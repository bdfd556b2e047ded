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
from typing import Annotated, Final, Literal, NoReturn, Union, assert_never, get_args

from pydantic import BaseModel, ConfigDict, Field

from touchdsl import durations

SCHEMA_VERSION: Final = "1"

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


class Duration(_Node):
    """A length of time. `text` is the canonical source form (`30s`, `1.5h`, `28d`)."""

    seconds: float = Field(gt=0)
    text: str

    @classmethod
    def parse(cls, text: str) -> "Duration":
        """Parse `30s`, `1.5h`, `250ms`; raises ValueError on anything else."""
        return cls(seconds=durations.seconds(text), text=text)

    def compact(self, largest: str = "w") -> str:
        """The shortest exact spelling, in the largest unit up to `largest` (`28d`, `90m`, `1500ms`)."""
        return durations.compact(self.seconds, largest)


class BusinessDays(_Node):
    """`N business days` (or `N business weeks`): a case is on time when it ends by
    the close of the Nth business day after the business day it started on.

    A business day is a local date on which the metric's calendar opens; a case
    started after a day's last closing (or on a closed day) starts on the next
    one. Counted another way, the case took as many business days as closings of
    business days passed while its clock ran (`touchdsl.clock.business_days_elapsed`).
    `weeks` is what was written (`2 business weeks`); `days` is always the count:
    a business week is as many business days as the calendar's week has open days.
    """

    unit: Literal["business_days"] = "business_days"
    days: int = Field(gt=0)
    weeks: int | None = Field(default=None, gt=0)
    text: str = Field(description="as the language writes it: `5 business days`, `2 business weeks`")


Limit = Union[Duration, BusinessDays]
"""The time limit of `P% within LIMIT`: a length of (wall-clock or business) time,
or a number of business days. Dispatch with `match` ending in `unknown_kind`."""


def limit_text(limit: Limit) -> str:
    """The limit as the language writes it: `30s`, `48h`, `5 business days`."""
    match limit:
        case Duration():
            return limit.text
        case BusinessDays():
            return limit.text
        case _:
            unknown_kind(limit)


def limit_size(limit: Limit) -> float:
    """The limit as a number in its unit: seconds for a duration, days for business days."""
    match limit:
        case Duration():
            return limit.seconds
        case BusinessDays():
            return float(limit.days)
        case _:
            unknown_kind(limit)


class Manager(_Node):
    name: str
    email: str


class Receiver(_Node):
    """Where alerts for an owner go. `target` is an address, channel, service key name or URL."""

    kind: ReceiverKind
    target: str


class Calendar(_Node):
    """A business-hours clock for `time ... on CALENDAR` metrics.

    The hours of a date: its own `dates` hours if it has any; else none if it is
    `closed` or a public holiday of a `holidays` country; else, on an eve of a
    holiday that the weekday's `hours` open, the `eve` hours; else the weekday's
    `hours` (see touchdsl.clock).
    """

    id: str
    title: str
    timezone: str
    hours: list["Hours"]
    eve: list["TimeRange"] = Field(default_factory=list, description="hours on the eves of holidays")
    dates: list["DateHours"] = Field(default_factory=list, description="hours of single dates, in date order")
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


class TimeRange(_Node):
    """Opening hours within one day: `start` < `end`, both `HH:MM` local time."""

    start: str
    end: str


class DateHours(_Node):
    """Opening hours of one date (`hours 2026-09-20 08:00-12:00`), replacing all others that day."""

    date: _dt.date
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
    version: str | None = None
    effective: _dt.date | None = None


ContactKind = Literal["phone", "url", "email", "address"]
"""What a contact point is: a number to dial or text, a web address, an e-mail
address, or a place to go or write to."""

CONTACT_KINDS: dict[str, ContactKind] = {
    "phone": "phone", "sms": "phone", "whatsapp": "phone",
    "web": "url", "app": "url", "chat": "url", "social": "url",
    "email": "email",
    "store": "address", "mail": "address",
}
"""The kind of contact each channel takes. `field` takes none: there the
organisation comes to the customer."""


class Contact(_Node):
    """How customers reach the organisation on one channel (`contact phone "+972 3-555-0100"`).

    `text` is what the charter prints (a phone number in international form, as
    the phonenumbers library formats it; a URL, an e-mail or an address as
    written); `link` is where a click leads (`tel:+97235550100`, the URL,
    `mailto:…`), None for a postal or street address.
    """

    channel: Channel
    kind: ContactKind
    text: str
    link: str | None = None


ALERT_MINIMUM: Final = 10
"""Events needed in an alert's window before it judges a share, an average or a
pace, unless `defaults { alerts need N events }` says otherwise."""


class Defaults(_Node):
    window: Duration = Duration(seconds=28 * 86400, text="28d")
    charter: CharterSettings = CharterSettings()
    alert_minimum: int = Field(default=ALERT_MINIMUM, ge=1, description=(
        "events an alert needs in its window before it judges a share, an average or a pace; with fewer "
        "it stays silent, and a handful of open or overdue cases is a ticket, not a page"))


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
    """`P% within LIMIT`: at least `percent` of cases finish within `within`."""

    form: Literal["within"] = "within"
    percent: float
    within: Limit


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
    """User-supplied queries; `{{window}}` is replaced by each window as plain text.
    `good` meets the target; `promise_good`, when written, meets the promise."""

    good: str
    total: str
    promise_good: str | None = None


class _MetricBase(_Node):
    """What every metric has. A metric whose touchpoint declares classes and that
    gives a class its own objective (`promise … for CLASS`) is judged per class:
    the touchpoint lists it once per class, each with its `segment` and objectives."""

    id: str
    title: str
    promise: Objective | None = Field(description="published in the charter; None: an internal metric")
    target: Objective = Field(description="internal objective; equals the promise when not written")
    target_written: bool = False
    segment: str | None = Field(default=None, description="the class of case judged (`class` of the touchpoint)")
    window: Duration
    source: PrometheusSource | None = None
    compensation: str | None = Field(
        default=None, description="what a customer gets when the promise is not kept for them (charter)")
    note: str | None = None
    tags: list[str] = Field(default_factory=list)
    location: Location


class Pause(_Node):
    """The clock stops from `start` until the next `end` (`pause while STEP` is
    `STEP.start` to `STEP.end`; `step` names it then)."""

    start: Event
    end: Event
    step: str | None = None


class TimeMetric(_MetricBase):
    kind: Literal["time"] = "time"
    start: Event
    end: Event
    calendar: str | None = None
    pauses: list[Pause] = Field(default_factory=list)


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
"""Any metric. Code that depends on the kind dispatches with `match` over these
classes and ends with `case _: unknown_kind(metric)`, so a kind added here is a
type error (mypy) wherever it is not handled, never a silent fall-through."""

MetricKind = Literal["time", "ratio", "score", "nps", "count"]
"""What a metric measures, as `Metric.kind` names it (the discriminator of the union)."""

METRIC_CLASSES: tuple[type[_MetricBase], ...] = get_args(get_args(Metric)[0])
METRIC_KINDS: tuple[str, ...] = tuple(get_args(c.model_fields["kind"].annotation)[0] for c in METRIC_CLASSES)

Indicator = Literal["ratio-like", "average", "nps", "count"]
"""How a metric is judged. "ratio-like": a share of good events, with an error
budget and burn-rate alerts (time metrics, ratios, `P% at least N` scores);
"average": the average answer (`average at least N` scores); "nps"; "count"."""


def unknown_kind(value: NoReturn) -> NoReturn:
    """The end of every dispatch on a metric kind (or on an objective form, or an
    indicator): mypy proves it unreachable; at run time it names what was missed."""
    assert_never(value)


def indicator(metric: Metric) -> Indicator:
    """How `metric` is judged (see `Indicator`)."""
    match metric:
        case TimeMetric() | RatioMetric():
            return "ratio-like"
        case ScoreMetric():
            return "average" if isinstance(metric.target, AverageObjective) else "ratio-like"
        case NpsMetric():
            return "nps"
        case CountMetric():
            return "count"
        case _:
            unknown_kind(metric)


def objective_value(objective: Objective) -> float:
    """The number an objective compares with: a bound, an average, a share's lowest
    good score. Only a time metric's `P% within D` has none."""
    assert not isinstance(objective, WithinObjective), "`P% within D` has no single value"
    return objective.value


def objective_within(objective: Objective) -> WithinObjective:
    """A time metric's objective, which is always `P% within D` (the checker's TD409)."""
    assert isinstance(objective, WithinObjective), f"{objective.form} is not `P% within D`"
    return objective


def published(metric: Metric) -> bool:
    """Whether the metric has a promise for the charter (False: an internal metric)."""
    return metric.promise is not None


def business_days(metric: Metric) -> bool:
    """Whether the metric counts business days (`within 5 business days`), not time."""
    match metric:
        case TimeMetric():
            match objective_within(metric.target).within:
                case BusinessDays():
                    return True
                case Duration():
                    return False
                case _ as other:
                    unknown_kind(other)
        case RatioMetric() | ScoreMetric() | NpsMetric() | CountMetric():
            return False
        case _:
            unknown_kind(metric)


def pauses(metric: Metric) -> list[Pause]:
    """The pauses of the metric's clock (`pause while STEP`), none for kinds without a clock."""
    match metric:
        case TimeMetric():
            return metric.pauses
        case RatioMetric() | ScoreMetric() | NpsMetric() | CountMetric():
            return []
        case _:
            unknown_kind(metric)


def business_calendar(metric: Metric) -> str | None:
    """The calendar whose business clock times the metric (`time … on CALENDAR`), or None."""
    match metric:
        case TimeMetric():
            return metric.calendar
        case RatioMetric() | ScoreMetric() | NpsMetric() | CountMetric():
            return None
        case _:
            unknown_kind(metric)


def counting_period(metric: Metric) -> Duration | None:
    """The period a count metric counts per (`count complaints per 7d`), or None."""
    match metric:
        case CountMetric():
            return metric.per
        case TimeMetric() | RatioMetric() | ScoreMetric() | NpsMetric():
            return None
        case _:
            unknown_kind(metric)


class Updates(_Node):
    every: Duration
    via: Channel
    until: Event | None = None


class Escalation(_Node):
    """`escalate to manager|OWNER on breach|risk`; `to` is `manager` or an owner id."""

    to: str
    on: Literal["breach", "risk"]


class CaseClass(_Node):
    """A class of case (`class dangerous "Dangerous pothole"`); in the event log and
    in series labels a case's class is its `segment`."""

    id: str
    title: str


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
    classes: list[CaseClass] = Field(default_factory=list)
    note: str | None = None
    tags: list[str] = Field(default_factory=list)
    location: Location

    def step(self, step_id: str) -> Step:
        return next(s for s in self.steps if s.id == step_id)

    def case_class(self, class_id: str) -> CaseClass:
        return next(c for c in self.classes if c.id == class_id)


class Project(_Node):
    """A whole compiled project. Look-ups by id: `project.owners["field_ops"]`."""

    schema_version: Literal["1"] = SCHEMA_VERSION
    files: list[str]
    title: str | None = Field(default=None, description="the organisation's name, from `project \"…\"`")
    contacts: list[Contact] = Field(default_factory=list, description="contact points per channel, in source order")
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


def metric_key(metric: Metric) -> str:
    """The metric's name within its touchpoint, with its class when judged per class
    (`repair.dangerous`): unique among the touchpoint's metrics."""
    return metric.id if metric.segment is None else f"{metric.id}.{metric.segment}"
