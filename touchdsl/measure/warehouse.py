"""The measurement as objects of a warehouse: what `touchdsl build --target sql` writes.

The steps are the measure engine's (`touchdsl.measure.sql.steps`), unchanged; what
this module adds is what the engine otherwise does in Python, as SQL objects the
warehouse keeps:

- the model's small input tables (`touch_items`, `touch_roles`, `touch_slots`,
  `touch_classes`, `touch_vocabulary`) as views of literal rows;
- `touch_events`, the event log in the measurement's normalised form, as a view
  over the organisation's table with the event-log schema (`events` by default);
- `touch_run` (the "now": the latest event that is not in the future) and
  `touch_periods` (each metric's own window ending then), views a user may
  replace to measure another stretch;
- after the steps, the readable results: `touch_measurement` (one row per metric
  and period, with names, figures and the promise's and the target's status,
  judged exactly as `touchdsl.measure.judge` does, in integer arithmetic) and
  `touch_data_quality`.

`touch_calendar` is a table the user loads from the files the target writes (it
is the only input computed from the calendars); cases it does not cover are
counted per metric in `touch_measurement.outside_calendar`, never dropped
silently.

Everything is written in the generator's dialect and rendered per engine by
`touchdsl.measure.dialects`; nothing here knows an engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Literal, Sequence, assert_never

from touchdsl.measure import sql
from touchdsl.measure.plan import Item, case_columns, classes_of, item_row, items_of, roles_of, vocabulary_of
from touchdsl.measure.sources import COLUMNS as EVENT_COLUMNS
from touchdsl.model import (
    AverageObjective,
    BoundObjective,
    CountMetric,
    NpsMetric,
    Objective,
    Project,
    RatioMetric,
    ScoreMetric,
    ShareObjective,
    TimeMetric,
    WithinObjective,
    business_calendar,
    business_days,
)

__all__ = ["Statement", "Objects", "statements", "calendars_of", "EVENTS_DDL", "RESULT_VIEWS", "REPLACEABLE"]

Objects = Literal["view", "table"]


@dataclass(frozen=True)
class Statement:
    """One object to create: `CREATE {kind} {name} AS {select}`."""

    name: str
    kind: Objects
    select: str
    role: str  # input | step | result: for the README and the file's comments


# Views a user may replace (with the same columns) to measure another stretch.
REPLACEABLE = ("touch_run", "touch_periods")
RESULT_VIEWS = ("touch_measurement", "touch_data_quality")

# The event-log table the organisation keeps (docs/measure.md, "The event log").
_EVENT_TYPES = {"case": "VARCHAR", "touchpoint": "VARCHAR", "event": "VARCHAR", "at": "TIMESTAMPTZ",
                "value": "DOUBLE", "channel": "VARCHAR", "segment": "VARCHAR"}
assert tuple(_EVENT_TYPES) == EVENT_COLUMNS
EVENTS_DDL = "CREATE TABLE events (" + ", ".join(f'"{c}" {t}' for c, t in _EVENT_TYPES.items()) + ")"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _value(value: object, type_: str) -> str:
    if value is None:
        return f"CAST(NULL AS {type_})"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, float):
        return f"CAST({value!r} AS DOUBLE)"
    return f"CAST({int(value)} AS {type_})"  # type: ignore[call-overload]


def _rows(name: str, rows: Sequence[Sequence[object]]) -> str:
    """A SELECT of literal rows with the columns and types of sql.INPUTS[name]."""
    columns = sql.INPUTS[name]
    if not rows:
        typed = ", ".join(f"CAST(NULL AS {t}) AS {c}" for c, t in columns)
        return f"SELECT {typed} FROM (SELECT 1 AS x) AS nothing WHERE 1 = 0"
    selects = [", ".join(f"{_value(v, t)} AS {c}" for v, (c, t) in zip(row, columns)) for row in rows]
    return "\nUNION ALL\n".join(f"SELECT {s}" for s in selects)


def calendars_of(items: Sequence[Item]) -> list[str]:
    """The calendars whose business time the measurement reads, sorted."""
    return sorted({c for item in items if item.metric is not None
                   for c in [business_calendar(item.metric)] if c is not None})


def _events(table: str, mapping: dict[str, str]) -> str:
    def column(name: str) -> str:
        return _quote(mapping.get(name, name))

    return f"""
SELECT CAST(0 AS INTEGER) AS src, CAST(NULL AS BIGINT) AS src_row,
  NULLIF(CAST({column('case')} AS VARCHAR), '') AS case_id,
  COALESCE(CAST({column('touchpoint')} AS VARCHAR), '') AS touchpoint,
  COALESCE(CAST({column('event')} AS VARCHAR), '') AS event,
  EPOCH_US({column('at')}) AS at_us, CAST(NULL AS VARCHAR) AS at_text,
  CAST({column('value')} AS DOUBLE) AS value, CAST(NULL AS VARCHAR) AS value_text,
  NULLIF(TRIM(CAST({column('segment')} AS VARCHAR)), '') AS segment, CAST({column('channel')} AS VARCHAR) AS channel
FROM {table}
"""


# The run's "now": the latest event that is not in the future (the wall clock
# when there is none), as `touchdsl measure` settles it without --as-of.
_RUN = """
SELECT COALESCE(MAX(CASE WHEN x.at_us <= x.now_us THEN x.at_us END), MAX(x.now_us)) AS as_of_us
FROM (
  SELECT e.at_us, w.now_us
  FROM touch_events AS e
  CROSS JOIN (SELECT EPOCH_US(CURRENT_TIMESTAMP) AS now_us) AS w
  WHERE e.at_us >= 0
  UNION ALL
  SELECT CAST(NULL AS BIGINT) AS at_us, EPOCH_US(CURRENT_TIMESTAMP) AS now_us
) AS x
"""


def _periods(items: Sequence[Item]) -> str:
    # Each metric's own window ending at the as-of moment, which it includes
    # (touchdsl.measure.periods: [as_of - window, as_of + 1)).
    if not items:
        return _rows("touch_periods", [])
    return "\nUNION ALL\n".join(
        f"SELECT CAST({n} AS INTEGER) AS item, CAST(0 AS INTEGER) AS period, "
        f"r.as_of_us - {round(item.window_seconds * 1_000_000)} AS from_us, r.as_of_us + 1 AS to_us "
        f"FROM touch_run AS r" for n, item in enumerate(items))


def _exact(value: float) -> Fraction:
    return Fraction(repr(float(value)))  # the objective as written, as judge reads it


def _share(good: str, decided: str, percent: float) -> tuple[str, str]:
    """Status and value of `at least percent% of decided are good`."""
    p = _exact(percent)
    status = (f"CASE WHEN {decided} = 0 THEN 'no_data' "
              f"WHEN 100 * {good} * {p.denominator} >= {p.numerator} * {decided} THEN 'kept' ELSE 'missed' END")
    return status, f"CASE WHEN {decided} > 0 THEN 100 * CAST({good} AS DOUBLE) / {decided} END"


def _verdict(item: Item, objective: Objective | None, which: str) -> tuple[str, str, str, str]:
    """(status, value, decided, good) of the promise or target of `item` in one row of
    touch_measurement's join (c: cases, r: ratios, a: answers, k: counts): the
    comparisons of `touchdsl.measure.judge`, exact in integers."""
    metric = item.metric
    match metric:
        case TimeMetric() | None:
            decided, good = f"COALESCE(c.{which}_decided, 0)", f"COALESCE(c.{which}_good, 0)"
            percent = 100.0 if metric is None else (
                objective.percent if isinstance(objective, WithinObjective) else 100.0)
            return (*_share(good, decided, percent), decided, good)
        case RatioMetric():
            assert isinstance(objective, BoundObjective)
            cases, matching = "COALESCE(r.cases, 0)", "COALESCE(r.matching, 0)"
            p = _exact(objective.value)
            compare = "<=" if objective.form == "at_most" else ">="
            status = (f"CASE WHEN {cases} = 0 THEN 'no_data' WHEN 100 * {matching} * {p.denominator} {compare} "
                      f"{p.numerator} * {cases} THEN 'kept' ELSE 'missed' END")
            return status, f"CASE WHEN {cases} > 0 THEN 100 * CAST({matching} AS DOUBLE) / {cases} END", cases, matching
        case ScoreMetric() | NpsMetric():
            answers = "COALESCE(a.answers, 0)"
            if isinstance(objective, ShareObjective):
                good = f"COALESCE(a.{which}_good, 0)"
                return (*_share(good, answers, objective.percent), answers, good)
            assert isinstance(objective, (AverageObjective, BoundObjective))
            p = _exact(objective.value)
            match metric:
                case NpsMetric():  # the net score: promoters less detractors, per hundred answers
                    net = "(COALESCE(a.promoters, 0) - COALESCE(a.detractors, 0))"
                    kept = f"100 * {net} * {p.denominator} >= {p.numerator} * {answers}"
                    value = f"100 * CAST({net} AS DOUBLE) / {answers}"
                case ScoreMetric():  # the average answer
                    kept = f"a.total * {p.denominator} >= {p.numerator} * {answers}"
                    value = f"a.total / {answers}"
            status = f"CASE WHEN {answers} = 0 THEN 'no_data' WHEN {kept} THEN 'kept' ELSE 'missed' END"
            return status, f"CASE WHEN {answers} > 0 THEN {value} END", answers, "CAST(NULL AS BIGINT)"
        case CountMetric():
            assert isinstance(objective, BoundObjective)
            worst = "COALESCE(k.worst, 0)"
            p = _exact(objective.value)
            status = f"CASE WHEN {worst} * {p.denominator} <= {p.numerator} THEN 'kept' ELSE 'missed' END"
            return status, f"CAST({worst} AS DOUBLE)", "COALESCE(k.total, 0)", "CAST(NULL AS BIGINT)"
        case _:
            assert_never(metric)


def _measurement(items: Sequence[Item]) -> str:
    """One row per item and period: names, the verdicts, the figures."""
    if not items:
        return ("SELECT CAST(NULL AS INTEGER) AS item, CAST(NULL AS VARCHAR) AS touchpoint "
                "FROM (SELECT 1 AS x) AS nothing WHERE 1 = 0")
    calendar_items = [n for n, item in enumerate(items) if item.metric is not None
                      and business_calendar(item.metric) is not None]
    branches = []
    for n, item in enumerate(items):
        metric = item.metric
        # An internal metric (no promise) is judged against its target only: its
        # promise columns are NULL, as measure.json reports no promise for it.
        published = metric is None or metric.promise is not None
        promise = (_verdict(item, metric.promise if metric is not None else None, "promise") if published
                   else ("CAST(NULL AS VARCHAR)", "CAST(NULL AS DOUBLE)", "CAST(NULL AS BIGINT)",
                         "CAST(NULL AS BIGINT)"))
        target = _verdict(item, metric.target if metric is not None else None, "target")
        calendar = business_calendar(metric) if metric is not None else None
        unit = None
        if item.kind in ("time", "updates"):  # what the elapsed figures count (ItemResult.unit)
            unit = "business_days" if metric is not None and business_days(metric) else "seconds"
        names = ", ".join(_value(v, "VARCHAR") + f" AS {c}" for c, v in (
            ("touchpoint", item.touchpoint.id), ("metric", item.id), ("segment", item.segment),
            ("kind", item.kind), ("owner", item.touchpoint.owner), ("journey", item.touchpoint.journey),
            ("calendar", calendar), ("unit", unit)))
        names += f", {'TRUE' if published else 'FALSE'} AS published"
        outside = "COALESCE(u.outside_calendar, 0)" if n in calendar_items else "CAST(0 AS BIGINT)"
        branches.append(f"""SELECT p.item, {names}, p.period, p.from_us AS period_from_us, p.to_us AS period_to_us,
  MAKE_TIMESTAMP(p.from_us) AS period_start, MAKE_TIMESTAMP(p.to_us) AS period_end,
  {promise[0]} AS promise_status, {promise[1]} AS promise_value,
  {promise[2]} AS promise_decided, {promise[3]} AS promise_good,
  {target[0]} AS target_status, {target[1]} AS target_value,
  {target[2]} AS target_decided, {target[3]} AS target_good,
  c.open_cases, c.overdue_cases, c.finished,
  CAST(q.p50_us AS DOUBLE) / 1000000 AS p50_seconds, CAST(q.p90_us AS DOUBLE) / 1000000 AS p90_seconds,
  CAST(q.p95_us AS DOUBLE) / 1000000 AS p95_seconds,
  a.answers, a.promoters, a.detractors, k.total AS events, k.worst AS worst_stretch_events,
  {outside} AS outside_calendar
FROM touch_periods AS p
LEFT JOIN touch_case_summary AS c ON c.item = p.item AND c.period = p.period
LEFT JOIN touch_percentiles AS q ON q.item = p.item AND q.period = p.period
LEFT JOIN touch_ratio_summary AS r ON r.item = p.item AND r.period = p.period
LEFT JOIN touch_answer_summary AS a ON a.item = p.item AND a.period = p.period
LEFT JOIN touch_count_summary AS k ON k.item = p.item AND k.period = p.period
LEFT JOIN touch_outside_calendar AS u ON u.item = p.item
WHERE p.item = {n}""")
    return "\nUNION ALL\n".join(branches)


def _outside_calendar(items: Sequence[Item]) -> str:
    # Cases of a metric on a calendar that the calendar table does not cover (their
    # start or stop, or the moment they become late, lies outside it): counted, so a
    # table that needs refreshing shows, instead of cases silently left out.
    numbers = [n for n, item in enumerate(items) if item.metric is not None
               and business_calendar(item.metric) is not None]
    if not numbers:
        return ("SELECT CAST(NULL AS INTEGER) AS item, CAST(NULL AS BIGINT) AS outside_calendar "
                "FROM (SELECT 1 AS x) AS nothing WHERE 1 = 0")
    listed = ", ".join(str(n) for n in numbers)
    return f"""
SELECT s.item, SUM(CASE WHEN d.case_id IS NULL OR d.promise_late_us IS NULL OR d.target_late_us IS NULL
                        THEN 1 ELSE 0 END) AS outside_calendar
FROM touch_spans AS s
LEFT JOIN touch_decisions AS d ON d.item = s.item AND d.case_id = s.case_id
WHERE s.item IN ({listed})
GROUP BY s.item
"""


_DATA_QUALITY = """
SELECT kind, COUNT(*) AS problems FROM touch_problem_rows GROUP BY kind
"""


def statements(project: Project, *, events_table: str = "events", mapping: dict[str, str] | None = None,
               objects: Objects = "view") -> list[Statement]:
    """Every object of the measurement of `project`, in the order to create them."""
    items = items_of(project)
    out = [
        Statement("touch_items", "view", _rows("touch_items", [item_row(n, item) for n, item in enumerate(items)]),
                  "input"),
        Statement("touch_roles", "view", _rows("touch_roles", roles_of(items)), "input"),
        Statement("touch_slots", "view", _rows("touch_slots", case_columns(items).rows()), "input"),
        Statement("touch_classes", "view", _rows("touch_classes", classes_of(project)), "input"),
        Statement("touch_vocabulary", "view", _rows("touch_vocabulary", vocabulary_of(project)), "input"),
        Statement("touch_events", "view", _events(events_table, mapping or {}).strip(), "input"),
        Statement("touch_run", "view", _RUN.strip(), "input"),
        Statement("touch_periods", "view", _periods(items), "input"),
    ]
    out += [Statement(step.name, objects, step.sql, "step") for step in sql.steps(items)]
    out += [
        Statement("touch_outside_calendar", objects, _outside_calendar(items).strip(), "result"),
        Statement("touch_measurement", objects, _measurement(items), "result"),
        Statement("touch_data_quality", objects, _DATA_QUALITY.strip(), "result"),
    ]
    return out
