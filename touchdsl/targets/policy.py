"""The internal SLA policy: `policy/<owner>.md` and `.html` per owner, and `policy/index.html`.

Each owner's document lists every touchpoint it is accountable for — steps and
who performs them, promises *and* internal targets, windows, clocks, error
budgets, the instrumentation contract, update cadence, escalation path, notes
and tags — and, per unit, the steps it performs for touchpoints other owners
are accountable for, so every manager sees everything they take part in.
"""

from __future__ import annotations

from dataclasses import dataclass

from touchdsl.documents.i18n import document_environment
from touchdsl.documents.wording import Code, CodeBlock, Phrase, User, Value, Words, join
from touchdsl.measure.published import Published, figure_line
from touchdsl.model import (
    CountMetric,
    Metric,
    NpsMetric,
    Owner,
    Project,
    RatioMetric,
    Receiver,
    ScoreMetric,
    TimeMetric,
    Touchpoint,
    business_calendar,
    business_days,
    metric_key,
    unknown_kind,
)
from touchdsl.slo.contract import metric_contract
from touchdsl.slo.rules import anchor
from touchdsl.targets import BuildOptions


@dataclass(frozen=True)
class SeriesRow:
    name: Code
    type: Code
    labels: Code
    buckets: Code | None
    help: Phrase


@dataclass(frozen=True)
class QueryRow:
    key: str
    meaning: Phrase
    query: CodeBlock


@dataclass(frozen=True)
class Contract:
    overridden: bool
    series: list[SeriesRow]
    queries: list[QueryRow]
    clock: Phrase | None
    notes: list[Phrase]
    buckets_label: Phrase
    source_label: Phrase


@dataclass(frozen=True)
class PolicyMetric:
    id: str
    anchor: str  # the id of its section, which alerts link to (touchdsl.slo.rules.anchor)
    title: User | Phrase
    measured: Phrase
    events: Phrase | None
    promise: Phrase
    target: Phrase
    target_written: bool
    window: Phrase
    clock: Phrase
    clock_note: list[User]
    budget: Phrase
    contract: Contract
    note: list[User]
    tags: Phrase | None
    # `build --measured`: what the last period achieved against the promise and the target
    promise_achieved: Phrase | None = None
    target_achieved: Phrase | None = None


@dataclass(frozen=True)
class PolicyStep:
    order: int
    id: str
    title: User
    performer: User
    performer_id: str
    channel: str


@dataclass(frozen=True)
class PolicyTouchpoint:
    id: str
    title: User
    journey: Phrase | None
    expectation: User
    channels: str
    accountable: User
    steps: list[PolicyStep]
    metrics: list[PolicyMetric]
    updates: Phrase | None
    escalation: list[Phrase]
    note: list[User]
    tags: Phrase | None
    updates_achieved: Phrase | None = None  # `build --measured`


@dataclass(frozen=True)
class OtherWork:
    touchpoint: PolicyTouchpoint
    owner_id: str
    mine: list[PolicyStep]


@dataclass(frozen=True)
class Received:
    """An escalation another owner's touchpoint sends to this owner."""

    touchpoint_id: str
    title: User
    owner_id: str
    accountable: User
    when: Phrase


@dataclass(frozen=True)
class PolicyOwner:
    id: str
    title: User
    manager: Phrase | None
    receivers: list[Phrase]
    touchpoints: list[PolicyTouchpoint]
    other_work: list[OtherWork]
    received: list[Received]
    note: list[User]
    tags: Phrase | None


def paragraphs(text: str | None) -> list[User]:
    """Free text as paragraphs: blank lines separate them; other line breaks are spaces."""
    if not text:
        return []
    blocks, current = [], []
    for line in text.splitlines():
        if line.strip():
            current.append(line.strip())
        elif current:
            blocks.append(" ".join(current))
            current = []
    if current:
        blocks.append(" ".join(current))
    return [User(b) for b in blocks]


def _tags(tags: list[str]) -> Phrase | None:
    return join([User(t) for t in tags]) if tags else None


def _receiver(words: Words, receiver: Receiver, urgent: bool) -> Phrase:
    pattern = (words.gettext("page (urgent): %(kind)s %(target)s") if urgent
               else words.gettext("notify: %(kind)s %(target)s"))
    return words.phrase(pattern, kind=Value(receiver.kind), target=Code(receiver.target))


def receivers(words: Words, owner: Owner) -> list[Phrase]:
    return ([_receiver(words, r, False) for r in owner.notify]
            + [_receiver(words, r, True) for r in owner.page])


def _contract(project: Project, words: Words, tp: Touchpoint, metric: Metric) -> Contract:
    found = metric_contract(project, tp, metric)
    rows = []
    for series in found.series:
        labels = "{" + ", ".join(f'{k}="{v}"' for k, v in series.labels.items()) + "}"
        buckets = Code(", ".join(_le(b) for b in series.buckets)) if series.buckets else None
        rows.append(SeriesRow(Code(series.name), Code(series.type), Code(labels), buckets,
                              words.series_meaning(project, metric, series.name, series.labels)))
    queries = [QueryRow(key, words.query_meaning(key, found.kind), CodeBlock(query, "promql"))
               for key, query in found.queries.items()]
    notes = [] if found.overridden else words.contract_notes(metric)
    unit = (words.gettext("buckets (%(label)s, business days):") if business_days(metric)
            else words.gettext("buckets (%(label)s, seconds):"))
    return Contract(found.overridden, rows, queries, words.contract_clock(project, metric, found.observe), notes,
                    words.phrase(unit, label=Code("le")),
                    words.phrase(words.gettext("own queries (%(block)s)"), block=Code("source prometheus")))


def _le(seconds: float) -> str:
    return str(int(seconds)) if float(seconds).is_integer() else repr(float(seconds))


def _metric(project: Project, words: Words, tp: Touchpoint, metric: Metric,
            found: Published | None = None) -> PolicyMetric:
    events = None
    match metric:
        case TimeMetric():
            # One left-to-right span, so the arrow points from start to end in Hebrew too.
            events = words.phrase("%(events)s", events=Code(f"{metric.start} → {metric.end}"))
        case RatioMetric() | ScoreMetric() | NpsMetric() | CountMetric():
            pass  # measured between no two events
        case _:
            unknown_kind(metric)
    calendar = business_calendar(metric)
    return PolicyMetric(
        id=metric_key(metric),
        anchor=anchor(tp, metric),
        title=words.metric_title(project, metric),
        measured=words.measured(project, metric),
        events=events,
        promise=words.objective_short(metric, metric.promise),
        target=words.objective_short(metric, metric.target),
        target_written=metric.target_written,
        window=words.window(metric.window),
        clock=words.clock(project, metric),
        clock_note=paragraphs(project.calendars[calendar].note if calendar is not None else None),
        budget=words.error_budget(metric, metric.window),
        contract=_contract(project, words, tp, metric),
        note=paragraphs(metric.note),
        tags=_tags(metric.tags),
        # An internal metric has no promise to measure against: only its target's figure.
        promise_achieved=(None if found is None or metric.promise is None
                          else figure_line(words, found, tp, metric, "promise", verdict=True)),
        target_achieved=None if found is None else figure_line(words, found, tp, metric, "target", verdict=True),
    )


def _urgent_receivers(words: Words, owner: Owner) -> list[Phrase]:
    """Where an owner's pages go (as Alertmanager routes them): its `page` receivers,
    else its `notify` ones."""
    chosen = owner.page or owner.notify
    return [_receiver(words, r, chosen is owner.page) for r in chosen]


def _ticket_receivers(words: Words, owner: Owner) -> list[Phrase]:
    """Where an owner's tickets go: its `notify` receivers, else its `page` ones."""
    chosen = owner.notify or owner.page
    return [_receiver(words, r, chosen is owner.page) for r in chosen]


def _when(words: Words, on: str) -> Phrase:
    """When an escalation is told, in plain words: the promise being broken, or every alert."""
    text = (words.gettext("When the promise is broken or being broken") if on == "breach"
            else words.gettext("On every alert, the early warnings too"))
    return Phrase(text.replace("%", "%%"))


def _received(project: Project, words: Words, owner: Owner) -> list[Received]:
    """Escalations other owners' touchpoints send to `owner` (`escalate to OWNER on …`)."""
    out = []
    for tp in project.touchpoints.values():
        for esc in tp.escalations:
            if esc.to == owner.id:
                out.append(Received(tp.id, User(tp.title), tp.owner, User(project.owners[tp.owner].title),
                                    _when(words, esc.on)))
    return out


def _escalation(project: Project, words: Words, tp: Touchpoint) -> list[Phrase]:
    """Who is told, in the two tiers: the promise (customers are being failed: call at
    once) and the internal target (the early warning: a ticket), and how few cases are
    too few to call anyone for."""
    owner = project.owners[tp.owner]
    path: list[Phrase] = []
    # Internal metrics (a target, no promise) have nothing customers were told: tickets only.
    internal = [words.metric_title(project, m) for m in tp.metrics if m.promise is None]
    promised = tp.updates is not None or len(internal) < len(tp.metrics)
    if owner.notify or owner.page:
        if promised:
            path.append(words.phrase(words.gettext(
                "If customers are being failed faster than the promise allows, or the promise is already broken, "
                "%(unit)s is alerted at once: %(receivers)s."),
                unit=User(owner.title), receivers=join(_urgent_receivers(words, owner), "; ")))
        path.append(words.phrase(words.gettext(
            "If the internal target is at risk (an early warning, before customers feel it), %(unit)s gets a "
            "ticket to handle in working hours: %(receivers)s."),
            unit=User(owner.title), receivers=join(_ticket_receivers(words, owner), "; ")))
        if internal:
            path.append(words.phrase(words.gettext(
                "Internal metrics, with a target and no promise to customers (%(metrics)s), only ever raise "
                "tickets."), metrics=join(internal, "; ")))
    else:
        path.append(words.phrase(words.gettext("%(unit)s declares no receivers: its alerts reach no one."),
                                 unit=User(owner.title)))
    path.append(words.phrase(words.gettext(
        "Alerts wait until at least %(count)s cases were counted; when only a few cases are late, a ticket is "
        "sent instead of an alert at once."), count=words.number(project.defaults.alert_minimum)))
    for esc in tp.escalations:
        if esc.to == "manager":
            manager = owner.manager
            assert manager is not None  # the checker requires it (TD308)
            pattern = (words.gettext("When the promise is broken or being broken, the manager of %(unit)s, "
                                     "%(name)s, is told too: %(email)s.") if esc.on == "breach" else
                       words.gettext("The manager of %(unit)s, %(name)s, is told of every alert, the early "
                                     "warnings too: %(email)s."))
            path.append(words.phrase(pattern, unit=User(owner.title), name=User(manager.name),
                                     email=Code(manager.email)))
        else:
            other = project.owners[esc.to]
            reached = _ticket_receivers(words, other)
            pattern = (words.gettext("When the promise is broken or being broken, %(unit)s is told too, through "
                                     "%(receivers)s.") if esc.on == "breach" else
                       words.gettext("%(unit)s is told of every alert, the early warnings too, through "
                                     "%(receivers)s."))
            path.append(words.phrase(pattern, unit=User(other.title),
                                     receivers=join(reached, "; ") if reached else Value("—")))
    return path


def _touchpoint(project: Project, words: Words, tp: Touchpoint, found: Published | None = None) -> PolicyTouchpoint:
    journey = None
    if tp.journey:
        j = project.journeys[tp.journey]
        if tp.stage:
            stage = next(s for s in j.stages if s.id == tp.stage)
            journey = words.phrase("%(journey)s › %(stage)s", journey=User(j.title), stage=User(stage.title))
        else:
            journey = words.phrase("%(journey)s", journey=User(j.title))
    steps = [PolicyStep(i, s.id, User(s.title), User(project.owners[s.by].title), s.by,
                        words.channel(s.via) if s.via else "—")
             for i, s in enumerate(tp.steps, 1)]
    return PolicyTouchpoint(
        id=tp.id,
        title=User(tp.title),
        journey=journey,
        expectation=User(tp.expectation),
        channels=words.channels(list(tp.channels)),
        accountable=User(project.owners[tp.owner].title),
        steps=steps,
        metrics=[_metric(project, words, tp, m, found) for m in tp.metrics],
        updates=words.updates(tp, tp.updates) if tp.updates else None,
        escalation=_escalation(project, words, tp),
        note=paragraphs(tp.note),
        tags=_tags(tp.tags),
        updates_achieved=(figure_line(words, found, tp, None, "promise", verdict=True)
                          if found is not None and tp.updates is not None else None),
    )


def owners(project: Project, words: Words, found: Published | None = None) -> list[PolicyOwner]:
    out = []
    for owner in project.owners.values():
        accountable = [_touchpoint(project, words, t, found) for t in project.touchpoints_of(owner.id)]
        other_work = []
        for tp in project.touchpoints.values():
            if tp.owner == owner.id or not any(s.by == owner.id for s in tp.steps):
                continue
            view = _touchpoint(project, words, tp)
            other_work.append(OtherWork(view, tp.owner, [s for s in view.steps if s.performer_id == owner.id]))
        manager = (words.phrase("%(name)s, %(email)s", name=User(owner.manager.name), email=Code(owner.manager.email))
                   if owner.manager else None)
        out.append(PolicyOwner(owner.id, User(owner.title), manager, receivers(words, owner), accountable,
                               other_work, _received(project, words, owner), paragraphs(owner.note),
                               _tags(owner.tags)))
    return out


def render(project: Project, options: BuildOptions) -> dict[str, bytes]:
    lang = options.language(project)
    words = Words(lang)
    units = owners(project, words, options.measured)
    stamp = User(options.stamp) if options.stamp else None
    files: dict[str, bytes] = {}
    html = document_environment("policy", lang, markdown=False)
    markdown = document_environment("policy", lang, markdown=True)
    for unit in units:
        context = {"owner": unit, "stamp": stamp}
        files[f"policy/{unit.id}.html"] = html.get_template("owner.html.j2").render(context).encode("utf-8")
        files[f"policy/{unit.id}.md"] = markdown.get_template("owner.md.j2").render(context).encode("utf-8")
    files["policy/index.html"] = html.get_template("index.html.j2").render(
        {"owners": units, "stamp": stamp}).encode("utf-8")
    return files
