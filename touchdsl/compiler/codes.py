"""The catalogue of diagnostic codes: the one place their meaning is written.

`touchdsl explain TD###` prints an entry; `docs/errors.md` is generated from
this module (`python -m touchdsl.compiler.codes > docs/errors.md`, checked by a test).
Codes are stable: never reuse a retired number.

Ranges: TD0xx reading and syntax, TD1xx files and imports, TD2xx names,
TD3xx touchpoints and owners, TD4xx metrics, TD5xx calendars, TD6xx evidence (the
history and measured figures: `check --history`, `build --measured`), TD9xx warnings.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Code:
    code: str
    title: str
    explanation: str
    wrong: str
    right: str
    warning: bool = False


_ALL = [
    # ---- reading and syntax ----------------------------------------------------------
    Code("TD001", "Syntax error",
         "The parser met something it did not expect at this place. The message lists what "
         "may come here, in words; the help often names the keyword you meant.",
         'touchpoint fault "Fault" {\n    ownr field_ops\n}',
         'touchpoint fault "Fault" {\n    owner field_ops\n}'),
    Code("TD002", "Unexpected character",
         "A character that cannot start anything here: a stray symbol, a letter outside "
         "a quoted text, or a text whose closing quote is missing.",
         'owner field_ops "Field Operations {\n}',
         'owner field_ops "Field Operations" {\n}'),
    Code("TD003", "Unknown escape in text",
         'Inside quoted text a backslash starts an escape: \\" \\\\ \\n \\t or \\u{05D0}. '
         "Any other letter after a backslash is an error, so that a typo does not silently "
         "change the published text.",
         'note "C:\\temp"',
         'note "C:\\\\temp"'),
    Code("TD004", "File ends too early",
         "The file ended inside a block or a statement, usually because a closing `}` is missing.",
         'owner billing "Billing" {\n    notify email "billing@example.com"\n',
         'owner billing "Billing" {\n    notify email "billing@example.com"\n}'),
    Code("TD005", "File cannot be read as text",
         "touch files are UTF-8 text. This file is binary (a NUL byte anywhere), uses another "
         "encoding, could not be read, or its name is not UTF-8 (file names appear in the "
         "outputs, which are UTF-8 text).",
         "(a file saved as Windows-1255, or an image renamed to .touch)",
         "(the same file saved as UTF-8)"),
    Code("TD006", "Invalid name",
         "Names are lowercase letters, digits and `_`, starting with a letter. They become "
         "Prometheus label values and file names, so they must be plain.",
         'owner Field_Ops "Field Operations" { }',
         'owner field_ops "Field Operations" { }'),
    # ---- files and imports -----------------------------------------------------------
    Code("TD101", "Import leaves the project root",
         "An import must name a file inside the project root (the directory given on the "
         "command line, or the folder of the file given). `..` and symbolic links that lead "
         "outside it are refused, so a project cannot read files it does not own.",
         'import "../../etc/owners.touch"',
         'import "shared/owners.touch"'),
    Code("TD102", "Imported file not found",
         "The imported path, relative to the importing file, does not exist or is not a file.",
         'import "owner.touch"',
         'import "owners.touch"'),
    Code("TD103", "Import path is not a file name",
         "The imported path holds something no file name can: a NUL or another control or "
         "invisible character (often pasted by accident), or a name longer than 255 bytes "
         "(the most a file system allows; the whole path at most 4096).",
         'import "owners\\u{200B}.touch"',
         'import "owners.touch"'),
    Code("TD106", "Import leads into another project",
         "A folder whose files declare `project \"…\"` is a project of its own: it is checked "
         "apart, with its own defaults and names. A file of another project cannot import one "
         "of its files; declare what both need in each project, or remove the inner `project` "
         "so that its folder becomes part of the outer project.",
         '# examples/main.touch, while examples/health/units.touch says `project "Good Health"`\n'
         'import "health/units.touch"',
         '# examples/health/units.touch\nproject "Good Health"\nowner clinics "Clinics" { … }'),
    # ---- names -------------------------------------------------------------------------
    Code("TD201", "Duplicate name",
         "Names are global per kind across the project: two owners (or calendars, journeys, "
         "touchpoints) with one name, or two steps or metrics with one name in a touchpoint, "
         "are ambiguous. Both places are shown.",
         'owner billing "Billing" { }\nowner billing "Billing and Accounts" { }',
         'owner billing "Billing and Accounts" { }'),
    Code("TD202", "Unknown owner",
         "`owner`, `by` and `escalate to` must name an owner declared somewhere in the project.",
         "owner feild_ops",
         "owner field_ops"),
    Code("TD203", "Unknown calendar",
         "`time ... on CALENDAR` must name a declared calendar.",
         "time from report.start to visit.start on il_ofice",
         "time from report.start to visit.start on il_office"),
    Code("TD204", "Unknown journey",
         "`journey JOURNEY.STAGE` must name a declared journey.",
         "journey home_internt.support",
         "journey home_internet.support"),
    Code("TD205", "Unknown stage",
         "The stage must be one of the journey's `stage` entries.",
         "journey home_internet.suport",
         "journey home_internet.support"),
    Code("TD206", "Unknown step in an event",
         "Events are `STEP.start`, `STEP.end` or `STEP.NAME` for a named moment inside a step; "
         "STEP must be a step of the same touchpoint.",
         "time from reprt.start to visit.start",
         "time from report.start to visit.start"),
    # ---- touchpoints, owners, journeys -----------------------------------------------------
    Code("TD301", "Touchpoint has no owner",
         "Every touchpoint has exactly one accountable owner: the unit answerable for the "
         "customer's satisfaction with the whole touchpoint, even when other units perform steps.",
         'touchpoint fault "Fault" {\n    expectation "Fixed"\n}',
         'touchpoint fault "Fault" {\n    owner field_ops\n    expectation "Fixed"\n}'),
    Code("TD302", "Touchpoint has more than one owner",
         "One owner is accountable; other units take part through the steps they perform "
         "(`step ... by UNIT`). Two owners means nobody is.",
         "owner field_ops\nowner service_center",
         'owner field_ops\nstep report "Report" by service_center'),
    Code("TD303", "Touchpoint has no expectation",
         "The expectation is what the customer expects, in the customer's words. The charter "
         "is built around it.",
         'touchpoint fault "Fault" {\n    owner field_ops\n}',
         'touchpoint fault "Fault" {\n    owner field_ops\n    expectation "My fault is fixed."\n}'),
    Code("TD304", "Unknown channel",
         "Channels are: phone chat email web app sms whatsapp store field mail social.",
         "channels phone, chatt",
         "channels phone, chat"),
    Code("TD305", "Statement written twice",
         "This statement may appear once in its block (e.g. `expectation`, `journey`, "
         "`updates`, `timezone`, `window`, a charter setting); the first one is shown too.",
         'expectation "Fixed"\nexpectation "Fixed fast"',
         'expectation "Fixed fast"'),
    Code("TD306", "Unknown receiver",
         "`notify` and `page` receivers are: email, slack, pagerduty, webhook, opsgenie.",
         'page pager "field-ops"',
         'page pagerduty "field-ops"'),
    Code("TD307", "Invalid setting",
         "A `defaults` setting is unknown or has a value it cannot take: `charter language` "
         "is \"he\" or \"en\"; charter settings are language, title, intro, version (texts in "
         "quotes) and effective (a date, written bare: `charter effective 2026-01-01`).",
         'charter language "fr"',
         'charter language "en"'),
    Code("TD308", "Invalid escalation",
         "`escalate to manager|OWNER on breach|risk`: the target is `manager` (the owner's "
         "manager, who must be declared) or another owner, and the condition is breach or risk.",
         "escalate to manager on late",
         "escalate to manager on breach"),
    Code("TD309", "Missing part of a declaration",
         "A declaration lacks something it needs: a calendar needs a timezone and hours, a "
         "journey at least one stage, an owner a manager with a name and an email address.",
         'calendar office "Office" {\n    hours sun-thu 08:00-18:00\n}',
         'calendar office "Office" {\n    timezone "Asia/Jerusalem"\n    hours sun-thu 08:00-18:00\n}'),
    Code("TD310", "Invalid value",
         "A value has the right shape but cannot be used: an email address without `@`, a "
         "webhook that is not an http(s) URL, an empty title or charter setting, a negative "
         "count limit, or a duration finer than a whole millisecond (monitoring cannot "
         "measure `0.1ms`).",
         'manager "Dana Levi" <dana.levi>',
         'manager "Dana Levi" <dana.levi@example.com>'),
    Code("TD314", "Hidden character in an address",
         "An e-mail address, a webhook URL or a receiver's key holds a character that is not "
         "seen: a zero-width space, a bidirectional control (which reorders how the text is "
         "shown), a control character. The address then differs from what every reader of the "
         "file sees, and alerts go elsewhere. Retype it.",
         'notify email "field-ops\\u{200B}@example.com"',
         'notify email "field-ops@example.com"'),
    Code("TD315", "Webhook URL with a user part",
         "In `https://good.example.com@evil.example/` everything before the `@` is a user "
         "name; the alert goes to `evil.example`. Such a URL is refused: write the host "
         "right after `//`, and keep credentials for the receiver in Alertmanager's "
         "`http_config`, not in a file everyone reads.",
         'notify webhook "https://hooks.example.com@relay.example.net/alerts"',
         'notify webhook "https://hooks.example.com/alerts"'),
    Code("TD319", "Contact is not a phone number",
         "The charter prints a `contact phone` (or `sms`, `whatsapp`) for customers to dial, so "
         "it must be a number the phone network knows: in international form, with the country "
         "code, and valid by libphonenumber's rules for that country (length, area and mobile "
         "prefixes). The charter prints it in international form and links it for dialling.",
         'project "Good Health" {\n    contact phone "03-555-010"\n}',
         'project "Good Health" {\n    contact phone "+972 3-555-0100"\n}'),
    Code("TD320", "Contact does not fit its channel",
         "Each channel takes one kind of contact: phone, sms and whatsapp a phone number (TD319); "
         "web, app, chat and social an http(s) address; email an e-mail address; store and mail a "
         "street or postal address in words. `field` takes none: there you come to the customer.",
         'project "Good Health" {\n    contact web "www.example.org"\n}',
         'project "Good Health" {\n    contact web "https://www.example.org/service"\n}'),
    Code("TD322", "Project declared twice",
         "A project has one `project \"…\"` declaration: it names the organisation and lists its "
         "contact points. Two in one project (in two of its files, or twice in one) would give the "
         "charter two names; keep one. A folder with its own `project` is a separate project.",
         'project "Good Health"\nproject "Good Health Clinics"',
         'project "Good Health"'),
    # ---- metrics -----------------------------------------------------------------------
    Code("TD401", "Events out of order",
         "In `time from A to B`, A must come before B in step order (steps are ordered as "
         "written; in a step, `start` comes first and `end` last).",
         "time from visit.start to report.start",
         "time from report.start to visit.start"),
    Code("TD402", "Percentage out of range",
         "Percentages are between 0% and 100%.",
         "promise 120% within 30s",
         "promise 80% within 30s"),
    Code("TD403", "Score outside the scale",
         "A score objective must lie on the metric's scale (`score 1..5` allows 1 to 5), and "
         "the scale's low end must be below its high end.",
         "score 1..5\npromise average at least 6",
         "score 1..5\npromise average at least 4.3"),
    Code("TD404", "NPS out of range",
         "Net promoter scores run from -100 to 100.",
         "nps\npromise at least 130",
         "nps\npromise at least 30"),
    Code("TD405", "Target looser than its promise",
         "The internal target must be at least as strict as the published promise (under-"
         "promise, over-deliver): a higher or equal share, a shorter or equal time, a lower or "
         "equal limit. A target equal to the promise is fine.",
         "promise 90% within 2d\ntarget 80% within 2d",
         "promise 90% within 2d\ntarget 95% within 1d"),
    Code("TD406", "Zero or negative duration",
         "Windows, thresholds, periods and update intervals must be longer than zero.",
         "window 0d",
         "window 28d"),
    Code("TD407", "Metric measures nothing or two things",
         "A metric has exactly one of: `time from A to B`, `ratio X of Y`, `score LO..HI`, "
         "`nps`, `count X per DURATION`.",
         'metric answer "Answered" {\n    promise 80% within 30s\n}',
         'metric answer "Answered" {\n    time from report.start to report.answered\n    promise 80% within 30s\n}'),
    Code("TD408", "Metric has neither promise nor target",
         "A metric needs an objective: a `promise`, which the charter publishes (the `target` "
         "defaults to it), or only a `target`, which makes an internal metric: in the policy and "
         "the monitoring, never in the charter. A metric judged per class needs one for every class.",
         'metric answer "Answered" {\n    time from report.start to report.answered\n}',
         'metric answer "Answered" {\n    time from report.start to report.answered\n    promise 80% within 30s\n}'),
    Code("TD409", "Objective does not fit the metric",
         "Each kind takes its own objectives: time `P% within D`; ratio `at most P%` or "
         "`at least P%`; score `average at least N` or `P% at least N`; nps `at least N`; "
         "count `at most N`. Promise and target use the same form.",
         "ratio abandoned of offered\npromise 5% within 30s",
         "ratio abandoned of offered\npromise at most 5%"),
    Code("TD410", "Invalid source",
         "`source prometheus { good \"…\" total \"…\" }` overrides the series a metric reads; "
         "both queries are required, `promise_good` (the events that meet the promise) may be added, "
         "and no other keys or systems are known.",
         'source prometheus {\n    good "sum(rate(x_good[{{window}}]))"\n}',
         'source prometheus {\n    good "sum(rate(x_good[{{window}}]))"\n    total "sum(rate(x_total[{{window}}]))"\n}'),
    Code("TD411", "Query is not PromQL the rules can load",
         "A `source prometheus` query is read by the Prometheus rules with `{{window}}` replaced "
         "by each window (5m, 1h, …, 28d) and the whole summed (`sum(QUERY)`). A query that is not "
         "PromQL, or that does not return an instant vector (a range `x[5m]`, a number, a text), "
         "would make the whole rules file unloadable, so it is refused here with the parser's words.",
         'source prometheus {\n    good "sum(rate(calls_good[{{window}}])"\n    total "sum(rate(calls_total[{{window}}]))"\n}',
         'source prometheus {\n    good "sum(rate(calls_good[{{window}}]))"\n    total "sum(rate(calls_total[{{window}}]))"\n}'),
    Code("TD420", "Alerts need a whole number of events",
         "`defaults { alerts need N events }` says how many cases, answers or counted events an alert "
         "needs in its window before it judges a share, an average or a pace (and how many open cases "
         "past a deadline make a page rather than a ticket). N is a whole number from 1 (alert on the "
         "very first event) to 1,000,000; without the line it is 10.",
         "defaults {\n    alerts need 2.5 events\n}",
         "defaults {\n    alerts need 20 events\n}"),
    Code("TD421", "Metric named like the updates promise",
         "A touchpoint's `updates every N` promise is watched (alerts, dashboards) and measured under "
         "the name `updates`, so a metric of the same touchpoint cannot take that name too.",
         'metric updates "Time to update" {\n    time from report.start to report.end\n    promise 80% within 1h\n}\n'
         'updates every 4h via sms',
         'metric update_time "Time to update" {\n    time from report.start to report.end\n    promise 80% within 1h\n}\n'
         'updates every 4h via sms'),
    Code("TD415", "Number beyond the supported range",
         "Every number has a limit far beyond what an organisation writes, so that no value "
         "overflows a target or makes it write a giant file: durations (thresholds, windows, "
         "counting periods, update intervals) at most 3650d; a count limit at most "
         "1,000,000,000,000 per period; a score scale within -1000..1000 with at most 101 "
         "whole answers (0..100); dates between 1970-01-01 and 2199-12-31. A value beyond "
         "is most likely a typo.",
         "score 1..10000000",
         "score 1..10"),
    Code("TD416", "Number more precise than supported",
         "Numbers and percentages have at most 6 digits after the point. More would be "
         "rounded on the way into the monitoring rules (`99.99999999999999999999%` becomes "
         "100%) and no longer mean what was written.",
         "promise 99.99999999999999999999% within 30s",
         "promise 99.9999% within 30s"),
    Code("TD425", "Business days without a business calendar",
         "`N business days` counts the days a calendar is open, so the metric must be measured on "
         "one: `time from A to B on CALENDAR`. For days of 24 hours on the wall clock, write `Nd`.",
         "time from receive.start to reply.end\npromise 90% within 5 business days",
         "time from receive.start to reply.end on office\npromise 90% within 5 business days"),
    Code("TD426", "Business days are not whole",
         "Business days (and weeks) are counted whole: a case is on time by the close of the Nth "
         "business day. For part of a day, use business hours (`4h` on the calendar).",
         "promise 90% within 1.5 business days",
         "promise 90% within 2 business days"),
    Code("TD427", "Limits in two units",
         "A metric's cases are measured in one unit, business days or time, and compared with "
         "every limit of the metric: its promise, its target and those of its classes. Write them "
         "all in business days, or all as durations.",
         "promise 90% within 5 business days\ntarget 95% within 36h",
         "promise 90% within 5 business days\ntarget 95% within 3 business days"),
    Code("TD428", "Pause on a metric without a clock",
         "`pause` stops the clock of a `time` metric while a case waits; ratios, scores, NPS and "
         "counts have no clock.",
         "ratio abandoned of offered\npromise at most 5%\npause while documents",
         "time from claim.start to decision.end on office\npromise 90% within 10 business days\n"
         "pause while documents"),
    Code("TD429", "Pause outside the measured time",
         "A pause stops the clock of a running case, so it lies between the metric's start and end "
         "events (in step order), and does not cover all of it (the clock would never run).",
         "time from claim.start to assess.end\npause while payment     # payment comes after assess",
         "time from claim.start to assess.end\npause while documents   # a step between them"),
    Code("TD430", "Unknown class",
         "`promise … for CLASS` names a class of case that the touchpoint declares with "
         "`class NAME \"Title\"`.",
         'class dangerous "Dangerous pothole"\n...\npromise 95% within 1 business day for danger',
         'class dangerous "Dangerous pothole"\n...\npromise 95% within 1 business day for dangerous'),
    Code("TD431", "Class promised and class internal",
         "A metric judged per class is published for every class (each has a promise, its own or "
         "the metric's) or for none (targets only: an internal metric). A charter that promises "
         "one class and is silent about another misleads the customers of the other.",
         "target 95% within 2 business days\npromise 90% within 1 business day for dangerous",
         "promise 80% within 5 business days\npromise 90% within 1 business day for dangerous"),
    Code("TD432", "Own queries and classes",
         "A metric with `source prometheus { … }` reads its own queries, which cannot tell the classes "
         "of case apart; a metric judged per class reads the default series, labelled by `segment`. "
         "Remove one of them.",
         'source prometheus { good "…" total "…" }\npromise 95% within 1 business day for dangerous',
         "promise 95% within 1 business day for dangerous"),
    # ---- calendars ---------------------------------------------------------------------
    Code("TD501", "Unknown timezone",
         "Timezones are IANA names such as Asia/Jerusalem or Europe/London.",
         'timezone "Israel"',
         'timezone "Asia/Jerusalem"'),
    Code("TD502", "Unknown holiday country",
         "`holidays` takes ISO 3166 country codes that the holidays library knows, such as IL, "
         "GB or US.",
         'holidays "ISR"',
         'holidays "IL"'),
    Code("TD503", "Invalid date or hours",
         "Dates are YYYY-MM-DD and must exist; hours are HH:MM-HH:MM within one day, the start "
         "before the end.",
         "hours sun-thu 18:00-08:00",
         "hours sun-thu 08:00-18:00"),
    Code("TD504", "Unknown weekday",
         "Weekdays are sun mon tue wed thu fri sat; `sun-thu` is a range.",
         "hours sunday-thu 08:00-18:00",
         "hours sun-thu 08:00-18:00"),
    Code("TD505", "Eve hours without holidays",
         "`hours eve` sets the hours of the eves of holidays, and the calendar's `holidays` "
         "countries decide which days are eves. Without a `holidays` line there are no eves: add "
         "the country, or give single dates their hours (`hours 2026-09-20 08:00-12:00`).",
         'calendar office "Office" {\n    timezone "Asia/Jerusalem"\n    hours sun-thu 08:00-18:00\n'
         '    hours eve 08:00-12:00\n}',
         'calendar office "Office" {\n    timezone "Asia/Jerusalem"\n    hours sun-thu 08:00-18:00\n'
         '    hours eve 08:00-12:00\n    holidays "IL"\n}'),
    Code("TD506", "Date both closed and open",
         "A date listed in `closed` is closed all day; giving it opening hours too "
         "(`hours 2026-09-20 08:00-12:00`) contradicts that. Keep one.",
         "hours 2026-12-31 08:00-12:00\nclosed 2026-12-31",
         "hours 2026-12-31 08:00-12:00"),
    # ---- evidence: the history and measured figures ---------------------------------------
    Code("TD610", "Promise not kept by the history",
         "The project's history (its event log: `touchdsl check --history EVENTS`, or `[history]` in "
         "touchdsl.toml) shows this promise was not kept in the last window of the metric (its "
         "`window`, ending at the latest event). The warning gives the share achieved at the promised "
         "time and the time within which the promised share was done, and what the history would have "
         "kept. Don't promise what you cannot deliver: promise less and deliver more, or improve the "
         "service until the history keeps the promise.",
         "promise 95% within 48h   # the last 28 days: 88% within 48h; 95% took 61 business hours",
         "promise 95% within 72h   # or keep 48h and improve until the history keeps it",
         warning=True),
    Code("TD611", "Target never reached in the history",
         "The internal target was reached in none of the windows the history has data for (a year by "
         "default). A target nobody has ever met guides nobody: the warning gives the best figure "
         "achieved and a target the history has reached. Targets are at least as strict as the "
         "promise (TD405), so lower it towards what was achieved, or plan the improvement that will "
         "reach it.",
         "target 98% within 36h   # at best 90.8% within 36h in a year of 28-day windows",
         "target 90% within 36h",
         warning=True),
    Code("TD612", "No history for the promise",
         "The history was measured, but no case of this promise was decided in any window: the event "
         "log has no rows for it. Usually the log names the touchpoint or the events differently "
         "(`touchdsl measure` lists unknown touchpoints and events under data quality), or the "
         "promise is new.",
         "time from report.start to visit.start   # the log writes `visit.begin`",
         "time from report.start to visit.start   # and the log writes `visit.start`",
         warning=True),
    Code("TD613", "Measured under another definition",
         "`touchdsl build --measured measure.json` publishes what was achieved under each promise. "
         "This metric was measured when it meant something else (another promise, target, events or "
         "calendar), so its figures do not say whether the promise as written now is kept; they are "
         "left out and the charter says the promise has no figures yet. Measure again with the "
         "project as it is.",
         "touchdsl build . -o out --measured last-month/measure.json   # measured before the promise changed",
         "touchdsl measure . -e events.csv -o now && touchdsl build . -o out --measured now/measure.json",
         warning=True),
    Code("TD614", "Promise not in the measurement",
         "`touchdsl build --measured measure.json` found no figures for this promise: the measurement "
         "was made before the metric existed (or under another name). The charter says the promise "
         "has no figures yet; measure again to publish them.",
         "touchdsl build . -o out --measured old/measure.json   # measured before the metric was added",
         "touchdsl measure . -e events.csv -o now && touchdsl build . -o out --measured now/measure.json",
         warning=True),
    # ---- warnings ----------------------------------------------------------------------
    Code("TD901", "Owner has no receivers",
         "Alerts for this owner's touchpoints have nowhere to go. Add `notify` (and `page` for "
         "urgent alerts).",
         'owner billing "Billing" {\n    manager "Yossi" <yossi@example.com>\n}',
         'owner billing "Billing" {\n    manager "Yossi" <yossi@example.com>\n    notify email "billing@example.com"\n}',
         warning=True),
    Code("TD907", "Promise judged by the target's good events",
         "A metric with `source prometheus` reads its events through your queries. When the promise and "
         "the target draw the line between a good and a bad event at different places (`within 30s` and "
         "`within 20s`, `at least 4` and `at least 5`), one `good` query cannot serve both: the promise's "
         "alerts would read the target's good events and page while the promise is kept. Add "
         "`promise_good`, the events that meet the promise.",
         'promise 80% within 30s\ntarget 90% within 20s\nsource prometheus {\n    good "sum(rate(t_bucket{le=\\"20\\"}[{{window}}]))"\n'
         '    total "sum(rate(t_count[{{window}}]))"\n}',
         'promise 80% within 30s\ntarget 90% within 20s\nsource prometheus {\n    good "sum(rate(t_bucket{le=\\"20\\"}[{{window}}]))"\n'
         '    promise_good "sum(rate(t_bucket{le=\\"30\\"}[{{window}}]))"\n    total "sum(rate(t_count[{{window}}]))"\n}',
         warning=True),
    Code("TD902", "Touchpoint has no metrics",
         "Without a metric the touchpoint makes no promise the charter can publish or "
         "monitoring can check.",
         'touchpoint fault "Fault" {\n    owner field_ops\n    expectation "Fixed"\n}',
         'touchpoint fault "Fault" {\n    owner field_ops\n    expectation "Fixed"\n    metric ... { ... }\n}',
         warning=True),
    Code("TD903", "Declared but never used",
         "A calendar or journey that no touchpoint refers to; likely a leftover or a typo elsewhere.",
         'calendar il_office "Office" { ... }   # and no metric says `on il_office`',
         "time from report.start to visit.start on il_office",
         warning=True),
    Code("TD904", "Hidden character in text",
         "A title, note, expectation or comment holds a character that changes what people "
         "see without being seen (Trojan Source, CVE-2021-42574): a bidirectional override "
         "or isolate reorders the text around it, a zero-width character makes two texts that "
         "look the same differ, a control character makes terminals and documents act. "
         "Remove it. A bidirectional or invisible character that is meant can be written as "
         "an escape (`\\u{202B}`), which readers see; the direction marks U+200E and U+200F "
         "that Hebrew and Arabic punctuation needs are not reported.",
         '(a title with an invisible U+202E RIGHT-TO-LEFT OVERRIDE pasted into it)',
         'touchpoint refund "Refund within 3 days" {',
         warning=True),
    Code("TD910", "Days on a business calendar",
         "On a calendar a duration is opening time: `2d` is 48 business hours, about five working "
         "days of a 10-hour office, which nobody means by \"two days\". For days the calendar is "
         "open write `2 business days` (by the close of the second business day); for hours of "
         "opening time write them as hours (`48h`).",
         "time from request.start to update.end on office\npromise 90% within 2d",
         "time from request.start to update.end on office\npromise 90% within 2 business days",
         warning=True),
    Code("TD911", "No eves known for the calendar's countries",
         "`hours eve` applies on the eves of holidays, found from the holiday data: for IL the day "
         "before each public holiday (holidays begin at sunset), for countries whose data lists "
         "half days (US, IT, TR, …) those days. For the calendar's countries none are known, so "
         "the line changes no day; give the dates their hours instead.",
         'holidays "GB"\nhours eve 08:00-12:00',
         'holidays "GB"\nhours 2026-12-24, 2026-12-31 08:00-12:00',
         warning=True),
    Code("TD912", "Classes no objective is for",
         "The touchpoint declares classes of case, but no metric gives a class its own objective "
         "(`promise … for CLASS`), so every metric judges all cases alike and the classes change "
         "nothing.",
         'class dangerous "Dangerous pothole"\n...\npromise 90% within 5 business days',
         'class dangerous "Dangerous pothole"\n...\npromise 90% within 5 business days\n'
         "promise 95% within 1 business day for dangerous",
         warning=True),
    Code("TD913", "Compensation of an internal metric",
         "A metric with a target and no promise is internal: the charter never shows it, so a "
         "`compensation` on it is never published either. Give the metric a promise, or remove "
         "the compensation.",
         'metric volume "Complaints" {\n    count complaints per 7d\n    target at most 25\n'
         '    compensation "A voucher."\n}',
         'metric volume "Complaints" {\n    count complaints per 7d\n    target at most 25\n}',
         warning=True),
    Code("TD914", "Promise query of an internal metric",
         "A metric with a target and no promise is internal: it has no promise tier, so no rule, "
         "dashboard or SLO reads the `promise_good` query of its `source prometheus` block. Remove "
         "the query, or give the metric the promise it was written for.",
         'metric wait "Wait" {\n    time from call.start to call.answered\n    target 90% within 20s\n'
         '    source prometheus {\n        good "…"\n        total "…"\n        promise_good "…"\n    }\n}',
         'metric wait "Wait" {\n    time from call.start to call.answered\n    target 90% within 20s\n'
         '    source prometheus {\n        good "…"\n        total "…"\n    }\n}',
         warning=True),
    Code("TD915", "Channel without a contact point",
         "The project lists contact points (`contact …` in its `project` block), but this "
         "touchpoint offers customers a channel that has none, so the charter says customers may "
         "use it without saying how. Add the contact, or remove the channel from the touchpoint. "
         "(A project with no contact points at all is not judged.)",
         'project "Good Health" {\n    contact phone "+972 3-555-0100"\n}\n…\n    channels phone, web',
         'project "Good Health" {\n    contact phone "+972 3-555-0100"\n    contact web "https://www.example.org"\n}',
         warning=True),
    Code("TD916", "Owner named `manager`",
         "`escalate to manager` always means the manager of the touchpoint's own owner, so an owner "
         "named `manager` can be accountable and perform steps, but no touchpoint can escalate to it: "
         "`escalate to manager` would reach someone else. Rename the owner.",
         'owner manager "Management" {\n    notify email "mgmt@example.com"\n}',
         'owner management "Management" {\n    notify email "mgmt@example.com"\n}',
         warning=True),
]

CATALOGUE: dict[str, Code] = {c.code: c for c in _ALL}


def explain(code: str) -> str:
    entry = CATALOGUE[code.upper()]
    kind = "warning" if entry.warning else "error"
    def indent(text: str) -> str:
        return "\n".join("    " + line for line in text.splitlines())

    return (
        f"{entry.code} ({kind}): {entry.title}\n\n{entry.explanation}\n\n"
        f"Wrong:\n\n{indent(entry.wrong)}\n\nRight:\n\n{indent(entry.right)}\n"
    )


def markdown() -> str:
    lines = [
        "# Diagnostic codes",
        "",
        "<!-- Generated by `python -m touchdsl.compiler.codes > docs/errors.md`; do not edit. -->",
        "",
        "Every error and warning `touchdsl check` prints has a code. "
        "`touchdsl explain CODE` prints the same text in the terminal.",
        "",
    ]
    for entry in _ALL:
        kind = "warning" if entry.warning else "error"
        lines += [
            f"## {entry.code}: {entry.title} ({kind})",
            "",
            entry.explanation,
            "",
            "Wrong:",
            "",
            "```touch",
            entry.wrong,
            "```",
            "",
            "Right:",
            "",
            "```touch",
            entry.right,
            "```",
            "",
        ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(markdown())
