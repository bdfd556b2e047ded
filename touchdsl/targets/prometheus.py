"""The `prometheus` target: recording rules and burn-rate alerts per metric.

`DIR/prometheus/<journey>.rules.yml` (touchpoints without a journey go to
`<owner>.rules.yml`) holds one rule group per metric: the indicator recorded
over every alerting window and the metric's own window, the meta rules
(objective, error budget, budget remaining) and the alerts on the internal
target. `DIR/prometheus/CONTRACT.md` tells producers which series to emit.

User text reaches the rules only as YAML strings in annotations, escaped for
Prometheus' Go templates; label values are identifiers. Every expression is
built from the model's numbers and the instrumentation contract, never from
titles, so a hostile title cannot change a rule.

The plan itself lives in `touchdsl.slo.rules`, shared with the tests, grafana
and openslo targets.
"""

from __future__ import annotations

from touchdsl.documents.escape import dump_yaml, go_template_literal, md_code, md_text
from touchdsl.model import Project, business_calendar
from touchdsl.options import BuildOptions
from touchdsl.slo.contract import CLOCK_API, metric_contract, number
from touchdsl.slo.rules import Group, groups, objective_words, rules_file_name


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
every metric. Every series carries the labels `touchpoint` and `metric` with the
values below; the rules add `owner` and `journey`. Queries are per-second rates
over `{{window}}`, which the rules replace by each window they record (5m, 30m,
1h, 2h, 6h, 1d, 3d and the metric's own window).

## Conventions

- **Time metrics** observe one value per finished case into the histogram
  `touch_duration_seconds` (seconds). Declare exactly the bucket boundaries listed:
  they include every threshold (promise and target), and the rules read the bucket
  at the target. Both ways clients write `le` (`20` by Go clients, `20.0` by the
  Python client and Prometheus 3) are read. A case that never finishes is never
  observed: close abandoned cases with an observation above the promise.
- **Business-hours metrics** (`on CALENDAR`) observe elapsed *business* time by
  the calendar's clock: `touchdsl.clock.business_elapsed(start, end, calendar)`
  (timezone-aware, weekly hours, public holidays and closed dates), in seconds.
- **Ratios** count cases with the counter `touch_events_total`, one series per
  population (`event` label): the whole population, and the cases of the share,
  each of which is also counted in the whole.
- **Scores and NPS** count answers with `touch_answers_total`, one series per
  answered value (`value` label, the whole number answered).
- **Counts** count each event with `touch_events_total{event=...}`.
- **`source prometheus { good … total … }`** replaces the default series by the
  metric's own queries; `{{window}}` is replaced as plain text and nothing else
  in them is interpreted. Each query is wrapped in `sum(...)`, so it must return
  one series or series meant to be added up. `good` is read as: the events that
  meet the objective (time, ratio, `P% at least N` scores), the sum of the
  answers' values (`average at least N`), promoters minus detractors (NPS); a
  count reads only `total`, the events counted.

## No traffic

An indicator is recorded only when its window saw events (`total > 0`): a window
without traffic has no value, never `NaN` and never a made-up 0% or 100%. A burn
alert fires when the long window burns faster than allowed **unless** the short
window shows the burning has stopped; a short window without events does not
count as recovery, so a quiet night does not silence a real breach, and an alert
stops once traffic comes back healthy. Score, NPS and count alerts judge only
windows with answers or events. Thresholds above an error ratio of 1 (loose targets
over long windows) become "every event failed" rather than an alert that never
fires.

## Alerts

| alert | severity | fires when |
|---|---|---|
| `TouchErrorBudgetFastBurn` | page | 2% of the error budget burns within 1h (confirmed over 5m) or 5% within 6h (30m) |
| `TouchErrorBudgetSlowBurn` | ticket | 10% of the error budget burns within 1d (2h) or within 3d (6h) |
| `TouchScoreBelowTarget` | page | the average answer over the metric's window is below the target |
| `TouchScoreAtRisk` | ticket | the average answer over the last day is below the target |
| `TouchNpsBelowTarget` | page | the NPS over the metric's window is below the target |
| `TouchNpsAtRisk` | ticket | the NPS over the last day is below the target |
| `TouchCountAboveLimit` | page | more events in the last period than the target allows |
| `TouchCountAtRisk` | ticket | the rate of the last day would exceed the limit per period |

Burn-rate factors follow each metric's own window: `budget share x window / long
window` (for 28d: 13.44, 5.6, 2.8, 0.933). Long windows longer than the metric's
window are left out.
"""


def contract_markdown(project: Project, options: BuildOptions) -> str:
    lines = [CONTRACT_INTRO]
    for touchpoint in project.touchpoints.values():
        if not touchpoint.metrics:
            continue
        lines.append(f"## {md_text(touchpoint.title)} ({md_code(touchpoint.id)})\n")
        lines.append(f"Owner: {md_code(touchpoint.owner)}. Rules: "
                     f"{md_code(rules_file_name(touchpoint) + '.rules.yml')}.\n")
        for metric in touchpoint.metrics:
            contract = metric_contract(project, touchpoint, metric)
            lines.append(f"### {md_text(metric.title)} ({md_code(touchpoint.id + '/' + metric.id)})\n")
            lines.append(f"- Target: {md_text(objective_words(metric, metric.target), line_start=False)} over "
                         f"{metric.window.text}; promise: {md_text(objective_words(metric, metric.promise), line_start=False)}.")
            calendar_id = business_calendar(metric)
            if calendar_id is not None:
                calendar = project.calendars[calendar_id]
                lines.append(f"- Clock: business time by calendar {md_code(calendar.id)} "
                             f"({md_text(calendar.timezone, line_start=False)}): observe {md_code(CLOCK_API)} with that "
                             f"calendar, in seconds.")
            if contract.overridden:
                lines.append("- Overridden by `source prometheus`: the producers' own series are read.")
            lines.append("")
            if contract.series:
                lines.append("| series | type | labels | buckets (le, seconds) |")
                lines.append("|---|---|---|---|")
                for series in contract.series:
                    labels = ",".join(f'{k}="{v}"' for k, v in series.labels.items())
                    bounds = ", ".join(number(b) for b in series.buckets)
                    lines.append(f"| {md_code(series.name)} | {series.type} | {md_code('{' + labels + '}')} "
                                 f"| {bounds} |")
                lines.append("")
            for note in contract.notes:
                lines.append(f"{md_text(note)}\n")
            lines.append("Queries:\n")
            for key, query in contract.queries.items():
                lines.append(f"- {key}: {md_code(query)}")
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
