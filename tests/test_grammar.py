"""The grammar: every construct of the spec parses into the right AST node."""

from __future__ import annotations

import textwrap

import pytest

from tests.paths import EXAMPLES
from touchdsl.language import ast
from touchdsl.language.parser import parse


def parse_ok(src: str) -> ast.File:
    tree, diags = parse(textwrap.dedent(src).lstrip("\n"), "t.touch")
    assert diags == [], [d.message for d in diags]
    return tree


def one(src: str):
    (decl,) = parse_ok(src).declarations
    return decl


def items(decl, kind):
    return [i for i in decl.items if isinstance(i, kind)]


def pos(node) -> tuple[int, int]:
    return (node.span.line, node.span.column)


# ---- declarations ------------------------------------------------------------------------


def test_import():
    decl = one('import "shared/owners.touch"   # relative')
    assert isinstance(decl, ast.ImportDecl)
    assert decl.path.value == "shared/owners.touch"
    assert pos(decl.path) == (1, 8)


def test_calendar_with_hours_wraparound_holidays_and_closed_dates():
    cal = one("""
        calendar il_office "Israel office hours" {
            timezone "Asia/Jerusalem"
            hours sun-thu 08:00-18:00
            hours fri-sun, mon 09:00-13:00
            holidays "IL", "GB"
            closed 2026-09-21, 2026-10-01
        }
    """)
    assert isinstance(cal, ast.CalendarDecl)
    assert (cal.name.value, cal.title.value) == ("il_office", "Israel office hours")
    assert items(cal, ast.Timezone)[0].value.value == "Asia/Jerusalem"
    h1, h2 = items(cal, ast.HoursLine)
    assert [(r.first.value, r.last.value) for r in h1.days] == [("sun", "thu")]
    assert (h1.start.value, h1.end.value) == ("08:00", "18:00")
    assert [(r.first.value, r.last and r.last.value) for r in h2.days] == [("fri", "sun"), ("mon", None)]
    assert (h2.start.value, h2.end.value) == ("09:00", "13:00")
    assert [c.value for c in items(cal, ast.Holidays)[0].countries] == ["IL", "GB"]
    assert [d.value for d in items(cal, ast.Closed)[0].dates] == ["2026-09-21", "2026-10-01"]
    assert pos(h2) == (4, 5)


def test_calendar_wraparound_reaches_the_model(project):
    result = project("""
        calendar weekend "Weekend" {
            timezone "Asia/Jerusalem"
            hours fri-sun 10:00-14:00
        }
    """)
    cal = next(d for d in result.files.values()).declarations[0]
    assert cal.name.value == "weekend"
    # the checker keeps only warnings here (unused calendar), and the model has the days in order
    assert result.ok, [d.message for d in result.diagnostics]
    assert result.project.calendars["weekend"].hours[0].days == ["fri", "sat", "sun"]


def test_owner_with_manager_and_receivers():
    owner = one("""
        owner field_ops "Field Operations" {
            manager "Dana Levi" <dana.levi@example.com>
            notify email "field-ops@example.com"
            page pagerduty "field-ops-primary"
            note "night shift"
            tags "ops", "field"
        }
    """)
    assert isinstance(owner, ast.OwnerDecl)
    (mgr,) = items(owner, ast.ManagerLine)
    assert (mgr.name.value, mgr.email.value) == ("Dana Levi", "dana.levi@example.com")
    receivers = items(owner, ast.ReceiverLine)
    assert [(r.level, r.kind.value, r.target.value) for r in receivers] == [
        ("notify", "email", "field-ops@example.com"), ("page", "pagerduty", "field-ops-primary")]
    assert items(owner, ast.Note)[0].text.value == "night shift"
    assert [t.value for t in items(owner, ast.Tags)[0].values] == ["ops", "field"]


def test_journey_and_stages():
    j = one("""
        journey home_internet "Home internet" {
            stage join "Joining"
            stage support "Getting help"
        }
    """)
    assert isinstance(j, ast.JourneyDecl)
    assert [(s.name.value, s.title.value) for s in items(j, ast.StageDecl)] == [
        ("join", "Joining"), ("support", "Getting help")]


def test_defaults_with_window_and_charter_settings():
    d = one("""
        defaults {
            window 28d
            charter language "he"
            charter title "אמנת השירות"
            charter intro "We promise"
        }
    """)
    assert isinstance(d, ast.DefaultsDecl)
    (w,) = items(d, ast.Window)
    assert (w.duration.seconds, w.duration.text) == (28 * 86400, "28d")
    settings = [(s.key.value, s.value.value) for s in items(d, ast.CharterSetting)]
    assert settings == [("language", "he"), ("title", "אמנת השירות"), ("intro", "We promise")]


TOUCHPOINT = """
touchpoint technical_fault "Technical fault repaired" {
    journey home_internet.support
    owner field_ops
    expectation "My fault is fixed."
    channels phone, chat
    step report  "Reports" by service_center via phone
    step visit   "Visit" by field_ops
    step verify  "Verify" via sms
    metric answer "Answered" {
        time from report.start to report.answered
        promise 80% within 30s
        target 90% within 20s
        window 7d
        source prometheus {
            good  "sum(rate(call_answer_seconds_bucket{le=\\"30\\"}[{{window}}]))"
            total "sum(rate(call_answer_seconds_count[{{window}}]))"
        }
    }
    metric arrival "Arrives" {
        time from report.start to visit.start on il_office
        promise 95% within 48h
    }
    metric abandoned "Abandoned" {
        ratio abandoned of offered
        promise at most 5%
        target at least 2%
    }
    metric csat "CSAT" {
        score 1..5
        promise average at least 4.3
        target 80% at least 4
    }
    metric recommend "NPS" {
        nps
        promise at least -100
    }
    metric complaints "Complaints" {
        count complaints per 1w
        promise at most 20
    }
    updates every 4h via sms until verify.end
    updates every 1d via email
    escalate to manager on breach
    escalate to billing on risk, breach
    note \"\"\"
        Owned by field ops.
    \"\"\"
    tags "a", "b"
}
"""


@pytest.fixture(scope="module")
def tp():
    return one(TOUCHPOINT)


def test_touchpoint_header_items(tp):
    assert isinstance(tp, ast.TouchpointDecl)
    (j,) = items(tp, ast.JourneyRef)
    assert (j.journey.value, j.stage.value) == ("home_internet", "support")
    assert [o.owner.value for o in items(tp, ast.OwnerRef)] == ["field_ops"]
    assert items(tp, ast.Expectation)[0].text.value == "My fault is fixed."
    assert [c.value for c in items(tp, ast.Channels)[0].channels] == ["phone", "chat"]
    assert items(tp, ast.Note)[0].text.value == "Owned by field ops."
    assert [t.value for t in items(tp, ast.Tags)[0].values] == ["a", "b"]


def test_journey_without_stage():
    tp = one('touchpoint t "T" {\n    journey home\n}')
    (j,) = items(tp, ast.JourneyRef)
    assert j.journey.value == "home" and j.stage is None


def test_steps_in_order_with_by_and_via(tp):
    steps = items(tp, ast.StepDecl)
    assert [s.name.value for s in steps] == ["report", "visit", "verify"]
    assert [[b.value for b in s.by] for s in steps] == [["service_center"], ["field_ops"], []]
    assert [[v.value for v in s.via] for s in steps] == [["phone"], [], ["sms"]]
    assert steps[0].title.value == "Reports"


def _metric(tp, name):
    return next(m for m in items(tp, ast.MetricDecl) if m.name.value == name)


def _obj(metric, role):
    return next(i for i in metric.items if isinstance(i, ast.ObjectiveLine) and i.role == role).objective


def test_time_metric_with_within_window_and_source(tp):
    m = _metric(tp, "answer")
    (t,) = items(m, ast.TimeMeasure)
    assert (str(t.start), str(t.end), t.calendar) == ("report.start", "report.answered", None)
    p, g = _obj(m, "promise"), _obj(m, "target")
    assert (p.form, p.percent.value, p.within.seconds, p.within.text) == ("within", 80, 30, "30s")
    assert (g.form, g.percent.value, g.within.seconds) == ("within", 90, 20)
    assert items(m, ast.Window)[0].duration.seconds == 7 * 86400
    (src,) = items(m, ast.SourceBlock)
    assert src.system.value == "prometheus"
    q = {x.key.value: x.query.value for x in src.queries}
    assert q == {"good": 'sum(rate(call_answer_seconds_bucket{le="30"}[{{window}}]))',
                 "total": "sum(rate(call_answer_seconds_count[{{window}}]))"}


def test_time_metric_on_calendar(tp):
    (t,) = items(_metric(tp, "arrival"), ast.TimeMeasure)
    assert t.calendar.value == "il_office"
    assert _obj(_metric(tp, "arrival"), "promise").within.seconds == 48 * 3600


def test_ratio_metric_at_most_and_at_least(tp):
    m = _metric(tp, "abandoned")
    (r,) = items(m, ast.RatioMeasure)
    assert (r.numerator.value, r.denominator.value) == ("abandoned", "offered")
    p, g = _obj(m, "promise"), _obj(m, "target")
    assert (p.form, p.percent.value, p.number) == ("at_most", 5, None)
    assert (g.form, g.percent.value) == ("at_least", 2)


def test_score_metric_average_and_share(tp):
    m = _metric(tp, "csat")
    (s,) = items(m, ast.ScoreMeasure)
    assert (s.low.value, s.high.value) == (1, 5)
    p, g = _obj(m, "promise"), _obj(m, "target")
    assert (p.form, p.number.value, p.percent) == ("average_at_least", 4.3, None)
    assert (g.form, g.percent.value, g.number.value) == ("share_at_least", 80, 4)


def test_nps_metric_negative_number(tp):
    m = _metric(tp, "recommend")
    assert len(items(m, ast.NpsMeasure)) == 1
    p = _obj(m, "promise")
    assert (p.form, p.number.value, p.number.text, p.percent) == ("at_least", -100, "-100", None)


def test_count_metric(tp):
    m = _metric(tp, "complaints")
    (c,) = items(m, ast.CountMeasure)
    assert (c.event.value, c.per.seconds, c.per.text) == ("complaints", 604800, "1w")
    p = _obj(m, "promise")
    assert (p.form, p.number.value, p.percent) == ("at_most", 20, None)


def test_updates_with_and_without_until(tp):
    u1, u2 = items(tp, ast.UpdatesLine)
    assert (u1.every.seconds, u1.via.value, str(u1.until)) == (4 * 3600, "sms", "verify.end")
    assert (u2.every.seconds, u2.via.value, u2.until) == (86400, "email", None)


def test_escalate(tp):
    e1, e2 = items(tp, ast.EscalateLine)
    assert (e1.to.value, [c.value for c in e1.on]) == ("manager", ["breach"])
    assert (e2.to.value, [c.value for c in e2.on]) == ("billing", ["risk", "breach"])


def test_positions_are_one_based_line_and_column(tp):
    step = items(tp, ast.StepDecl)[1]
    assert pos(step) == (7, 5)
    assert pos(step.name) == (7, 10)
    m = _metric(tp, "arrival")
    line = TOUCHPOINT.lstrip("\n").splitlines()[19]
    assert pos(items(m, ast.TimeMeasure)[0].calendar) == (20, line.index("il_office") + 1)


# ---- strings -----------------------------------------------------------------------------


@pytest.mark.parametrize("literal, value", [
    (r'"say \"hi\""', 'say "hi"'),
    (r'"C:\\temp"', "C:\\temp"),
    (r'"a\nb"', "a\nb"),
    (r'"a\tb"', "a\tb"),
    (r'"\u{05D0}\u{5d1}"', "אב"),
    (r'"\u{1F600}"', "\U0001F600"),
    ('"שירות לקוחות"', "שירות לקוחות"),
    ('""', ""),
])
def test_string_escapes(literal, value):
    owner = one(f"owner o {literal} {{ }}")
    assert owner.title.value == value
    assert owner.title.raw == literal


def test_triple_quoted_block_removes_common_indentation():
    owner = one('''
        owner o "O" {
            note """
                First line
                  indented by two
                השורה השלישית
            """
        }
    ''')
    assert items(owner, ast.Note)[0].text.value == "First line\n  indented by two\nהשורה השלישית"


def test_triple_quoted_block_may_hold_quotes_and_escapes():
    owner = one('owner o "O" {\n    note """He said "fine" \\u{05D0}"""\n}')
    assert items(owner, ast.Note)[0].text.value == 'He said "fine" א'


def test_unknown_escape_is_reported_at_the_backslash():
    _, diags = parse('owner o "C:\\qemp" { }', "t.touch")
    assert [(d.code, d.span.line, d.span.column) for d in diags] == [("TD003", 1, 12)]


# ---- lexing ------------------------------------------------------------------------------


def test_percent_is_one_token_not_number_and_symbol():
    tree = one('touchpoint t "T" {\n metric m "M" {\n  ratio a of b\n  promise at most 5%\n }\n}')
    o = _obj(items(tree, ast.MetricDecl)[0], "promise")
    assert o.percent is not None and o.percent.value == 5 and o.percent.text == "5%" and o.number is None


def test_decimal_percent():
    tree = one('touchpoint t "T" {\n metric m "M" {\n  promise 99.5% within 1.5h\n }\n}')
    o = _obj(items(tree, ast.MetricDecl)[0], "promise")
    assert o.percent.value == 99.5 and o.within.seconds == 5400


@pytest.mark.parametrize("text, seconds", [
    ("30s", 30), ("1.5h", 5400), ("250ms", 0.25), ("48h", 172800), ("28d", 2419200), ("2w", 1209600),
    ("90m", 5400), ("0d", 0),
])
def test_durations(text, seconds):
    d = one(f"defaults {{ window {text} }}")
    w = items(d, ast.Window)[0].duration
    assert (w.seconds, w.text) == (pytest.approx(seconds), text)


def test_duration_unit_glued_to_letters_is_not_a_duration():
    _, diags = parse("defaults { window 30sec }", "t.touch")
    assert diags and diags[0].code in ("TD001", "TD002")
    assert (diags[0].span.line, diags[0].span.column) == (1, 19)


def test_negative_number():
    tree = one('touchpoint t "T" {\n metric m "M" {\n  nps\n  promise at least -100\n }\n}')
    n = _obj(items(tree, ast.MetricDecl)[0], "promise").number
    assert (n.value, n.text) == (-100, "-100")


def test_keywords_usable_as_names():
    tp = one("""
        touchpoint t "T" {
            step notify "Customer notified" by payments
            step time "Clock" via sms
            updates every 30m via sms until notify.end
            escalate to manager on breach
        }
    """)
    assert [s.name.value for s in items(tp, ast.StepDecl)] == ["notify", "time"]
    assert str(items(tp, ast.UpdatesLine)[0].until) == "notify.end"
    assert items(tp, ast.EscalateLine)[0].to.value == "manager"


def test_keyword_named_owner_and_metric():
    tree = parse_ok('owner page "Pager team" { }\ntouchpoint t "T" {\n owner page\n metric nps "NPS" { nps }\n}')
    owner, tp = tree.declarations
    assert owner.name.value == "page"
    assert items(tp, ast.OwnerRef)[0].owner.value == "page"
    assert items(tp, ast.MetricDecl)[0].name.value == "nps"


def test_comments_kept_with_positions():
    tree = parse_ok('# first\nowner o "O # not a comment" {  # trailing\n}\n    # indented\n')
    assert [(c.text, c.span.line, c.span.column) for c in tree.comments] == [
        ("# first", 1, 1), ("# trailing", 2, 32), ("# indented", 4, 5)]
    assert tree.declarations[0].title.value == "O # not a comment"


def test_comments_with_crlf_line_endings():
    tree = parse_ok('# a\r\nowner o "O" { }\r\n')
    assert [c.text for c in tree.comments] == ["# a"]


def test_empty_and_comment_only_sources():
    assert parse_ok("").declarations == []
    tree = parse_ok("# only\n# comments\n")
    assert tree.declarations == [] and len(tree.comments) == 2


def test_hebrew_everywhere_in_strings():
    tp = one('touchpoint t "תקלה טכנית" {\n expectation "התקלה שלי מתוקנת"\n tags "רגולציה"\n}')
    assert tp.title.value == "תקלה טכנית"
    assert items(tp, ast.Expectation)[0].text.value == "התקלה שלי מתוקנת"


def test_examples_parse_without_diagnostics():
    
    examples = EXAMPLES
    paths = sorted(examples.rglob("*.touch"))
    assert len(paths) >= 3
    for path in paths:
        _, diags = parse(path.read_text(encoding="utf-8"), str(path))
        assert diags == [], (path, diags)


def test_triple_quoted_block_in_a_crlf_file_has_plain_line_breaks():
    tree = parse_ok('owner o "O" {\r\n    note """\r\n        one\r\n          two\r\n    """\r\n}\r\n')
    assert items(tree.declarations[0], ast.Note)[0].text.value == "one\n  two"
