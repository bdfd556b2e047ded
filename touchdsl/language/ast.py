"""The syntax tree: what was written, where, before any meaning is checked.

Every node carries a `span`. Blocks keep their items as a list in source
order (not as fields) so the checker can report a repeated `owner`, a missing
`expectation`, and point at each line. The checker (touchdsl/compiler/checks/) turns
this tree into the validated model; targets never see it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union

from touchdsl.diagnostics import Span


@dataclass(frozen=True, slots=True)
class Name:
    value: str
    span: Span


@dataclass(frozen=True, slots=True)
class Text:
    """A decoded string literal; `raw` is the literal as written (quotes included)."""

    value: str
    span: Span
    raw: str = ""

    @property
    def triple(self) -> bool:
        return self.raw.startswith('"""')


@dataclass(frozen=True, slots=True)
class Number:
    value: float
    text: str
    span: Span


@dataclass(frozen=True, slots=True)
class Percent:
    value: float
    text: str
    span: Span


@dataclass(frozen=True, slots=True)
class DurationLit:
    seconds: float
    text: str
    span: Span


@dataclass(frozen=True, slots=True)
class BusinessDaysLit:
    """`5 business days` or `2 business weeks` (`unit` is "d" or "w"): whole days
    a calendar is open, counted by the calendar of the metric."""

    count: Number
    unit: str
    span: Span

    @property
    def text(self) -> str:
        from touchdsl.language import syntax

        return syntax.business_days(self.count.text, self.unit)


@dataclass(frozen=True, slots=True)
class Comment:
    text: str
    span: Span


# ---- shared items ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Note:
    text: Text
    span: Span


@dataclass(frozen=True, slots=True)
class Tags:
    values: tuple[Text, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Window:
    duration: DurationLit
    span: Span


# ---- calendars ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Timezone:
    value: Text
    span: Span


@dataclass(frozen=True, slots=True)
class DayRange:
    first: Name
    last: Name | None
    span: Span


@dataclass(frozen=True, slots=True)
class HoursLine:
    days: tuple[DayRange, ...]
    start: Name  # `08:00` kept as text with its position
    end: Name
    span: Span


@dataclass(frozen=True, slots=True)
class EveHoursLine:
    """`hours eve 08:00-12:00`: the hours of the eves of holidays."""

    start: Name
    end: Name
    span: Span


@dataclass(frozen=True, slots=True)
class DateHoursLine:
    """`hours 2026-09-20 08:00-12:00`: the hours of single dates."""

    dates: tuple[Name, ...]
    start: Name
    end: Name
    span: Span


@dataclass(frozen=True, slots=True)
class Holidays:
    countries: tuple[Text, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Closed:
    dates: tuple[Name, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class CalendarDecl:
    name: Name
    title: Text
    items: tuple[Any, ...]
    span: Span


# ---- owners and journeys --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ManagerLine:
    name: Text
    email: Name  # without the angle brackets; span covers them
    span: Span


@dataclass(frozen=True, slots=True)
class ReceiverLine:
    level: str  # "notify" | "page"
    kind: Name
    target: Text
    span: Span


@dataclass(frozen=True, slots=True)
class OwnerDecl:
    name: Name
    title: Text
    items: tuple[Any, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class StageDecl:
    name: Name
    title: Text
    span: Span


@dataclass(frozen=True, slots=True)
class JourneyDecl:
    name: Name
    title: Text
    items: tuple[Any, ...]
    span: Span


# ---- imports and defaults -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImportDecl:
    path: Text
    span: Span


@dataclass(frozen=True, slots=True)
class CharterSetting:
    key: Name
    value: Text | Name  # a Name holds a DATE (`charter effective 2026-01-01`)
    span: Span


# ---- the project ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContactLine:
    """`contact phone "+972 3-555-0100"`: how customers reach the organisation on a channel."""

    channel: Name
    address: Text
    span: Span


@dataclass(frozen=True, slots=True)
class ProjectDecl:
    """`project "Name" { contact … }`: marks its folder as a project root."""

    title: Text
    items: tuple[Any, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class AlertMinimum:
    """`alerts need 20 events`: the evidence an alert needs in its window."""

    count: Number
    span: Span


@dataclass(frozen=True, slots=True)
class DefaultsDecl:
    items: tuple[Any, ...]
    span: Span


# ---- touchpoints ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class JourneyRef:
    journey: Name
    stage: Name | None
    span: Span


@dataclass(frozen=True, slots=True)
class OwnerRef:
    owner: Name
    span: Span


@dataclass(frozen=True, slots=True)
class Expectation:
    text: Text
    span: Span


@dataclass(frozen=True, slots=True)
class Channels:
    channels: tuple[Name, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class StepDecl:
    name: Name
    title: Text
    by: tuple[Name, ...]
    via: tuple[Name, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class ClassDecl:
    """`class dangerous "Dangerous pothole"`: a class of case of the touchpoint."""

    name: Name
    title: Text
    span: Span


@dataclass(frozen=True, slots=True)
class EventRef:
    step: Name
    moment: Name
    span: Span

    def __str__(self) -> str:
        return f"{self.step.value}.{self.moment.value}"


@dataclass(frozen=True, slots=True)
class UpdatesLine:
    every: DurationLit
    via: Name
    until: EventRef | None
    span: Span


@dataclass(frozen=True, slots=True)
class EscalateLine:
    to: Name
    on: tuple[Name, ...]
    span: Span


# ---- metrics --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TimeMeasure:
    start: EventRef
    end: EventRef
    calendar: Name | None
    span: Span


@dataclass(frozen=True, slots=True)
class RatioMeasure:
    numerator: Name
    denominator: Name
    span: Span


@dataclass(frozen=True, slots=True)
class ScoreMeasure:
    low: Number
    high: Number
    span: Span


@dataclass(frozen=True, slots=True)
class NpsMeasure:
    span: Span


@dataclass(frozen=True, slots=True)
class CountMeasure:
    event: Name
    per: DurationLit
    span: Span


MEASURES = (TimeMeasure, RatioMeasure, ScoreMeasure, NpsMeasure, CountMeasure)
Measure = Union[TimeMeasure, RatioMeasure, ScoreMeasure, NpsMeasure, CountMeasure]
"""What a metric measures, as written; dispatch with `match` ending in `assert_never`."""


@dataclass(frozen=True, slots=True)
class PauseLine:
    """`pause while STEP` (`step` set, `start`/`end` None) or `pause from A to B`."""

    step: Name | None
    start: EventRef | None
    end: EventRef | None
    span: Span


@dataclass(frozen=True, slots=True)
class ObjectiveLit:
    """One objective as written. `form` is within|at_most|at_least|average_at_least|share_at_least."""

    form: str
    percent: Percent | None
    number: Number | None
    within: DurationLit | BusinessDaysLit | None
    span: Span


@dataclass(frozen=True, slots=True)
class ForClasses:
    """`for dangerous, urgent` after an objective (kept in its `ObjectiveLine`)."""

    names: tuple[Name, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class ObjectiveLine:
    """`promise …` or `target …`, for every case or (`for CLASS, …`) for some classes."""

    role: str  # "promise" | "target"
    objective: ObjectiveLit
    classes: tuple[Name, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class SourceQuery:
    key: Name
    query: Text
    span: Span


@dataclass(frozen=True, slots=True)
class SourceBlock:
    system: Name
    queries: tuple[SourceQuery, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Compensation:
    """What a customer gets when the metric's promise is not kept for them, in words."""

    text: Text
    span: Span


@dataclass(frozen=True, slots=True)
class MetricDecl:
    name: Name
    title: Text
    items: tuple[Any, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class TouchpointDecl:
    name: Name
    title: Text
    items: tuple[Any, ...]
    span: Span


Declaration = ImportDecl | ProjectDecl | CalendarDecl | OwnerDecl | JourneyDecl | DefaultsDecl | TouchpointDecl


@dataclass(frozen=True, slots=True)
class Broken:
    """A declaration or named statement that did not parse, dropped from the tree.

    `kind` is its keyword (`owner`, `metric`, `step`, ...); `name` the name it was
    given, when the parser got that far; `scope` the touchpoint or journey a
    nested one belongs to. The checker does not judge what it cannot read: a
    reference to a broken name is not "unknown", and nothing is "never used"
    while parts of the project are unreadable.
    """

    kind: str
    name: Name | None
    scope: str | None
    span: Span

    @property
    def qualified(self) -> str | None:
        """The name as the symbol index spells it (`touchpoint.step`), None when it has none."""
        if self.name is None:
            return None
        return f"{self.scope}.{self.name.value}" if self.scope else self.name.value


@dataclass
class File:
    """One parsed file. `path` is the display path used in diagnostics."""

    path: str
    declarations: list[Any] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    # Spans of declarations that contain a syntax error: the checker skips
    # completeness rules for them so one typo does not cascade.
    damaged: list[Span] = field(default_factory=list)
    # Declarations and named statements dropped after a syntax error.
    broken: list[Broken] = field(default_factory=list)

    def is_damaged(self, span: Span) -> bool:
        return any(
            (span.line, span.column) <= (d.line, d.column) <= (span.end_line, span.end_column)
            for d in self.damaged
        )
