"""The report's page: what each part of `index.html` shows, read from the project and
its measurement, in the words of one language.

Everything a person reads is a phrase of the catalogues (`touchdsl.documents.wording`),
user text (`User`: titles, case ids, file names) or a number formatted by Babel; the
template escapes every one of them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from touchdsl.documents.wording import Code, Evidence, Phrase, User, Value, Words
from touchdsl.measure.report.charts import Bar, Chart, Point, Series, distribution, svg, trend
from touchdsl.measure.result import Bin, ItemResult, Measurement, Period, Rollup, Verdict
from touchdsl.model import (
    AverageObjective,
    BoundObjective,
    CountMetric,
    Metric,
    NpsMetric,
    Objective,
    Project,
    RatioMetric,
    ScoreMetric,
    ShareObjective,
    TimeMetric,
    Touchpoint,
    business_calendar,
    business_days,
    limit_size,
    objective_within,
    unknown_kind,
)

__all__ = ["Page", "page"]

OVERDUE_SHOWN = 20  # overdue cases listed per metric (the count says how many there are)


@dataclass(frozen=True)
class Status:
    key: str  # kept | missed | no_data: the CSS class
    words: str


@dataclass(frozen=True)
class OwnerRow:
    title: User
    id: Code
    promises: Value
    kept: Value
    missed: Value
    no_data: Value
    missed_items: list[tuple[str, User | Phrase]]  # (anchor, title)
    status: Status


@dataclass(frozen=True)
class PeriodRow:
    period: Phrase
    promise: Value | None
    promise_status: Status
    target: Value | None
    target_status: Status
    decided: Value
    open: Value | None
    overdue: Value | None


@dataclass(frozen=True)
class BinRow:
    range: Phrase
    cases: Value
    share: Value


@dataclass(frozen=True)
class OverdueRow:
    case: User
    since: Value
    elapsed: Phrase
    late_since: Value


@dataclass(frozen=True)
class ItemView:
    anchor: str
    title: User | Phrase
    touchpoint: User
    owner: User
    promise: Phrase
    target: Phrase | None  # None: the same as the promise
    status: Status
    target_status: Status
    latest: Phrase  # the last period's figure in a sentence
    reach: list[Phrase]
    trend: Chart | None
    trend_caption: Phrase
    periods: list[PeriodRow]
    distribution: Chart | None = None
    distribution_caption: Phrase | None = None
    bins: list[BinRow] = field(default_factory=list)
    overdue_sentence: Phrase | None = None  # None: not a kind with open cases
    overdue: list[OverdueRow] = field(default_factory=list)
    worst: list[User] = field(default_factory=list)


@dataclass(frozen=True)
class ExampleRow:
    where: User
    what: User


@dataclass(frozen=True)
class ProblemRow:
    kind: Code
    title: str
    description: User | None
    count: Value
    examples: list[ExampleRow]


@dataclass(frozen=True)
class Page:
    title: Phrase
    subtitle: User | None
    as_of: Value
    timezone: Value
    rows: Value
    sources: list[User]
    promises: dict[str, Value]
    targets: dict[str, Value]
    owners: list[OwnerRow]
    journeys: list[OwnerRow]
    items: list[ItemView]
    problems: list[ProblemRow]
    status: dict[str, str]  # status -> its word


def _status(evidence: Evidence, status: str) -> Status:
    return Status(status, evidence.status(status))


def _title(project: Project, words: Words, item: ItemResult) -> User | Phrase:
    """A metric's title; an updates promise's in words of the language."""
    tp = project.touchpoints.get(item.touchpoint)
    if item.kind == "updates" and tp is not None and tp.updates is not None:
        return words.phrase(words.gettext("Updates at least every %(every)s"), every=words.duration(tp.updates.every))
    if item.segment is not None:  # a metric judged per class: the class's title too
        found = next((c for c in tp.classes if c.id == item.segment), None) if tp is not None else None
        return words.phrase(words.gettext("%(title)s (%(class)s)"), title=User(item.title),
                            **{"class": User(found.title if found is not None else item.segment)})
    return User(item.title)


def _anchor(item: ItemResult) -> str:
    return f"m-{item.key.replace('.', '-')}"


def _rollup(evidence: Evidence, r: Rollup, anchors: dict[str, tuple[str, User | Phrase]]) -> OwnerRow:
    status = "missed" if r.missed else "kept" if r.kept else "no_data"
    return OwnerRow(title=User(r.title), id=Code(r.id), promises=evidence.count(r.promises),
                    kept=evidence.count(r.kept), missed=evidence.count(r.missed), no_data=evidence.count(r.no_data),
                    missed_items=[anchors[key] for key in r.missed_items if key in anchors],
                    status=_status(evidence, status))


# The unit a chart of durations is drawn in: (unit, seconds), by the promise's limit
# (business days, `bd`, for a metric that counts them: its figures are days).
def _unit(limit: float, business: bool, days: bool = False) -> tuple[str, float]:
    if days:
        return "bd", 1.0
    for unit, size, least in (("d", 86400.0, 3 * 86400.0), ("h", 3600.0, 2 * 3600.0), ("m", 60.0, 120.0)):
        if limit >= least and not (business and unit == "d"):
            return unit, size
    return "s", 1.0


class _Item:
    """One metric (or updates promise) of the report, with what it needs from the project."""

    def __init__(self, project: Project, words: Words, evidence: Evidence, item: ItemResult):
        self.words, self.evidence, self.item = words, evidence, item
        tp = project.touchpoints.get(item.touchpoint)
        self.touchpoint: Touchpoint | None = tp
        self.metric: Metric | None = None
        if tp is not None and item.kind != "updates":
            self.metric = next((m for m in tp.metrics if m.id == item.metric and m.segment == item.segment), None)
        self.known = tp is not None and (self.metric is not None or (item.kind == "updates" and tp.updates is not None))
        self.business = self.metric is not None and business_calendar(self.metric) is not None
        self.days = self.metric is not None and business_days(self.metric)
        self.title = _title(project, words, item)

    # objectives -------------------------------------------------------------
    def objective(self, role: str) -> Objective | None:
        """The promise or the target; an internal metric is reported against its target."""
        if self.metric is None:
            return None
        return (self.metric.promise or self.metric.target) if role == "promise" else self.metric.target

    @staticmethod
    def promised(period: Period) -> Verdict:
        """The verdict the report shows as the promise's: an internal metric's target."""
        return period.promise if period.promise is not None else period.target

    def objective_words(self, role: str, verdict: Verdict) -> Phrase:
        w = self.words
        if not self.known:  # measured from another version of the project: as measured
            return Phrase("%(text)s", {"text": User(verdict.objective)})
        if self.metric is None:
            assert self.touchpoint is not None and self.touchpoint.updates is not None
            return w.updates(self.touchpoint, self.touchpoint.updates)
        objective = self.objective(role)
        assert objective is not None
        return w.objective_short(self.metric, objective)

    def line(self, role: str) -> float | None:
        """Where the objective lies on the trend chart (in the unit of the figure)."""
        if self.item.kind == "updates":
            return 100.0
        objective = self.objective(role)
        match self.metric:
            case None:
                return None
            case TimeMetric():
                return objective_within(objective).percent if objective is not None else None
            case ScoreMetric():
                if isinstance(objective, ShareObjective):
                    return objective.percent
                return objective.value if isinstance(objective, (AverageObjective, BoundObjective)) else None
            case RatioMetric() | NpsMetric() | CountMetric():
                return objective.value if isinstance(objective, BoundObjective) else None
            case _:
                unknown_kind(self.metric)

    def limit(self, role: str) -> float | None:
        """The time limit of a time objective, or the updates' interval, in seconds."""
        if self.item.kind == "updates":
            if self.touchpoint is None or self.touchpoint.updates is None:
                return None
            return self.touchpoint.updates.every.seconds
        objective = self.objective(role)
        match self.metric:
            case TimeMetric():
                return limit_size(objective_within(objective).within) if objective is not None else None
            case None | RatioMetric() | ScoreMetric() | NpsMetric() | CountMetric():
                return None  # no time limit
            case _:
                unknown_kind(self.metric)

    def figure(self, role: str, value: float | None) -> Value | None:
        if value is None:
            return None
        return self.evidence.figure(self.metric, self.objective(role), value)

    # the trend ---------------------------------------------------------------
    def domain(self, values: list[float]) -> tuple[float, float]:
        lines = [v for v in (self.line("promise"), self.line("target")) if v is not None]
        every = values + lines or [0.0]
        low, high = min(every), max(every)
        promise = self.objective("promise")
        # a share that must stay low starts at 0; one that must be high reaches 100%
        low_share = (0.0, float(min(100, math.ceil(high * 1.25 + 1))))
        high_share = (float(max(0, math.floor(low - (100 - low) * 0.25 - 1))), 100.0)
        match self.metric:
            case CountMetric():
                return 0.0, float(math.ceil(high * 1.2 + 1))
            case NpsMetric():
                return max(-100.0, math.floor(low - 10)), min(100.0, math.ceil(high + 10))
            case ScoreMetric():
                return high_share if isinstance(promise, ShareObjective) else (self.metric.low, self.metric.high)
            case RatioMetric():
                return low_share if isinstance(promise, BoundObjective) and promise.form == "at_most" else high_share
            case None | TimeMetric():
                return high_share
            case _:
                unknown_kind(self.metric)

    def trend(self, labels: list[str]) -> tuple[Chart | None, Phrase]:
        w, item = self.words, self.item
        periods = item.periods
        promise_points = [Point(labels[k], self.promised(p).value, self.promised(p).status == "missed")
                          for k, p in enumerate(periods)]
        series = [Series(promise_points, target=False)]
        # The target is measured apart when it differs from the promise only: another
        # time limit (time), or another threshold (score `P% at least N`).
        apart = any(p.target.value != self.promised(p).value for p in periods)
        if apart:
            series.append(Series([Point(labels[k], p.target.value, p.target.status == "missed")
                                  for k, p in enumerate(periods)], target=True))
        values = [v for s in series for v in (p.value for p in s.points) if v is not None]
        promise, target = self.line("promise"), self.line("target")
        caption = w.phrase(w.gettext("Per period, %(what)s. The line is the promise, the dashed line the target; "
                                     "a red diamond marks a period that missed the promise."),
                           what=self.figure_name())
        if not values:
            return None, caption
        spec = trend(labels, series, promise, target if target != promise or apart else None, self.domain(values))
        description = w.phrase(w.gettext("%(title)s: %(what)s per period, against the promise and the target. "
                                         "The table below gives every figure."),
                               title=self.title, what=self.figure_name())
        return svg(spec, f"trend-{item.key.replace('.', '-')}", self.title.plain(),
                   description.plain()), caption

    def figure_name(self) -> Phrase:
        """What the trend shows, in words."""
        w = self.words
        match self.metric:
            case None:
                return w.phrase(w.gettext("the share of cases updated in time"))
            case TimeMetric():
                return w.phrase(w.gettext("the share of cases done within the limit"))
            case RatioMetric():
                return w.phrase(w.gettext("the share of cases"))
            case ScoreMetric():
                if isinstance(self.objective("promise"), ShareObjective):
                    return w.phrase(w.gettext("the share of answers at the objective or better"))
                return w.phrase(w.gettext("the average answer"))
            case NpsMetric():
                return w.phrase(w.gettext("the net promoter score"))
            case CountMetric():
                return w.phrase(w.gettext("the count in the busiest stretch of the limit's length"))
            case _:
                unknown_kind(self.metric)

    # the distribution ----------------------------------------------------------
    def distribution(self) -> tuple[Chart | None, Phrase | None, list[BinRow]]:
        w, ev, item = self.words, self.evidence, self.item
        totals: dict[tuple[float, float | None], int] = {}
        for period in item.periods:
            for b in period.distribution or []:
                totals[(b.low, b.high)] = totals.get((b.low, b.high), 0) + b.cases
        limit = self.limit("promise")
        if not totals or limit is None:
            return None, None, []
        unit, size = _unit(limit, self.business, self.days)
        bins = [Bin(low=low, high=high, cases=n) for (low, high), n in sorted(totals.items())]
        width = max((b.high - b.low for b in bins if b.high is not None), default=limit / 4)
        bars = [Bar(b.low / size, (b.high if b.high is not None else b.low + width) / size, b.cases) for b in bins]
        all_cases = sum(b.cases for b in bins)
        rows = []
        for b in bins:
            if not b.cases:  # an empty bin is drawn as such; the table lists the bins that hold cases
                continue
            if b.high is None:
                span = w.phrase(w.gettext("more than %(low)s"), low=ev.elapsed(b.low, self.business, self.days))
            elif b.low == 0:
                span = w.phrase(w.gettext("up to %(high)s"), high=ev.elapsed(b.high, self.business, self.days))
            else:
                span = w.phrase(w.gettext("%(low)s to %(high)s"), low=ev.elapsed(b.low, self.business, self.days),
                                high=ev.elapsed(b.high, self.business, self.days))
            rows.append(BinRow(span, ev.count(b.cases), ev.share(100 * b.cases / all_cases if all_cases else 0)))
        target = self.limit("target")
        spec = distribution(bars, limit / size, target / size if target is not None and target != limit else None)
        what = (w.gettext("the longest silence of each case") if item.kind == "updates"
                else w.gettext("the time each case took"))
        caption = w.phrase(w.gettext("Cases finished in the periods shown, by %(what)s (%(unit)s). The line marks "
                                     "the promise, the dashed line the target."),
                           what=Phrase(what.replace("%", "%%")), unit=_unit_name(w, unit, self.business))
        description = w.phrase(w.gettext("%(title)s: how many cases took how long, against the promise's and the "
                                         "target's limits. The table below gives every bin."),
                               title=self.title)
        return (svg(spec, f"dist-{item.key.replace('.', '-')}", self.title.plain(),
                 description.plain()),
                caption, rows)

    def reach(self, period: Period) -> list[Phrase]:
        """Within how long the promised (and the target's) share was done."""
        w, ev = self.words, self.evidence
        out = []
        for role, reach in (("promise", period.promise_reach), ("target", period.target_reach)):
            if reach is None or (role == "target" and period.target_reach == period.promise_reach):
                continue
            pattern = (w.gettext("%(share)s of the cases were done within at least %(time)s (some are still open).")
                       if reach.at_least else w.gettext("%(share)s of the cases were done within %(time)s."))
            out.append(w.phrase(pattern, share=ev.share(reach.percent), time=ev.elapsed(reach.seconds, self.business, self.days)))
        return out

    def overdue_sentence(self) -> Phrase | None:
        w, n = self.words, self.item.overdue_now
        if n is None:
            return None
        if n == 0:
            return w.phrase(w.gettext("No case is open past the promise."))
        shown = min(n, OVERDUE_SHOWN)
        pattern = w.ngettext("%(num)s case is open and past the promise.",
                             "%(num)s cases are open and past the promise.", n)
        if shown < n:
            pattern += " " + w.gettext("The %(shown)s longest overdue are listed.")
        return w.phrase(pattern, num=self.evidence.count(n), shown=self.evidence.count(shown))

    def view(self, owner: str, labels: list[str]) -> ItemView:
        w, ev, item = self.words, self.evidence, self.item
        # The figure to say in words: the last period with something decided in it.
        decided = [p for p in item.periods if self.promised(p).status != "no_data"]
        latest_period = decided[-1] if decided else item.periods[-1] if item.periods else None
        if latest_period is None:
            latest = w.phrase(w.gettext("No period in the range measured."))
        else:
            v = self.promised(latest_period)
            figure = self.figure("promise", v.value)
            if figure is None:
                latest = w.phrase(w.gettext("In %(period)s: nothing to measure."),
                                  period=ev.period(latest_period.start, latest_period.end))
            else:
                latest = w.phrase(w.gettext("In %(period)s: %(figure)s (%(margin)s against the promise), "
                                            "decided on %(num)s."),
                                  period=ev.period(latest_period.start, latest_period.end), figure=figure,
                                  margin=ev.margin(self.metric, self.objective("promise"), v.margin or 0.0),
                                  num=ev.count(v.decided))
        chart, caption = self.trend(labels)
        rows = []
        for k, p in enumerate(item.periods):
            rows.append(PeriodRow(
                period=w.phrase(w.gettext("%(start)s – %(end)s"), start=ev.moment(p.start), end=ev.moment(p.end)),
                promise=self.figure("promise", self.promised(p).value),
                promise_status=_status(ev, self.promised(p).status),
                target=self.figure("target", p.target.value), target_status=_status(ev, p.target.status),
                decided=ev.count(self.promised(p).decided),
                open=None if p.open is None else ev.count(p.open),
                overdue=None if p.overdue is None else ev.count(p.overdue)))
        target_words = None
        if self.metric is not None and self.metric.target != self.metric.promise:
            target_words = self.objective_words("target", item.periods[0].target if item.periods else _NO_VERDICT)
        dist_chart, dist_caption, bins = self.distribution()
        overdue = [OverdueRow(User(c.case), ev.moment(c.since), ev.elapsed(c.elapsed, self.business, self.days),
                              ev.moment(c.late_since)) for c in item.overdue_cases[:OVERDUE_SHOWN]]
        return ItemView(
            anchor=_anchor(item), title=self.title,
            touchpoint=User(self.touchpoint.title if self.touchpoint is not None else item.touchpoint),
            owner=User(owner),
            promise=self.objective_words("promise", self.promised(item.periods[0]) if item.periods else _NO_VERDICT),
            target=target_words, status=_status(ev, item.status or item.target_status),
            target_status=_status(ev, item.target_status),
            latest=latest, reach=self.reach(latest_period) if latest_period is not None else [],
            trend=chart, trend_caption=caption, periods=rows,
            distribution=dist_chart, distribution_caption=dist_caption, bins=bins,
            overdue_sentence=self.overdue_sentence(), overdue=overdue,
            worst=[User(c.case) for c in (latest_period.worst if latest_period is not None else [])],
        )


_NO_VERDICT = Verdict(objective="", status="no_data", value=None, margin=None, decided=0, good=None)


def _unit_name(w: Words, unit: str, business: bool) -> Phrase:
    if unit == "bd":
        return Phrase(w.gettext("business days").replace("%", "%%"))
    if business:
        names = {"h": w.gettext("business hours"), "m": w.gettext("business minutes"),
                 "s": w.gettext("business seconds")}
    else:
        names = {"d": w.gettext("days"), "h": w.gettext("hours"), "m": w.gettext("minutes"), "s": w.gettext("seconds")}
    return Phrase(names[unit].replace("%", "%%"))


def _problem_title(w: Words, kind: str) -> str:
    titles = {
        "unreadable_timestamp": w.gettext("Timestamps that cannot be read"),
        "timestamp_before_1970": w.gettext("Timestamps before 1970"),
        "after_as_of": w.gettext("Rows after the as-of moment"),
        "unknown_touchpoint": w.gettext("Unknown touchpoints"),
        "unknown_event": w.gettext("Unknown events"),
        "missing_case": w.gettext("Rows without a case"),
        "unreadable_value": w.gettext("Values that are not numbers"),
        "answer_outside_scale": w.gettext("Answers outside the scale"),
        "duplicate_start": w.gettext("Cases that started twice"),
        "end_before_start": w.gettext("Ends before the start"),
        "end_without_start": w.gettext("Ends without a start"),
        "numerator_without_denominator": w.gettext("Counted without the population event"),
    }
    return titles.get(kind, kind)


def page(project: Project, measurement: Measurement, lang: str) -> Page:
    words = Words(lang)
    ev = Evidence(words)
    owners = {o.id: o.title for o in measurement.owners}
    anchors = {i.key: (_anchor(i), _title(project, words, i)) for i in measurement.items}
    items = []
    for item in measurement.items:
        labels = [ev.short_day(p.start) for p in item.periods]
        if len(set(labels)) < len(labels):  # periods shorter than a day: show the time too
            labels = [ev.moment(p.start).text for p in item.periods]
        items.append(_Item(project, words, ev, item).view(owners.get(item.owner, item.owner), labels))
    problems = []
    for problem in measurement.data_quality.problems:
        examples = []
        for ex in problem.examples:
            where = ex.source or "?"
            if ex.row is not None:
                where += f":{ex.row}"
            what = " ".join(x for x in (ex.case, ex.touchpoint, ex.event, ex.at, ex.value) if x)
            examples.append(ExampleRow(User(where), User(what)))
        problems.append(ProblemRow(kind=Code(problem.kind), title=_problem_title(words, problem.kind),
                                   description=User(problem.description) if lang == "en" else None,
                                   count=ev.count(problem.count), examples=examples))
    settings = project.defaults.charter
    tally = {"kept": measurement.promises.kept, "missed": measurement.promises.missed,
             "no_data": measurement.promises.no_data}
    target_tally = {"kept": measurement.targets.kept, "missed": measurement.targets.missed,
                    "no_data": measurement.targets.no_data}
    return Page(
        title=words.phrase(words.gettext("Are we keeping our promises?")),
        subtitle=User(settings.title) if settings.title else None,
        as_of=ev.moment(measurement.as_of), timezone=Value(measurement.timezone),
        rows=ev.count(measurement.data_quality.rows), sources=[User(s) for s in measurement.sources],
        promises={k: ev.count(v) for k, v in tally.items()}, targets={k: ev.count(v) for k, v in target_tally.items()},
        owners=[_rollup(ev, r, anchors) for r in measurement.owners],
        journeys=[_rollup(ev, r, anchors) for r in measurement.journeys],
        items=items, problems=problems, status={k: ev.status(k) for k in ("kept", "missed", "no_data")},
    )
