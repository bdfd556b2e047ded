"""On random small event logs, the SQL measurement of every kind gives the figures of
the pure-Python reference (tests/measure_reference.py), period by period."""

from __future__ import annotations

import csv
import datetime as dt
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import touchdsl
from touchdsl.measure import measure
from touchdsl.measure.calendar_table import epoch_us, from_epoch_us
from touchdsl.measure.periods import Span, periods
from touchdsl.model import NpsMetric, RatioMetric, ScoreMetric, ShareObjective, TimeMetric, limit_size

from tests.measure_reference import Reference, Row

UTC = dt.timezone.utc
IL = ZoneInfo("Asia/Jerusalem")

PROJECT = """
calendar office "Office" {
    timezone "Asia/Jerusalem"
    hours sun-thu 08:00-18:00
    hours fri 08:00-13:00
    hours eve 08:00-12:00
    hours 2026-09-16 09:00-10:30
    holidays "IL"
}
owner ops "Ops" { notify email "ops@example.com" }
journey j "J" { stage s "S" }
touchpoint t "T" {
    journey j.s
    owner ops
    expectation "Fast."
    class gold "Gold"
    class basic "Basic"
    step a "A"
    step b "B"
    step c "C"
    metric fast "Fast" {
        time from a.start to a.answered
        promise 80% within 2h
        target 90% within 1h
        window 7d
    }
    metric office "Office" {
        time from a.start to b.end on office
        promise 75% within 10h
        target 90% within 5h
        window 7d
    }
    metric lost "Lost" {
        ratio lost of offered
        promise at most 20%
        target at most 10%
        window 7d
    }
    metric solved "Solved" {
        ratio solved of offered
        promise at least 50%
        window 7d
    }
    metric csat "CSAT" {
        score 1..5
        promise average at least 3.5
        target average at least 4
        window 7d
    }
    metric effort "Effort" {
        score 1..7
        promise 60% at least 5
        target 70% at least 6
        window 7d
    }
    metric nps "NPS" {
        nps
        promise at least 0
        target at least 20
        window 7d
    }
    metric complaints "Complaints" {
        count complaint per 1d
        promise at most 4
        target at most 2
        window 7d
    }
    metric days "Days" {
        time from a.start to b.end on office
        promise 75% within 2 business days
        target 90% within 1 business day
        promise 80% within 1 business day for gold
        pause while b
        window 7d
    }
    metric waited "Waited" {
        time from a.start to c.end
        promise 75% within 3h
        target 90% within 90m
        pause from a.hold to a.resume
        window 7d
    }
    metric rated "Rated" {
        score 1..5
        promise average at least 3
        promise average at least 4 for gold
        window 7d
    }
    metric calls "Calls" {
        count call per 1d
        target at most 3
        window 7d
    }
    updates every 3h via sms until c.end
}
"""

EVENTS = ["a.start", "a.answered", "b.start", "b.end", "c.end", "offered", "lost", "solved", "csat", "effort", "nps",
          "complaint", "update", "a.strat", "a.hold", "a.resume", "rated", "call"]
BASE = dt.datetime(2026, 9, 14, 6, 0, tzinfo=UTC)  # a week with Rosh Hashana eve and Yom Kippur next
AS_OF = BASE + dt.timedelta(days=6, hours=5, minutes=17)


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> touchdsl.Project:
    root = tmp_path_factory.mktemp("reference")
    (root / "p.touch").write_text(PROJECT, encoding="utf-8")
    return touchdsl.load([str(root)])


rows_strategy = st.lists(
    st.tuples(
        st.sampled_from(["k1", "k2", "k3", "k4", "k5", "k6", ""]),
        st.sampled_from(["t", "t", "t", "t", "x"]),
        st.sampled_from(EVENTS),
        st.one_of(st.none(), st.integers(min_value=-2 * 3600, max_value=8 * 86400)),
        st.sampled_from([None, 0.0, 1.0, 3.0, 4.0, 5.0, 6.0, 7.0, 9.0, 10.0, 2.5, 11.0, -1.0]),
        st.sampled_from(["gold", "gold", "basic", "basic", "", "platinum"]),
    ),
    min_size=0, max_size=60,
)


def _write(path: Path, rows: list[Row]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["case", "touchpoint", "event", "at", "value", "segment"])
        for r in rows:
            at = r.at.isoformat() if r.at is not None else "not a time"
            writer.writerow([r.case or "", r.touchpoint, r.event, at, "" if r.value is None else r.value,
                             r.segment or ""])


def _limits(metric: TimeMetric) -> tuple[dt.timedelta, tuple[float, float]]:
    """The promise's limit as the SQL counts it (business days × 1 000 000 µs) and the
    objectives' percents; an internal metric's promise is its target."""
    promise = metric.promise or metric.target
    return (dt.timedelta(microseconds=round(limit_size(promise.within) * 1_000_000)),
            (promise.percent, metric.target.percent))


def _us(x: float | None) -> int | None:
    return None if x is None else round(x * 1_000_000)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=rows_strategy, every=st.sampled_from([None, "week"]))
def test_sql_agrees_with_the_reference(compiled, tmp_path, raw, every):
    rows = [Row(case or None, tp, event, None if offset is None else BASE + dt.timedelta(seconds=offset, microseconds=offset % 7),
                value, segment or None) for case, tp, event, offset, value, segment in raw]
    path = tmp_path / "events.csv"
    _write(path, rows)
    result = measure(compiled, str(path), as_of=AS_OF, every=every, last="7d")
    ref = Reference(compiled, rows, AS_OF)
    tp = compiled.touchpoints["t"]
    by_id = {(r.metric, r.segment): r for r in result.items}
    assert set(by_id) == {(m.id, m.segment) for m in tp.metrics} | {("updates", None)}
    zone = IL
    bounds = [(from_epoch_us(a), from_epoch_us(b))
              for a, b in periods(7 * 86400, epoch_us(AS_OF), Span(last_seconds=7 * 86400, every=every), zone)]
    for (metric_id, segment), item in by_id.items():
        metric = next((m for m in tp.metrics if m.id == metric_id and m.segment == segment), None)
        assert len(item.periods) == len(bounds)
        for period, span in zip(item.periods, bounds):
            p, t = period.promise, period.target
            if metric is not None and metric.promise is None:  # internal: judged against its target only
                assert p is None and item.status is None and not item.published
                p = t
            if metric is None or isinstance(metric, TimeMetric):
                cases = ref.update_cases(tp) if metric is None else ref.time_cases(tp, metric)
                if metric is None:
                    ref.for_item(dt.timedelta(seconds=tp.updates.every.seconds), (100.0, 100.0))
                else:
                    ref.for_item(*_limits(metric))
                want = ref.case_period(cases, span)
                got_bins = {k: b.cases for k, b in enumerate(period.distribution or []) if b.cases}
                assert got_bins == want["bins"], metric_id
                if metric is not None:
                    for which, reach in (("promise", period.promise_reach), ("target", period.target_reach)):
                        expected = want["reach"].get(which)
                        got_reach = None if reach is None else (_us(reach.seconds), reach.at_least)
                        assert got_reach == expected, (metric_id, which)
                assert (p.decided, p.good) == want["promise"], metric_id
                assert (t.decided, t.good) == want["target"], metric_id
                assert (period.open, period.overdue, period.finished) == (want["open"], want["overdue"], want["finished"])
                got = None if period.elapsed is None else tuple(_us(x) for x in (period.elapsed.p50, period.elapsed.p90, period.elapsed.p95))
                assert got == want["elapsed"], metric_id
                assert [(w.case, w.value) for w in period.worst] == [(c, round(v / 1e6, 4)) for c, v in want["worst"]]
                if metric is not None and metric.id == "days":
                    assert item.unit == "business_days"
            elif isinstance(metric, RatioMetric):
                want = ref.ratio_period(tp, metric, span)
                assert (p.decided, p.good) == (want["cases"], want["matching"])
                assert [w.case for w in period.worst] == want["worst"]
                if want["cases"]:
                    share = Fraction(100 * want["matching"], want["cases"])
                    limit = Fraction(repr(metric.promise.value))
                    kept = share <= limit if metric.promise.form == "at_most" else share >= limit
                    assert p.status == ("kept" if kept else "missed")
                else:
                    assert p.status == "no_data"
            elif isinstance(metric, (ScoreMetric, NpsMetric)):
                want = ref.answer_period(tp, metric, span)
                assert period.answers == want["answers"] == p.decided
                if isinstance(metric, NpsMetric):
                    assert (period.promoters, period.detractors) == (want["promoters"], want["detractors"])
                for verdict, objective, which in ((p, metric.promise or metric.target, "promise"),
                                                  (t, metric.target, "target")):
                    if not want["answers"]:
                        assert verdict.status == "no_data"
                    elif isinstance(objective, ShareObjective):
                        assert verdict.good == want[which]
                    else:
                        value = (Fraction(100 * (want["promoters"] - want["detractors"]), want["answers"])
                                 if isinstance(metric, NpsMetric) else want["total"] / want["answers"])
                        assert verdict.status == ("kept" if value >= Fraction(repr(objective.value)) else "missed")
                        assert verdict.value == round(float(value), 4)
                assert [(w.case, w.value) for w in period.worst] == want["worst"]
            else:
                want = ref.count_period(tp, metric, span)
                assert period.events == want["events"] == p.decided
                assert p.value == want["worst"]
                assert p.status == ("kept" if want["worst"] <= (metric.promise or metric.target).value else "missed")
        if metric is None or isinstance(metric, TimeMetric):
            overdue = ref.overdue_now(ref.update_cases(tp) if metric is None else ref.time_cases(tp, metric))
            assert item.overdue_now == len(overdue)
            assert [c.case for c in item.overdue_cases] == overdue[:50]
    # Bad data is counted, never dropped silently.
    problems = {pr.kind: pr.count for pr in result.data_quality.problems}
    assert problems.get("unreadable_timestamp", 0) == sum(1 for r in rows if r.at is None)
    assert problems.get("unknown_touchpoint", 0) == sum(1 for r in rows if r.touchpoint == "x")
    assert problems.get("unknown_event", 0) == sum(1 for r in rows if r.touchpoint == "t" and r.event == "a.strat")
    assert problems.get("after_as_of", 0) == sum(1 for r in rows if r.at is not None and r.at > AS_OF)
    assert result.data_quality.rows == len(rows)
    fast = next(m for m in tp.metrics if m.id == "fast")
    dup = {pr.kind: pr.per_item for pr in result.data_quality.problems}.get("duplicate_start", {})
    assert dup.get("t.fast", 0) == ref.duplicate_starts(tp, str(fast.start))
    # Classes: cases of the metric judged per class that name no class, an unknown one or two;
    # answers of the score judged per class without a class of the touchpoint.
    named = ref.classes_named(tp)
    started = {r.case for r in ref._of(tp, {"a.start"})}
    classes = {c.id for c in tp.classes}
    rated = [r for r in ref._of(tp, {"rated"})]
    assert problems.get("missing_segment", 0) == (
        sum(1 for case in started if not named.get(case)) + sum(1 for r in rated if r.segment is None))
    assert problems.get("conflicting_segment", 0) == sum(1 for case in started if len(named.get(case, ())) > 1)
    assert problems.get("unknown_segment", 0) == (
        sum(1 for case in started if len(named.get(case, ())) == 1 and not named[case] <= classes)
        + sum(1 for r in rated if r.segment is not None and r.segment not in classes))


# Cases that start and mostly end: the random rows above seldom finish a case, so the
# figures over finished and decided cases (distribution, reach, overdue) get their own.
cases_strategy = st.lists(
    st.tuples(
        st.integers(min_value=-3 * 86400, max_value=6 * 86400),  # start, from BASE
        st.one_of(st.none(), st.integers(min_value=0, max_value=40 * 3600)),  # time to a.answered
        st.one_of(st.none(), st.integers(min_value=0, max_value=60 * 3600)),  # time to b.end
        st.lists(st.integers(min_value=0, max_value=12 * 3600), max_size=3),  # updates after the start
    ),
    min_size=1, max_size=40,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cases=cases_strategy, every=st.sampled_from([None, "week"]))
def test_distribution_reach_and_overdue_agree_with_the_reference(compiled, tmp_path, cases, every):
    rows = []
    for k, (start, answered, ended, updates) in enumerate(cases):
        case = f"c{k:02d}"
        at = BASE + dt.timedelta(seconds=start)
        rows.append(Row(case, "t", "a.start", at, None))
        if answered is not None:
            rows.append(Row(case, "t", "a.answered", at + dt.timedelta(seconds=answered), None))
        if ended is not None:
            rows.append(Row(case, "t", "b.end", at + dt.timedelta(seconds=ended), None))
            rows.append(Row(case, "t", "c.end", at + dt.timedelta(seconds=ended), None))
        rows += [Row(case, "t", "update", at + dt.timedelta(seconds=u), None) for u in updates]
    path = tmp_path / "events.csv"
    _write(path, rows)
    result = measure(compiled, str(path), as_of=AS_OF, every=every, last="7d")
    ref = Reference(compiled, rows, AS_OF)
    tp = compiled.touchpoints["t"]
    bounds = [(from_epoch_us(a), from_epoch_us(b))
              for a, b in periods(7 * 86400, epoch_us(AS_OF), Span(last_seconds=7 * 86400, every=every), IL)]
    for item in result.items:
        metric = next((m for m in tp.metrics if m.id == item.metric and m.segment == item.segment), None)
        if item.kind not in ("time", "updates"):
            continue
        cases_ = ref.update_cases(tp) if metric is None else ref.time_cases(tp, metric)
        if metric is None:
            ref.for_item(dt.timedelta(seconds=tp.updates.every.seconds), (100.0, 100.0))
        else:
            ref.for_item(*_limits(metric))
        for period, span in zip(item.periods, bounds):
            want = ref.case_period(cases_, span)
            got_bins = {k: b.cases for k, b in enumerate(period.distribution or []) if b.cases}
            assert got_bins == want["bins"], item.metric
            assert sum(b.cases for b in period.distribution or []) == period.finished
            if metric is not None:
                for which, reach in (("promise", period.promise_reach), ("target", period.target_reach)):
                    got = None if reach is None else (_us(reach.seconds), reach.at_least)
                    assert got == want["reach"].get(which), (item.metric, which)
                    if reach is not None and not reach.at_least:
                        # the share is met exactly when it was done within the limit
                        verdict = (period.promise or period.target) if which == "promise" else period.target
                        limit = limit_size(((metric.promise or metric.target) if which == "promise"
                                            else metric.target).within)
                        assert (verdict.status == "kept") == (reach.seconds <= limit), (item.metric, which)
        overdue = ref.overdue_now(cases_)
        assert item.overdue_now == len(overdue)
        assert [c.case for c in item.overdue_cases] == overdue[:50]
