"""The pipeline a user would otherwise write: YAML files, PyYAML's C loader, pydantic models.

    python bench/baseline.py [--gc-off] DIR

Loads every `*.yaml` below DIR (following `imports:` once each, like touchdsl),
validates each file with the pydantic models below, then makes the obvious
cross-file checks: duplicate names per kind, unknown owners (accountable owner,
step performers, escalation), unknown journeys and stages, unknown calendars,
events that name no declared step. Prints the problems and a summary; exit 1
if any. It deliberately checks less than `touchdsl check` (no positions, no
suggestions, no target-vs-promise or step-order rules), so it is a lower bound
for what a hand-written pipeline costs.
"""



import gc
import os
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Annotated, Literal, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

try:
    Loader = yaml.CSafeLoader  # libyaml: the fast loader users are told to pick
except AttributeError:  # PyYAML built without libyaml
    print("warning: PyYAML has no C loader (libyaml); using the pure-Python SafeLoader", file=sys.stderr)
    Loader = yaml.SafeLoader

Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
Duration = Annotated[str, Field(pattern=r"^\d+(\.\d+)?(ms|s|m|h|d|w)$")]
Event = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")]
Channel = Literal["phone", "chat", "email", "web", "app", "sms", "whatsapp", "store", "field", "mail", "social"]


def _percent(value: object) -> float:
    if isinstance(value, str) and value.endswith("%"):
        value = value[:-1]
    number = float(value)  # type: ignore[arg-type]
    if not 0 <= number <= 100:
        raise ValueError("a percentage is between 0 and 100")
    return number


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Hours(Strict):
    days: Annotated[str, Field(pattern=r"^(sun|mon|tue|wed|thu|fri|sat)(-(sun|mon|tue|wed|thu|fri|sat))?$")]
    from_: Annotated[str, Field(alias="from", pattern=r"^\d\d:\d\d$")]
    to: Annotated[str, Field(pattern=r"^\d\d:\d\d$")]


class Calendar(Strict):
    name: Name
    title: str
    timezone: str
    hours: list[Hours]
    holidays: str | None = None
    closed: list[str] = []


class Receiver(Strict):
    kind: Literal["email", "slack", "pagerduty", "webhook", "opsgenie"]
    to: str


class Manager(Strict):
    name: str
    email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+$")]


class Owner(Strict):
    name: Name
    title: str
    manager: Manager
    notify: list[Receiver] = []
    page: list[Receiver] = []


class Stage(Strict):
    name: Name
    title: str


class Journey(Strict):
    name: Name
    title: str
    stages: list[Stage]


class Step(Strict):
    name: Name
    title: str
    by: Name
    via: Channel | None = None


class Within(Strict):
    percent: float
    within: Duration
    _pct = field_validator("percent", mode="before")(_percent)


class AtMostPercent(Strict):
    at_most: float
    _pct = field_validator("at_most", mode="before")(_percent)


class AtLeastPercent(Strict):
    at_least: float
    _pct = field_validator("at_least", mode="before")(_percent)


class AverageAtLeast(Strict):
    average_at_least: float


class ShareAtLeast(Strict):
    percent: float
    at_least: float
    _pct = field_validator("percent", mode="before")(_percent)


class AtLeast(Strict):
    at_least: float


class AtMost(Strict):
    at_most: float


class TimeMeasure(Strict):
    from_: Annotated[Event, Field(alias="from")]
    to: Event
    on: Name | None = None


class RatioMeasure(Strict):
    cases: Name
    of: Name


class ScoreMeasure(Strict):
    low: int
    high: int


class CountMeasure(Strict):
    what: Name
    per: Duration


Objective = Union[Within, ShareAtLeast, AverageAtLeast, AtLeastPercent, AtMostPercent, AtLeast, AtMost]


class Metric(Strict):
    name: Name
    title: str
    time: TimeMeasure | None = None
    ratio: RatioMeasure | None = None
    score: ScoreMeasure | None = None
    nps: bool = False
    count: CountMeasure | None = None
    promise: Objective
    target: Objective | None = None
    window: Duration | None = None

    @model_validator(mode="after")
    def one_kind(self):
        kinds = [k for k in ("time", "ratio", "score", "count") if getattr(self, k) is not None] + (["nps"] if self.nps else [])
        if len(kinds) != 1:
            raise ValueError(f"a metric has exactly one kind, got {kinds or 'none'}")
        return self


class Updates(Strict):
    every: Duration
    via: Channel
    until: Event | None = None


class Escalate(Strict):
    to: Name
    on: Literal["breach", "risk"]


class Touchpoint(Strict):
    name: Name
    title: str
    journey: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")]
    owner: Name
    expectation: str
    channels: list[Channel] = []
    steps: list[Step]
    metrics: list[Metric]
    tags: list[str] = []
    updates: Updates | None = None
    escalate: Escalate | None = None
    note: str | None = None


class Defaults(Strict):
    window: Duration | None = None
    charter_language: Literal["he", "en"] | None = None


class File(Strict):
    imports: list[str] = []
    calendars: list[Calendar] = []
    defaults: Defaults | None = None
    owners: list[Owner] = []
    journeys: list[Journey] = []
    touchpoints: list[Touchpoint] = []


def load(root: Path) -> tuple[list[tuple[Path, File]], list[str]]:
    problems: list[str] = []
    queue = sorted(root.rglob("*.yaml"))
    seen = {p.resolve() for p in queue}
    files = []
    while queue:
        path = queue.pop(0)
        with open(path, "rb") as stream:
            data = yaml.load(stream, Loader=Loader)
        try:
            parsed = File.model_validate(data or {})
        except ValidationError as exc:
            problems.append(f"{path}: {exc}")
            continue
        files.append((path, parsed))
        for imp in parsed.imports:
            target = (path.parent / imp).resolve()
            if not target.is_relative_to(root.resolve()) or not target.is_file():
                problems.append(f"{path}: bad import {imp}")
            elif target not in seen:
                seen.add(target)
                queue.append(target)
    return files, problems


def check(files: list[tuple[Path, File]]) -> list[str]:
    problems: list[str] = []
    calendars = [c for _, f in files for c in f.calendars]
    owners = [o for _, f in files for o in f.owners]
    journeys = [j for _, f in files for j in f.journeys]
    touchpoints = [(p, t) for p, f in files for t in f.touchpoints]
    for kind, names in (("calendar", [c.name for c in calendars]), ("owner", [o.name for o in owners]),
                        ("journey", [j.name for j in journeys]), ("touchpoint", [t.name for _, t in touchpoints])):
        for name, n in Counter(names).items():
            if n > 1:
                problems.append(f"duplicate {kind} {name}")
    owner_names = {o.name for o in owners}
    calendar_names = {c.name for c in calendars}
    stages = {j.name: {s.name for s in j.stages} for j in journeys}
    for path, tp in touchpoints:
        where = f"{path}: touchpoint {tp.name}"
        if tp.owner not in owner_names:
            problems.append(f"{where}: unknown owner {tp.owner}")
        journey, _, stage = tp.journey.partition(".")
        if stage not in stages.get(journey, ()):
            problems.append(f"{where}: unknown journey stage {tp.journey}")
        steps = {s.name for s in tp.steps}
        for name, n in Counter(s.name for s in tp.steps).items():
            if n > 1:
                problems.append(f"{where}: duplicate step {name}")
        for step in tp.steps:
            if step.by not in owner_names:
                problems.append(f"{where}: step {step.name} by unknown owner {step.by}")
        for name, n in Counter(m.name for m in tp.metrics).items():
            if n > 1:
                problems.append(f"{where}: duplicate metric {name}")
        events = [e for m in tp.metrics if m.time for e in (m.time.from_, m.time.to)]
        if tp.updates and tp.updates.until:
            events.append(tp.updates.until)
        for event in events:
            if event.split(".")[0] not in steps:
                problems.append(f"{where}: event {event} names no step")
        for m in tp.metrics:
            if m.time and m.time.on and m.time.on not in calendar_names:
                problems.append(f"{where}: metric {m.name} on unknown calendar {m.time.on}")
        if tp.escalate and tp.escalate.to != "manager" and tp.escalate.to not in owner_names:
            problems.append(f"{where}: escalate to unknown owner {tp.escalate.to}")
    return problems


def main(argv: list[str]) -> int:
    if argv and argv[0] == "--gc-off":
        # What touchdsl does during a compilation (touchdsl/loader.py): without it the
        # cyclic collector re-scans every live YAML node and model, and the cost grows
        # faster than the project. Measured as a second, tuned baseline.
        gc.disable()
        argv = argv[1:]
    root = Path(argv[0] if argv else ".")
    files, problems = load(root)
    problems += check(files)
    for p in problems:
        print(p)
    n = sum(len(f.touchpoints) for _, f in files)
    print(f"{'ok' if not problems else 'problems'}: {len(files)} files, {n} touchpoints, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
