"""The customer charter: every promise in plain words, never an internal target,
Hebrew right to left with isolated mixed content, user text escaped everywhere."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests.paths import REPO
import touchdsl
from touchdsl.documents.wording import FSI, LRI, PDI, Words
from touchdsl.model import Duration, TimeMetric
from touchdsl.targets import BuildOptions
from touchdsl.targets.charter import render

EXAMPLES = ("telecom", "banking", "health")


def load(name: str):
    if name == "hostile":
        return touchdsl.load([str(REPO / "tests" / "fixtures" / "hostile")])
    return touchdsl.load([str(REPO / "examples" / name)])


class Page(HTMLParser):
    """The parsed page: elements with their attributes, and the text a reader sees."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.chunks: list[str] = []
        self._hidden = 0
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        if tag in ("style", "title"):
            self._hidden += 1

    def handle_endtag(self, tag):
        if tag in ("style", "title"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.chunks.append(data)

    @property
    def text(self) -> str:
        return " ".join("".join(self.chunks).split())

    def tags(self, name: str) -> list[dict]:
        return [attrs for tag, attrs in self.elements if tag == name]


def charter(project, lang: str, **options) -> tuple[Page, str, str]:
    files = render(project, BuildOptions(lang=lang, **options))
    assert sorted(files) == ["charter/charter.md", "charter/index.html"]
    html = files["charter/index.html"].decode("utf-8")
    return Page(html), html, files["charter/charter.md"].decode("utf-8")


def plain(text: str) -> str:
    """Markdown text with isolates and backslash escapes removed, whitespace collapsed."""
    text = re.sub(r"\\(.)", r"\1", text)
    text = "".join(ch for ch in text if ch not in (FSI, LRI, PDI))
    return " ".join(text.split())


@pytest.mark.parametrize("name", EXAMPLES)
@pytest.mark.parametrize("lang", ["en", "he"])
def test_every_promise_is_published_and_no_target_is(name, lang):
    project = load(name)
    page, _, md = charter(project, lang)
    words = Words(lang)
    text, md_text = page.text, plain(md)
    for tp in project.touchpoints.values():
        for metric in tp.metrics:
            if metric.promise is None:  # an internal metric: not even its title
                assert metric.title not in text and metric.title not in md_text, metric.title
                continue
            promise = words.promise_sentence(project, metric).plain()
            assert promise in text, promise
            assert promise in md_text, promise
            if metric.target != metric.promise:
                target = words.promise_sentence(project, metric, metric.target).plain()
                assert target not in text and target not in md_text, target
                # Not even its objective in short form.
                short = words.objective_short(metric, metric.target).plain()
                assert short not in text and short not in md_text, short


def test_internal_thresholds_receivers_managers_and_notes_stay_out():
    project = load("telecom")
    page, html, md = charter(project, "en")
    for doc in (page.text, plain(md)):
        # Thresholds only the internal targets use.
        for internal in ("20 seconds", "36 business hours", "24 business hours", "3%", "10 in any"):
            assert internal not in doc, internal
        for owner in project.owners.values():
            assert owner.manager.name not in doc and owner.manager.email not in doc
            for receiver in owner.notify + owner.page:
                assert receiver.target not in doc
        for tp in project.touchpoints.values():
            if tp.note:
                assert " ".join(tp.note.split()[:6]) not in doc


def test_english_sentences_read_as_the_issue_asks():
    page, _, md = charter(load("telecom"), "en")
    text = page.text
    assert "Customer speaks with a representative within 30 seconds in 80% of cases." in text
    assert "Technician arrives within 48 business hours in 95% of cases." in text
    # The opening hours that business hours count are printed once, not after every promise.
    hours = "Sunday–Thursday 08:00–18:00 and Friday 08:00–13:00; closed on public holidays (Israel)."
    assert text.count(hours) == 1 and text.count("08:00–18:00") == 1
    assert text.index(hours) < text.index("Technician arrives")
    assert "Calls abandoned before an answer: in no more than 5% of cases." in text
    assert "Satisfaction after the visit: an average rating of at least 4.3 on a scale of 1 to 5." in text
    assert ("While your case is open, we update you by SMS at least every 4 hours, until this step is "
            "completed: Follow-up call confirms the fault is fixed.") in text
    assert "Complaints about mail to an old address: no more than 20 in any 7 days." in text
    assert "Accountable for this service: Field Operations." in text
    assert "If we fall short of one of these promises, the manager of Field Operations takes charge." in text
    assert "at risk" not in text  # monitoring's word, not a customer's
    assert "Website, Chat, and Phone" in text  # lists end with "and"
    assert "30s" not in text and "48h" not in text


def test_banking_nps_share_and_wall_clock_sentences():
    text = charter(load("banking"), "en")[0].text
    assert "Transfer executed within 2 hours in 99% of cases." in text
    assert "Effort the customer reports: at least 80% of answers are 5 or higher on a scale of 1 to 7." in text
    assert "Would recommend the bank: a net promoter score (NPS) of at least 30." in text
    assert "at least every 30 minutes" in text
    assert ("If we are close to falling short of one of these promises, the manager of Payments Operations "
            "takes charge.") in text


def test_structure_journeys_stages_touchpoints_and_promises():
    project = load("health")
    page, _, _ = charter(project, "he")
    sections = [a["id"] for a in page.tags("section")]
    assert sections == ["reach-us"] + [f"journey-{j}" for j in project.journeys]
    articles = [a["id"] for a in page.tags("article")]
    assert articles == [f"touchpoint-{t}" for t in ("appointment", "lab_results", "complaint")]
    assert len(page.tags("h1")) == 1
    assert len(page.tags("h3")) == 3  # booking, tests, complaint stages
    assert len(page.tags("li")) == sum(1 for t in project.touchpoints.values() for m in t.metrics
                                       if m.promise is not None) + len(project.contacts)
    # Self-contained: no scripts, no external resources.
    assert not page.tags("script") and not page.tags("link") and not page.tags("img")


@pytest.mark.parametrize("lang,direction", [("en", "ltr"), ("he", "rtl")])
def test_language_and_direction(lang, direction):
    page, html, _ = charter(load("telecom"), lang)
    root = page.tags("html")[0]
    assert root == {"lang": lang, "dir": direction}
    assert "@page" in html and "A4" in html


def test_language_comes_from_defaults_unless_overridden():
    project = load("telecom")
    assert project.defaults.charter.language == "en"
    hebrew = project.model_copy(update={"defaults": project.defaults.model_copy(
        update={"charter": project.defaults.charter.model_copy(update={"language": "he"})})})
    files = render(hebrew, BuildOptions())
    assert '<html lang="he" dir="rtl">' in files["charter/index.html"].decode()
    files = render(hebrew, BuildOptions(lang="en"))
    assert '<html lang="en" dir="ltr">' in files["charter/index.html"].decode()


def test_hebrew_text_isolates_numbers_and_english_names():
    page, html, md = charter(load("health"), "he")
    assert "מענה נציג תוך 60 שניות ב-80% מהמקרים." in page.text
    assert ("ראשון–חמישי 07:30–19:00, שישי 08:00–12:00, בערבי חג 08:00–12:00 וב-5 בנובמבר 2026 07:30–14:00; "
            "סגור בחגים רשמיים (ישראל) וב-31 בדצמבר 2026.") in page.text
    # In HTML numbers and clock times are left-to-right isolates inside the Hebrew sentence.
    assert '<bdi dir="ltr">80%</bdi>' in html
    assert '<bdi dir="ltr">07:30–19:00</bdi>' in html
    # In Markdown the same with Unicode isolates; user text mixing English gets a first-strong isolate.
    assert f"ב-{LRI}80%{PDI}" in md
    assert f"{LRI}07:30–19:00{PDI}" in md
    assert "אפליקציה, SMS ובסניף" in md  # channel names from the catalogue, Babel's list pattern


def test_english_document_isolates_hebrew_user_text_in_markdown():
    _, _, md = charter(load("hostile"), "en")
    assert f"{FSI}Fix \\<script\\>alert(1)\\</script\\> \\\\ א{PDI}" in md
    # English-only user text carries no invisible characters.
    assert "- Dropped \\{\\{ 7\\*7 \\}\\}: in no more than 5% of cases." in md


@pytest.mark.parametrize("lang", ["en", "he"])
def test_user_text_is_escaped_and_never_evaluated(lang):
    page, html, md = charter(load("hostile"), lang)
    assert not page.tags("script") and not page.tags("b") and not page.tags("i")
    assert "{{ 7*7 }}" in page.text and "49" not in page.text
    assert "<script>alert('x')</script>" in page.text  # shown as text
    assert not re.search(r"(?<!\\)<", md), "an unescaped < in the Markdown"
    assert "\\{\\{ 7\\*7 \\}\\}" in md and "49" not in md
    # A title that looks like Markdown structure stays inside its heading line.
    assert any(line.startswith("#### ") and "Lonely - record: injected expr: vector(1)" in line
               for line in md.splitlines())
    assert not any(line.startswith("- record") or line.startswith("expr:") for line in md.splitlines())


def test_charter_title_and_intro_from_defaults_are_user_text():
    project = load("banking")
    titled = project.model_copy(update={"defaults": project.defaults.model_copy(update={"charter":
        project.defaults.charter.model_copy(update={"title": "Bank {{ 7*7 }} <b>", "intro": "*We* promise"})})})
    page, html, md = charter(titled, "en")
    assert page.tags("h1") and "Bank {{ 7*7 }} <b>" in page.text and not page.tags("b")
    assert "<title>Bank {{ 7*7 }} &lt;b&gt;</title>" in html
    assert md.startswith("# Bank \\{\\{ 7\\*7 \\}\\} \\<b\\>\n\n\\*We\\* promise\n")


def test_output_is_deterministic_and_stamped_only_on_request():
    project = load("health")
    first = render(project, BuildOptions(lang="he"))
    assert first == render(load("health"), BuildOptions(lang="he"))
    stamped = render(project, BuildOptions(lang="he", stamp="2026-11-23"))
    assert b"2026-11-23" in stamped["charter/index.html"] and b"2026-11-23" in stamped["charter/charter.md"]
    assert b"2026-11-23" not in first["charter/index.html"]


# Wording ---------------------------------------------------------------------


@pytest.mark.parametrize("lang,text,business,expected", [
    ("en", "30s", False, "30 seconds"),
    ("en", "1s", False, "1 second"),
    ("en", "2d", False, "2 days"),
    ("en", "48h", True, "48 business hours"),
    ("en", "2d", True, "48 business hours"),
    ("en", "1.5h", False, "90 minutes"),
    ("en", "250ms", False, "250 milliseconds"),
    ("en", "1w", False, "1 week"),
    ("he", "1h", False, "שעה"),
    ("he", "2h", False, "שעתיים"),
    ("he", "5h", False, "5 שעות"),
    ("he", "2d", False, "יומיים"),
    ("he", "3d", False, "3 ימים"),
    ("he", "2w", False, "שבועיים"),
    ("he", "2m", False, "שתי דקות"),
    ("he", "30s", False, "30 שניות"),
    ("he", "48h", True, "48 שעות עבודה"),
    ("he", "1h", True, "שעת עבודה"),
    ("he", "1.5h", True, "90 דקות עבודה"),
])
def test_durations_in_words(lang, text, business, expected):
    assert Words(lang).duration(Duration.parse(text), business).plain() == expected


def test_calendar_in_words_with_closed_dates():
    project = load("health")
    assert Words("en").calendar_rules(project.calendars["clinic_hours"]).plain() == (
        "Sunday–Thursday 07:30–19:00, Friday 08:00–12:00, on the eves of holidays 08:00–12:00, and on "
        "November 5, 2026 07:30–14:00; closed on public holidays (Israel) and on December 31, 2026")
    two = project.calendars["clinic_hours"].model_copy(update={"closed": [
        *project.calendars["clinic_hours"].closed, __import__("datetime").date(2026, 9, 21)]})
    # Dates joined by "and"; in Hebrew the conjunction joins the preposition: וב-
    assert Words("he").calendar_rules(two).plain().endswith("סגור בחגים רשמיים (ישראל), ב-21 בספטמבר 2026 "
                                                            "וב-31 בדצמבר 2026")


def test_weekdays_out_of_order_group_into_ranges():
    from touchdsl.model import Calendar, Hours, Location

    calendar = Calendar(id="c", title="C", timezone="UTC", location=Location(file="f", line=1, column=1),
                        hours=[Hours(days=["wed", "mon", "tue", "fri"], start="09:00", end="17:00")])
    assert Words("en").opening_hours(calendar).plain() == "Monday–Wednesday and Friday 09:00–17:00"


def test_time_metric_kinds_and_forms_are_all_worded():
    project = load("hostile")
    words = Words("he")
    for tp in project.touchpoints.values():
        for metric in tp.metrics:
            for objective in (o for o in (metric.promise, metric.target) if o is not None):
                sentence = words.promise_sentence(project, metric, objective).plain()
                assert metric.title.split()[0] in sentence
                assert "%(" not in sentence
            assert "%(" not in words.error_budget(metric, metric.window).plain()
            if isinstance(metric, TimeMetric):
                assert "→" not in words.measured(project, metric).plain()


# Business days, pauses, classes, internal metrics ---------------------------------


@pytest.mark.parametrize("lang,days,weeks,expected", [
    ("en", 1, None, "1 business day"),
    ("en", 5, None, "5 business days"),
    ("en", 12, 2, "2 business weeks"),
    ("en", 6, 1, "1 business week"),
    ("he", 1, None, "יום עסקים אחד"),
    ("he", 2, None, "שני ימי עסקים"),
    ("he", 5, None, "5 ימי עסקים"),
    ("he", 6, 1, "שבוע עבודה אחד"),
    ("he", 18, 3, "3 שבועות עבודה"),
])
def test_business_days_are_printed_as_days(lang, days, weeks, expected):
    from touchdsl.model import BusinessDays

    limit = BusinessDays(days=days, weeks=weeks, text="…")
    assert Words(lang).limit(limit, business=True).plain() == expected


def test_the_health_charter_promises_business_days_not_hundreds_of_hours():
    project = load("health")
    he = charter(project, "he")[0].text
    en = charter(project, "en")[0].text
    assert "תשובה בכתב תוך 14 ימי עסקים ב-90% מהמקרים" in he
    assert "שעות עבודה" not in he and "336" not in he
    assert "within 14 business days in 90% of cases" in en and "business hours" not in en
    assert "זמן עד תוצאה תוך שני ימי עסקים ב-95% מהמקרים." in he


def test_a_paused_promise_says_the_waiting_time_is_not_counted():
    project = load("health")
    he = charter(project, "he")[0].text
    en = charter(project, "en")[0].text
    assert ("within 14 business days in 90% of cases, not counting the time we wait for you "
            "(השלמת פרטים ומסמכים מהפונה).") in en
    assert ("תוך 14 ימי עסקים ב-90% מהמקרים, לא כולל הזמן שבו אנו ממתינים לכם "
            "(השלמת פרטים ומסמכים מהפונה).") in he
    # Promises without a pause do not say it.
    assert he.count("ממתינים לכם") == 1 and en.count("wait for you") == 1


def test_each_class_of_case_has_its_own_promise_sentence():
    project = load("health")
    he = charter(project, "he")[0].text
    assert "תור פנוי מוצע (הפניה דחופה מרופא) תוך יום עסקים אחד ב-90% מהמקרים." in he
    assert "תור פנוי מוצע (תור רגיל) תוך 3 ימי עסקים ב-90% מהמקרים." in he
    en = charter(project, "en")[0].text
    assert "(הפניה דחופה מרופא) within 1 business day in 90% of cases." in en


@pytest.mark.parametrize("lang", ["en", "he"])
def test_an_internal_metric_is_in_the_policy_never_in_the_charter(lang):
    from touchdsl.targets.policy import render as policy

    project = load("health")
    volume = next(m for m in project.touchpoints["complaint"].metrics if m.id == "volume")
    assert volume.promise is None and volume.target is not None
    page, _, md = charter(project, lang)
    ceiling = re.sub("[\u2066-\u2069]", "", Words(lang).objective_short(volume, volume.target).plain())
    for doc in (page.text, re.sub("[\u2066-\u2069]", "", md)):
        assert volume.title not in doc and ceiling not in doc and "25 " not in doc
    owner = policy(project, BuildOptions(lang=lang))["policy/patient_relations.md"].decode()
    owner = re.sub("[\u2066-\u2069]", "", owner)  # the isolates around numbers in Hebrew
    assert volume.title in owner
    assert Words(lang).objective_short(volume, None).plain() in owner
    assert Words(lang).objective_short(volume, volume.target).plain() in owner


# Catalogues ------------------------------------------------------------------


def test_catalogues_hold_every_message_and_hebrew_translates_all():
    from touchdsl.documents import i18n

    wanted = {(m.id if isinstance(m.id, str) else m.id[0], m.context) for m in i18n.extract() if m.id}
    assert len(wanted) > 100
    for lang in i18n.LANGUAGES:
        have = {(m.id if isinstance(m.id, str) else m.id[0], m.context) for m in i18n.catalog(lang) if m.id}
        assert wanted <= have, f"{lang}: run `python -m touchdsl.documents.i18n` and translate {sorted(wanted - have)[:5]}"
    for message in i18n.catalog("he"):
        if message.id:
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            assert all(strings), f"untranslated Hebrew message {message.id!r}"


def test_hebrew_has_singular_dual_and_plural_forms():
    from touchdsl.documents import i18n

    assert i18n.catalog("he").num_plurals == 3
    t = i18n.translations("he")
    forms = [t.ngettext("%(num)s day", "%(num)s days", n) for n in (1, 2, 3, 11)]
    assert forms == ["יום", "יומיים", "%(num)s ימים", "%(num)s ימים"]


# Lists, periods and the charter's own facts -------------------------------------------


@pytest.mark.parametrize("lang,items,expected", [
    ("en", ["Phone", "Chat"], "Phone and Chat"),
    ("en", ["Phone", "Chat", "SMS"], "Phone, Chat, and SMS"),
    ("he", ["טלפון", "צ'אט"], "טלפון וצ'אט"),
    ("he", ["SMS", "WhatsApp"], "SMS ו-WhatsApp"),
    ("he", ["טלפון", "SMS", "WhatsApp"], "טלפון, SMS ו-WhatsApp"),
    ("he", ["טלפון", "SMS", "דואר"], "טלפון, SMS ודואר"),
])
def test_lists_join_the_last_item_with_and(lang, items, expected):
    assert Words(lang).list_of(items) == expected


@pytest.mark.parametrize("lang,text,expected", [
    ("en", "1d", "day"), ("en", "4h", "4 hours"), ("en", "1w", "week"), ("en", "7d", "7 days"),
    ("he", "1d", "יום"), ("he", "2h", "שעתיים"),
])
def test_a_period_of_one_unit_has_no_number(lang, text, expected):
    assert Words(lang).period(Duration.parse(text)).plain() == expected


def test_no_every_1_or_any_1_in_any_document():
    """"at least every 1 day", "no more than 1 in any 1 day": a period of one unit is named alone."""
    from touchdsl.model import Updates

    project = load("health")
    lab = project.touchpoints["lab_results"]
    assert lab.updates is not None and lab.updates.every.text == "1d"
    english = Words("en").updates(lab, lab.updates).plain()
    assert "at least every day," in english and "every 1" not in english
    complaint = project.touchpoints["complaint"]
    volume = next(m for m in complaint.metrics if m.id == "volume")
    daily = volume.model_copy(update={"per": Duration.parse("1d"), "promise": volume.target})
    assert Words("en").promise_sentence(project, daily).plain().endswith("no more than 25 in any day.")
    hourly = Updates(every=Duration.parse("1h"), via="sms")
    assert "at least every hour." in Words("en").updates(lab, hourly).plain()


def test_the_charter_names_the_organisation_and_its_edition():
    project = load("telecom")
    page, html, md = charter(project, "en")
    assert page.tags("h1") and page.text.startswith("Galil Net: our service charter")
    assert "Version 2026.2, in effect from December 1, 2026." in page.text
    he_page, _, he_md = charter(project, "he")
    assert he_page.text.startswith("אמנת השירות של Galil Net")
    assert "גרסה 2026.2, בתוקף מ-1 בדצמבר 2026." in he_page.text
    # Without a project name the generic heading stays.
    anonymous = project.model_copy(update={"title": None})
    assert charter(anonymous, "en")[0].text.startswith("Our service charter")


def test_contacts_are_links_customers_can_use():
    project = load("health")
    page, html, md = charter(project, "he")
    links = {a["href"] for a in page.tags("a")}
    assert {"tel:+97235550199", "tel:+972505550199", "https://www.briut-tova.example/app",
            "mailto:pniyot@briut-tova.example"} <= links
    assert "פניות הציבור, ת.ד. 1234, תל אביב 6100001" in page.text  # an address is text, not a link
    assert all(a.get("dir") == "ltr" for a in page.tags("a"))  # numbers read left to right in Hebrew
    assert f"{LRI}[+972 3-555-0199](<tel:+97235550199>){PDI}" in md
    english = charter(load("telecom"), "en")[2]
    assert "- **Phone:** [+972 3-555-0100](<tel:+97235550100>)" in english


def test_compensation_follows_its_promise_in_both_languages():
    project = load("telecom")
    wanted = "We credit your next bill with 50 NIS for every business day the technician is late."
    for lang, label in (("en", "If we do not keep this promise for you:"), ("he", "אם לא עמדנו בהבטחה הזו כלפיכם:")):
        page, html, md = charter(project, lang)
        assert f"{label} {wanted}" in page.text
        md = md.replace(FSI, "").replace(PDI, "")  # English user text is isolated inside Hebrew
        assert f"*{label}* {wanted}" in md
        # exactly under the promise it belongs to
        line = next(i for i, l in enumerate(md.splitlines()) if wanted in l)
        assert "48" in md.splitlines()[line - 1]


def test_several_calendars_are_named_in_the_sentence_and_in_the_hours():
    project = load("telecom")
    office = project.calendars["il_office"]
    second = office.model_copy(update={"id": "field_hours", "title": "Field hours", "hours": [
        office.hours[0].model_copy(update={"start": "07:00"})]})
    fault = project.touchpoints["technical_fault"]
    arrival = next(m for m in fault.metrics if m.id == "arrival")
    moved = fault.model_copy(update={"metrics": [m if m.id != "arrival" else arrival.model_copy(
        update={"calendar": "field_hours"}) for m in fault.metrics]})
    two = project.model_copy(update={"calendars": {**project.calendars, "field_hours": second},
                                     "touchpoints": {**project.touchpoints, "technical_fault": moved}})
    text = charter(two, "en")[0].text
    assert "Technician arrives within 48 business hours (Field hours) in 95% of cases." in text
    assert "Field hours: Sunday–Thursday 07:00–18:00; closed on public holidays (Israel)." in text
    assert "Israel office hours: Sunday–Thursday 08:00–18:00" in text


def test_the_wording_table_in_the_docs_is_the_real_wording():
    """docs/charter.md's table: English and Hebrew of the same objective, with the same numbers.
    Regenerate it with `python -m tests.wording_table`."""
    from tests.wording_table import DOC, current, table

    assert current(DOC.read_text(encoding="utf-8")) == table()
