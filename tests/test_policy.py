"""The SLA policy: one document per owner with promises *and* targets, steps and
who performs them, error budgets, contract, escalation; an index linking all."""

from __future__ import annotations

import re

import pytest

from tests.paths import EXAMPLES, REPO
import touchdsl
from tests.test_charter import Page
from tests.test_charter import plain as _plain
from touchdsl.slo.contract import metric_contract
from touchdsl.targets import BuildOptions
from touchdsl.targets.policy import render



def load(name: str):
    if name == "hostile":
        return touchdsl.load([str(REPO / "tests" / "fixtures" / "hostile")])
    return touchdsl.load([str(REPO / "examples" / name)])


def plain(md: str) -> str:
    """Markdown as read: isolates, escapes and code-span backticks removed."""
    return _plain(md).replace("`", "")


def policy(name: str, lang: str = "en", **options) -> dict[str, str]:
    return {k: v.decode("utf-8") for k, v in render(load(name), BuildOptions(lang=lang, **options)).items()}


@pytest.mark.parametrize("name", ["telecom", "banking", "health", "hostile"])
def test_a_document_per_owner_and_an_index_linking_them(name):
    project = load(name)
    files = policy(name)
    expected = {"policy/index.html"} | {f"policy/{o}.{ext}" for o in project.owners for ext in ("html", "md")}
    assert set(files) == expected
    index = Page(files["policy/index.html"])
    links = [a["href"] for a in index.tags("a")]
    for owner in project.owners:
        assert f"{owner}.html" in links and f"{owner}.md" in links


def test_owner_document_holds_promise_target_window_clock_budget():
    files = policy("telecom")
    text = Page(files["policy/field_ops.html"]).text
    md = plain(files["policy/field_ops.md"])
    for doc in (text, md):
        assert "Promise (published)" in doc and "Target (internal)" in doc
        assert "80% within 30 seconds" in doc and "90% within 20 seconds" in doc
        assert "95% within 48 business hours" in doc and "98% within 36 business hours" in doc
        assert "10% of cases may take longer than 20 seconds over 28 days." in doc
        assert "2% of cases may take longer than 36 business hours over 28 days." in doc
        assert "3% of offered cases may be abandoned over 28 days." in doc
        assert "the last 28 days, rolling" in doc
        assert ("business clock of Israel office hours (Asia/Jerusalem): Sunday–Thursday 08:00–18:00 and "
                "Friday 08:00–13:00; closed on public holidays (Israel)") in doc
        assert "wall clock" in doc
        assert "report.start → visit.start" in doc
        assert "(the promise; no stricter target written)" in doc  # csat has no target
        assert "own the customer's satisfaction with the repair" in doc  # the note
    billing = plain(policy("telecom")["policy/billing.md"])
    assert "80% of resolved_first_contact cases" not in billing
    assert "20% of contacts cases may fail to be resolved_first_contact over 28 days." in billing
    assert "No error budget: the count per 7 days is compared with the limit." in billing


def test_steps_table_shows_who_performs_each_step_and_the_accountable_owner():
    files = policy("telecom")
    page = Page(files["policy/field_ops.html"])
    rows = re.findall(r"<tr id=\"technical_fault-step-(\w+)\">(.*?)</tr>", files["policy/field_ops.html"])
    assert [r[0] for r in rows] == ["report", "confirm", "visit", "verify"]
    performers = [Page(r[1]).text.split("Customer Service Center") for r in rows]
    assert len(performers[0]) == 2 and len(performers[2]) == 1  # visit is field ops' own step
    assert "Field Operations — for the whole touchpoint, including steps other units perform" in page.text
    md = files["policy/field_ops.md"]
    assert "| 3 | Technician visits the customer's home | Field Operations | — |" in md
    assert "| 1 | Customer reports the fault and books a technician | Customer Service Center | Phone |" in md


def test_steps_for_other_owners_are_listed_per_unit():
    files = policy("telecom")
    md = files["policy/service_center.md"]
    section = md.split("## Steps we perform for other owners", 1)[1]
    assert "### Technical fault repaired" in section and "### Change of address" in section
    assert "| 4 | Follow-up call confirms the fault is fixed | Customer Service Center | Phone |" in section
    assert "Technician visits" not in section  # field ops' step, not ours
    assert "Accountable: Field Operations (`field_ops.md`)" in section
    html = Page(files["policy/service_center.html"])
    assert any(a.get("href") == "field_ops.html#touchpoint-technical_fault" for a in html.tags("a"))
    # The accountable owner's own document lists its touchpoint, not "for others".
    assert "None." in files["policy/field_ops.md"].split("## Steps we perform for other owners", 1)[1]


def test_escalation_path_explains_the_two_tiers_in_plain_words():
    md = plain(policy("telecom")["policy/field_ops.md"])
    assert ("1. If customers are being failed faster than the promise allows, or the promise is already broken, "
            "Field Operations is alerted at once: page (urgent): pagerduty field-ops-primary.") in md
    assert ("2. If the internal target is at risk (an early warning, before customers feel it), Field Operations "
            "gets a ticket to handle in working hours: notify: email field-ops@example.com.") in md
    assert ("3. Alerts wait until at least 10 cases were counted; when only a few cases are late, a ticket is "
            "sent instead of an alert at once.") in md
    assert ("4. When the promise is broken or being broken, the manager of Field Operations, Dana Levi, is told "
            "too: dana.levi@example.com.") in md
    for jargon in ("burn", "budget burn", "severity", "page alert"):
        assert jargon not in md.split("Escalation", 1)[-1].split("###", 1)[0].lower()
    health = plain(policy("health")["policy/patient_relations.md"])
    assert ("תפעול מרפאות is told of every alert, the early warnings too, through notify: email "
            "clinics-ops@example.org") in health
    hebrew = plain(policy("health", lang="he")["policy/patient_relations.md"])
    assert "אם ההבטחה ללקוחות נשחקת מהר מדי או שכבר הופרה, היחידה פניות הציבור מקבלת התראה מיידית" in hebrew
    assert "אם היעד הפנימי בסיכון (אזהרה מוקדמת, לפני שהלקוחות מרגישים)" in hebrew
    assert "התראות ממתינות עד שנספרו לפחות 10 מקרים" in hebrew
    # an internal metric (complaints volume: a target, no promise) raises tickets only
    assert ("3. Internal metrics, with a target and no promise to customers (תלונות על זמינות תורים), only ever "
            "raise tickets.") in health
    assert "מדדים פנימיים, עם יעד וללא הבטחה ללקוחות (תלונות על זמינות תורים), מעוררים פניות לטיפול בלבד" in hebrew


def test_a_touchpoint_with_internal_metrics_only_promises_no_alert_at_once(tmp_path):
    (tmp_path / "desk.touch").write_text("""
owner desk "Desk" {
    notify email "desk@example.com"
    page pagerduty "desk-primary"
}
touchpoint intake "Intake" {
    owner desk
    expectation "Handled."
    step file "Filed" by desk
    metric backlog "Backlog handled" {
        time from file.start to file.end
        target 90% within 2h
    }
}
""", encoding="utf-8")
    out = render(touchdsl.load([str(tmp_path / "desk.touch")]), BuildOptions())
    md = plain(out["policy/desk.md"].decode("utf-8"))
    path = md.split("Escalation path", 1)[1].split("###", 1)[0]
    assert "alerted at once" not in path
    assert "1. If the internal target is at risk" in path
    assert "2. Internal metrics, with a target and no promise to customers (Backlog handled), only ever raise " \
           "tickets." in path


def test_update_cadence_tags_and_notes():
    md = plain(policy("banking")["policy/payments.md"])
    assert "Update cadence:** While your case is open, we update you by SMS at least every 30 minutes" in md
    assert "Tags:** regulated, money" in md
    assert "Calls about transfers are recorded." in md


def test_instrumentation_contract_is_the_monitoring_one():
    project = load("telecom")
    md = policy("telecom")["policy/field_ops.md"]
    tp = project.touchpoints["technical_fault"]
    for metric in tp.metrics:
        contract = metric_contract(project, tp, metric)
        for query in contract.queries.values():
            assert f"```promql\n{query}\n```" in md
        for series in contract.series:
            assert f"`{series.name}`" in md
    hostile = policy("hostile")["policy/ops.md"]
    assert "own queries (`source prometheus`)" in hostile


@pytest.mark.parametrize("lang,direction", [("en", "ltr"), ("he", "rtl")])
def test_html_language_direction_and_escaping(lang, direction):
    files = policy("hostile", lang)
    for name, content in files.items():
        if not name.endswith(".html"):
            continue
        page = Page(content)
        assert page.tags("html")[0] == {"lang": lang, "dir": direction}
        assert not page.tags("script") and not page.tags("b") and not page.tags("i")
        assert "49" not in page.text
    ops = Page(files["policy/ops.html"]).text
    assert "{{ 7*7 }}" in ops and "<script>alert(1)</script>" in ops
    for name, content in files.items():
        if name.endswith(".md"):
            outside_code = re.sub(r"```.*?```|`[^`\n]*`", "", content, flags=re.S)
            assert not re.search(r"(?<!\\)<", outside_code), name
            assert not any(line.startswith(("- alert", "expr:", "- record")) for line in content.splitlines())


def test_hebrew_policy_keeps_code_left_to_right():
    files = policy("health", "he")
    html = files["policy/appointments.html"]
    assert '<code dir="ltr">call.start → call.answered</code>' in html  # the arrow stays left to right
    assert '<pre dir="ltr"><code>' in html
    assert "מדיניות רמת השירות (SLA)" in Page(html).text
    assert "הזמן מ-" in Page(html).text


def test_deterministic_and_stamped_only_on_request():
    assert render(load("health"), BuildOptions(lang="he")) == render(load("health"), BuildOptions(lang="he"))
    plain_files = policy("telecom")
    stamped = policy("telecom", stamp="build 42")
    assert all("build 42" in v for v in stamped.values())
    assert not any("build 42" in v for v in plain_files.values())


def test_build_command_writes_charter_and_policy_for_the_examples(tmp_path):
    """`touchdsl build examples -o DIR --target charter --target policy`, with --lang and --stamp."""
    out = tmp_path / "build"
    from touchdsl.cli import main

    with pytest.raises(SystemExit) as done:
        main(["build", str(REPO / "examples" / "telecom"), "-o", str(out), "--target", "charter", "--target", "policy",
              "--lang", "he", "--stamp", "2026-11-23"])
    assert done.value.code in (0, None)
    html = (out / "charter" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="he" dir="rtl">' in html and "2026-11-23" in html
    assert (out / "charter" / "charter.md").is_file()
    project = touchdsl.load([str(REPO / "examples" / "telecom")])
    for owner in project.owners:
        assert (out / "policy" / f"{owner}.html").is_file() and (out / "policy" / f"{owner}.md").is_file()
    index = Page((out / "policy" / "index.html").read_text(encoding="utf-8"))
    assert len([a for a in index.tags("a") if a["href"].endswith(".html")]) == len(project.owners)


ROOT_EXAMPLES = EXAMPLES

def test_calendar_note_is_shown_with_the_clock_in_the_policy_but_not_the_charter():
    from touchdsl.targets.charter import render as render_charter

    note = "ערבי חג לפי לוח החגים; שינויים ליום מסוים נרשמים בשעות של אותו תאריך או ב-closed."
    assert note in (ROOT_EXAMPLES / "health" / "units.touch").read_text(encoding="utf-8")
    assert note in plain(policy("health", "he")["policy/appointments.md"])
    assert note in Page(policy("health", "he")["policy/appointments.html"]).text
    charter = render_charter(load("health"), BuildOptions(lang="he"))
    assert all(note.encode() not in data for data in charter.values())


@pytest.mark.parametrize("example", ["telecom", "banking", "health"])
def test_every_alert_links_to_an_anchor_of_the_policy(example):
    """Alert annotations point at `<owner>.html#<touchpoint>-<metric>`; the anchor must exist."""
    import yaml

    import touchdsl
    from touchdsl.targets import BuildOptions, renderer

    project = touchdsl.load([str(EXAMPLES / example)])
    policy = renderer("policy")(project, BuildOptions())
    links = []
    for name, data in renderer("prometheus")(project, BuildOptions()).items():
        if name.endswith(".rules.yml"):
            for group in yaml.safe_load(data)["groups"]:
                links += [v for r in group["rules"] if "alert" in r
                          for v in r["annotations"].values() if v.startswith("../policy/")]
    assert links
    for link in links:
        page, anchor = link.removeprefix("../policy/").split("#")
        assert f'id="{anchor}"' in policy[f"policy/{page}"].decode(), link


def test_the_unit_an_escalation_reaches_sees_it_on_its_page():
    """`escalate to clinics on risk` in the complaint touchpoint: the clinics' page lists it."""
    for lang, heading, when in (("en", "Escalations we receive", "On every alert, the early warnings too"),
                                ("he", "הסלמות שמגיעות אלינו", "בכל התראה, גם באזהרות המוקדמות")):
        files = policy("health", lang)
        page = Page(files["policy/clinics.html"])
        text = page.text
        section = text[text.index(heading):]
        assert "טיפול בתלונה" in section and when in section and "פניות הציבור" in section
        assert any(a["href"] == "patient_relations.html#touchpoint-complaint" for a in page.tags("a"))
        md = plain(files["policy/clinics.md"])
        assert "טיפול בתלונה" in md[md.index(heading):]
        # A unit nobody escalates to says so.
        lab = Page(files["policy/lab.html"]).text
        assert lab[lab.index(heading):].split(heading, 1)[1].strip().startswith(
            "None." if lang == "en" else "אין.")
