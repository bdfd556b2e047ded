"""The customer service charter: `charter/index.html` and `charter/charter.md`.

Published to customers, so it holds only what they are promised and what they
need to use it: who speaks (the project's name), the version and the date it takes
effect, how to reach the organisation on each channel, the opening hours that
business-time promises count (each calendar once), and per journey and stage each
touchpoint's expectation, channels, every *promise* as a plain sentence with what
the customer gets when it is not kept for them, the update promise and who is
accountable. Internal targets, alert receivers and notes are never read here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from touchdsl.documents.i18n import document_environment
from touchdsl.documents.wording import Link, Phrase, Piece, User, Words
from touchdsl.measure.published import Published, figure_line
from touchdsl.model import Contact, Project, Touchpoint, business_calendar, business_days, published
from touchdsl.targets import BuildOptions


@dataclass(frozen=True)
class CharterPromise:
    sentence: Phrase
    compensation: User | None
    achieved: Phrase | None = None  # `build --measured`: what the last period achieved


@dataclass(frozen=True)
class CharterTouchpoint:
    id: str
    title: User
    expectation: User
    channels: str
    promises: list[CharterPromise]
    updates: Phrase | None
    accountable: Phrase
    escalations: list[Phrase]
    updates_achieved: Phrase | None = None  # `build --measured`


@dataclass(frozen=True)
class CharterContact:
    channel: str
    how: Piece


@dataclass(frozen=True)
class CharterHours:
    title: User | None  # named when the charter's promises follow more than one calendar
    rules: Phrase


@dataclass(frozen=True)
class CharterStage:
    title: User | None
    touchpoints: list[CharterTouchpoint]


@dataclass(frozen=True)
class CharterSection:
    id: str
    title: User | Phrase
    stages: list[CharterStage] = field(default_factory=list)


def _touchpoint(project: Project, words: Words, tp: Touchpoint, name_calendars: bool,
                found: Published | None = None) -> CharterTouchpoint:
    owner = project.owners[tp.owner]
    escalations = []
    for esc in tp.escalations:
        # `breach`: the promise is being missed; `risk`: monitoring sees it would be
        # missed at the present pace (the error budget burns too fast), said as a customer would.
        breach = esc.on == "breach"
        if esc.to == "manager":
            pattern = (words.gettext("If we fall short of one of these promises, the manager of %(unit)s takes "
                                     "charge.")
                       if breach else
                       words.gettext("If we are close to falling short of one of these promises, the manager of "
                                     "%(unit)s takes charge."))
            escalations.append(words.phrase(pattern, unit=User(owner.title)))
        else:
            other = project.owners[esc.to]
            pattern = (words.gettext("If we fall short of one of these promises, %(unit)s is told as well.")
                       if breach else
                       words.gettext("If we are close to falling short of one of these promises, %(unit)s is told "
                                     "as well."))
            escalations.append(words.phrase(pattern, unit=User(other.title)))
    return CharterTouchpoint(
        id=tp.id,
        title=User(tp.title),
        expectation=User(tp.expectation),
        channels=words.channels(list(tp.channels)),
        # Internal metrics (a target, no promise) are never published; with --measured, each
        # promise's figure, never a target's.
        promises=[CharterPromise(words.promise_sentence(project, m, name_calendar=name_calendars),
                                 User(m.compensation) if m.compensation else None,
                                 figure_line(words, found, tp, m) if found is not None else None)
                  for m in tp.metrics if published(m)],
        updates=words.updates(tp, tp.updates) if tp.updates else None,
        accountable=words.phrase(words.gettext("Accountable for this service: %(unit)s."), unit=User(owner.title)),
        escalations=escalations,
        updates_achieved=figure_line(words, found, tp, None) if found is not None and tp.updates else None,
    )


def calendars_promised(project: Project) -> list[str]:
    """The calendars whose business hours published promises count, in source order."""
    used = {c for tp in project.touchpoints.values() for m in tp.metrics
            if published(m) and (c := business_calendar(m)) is not None}
    return [c for c in project.calendars if c in used]


def opening_hours(project: Project, words: Words) -> list[CharterHours]:
    """Each calendar a promise counts business hours by, once (named when there are several)."""
    ids = calendars_promised(project)
    return [CharterHours(User(project.calendars[c].title) if len(ids) > 1 else None,
                         words.calendar_rules(project.calendars[c])) for c in ids]


def opening_hours_intro(project: Project, words: Words) -> Phrase:
    """What the opening hours are for: business hours, business days, or both."""
    published = [m for tp in project.touchpoints.values() for m in tp.metrics
                 if m.promise is not None and business_calendar(m) is not None]
    days = any(business_days(m) for m in published)
    hours = any(not business_days(m) for m in published)
    if days and hours:
        return words.phrase(words.gettext("Promises in business hours count only the time we are open, and "
                                          "promises in business days only the days we are open, each until "
                                          "closing time:"))
    if days:
        return words.phrase(words.gettext("Promises in business days count only the days we are open, each "
                                          "until closing time:"))
    return words.phrase(words.gettext("Promises in business hours count only the time we are open:"))


def contacts(project: Project, words: Words) -> list[CharterContact]:
    """How to reach the organisation, per channel, as the project lists them."""
    return [CharterContact(words.channel(c.channel), _how(c)) for c in project.contacts]


def _how(contact: Contact) -> Piece:
    if contact.link is None:
        return User(contact.text)
    return Link(contact.text, contact.link)


def sections(project: Project, words: Words, found: Published | None = None) -> list[CharterSection]:
    """Journeys in source order, their stages in order; touchpoints without a journey last."""
    named = len(calendars_promised(project)) > 1
    out: list[CharterSection] = []
    for journey in project.journeys.values():
        members = project.touchpoints_in(journey.id)
        if not members:
            continue
        stages = []
        loose = [_touchpoint(project, words, t, named, found) for t in members if t.stage is None]
        if loose:
            stages.append(CharterStage(None, loose))
        for stage in journey.stages:
            here = [_touchpoint(project, words, t, named, found) for t in members if t.stage == stage.id]
            if here:
                stages.append(CharterStage(User(stage.title), here))
        out.append(CharterSection(journey.id, User(journey.title), stages))
    others = project.touchpoints_in(None)
    if others:
        out.append(CharterSection("", words.phrase(words.gettext("Other services")),
                                  [CharterStage(None, [_touchpoint(project, words, t, named, found) for t in others])]))
    return out


def heading(project: Project, words: Words) -> Phrase | User:
    """`charter title`, else the organisation's name in the generic heading, else the generic heading."""
    settings = project.defaults.charter
    if settings.title:
        return User(settings.title)
    if project.title:
        return words.phrase(words.gettext("%(organisation)s: our service charter"), organisation=User(project.title))
    return words.phrase(words.gettext("Our service charter"))


def edition(project: Project, words: Words) -> Phrase | None:
    """`Version 2026.2, in effect from 1 December 2026.` (either part alone when only it is declared)."""
    settings = project.defaults.charter
    version = User(settings.version) if settings.version else None
    if settings.effective is not None and version is not None:
        return words.phrase(words.gettext("Version %(version)s, in effect from %(date)s."), version=version,
                            date=words.date(settings.effective))
    if settings.effective is not None:
        return words.phrase(words.gettext("In effect from %(date)s."), date=words.date(settings.effective))
    if version is not None:
        return words.phrase(words.gettext("Version %(version)s."), version=version)
    return None


def render(project: Project, options: BuildOptions) -> dict[str, bytes]:
    lang = options.language(project)
    words = Words(lang)
    settings = project.defaults.charter
    context = {
        "title": heading(project, words),
        "intro": User(settings.intro) if settings.intro else words.phrase(words.gettext(
            "What you can expect from us at every step, and how soon.")),
        "edition": edition(project, words),
        "contacts": contacts(project, words),
        "hours": opening_hours(project, words),
        "hours_intro": opening_hours_intro(project, words),
        "sections": sections(project, words, options.measured),
        "measured": options.measured is not None,
        "stamp": User(options.stamp) if options.stamp else None,
    }
    files = {}
    for name, markdown in (("index.html", False), ("charter.md", True)):
        template = document_environment("charter", lang, markdown).get_template(f"{name}.j2")
        files[f"charter/{name}"] = template.render(context).encode("utf-8")
    return files
