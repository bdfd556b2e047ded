"""Objectives, durations and calendars in words, for the charter and the policy.

Every sentence is a `Phrase`: a pattern from the message catalogue (`touchdsl.documents.i18n`)
with named slots, filled with other phrases, user text (`User`) or numbers and
clock times (`Value`). A phrase is rendered per format only at the end, so each
piece is escaped for where it lands: user text is HTML-escaped and isolated in a
`<bdi>` in HTML, backslash-escaped and, where its direction differs from the
document's, wrapped in Unicode isolates in Markdown; numbers and times are kept
left-to-right inside Hebrew text (`80%`, `08:00–18:00`). Patterns are never
evaluated as templates, so a title such as `{{ 7*7 }}` prints as written.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from collections.abc import Callable
from typing import Mapping, Sequence, Union

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal
from markupsafe import Markup, escape

from touchdsl.documents import i18n
from touchdsl.documents.escape import md_text
from touchdsl.model import (
    WEEKDAYS,
    AverageObjective,
    BoundObjective,
    Calendar,
    CountMetric,
    Duration,
    Event,
    Metric,
    NpsMetric,
    Objective,
    Project,
    RatioMetric,
    ScoreMetric,
    ShareObjective,
    TimeMetric,
    Touchpoint,
    Updates,
    BusinessDays,
    Limit,
    business_calendar,
    business_days,
    objective_value,
    objective_within,
    pauses,
    unknown_kind,
)

# Unicode bidi isolates (UAX #9): first-strong, left-to-right, pop.
FSI, LRI, PDI = "\u2068", "\u2066", "\u2069"

_SLOT = re.compile(r"%\((\w+)\)s")


def _strong_directions(text: str) -> set[str]:
    found = set()
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind == "L":
            found.add("ltr")
        elif kind in ("R", "AL"):
            found.add("rtl")
    return found


class MarkdownText(str):
    """Markdown that is already escaped; the Markdown templates print it as is."""


class Renderable:
    """Something that renders itself for each document format (`html`, `markdown`, `plain`)."""

    __slots__ = ()

    def html(self, rtl: bool) -> Markup:
        raise NotImplementedError

    def markdown(self, rtl: bool) -> str:
        raise NotImplementedError

    def plain(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True)
class User(Renderable):
    """Text written in a `.touch` file: always escaped, never interpreted."""

    text: str

    def html(self, rtl: bool) -> Markup:
        return Markup("<bdi>%s</bdi>") % " ".join(self.text.split())

    def markdown(self, rtl: bool) -> str:
        escaped = md_text(self.text)
        # Isolate only where the text runs against the document's direction, so
        # plain English documents carry no invisible characters.
        against = "ltr" if rtl else "rtl"
        if against in _strong_directions(self.text):
            return FSI + escaped + PDI
        return escaped

    def plain(self) -> str:
        return " ".join(self.text.split())


@dataclass(frozen=True)
class Value(Renderable):
    """A number, percentage, clock time or identifier: reads left to right in any language."""

    text: str

    def html(self, rtl: bool) -> Markup:
        if rtl:
            return Markup('<bdi dir="ltr">%s</bdi>') % self.text
        return escape(self.text)

    def markdown(self, rtl: bool) -> str:
        # Values are numbers and times we format ourselves, printed inside a sentence.
        escaped = md_text(self.text, line_start=False)
        return LRI + escaped + PDI if rtl else escaped

    def plain(self) -> str:
        return self.text


@dataclass(frozen=True)
class Phrase(Renderable):
    """A catalogue pattern with `%(slot)s` placeholders and what fills them."""

    pattern: str
    fills: Mapping[str, "Piece"] = field(default_factory=dict)

    def _render(self, piece_text: Callable[[Renderable], str], literal: Callable[[str], str]) -> list[str]:
        out: list[str] = []
        pos = 0
        for match in _SLOT.finditer(self.pattern):
            out.append(literal(self.pattern[pos:match.start()].replace("%%", "%")))
            out.append(piece_text(self.fills[match.group(1)]))
            pos = match.end()
        out.append(literal(self.pattern[pos:].replace("%%", "%")))
        return out

    def html(self, rtl: bool) -> Markup:
        return Markup("").join(self._render(lambda p: p.html(rtl), escape))

    def markdown(self, rtl: bool) -> str:
        # Catalogue text is ours and written as plain words; only what fills it is escaped.
        return MarkdownText("".join(self._render(lambda p: p.markdown(rtl), lambda s: s)))

    def plain(self) -> str:
        return "".join(self._render(lambda p: p.plain(), lambda s: s))

    def __str__(self) -> str:
        return self.plain()


@dataclass(frozen=True)
class Code(Renderable):
    """An identifier, series name or query: monospace, left to right, never interpreted."""

    text: str

    def html(self, rtl: bool) -> Markup:
        return Markup('<code dir="ltr">%s</code>') % self.text

    def markdown(self, rtl: bool) -> str:
        text = " ".join(self.text.split())
        longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
        fence = "`" * (longest + 1)
        pad = " " if text.startswith("`") or text.endswith("`") else ""
        span = f"{fence}{pad}{text}{pad}{fence}"
        return LRI + span + PDI if rtl else span

    def plain(self) -> str:
        return self.text


@dataclass(frozen=True)
class Link(Renderable):
    """A contact customers follow: a phone number to dial, a web or e-mail address.

    `text` is shown, `href` is where it leads (`tel:+97235550100`, `https://…`,
    `mailto:…`; checked by the compiler, TD319/TD320). Both are escaped for each
    format; a number or an address reads left to right inside Hebrew text.
    """

    text: str
    href: str

    def html(self, rtl: bool) -> Markup:
        return Markup('<a href="%s" dir="ltr">%s</a>') % (self.href, self.text)

    def markdown(self, rtl: bool) -> str:
        # `<…>` keeps a destination with parentheses or spaces whole; `<`, `>` and a line
        # break cannot occur in it (the compiler refused them), `\` is escaped anyway.
        href = self.href.replace("\\", "%5C").replace(" ", "%20")
        link = f"[{md_text(self.text, line_start=False)}](<{href}>)"
        return LRI + link + PDI if rtl else link

    def plain(self) -> str:
        return self.text


@dataclass(frozen=True)
class CodeBlock(Renderable):
    """A multi-line query or snippet, shown verbatim (a fence longer than any backtick run inside)."""

    text: str
    language: str = ""

    def html(self, rtl: bool) -> Markup:
        return Markup('<pre dir="ltr"><code>%s</code></pre>') % self.text

    def markdown(self, rtl: bool) -> str:
        longest = max((len(run) for run in re.findall(r"`+", self.text)), default=0)
        fence = "`" * max(3, longest + 1)
        return MarkdownText(f"{fence}{self.language}\n{self.text}\n{fence}")

    def plain(self) -> str:
        return self.text


Piece = Union[Phrase, User, Value, Code, Link]


def _starts_hebrew(text: str) -> bool:
    """Whether the first letter-like character of `text` is Hebrew (ו joins it without a hyphen)."""
    stripped = text.lstrip(" \u2066\u2067\u2068\u2069\"'(")
    return bool(stripped) and "\u0590" <= stripped[0] <= "\u05ff"


def join(pieces: Sequence[Piece], separator: str = ", ") -> Phrase:
    """Pieces side by side with a fixed separator (punctuation, the same in both languages)."""
    slots = {f"p{i}": piece for i, piece in enumerate(pieces)}
    pattern = separator.join(f"%(p{i})s" for i in range(len(pieces)))
    return Phrase(pattern, slots)


# Durations: written unit -> (seconds, singular msgid, plural msgid) ---------------

_UNITS: tuple[tuple[str, float], ...] = (
    ("w", 604800), ("d", 86400), ("h", 3600), ("m", 60), ("s", 1), ("ms", 0.001),
)


def _whole(seconds: float, size: float) -> int | None:
    """`seconds` as a whole number of units of `size`, or None (millisecond precision)."""
    ms, unit_ms = round(seconds * 1000), round(size * 1000)
    return ms // unit_ms if ms % unit_ms == 0 else None


class Words:
    """The wording of one language: catalogue look-ups and sentence builders."""

    def __init__(self, lang: str):
        self.lang = lang
        self.rtl = lang == "he"
        self.locale = Locale.parse(lang)
        self._t = i18n.translations(lang)

    # catalogue ------------------------------------------------------------
    def gettext(self, message: str) -> str:
        return self._t.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._t.ngettext(singular, plural, n)

    def pgettext(self, context: str, message: str) -> str:
        return str(self._t.pgettext(context, message))

    def phrase(self, pattern: str, **fills: Piece) -> Phrase:
        return Phrase(pattern, fills)

    # numbers --------------------------------------------------------------
    def number(self, value: float) -> Value:
        return Value(format_decimal(value, locale=self.locale, decimal_quantization=False))

    def percent(self, value: float) -> Value:
        return Value(format_decimal(value, locale=self.locale, decimal_quantization=False) + "%")

    def list_of(self, words: list[str]) -> str:
        """Words joined as the language lists them: `Phone, Chat, and Web`, `טלפון, צ'אט ו-SMS`."""
        return self.listing([Phrase(w.replace("%", "%%")) for w in words]).plain() if words else ""

    def listing(self, pieces: Sequence[Piece]) -> Phrase:
        """Pieces joined as the language lists them (CLDR's list patterns, through Babel), with
        the last joined by "and": `A, B, and C`; in Hebrew `א, ב ו-C`, the conjunction ו
        written with a hyphen before a word that is not Hebrew (`ו-WhatsApp`, `ו-24`)."""
        if len(pieces) <= 1:
            return join(list(pieces))
        patterns = self.locale.list_patterns["standard"]
        slots = [f"%(p{i})s" for i in range(len(pieces))]

        def fill(pattern: str, first: str, second: str, next_piece: Piece) -> str:
            head, _, tail = pattern.partition("{1}")
            if self.rtl and head.endswith("\u05d5") and not _starts_hebrew(next_piece.plain()):
                head += "-"
            return head.replace("{0}", first) + second + tail

        if len(pieces) == 2:
            text = fill(patterns["2"], slots[0], slots[1], pieces[1])
        else:
            text = fill(patterns["end"], slots[-2], slots[-1], pieces[-1])
            for i in range(len(pieces) - 3, -1, -1):
                text = fill(patterns["start" if i == 0 else "middle"], slots[i], text, pieces[i + 1])
        return Phrase(text, {f"p{i}": piece for i, piece in enumerate(pieces)})

    # durations ------------------------------------------------------------
    def duration(self, duration: Duration, business: bool = False) -> Phrase:
        """`30 seconds`, `2 days`, `48 business hours`, `שעתיים`, `יומיים`.

        Business time is the elapsed open time of a calendar's clock, so it is
        written in business hours (or minutes): `2d` on a calendar is 48 hours of
        opening time, not two working days.
        """
        if business:
            for unit, size in (("h", 3600), ("m", 60), ("s", 1), ("ms", 0.001)):
                count = _whole(duration.seconds, size)
                if count is not None:
                    return self._business_unit(unit, count)
        written = "ms" if duration.text.endswith("ms") else duration.text[-1:]
        candidates = [(u, s) for u, s in _UNITS if u == written] + list(_UNITS)
        for unit, size in candidates:
            count = _whole(duration.seconds, size)
            if count is not None and count > 0:
                return self._unit(unit, count)
        return self._unit("ms", max(1, round(duration.seconds * 1000)))  # pragma: no cover

    def limit(self, limit: Limit, business: bool = False) -> Phrase:
        """The limit of `P% within LIMIT`: a duration (business time when `business`),
        or business days: `5 business days`, `5 ימי עסקים`."""
        match limit:
            case Duration():
                return self.duration(limit, business)
            case BusinessDays():
                if limit.weeks is not None:
                    text = self.ngettext("%(num)s business week", "%(num)s business weeks", limit.weeks)
                    return self.phrase(text, num=self.number(limit.weeks))
                text = self.ngettext("%(num)s business day", "%(num)s business days", limit.days)
                return self.phrase(text, num=self.number(limit.days))
            case _:
                unknown_kind(limit)

    def period(self, duration: Duration) -> Phrase:
        """A duration after "every", "any" or "per": `4 hours`, but `day`, not `1 day`
        ("at least every day", "no more than 20 in any day")."""
        phrase = self.duration(duration)
        unit = "ms" if duration.text.endswith("ms") else duration.text[-1:]
        if _whole(duration.seconds, dict(_UNITS).get(unit, 0) or 1) == 1:
            names = {
                "w": self.pgettext("period", "week"),
                "d": self.pgettext("period", "day"),
                "h": self.pgettext("period", "hour"),
                "m": self.pgettext("period", "minute"),
                "s": self.pgettext("period", "second"),
                "ms": self.pgettext("period", "millisecond"),
            }
            return Phrase(names[unit])
        return phrase

    def _unit(self, unit: str, n: int) -> Phrase:
        num = self.number(n)
        if unit == "w":
            text = self.ngettext("%(num)s week", "%(num)s weeks", n)
        elif unit == "d":
            text = self.ngettext("%(num)s day", "%(num)s days", n)
        elif unit == "h":
            text = self.ngettext("%(num)s hour", "%(num)s hours", n)
        elif unit == "m":
            text = self.ngettext("%(num)s minute", "%(num)s minutes", n)
        elif unit == "s":
            text = self.ngettext("%(num)s second", "%(num)s seconds", n)
        else:
            text = self.ngettext("%(num)s millisecond", "%(num)s milliseconds", n)
        return self.phrase(text, num=num)

    def _business_unit(self, unit: str, n: int) -> Phrase:
        num = self.number(n)
        if unit == "h":
            text = self.ngettext("%(num)s business hour", "%(num)s business hours", n)
        elif unit == "m":
            text = self.ngettext("%(num)s business minute", "%(num)s business minutes", n)
        elif unit == "s":
            text = self.ngettext("%(num)s business second", "%(num)s business seconds", n)
        else:
            text = self.ngettext("%(num)s business millisecond", "%(num)s business milliseconds", n)
        return self.phrase(text, num=num)

    # names ----------------------------------------------------------------
    def weekday(self, day: str) -> str:
        names = {
            "sun": self.pgettext("weekday", "Sunday"),
            "mon": self.pgettext("weekday", "Monday"),
            "tue": self.pgettext("weekday", "Tuesday"),
            "wed": self.pgettext("weekday", "Wednesday"),
            "thu": self.pgettext("weekday", "Thursday"),
            "fri": self.pgettext("weekday", "Friday"),
            "sat": self.pgettext("weekday", "Saturday"),
        }
        return names[day]

    def channel(self, channel: str) -> str:
        names = {
            "phone": self.pgettext("channel", "Phone"),
            "chat": self.pgettext("channel", "Chat"),
            "email": self.pgettext("channel", "Email"),
            "web": self.pgettext("channel", "Website"),
            "app": self.pgettext("channel", "App"),
            "sms": self.pgettext("channel", "SMS"),
            "whatsapp": self.pgettext("channel", "WhatsApp"),
            "store": self.pgettext("channel", "In a branch"),
            "field": self.pgettext("channel", "On site"),
            "mail": self.pgettext("channel", "Post"),
            "social": self.pgettext("channel", "Social media"),
        }
        return names[channel]

    def channel_by(self, channel: str) -> str:
        """The channel after "update you …": `by SMS`, `by email`."""
        names = {
            "phone": self.pgettext("by channel", "by phone"),
            "chat": self.pgettext("by channel", "in the chat"),
            "email": self.pgettext("by channel", "by email"),
            "web": self.pgettext("by channel", "on our website"),
            "app": self.pgettext("by channel", "in the app"),
            "sms": self.pgettext("by channel", "by SMS"),
            "whatsapp": self.pgettext("by channel", "on WhatsApp"),
            "store": self.pgettext("by channel", "in a branch"),
            "field": self.pgettext("by channel", "on site"),
            "mail": self.pgettext("by channel", "by post"),
            "social": self.pgettext("by channel", "on social media"),
        }
        return names[channel]

    def channels(self, channels: list[str]) -> str:
        return self.list_of([self.channel(c) for c in channels])

    def country(self, code: str) -> str:
        return str(self.locale.territories.get(code.upper(), code.upper()))

    def date(self, day: dt.date) -> Phrase:
        return Phrase(format_date(day, "long", locale=self.locale).replace("%", "%%"))

    # calendars ------------------------------------------------------------
    def _day_runs(self, days: list[str]) -> list[list[str]]:
        ordered = sorted(set(days), key=WEEKDAYS.index)
        runs: list[list[str]] = []
        for day in ordered:
            if runs and WEEKDAYS.index(day) == WEEKDAYS.index(runs[-1][-1]) + 1:
                runs[-1].append(day)
            else:
                runs.append([day])
        return runs

    def opening_hours(self, calendar: Calendar) -> Phrase:
        """`Sunday–Thursday 08:00–18:00, Friday 08:00–13:00, on the eves of holidays
        08:00–12:00 and on 5 November 2026 08:00–14:00`."""
        parts: list[Piece] = []
        for hours in calendar.hours:
            names: list[Piece] = []
            for run in self._day_runs(list(hours.days)):
                if len(run) >= 3:
                    names.append(Phrase(f"{self.weekday(run[0])}–{self.weekday(run[-1])}"))
                else:
                    names.extend(Phrase(self.weekday(d)) for d in run)
            parts.append(self.phrase("%(days)s %(hours)s", days=self.listing(names),
                                     hours=Value(f"{hours.start}–{hours.end}")))
        if calendar.eve:
            parts.append(self.phrase(self.gettext("on the eves of holidays %(hours)s"),
                                     hours=self.listing([Value(f"{h.start}–{h.end}") for h in calendar.eve])))
        own: dict[dt.date, list[Piece]] = {}
        for day in calendar.dates:
            own.setdefault(day.date, []).append(Value(f"{day.start}–{day.end}"))
        for date, spans in own.items():
            parts.append(self.phrase(self.gettext("on %(date)s %(hours)s"), date=self.date(date),
                                     hours=self.listing(spans)))
        return self.listing(parts)

    def calendar_rules(self, calendar: Calendar) -> Phrase:
        """Opening hours, then the days the clock stands still: holidays, closed dates
        (`…; closed on public holidays (Israel) and on 31 December 2026`)."""
        closed: list[Piece] = []
        if calendar.holidays:
            closed.append(self.phrase(self.gettext("on public holidays (%(countries)s)"),
                                      countries=Phrase(self.list_of([self.country(c) for c in calendar.holidays]))))
        closed.extend(self.phrase(self.gettext("on %(date)s"), date=self.date(d)) for d in sorted(calendar.closed))
        if not closed:
            return self.opening_hours(calendar)
        return self.phrase(self.gettext("%(hours)s; closed %(days)s"), hours=self.opening_hours(calendar),
                           days=self.listing(closed))

    # objectives -----------------------------------------------------------
    def _scale(self, metric: ScoreMetric) -> dict[str, Piece]:
        return {"low": self.number(metric.low), "high": self.number(metric.high)}

    def _business(self, metric: TimeMetric) -> bool:
        return metric.calendar is not None

    def metric_title(self, project: Project, metric: Metric) -> User | Phrase:
        """The metric's title, with the class of case it is for: `Pothole repaired (dangerous)`."""
        if metric.segment is None:
            return User(metric.title)
        case_class = next(c for tp in project.touchpoints.values() for m in tp.metrics if m is metric
                          for c in tp.classes if c.id == metric.segment)
        return self.phrase(self.gettext("%(title)s (%(class)s)"), title=User(metric.title),
                           **{"class": User(case_class.title)})

    def _step(self, project: Project, metric: Metric, step: str) -> str:
        touchpoint = next(tp for tp in project.touchpoints.values() if any(m is metric for m in tp.metrics))
        return touchpoint.step(step).title

    def promise_sentence(self, project: Project, metric: Metric, objective: Objective | None = None,
                         name_calendar: bool = False, title: Piece | None = None) -> Phrase:
        """The objective as a sentence a customer understands, the metric's title as its subject.

        Business hours are not repeated after each promise: the charter prints each
        calendar's opening hours once (`opening_hours_section`). `name_calendar` names
        the calendar in the sentence, for charters whose promises follow several.
        `title` replaces the metric's title (the docs' wording table elides it).
        """
        found = objective or metric.promise
        assert found is not None, "an internal metric has no promise to publish"
        objective = found
        title = title if title is not None else self.metric_title(project, metric)
        match metric:
            case TimeMetric():
                within = objective_within(objective)
                business = self._business(metric)
                duration: Piece = self.limit(within.within, business)
                if name_calendar and metric.calendar is not None:
                    duration = self.phrase(self.gettext("%(duration)s (%(calendar)s)"), duration=duration,
                                           calendar=User(project.calendars[metric.calendar].title))
                fills: dict[str, Piece] = {"title": title, "duration": duration,
                                           "percent": self.percent(within.percent)}
                if not metric.pauses:
                    return self.phrase(self.gettext("%(title)s within %(duration)s in %(percent)s of cases."),
                                       **fills)
                if all(p.step is not None for p in metric.pauses):
                    steps = self.list_of([self._step(project, metric, p.step)
                                          for p in metric.pauses if p.step is not None])
                    return self.phrase(
                        self.gettext("%(title)s within %(duration)s in %(percent)s of cases, not counting the "
                                     "time we wait for you (%(steps)s)."),
                        steps=User(steps), **fills)
                return self.phrase(
                    self.gettext("%(title)s within %(duration)s in %(percent)s of cases, not counting the "
                                 "time we wait for you."), **fills)
            case ScoreMetric():
                if isinstance(objective, AverageObjective):
                    return self.phrase(
                        self.gettext("%(title)s: an average rating of at least %(value)s on a scale of "
                                     "%(low)s to %(high)s."),
                        title=title, value=self.number(objective.value), **self._scale(metric))
                assert isinstance(objective, ShareObjective)
                return self.phrase(
                    self.gettext("%(title)s: at least %(percent)s of answers are %(value)s or higher "
                                 "on a scale of %(low)s to %(high)s."),
                    title=title, percent=self.percent(objective.percent), value=self.number(objective.value),
                    **self._scale(metric))
            case RatioMetric():
                pattern = (self.gettext("%(title)s: in no more than %(value)s of cases.") if _at_most(objective)
                           else self.gettext("%(title)s: in at least %(value)s of cases."))
                return self.phrase(pattern, title=title, value=self.percent(objective_value(objective)))
            case NpsMetric():
                pattern = (self.gettext("%(title)s: a net promoter score (NPS) of at most %(value)s.")
                           if _at_most(objective)
                           else self.gettext("%(title)s: a net promoter score (NPS) of at least %(value)s."))
                return self.phrase(pattern, title=title, value=self.number(objective_value(objective)))
            case CountMetric():
                pattern = (self.gettext("%(title)s: no more than %(value)s in any %(period)s.") if _at_most(objective)
                           else self.gettext("%(title)s: at least %(value)s in every %(period)s."))
                return self.phrase(pattern, title=title, value=self.number(objective_value(objective)),
                                   period=self.period(metric.per))
            case _:
                unknown_kind(metric)

    def objective_short(self, metric: Metric, objective: Objective | None) -> Phrase:
        """The objective alone, for the policy's tables: `80% within 30 seconds`; for the
        missing promise of an internal metric, what stands in for it."""
        if objective is None:
            return self.phrase(self.gettext("none: an internal metric, never in the charter"))
        match metric:
            case TimeMetric():
                within = objective_within(objective)
                return self.phrase(self.gettext("%(percent)s within %(duration)s"),
                                   percent=self.percent(within.percent),
                                   duration=self.limit(within.within, self._business(metric)))
            case ScoreMetric():
                if isinstance(objective, AverageObjective):
                    return self.phrase(self.gettext("average at least %(value)s (scale %(low)s–%(high)s)"),
                                       value=self.number(objective.value), **self._scale(metric))
                assert isinstance(objective, ShareObjective)
                return self.phrase(
                    self.gettext("%(percent)s of answers at least %(value)s (scale %(low)s–%(high)s)"),
                    percent=self.percent(objective.percent), value=self.number(objective.value),
                    **self._scale(metric))
            case RatioMetric():
                return self._bound(objective, self.percent(objective_value(objective)))
            case NpsMetric():
                return self._bound(objective, self.number(objective_value(objective)))
            case CountMetric():
                pattern = (self.gettext("at most %(value)s per %(period)s") if _at_most(objective)
                           else self.gettext("at least %(value)s per %(period)s"))
                return self.phrase(pattern, value=self.number(objective_value(objective)),
                                   period=self.period(metric.per))
            case _:
                unknown_kind(metric)

    def _bound(self, objective: Objective, value: Value) -> Phrase:
        pattern = self.gettext("at most %(value)s") if _at_most(objective) else self.gettext("at least %(value)s")
        return self.phrase(pattern, value=value)

    def error_budget(self, metric: Metric, window: Duration) -> Phrase:
        """What the internal target allows to go wrong over the window, in words."""
        objective = metric.target
        over = self.duration(window)
        match metric:
            case TimeMetric():
                within = objective_within(objective)
                return self.phrase(
                    self.gettext("%(share)s of cases may take longer than %(duration)s over %(window)s."),
                    share=self.percent(_rest(within.percent)),
                    duration=self.limit(within.within, self._business(metric)), window=over)
            case ScoreMetric():
                if isinstance(objective, ShareObjective):
                    return self.phrase(self.gettext("%(share)s of answers may be below %(value)s over %(window)s."),
                                       share=self.percent(_rest(objective.percent)),
                                       value=self.number(objective.value), window=over)
                return self.phrase(
                    self.gettext("No error budget: the average over %(window)s is compared with the objective."),
                    window=over)
            case RatioMetric():
                if _at_most(objective):
                    return self.phrase(
                        self.gettext("%(share)s of %(whole)s cases may be %(part)s over %(window)s."),
                        share=self.percent(objective_value(objective)), whole=Code(metric.denominator),
                        part=Code(metric.numerator), window=over)
                return self.phrase(
                    self.gettext("%(share)s of %(whole)s cases may fail to be %(part)s over %(window)s."),
                    share=self.percent(_rest(objective_value(objective))), whole=Code(metric.denominator),
                    part=Code(metric.numerator), window=over)
            case CountMetric():
                return self.phrase(
                    self.gettext("No error budget: the count per %(period)s is compared with the limit."),
                    period=self.period(metric.per))
            case NpsMetric():
                return self.phrase(
                    self.gettext("No error budget: the score over %(window)s is compared with the objective."),
                    window=over)
            case _:
                unknown_kind(metric)

    def measured(self, project: Project, metric: Metric) -> Phrase:
        """What a metric reads, with the events a time metric is measured between."""
        match metric:
            case TimeMetric():
                return self.phrase(self.gettext("time from %(start)s to %(end)s"),
                                   start=Code(str(metric.start)), end=Code(str(metric.end)))
            case RatioMetric():
                return self.phrase(self.gettext("share of %(part)s among %(whole)s"),
                                   part=Code(metric.numerator), whole=Code(metric.denominator))
            case ScoreMetric():
                return self.phrase(self.gettext("survey answers on a scale of %(low)s to %(high)s"),
                                   **self._scale(metric))
            case NpsMetric():
                return self.phrase(self.gettext("net promoter score from answers 0 to 10"))
            case CountMetric():
                return self.phrase(self.gettext("number of %(event)s per %(period)s"),
                                   event=Code(metric.event), period=self.period(metric.per))
            case _:
                unknown_kind(metric)

    def clock(self, project: Project, metric: Metric) -> Phrase:
        calendar_id = business_calendar(metric)
        if calendar_id is None:
            clock = self.phrase(self.gettext("wall clock (every hour counts)"))
        else:
            calendar = project.calendars[calendar_id]
            pattern = (self.gettext("business days of %(calendar)s (%(zone)s), counted after the day a case "
                                    "starts, each ending at its closing time: %(rules)s")
                       if business_days(metric) else
                       self.gettext("business clock of %(calendar)s (%(zone)s): %(rules)s"))
            clock = self.phrase(pattern, calendar=User(calendar.title), zone=Value(calendar.timezone),
                                rules=self.calendar_rules(calendar))
        paused = pauses(metric)
        if not paused:
            return clock
        stops = [self.phrase(self.gettext("while %(step)s (%(events)s)"),
                             step=User(self._step(project, metric, p.step)), events=Code(f"{p.start} → {p.end}"))
                 if p.step is not None else Code(f"{p.start} → {p.end}") for p in paused]
        return self.phrase(self.gettext("%(clock)s; the clock stops %(pauses)s"), clock=clock,
                           pauses=join(stops, "; "))

    def window(self, duration: Duration) -> Phrase:
        return self.phrase(self.gettext("the last %(duration)s, rolling"), duration=self.period(duration))

    # the instrumentation contract ------------------------------------------------
    # What each series and query of `touchdsl.slo.contract.metric_contract` means, in
    # words of the document's language; names, labels and queries stay as code.
    def series_meaning(self, project: Project, metric: Metric, name: str, labels: Mapping[str, str]) -> Phrase:
        match metric:
            case TimeMetric():
                tier = labels.get("objective")
                limit = None
                if tier is not None:
                    objective = metric.promise if tier == "promise" else metric.target
                    assert objective is not None  # an internal metric has no promise tier
                    limit = self.limit(objective_within(objective).within, metric.calendar is not None)
                if name.endswith("_count"):
                    return self.phrase(self.gettext("Count of the same histogram: every finished case."))
                if name == "touch_late_cases_total":
                    assert limit is not None
                    return self.phrase(self.gettext(
                        "Cases whose time passed %(limit)s (the %(tier)s's limit): one per case, counted the moment "
                        "the limit passes, whether the case is open or not."),
                        limit=limit, tier=Phrase(self._tier(tier)))
                if name == "touch_open_cases":
                    return self.phrase(self.gettext("Cases open now: %(start)s happened, %(end)s not yet."),
                                       start=Code(str(metric.start)), end=Code(str(metric.end)))
                if name == "touch_overdue_cases":
                    assert limit is not None
                    return self.phrase(self.gettext(
                        "Of the cases open now, those whose time already passed %(limit)s (the %(tier)s's limit)."),
                        limit=limit, tier=Phrase(self._tier(tier)))
                if metric.calendar is not None and business_days(metric):
                    how = self.phrase(self.gettext("in business days by the calendar %(calendar)s (the closings "
                                                   "of business days passed while the clock ran)"),
                                      calendar=Code(metric.calendar))
                elif metric.calendar is not None:
                    how = self.phrase(self.gettext("in business seconds by the calendar %(calendar)s"),
                                      calendar=Code(metric.calendar))
                else:
                    how = self.phrase(self.gettext("in seconds (wall clock)"))
                if metric.pauses:
                    how = self.phrase(self.gettext("%(how)s, not counting its pauses (%(pauses)s)"), how=how,
                                      pauses=join([Code(f"{p.start} → {p.end}") for p in metric.pauses], "; "))
                return self.phrase(self.gettext("Cases by their time from %(start)s to %(end)s %(how)s; one "
                                                "observation per case when %(end)s happens."),
                                   start=Code(str(metric.start)), end=Code(str(metric.end)), how=how)
            case RatioMetric():
                if labels.get("event") == metric.denominator:
                    return self.phrase(self.gettext("Cases counted as %(whole)s (the whole population)."),
                                       whole=Code(metric.denominator))
                return self.phrase(self.gettext("Cases counted as %(part)s, each also counted as %(whole)s."),
                                   part=Code(metric.numerator), whole=Code(metric.denominator))
            case ScoreMetric():
                return self._answers(labels, metric.low, metric.high)
            case NpsMetric():
                return self._answers(labels, 0, 10)
            case CountMetric():
                return self.phrase(self.gettext("Each %(event)s event, counted against the limit per %(period)s."),
                                   event=Code(metric.event), period=self.period(metric.per))
            case _:
                unknown_kind(metric)

    def _tier(self, tier: str | None) -> str:
        """`promise` or `target`, as a sentence names them."""
        return (self.pgettext("tier", "promise") if tier == "promise" else self.pgettext("tier", "target"))

    def updates_series_meaning(self, updates: Updates) -> Phrase:
        """What the gauge of a touchpoint's `updates every N` promise counts."""
        return self.phrase(self.gettext("Cases open now whose last update (or opening) is older than %(every)s."),
                           every=self.period(updates.every))

    def _answers(self, labels: Mapping[str, str], low: float, high: float) -> Phrase:
        return self.phrase(self.gettext("Survey answers of value %(value)s on the scale %(low)s to %(high)s."),
                           value=Code(labels.get("value", "")), low=self.number(low), high=self.number(high))

    def query_meaning(self, key: str, kind: str) -> Phrase:
        """What a query of the contract counts: a tier's events decided and bad ones (whole
        events over the window), answers by value, events counted, or -- for a metric's own
        queries -- the `good` and `total` rates."""
        meanings = {
            ("ratio-like", "promise decided"): self.gettext("events judged against the promise"),
            ("ratio-like", "promise bad"): self.gettext("of them, those that miss the promise"),
            ("ratio-like", "target decided"): self.gettext("events judged against the target"),
            ("ratio-like", "target bad"): self.gettext("of them, those that miss the target"),
            ("average", "answers"): self.gettext("answers of each value"),
            ("nps", "answers"): self.gettext("answers of each value"),
            ("count", "counted"): self.gettext("events counted against the limit"),
            ("ratio-like", "good"): self.gettext("events that meet the objective"),
            ("ratio-like", "promise_good"): self.gettext("events that meet the promise"),
            ("ratio-like", "total"): self.gettext("all events"),
            ("average", "good"): self.gettext("sum of the answers' values"),
            ("average", "total"): self.gettext("number of answers"),
            ("nps", "good"): self.gettext("promoters (9–10) minus detractors (0–6)"),
            ("nps", "total"): self.gettext("number of answers"),
            ("count", "total"): self.gettext("events counted against the limit"),
        }
        return Phrase(meanings[(kind, key)].replace("%", "%%"))

    def contract_clock(self, project: Project, metric: Metric, api: str | None) -> Phrase | None:
        """How a producer measures a case of a metric on a calendar or with pauses (`api`
        is the call that gives the value), or None (the wall clock, nothing to stop)."""
        calendar_id = business_calendar(metric)
        if api is None or (calendar_id is None and not pauses(metric)):
            return None
        if calendar_id is None:
            return self.phrase(self.gettext("wall-clock time outside the pauses: observe %(api)s, in seconds."),
                               api=Code(api))
        calendar = project.calendars[calendar_id]
        pattern = (self.gettext("business days by the calendar %(calendar)s (%(zone)s): observe %(api)s.")
                   if business_days(metric) else
                   self.gettext("business time by the calendar %(calendar)s (%(zone)s): observe %(api)s, "
                                "in seconds."))
        return self.phrase(pattern, calendar=Code(calendar.id), zone=Value(calendar.timezone), api=Code(api))

    def contract_notes(self, metric: Metric) -> list[Phrase]:
        """Further rules for producers of a metric's default series."""
        match metric:
            case TimeMetric():
                return [self.phrase(self.gettext("Declare every bucket boundary listed; the rules read the ones at "
                                                 "the promise and the target.")),
                        self.phrase(self.gettext(
                            "Count a case in %(late)s the moment its time passes each limit, while it is still open: "
                            "that is when the customer is failed. Where that counter is not emitted, late cases are "
                            "counted from the histogram when they finish."), late=Code("touch_late_cases_total")),
                        self.phrase(self.gettext("Set %(open)s and %(overdue)s to the cases open now, at every "
                                                 "scrape."), open=Code("touch_open_cases"),
                                    overdue=Code("touch_overdue_cases"))]
            case RatioMetric() | ScoreMetric() | NpsMetric() | CountMetric():
                return []
            case _:
                unknown_kind(metric)

    # updates and escalation ---------------------------------------------------
    def _event(self, touchpoint: Touchpoint, event: Event) -> Phrase:
        step = User(touchpoint.step(event.step).title)
        if event.moment == "end":
            return self.phrase(self.gettext("until this step is completed: %(step)s"), step=step)
        if event.moment == "start":
            return self.phrase(self.gettext("until this step begins: %(step)s"), step=step)
        return self.phrase(self.gettext("until %(moment)s in this step: %(step)s"),
                           moment=Code(event.moment), step=step)

    def updates(self, touchpoint: Touchpoint, updates: Updates) -> Phrase:
        fills = {"every": self.period(updates.every), "channel": Phrase(self.channel_by(updates.via))}
        if updates.until is None:
            return self.phrase(self.gettext("While your case is open, we update you %(channel)s at least "
                                            "every %(every)s."), **fills)
        return self.phrase(self.gettext("While your case is open, we update you %(channel)s at least "
                                        "every %(every)s, %(until)s."),
                           until=self._event(touchpoint, updates.until), **fills)


def _at_most(objective: Objective) -> bool:
    return isinstance(objective, BoundObjective) and objective.form == "at_most"


def _rest(percent: float) -> float:
    """100 − percent without binary noise (100 − 99.9 is 0.1, not 0.09999…)."""
    return round(100 - percent, 9)


# Measured figures ---------------------------------------------------------------
# What `touchdsl measure` found, in words: the report, and the charter and policy
# built with `--measured`. A share is a percentage of cases (or answers) with one
# decimal; durations measured (an elapsed time, a silence) are shown in the largest
# unit that keeps them readable, with one decimal.

_ELAPSED_UNITS: tuple[tuple[str, float], ...] = (("d", 86400), ("h", 3600), ("m", 60), ("s", 1))


def _plural_count(value: float) -> int:
    """The count that chooses a plural form: the number when whole, else one that
    takes the general plural in every catalogue (`1.5 hours`, `1.5 שעות`)."""
    return int(value) if float(value).is_integer() else 5


def whole_duration(seconds: float) -> Duration:
    """A length of time as the language writes it, in its largest whole unit (`28d`, `61h`)."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        count = _whole(seconds, size)
        if count:
            return Duration(seconds=seconds, text=f"{count}{unit}")
    return Duration(seconds=seconds, text=f"{max(1, round(seconds))}s")


class Evidence:
    """Figures of a measurement (`touchdsl.measure.result`) in the words of one language."""

    def __init__(self, words: Words):
        self.words = words

    def status(self, status: str) -> str:
        names = {
            "kept": self.words.pgettext("status", "kept"),
            "missed": self.words.pgettext("status", "missed"),
            "no_data": self.words.pgettext("status", "no data"),
        }
        return names[status]

    # numbers --------------------------------------------------------------
    def decimal(self, value: float, digits: int = 1) -> Value:
        return Value(format_decimal(round(value, digits), locale=self.words.locale,
                                    format="#,##0." + "#" * digits if digits else "#,##0"))

    def share(self, value: float) -> Value:
        return Value(self.decimal(value).text + "%")

    def points(self, margin: float) -> Value:
        """A margin in percentage points, signed: `+1.9 pt`."""
        sign = "+" if margin >= 0 else "−"
        return Value(sign + self.words.phrase(self.words.gettext("%(num)s pt"),
                                              num=self.decimal(abs(margin))).plain())

    def count(self, value: int) -> Value:
        return Value(format_decimal(value, locale=self.words.locale))

    def figure(self, metric: Metric | None, objective: Objective | None, value: float) -> Value:
        """A verdict's value as the objective reads it: a share, an average, an NPS, a count."""
        match metric:
            case None | TimeMetric() | RatioMetric():
                return self.share(value)
            case ScoreMetric():
                return self.share(value) if isinstance(objective, ShareObjective) else self.decimal(value, 2)
            case NpsMetric():
                return self.decimal(value)
            case CountMetric():
                return self.count(int(value))
            case _:
                unknown_kind(metric)

    def margin(self, metric: Metric | None, objective: Objective | None, margin: float) -> Value:
        """How far on the good side of the objective (negative: missed by)."""
        match metric:
            case None | TimeMetric() | RatioMetric():
                return self.points(margin)
            case ScoreMetric():
                if isinstance(objective, ShareObjective):
                    return self.points(margin)
                return Value(("+" if margin >= 0 else "−") + self.decimal(abs(margin), 2).text)
            case NpsMetric():
                return Value(("+" if margin >= 0 else "−") + self.decimal(abs(margin)).text)
            case CountMetric():
                return Value(("+" if margin >= 0 else "−") + self.count(int(abs(margin))).text)
            case _:
                unknown_kind(metric)

    # time -----------------------------------------------------------------
    def elapsed(self, seconds: float, business: bool = False, days: bool = False) -> Phrase:
        """A measured duration: `61 business hours`, `3.5 hours`, `45 seconds`; with
        `days`, the figure counts business days (`4 business days`)."""
        if days:
            return self.amount("bd", seconds)
        units = (("h", 3600), ("m", 60), ("s", 1)) if business else _ELAPSED_UNITS
        for unit, size in units:
            # Days only from three on (`61 hours`, not `2.5 days`); hours and minutes from two.
            if seconds >= size * (3 if unit == "d" else 2 if unit in ("h", "m") else 0):
                amount = round(seconds / size, 1)
                break
        else:  # pragma: no cover - the last unit always fits
            unit, amount = "s", seconds
        return self.amount(unit, amount, business)

    def amount(self, unit: str, amount: float, business: bool = False) -> Phrase:
        """`amount` of a unit (d, h, m, s), whole or with one decimal."""
        num = self.decimal(amount)
        n = _plural_count(round(amount, 1))
        w = self.words
        if unit == "bd":
            text = w.ngettext("%(num)s business day", "%(num)s business days", n)
        elif business:
            text = {"h": w.ngettext("%(num)s business hour", "%(num)s business hours", n),
                    "m": w.ngettext("%(num)s business minute", "%(num)s business minutes", n),
                    "s": w.ngettext("%(num)s business second", "%(num)s business seconds", n)}[unit]
        else:
            text = {"d": w.ngettext("%(num)s day", "%(num)s days", n),
                    "h": w.ngettext("%(num)s hour", "%(num)s hours", n),
                    "m": w.ngettext("%(num)s minute", "%(num)s minutes", n),
                    "s": w.ngettext("%(num)s second", "%(num)s seconds", n)}[unit]
        return w.phrase(text, num=num)

    def day(self, instant: str) -> Phrase:
        """The local date of an ISO 8601 instant: `30 November 2026`."""
        return self.words.date(dt.datetime.fromisoformat(instant).date())

    def moment(self, instant: str) -> Value:
        """An instant to the minute, in its own offset: `2026-11-30 17:00`; a midnight as its date."""
        moment = dt.datetime.fromisoformat(instant)
        return Value(moment.strftime("%Y-%m-%d" if moment.time() == dt.time() else "%Y-%m-%d %H:%M"))

    def short_day(self, instant: str) -> str:
        """A period's first day for a chart's axis: `7 Sep`, `7 בספט׳`."""
        from babel.dates import format_skeleton

        return str(format_skeleton("MMMd", dt.datetime.fromisoformat(instant).date(), locale=self.words.locale))

    def period(self, start: str, end: str) -> Phrase:
        """The stretch a figure covers: `the 28 days to 30 November 2026`."""
        seconds = (dt.datetime.fromisoformat(end) - dt.datetime.fromisoformat(start)).total_seconds()
        # A period reaching the as-of moment ends there and includes it (one µs more).
        length = whole_duration(round(seconds))
        return self.words.phrase(self.words.gettext("the %(duration)s to %(date)s"),
                                 duration=self.words.duration(length), date=self.day(end))

    # sentences --------------------------------------------------------------
    def achieved(self, metric: Metric | None, every: Duration | None, promise: Objective | None,
                 decided: int, good: int | None, value: float | None, busiest: Duration | None = None) -> Phrase:
        """What the last period achieved against a promise, as the charter prints it under
        the promise: `96.4% of 1,204 cases within 48 business hours`."""
        w = self.words
        if value is None or decided == 0:
            return w.phrase(w.gettext("nothing measured yet"))
        cases = self.count(decided)
        match metric:
            case None:
                assert every is not None
                return w.phrase(w.ngettext("%(share)s of %(num)s case was updated at least every %(every)s",
                                           "%(share)s of %(num)s cases were updated at least every %(every)s",
                                           decided),
                                share=self.share(value), num=cases, every=w.duration(every))
            case TimeMetric():
                within = objective_within(promise or metric.promise or metric.target)
                return w.phrase(w.ngettext("%(share)s of %(num)s case within %(duration)s",
                                           "%(share)s of %(num)s cases within %(duration)s", decided),
                                share=self.share(value), num=cases,
                                duration=w.limit(within.within, metric.calendar is not None))
            case RatioMetric():
                return w.phrase(w.ngettext("%(share)s of %(num)s case", "%(share)s of %(num)s cases", decided),
                                share=self.share(value), num=cases)
            case ScoreMetric():
                objective = promise or metric.promise or metric.target
                if isinstance(objective, ShareObjective):
                    return w.phrase(w.ngettext("%(share)s of %(num)s answer was %(value)s or higher",
                                               "%(share)s of %(num)s answers were %(value)s or higher", decided),
                                    share=self.share(value), num=cases, value=w.number(objective.value))
                return w.phrase(w.ngettext("an average rating of %(value)s from %(num)s answer",
                                           "an average rating of %(value)s from %(num)s answers", decided),
                                value=self.decimal(value, 2), num=cases)
            case NpsMetric():
                return w.phrase(w.ngettext("a net promoter score of %(value)s from %(num)s answer",
                                           "a net promoter score of %(value)s from %(num)s answers", decided),
                                value=self.decimal(value), num=cases)
            case CountMetric():
                return w.phrase(w.ngettext("%(value)s in the busiest %(period)s (%(num)s in all)",
                                           "%(value)s in the busiest %(period)s (%(num)s in all)", int(value)),
                                value=self.count(int(value)), period=w.duration(busiest or metric.per), num=cases)
            case _:
                unknown_kind(metric)

    def in_period(self, start: str, end: str, figure: Phrase) -> Phrase:
        """`In the 28 days to 30 November 2026: 96.4% of 1,204 cases within 48 business hours.`"""
        return self.words.phrase(self.words.gettext("In %(period)s: %(figure)s."),
                                 period=self.period(start, end), figure=figure)

    def no_figures(self) -> Phrase:
        return self.words.phrase(self.words.gettext("No figures yet for this promise."))

    def verdict(self, status: str, margin: Value | None) -> Phrase:
        """`kept, +1.9 pt` / `missed, −7 pt` / `no data`."""
        if margin is None:
            return self.words.phrase("%(status)s", status=Phrase(self.status(status)))
        return self.words.phrase("%(status)s, %(margin)s", status=Phrase(self.status(status)), margin=margin)
