"""`touchdsl diff`: a semantic diff of two versions of a project, for reviewers.

Two compiled models are compared entity by entity (touchpoints, metrics, steps,
owners, calendars, journeys, defaults), never the text: reformatting a file or
moving a declaration to another file is no change at all.

Every change gets a class, from the customers' point of view first:

- ``breaking`` — a published promise got looser or went away (a slower time,
  a lower share, a higher limit, a longer business clock, a removed metric or
  touchpoint, a removed channel, less frequent updates). Customers can tell.
- ``internal`` — the organisation's own commitments got weaker: a target
  loosened, an owner reassigned, a step handed to another unit, an
  escalation removed, a window or query changed.
- ``safe`` — something was tightened or added.
- ``info`` — wording, notes, tags, journey placement, reordering.

A change we cannot order (what a metric measures changed, `80% within 30s`
became `90% within 40s`) counts as a loosening: the point of the class is that
CI asks a person to sign off, and a person must look at such a change.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable

import click

from touchdsl import model as m
from touchdsl.diagnostics import Diagnostic, Span
from touchdsl.documents.escape import md_text
from touchdsl.language import syntax

JSON_FORMAT_VERSION = 1

# Where a change is: ("touchpoint", "t"), ("metric", "m"), …
Where = list[tuple[str, str]]

CLASSES = ("breaking", "internal", "safe", "info")
_RANK = {"info": 0, "safe": 1, "internal": 2, "breaking": 3}
CLASS_TITLES = {
    "breaking": "Breaking for customers",
    "internal": "Internal",
    "safe": "Safe",
    "info": "Info",
}


@dataclass(frozen=True)
class Change:
    """One classified difference. `where` names the entity: touchpoint, metric, step, …"""

    cls: str
    kind: str
    where: tuple[tuple[str, str], ...]
    message: str
    old: Any = None
    new: Any = None

    @property
    def label(self) -> str:
        return " › ".join(f"{k} {v}" for k, v in self.where)

    def to_json(self) -> dict[str, Any]:
        return {
            "class": self.cls,
            "kind": self.kind,
            "where": {k: v for k, v in self.where},
            "message": self.message,
            "old": self.old,
            "new": self.new,
        }


# ---- ordering objectives ----------------------------------------------------------------

EQUAL, TIGHTER, LOOSER, MIXED, INCOMPARABLE = "equal", "tighter", "looser", "mixed", "incomparable"


def _combine(*directions: str) -> str:
    """Direction of several independent changes taken together."""
    ds = {d for d in directions if d != EQUAL}
    if not ds:
        return EQUAL
    if INCOMPARABLE in ds:
        return INCOMPARABLE
    if MIXED in ds or ds == {TIGHTER, LOOSER}:
        return MIXED
    return ds.pop()


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def _order(old: float, new: float, higher_is_stricter: bool) -> str:
    if _close(old, new):
        return EQUAL
    return TIGHTER if (new > old) == higher_is_stricter else LOOSER


@dataclass
class Comparison:
    direction: str
    reasons: list[str] = field(default_factory=list)


def compare_objectives(old: Any, new: Any, old_per: m.Duration | None = None,
                       new_per: m.Duration | None = None) -> Comparison:
    """How `new` relates to `old` for the customer: tighter, looser, equal, mixed or incomparable.

    `old_per`/`new_per` are the periods of a count metric (`count complaints per 7d`):
    `at most 20 per 7d` and `at most 40 per 14d` are the same rate.
    """
    if old.form != new.form or isinstance(old, m.BoundObjective) and old.percent != new.percent:
        return Comparison(INCOMPARABLE, [f"the form changed from {objective_text(old)} to {objective_text(new)}"])
    parts: list[tuple[str, str]] = []
    if isinstance(old, m.WithinObjective):
        d = _order(old.percent, new.percent, True)
        parts.append((d, {TIGHTER: "higher share", LOOSER: "lower share"}.get(d, "")))
        if type(old.within) is not type(new.within):
            parts.append((INCOMPARABLE, f"the limit changed from {m.limit_text(old.within)} to "
                                        f"{m.limit_text(new.within)}"))
        else:
            d = _order(m.limit_size(old.within), m.limit_size(new.within), False)
            parts.append((d, {TIGHTER: "shorter time", LOOSER: "longer time"}.get(d, "")))
    elif isinstance(old, m.BoundObjective):
        a, b = old.value, new.value
        if old_per is not None and new_per is not None:
            a, b = a / old_per.seconds, b / new_per.seconds  # a rate per second
        rate = old_per is not None and new_per is not None and not _close(old_per.seconds, new_per.seconds)
        if old.form == "at_most":
            d = _order(a, b, False)
            words = ("lower rate", "higher rate") if rate else ("lower limit", "higher limit")
        else:
            d = _order(a, b, True)
            words = ("higher rate", "lower rate") if rate else ("higher minimum", "lower minimum")
        parts.append((d, {TIGHTER: words[0], LOOSER: words[1]}.get(d, "")))
    elif isinstance(old, m.AverageObjective):
        d = _order(old.value, new.value, True)
        parts.append((d, {TIGHTER: "higher average", LOOSER: "lower average"}.get(d, "")))
    elif isinstance(old, m.ShareObjective):
        d = _order(old.percent, new.percent, True)
        parts.append((d, {TIGHTER: "higher share", LOOSER: "lower share"}.get(d, "")))
        d = _order(old.value, new.value, True)
        parts.append((d, {TIGHTER: "higher score", LOOSER: "lower score"}.get(d, "")))
    else:  # a form this module does not know: never call it equal
        return Comparison(INCOMPARABLE, ["unknown objective form"])
    return Comparison(_combine(*(d for d, _ in parts)), [r for d, r in parts if d != EQUAL and r])


# ---- words ------------------------------------------------------------------------------


def _num(value: float) -> str:
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


INTERNAL = "(none: internal metric)"


def objective_text(o: m.Objective | None, per: m.Duration | None = None) -> str:
    """The objective as written in a .touch file (`80% within 30s`, `at most 5%`); a
    count's `per` is added (`at most 20 per 7d`) so rates can be compared. The
    missing promise of an internal metric is `INTERNAL`."""
    match o:
        case None:
            return INTERNAL
        case m.WithinObjective():
            return syntax.objective(o.form, percent=f"{_num(o.percent)}%", within=m.limit_text(o.within))
        case m.BoundObjective():
            text = syntax.objective(o.form, number=f"{_num(o.value)}{'%' if o.percent else ''}")
            return f"{text} per {per.text}" if per is not None else text
        case m.AverageObjective():
            return syntax.objective(o.form, number=_num(o.value))
        case m.ShareObjective():
            return syntax.objective(o.form, percent=f"{_num(o.percent)}%", number=_num(o.value))
        case _:
            m.unknown_kind(o)


def measure_text(metric: m.Metric) -> str:
    match metric:
        case m.TimeMetric():
            return syntax.time_measure(str(metric.start), str(metric.end), metric.calendar or None)
        case m.RatioMetric():
            return syntax.ratio_measure(metric.numerator, metric.denominator)
        case m.ScoreMetric():
            return syntax.score_measure(_num(metric.low), _num(metric.high))
        case m.NpsMetric():
            return syntax.NPS_MEASURE
        case m.CountMetric():
            return syntax.count_measure(metric.event, metric.per.text)
        case _:
            m.unknown_kind(metric)


def _q(text: str | None) -> str:
    return "(none)" if text is None else json.dumps(text, ensure_ascii=False)


# ---- calendars --------------------------------------------------------------------------

_WEEK = {d: i for i, d in enumerate(m.WEEKDAYS)}


def _minutes(hhmm: str) -> int:
    h, mm = hhmm.split(":")
    return int(h) * 60 + int(mm)


def open_minutes(cal: m.Calendar) -> frozenset[int]:
    """Minutes of the week the calendar's clock runs (0 = Sunday 00:00)."""
    out: set[int] = set()
    for hours in cal.hours:
        start, end = _minutes(hours.start), _minutes(hours.end)
        for day in hours.days:
            base = _WEEK[day] * 1440
            out.update(range(base + start, base + end))
    return frozenset(out)


def _day_minutes(ranges: Iterable[m.TimeRange | m.DateHours | m.Hours]) -> frozenset[int]:
    out: set[int] = set()
    for r in ranges:
        out.update(range(_minutes(r.start), _minutes(r.end)))
    return frozenset(out)


def _weekday_minutes(cal: m.Calendar, day: str) -> frozenset[int]:
    return _day_minutes(h for h in cal.hours if day in h.days)


def _fewer(a: frozenset[int], b: frozenset[int], less: str, more: str, other: str) -> list[tuple[str, str]]:
    """The direction of going from open minutes `a` to `b`: fewer is looser."""
    if a == b:
        return []
    if b < a:
        return [(LOOSER, less)]
    if b > a:
        return [(TIGHTER, more)]
    return [(MIXED, other)]


def _eve_minutes(cal: m.Calendar) -> frozenset[int] | None:
    """The open minutes of an eve, None when eves keep their weekday's hours."""
    return _day_minutes(cal.eve) if cal.eve else None


def _date_minutes(cal: m.Calendar, date: Any) -> frozenset[int]:
    """A date's open minutes: its own hours, else its weekday's (holidays aside)."""
    own = [h for h in cal.dates if h.date == date]
    return _day_minutes(own) if own else _weekday_minutes(cal, m.WEEKDAYS[(date.weekday() + 1) % 7])


def compare_calendars(old: m.Calendar, new: m.Calendar) -> Comparison:
    """A business clock that runs less (fewer hours, more holidays, shorter eves or
    dates) makes its promises looser."""
    parts: list[tuple[str, str]] = []
    if old.timezone != new.timezone:
        parts.append((INCOMPARABLE, f"time zone {old.timezone} → {new.timezone}"))
    parts += _fewer(open_minutes(old), open_minutes(new), "fewer business hours", "more business hours",
                    "different business hours")
    eve_a, eve_b = _eve_minutes(old), _eve_minutes(new)
    if eve_a != eve_b:
        # An eve without eve hours keeps its weekday's: compare with every open weekday.
        days = [d for d in m.WEEKDAYS if _weekday_minutes(old, d) or _weekday_minutes(new, d)]
        moves = {direction for d in days for direction, _ in _fewer(
            eve_a if eve_a is not None else _weekday_minutes(old, d),
            eve_b if eve_b is not None else _weekday_minutes(new, d), "", "", "")}
        direction = moves.pop() if len(moves) == 1 else MIXED
        parts.append((direction, {LOOSER: "shorter hours on eves of holidays",
                                  TIGHTER: "longer hours on eves of holidays"}.get(direction,
                                                                                  "different hours on eves of holidays")))
    for date in sorted({h.date for h in old.dates} | {h.date for h in new.dates}):
        parts += _fewer(_date_minutes(old, date), _date_minutes(new, date), f"shorter hours on {date}",
                        f"longer hours on {date}", f"different hours on {date}")
    for what, olds, news in (("holidays of", set(old.holidays), set(new.holidays)),
                             ("closed dates", {str(d) for d in old.closed}, {str(d) for d in new.closed})):
        if news - olds:
            parts.append((LOOSER, f"{what} {', '.join(sorted(news - olds))} added"))
        if olds - news:
            parts.append((TIGHTER, f"{what} {', '.join(sorted(olds - news))} removed"))
    return Comparison(_combine(*(d for d, _ in parts)), [r for _, r in parts])


def _clock(calendar: str | None, project: m.Project) -> m.Calendar | None:
    return project.calendars.get(calendar) if calendar else None


def _pause_text(p: m.Pause) -> str:
    return syntax.pause_while(p.step) if p.step is not None else syntax.pause_between(str(p.start), str(p.end))


def compare_pauses(old: list[m.Pause], new: list[m.Pause]) -> Comparison:
    """A pause added stops the clock more (a later deadline): looser. One removed: tighter."""
    parts: list[tuple[str, str]] = []
    for p in new:
        if p not in old:
            parts.append((LOOSER, f"{_pause_text(p)} added"))
    for p in old:
        if p not in new:
            parts.append((TIGHTER, f"{_pause_text(p)} removed"))
    return Comparison(_combine(*(d for d, _ in parts)), [r for _, r in parts])


def compare_clocks(old_cal: str | None, new_cal: str | None, old: m.Project, new: m.Project) -> Comparison:
    """Wall clock vs business clock: `within 48h` on office hours is a longer wait than on the wall clock."""
    if old_cal == new_cal:
        return Comparison(EQUAL)
    if old_cal is None:
        return Comparison(LOOSER, [f"business clock {new_cal} instead of the wall clock"])
    if new_cal is None:
        return Comparison(TIGHTER, [f"wall clock instead of business clock {old_cal}"])
    a, b = _clock(old_cal, old), _clock(new_cal, new)
    if a is None or b is None:
        return Comparison(INCOMPARABLE, [f"business clock {old_cal} → {new_cal}"])
    c = compare_calendars(a, b)
    return Comparison(c.direction, [f"business clock {old_cal} → {new_cal}"] + c.reasons)


# ---- the diff ---------------------------------------------------------------------------


class _Diff:
    def __init__(self, old: m.Project, new: m.Project):
        self.old, self.new = old, new
        self.changes: list[Change] = []

    def add(self, cls: str, kind: str, where: Iterable[tuple[str, str]], message: str,
            old: Any = None, new: Any = None) -> None:
        self.changes.append(Change(cls, kind, tuple(where), message, old, new))

    def text_fields(self, where: Where, old: Any, new: Any, names: Iterable[str], cls: str = "info") -> None:
        for name in names:
            a, b = getattr(old, name), getattr(new, name)
            if a != b:
                label = name.replace("_", " ")
                if name == "note":  # free text, often long: the file diff shows the words
                    what = "added" if a is None else "removed" if b is None else "changed"
                    self.add(cls, f"note_{what}", where, f"note {what}", a, b)
                elif isinstance(a, list) or isinstance(b, list):
                    self.add(cls, f"{name}_changed", where, f"{label} changed: {', '.join(map(_q, a)) or '(none)'}"
                             f" → {', '.join(map(_q, b)) or '(none)'}", list(a), list(b))
                else:
                    self.add(cls, f"{name}_changed", where, f"{label} changed: {_q(a)} → {_q(b)}", a, b)

    # -- project ------------------------------------------------------------------------
    def run(self) -> list[Change]:
        self.touchpoints()
        self.owners()
        self.calendars()
        self.journeys()
        self.defaults()
        self.project()
        return self.changes

    @staticmethod
    def _keys(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
        """Ids in the new version's order, then those only in the old one."""
        return list(new) + [k for k in old if k not in new]

    def defaults(self) -> None:
        a, b = self.old.defaults, self.new.defaults
        where = [("defaults", "project")]
        if a.window != b.window:
            self.add("info", "default_window_changed", where,
                     f"default window changed: {a.window.text} → {b.window.text}", a.window.text, b.window.text)
        self.text_fields(where, a.charter, b.charter, ("language", "title", "intro", "version"))
        if a.charter.effective != b.charter.effective:
            old, new = (str(d) if d else None for d in (a.charter.effective, b.charter.effective))
            self.add("info", "effective_changed", where, f"effective date changed: {_q(old)} → {_q(new)}", old, new)
        if a.alert_minimum != b.alert_minimum:
            # More evidence before an alert is a weaker watch; less is a closer one.
            self.add("internal" if b.alert_minimum > a.alert_minimum else "safe", "alert_minimum_changed", where,
                     f"alerts need {a.alert_minimum} → {b.alert_minimum} events", a.alert_minimum, b.alert_minimum)

    def project(self) -> None:
        """The organisation's name (info) and its contact points: one customers used that is gone or
        changed is breaking (they can no longer reach you there), a new one is safe."""
        where = [("project", "contacts")]
        if self.old.title != self.new.title:
            self.add("info", "project_title_changed", [("project", "title")],
                     f"project name changed: {_q(self.old.title)} → {_q(self.new.title)}",
                     self.old.title, self.new.title)
        old: dict[str, m.Contact] = {c.channel: c for c in self.old.contacts}
        new: dict[str, m.Contact] = {c.channel: c for c in self.new.contacts}
        for channel in self._keys(old, new):
            a, b = old.get(channel), new.get(channel)
            if a is None and b is not None:
                self.add("safe", "contact_added", where, f"{channel} contact added: {_q(b.text)}", None, b.text)
            elif b is None and a is not None:
                self.add("breaking", "contact_removed", where, f"{channel} contact removed: {_q(a.text)}",
                         a.text, None)
            elif a is not None and b is not None and (a.text, a.link) != (b.text, b.link):
                self.add("breaking", "contact_changed", where,
                         f"{channel} contact changed: {_q(a.text)} → {_q(b.text)} (customers who kept the old "
                         "one cannot reach you there)", a.text, b.text)

    def journeys(self) -> None:
        for jid in self._keys(self.old.journeys, self.new.journeys):
            a, b = self.old.journeys.get(jid), self.new.journeys.get(jid)
            where = [("journey", jid)]
            if a is None:
                assert b is not None  # an id of one version at least
                self.add("info", "journey_added", where, f"journey added: {_q(b.title)}", None, b.title)
                continue
            if b is None:
                self.add("info", "journey_removed", where, f"journey removed: {_q(a.title)}", a.title, None)
                continue
            self.text_fields(where, a, b, ("title", "note", "tags"))
            sa = [f"{s.id} {_q(s.title)}" for s in a.stages]
            sb = [f"{s.id} {_q(s.title)}" for s in b.stages]
            if sa != sb:
                self.add("info", "stages_changed", where, f"stages changed: {', '.join(sa)} → {', '.join(sb)}", sa, sb)

    def _metrics_on(self, project: m.Project, calendar: str) -> list[str]:
        return [f"{t.id}.{m.metric_key(x)}" for t in project.touchpoints.values() for x in t.metrics
                if m.business_calendar(x) == calendar and m.published(x)]

    def calendars(self) -> None:
        for cid in self._keys(self.old.calendars, self.new.calendars):
            a, b = self.old.calendars.get(cid), self.new.calendars.get(cid)
            where = [("calendar", cid)]
            if a is None:
                assert b is not None  # an id of one version at least
                self.add("safe", "calendar_added", where, f"calendar added: {_q(b.title)}", None, b.title)
                continue
            if b is None:
                self.add("info", "calendar_removed", where, f"calendar removed: {_q(a.title)}", a.title, None)
                continue
            self.text_fields(where, a, b, ("title", "note", "tags"))
            c = compare_calendars(a, b)
            if c.direction == EQUAL:
                if (a.hours, a.eve, a.dates) != (b.hours, b.eve, b.dates):  # the same minutes written differently
                    self.add("info", "calendar_hours_rewritten", where, "hours rewritten; the business clock is unchanged")
                continue
            users = self._metrics_on(self.new, cid)
            if c.direction == TIGHTER:
                cls, verb = "safe", "runs longer"
            elif users:
                cls, verb = "breaking", "runs less" if c.direction == LOOSER else "changed"
            else:
                cls, verb = "info", "changed"
            used = f"; promises on it: {', '.join(users)}" if users else "; no metric uses it"
            self.add(cls, f"calendar_{c.direction}", where,
                     f"business clock {verb}: {'; '.join(c.reasons)}{used}",
                     _calendar_json(a), _calendar_json(b))

    def owners(self) -> None:
        for oid in self._keys(self.old.owners, self.new.owners):
            a, b = self.old.owners.get(oid), self.new.owners.get(oid)
            where = [("owner", oid)]
            if a is None:
                assert b is not None  # an id of one version at least
                self.add("safe", "owner_added", where, f"owner added: {_q(b.title)}", None, b.title)
                continue
            if b is None:
                self.add("internal", "owner_removed", where, f"owner removed: {_q(a.title)}", a.title, None)
                continue
            self.text_fields(where, a, b, ("title", "note", "tags"))
            if a.manager != b.manager:
                def who(x: m.Manager | None) -> str:
                    return f"{x.name} <{x.email}>" if x else "(none)"

                self.add("internal", "manager_changed", where,
                         f"manager changed: {who(a.manager)} → {who(b.manager)}",
                         a.manager.model_dump() if a.manager else None,
                         b.manager.model_dump() if b.manager else None)
            for level in ("notify", "page"):
                ra = [(r.kind, r.target) for r in getattr(a, level)]
                rb = [(r.kind, r.target) for r in getattr(b, level)]
                for kind, target in ra:
                    if (kind, target) not in rb:
                        self.add("internal", f"{level}_removed", where,
                                 f"{level} receiver removed: {kind} {_q(target)}", f"{kind} {target}", None)
                for kind, target in rb:
                    if (kind, target) not in ra:
                        self.add("safe", f"{level}_added", where,
                                 f"{level} receiver added: {kind} {_q(target)}", None, f"{kind} {target}")

    # -- touchpoints --------------------------------------------------------------------
    def touchpoints(self) -> None:
        for tid in self._keys(self.old.touchpoints, self.new.touchpoints):
            a, b = self.old.touchpoints.get(tid), self.new.touchpoints.get(tid)
            where = [("touchpoint", tid)]
            if a is None:
                assert b is not None  # an id of one version at least
                promises = "; ".join(f"{m.metric_key(x)}: {objective_text(x.promise, _per(x))}"
                                     for x in b.metrics if m.published(x))
                self.add("safe", "touchpoint_added", where,
                         f"touchpoint added: {_q(b.title)}" + (f" (promises {promises})" if promises else ""),
                         None, b.title)
                continue
            if b is None:
                promises = "; ".join(f"{m.metric_key(x)}: {objective_text(x.promise, _per(x))}"
                                     for x in a.metrics if m.published(x))
                self.add("breaking", "touchpoint_removed", where,
                         f"touchpoint removed: {_q(a.title)}" + (f"; promises withdrawn: {promises}" if promises else ""),
                         a.title, None)
                continue
            self.touchpoint(where, a, b)

    def touchpoint(self, where: Where, a: m.Touchpoint, b: m.Touchpoint) -> None:
        if a.owner != b.owner:
            self.add("internal", "owner_reassigned", where,
                     f"accountable owner reassigned: {a.owner} → {b.owner}", a.owner, b.owner)
        self.text_fields(where, a, b, ("title", "expectation"))
        ja = f"{a.journey}.{a.stage}" if a.stage else a.journey
        jb = f"{b.journey}.{b.stage}" if b.stage else b.journey
        if ja != jb:
            self.add("info", "journey_changed", where, f"journey changed: {ja or '(none)'} → {jb or '(none)'}", ja, jb)
        for ch in a.channels:
            if ch not in b.channels:
                self.add("breaking", "channel_removed", where, f"customers can no longer use channel {ch}", ch, None)
        for ch in b.channels:
            if ch not in a.channels:
                self.add("safe", "channel_added", where, f"channel added: {ch}", None, ch)
        self.steps(where, a, b)
        self.classes(where, a, b)
        self.metrics(where, a, b)
        self.updates(where, a.updates, b.updates)
        ea = [(e.to, e.on) for e in a.escalations]
        eb = [(e.to, e.on) for e in b.escalations]
        for to, on in ea:
            if (to, on) not in eb:
                self.add("internal", "escalation_removed", where, f"escalation removed: to {to} on {on}",
                         f"{to} on {on}", None)
        for to, on in eb:
            if (to, on) not in ea:
                self.add("safe", "escalation_added", where, f"escalation added: to {to} on {on}", None, f"{to} on {on}")
        self.text_fields(where, a, b, ("note", "tags"))

    def updates(self, where: Where, a: m.Updates | None, b: m.Updates | None) -> None:
        def text(u: m.Updates) -> str:
            return f"every {u.every.text} via {u.via}" + (f" until {u.until}" if u.until else "")

        if a == b:
            return
        if a is None:
            assert b is not None  # an id of one version at least
            self.add("safe", "updates_added", where, f"customers now get updates {text(b)}", None, text(b))
            return
        if b is None:
            self.add("breaking", "updates_removed", where, f"customers no longer get updates ({text(a)})", text(a), None)
            return
        d = _order(a.every.seconds, b.every.seconds, False)
        if d == LOOSER:
            self.add("breaking", "updates_loosened", where,
                     f"updates less often: every {a.every.text} → every {b.every.text}", text(a), text(b))
        elif d == TIGHTER:
            self.add("safe", "updates_tightened", where,
                     f"updates more often: every {a.every.text} → every {b.every.text}", text(a), text(b))
        if a.via != b.via or a.until != b.until:
            self.add("info", "updates_changed", where, f"updates changed: {text(a)} → {text(b)}", text(a), text(b))

    def steps(self, where: Where, a: m.Touchpoint, b: m.Touchpoint) -> None:
        old = {s.id: s for s in a.steps}
        new = {s.id: s for s in b.steps}
        for sid in self._keys(old, new):
            sa, sb = old.get(sid), new.get(sid)
            w = [*where, ("step", sid)]
            if sa is None:
                assert sb is not None  # an id of one version at least
                self.add("safe", "step_added", w, f"step added: {_q(sb.title)} by {sb.by}", None, sb.title)
                continue
            if sb is None:
                self.add("internal", "step_removed", w, f"step removed: {_q(sa.title)} (was by {sa.by})", sa.title, None)
                continue
            if sa.by != sb.by:
                self.add("internal", "step_performer_changed", w, f"performed by {sb.by} instead of {sa.by}",
                         sa.by, sb.by)
            if sa.via != sb.via:
                self.add("info", "step_channel_changed", w, f"channel changed: {sa.via or '(none)'} → {sb.via or '(none)'}",
                         sa.via, sb.via)
            self.text_fields(w, sa, sb, ("title",))
        common_old = [s for s in old if s in new]
        common_new = [s for s in new if s in old]
        if common_old != common_new:
            self.add("info", "steps_reordered", where,
                     f"steps reordered: {', '.join(common_old)} → {', '.join(common_new)}", common_old, common_new)

    def classes(self, where: Where, a: m.Touchpoint, b: m.Touchpoint) -> None:
        old = {c.id: c for c in a.classes}
        new = {c.id: c for c in b.classes}
        for cid in self._keys(old, new):
            ca, cb = old.get(cid), new.get(cid)
            w = [*where, ("class", cid)]
            if ca is None:
                assert cb is not None  # an id of one version at least
                self.add("info", "class_added", w, f"class of case added: {_q(cb.title)}", None, cb.title)
            elif cb is None:
                self.add("info", "class_removed", w, f"class of case removed: {_q(ca.title)}", ca.title, None)
            else:
                self.text_fields(w, ca, cb, ("title",))

    # -- metrics ------------------------------------------------------------------------
    def metrics(self, where: Where, a: m.Touchpoint, b: m.Touchpoint) -> None:
        """Metrics by name and class. A metric newly judged per class is compared class
        by class with what it promised every case before, and the other way round."""
        old = {m.metric_key(x): x for x in a.metrics}
        new = {m.metric_key(x): x for x in b.metrics}
        pairs: list[tuple[str, Any, Any]] = []
        for key, mb in new.items():
            if key in old:
                pairs.append((key, old[key], mb))
            elif mb.segment is not None and mb.id in old:  # judged per class now
                pairs.append((key, old[mb.id], mb))
            elif mb.segment is None and any(x.id == mb.id for x in old.values()):  # no longer per class
                pairs += [(k, x, mb) for k, x in old.items() if x.id == mb.id]
            else:
                pairs.append((key, None, mb))
        compared = {id(x) for _, x, _ in pairs if x is not None}
        pairs += [(key, x, None) for key, x in old.items() if id(x) not in compared]
        for key, ma, mb in pairs:
            w = [*where, ("metric", key)]
            if ma is None:
                assert mb is not None  # an id of one version at least
                self.add("safe", "metric_added", w,
                         f"metric added: {_q(mb.title)}, promise {objective_text(mb.promise, _per(mb))}",
                         None, objective_text(mb.promise, _per(mb)))
                continue
            if mb is None:
                cls = "breaking" if m.published(ma) else "internal"
                self.add(cls, "metric_removed", w,
                         f"metric removed: {_q(ma.title)}; promise {objective_text(ma.promise, _per(ma))} withdrawn"
                         if m.published(ma) else f"internal metric removed: {_q(ma.title)}",
                         objective_text(ma.promise, _per(ma)), None)
                continue
            self.metric(w, ma, mb)

    def _published(self, w: Where, a: m.Metric, b: m.Metric) -> None:
        """A metric made internal withdraws its promise; one published makes a new promise."""
        if b.promise is None:
            self.add("breaking", "promise_withdrawn", w,
                     f"promise withdrawn: {objective_text(a.promise, _per(a))}; the metric is now internal",
                     objective_text(a.promise, _per(a)), INTERNAL)
        else:
            self.add("safe", "promise_published", w,
                     f"promise published: {objective_text(b.promise, _per(b))} (was an internal metric)",
                     INTERNAL, objective_text(b.promise, _per(b)))

    def _measure(self, a: m.Metric, b: m.Metric) -> Comparison:
        """How the change of what is measured moves every objective of the metric."""
        match a, b:
            case m.TimeMetric(), m.TimeMetric():
                if (a.start, a.end) != (b.start, b.end):
                    return Comparison(INCOMPARABLE)
                clocks = compare_clocks(a.calendar, b.calendar, self.old, self.new)
                stops = compare_pauses(a.pauses, b.pauses)
                return Comparison(_combine(clocks.direction, stops.direction), clocks.reasons + stops.reasons)
            case m.RatioMetric(), m.RatioMetric():
                same = (a.numerator, a.denominator) == (b.numerator, b.denominator)
                return Comparison(EQUAL if same else INCOMPARABLE)
            case m.ScoreMetric(), m.ScoreMetric():
                same = _close(a.low, b.low) and _close(a.high, b.high)
                return Comparison(EQUAL if same else INCOMPARABLE)
            case m.NpsMetric(), m.NpsMetric():
                return Comparison(EQUAL)
            case m.CountMetric(), m.CountMetric():  # the period is folded into the objective's rate
                return Comparison(EQUAL if a.event == b.event else INCOMPARABLE)
            case (m.TimeMetric() | m.RatioMetric() | m.ScoreMetric() | m.NpsMetric() | m.CountMetric(), _):
                return Comparison(INCOMPARABLE)  # the kind changed
            case _:
                m.unknown_kind(a)

    def metric(self, w: Where, a: Any, b: Any) -> None:
        measure = self._measure(a, b)
        pa, pb = objective_text(a.promise, _per(a)), objective_text(b.promise, _per(b))
        ta, tb = objective_text(a.target, _per(a)), objective_text(b.target, _per(b))
        if measure.direction == INCOMPARABLE:
            parts = [f"measure changed: {measure_text(a)} → {measure_text(b)}"]
            if pa != pb:
                parts.append(f"promise {pa} → {pb}")
            if ta != tb:
                parts.append(f"target {ta} → {tb}")
            self.add("breaking", "measure_changed", w,
                     "; ".join(parts) + " (cannot be compared: review what customers are promised)",
                     {"measure": measure_text(a), "promise": pa, "target": ta},
                     {"measure": measure_text(b), "promise": pb, "target": tb})
        else:
            for role, loose_cls in (("promise", "breaking"), ("target", "internal")):
                if role == "target" and not (a.target_written or b.target_written):
                    continue  # the target follows the promise; its change is already reported
                oa, ob = getattr(a, role), getattr(b, role)
                if oa is None or ob is None:  # only a promise is ever missing: an internal metric
                    if oa is not None or ob is not None:
                        self._published(w, a, b)
                    continue
                c = compare_objectives(oa, ob, _per(a), _per(b))
                direction = _combine(c.direction, measure.direction)
                if direction == EQUAL:
                    if oa != ob or _per(a) != _per(b):
                        self.add("info", f"{role}_rewritten", w,
                                 f"{role} rewritten without changing it: {objective_text(oa, _per(a))} → "
                                 f"{objective_text(ob, _per(b))}", objective_text(oa, _per(a)),
                                 objective_text(ob, _per(b)))
                    continue
                reasons = measure.reasons + c.reasons
                verb = {TIGHTER: "tightened", LOOSER: "loosened", MIXED: "loosened in part",
                        INCOMPARABLE: "changed incomparably"}[direction]
                cls = "safe" if direction == TIGHTER else loose_cls
                text_a, text_b = objective_text(oa, _per(a)), objective_text(ob, _per(b))
                why = f" ({', '.join(reasons)})" if reasons else ""
                change = text_a if text_a == text_b else f"{text_a} → {text_b}"  # only the clock moved
                self.add(cls, f"{role}_{'tightened' if direction == TIGHTER else 'loosened'}", w,
                         f"{role} {verb}: {change}{why}", text_a, text_b)
        if a.window != b.window:
            self.add("internal", "window_changed", w, f"window changed: {a.window.text} → {b.window.text}",
                     a.window.text, b.window.text)
        if a.source != b.source:
            self.add("internal", "source_changed", w, "monitoring queries changed",
                     a.source.model_dump() if a.source else None, b.source.model_dump() if b.source else None)
        if a.compensation != b.compensation:
            if b.compensation is None:
                self.add("breaking", "compensation_removed", w, f"compensation removed: {_q(a.compensation)}",
                         a.compensation, None)
            elif a.compensation is None:
                self.add("safe", "compensation_added", w, f"compensation added: {_q(b.compensation)}",
                         None, b.compensation)
            else:  # words cannot be ordered: a person reads what customers now get
                self.add("breaking", "compensation_changed", w,
                         f"compensation changed: {_q(a.compensation)} → {_q(b.compensation)} (review what "
                         "customers now get)", a.compensation, b.compensation)
        self.text_fields(w, a, b, ("title", "note", "tags"))


def _per(metric: m.Metric) -> m.Duration | None:
    return m.counting_period(metric)


def _calendar_json(c: m.Calendar) -> dict[str, Any]:
    return {
        "timezone": c.timezone,
        "hours": [f"{','.join(h.days)} {h.start}-{h.end}" for h in c.hours]
        + [f"eve {h.start}-{h.end}" for h in c.eve] + [f"{h.date} {h.start}-{h.end}" for h in c.dates],
        "holidays": list(c.holidays),
        "closed": [str(d) for d in c.closed],
    }


def diff_projects(old: m.Project, new: m.Project) -> list[Change]:
    """Every classified change from `old` to `new`, in a stable order."""
    return _Diff(old, new).run()


def worst(changes: Iterable[Change]) -> str | None:
    ranked = sorted((c.cls for c in changes), key=_RANK.__getitem__)
    return ranked[-1] if ranked else None


def fails(changes: list[Change], fail_on: str | None) -> bool:
    """Whether `--fail-on` is triggered: `any` on any change, else that class or a worse one."""
    if fail_on is None or not changes:
        return False
    if fail_on == "any":
        return True
    return any(_RANK[c.cls] >= _RANK[fail_on] for c in changes)


# ---- rendering --------------------------------------------------------------------------


def _counts(changes: list[Change]) -> dict[str, int]:
    return {k: sum(1 for c in changes if c.cls == k) for k in CLASSES}


def _summary_line(changes: list[Change]) -> str:
    if not changes:
        return "no changes"
    counts = _counts(changes)
    return ", ".join(f"{n} {k}" for k, n in counts.items() if n)


def format_text(changes: list[Change], old_label: str, new_label: str) -> str:
    out = [f"touchdsl diff {old_label} → {new_label}: {_summary_line(changes)}"]
    for cls in CLASSES:
        group = [c for c in changes if c.cls == cls]
        if not group:
            continue
        out.append("")
        out.append(f"{CLASS_TITLES[cls]} ({len(group)}):")
        for c in group:
            out.append(f"  {c.label}: {c.message}")
    return "\n".join(out) + "\n"


def format_json(changes: list[Change], old_label: str, new_label: str) -> str:
    from touchdsl import __version__

    doc = {
        "version": JSON_FORMAT_VERSION,
        "tool": {"name": "touchdsl", "version": __version__},
        "old": old_label,
        "new": new_label,
        "summary": _counts(changes),
        "changes": [c.to_json() for c in changes],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def md_escape(text: str) -> str:
    """User text as literal Markdown in a GitHub comment's list item: no emphasis,
    links, HTML, tables or @mentions."""
    return md_text(str(text), line_start=False, mentions=True)


MARKDOWN_MARKER = "<!-- touchdsl-diff -->"


def format_markdown(changes: list[Change], old_label: str, new_label: str) -> str:
    """A pull-request comment: headline with counts, one section per class, breaking first."""
    icons = {"breaking": "🔴", "internal": "🟠", "safe": "🟢", "info": "⚪"}
    out = [MARKDOWN_MARKER, f"### touchdsl diff: {md_escape(_summary_line(changes))}", "",
           f"Comparing `{old_label.replace('`', '')}` → `{new_label.replace('`', '')}`."]
    if not changes:
        out += ["", "The compiled model is the same: no touchpoint, promise or target changed."]
    for cls in CLASSES:
        group = [c for c in changes if c.cls == cls]
        if not group:
            continue
        heading = f"{icons[cls]} {CLASS_TITLES[cls]} ({len(group)})"
        if cls == "info":  # wording and notes: folded so the promises stay in view
            out += ["", f"<details><summary>{heading}</summary>", ""]
        else:
            out += ["", f"#### {heading}", ""]
        if cls == "breaking":
            out += ["These changes loosen or withdraw what customers are promised; they need sign-off.", ""]
        for c in group:
            where = " › ".join(f"{k} `{v}`" for k, v in c.where)
            out.append(f"- {where}: {md_escape(c.message)}")
        if cls == "info":
            out += ["", "</details>"]
    return "\n".join(out) + "\n"


# ---- reading the two versions -----------------------------------------------------------


class DiffUsageError(Exception):
    """A bad argument: unknown revision, missing path, not a git repository (exit 2)."""


def _git(args: list[str], cwd: str) -> bytes:
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        raise DiffUsageError("git is not installed; `git:REV` needs it") from None
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise DiffUsageError(f"git {' '.join(args[:2])}: {message[-1] if message else 'failed'}")
    return proc.stdout


@dataclass
class Version:
    """One side of the diff: a path to compile, and how to show it."""

    label: str
    path: str
    display_prefix: tuple[str, str] | None = None  # (temp dir, shown instead), for git revisions
    empty: bool = False


def split_git(spec: str) -> tuple[str, str | None] | None:
    """`git:REV` -> (REV, None); `git:REV:PATH` -> (REV, PATH); anything else -> None."""
    if not spec.startswith("git:"):
        return None
    rest = spec[4:]
    rev, sep, path = rest.partition(":")
    if not rev:
        raise DiffUsageError(f"`{spec}`: name a revision, e.g. git:main or git:HEAD~1")
    return rev, (path if sep else None)


def materialise(rev: str, project_path: str, workdir: str) -> Version:
    """Extract the revision's files under `project_path` into `workdir` (a temp dir)."""
    target = Path(project_path)
    here = Path.cwd()
    probe = target if target.is_dir() else (target.parent if str(target.parent) else Path("."))
    if not probe.exists():
        probe = here
    top = Path(_git(["rev-parse", "--show-toplevel"], str(probe)).decode().strip()).resolve()
    rel_target = Path(os.path.relpath(target.resolve() if target.exists() else here / target, top))
    if rel_target.parts and rel_target.parts[0] == "..":
        raise DiffUsageError(f"{project_path}: outside the git repository at {top}")
    try:
        _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], str(top))
    except DiffUsageError:
        raise DiffUsageError(f"git:{rev}: no such revision in the repository at {top}") from None
    # A project named by a file reads its folder (imports are relative to it).
    is_file = target.suffix == ".touch"
    folder = rel_target.parent if is_file else rel_target
    spec = folder.as_posix() if folder.as_posix() != "." else "."
    listed = _git(["ls-tree", "-r", "-z", "--name-only", rev, "--", spec], str(top)).split(b"\0")
    names = [n.decode("utf-8", "surrogateescape") for n in listed if n.endswith(b".touch")]
    label = f"git:{rev}:{rel_target.as_posix()}"
    dest = Path(workdir) / "tree"
    dest.mkdir()
    result_path = dest / rel_target
    if not names or (is_file and rel_target.as_posix() not in names):
        return Version(label, str(result_path), (str(dest), f"{rev}:"), empty=True)
    archive = _git(["archive", "--format=tar", rev, "--", *names], str(top))
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        members = [t for t in tar.getmembers() if t.isfile() and t.name.endswith(".touch")]
        try:
            tar.extractall(dest, members=members, filter="data")
        except TypeError:  # Python without extraction filters; members are regular files only
            tar.extractall(dest, members=members)
    return Version(label, str(result_path), (str(dest), f"{rev}:"))


def _relabel(diags: list[Diagnostic], sources: dict[str, str],
             prefix: tuple[str, str] | None) -> tuple[list[Diagnostic], dict[str, str]]:
    """Show files of a materialised revision as `REV:path/in/repo.touch`."""
    if prefix is None:
        return diags, sources
    base = os.path.realpath(prefix[0])

    def name(path: str) -> str:
        full = os.path.realpath(path)
        if full == base or full.startswith(base + os.sep):
            return prefix[1] + Path(os.path.relpath(full, base)).as_posix()
        return path

    def span(s: Span | None) -> Span | None:
        return None if s is None else replace(s, file=name(s.file))

    out = []
    for d in diags:
        related = tuple(replace(r, span=span(r.span) or r.span) for r in d.related)
        out.append(replace(d, span=span(d.span), related=related))
    return out, {name(k): v for k, v in sources.items()}


def _print_errors(diags: list[Diagnostic], sources: dict[str, str]) -> None:
    from touchdsl.compiler import render as report

    color = sys.stderr.isatty() and "NO_COLOR" not in os.environ
    click.echo(report.format_text(diags, sources, color=color), err=True)


def load_version(version: Version) -> m.Project | None:
    """The model of one side; None (after printing the diagnostics) when it has errors."""
    if version.empty:
        return m.Project(files=[])
    from touchdsl.compiler.driver import PathError, compile_project

    try:
        result = compile_project([version.path])
    except PathError as exc:
        raise DiffUsageError(str(exc)) from None
    if result.project is None or not result.ok:
        diags, sources = _relabel([d for d in result.diagnostics if d.is_error], result.sources,
                                  version.display_prefix)
        _print_errors(diags, sources)
        return None
    return result.project


@click.command(name="diff")
@click.argument("old", metavar="OLD")
@click.argument("new", metavar="NEW")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text",
              show_default=True, help="How to print the changes.")
@click.option("--fail-on", type=click.Choice(["breaking", "internal", "any"]), default=None,
              help="Exit 1 when a change of this class (or a worse one) exists.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write the report to this file instead of standard output.")
def command(old: str, new: str, fmt: str, fail_on: str | None, output: str | None) -> None:
    """Compare two versions of a project and classify each change.

    OLD and NEW are project paths (a folder or a .touch file), or `git:REV` for
    the same project path at a revision of the current git repository
    (`git:REV:PATH` names the path explicitly):

    \b
        touchdsl diff git:main examples/telecom
        touchdsl diff old/ new/ --format markdown --fail-on breaking

    Classes: breaking (a promise to customers loosened or removed), internal
    (a target loosened, owner reassigned, …), safe (tightened or added), info.
    """
    try:
        code = _run(old, new, fmt, fail_on, output)
    except DiffUsageError as exc:
        raise click.UsageError(str(exc)) from None
    sys.exit(code)


def _project_path(spec: str, parsed: tuple[str, str | None] | None, other: str,
                  other_parsed: tuple[str, str | None] | None) -> str:
    """The project path a side names: its own, else the other side's (`git:main examples/telecom`)."""
    if parsed is None:
        return spec
    if parsed[1] is not None:
        return parsed[1]
    if other_parsed is None:
        return other
    return other_parsed[1] if other_parsed[1] is not None else "."


def _run(old: str, new: str, fmt: str, fail_on: str | None, output: str | None) -> int:
    old_git, new_git = split_git(old), split_git(new)
    path_old = _project_path(old, old_git, new, new_git)
    path_new = _project_path(new, new_git, old, old_git)
    for raw, parsed in ((old, old_git), (new, new_git)):
        if parsed is None and not Path(raw).exists():
            raise DiffUsageError(f"{raw}: no such file or directory")
    temps: list[str] = []
    try:
        versions = []
        for raw, parsed, path in ((old, old_git, path_old), (new, new_git, path_new)):
            if parsed is None:
                versions.append(Version(raw, raw))
            else:
                tmp = tempfile.mkdtemp(prefix="touchdsl-diff-")
                temps.append(tmp)
                versions.append(materialise(parsed[0], path, tmp))
        for v in versions:
            if v.empty:
                click.echo(f"note: {v.label} has no .touch files; comparing against an empty project", err=True)
        projects = [load_version(v) for v in versions]
    finally:
        for tmp in temps:
            shutil.rmtree(tmp, ignore_errors=True)
    if projects[0] is None or projects[1] is None:
        click.echo("diff: fix the errors above first; nothing compared", err=True)
        return 1
    labels = [v.label for v in versions]
    changes = diff_projects(projects[0], projects[1])
    render = {"text": format_text, "json": format_json, "markdown": format_markdown}[fmt]
    text = render(changes, labels[0], labels[1])
    if output:
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise DiffUsageError(f"cannot write {output}: {exc.strerror or exc}") from None
    else:
        click.echo(text, nl=False)
    return 1 if fails(changes, fail_on) else 0
