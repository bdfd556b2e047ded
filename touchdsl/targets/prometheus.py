"""The `prometheus` target: recording rules and burn-rate alerts per metric.

`DIR/prometheus/<journey>.rules.yml` (touchpoints without a journey go to
`<owner>.rules.yml`) holds one rule group per metric (and per touchpoint's
`updates`): the whole events of each counter and the indicators of both tiers
over their windows, the meta rules (objectives, error budgets, budget
remaining) and the alerts of both tiers -- the promise's page, the target's
tickets. `DIR/prometheus/CONTRACT.md` tells producers which series to emit.

User text reaches the rules only as YAML strings in annotations, escaped for
Prometheus' Go templates; label values are identifiers. Every expression is
built from the model's numbers and the instrumentation contract, never from
titles, so a hostile title cannot change a rule.

The plan itself lives in `touchdsl.slo.rules`, shared with the tests, grafana
and openslo targets.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

from touchdsl.documents.escape import dump_yaml, go_template_literal, md_code, md_text
from touchdsl.model import Project, metric_key
from touchdsl.options import BuildOptions
from touchdsl.slo import naming, tiers
from touchdsl.slo.contract import Series, metric_contract, number, updates_series
from touchdsl.slo.rules import Group, groups, objective_words, rules_file_name, time_to_alert


def render(project: Project, options: BuildOptions) -> dict[str, bytes]:
    files: dict[str, list[Group]] = {}
    for rules in groups(project, options):
        files.setdefault(rules.file, []).append(rules)
    out = {f"prometheus/{stem}.rules.yml": rules_file(chosen) for stem, chosen in files.items()}
    out["prometheus/CONTRACT.md"] = contract_markdown(project, options).encode("utf-8")
    return dict(sorted(out.items()))


def rules_file(chosen: list[Group]) -> bytes:
    out = []
    for rules in chosen:
        items = []
        for recording in rules.recordings:
            items.append({"record": recording.record, "expr": recording.expr, "labels": dict(recording.labels)})
        for alert in rules.alerts:
            items.append({
                "alert": alert.name,
                "expr": alert.expr,
                "labels": dict(alert.labels),
                "annotations": {k: go_template_literal(v) for k, v in alert.annotations.items()},
            })
        out.append({"name": rules.group, "rules": items})
    return dump_yaml({"groups": out})


CONTRACT_INTRO = """\
# Instrumentation contract

What the teams producing events must emit so the rules in this folder can judge
every metric -- or let `touchdsl serve PROJECT --events LOG` emit it from the event
log, computed by touchdsl. Every series carries the labels `touchpoint` and
`metric` (and `segment`, `objective`, `event`, `value` or `le` where listed) with
the values below; the rules add `owner` and `journey`.

**Initialise every series at 0 when the producer starts**, for every label set
listed (every bucket, both objectives, every answer value): a counter that first
appears with its first event is counted too (the rules take all of a series that
did not exist before a window as counted within it), but only an initialised
series tells Prometheus that a producer is there and counting nothing.

## Conventions

- **Time metrics** observe one value per finished case into the histogram
  `touch_duration_seconds` (seconds). Declare exactly the bucket boundaries listed:
  they include both limits (promise and target), and the rules read the buckets
  at each limit. Both ways clients write `le` (`20` by Go clients, `20.0` by the
  Python client and Prometheus 3) are read. Count each case once in
  `touch_late_cases_total{objective="promise"|"target"}` **the moment** its time
  passes that limit, while it is still open: a case that is never finished is a
  failed case from its deadline on, not invisible. (Where that counter is not
  emitted, the rules count late cases from the histogram when they finish.)
  Report the open cases at every scrape: `touch_open_cases`, and of them those
  already past each limit, `touch_overdue_cases{objective=...}`. An internal
  metric (a target, no promise) has only the `objective="target"` series.
- **Business-hours metrics** (`on CALENDAR`) observe elapsed *business* time by
  the calendar's clock (timezone-aware; weekly, eve and per-date hours, public
  holidays and closed dates), in seconds; **business-day metrics** (`within 5
  business days`) observe business days into `touch_business_days` (the closings
  of business days passed while the clock ran: 0 on the day a case started);
  metrics with **pauses** observe time outside the pauses. The metric's clock
  gives the value: `touchdsl.clock.clock_for(project, touchpoint, metric).observed(start, end, pauses)`,
  and the moment a limit passes (when a case becomes late, or overdue while open):
  `.deadline(start, pauses, objective)`.
- **Classes of case**: a metric judged per class reads series that carry the
  case's class in the label `segment`, one set per class.
- **Ratios** count cases with the counter `touch_events_total`, one series per
  population (`event` label): the whole population, and the cases of the share,
  each of which is also counted in the whole. A share that was never counted is
  no case at all: zero for `at most`, total failure for `at least`.
- **Scores and NPS** count answers with `touch_answers_total`, one series per
  answered value (`value` label, the whole number answered).
- **Counts** count each event with `touch_events_total{event=...}`.
- **Updates** (`updates every N`): report at every scrape the open cases whose last
  update (or opening) is older than N, `touch_update_overdue_cases{touchpoint=...}`.
- **`source prometheus { good … total … }`** replaces the default series by the
  metric's own queries (per-second rates over `{{window}}`, replaced as plain
  text; nothing else in them is interpreted). Each query is wrapped in `sum(...)`,
  so it must return one series or series meant to be added up. `good` is read as:
  the events that meet the target (time, ratio, `P% at least N` scores), the sum
  of the answers' values (`average at least N`), promoters minus detractors (NPS);
  `promise_good`, when written, the events that meet the promise; a count reads
  only `total`. Events are estimated as rate x window.

## Whole events

The rules count how much each counter grew over a window **exactly**, in whole
events: its value now minus its last value before the window (looked for up to a
day back: `last_over_time(...[lookback] offset window)`). A series without a value
before the window counts all of its value. Only a counter reset (a producer
restarted) falls back on Prometheus' `increase()`, rounded to whole events. So a
count exactly at its limit is the limit, and a share exactly at its objective is
the objective: `rate()`'s extrapolation (10.0007 for ten events) never pages.
Prometheus must keep each metric's window plus a day of data.

## Two tiers

Every objective is watched twice, and the `objective` label says which:

- **The promise** (`objective="promise"`, what customers were told) **pages**
  (`severity="page"`): `TouchPromiseBurn` when customers are failed fast enough to
  break it (multiwindow, multi-burn-rate: 2% of its error budget within 1h,
  confirmed over 5m, or 5% within 6h, confirmed over 30m -- the "fast burn"),
  `TouchPromiseBroken` when it is already broken over its window (a count's
  period), `TouchCasesPastPromise` when the minimum number of open cases are past
  its deadline, `TouchUpdatesOverdue` when as many cases wait too long for an
  update. `escalate to manager on breach` adds the manager to these.
- **The target** (`objective="target"`, the internal objective) **tickets**
  (`severity="ticket"`): `TouchTargetBurn` (10% of its budget within 1d,
  confirmed over 2h, or within 3d, over 6h -- the "slow burn"),
  `TouchTargetMissed` (missed over its window, when the target differs from the
  promise), `TouchTargetAtRisk` (a score's, NPS's or count's last day),
  `TouchCasesPastTarget` (open cases past the target, not yet the promise).

Burn factors follow each metric's window (`budget share x window / long window`:
for 28d 13.44, 5.6, 2.8, 0.933), and a factor below 1 is taken as 1, so nothing
fires at exactly the objective; a threshold above an error ratio of 1 becomes
"every event failed". Long windows longer than the metric's window are left out.

## Small numbers and no traffic

An alert that judges a share, an average or a pace waits for **at least N events
in its window** (N is `defaults { alerts need N events }`, 10 unless set); with
fewer, even total failure is silent. A handful of open cases past the promise, or
waiting for an update, is a ticket; N of them are a page. So one late call at
night pages no one, and sparse traffic raises a ticket from the longer windows
rather than pages that come and go.

A burn alert needs both windows burning: once the short window is healthy again
-- or has no events at all -- the alert resets at once. The promise broken over
its window is the alert that stays while it is broken. An indicator is recorded
only when its window saw events: a window without traffic has no share, never
`NaN` and never a made-up 0% or 100%.

## Alerts

| alert | objective | severity | fires when |
|---|---|---|---|
| `TouchPromiseBurn` | promise | page | 2% of the promise's budget burns within 1h (confirmed over 5m) or 5% within 6h (30m), with N events in the long window |
| `TouchPromiseBroken` | promise | page | the promise is missed over the metric's window (a count's period: more events than promised), with N events |
| `TouchCasesPastPromise` | promise | page / ticket | N / at least one open cases past the promise's limit |
| `TouchUpdatesOverdue` | promise | page / ticket | N / at least one open cases waiting longer than `updates every` |
| `TouchTargetBurn` | target | ticket | 10% of the target's budget burns within 1d (2h) or 3d (6h), with N events |
| `TouchTargetMissed` | target | ticket | the target is missed over the metric's window (when it differs from the promise) |
| `TouchTargetAtRisk` | target | ticket | the last day's average, NPS or pace of a count is off the target, with N events |
| `TouchCasesPastTarget` | target | ticket | open cases past the target's limit and not yet the promise's |

Recorded series: `touch:counter_events:count<w>{counter=...}` (whole events of each
counter), `touch:events:count<w>` (events decided against each objective, answers,
events counted), `touch:sli_error:ratio_rate<w>{objective=...}` (share of bad
events), `touch:answers:count<w>{value=...}`, `touch:score_average:rate<w>`,
`touch:nps:rate<w>`, `touch:count_per_period:rate<w>`, the meta rules
`touch:objective:ratio`, `touch:promise:ratio`, `touch:error_budget:ratio{objective}`,
`touch:error_budget_remaining:ratio{objective}`, `touch:objective:value`,
`touch:promise:value`, and `touch:open_cases:count`, `touch:overdue_cases:count{objective}`,
`touch:updates_overdue:count`.
"""


def _minutes(seconds: Fraction) -> str:
    """A time to alert in words: `40 min`, `1 h`, `6 h`."""
    minutes = math.ceil(seconds / 60)
    return f"{minutes // 60} h" if minutes % 60 == 0 else f"{minutes} min"


def contract_markdown(project: Project, options: BuildOptions) -> str:
    from touchdsl.documents.wording import Words

    words = Words("en")
    minimum = project.defaults.alert_minimum
    lines = [CONTRACT_INTRO, f"This project: alerts need **{minimum} events** (`defaults {{ alerts need N events }}`).\n"]
    for touchpoint in project.touchpoints.values():
        if not touchpoint.metrics and touchpoint.updates is None:
            continue
        lines.append(f"## {md_text(touchpoint.title)} ({md_code(touchpoint.id)})\n")
        lines.append(f"Owner: {md_code(touchpoint.owner)}. Rules: "
                     f"{md_code(rules_file_name(touchpoint) + '.rules.yml')}.\n")
        for metric in touchpoint.metrics:
            contract = metric_contract(project, touchpoint, metric)
            lines.append(f"### {md_text(metric.title)} ({md_code(touchpoint.id + '/' + metric_key(metric))})\n")
            if metric.promise is not None:
                lines.append(f"- Promise (pages): {md_text(objective_words(metric, metric.promise), line_start=False)}; "
                             f"target (tickets): {md_text(objective_words(metric, metric.target), line_start=False)}; "
                             f"over {metric.window.text}.")
            else:
                lines.append(f"- Internal metric, no promise (nothing pages); target (tickets): "
                             f"{md_text(objective_words(metric, metric.target), line_start=False)}; "
                             f"over {metric.window.text}.")
            for tier in tiers.tiers_of(metric):
                seconds = time_to_alert(metric, tier)
                if seconds is not None and tier == "promise":
                    lines.append(f"- When every case fails after healthy traffic, the promise's page fires after "
                                 f"about {_minutes(seconds)} (and {minimum} events in that window).")
            if contract.clock is not None and contract.observe is not None:
                lines.append(f"- Clock: {md_text(contract.clock, line_start=False)}: observe "
                             f"{md_code(contract.observe)}.")
            if contract.overridden:
                lines.append("- Overridden by `source prometheus`: the producers' own series are read.")
            lines.append("")
            if contract.series:
                lines += _series_table([(s, words.series_meaning(project, metric, s.name, s.labels).markdown(False))
                                        for s in contract.series])
            for note in [] if contract.overridden else words.contract_notes(metric):
                lines.append(f"{note.markdown(False)}\n")
            lines.append("Read as:\n")
            for key, query in contract.queries.items():
                meaning = words.query_meaning(key, contract.kind).markdown(False)
                lines.append(f"- {key} ({meaning}): {md_code(query)}")
            lines.append("")
        if touchpoint.updates is not None:
            lines.append(f"### Updates ({md_code(touchpoint.id + '/' + naming.UPDATES_METRIC)})\n")
            lines.append(f"- Promise (pages from {minimum} cases, a ticket from one): an update at least every "
                         f"{touchpoint.updates.every.text} while a case is open.\n")
            meaning = words.updates_series_meaning(touchpoint.updates).markdown(False)
            lines += _series_table([(s, meaning) for s in updates_series(touchpoint)])
    return "\n".join(lines).rstrip("\n") + "\n"


def _series_table(series: Sequence[tuple[Series, str]]) -> list[str]:
    """Series with their meaning (Markdown, escaped by the wording)."""
    lines = ["| series | type | labels | buckets (le) | meaning |", "|---|---|---|---|---|"]
    for one, meaning in series:
        labels = ",".join(f'{k}="{v}"' for k, v in one.labels.items())
        bounds = ", ".join(number(b) for b in one.buckets)
        cell = meaning.replace("|", "\\|")
        lines.append(f"| {md_code(one.name)} | {one.type} | {md_code('{' + labels + '}')} | {bounds} | {cell} |")
    return lines + [""]
