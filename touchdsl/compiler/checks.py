"""Semantic checks: every rule of the language, each reported with its code.

The checker walks the resolved declarations once, reports every problem it
finds (not only the first), and builds the validated model from what it
checked. The model is returned only when no error was reported, so targets
can rely on its invariants. Rules are grouped by declaration kind; the code
of each rule is documented in `touchdsl.compiler.codes`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from touchdsl import model
from touchdsl.compiler.resolve import (
    Declarations,
    SymbolIndex,
    collect,
    duplicate,
    suggest,
)
from touchdsl.diagnostics import DiagnosticSink, Related, Span
from touchdsl.language import ast

NAME_RE = re.compile(r"[a-z][a-z0-9_]*\Z")
_MOMENT_RANK = {"start": 0, "end": 2}


@dataclass
class _Ctx:
    sink: DiagnosticSink
    decls: Declarations
    index: SymbolIndex
    relative: dict[str, str]

    def loc(self, span: Span) -> model.Location:
        return model.Location(file=self.relative.get(span.file, span.file), line=span.line, column=span.column)


# ---- helpers ------------------------------------------------------------------------------


def _items(decl, kind) -> list:
    return [i for i in decl.items if isinstance(i, kind)]


def _single(ctx: _Ctx, items: list, what: str):
    """The one statement of a kind; a repeated one is reported (TD305) and the first kept."""
    for extra in items[1:]:
        ctx.sink.error("TD305", f"`{what}` is written more than once here", extra.span,
                       help=[f"keep one `{what}`"],
                       related=[Related(items[0].span, "first written here")])
    return items[0] if items else None


def _close(name: str, vocabulary) -> list[str]:
    """`did you mean …?` for a word of a fixed vocabulary (the caller lists the words itself)."""
    return [h for h in suggest(name, vocabulary) if h.startswith("did you mean")]


def _check_name(ctx: _Ctx, name: ast.Name, what: str) -> None:
    if not NAME_RE.match(name.value):
        fixed = re.sub(r"[^a-z0-9_]", "_", name.value.lower()).lstrip("_0123456789") or "name"
        ctx.sink.error("TD006", f"{what} name `{name.value}` must be lowercase letters, digits and `_`",
                       name.span, help=[f"use `{fixed}`"])


def _notes_and_tags(ctx: _Ctx, decl) -> tuple[str | None, list[str]]:
    note = _single(ctx, _items(decl, ast.Note), "note")
    tags: list[str] = []
    for line in _items(decl, ast.Tags):
        for t in line.values:
            if t.value not in tags:
                tags.append(t.value)
    return (note.text.value if note else None), tags


def _title(ctx: _Ctx, text: ast.Text, what: str) -> str:
    if not text.value.strip():
        ctx.sink.error("TD310", f"the {what} title is empty", text.span, help=["write a title people can read"])
    return text.value


def _channel(ctx: _Ctx, name: ast.Name) -> bool:
    if name.value in model.CHANNELS:
        return True
    ctx.sink.error("TD304", f"unknown channel `{name.value}`", name.span,
                   help=_close(name.value, model.CHANNELS) + [
                       "channels are: " + " ".join(model.CHANNELS)])
    return False


def _positive(ctx: _Ctx, d: ast.DurationLit, what: str) -> model.Duration | None:
    if d.seconds <= 0:
        ctx.sink.error("TD406", f"{what} must be longer than zero, not `{d.text}`", d.span,
                       help=["durations are a number and a unit: 30s, 48h, 28d"])
        return None
    # Monitoring counts time in whole milliseconds: a finer duration would be
    # rounded, to zero at worst, and change what was promised.
    ms = d.seconds * 1000
    if abs(ms - round(ms)) > 1e-6:
        ctx.sink.error("TD310", f"{what} `{d.text}` is not a whole number of milliseconds", d.span,
                       help=["durations are counted in whole milliseconds: write e.g. `1ms`, `250ms`, `1.5s`"])
        return None
    return model.Duration(seconds=d.seconds, text=d.text)


def _owner_ref(ctx: _Ctx, name: ast.Name, role: str) -> bool:
    if name.value in ctx.decls.owners:
        ctx.index.ref("owner", name.value, name.span)
        return True
    ctx.sink.error("TD202", f"unknown owner `{name.value}` {role}", name.span,
                   help=suggest(name.value, ctx.decls.owners, "owner"))
    return False


# ---- calendars ----------------------------------------------------------------------------


def _timezone_ok(name: str) -> bool:
    from zoneinfo import ZoneInfo

    if not name or name.startswith("/") or ".." in name:
        return False
    try:
        ZoneInfo(name)
    except (ValueError, KeyError, OSError, Exception):  # ZoneInfoNotFoundError and malformed keys
        return False
    return True


def _timezone_help(name: str) -> list[str]:
    from zoneinfo import available_timezones

    return suggest(name, available_timezones()) or ["use an IANA name such as Asia/Jerusalem"]


def _countries() -> set[str]:
    import holidays

    return set(holidays.list_supported_countries())


def _parse_time(ctx: _Ctx, t: ast.Name) -> int | None:
    m = re.fullmatch(r"(\d{1,2}):(\d{2})", t.value)
    if m:
        h, mi = int(m.group(1)), int(m.group(2))
        if (h < 24 and mi < 60) or (h == 24 and mi == 0):
            return h * 60 + mi
    ctx.sink.error("TD503", f"`{t.value}` is not a time of day", t.span, help=["times are HH:MM, 00:00 to 24:00"])
    return None


def _weekday(ctx: _Ctx, n: ast.Name) -> int | None:
    if n.value in model.WEEKDAYS:
        return model.WEEKDAYS.index(n.value)
    ctx.sink.error("TD504", f"unknown weekday `{n.value}`", n.span,
                   help=_close(n.value[:3], model.WEEKDAYS) + ["weekdays are sun mon tue wed thu fri sat"])
    return None


def check_calendar(ctx: _Ctx, decl: ast.CalendarDecl) -> model.Calendar | None:
    _check_name(ctx, decl.name, "calendar")
    title = _title(ctx, decl.title, "calendar")
    damaged = id(decl) in ctx.decls.damaged
    tz = _single(ctx, _items(decl, ast.Timezone), "timezone")
    if tz is None and not damaged:
        ctx.sink.error("TD309", f"calendar `{decl.name.value}` has no timezone", decl.name.span,
                       help=['add `timezone "Asia/Jerusalem"` (an IANA name)'])
    elif tz is not None and not _timezone_ok(tz.value.value):
        ctx.sink.error("TD501", f"unknown timezone \"{tz.value.value}\"", tz.value.span,
                       help=_timezone_help(tz.value.value))
    hours: list[model.Hours] = []
    lines = _items(decl, ast.HoursLine)
    if not lines and not damaged:
        ctx.sink.error("TD309", f"calendar `{decl.name.value}` has no opening hours", decl.name.span,
                       help=["add e.g. `hours sun-thu 08:00-18:00`"])
    for line in lines:
        days: list[str] = []
        for r in line.days:
            first = _weekday(ctx, r.first)
            last = _weekday(ctx, r.last) if r.last else first
            if first is None or last is None:
                continue
            i = first
            while True:  # ranges wrap around the week: fri-sun
                if model.WEEKDAYS[i] not in days:
                    days.append(model.WEEKDAYS[i])
                if i == last:
                    break
                i = (i + 1) % 7
        start, end = _parse_time(ctx, line.start), _parse_time(ctx, line.end)
        if start is not None and end is not None and start >= end:
            ctx.sink.error("TD503", f"opening hours {line.start.value}-{line.end.value} end before they start",
                           line.start.span, help=["hours are within one day: start before end, e.g. 08:00-18:00"])
        if days and start is not None and end is not None:
            hours.append(model.Hours(days=days, start=line.start.value, end=line.end.value))
    countries: list[str] = []
    for line in _items(decl, ast.Holidays):
        for c in line.countries:
            code = c.value.upper()
            known = _countries()
            if code.split("-")[0] not in known:
                ctx.sink.error("TD502", f"unknown holiday country \"{c.value}\"", c.span,
                               help=suggest(code, known) + ["use an ISO 3166 code such as IL, GB or US"])
            elif code not in countries:
                countries.append(code)
    closed: list[dt.date] = []
    for line in _items(decl, ast.Closed):
        for d in line.dates:
            try:
                day = dt.date.fromisoformat(d.value)
            except ValueError:
                ctx.sink.error("TD503", f"`{d.value}` is not a date", d.span,
                               help=["dates are YYYY-MM-DD and must exist"])
                continue
            if day not in closed:
                closed.append(day)
    note, tags = _notes_and_tags(ctx, decl)
    if ctx.sink.has_errors:
        return None
    return model.Calendar(
        id=decl.name.value, title=title, timezone=tz.value.value if tz else "UTC",
        hours=hours, holidays=countries, closed=sorted(closed), note=note, tags=tags, location=ctx.loc(decl.name.span),
    )


# ---- owners and journeys -------------------------------------------------------------------


_EMAIL = re.compile(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+")


def _is_http_url(text: str) -> bool:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    # Alertmanager parses with Go's net/url, which tolerates odd queries but not
    # control characters or a missing host.
    return (parts.scheme in ("http", "https") and bool(parts.hostname)
            and not any(ch.isspace() for ch in parts.netloc) and text.isprintable())


def check_owner(ctx: _Ctx, decl: ast.OwnerDecl) -> model.Owner | None:
    _check_name(ctx, decl.name, "owner")
    mgr = _single(ctx, _items(decl, ast.ManagerLine), "manager")
    manager = None
    if mgr is not None:
        email = mgr.email.value
        if not _EMAIL.fullmatch(email):
            ctx.sink.error("TD310", f"`<{email}>` is not an email address", mgr.email.span,
                           help=["write it as <name@example.com>"])
        if not mgr.name.value.strip():
            ctx.sink.error("TD310", "the manager's name is empty", mgr.name.span)
        manager = model.Manager(name=mgr.name.value, email=email)
    notify: list[model.Receiver] = []
    page: list[model.Receiver] = []
    receivers = _items(decl, ast.ReceiverLine)
    for r in receivers:
        if r.kind.value not in model.RECEIVER_KINDS:
            ctx.sink.error("TD306", f"unknown receiver `{r.kind.value}`", r.kind.span,
                           help=_close(r.kind.value, model.RECEIVER_KINDS) + [
                               "receivers are: " + ", ".join(model.RECEIVER_KINDS)])
            continue
        if not r.target.value.strip():
            ctx.sink.error("TD310", f"the {r.kind.value} receiver has no address", r.target.span)
            continue
        if r.kind.value == "webhook" and not _is_http_url(r.target.value):
            ctx.sink.error("TD310", f"webhook target \"{r.target.value}\" is not an http(s) URL", r.target.span,
                           help=['write the full address, e.g. "https://hooks.example.com/alerts"'])
            continue
        if r.kind.value == "email" and not _EMAIL.fullmatch(r.target.value):
            ctx.sink.error("TD310", f"email target \"{r.target.value}\" is not an email address", r.target.span,
                           help=['write it as "team@example.com"'])
            continue
        receiver = model.Receiver(kind=r.kind.value, target=r.target.value)
        (notify if r.level == "notify" else page).append(receiver)
    if not receivers and id(decl) not in ctx.decls.damaged:
        ctx.sink.warning("TD901", f"owner `{decl.name.value}` has no `notify` or `page` receiver; "
                         "its alerts reach nobody", decl.name.span,
                         help=['add e.g. `notify email "team@example.com"`'])
    note, tags = _notes_and_tags(ctx, decl)
    return model.Owner(id=decl.name.value, title=_title(ctx, decl.title, "owner"), manager=manager,
                       notify=notify, page=page, note=note, tags=tags, location=ctx.loc(decl.name.span))


def _declared_once(ctx: _Ctx, items: list, kind: str, scope: str) -> list:
    """Named children of a block (stages, steps, metrics), each name once.

    Checks every name, reports repeats (TD201, pointing at the first) and records
    the definitions as `scope.name` for go-to-definition; returns the first of each.
    """
    first: dict[str, object] = {}
    for item in items:
        _check_name(ctx, item.name, kind)
        if item.name.value in first:
            duplicate(ctx.sink, kind, item.name.value, first[item.name.value].name.span, item.name.span)
            continue
        first[item.name.value] = item
        ctx.index.definitions[(kind, f"{scope}.{item.name.value}")] = item.name.span
    return list(first.values())


def check_journey(ctx: _Ctx, decl: ast.JourneyDecl) -> model.Journey | None:
    _check_name(ctx, decl.name, "journey")
    stages = {s.name.value: s for s in _declared_once(ctx, _items(decl, ast.StageDecl), "stage", decl.name.value)}
    if not stages and id(decl) not in ctx.decls.damaged:
        ctx.sink.error("TD309", f"journey `{decl.name.value}` has no stages", decl.name.span,
                       help=['add e.g. `stage support "Getting help"`'])
    note, tags = _notes_and_tags(ctx, decl)
    return model.Journey(id=decl.name.value, title=_title(ctx, decl.title, "journey"),
                         stages=[model.Stage(id=k, title=v.title.value) for k, v in stages.items()],
                         note=note, tags=tags, location=ctx.loc(decl.name.span))


# ---- defaults -------------------------------------------------------------------------------

_CHARTER_KEYS = ("language", "title", "intro")


def check_defaults(ctx: _Ctx) -> model.Defaults:
    seen: dict[str, ast.Window | ast.CharterSetting] = {}
    window = model.Defaults().window
    charter: dict[str, str] = {}
    for decl in ctx.decls.defaults:
        for item in decl.items:
            key = "window" if isinstance(item, ast.Window) else f"charter {item.key.value}"
            if key in seen:
                ctx.sink.error("TD305", f"`{key}` is set more than once in `defaults`", item.span,
                               help=["a project has one value for each default; keep one"],
                               related=[Related(seen[key].span, "first set here")])
                continue
            seen[key] = item
            if isinstance(item, ast.Window):
                window = _positive(ctx, item.duration, "the default window") or window
                continue
            if item.key.value not in _CHARTER_KEYS:
                ctx.sink.error("TD307", f"unknown charter setting `{item.key.value}`", item.key.span,
                               help=_close(item.key.value, _CHARTER_KEYS) + [
                                   "charter settings are language, title and intro"])
                continue
            if item.key.value == "language" and item.value.value not in ("he", "en"):
                ctx.sink.error("TD307", f"charter language \"{item.value.value}\" is not supported",
                               item.value.span, help=['use "he" (Hebrew) or "en" (English)'])
                continue
            if not item.value.value.strip():
                ctx.sink.error("TD310", f"`charter {item.key.value}` is empty", item.value.span,
                               help=[f"write the {item.key.value}, or leave the setting out"])
                continue
            charter[item.key.value] = item.value.value
    return model.Defaults(window=window, charter=model.CharterSettings(**charter))


# ---- touchpoints ------------------------------------------------------------------------------


def _event(ctx: _Ctx, tp: str, steps: dict[str, int], ev: ast.EventRef) -> tuple[int, int] | None:
    """Check an event against the touchpoint's steps; returns its position in step order."""
    _check_name(ctx, ev.moment, "moment")
    if ev.step.value not in steps:
        ctx.sink.error("TD206", f"unknown step `{ev.step.value}` in event `{ev}`", ev.step.span,
                       help=suggest(ev.step.value, steps, "step") if steps else [
                           f'steps belong to their touchpoint, and `{tp}` has none: add `step {ev.step.value} "…"`'])
        return None
    ctx.index.ref("step", f"{tp}.{ev.step.value}", ev.step.span)
    return (steps[ev.step.value], _MOMENT_RANK.get(ev.moment.value, 1))


def _model_event(ev: ast.EventRef) -> model.Event:
    return model.Event(step=ev.step.value, moment=ev.moment.value)


def check_touchpoint(ctx: _Ctx, decl: ast.TouchpointDecl, defaults: model.Defaults) -> model.Touchpoint | None:
    tp = decl.name.value
    _check_name(ctx, decl.name, "touchpoint")
    title = _title(ctx, decl.title, "touchpoint")
    damaged = id(decl) in ctx.decls.damaged
    # Diagnostics are only ever appended: what this touchpoint added starts here
    # (counting every error of the project per touchpoint was quadratic).
    first_new = len(ctx.sink.items)

    # owner: exactly one
    owners = _items(decl, ast.OwnerRef)
    if not owners and not damaged:
        ctx.sink.error("TD301", f"touchpoint `{tp}` has no owner", decl.name.span,
                       help=["add `owner UNIT`: the one unit accountable for this touchpoint"] +
                       ([f"declared owners: {', '.join(sorted(ctx.decls.owners)[:8])}"] if ctx.decls.owners else []))
    for extra in owners[1:]:
        ctx.sink.error("TD302", f"touchpoint `{tp}` has more than one owner", extra.span,
                       help=["exactly one unit is accountable; other units take part with `step ... by UNIT`"],
                       related=[Related(owners[0].span, "first owner here")])
    owner = owners[0].owner.value if owners else None
    if owners:
        _owner_ref(ctx, owners[0].owner, "as the touchpoint's owner")
    for extra in owners[1:]:
        _owner_ref(ctx, extra.owner, "as the touchpoint's owner")

    # expectation
    expectation = _single(ctx, _items(decl, ast.Expectation), "expectation")
    if expectation is None and not damaged:
        ctx.sink.error("TD303", f"touchpoint `{tp}` has no expectation", decl.name.span,
                       help=['add `expectation "…"`: what the customer expects, in their words'])
    elif expectation is not None and not expectation.text.value.strip():
        ctx.sink.error("TD310", "the expectation is empty", expectation.text.span,
                       help=["write what the customer expects, in their words"])

    # journey and stage
    journey = stage = None
    ref = _single(ctx, _items(decl, ast.JourneyRef), "journey")
    if ref is not None:
        j = ctx.decls.journeys.get(ref.journey.value)
        if j is None:
            ctx.sink.error("TD204", f"unknown journey `{ref.journey.value}`", ref.journey.span,
                           help=suggest(ref.journey.value, ctx.decls.journeys, "journey"))
        else:
            journey = j.name.value
            ctx.index.ref("journey", journey, ref.journey.span)
            if ref.stage is not None:
                names = [s.name.value for s in _items(j, ast.StageDecl)]
                if ref.stage.value not in names:
                    ctx.sink.error("TD205", f"journey `{journey}` has no stage `{ref.stage.value}`",
                                   ref.stage.span, help=suggest(ref.stage.value, names, "stage"))
                else:
                    stage = ref.stage.value
                    ctx.index.ref("stage", f"{journey}.{stage}", ref.stage.span)

    # channels
    channels: list[str] = []
    chan = _single(ctx, _items(decl, ast.Channels), "channels")
    if chan is not None:
        for c in chan.channels:
            if _channel(ctx, c) and c.value not in channels:
                channels.append(c.value)

    # steps
    steps: dict[str, int] = {}
    step_models: list[model.Step] = []
    for s in _declared_once(ctx, _items(decl, ast.StepDecl), "step", tp):
        steps[s.name.value] = len(steps)
        for extra in s.by[1:]:
            ctx.sink.error("TD305", "`by` is written more than once in this step", extra.span,
                           help=["a step is performed by one unit"])
        for extra in s.via[1:]:
            ctx.sink.error("TD305", "`via` is written more than once in this step", extra.span,
                           help=["a step uses one channel"])
        by = s.by[0].value if s.by else owner
        if s.by:
            _owner_ref(ctx, s.by[0], "performing this step")
        via = s.via[0].value if s.via and _channel(ctx, s.via[0]) else None
        if by is not None:
            step_models.append(model.Step(id=s.name.value, title=s.title.value, by=by, by_written=bool(s.by),
                                          via=via, location=ctx.loc(s.name.span)))

    # metrics
    metrics: list = []
    for m in _declared_once(ctx, _items(decl, ast.MetricDecl), "metric", tp):
        built = check_metric(ctx, tp, m, steps, defaults, damaged)
        if built is not None:
            metrics.append(built)
    if not _items(decl, ast.MetricDecl) and not damaged:
        ctx.sink.warning("TD902", f"touchpoint `{tp}` has no metrics; it promises nothing", decl.name.span,
                         help=["add a `metric` with a `promise` the charter can publish"])

    # updates
    updates = None
    up = _single(ctx, _items(decl, ast.UpdatesLine), "updates")
    if up is not None:
        every = _positive(ctx, up.every, "the update interval")
        via_ok = _channel(ctx, up.via)
        until_ok = up.until is None or _event(ctx, tp, steps, up.until) is not None
        if every and via_ok and until_ok:
            updates = model.Updates(every=every, via=up.via.value,
                                    until=_model_event(up.until) if up.until else None)

    # escalation
    escalations: list[model.Escalation] = []
    for line in _items(decl, ast.EscalateLine):
        to = line.to.value
        if to == "manager":
            o = ctx.decls.owners.get(owner or "")
            if o is not None and not _items(o, ast.ManagerLine):
                ctx.sink.error("TD308", f"`escalate to manager`, but owner `{owner}` has no manager", line.to.span,
                               help=[f'add `manager "Name" <name@example.com>` to owner `{owner}`'],
                               related=[Related(o.name.span, f"owner `{owner}` is declared here")])
        elif to not in ctx.decls.owners:
            ctx.sink.error("TD308", f"cannot escalate to `{to}`: it is neither `manager` nor a declared owner",
                           line.to.span, help=suggest(to, list(ctx.decls.owners) + ["manager"]))
        else:
            ctx.index.ref("owner", to, line.to.span)
        for cond in line.on:
            if cond.value not in ("breach", "risk"):
                ctx.sink.error("TD308", f"unknown escalation condition `{cond.value}`", cond.span,
                               help=_close(cond.value, ("breach", "risk")) + [
                                   "escalate `on breach` (objective missed) or `on risk` (budget burning)"])
                continue
            e = model.Escalation(to=to, on=cond.value)
            if e not in escalations:
                escalations.append(e)

    note, tags = _notes_and_tags(ctx, decl)
    new_errors = any(d.is_error for d in ctx.sink.items[first_new:])
    if new_errors or owner is None or expectation is None or damaged:
        return None
    return model.Touchpoint(
        id=tp, title=title, journey=journey, stage=stage, owner=owner,
        expectation=expectation.text.value, channels=channels, steps=step_models, metrics=metrics,
        updates=updates, escalations=escalations, note=note, tags=tags, location=ctx.loc(decl.name.span),
    )


# ---- metrics ----------------------------------------------------------------------------------

_FORMS = {
    ast.TimeMeasure: ("time", ("within",), "`P% within DURATION`, e.g. `promise 80% within 30s`"),
    ast.RatioMeasure: ("ratio", ("at_most", "at_least"), "`at most P%` or `at least P%`"),
    ast.ScoreMeasure: ("score", ("average_at_least", "share_at_least"),
                       "`average at least N` or `P% at least N`"),
    ast.NpsMeasure: ("nps", ("at_least",), "`at least N`, N from -100 to 100"),
    ast.CountMeasure: ("count", ("at_most",), "`at most N`"),
}


def _objective(ctx: _Ctx, kind: str, measure, line: ast.ObjectiveLine):
    """Validate one objective against its metric kind; returns the model objective or None."""
    o = line.objective
    _, forms, words = _FORMS[type(measure)]
    if o.form not in forms:
        ctx.sink.error("TD409", f"a {kind} metric cannot have this objective", o.span,
                       help=[f"a {kind} metric takes {words}"])
        return None
    ok = True
    if o.percent is not None and not 0 <= o.percent.value <= 100:
        ctx.sink.error("TD402", f"{o.percent.text} is not a percentage between 0% and 100%", o.percent.span)
        ok = False
    if kind == "ratio" and o.percent is None:
        ctx.sink.error("TD409", "a ratio objective is a percentage", o.number.span,
                       help=[f"write `{o.number.text}%`"])
        return None
    if kind in ("nps", "count") and o.percent is not None:
        ctx.sink.error("TD409", f"a {kind} objective is a number, not a percentage", o.percent.span,
                       help=[f"write `{o.percent.text[:-1]}`"])
        return None
    if kind == "score":
        low, high = measure.low.value, measure.high.value
        if low < high and not low <= o.number.value <= high:
            ctx.sink.error("TD403", f"{o.number.text} is outside the scale {measure.low.text}..{measure.high.text}",
                           o.number.span, help=[f"score objectives lie between {measure.low.text} and {measure.high.text}"])
            ok = False
    if kind == "nps" and not -100 <= o.number.value <= 100:
        ctx.sink.error("TD404", f"NPS {o.number.text} is outside -100..100", o.number.span)
        ok = False
    if kind == "count" and o.number.value < 0:
        ctx.sink.error("TD310", f"a count limit cannot be negative ({o.number.text})", o.number.span)
        ok = False
    if o.form == "within":
        within = _positive(ctx, o.within, "the time threshold")
        if within is None:
            return None
        return model.WithinObjective(percent=o.percent.value, within=within) if ok else None
    if not ok:
        return None
    if o.form in ("at_most", "at_least"):
        value = o.percent.value if o.percent is not None else o.number.value
        return model.BoundObjective(form=o.form, value=value, percent=o.percent is not None)
    if o.form == "average_at_least":
        return model.AverageObjective(value=o.number.value)
    return model.ShareObjective(percent=o.percent.value, value=o.number.value)


def _looser(promise, target) -> str | None:
    """Why `target` is looser than `promise`, or None when it is at least as strict."""
    if promise.form != target.form:
        return "it uses another form than the promise"
    if promise.form == "within":
        if target.percent < promise.percent:
            return f"it covers fewer cases ({target.percent:g}% < {promise.percent:g}%)"
        if target.within.seconds > promise.within.seconds:
            return f"it allows more time ({target.within.text} > {promise.within.text})"
        return None
    if promise.form == "at_most":
        return f"its limit is higher ({target.value:g} > {promise.value:g})" if target.value > promise.value else None
    if promise.form in ("at_least", "average_at_least"):
        return f"it asks for less ({target.value:g} < {promise.value:g})" if target.value < promise.value else None
    if target.percent < promise.percent or target.value < promise.value:
        return "it asks for a smaller share or a lower score"
    return None


def check_metric(ctx: _Ctx, tp: str, decl: ast.MetricDecl, steps: dict[str, int], defaults: model.Defaults,
                 damaged: bool):
    name = decl.name.value
    title = _title(ctx, decl.title, "metric")
    measures = [i for i in decl.items if isinstance(i, ast.MEASURES)]
    if not measures:
        if not damaged:
            ctx.sink.error("TD407", f"metric `{name}` measures nothing", decl.name.span,
                           help=["add one of: `time from A to B`, `ratio X of Y`, `score 1..5`, `nps`, "
                                 "`count X per 7d`"])
        return None
    for extra in measures[1:]:
        ctx.sink.error("TD407", f"metric `{name}` measures more than one thing", extra.span,
                       help=["split it into two metrics"], related=[Related(measures[0].span, "first measure here")])
    measure = measures[0]
    kind = _FORMS[type(measure)][0]
    ok = True
    fields: dict = {}
    if isinstance(measure, ast.TimeMeasure):
        a = _event(ctx, tp, steps, measure.start)
        b = _event(ctx, tp, steps, measure.end)
        if a is not None and b is not None and (a > b or str(measure.start) == str(measure.end)):
            ctx.sink.error("TD401", f"`{measure.start}` does not come before `{measure.end}`", measure.start.span,
                           help=["steps are ordered as written; measure from the earlier event to the later one"],
                           related=[Related(measure.end.span, "the end event")])
            ok = False
        ok = ok and a is not None and b is not None
        calendar = None
        if measure.calendar is not None:
            if measure.calendar.value not in ctx.decls.calendars:
                ctx.sink.error("TD203", f"unknown calendar `{measure.calendar.value}`", measure.calendar.span,
                               help=suggest(measure.calendar.value, ctx.decls.calendars, "calendar"))
                ok = False
            else:
                calendar = measure.calendar.value
                ctx.index.ref("calendar", calendar, measure.calendar.span)
        fields = dict(start=_model_event(measure.start), end=_model_event(measure.end), calendar=calendar)
    elif isinstance(measure, ast.RatioMeasure):
        _check_name(ctx, measure.numerator, "population")
        _check_name(ctx, measure.denominator, "population")
        fields = dict(numerator=measure.numerator.value, denominator=measure.denominator.value)
    elif isinstance(measure, ast.ScoreMeasure):
        if measure.low.value >= measure.high.value:
            ctx.sink.error("TD403", f"the scale {measure.low.text}..{measure.high.text} is empty", measure.low.span,
                           help=["write the low end first: `score 1..5`"])
            ok = False
        fields = dict(low=measure.low.value, high=measure.high.value)
    elif isinstance(measure, ast.CountMeasure):
        _check_name(ctx, measure.event, "counted event")
        per = _positive(ctx, measure.per, "the counting period")
        ok = ok and per is not None
        fields = dict(event=measure.event.value, per=per)

    promises = [i for i in decl.items if isinstance(i, ast.ObjectiveLine) and i.role == "promise"]
    targets = [i for i in decl.items if isinstance(i, ast.ObjectiveLine) and i.role == "target"]
    promise_line = _single(ctx, promises, "promise")
    target_line = _single(ctx, targets, "target")
    if promise_line is None and not damaged:
        ctx.sink.error("TD408", f"metric `{name}` has no promise", decl.name.span,
                       help=["add `promise …`: what the charter tells customers"])
    promise = _objective(ctx, kind, measure, promise_line) if promise_line else None
    target = _objective(ctx, kind, measure, target_line) if target_line else None
    if promise is not None and target is not None:
        why = _looser(promise, target)
        if why:
            code_help = (["promise and target use the same form"] if "form" in why else
                         ["the internal target must be at least as strict as the published promise"])
            ctx.sink.error("TD405", f"the target is looser than the promise: {why}", target_line.objective.span,
                           help=code_help, related=[Related(promise_line.objective.span, "the promise")])
            ok = False

    window_line = _single(ctx, _items(decl, ast.Window), "window")
    window = defaults.window
    if window_line is not None:
        window = _positive(ctx, window_line.duration, "the window")
        ok = ok and window is not None

    source = None
    blocks = _items(decl, ast.SourceBlock)
    src = _single(ctx, blocks, "source")
    if src is not None:
        source = _source(ctx, src)
        ok = ok and source is not None

    note, tags = _notes_and_tags(ctx, decl)
    if not ok or promise is None or (target_line is not None and target is None):
        return None
    cls = {"time": model.TimeMetric, "ratio": model.RatioMetric, "score": model.ScoreMetric,
           "nps": model.NpsMetric, "count": model.CountMetric}[kind]
    return cls(id=name, title=title, promise=promise, target=target or promise,
               target_written=target is not None, window=window, source=source, note=note, tags=tags,
               location=ctx.loc(decl.name.span), **fields)


def _source(ctx: _Ctx, src: ast.SourceBlock) -> model.PrometheusSource | None:
    if src.system.value != "prometheus":
        ctx.sink.error("TD410", f"unknown source `{src.system.value}`", src.system.span,
                       help=["the only source is `prometheus`"])
        return None
    queries: dict[str, ast.SourceQuery] = {}
    ok = True
    for q in src.queries:
        if q.key.value not in ("good", "total"):
            ctx.sink.error("TD410", f"unknown query `{q.key.value}` in the source", q.key.span,
                           help=_close(q.key.value, ("good", "total")) + ["a source has `good` and `total`"])
            ok = False
        elif q.key.value in queries:
            ctx.sink.error("TD305", f"`{q.key.value}` is written more than once here", q.span,
                           related=[Related(queries[q.key.value].span, "first written here")])
            ok = False
        elif not q.query.value.strip():
            ctx.sink.error("TD410", f"the `{q.key.value}` query is empty", q.query.span)
            ok = False
        else:
            queries[q.key.value] = q
    for missing in ("good", "total"):
        if missing not in queries and ok:
            ctx.sink.error("TD410", f"the source has no `{missing}` query", src.system.span,
                           help=[f'add `{missing} "…"` with a PromQL query; {{{{window}}}} stands for the window'])
            ok = False
    if not ok:
        return None
    return model.PrometheusSource(good=queries["good"].query.value, total=queries["total"].query.value)


# ---- the whole project ------------------------------------------------------------------------


def check(files: dict[str, ast.File], relative: dict[str, str], sink: DiagnosticSink):
    """Resolve and check a parsed project; returns (Project or None, SymbolIndex)."""
    decls, index = collect(files, sink)
    ctx = _Ctx(sink, decls, index, relative)
    defaults = check_defaults(ctx)
    calendars = {k: check_calendar(ctx, d) for k, d in decls.calendars.items()}
    owners = {k: check_owner(ctx, d) for k, d in decls.owners.items()}
    journeys = {k: check_journey(ctx, d) for k, d in decls.journeys.items()}
    touchpoints = {k: check_touchpoint(ctx, d, defaults) for k, d in decls.touchpoints.items()}

    used = {(r.kind, r.name) for r in index.references}
    for kind, table in (("calendar", decls.calendars), ("journey", decls.journeys)):
        for name, decl in table.items():
            if (kind, name) not in used:
                sink.warning("TD903", f"{kind} `{name}` is declared but no touchpoint uses it", decl.name.span,
                             help=["remove it, or refer to it from a touchpoint"])
    if sink.has_errors:
        return None, index
    project = model.Project(
        files=sorted(set(relative.values())),
        defaults=defaults,
        calendars=calendars,
        owners=owners,
        journeys=journeys,
        touchpoints=touchpoints,
    )
    return project, index
