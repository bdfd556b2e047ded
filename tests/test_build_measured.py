"""`touchdsl build --measured measure.json`: the charter prints under each promise what
the last period achieved (never a target's figure), the policy shows the promise's and
the target's; a measurement of another project, of an older schema, or of an older
version of a metric is refused or flagged."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

import touchdsl
from tests.paths import REPO
from touchdsl.cli import cli
from touchdsl.documents.wording import Evidence, Words

TELECOM = REPO / "examples" / "telecom"
AS_OF = "2026-11-30T17:00:00+02:00"


@pytest.fixture(scope="module")
def measured(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("measured")
    result = CliRunner().invoke(cli, ["measure", str(TELECOM), "-e", str(TELECOM / "events.csv"), "--as-of", AS_OF,
                                      "--fail-on", "never", "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return out / "measure.json"


def build(project: Path, out: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["build", str(project), "-o", str(out), "-t", "charter", "-t", "policy", *args],
                                catch_exceptions=False)
    return result.exit_code, result.stdout + result.stderr


class _Promises(HTMLParser):
    """The charter's promises: per list item, its text and the text of its `.achieved` line."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[list[str]] = []
        self.depth = 0
        self.in_list = False
        self.achieved = False

    def handle_starttag(self, tag, attrs):
        if tag == "ul" and ("class", "promises") in attrs:
            self.in_list = True
        elif tag == "li" and self.in_list:
            self.items.append(["", ""])
        elif tag == "span" and ("class", "achieved") in attrs:
            self.achieved = True

    def handle_endtag(self, tag):
        if tag == "ul":
            self.in_list = False
        elif tag == "span":
            self.achieved = False

    def handle_data(self, data):
        if self.in_list and self.items:
            self.items[-1][1 if self.achieved else 0] += data


def promises(html: str) -> list[list[str]]:
    parser = _Promises()
    parser.feed(html)
    return parser.items


def test_each_published_promise_gets_the_last_periods_figure_and_never_a_target(measured, tmp_path):
    doc = json.loads(measured.read_text(encoding="utf-8"))
    code, text = build(TELECOM, tmp_path / "out", "--measured", str(measured))
    assert code == 0, text
    html = (tmp_path / "out" / "charter" / "index.html").read_text(encoding="utf-8")
    found = promises(html)
    project = touchdsl.load([str(TELECOM)])
    assert len(found) == sum(len(tp.metrics) for tp in project.touchpoints.values())
    assert all(achieved.startswith("In the 28 days to November 30, 2026: ") for _, achieved in found)
    arrival = next(i for i in doc["items"] if i["metric"] == "arrival")
    last = arrival["periods"][-1]
    assert last["promise"]["value"] == 88.0 and last["target"]["value"] != last["promise"]["value"]
    line = next(a for p, a in found if "Technician arrives" in p)
    assert line == (f"In the 28 days to November 30, 2026: 88% of {last['promise']['decided']} cases "
                    "within 48 business hours.")
    # the target's figure and its objective appear nowhere in the charter
    target_shown = f"{round(last['target']['value'], 1):g}%"
    assert target_shown not in html and "36 business hours" not in html
    updates = re.search(r'<p class="updates">(.*?)</p>', html, re.S).group(1)
    assert "were updated at least every 4 hours" in updates
    # the policy shows both, with status and margin
    policy = (tmp_path / "out" / "policy" / "field_ops.md").read_text(encoding="utf-8")
    assert "**Achieved (promise):** In the 28 days to November 30, 2026: 88% of 125 cases within 48 business hours (missed, −7 pt)." in policy
    assert f"**Achieved (target):** In the 28 days to November 30, 2026: {target_shown} of " in policy
    assert "36 business hours (missed" in policy


def test_hebrew_charter_with_figures_formatted_by_babel(measured, tmp_path):
    code, text = build(TELECOM, tmp_path / "out", "--measured", str(measured), "--lang", "he")
    assert code == 0, text
    found = promises((tmp_path / "out" / "charter" / "index.html").read_text(encoding="utf-8"))
    assert all(a.startswith("ב28 ימים שהסתיימו ב־30 בנובמבר 2026: ") for _, a in found), found[0]
    assert any("88%" in a and "מתוך 125 פניות תוך 48 שעות עבודה" in a for _, a in found)
    en, he = Evidence(Words("en")), Evidence(Words("he"))
    assert en.count(1204).plain() == "1,204" and he.count(1204).plain() == "1,204"
    assert en.share(96.44).plain() == "96.4%" and en.decimal(4.5678, 2).plain() == "4.57"


def test_without_measured_nothing_changes(tmp_path):
    code, _ = build(TELECOM, tmp_path / "out")
    html = (tmp_path / "out" / "charter" / "index.html").read_text(encoding="utf-8")
    assert code == 0 and "achieved" not in html and all(a == "" for _, a in promises(html))


def _edit(doc: dict, path: Path) -> Path:
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_a_promise_without_data_or_measured_before_it_changed_says_so(measured, tmp_path):
    doc = json.loads(measured.read_text(encoding="utf-8"))
    # csat: no answers in the last period; answer: measured under another definition; abandoned: not measured
    for item in doc["items"]:
        if item["metric"] == "csat":
            for role in ("promise", "target"):
                item["periods"][-1][role].update(status="no_data", value=None, margin=None, decided=0)
        if item["metric"] == "answer":
            item["definition"] = "sha256:0123456789abcdef"
    doc["items"] = [i for i in doc["items"] if i["metric"] != "abandoned"]
    code, text = build(TELECOM, tmp_path / "out", "--measured", str(_edit(doc, tmp_path / "m.json")))
    assert code == 0, text
    lines = (TELECOM / "support.touch").read_text(encoding="utf-8").splitlines()
    answer = next(k for k, line in enumerate(lines, 1) if "promise 80% within 30s" in line)
    abandoned = next(k for k, line in enumerate(lines, 1) if "promise at most 5%" in line)
    assert f"support.touch:{answer}:9: warning[TD613]: `technical_fault.answer` was measured under another " \
           "definition" in text
    assert f"support.touch:{abandoned}:9: warning[TD614]: `technical_fault.abandoned` is not in the measurement" in text
    found = dict(promises((tmp_path / "out" / "charter" / "index.html").read_text(encoding="utf-8")))
    by_title = {p.split(":")[0].split(" within")[0]: a for p, a in found.items()}
    assert by_title["Customer speaks with a representative"] == "No figures yet for this promise."
    assert by_title["Calls abandoned before an answer"] == "No figures yet for this promise."
    assert by_title["Satisfaction after the visit"] == "In the 28 days to November 30, 2026: nothing measured yet."
    code, text = build(TELECOM, tmp_path / "strict", "--measured", str(tmp_path / "m.json"), "--strict")
    assert code == 1 and "nothing written" in text and not (tmp_path / "strict").exists()


@pytest.mark.parametrize("change, words", [
    (lambda d: d.update(schema_version="1"), 'has schema version "1"; this touchdsl reads version 2: measure again'),
    (lambda d: d.pop("items"), "is not a measure.json"),
    (lambda d: d["items"][0].update(kind="teleport"), "is not a valid measure.json: items.0.kind"),
    (lambda d: [i.update(touchpoint="elsewhere") for i in d["items"]], "measures another project: none of its 8 metrics"),
])
def test_a_measurement_that_does_not_fit_is_refused(measured, tmp_path, change, words):
    doc = json.loads(measured.read_text(encoding="utf-8"))
    change(doc)
    code, text = build(TELECOM, tmp_path / "out", "--measured", str(_edit(doc, tmp_path / "m.json")))
    assert code == 2 and words in text and "nothing written" in text and "Traceback" not in text
    assert not (tmp_path / "out").exists()


def test_a_file_that_is_not_json_or_is_missing_is_refused(tmp_path):
    (tmp_path / "x.json").write_bytes(b"\xff\xfe not json")
    for path, words in ((tmp_path / "x.json", "not JSON text"), (tmp_path / "none.json", "cannot read")):
        code, text = build(TELECOM, tmp_path / "out", "--measured", str(path))
        assert code == 2 and words in text
