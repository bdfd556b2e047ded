"""The customer service charter: `charter/index.html` and `charter/charter.md`.

Published to customers, so it holds only what they are promised: per journey
and stage, each touchpoint's expectation, channels, every *promise* as a plain
sentence, the update promise and who is accountable. Internal targets, alert
receivers and notes are never read here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from touchdsl.documents.i18n import document_environment
from touchdsl.documents.wording import Phrase, User, Words
from touchdsl.model import Project, Touchpoint, published
from touchdsl.targets import BuildOptions


@dataclass(frozen=True)
class CharterTouchpoint:
    id: str
    title: User
    expectation: User
    channels: str
    promises: list[Phrase]
    updates: Phrase | None
    accountable: Phrase
    escalations: list[Phrase]


@dataclass(frozen=True)
class CharterStage:
    title: User | None
    touchpoints: list[CharterTouchpoint]


@dataclass(frozen=True)
class CharterSection:
    id: str
    title: User | Phrase
    stages: list[CharterStage] = field(default_factory=list)


def _touchpoint(project: Project, words: Words, tp: Touchpoint) -> CharterTouchpoint:
    owner = project.owners[tp.owner]
    escalations = []
    for esc in tp.escalations:
        breach = esc.on == "breach"
        if esc.to == "manager":
            pattern = (words.gettext("If one of these promises is being missed, the manager of %(unit)s takes charge.")
                       if breach else
                       words.gettext("If one of these promises is at risk, the manager of %(unit)s takes charge."))
            escalations.append(words.phrase(pattern, unit=User(owner.title)))
        else:
            other = project.owners[esc.to]
            pattern = (words.gettext("If one of these promises is being missed, %(unit)s is told as well.")
                       if breach else
                       words.gettext("If one of these promises is at risk, %(unit)s is told as well."))
            escalations.append(words.phrase(pattern, unit=User(other.title)))
    return CharterTouchpoint(
        id=tp.id,
        title=User(tp.title),
        expectation=User(tp.expectation),
        channels=words.channels(list(tp.channels)),
        # Internal metrics (a target, no promise) are never published.
        promises=[words.promise_sentence(project, m) for m in tp.metrics if published(m)],
        updates=words.updates(tp, tp.updates) if tp.updates else None,
        accountable=words.phrase(words.gettext("Accountable for this service: %(unit)s."), unit=User(owner.title)),
        escalations=escalations,
    )


def sections(project: Project, words: Words) -> list[CharterSection]:
    """Journeys in source order, their stages in order; touchpoints without a journey last."""
    out: list[CharterSection] = []
    for journey in project.journeys.values():
        members = project.touchpoints_in(journey.id)
        if not members:
            continue
        stages = []
        loose = [_touchpoint(project, words, t) for t in members if t.stage is None]
        if loose:
            stages.append(CharterStage(None, loose))
        for stage in journey.stages:
            here = [_touchpoint(project, words, t) for t in members if t.stage == stage.id]
            if here:
                stages.append(CharterStage(User(stage.title), here))
        out.append(CharterSection(journey.id, User(journey.title), stages))
    others = project.touchpoints_in(None)
    if others:
        out.append(CharterSection("", words.phrase(words.gettext("Other services")),
                                  [CharterStage(None, [_touchpoint(project, words, t) for t in others])]))
    return out


def render(project: Project, options: BuildOptions) -> dict[str, bytes]:
    lang = options.language(project)
    words = Words(lang)
    settings = project.defaults.charter
    context = {
        "title": User(settings.title) if settings.title else words.phrase(words.gettext("Our service charter")),
        "intro": User(settings.intro) if settings.intro else words.phrase(words.gettext(
            "What you can expect from us at every step, and how soon.")),
        "sections": sections(project, words),
        "stamp": User(options.stamp) if options.stamp else None,
    }
    files = {}
    for name, markdown in (("index.html", False), ("charter.md", True)):
        template = document_environment("charter", lang, markdown).get_template(f"{name}.j2")
        files[f"charter/{name}"] = template.render(context).encode("utf-8")
    return files
