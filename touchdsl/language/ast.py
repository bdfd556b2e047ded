"""The syntax tree: what was written, where, before any meaning is checked.

Every node carries a `span`. Blocks keep their items as a list in source
order (not as fields) so the checker can report a repeated `owner`, a missing
`expectation`, and point at each line. The checker (touchdsl/compiler/checks/) turns
this tree into the validated model; targets never see it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from touchdsl.diagnostics import Span


@dataclass(frozen=True)
class Name:
    value: str
    span: Span


@dataclass(frozen=True)
class Text:
    """A decoded string literal; `raw` is the literal as written (quotes included)."""

    value: str
    span: Span
    raw: str = ""

    @property
    def triple(self) -> bool:
        return self.raw.startswith('"""')


@dataclass(frozen=True)
class Number:
    value: float
    text: str
    span: Span


@dataclass(frozen=True)
class Percent:
    value: float
    text: str
    span: Span


@dataclass(frozen=True)
class DurationLit:
    seconds: float
    text: str
    span: Span


@dataclass(frozen=True)
class Comment:
    text: str
    span: Span


# ---- shared items ---------------------------------------------------------------------


@dataclass(frozen=True)
class Note:
    text: Text
    span: Span


@dataclass(frozen=True)
class Tags:
    values: tuple[Text, ...]
    span: Span


@dataclass(frozen=True)
class Window:
    duration: DurationLit
    span: Span


# ---- calendars ------------------------------------------------------------------------


@dataclass(frozen=True)
class Timezone:
    value: Text
    span: Span


@dataclass(frozen=True)
class DayRange:
    first: Name
    last: Name | None
    span: Span


@dataclass(frozen=True)
class HoursLine:
    days: tuple[DayRange, ...]
    start: Name  # `08:00` kept as text with its position
    end: Name
    span: Span


@dataclass(frozen=True)
class Holidays:
    countries: tuple[Text, ...]
    span: Span


@dataclass(frozen=True)
class Closed:
    dates: tuple[Name, ...]
    span: Span


@dataclass(frozen=True)
class CalendarDecl:
    name: Name
    title: Text
    items: tuple
    span: Span


# ---- owners and journeys --------------------------------------------------------------


@dataclass(frozen=True)
class ManagerLine:
    name: Text
    email: Name  # without the angle brackets; span covers them
    span: Span


@dataclass(frozen=True)
class ReceiverLine:
    level: str  # "notify" | "page"
    kind: Name
    target: Text
    span: Span


@dataclass(frozen=True)
class OwnerDecl:
    name: Name
    title: Text
    items: tuple
    span: Span


@dataclass(frozen=True)
class StageDecl:
    name: Name
    title: Text
    span: Span


@dataclass(frozen=True)
class JourneyDecl:
    name: Name
    title: Text
    items: tuple
    span: Span


# ---- imports and defaults -------------------------------------------------------------


@dataclass(frozen=True)
class ImportDecl:
    path: Text
    span: Span


@dataclass(frozen=True)
class CharterSetting:
    key: Name
    value: Text
    span: Span


@dataclass(frozen=True)
class DefaultsDecl:
    items: tuple
    span: Span


# ---- touchpoints ----------------------------------------------------------------------


@dataclass(frozen=True)
class JourneyRef:
    journey: Name
    stage: Name | None
    span: Span


@dataclass(frozen=True)
class OwnerRef:
    owner: Name
    span: Span


@dataclass(frozen=True)
class Expectation:
    text: Text
    span: Span


@dataclass(frozen=True)
class Channels:
    channels: tuple[Name, ...]
    span: Span


@dataclass(frozen=True)
class StepDecl:
    name: Name
    title: Text
    by: tuple[Name, ...]
    via: tuple[Name, ...]
    span: Span


@dataclass(frozen=True)
class EventRef:
    step: Name
    moment: Name
    span: Span

    def __str__(self) -> str:
        return f"{self.step.value}.{self.moment.value}"


@dataclass(frozen=True)
class UpdatesLine:
    every: DurationLit
    via: Name
    until: EventRef | None
    span: Span


@dataclass(frozen=True)
class EscalateLine:
    to: Name
    on: tuple[Name, ...]
    span: Span


# ---- metrics --------------------------------------------------------------------------


@dataclass(frozen=True)
class TimeMeasure:
    start: EventRef
    end: EventRef
    calendar: Name | None
    span: Span


@dataclass(frozen=True)
class RatioMeasure:
    numerator: Name
    denominator: Name
    span: Span


@dataclass(frozen=True)
class ScoreMeasure:
    low: Number
    high: Number
    span: Span


@dataclass(frozen=True)
class NpsMeasure:
    span: Span


@dataclass(frozen=True)
class CountMeasure:
    event: Name
    per: DurationLit
    span: Span


MEASURES = (TimeMeasure, RatioMeasure, ScoreMeasure, NpsMeasure, CountMeasure)
Measure = Union[TimeMeasure, RatioMeasure, ScoreMeasure, NpsMeasure, CountMeasure]
"""What a metric measures, as written; dispatch with `match` ending in `assert_never`."""


@dataclass(frozen=True)
class ObjectiveLit:
    """One objective as written. `form` is within|at_most|at_least|average_at_least|share_at_least."""

    form: str
    percent: Percent | None
    number: Number | None
    within: DurationLit | None
    span: Span


@dataclass(frozen=True)
class ObjectiveLine:
    role: str  # "promise" | "target"
    objective: ObjectiveLit
    span: Span


@dataclass(frozen=True)
class SourceQuery:
    key: Name
    query: Text
    span: Span


@dataclass(frozen=True)
class SourceBlock:
    system: Name
    queries: tuple[SourceQuery, ...]
    span: Span


@dataclass(frozen=True)
class MetricDecl:
    name: Name
    title: Text
    items: tuple
    span: Span


@dataclass(frozen=True)
class TouchpointDecl:
    name: Name
    title: Text
    items: tuple
    span: Span


Declaration = ImportDecl | CalendarDecl | OwnerDecl | JourneyDecl | DefaultsDecl | TouchpointDecl


@dataclass
class File:
    """One parsed file. `path` is the display path used in diagnostics."""

    path: str
    declarations: list = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    # Spans of declarations that contain a syntax error: the checker skips
    # completeness rules for them so one typo does not cascade.
    damaged: list[Span] = field(default_factory=list)

    def is_damaged(self, span: Span) -> bool:
        return any(
            (span.line, span.column) <= (d.line, d.column) <= (span.end_line, span.end_column)
            for d in self.damaged
        )
