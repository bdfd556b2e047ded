"""`touchdsl diff`: classification of every kind of change, the renderers and the command."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.paths import REPO
import touchdsl
from tests.tools import require_tool
from touchdsl import model as m
from touchdsl.tools import semdiff
from touchdsl.tools.semdiff import compare_objectives, diff_projects

EXAMPLES = REPO / "examples"

BASE = """
calendar office "Office hours" {
    timezone "Asia/Jerusalem"
    hours sun-thu 08:00-18:00
    hours fri 08:00-13:00
    holidays "IL"
}

owner desk "Service desk" {
    manager "Avi Cohen" <avi@example.com>
    notify email "desk@example.com"
}

owner field "Field team" {
    manager "Dana Levi" <dana@example.com>
    notify slack "#field"
    page pagerduty "field-primary"
}

journey life "Life" {
    stage help "Getting help"
}

touchpoint fault "Fault repaired" {
    journey life.help
    owner field
    expectation "Fixed soon."
    channels phone, chat

    step report "Customer reports" by desk via phone
    step visit  "Technician visits" by field

    metric answer "Answered" {
        time from report.start to report.answered
        promise 80% within 30s
        target 90% within 20s
    }
    metric arrival "Arrives" {
        time from report.start to visit.start on office
        promise 95% within 48h
    }
    metric abandoned "Abandoned" {
        ratio abandoned of offered
        promise at most 5%
        target at most 3%
    }
    metric fcr "First contact" {
        ratio resolved of contacts
        promise at least 70%
    }
    metric csat "Satisfaction" {
        score 1..5
        promise average at least 4.3
    }
    metric effort "Effort" {
        score 1..7
        promise 80% at least 5
    }
    metric nps "Recommend" {
        nps
        promise at least 30
    }
    metric complaints "Complaints" {
        count complaints per 7d
        promise at most 20
    }

    updates every 4h via sms until visit.end
    escalate to manager on breach
    note "Internal note."
}

touchpoint other "Other service" {
    owner desk
    expectation "Something."
    step only "Only step"
    metric t "T" {
        time from only.start to only.end
        promise 90% within 1d
    }
}
"""


def compile_text(tmp_path: Path, text: str, name: str) -> m.Project:
    folder = tmp_path / name
    folder.mkdir(exist_ok=True)
    (folder / "project.touch").write_text(text, encoding="utf-8")
    return touchdsl.load([str(folder)])


def edit(tmp_path: Path, *replacements: tuple[str, str]) -> list[semdiff.Change]:
    new = BASE
    for old, repl in replacements:
        assert old in new, old
        new = new.replace(old, repl, 1)
    return diff_projects(compile_text(tmp_path, BASE, "old"), compile_text(tmp_path, new, "new"))


def only(changes: list[semdiff.Change]) -> semdiff.Change:
    assert len(changes) == 1, [c.message for c in changes]
    return changes[0]


# ---- objectives, form by form ---------------------------------------------------------

W = m.WithinObjective


def within(p: float, text: str) -> m.WithinObjective:
    return W(percent=p, within=m.Duration.parse(text))


@pytest.mark.parametrize(
    "old, new, expected",
    [
        (within(80, "30s"), within(80, "30s"), "equal"),
        (within(80, "30s"), within(80, "0.5m"), "equal"),  # the same duration written otherwise
        (within(80, "30s"), within(70, "30s"), "looser"),
        (within(80, "30s"), within(80, "45s"), "looser"),
        (within(80, "30s"), within(90, "30s"), "tighter"),
        (within(80, "30s"), within(80, "20s"), "tighter"),
        (within(80, "30s"), within(90, "20s"), "tighter"),
        (within(80, "30s"), within(70, "40s"), "looser"),
        (within(80, "30s"), within(90, "40s"), "mixed"),
        (m.BoundObjective(form="at_most", value=5, percent=True),
         m.BoundObjective(form="at_most", value=8, percent=True), "looser"),
        (m.BoundObjective(form="at_most", value=5, percent=True),
         m.BoundObjective(form="at_most", value=3, percent=True), "tighter"),
        (m.BoundObjective(form="at_least", value=70, percent=True),
         m.BoundObjective(form="at_least", value=60, percent=True), "looser"),
        (m.BoundObjective(form="at_least", value=70, percent=True),
         m.BoundObjective(form="at_least", value=75, percent=True), "tighter"),
        (m.BoundObjective(form="at_least", value=30), m.BoundObjective(form="at_least", value=30), "equal"),
        (m.BoundObjective(form="at_least", value=30), m.BoundObjective(form="at_least", value=-10), "looser"),
        (m.AverageObjective(value=4.3), m.AverageObjective(value=4.0), "looser"),
        (m.AverageObjective(value=4.3), m.AverageObjective(value=4.5), "tighter"),
        (m.ShareObjective(percent=80, value=5), m.ShareObjective(percent=70, value=5), "looser"),
        (m.ShareObjective(percent=80, value=5), m.ShareObjective(percent=80, value=4), "looser"),
        (m.ShareObjective(percent=80, value=5), m.ShareObjective(percent=85, value=6), "tighter"),
        (m.ShareObjective(percent=80, value=5), m.ShareObjective(percent=85, value=4), "mixed"),
        # A form change cannot be ordered: a person has to read it.
        (m.BoundObjective(form="at_most", value=5, percent=True),
         m.BoundObjective(form="at_least", value=95, percent=True), "incomparable"),
        (m.AverageObjective(value=4.3), m.ShareObjective(percent=80, value=4), "incomparable"),
        (m.BoundObjective(form="at_most", value=5, percent=True),
         m.BoundObjective(form="at_most", value=5, percent=False), "incomparable"),
    ],
)
def test_objective_direction(old, new, expected):
    assert compare_objectives(old, new).direction == expected


def test_count_objectives_compare_as_rates():
    per_week, per_fortnight = m.Duration.parse("7d"), m.Duration.parse("14d")
    o20, o40, o30 = (m.BoundObjective(form="at_most", value=v) for v in (20, 40, 30))
    assert compare_objectives(o20, o40, per_week, per_fortnight).direction == "equal"
    assert compare_objectives(o20, o30, per_week, per_fortnight).direction == "tighter"
    assert compare_objectives(o20, o20, per_week, per_fortnight).direction == "tighter"
    assert compare_objectives(o20, o20, per_fortnight, per_week).direction == "looser"


# ---- classification on whole projects ---------------------------------------------------


def test_identical_projects_have_no_changes(tmp_path):
    assert edit(tmp_path) == []


def test_reformatting_is_no_change(tmp_path):
    squeezed = "\n".join(line.strip() for line in BASE.splitlines() if line.strip())
    old = compile_text(tmp_path, BASE, "old")
    new = compile_text(tmp_path, squeezed, "new")
    assert diff_projects(old, new) == []


@pytest.mark.parametrize(
    "before, after, cls, kind",
    [
        ("promise 80% within 30s", "promise 70% within 30s", "breaking", "promise_loosened"),
        ("promise 80% within 30s", "promise 80% within 1m", "breaking", "promise_loosened"),
        ("promise 80% within 30s", "promise 85% within 30s", "safe", "promise_tightened"),
        ("target 90% within 20s", "target 85% within 20s", "internal", "target_loosened"),
        ("target 90% within 20s", "target 95% within 20s", "safe", "target_tightened"),
        ("promise at most 5%", "promise at most 6%", "breaking", "promise_loosened"),
        ("promise at most 5%", "promise at most 4%", "safe", "promise_tightened"),
        ("target at most 3%", "target at most 4%", "internal", "target_loosened"),
        ("promise at least 70%", "promise at least 65%", "breaking", "promise_loosened"),
        ("promise at least 70%", "promise at least 75%", "safe", "promise_tightened"),
        ("promise average at least 4.3", "promise average at least 4.1", "breaking", "promise_loosened"),
        ("promise average at least 4.3", "promise average at least 4.4", "safe", "promise_tightened"),
        ("promise 80% at least 5", "promise 75% at least 5", "breaking", "promise_loosened"),
        ("promise 80% at least 5", "promise 80% at least 6", "safe", "promise_tightened"),
        ("promise at least 30", "promise at least 20", "breaking", "promise_loosened"),
        ("promise at least 30", "promise at least 35", "safe", "promise_tightened"),
        ("promise at most 20", "promise at most 25", "breaking", "promise_loosened"),
        ("promise at most 20", "promise at most 15", "safe", "promise_tightened"),
        ("count complaints per 7d", "count complaints per 1d", "breaking", "promise_loosened"),
        ("promise average at least 4.3", "promise 80% at least 4", "breaking", "promise_loosened"),
        ("promise 80% within 30s", "promise 90% within 40s", "breaking", "promise_loosened"),
    ],
)
def test_objective_edits_are_classified(tmp_path, before, after, cls, kind):
    c = only(edit(tmp_path, (before, after)))
    assert (c.cls, c.kind) == (cls, kind), c.message


def test_equal_objective_written_differently_is_info(tmp_path):
    c = only(edit(tmp_path, ("promise 80% within 30s", "promise 80.0% within 0.5m")))
    assert (c.cls, c.kind) == ("info", "promise_rewritten")


def test_promise_loosened_with_default_target_is_reported_once(tmp_path):
    # `arrival` has no written target: the target follows the promise.
    c = only(edit(tmp_path, ("promise 95% within 48h", "promise 95% within 72h")))
    assert c.cls == "breaking" and c.where == (("touchpoint", "fault"), ("metric", "arrival"))
    assert "95% within 48h → 95% within 72h" in c.message and "longer time" in c.message


def test_writing_the_default_target_explicitly_is_no_change(tmp_path):
    assert edit(tmp_path, ("promise 95% within 48h\n", "promise 95% within 48h\n        target 95% within 48h\n")) == []


def test_removed_metric_is_breaking(tmp_path):
    block = '    metric csat "Satisfaction" {\n        score 1..5\n        promise average at least 4.3\n    }\n'
    c = only(edit(tmp_path, (block, "")))
    assert (c.cls, c.kind) == ("breaking", "metric_removed")
    assert "average at least 4.3" in c.message


def test_added_metric_is_safe(tmp_path):
    block = '    metric extra "Extra" {\n        nps\n        promise at least 10\n    }\n'
    c = only(edit(tmp_path, ("    updates every", block + "    updates every")))
    assert (c.cls, c.kind, c.where[-1]) == ("safe", "metric_added", ("metric", "extra"))


def test_removed_touchpoint_is_breaking_and_lists_withdrawn_promises(tmp_path):
    start = BASE.index('touchpoint other')
    c = only(edit(tmp_path, (BASE[start:], "")))
    assert (c.cls, c.kind, c.where) == ("breaking", "touchpoint_removed", (("touchpoint", "other"),))
    assert "t: 90% within 1d" in c.message


def test_added_touchpoint_is_safe(tmp_path):
    extra = 'touchpoint third "Third" {\n owner desk\n expectation "x"\n}\n'
    c = only(edit(tmp_path, ('touchpoint other', extra + 'touchpoint other')))
    assert (c.cls, c.kind) == ("safe", "touchpoint_added")


def test_owner_reassigned_is_internal(tmp_path):
    c = only(edit(tmp_path, ("    owner field\n", "    owner desk\n")))
    assert (c.cls, c.kind, c.old, c.new) == ("internal", "owner_reassigned", "field", "desk")


def test_step_handed_to_another_unit_is_internal(tmp_path):
    c = only(edit(tmp_path, ('"Technician visits" by field', '"Technician visits" by desk')))
    assert (c.cls, c.kind, c.where[-1]) == ("internal", "step_performer_changed", ("step", "visit"))


def test_steps_added_retitled_and_removed(tmp_path):
    changes = edit(tmp_path, ('    step visit  "Technician visits" by field\n',
                              '    step visit  "The technician visits" by field\n'
                              '    step verify "Follow-up call" by desk via phone\n'))
    assert {(c.cls, c.kind) for c in changes} == {("info", "title_changed"), ("safe", "step_added")}
    with_extra = BASE.replace('step only "Only step"', 'step only "Only step"\n    step gone "Gone"')
    old = compile_text(tmp_path, with_extra, "a")
    c = only(diff_projects(old, compile_text(tmp_path, BASE, "b")))
    assert (c.cls, c.kind, c.where[-1]) == ("internal", "step_removed", ("step", "gone"))


def test_steps_reordered_is_info(tmp_path):
    two = 'step only "Only step"\n    step second "Second"'
    old = compile_text(tmp_path, BASE.replace('step only "Only step"', two), "a")
    new = compile_text(tmp_path, BASE.replace('step only "Only step"', 'step second "Second"\n    step only "Only step"'), "b")
    c = only(diff_projects(old, new))
    assert (c.cls, c.kind) == ("info", "steps_reordered")


def test_channel_removed_is_breaking_added_is_safe(tmp_path):
    changes = edit(tmp_path, ("channels phone, chat", "channels phone, web"))
    assert {(c.cls, c.kind) for c in changes} == {("breaking", "channel_removed"), ("safe", "channel_added")}


def test_updates(tmp_path):
    assert only(edit(tmp_path, ("every 4h", "every 8h"))).cls == "breaking"
    assert only(edit(tmp_path, ("every 4h", "every 2h"))).cls == "safe"
    assert only(edit(tmp_path, ("    updates every 4h via sms until visit.end\n", ""))).kind == "updates_removed"
    assert only(edit(tmp_path, ("via sms until", "via email until"))).cls == "info"


def test_escalations(tmp_path):
    c = only(edit(tmp_path, ("escalate to manager on breach", "escalate to manager on breach, risk")))
    assert (c.cls, c.kind) == ("safe", "escalation_added")
    c = only(edit(tmp_path, ("    escalate to manager on breach\n", "")))
    assert (c.cls, c.kind) == ("internal", "escalation_removed")


def test_text_edits_are_info(tmp_path):
    changes = edit(tmp_path, ('"Fault repaired"', '"Fault repaired fast"'), ('"Fixed soon."', '"Fixed today."'),
                   ('note "Internal note."', 'note "Another note."'), ("journey life.help", "journey life"))
    assert {c.cls for c in changes} == {"info"}
    assert {c.kind for c in changes} == {"title_changed", "expectation_changed", "note_changed", "journey_changed"}


def test_business_clock_added_loosens_removed_tightens(tmp_path):
    changes = edit(tmp_path, ("to report.answered", "to report.answered on office"))
    # `answer` has a written target: promise and target both move with the clock.
    assert [(c.cls, c.kind) for c in changes] == [("breaking", "promise_loosened"), ("internal", "target_loosened")]
    assert all(c.message.endswith(": 80% within 30s (business clock office instead of the wall clock)")
               or c.message.endswith(": 90% within 20s (business clock office instead of the wall clock)") for c in changes)
    changes = edit(tmp_path, ("to visit.start on office", "to visit.start"))
    assert [(c.cls, c.kind) for c in changes] == [("safe", "promise_tightened")]


def test_clock_and_objective_in_opposite_directions_is_a_loosening(tmp_path):
    changes = edit(tmp_path, ("to report.answered\n        promise 80% within 30s",
                              "to report.answered on office\n        promise 80% within 20s"))
    promise = next(c for c in changes if c.kind.startswith("promise"))
    assert promise.cls == "breaking" and "in part" in promise.message


def test_measure_change_needs_sign_off(tmp_path):
    c = only(edit(tmp_path, ("to report.answered", "to report.end")))
    assert (c.cls, c.kind) == ("breaking", "measure_changed")
    c = only(edit(tmp_path, ("score 1..5", "score 1..7")))
    assert (c.cls, c.kind) == ("breaking", "measure_changed")
    c = only(edit(tmp_path, ("ratio abandoned of offered", "ratio dropped of offered")))
    assert (c.cls, c.kind) == ("breaking", "measure_changed")


def test_window_and_source_are_internal(tmp_path):
    c = only(edit(tmp_path, ("promise at least 30\n", "promise at least 30\n        window 7d\n")))
    assert (c.cls, c.kind) == ("internal", "window_changed")
    src = '        source prometheus {\n            good "a"\n            total "b"\n        }\n'
    c = only(edit(tmp_path, ("promise at least 30\n", "promise at least 30\n" + src)))
    assert (c.cls, c.kind) == ("internal", "source_changed")


def test_calendar_changes_follow_the_promises_on_them(tmp_path):
    c = only(edit(tmp_path, ("    hours fri 08:00-13:00\n", "")))
    assert (c.cls, c.kind) == ("breaking", "calendar_looser") and "fault.arrival" in c.message
    c = only(edit(tmp_path, ("hours fri 08:00-13:00", "hours fri 08:00-14:00")))
    assert (c.cls, c.kind) == ("safe", "calendar_tighter")
    c = only(edit(tmp_path, ('holidays "IL"', 'holidays "IL"\n    closed 2026-12-31')))
    assert c.cls == "breaking" and "2026-12-31" in c.message
    c = only(edit(tmp_path, ('timezone "Asia/Jerusalem"', 'timezone "Europe/London"')))
    assert c.cls == "breaking"
    c = only(edit(tmp_path, ("hours sun-thu 08:00-18:00\n    hours fri 08:00-13:00",
                             "hours fri 08:00-13:00\n    hours sun-thu 08:00-18:00")))
    assert c.cls == "info"


def test_calendar_change_without_users_is_info(tmp_path):
    changes = edit(tmp_path, ("to visit.start on office", "to visit.start"), ("    hours fri 08:00-13:00\n", ""))
    assert [(c.cls, c.kind) for c in changes] == [("safe", "promise_tightened"), ("info", "calendar_looser")]


def test_owner_level_changes(tmp_path):
    changes = edit(tmp_path, ('<dana@example.com>', '<dana.levi@example.com>'))
    assert [(c.cls, c.kind) for c in changes] == [("internal", "manager_changed")]
    changes = edit(tmp_path, ('    page pagerduty "field-primary"\n', '    notify email "f@example.com"\n'))
    assert sorted((c.cls, c.kind) for c in changes) == [("internal", "page_removed"), ("safe", "notify_added")]


def test_examples_against_themselves_and_each_other():
    telecom = touchdsl.load([str(EXAMPLES / "telecom")])
    banking = touchdsl.load([str(EXAMPLES / "banking")])
    assert diff_projects(telecom, telecom) == []
    changes = diff_projects(telecom, banking)
    removed = {c.where for c in changes if c.kind == "touchpoint_removed"}
    assert removed == {(("touchpoint", "technical_fault"),), (("touchpoint", "address_change"),)}
    assert all(c.cls == "breaking" for c in changes if c.kind == "touchpoint_removed")


# ---- renderers -------------------------------------------------------------------------


def test_json_shape(tmp_path):
    changes = edit(tmp_path, ("promise 80% within 30s", "promise 70% within 30s"))
    doc = json.loads(semdiff.format_json(changes, "old", "new"))
    assert doc["version"] == semdiff.JSON_FORMAT_VERSION
    assert doc["summary"] == {"breaking": 1, "internal": 0, "safe": 0, "info": 0}
    (change,) = doc["changes"]
    assert change == {
        "class": "breaking", "kind": "promise_loosened",
        "where": {"touchpoint": "fault", "metric": "answer"},
        "message": "promise loosened: 80% within 30s → 70% within 30s (lower share)",
        "old": "80% within 30s", "new": "70% within 30s",
    }


def test_markdown_escapes_user_text(tmp_path):
    hostile = 'Fault <img src=x onerror=alert(1)> **bold** [link](http://x) | @team #12 `code`'
    changes = edit(tmp_path, ('"Fixed soon."', json.dumps(hostile)))
    md = semdiff.format_markdown(changes, "git:main", "examples/x")
    line = next(line for line in md.splitlines() if "expectation" in line)
    text = line.split(": ", 1)[1]
    assert "@&#8203;team" in line and re.search(r"@(?!&#8203;)", text) is None
    text = text.replace("@&#8203;", "@")
    for special in "<>*[]|#`":
        assert re.search(r"(?<!\\)" + re.escape(special), text) is None, special
    assert "\\<img" in line and "\\*\\*bold\\*\\*" in line
    assert md.startswith(semdiff.MARKDOWN_MARKER)
    assert "<details><summary>⚪ Info (1)</summary>\n\n- touchpoint `fault`: expectation changed" in md
    assert md.endswith("</details>\n")


def test_markdown_groups_breaking_first(tmp_path):
    changes = edit(tmp_path, ("every 4h", "every 2h"), ("promise at most 5%", "promise at most 9%"))
    md = semdiff.format_markdown(changes, "a", "b")
    assert md.index("Breaking for customers") < md.index("Safe (1)")
    assert "sign-off" in md


def test_fail_on_levels():
    c = lambda cls: semdiff.Change(cls, "k", (), "m")  # noqa: E731
    assert not semdiff.fails([], "any")
    assert semdiff.fails([c("info")], "any")
    assert not semdiff.fails([c("safe"), c("info")], "internal")
    assert semdiff.fails([c("internal")], "internal")
    assert semdiff.fails([c("breaking")], "internal")
    assert not semdiff.fails([c("internal")], "breaking")
    assert semdiff.fails([c("breaking")], "breaking")
    assert not semdiff.fails([c("breaking")], None)


# ---- the command -------------------------------------------------------------------------


def _project_dirs(tmp_path: Path, new_text: str) -> tuple[Path, Path]:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "p.touch").write_text(BASE, encoding="utf-8")
    (b / "p.touch").write_text(new_text, encoding="utf-8")
    return a, b


def test_command_exit_codes(tmp_path):
    a, b = _project_dirs(tmp_path, BASE.replace("promise 80% within 30s", "promise 70% within 30s"))
    run = CliRunner().invoke
    r = run(semdiff.command, [str(a), str(b)])
    assert r.exit_code == 0 and "Breaking for customers (1):" in r.output
    r = run(semdiff.command, [str(a), str(b), "--fail-on", "breaking"])
    assert r.exit_code == 1
    r = run(semdiff.command, [str(b), str(a), "--fail-on", "internal"])  # the reverse tightens
    assert r.exit_code == 0 and "Safe (1):" in r.output
    r = run(semdiff.command, [str(b), str(a), "--fail-on", "any"])
    assert r.exit_code == 1
    r = run(semdiff.command, [str(a), str(tmp_path / "missing")])
    assert r.exit_code == 2 and "no such file" in r.output
    r = run(semdiff.command, [str(a), str(b), "--format", "json", "-o", str(tmp_path / "d.json")])
    assert r.exit_code == 0 and json.loads((tmp_path / "d.json").read_text())["summary"]["breaking"] == 1


def test_command_reports_errors_in_input(tmp_path):
    a, b = _project_dirs(tmp_path, BASE.replace("owner field\n", "owner nobody\n"))
    r = CliRunner().invoke(semdiff.command, [str(a), str(b)])
    assert r.exit_code == 1
    assert "p.touch" in r.output and "nobody" in r.output and "nothing compared" in r.output


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path, monkeypatch):
    require_tool("git")
    root = tmp_path / "repo"
    project = root / "svc" / "proj"
    project.mkdir(parents=True)
    (project / "p.touch").write_text(BASE, encoding="utf-8")
    (root / "unrelated.touch").write_text("this is not touch at all {{{", encoding="utf-8")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "-c", "user.email=t@example.com", "-c", "user.name=t", "add", ".")
    _git(root, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-q", "-m", "base")
    monkeypatch.chdir(root)
    return root


def test_git_revision_against_working_tree(repo):
    (repo / "svc/proj/p.touch").write_text(BASE.replace("promise at most 5%", "promise at most 7%"), encoding="utf-8")
    r = CliRunner().invoke(semdiff.command, ["git:main", "svc/proj", "--fail-on", "breaking", "--format", "markdown"])
    assert r.exit_code == 1, r.output
    assert "Comparing `git:main:svc/proj` → `svc/proj`" in r.output
    assert "at most 5% → at most 7%" in r.output
    # From a subdirectory, the project path is relative to where the command runs.
    os.chdir(repo / "svc")
    r = CliRunner().invoke(semdiff.command, ["git:HEAD", "proj"])
    assert r.exit_code == 0 and "1 breaking" in r.output


def test_git_revision_explicit_path_and_two_revisions(repo):
    (repo / "svc/proj/p.touch").write_text(BASE.replace("every 4h", "every 1h"), encoding="utf-8")
    _git(repo, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-q", "-am", "faster")
    r = CliRunner().invoke(semdiff.command, ["git:HEAD~1:svc/proj", "git:HEAD:svc/proj"])
    assert r.exit_code == 0 and "updates more often" in r.output
    r = CliRunner().invoke(semdiff.command, ["git:HEAD~1", "svc/proj/p.touch"])
    assert r.exit_code == 0 and "updates more often" in r.output


def test_git_errors(repo):
    r = CliRunner().invoke(semdiff.command, ["git:no-such-branch", "svc/proj"])
    assert r.exit_code == 2 and "git:no-such-branch: no such revision" in r.output
    r = CliRunner().invoke(semdiff.command, ["git:", "svc/proj"])
    assert r.exit_code == 2


def test_git_errors_show_revision_paths(repo):
    (repo / "svc/proj/p.touch").write_text(BASE.replace("owner field\n", "owner nobody\n"), encoding="utf-8")
    _git(repo, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-q", "-am", "broken")
    (repo / "svc/proj/p.touch").write_text(BASE, encoding="utf-8")
    r = CliRunner().invoke(semdiff.command, ["git:HEAD", "svc/proj"])
    assert r.exit_code == 1
    assert "HEAD:svc/proj/p.touch:" in r.output and "touchdsl-diff-" not in r.output


def test_new_project_compares_against_empty(repo):
    new = repo / "svc" / "fresh"
    new.mkdir()
    (new / "p.touch").write_text(BASE, encoding="utf-8")
    r = CliRunner().invoke(semdiff.command, ["git:main", "svc/fresh", "--fail-on", "breaking"])
    assert r.exit_code == 0, r.output
    assert "no .touch files" in r.output and "touchpoint added" in r.output


def test_count_reasons_speak_of_rates_when_the_period_changes():
    o = m.BoundObjective(form="at_most", value=20)
    c = compare_objectives(o, o, m.Duration.parse("7d"), m.Duration.parse("1d"))
    assert (c.direction, c.reasons) == ("looser", ["higher rate"])
    c = compare_objectives(o, m.BoundObjective(form="at_most", value=10), m.Duration.parse("7d"), m.Duration.parse("7d"))
    assert (c.direction, c.reasons) == ("tighter", ["lower limit"])


def test_notes_journeys_and_defaults_are_info(tmp_path):
    changes = edit(tmp_path, ('    note "Internal note."\n', ""), ('stage help "Getting help"', 'stage help "Help"'))
    assert [(c.cls, c.kind, c.message) for c in changes] == [
        ("info", "note_removed", "note removed"),
        ("info", "stages_changed", 'stages changed: help "Getting help" → help "Help"'),
    ]
    changes = edit(tmp_path, ("journey life", 'defaults {\n    charter language "he"\n}\njourney life'))
    assert [(c.cls, c.kind) for c in changes] == [("info", "language_changed")]


def test_git_outside_a_repository_is_a_usage_error(tmp_path, monkeypatch):
    require_tool("git")
    project = tmp_path / "p"
    project.mkdir()
    (project / "p.touch").write_text(BASE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    r = CliRunner().invoke(semdiff.command, ["git:main", "p"])
    assert r.exit_code == 2 and "not a git repository" in r.output


# ---- the charter's own facts: contacts, compensation, edition --------------------------

WITH_CHARTER = ('calendar office "Office hours" {',
                'project "Galil Net" {\n    contact phone "+972 3-555-0100"\n    contact web "https://galil.example"\n}\n\n'
                'defaults {\n    charter version "1"\n    charter effective 2026-01-01\n}\n\n'
                'calendar office "Office hours" {')
PAID = ("        promise 95% within 48h\n",
        "        promise 95% within 48h\n        compensation \"50 NIS off your next bill.\"\n")


def _charter_diff(tmp_path: Path, old: list[tuple[str, str]], new: list[tuple[str, str]]) -> list[semdiff.Change]:
    def text(replacements: list[tuple[str, str]]) -> str:
        out = BASE
        for a, b in replacements:
            assert a in out, a
            out = out.replace(a, b, 1)
        return out

    return diff_projects(compile_text(tmp_path, text(old), "old"), compile_text(tmp_path, text(new), "new"))


@pytest.mark.parametrize("old,new,cls,kind", [
    ([WITH_CHARTER, PAID], [WITH_CHARTER], "breaking", "compensation_removed"),
    ([WITH_CHARTER], [WITH_CHARTER, PAID], "safe", "compensation_added"),
    ([WITH_CHARTER, PAID], [WITH_CHARTER, (PAID[0], PAID[1].replace("50", "20"))], "breaking",
     "compensation_changed"),
    ([WITH_CHARTER], [(WITH_CHARTER[0], WITH_CHARTER[1].replace('    contact web "https://galil.example"\n', ""))],
     "breaking", "contact_removed"),
    ([WITH_CHARTER], [(WITH_CHARTER[0], WITH_CHARTER[1].replace("555-0100", "555-0101"))], "breaking",
     "contact_changed"),
    ([(WITH_CHARTER[0], WITH_CHARTER[1].replace('    contact web "https://galil.example"\n', ""))], [WITH_CHARTER],
     "safe", "contact_added"),
    ([WITH_CHARTER], [(WITH_CHARTER[0], WITH_CHARTER[1].replace('"Galil Net"', '"Galil Networks"'))], "info",
     "project_title_changed"),
    ([WITH_CHARTER], [(WITH_CHARTER[0], WITH_CHARTER[1].replace('version "1"', 'version "2"'))], "info",
     "version_changed"),
    ([WITH_CHARTER], [(WITH_CHARTER[0], WITH_CHARTER[1].replace("2026-01-01", "2026-02-01"))], "info",
     "effective_changed"),
])
def test_charter_facts_are_classified(tmp_path, old, new, cls, kind):
    change = only(_charter_diff(tmp_path, old, new))
    assert (change.cls, change.kind) == (cls, kind), change.message


def test_a_reformatted_phone_number_is_no_change(tmp_path):
    spaced = (WITH_CHARTER[0], WITH_CHARTER[1].replace("+972 3-555-0100", "+97235550100"))
    assert _charter_diff(tmp_path, [WITH_CHARTER], [spaced]) == []


# ---- business days, pauses, classes, internal metrics, eves and dates (issue 13) ----------


def _arrival(tmp_path: Path, old: str, new: str) -> list[semdiff.Change]:
    """The change of the `arrival` promise from `old` to `new` (`2 business days` …)."""
    def project(limit: str, name: str) -> m.Project:
        return compile_text(tmp_path, BASE.replace("promise 95% within 48h", f"promise 95% within {limit}"), name)
    return diff_projects(project(old, "old"), project(new, "new"))


def test_a_business_day_promise_lengthened_is_breaking_shortened_safe(tmp_path):
    c = only(_arrival(tmp_path, "2 business days", "3 business days"))
    assert (c.cls, c.kind) == ("breaking", "promise_loosened")
    assert c.message == "promise loosened: 95% within 2 business days → 95% within 3 business days (longer time)"
    c = only(_arrival(tmp_path, "2 business days", "1 business day"))
    assert (c.cls, c.kind) == ("safe", "promise_tightened")
    # Weeks compare by their days: 2 business weeks of a six-day office are 12 business days.
    c = only(_arrival(tmp_path, "2 business weeks", "12 business days"))
    assert c.cls == "info" and c.kind == "promise_rewritten"


def test_hours_to_business_days_cannot_be_ordered_and_needs_sign_off(tmp_path):
    c = only(edit(tmp_path, ("promise 95% within 48h", "promise 95% within 2 business days")))
    assert (c.cls, c.kind) == ("breaking", "promise_loosened")
    assert "changed incomparably" in c.message and "the limit changed from 48h to 2 business days" in c.message


def test_a_pause_added_is_breaking_removed_is_safe(tmp_path):
    paused = ("promise 95% within 48h", "promise 95% within 48h\n        pause from report.end to visit.start")
    c = only(edit(tmp_path, paused))
    assert (c.cls, c.kind) == ("breaking", "promise_loosened")
    assert c.message == ("promise loosened: 95% within 48h (pause from report.end to visit.start added)")
    c = only(diff_projects(compile_text(tmp_path, BASE.replace(*paused), "paused"),
                           compile_text(tmp_path, BASE, "running")))
    assert (c.cls, c.kind) == ("safe", "promise_tightened")
    # A pause on a metric with a written target loosens the target too (internal).
    changes = edit(tmp_path, ("promise 80% within 30s",
                              "promise 80% within 30s\n        pause from report.queued to report.answered"))
    assert [(c.cls, c.kind) for c in changes] == [("breaking", "promise_loosened"), ("internal", "target_loosened")]


def test_making_a_metric_internal_withdraws_its_promise(tmp_path):
    c = only(edit(tmp_path, ("        promise at most 20\n", "        target at most 20\n")))
    assert (c.cls, c.kind) == ("breaking", "promise_withdrawn")
    assert c.message == "promise withdrawn: at most 20 per 7d; the metric is now internal"
    internal = ("        promise at most 20\n", "        target at most 20\n")
    c = only(diff_projects(compile_text(tmp_path, BASE.replace(*internal), "internal"),
                           compile_text(tmp_path, BASE, "published")))
    assert (c.cls, c.kind) == ("safe", "promise_published")
    # Removing an internal metric withdraws nothing customers were told.
    c = only(diff_projects(compile_text(tmp_path, BASE.replace(*internal), "internal2"),
                           compile_text(tmp_path, BASE.replace(
                               '    metric complaints "Complaints" {\n        count complaints per 7d\n'
                               '        promise at most 20\n    }\n', ""), "gone")))
    assert (c.cls, c.kind) == ("internal", "metric_removed")


CLASSES = ('    channels phone, chat\n', '    channels phone, chat\n    class outage "No service"\n'
           '    class slow "Slow service"\n')


def test_a_metric_judged_per_class_is_compared_class_by_class(tmp_path):
    split = ("promise 95% within 48h", "promise 95% within 48h\n        promise 95% within 24h for outage")
    changes = edit(tmp_path, CLASSES, split)
    by = {(c.label, c.cls, c.kind) for c in changes}
    assert ("touchpoint fault › class outage", "info", "class_added") in by
    assert ("touchpoint fault › class slow", "info", "class_added") in by
    # The class with its own, stricter promise is tighter; the other keeps the promise it had.
    assert ("touchpoint fault › metric arrival.outage", "safe", "promise_tightened") in by
    assert not any("arrival.slow" in label for label, _, _ in by)
    assert not any(kind in ("metric_removed", "metric_added") for _, _, kind in by)
    # A class's promise loosened is breaking, for that class.
    before = compile_text(tmp_path, BASE.replace(*CLASSES).replace(*split), "split")
    after = compile_text(tmp_path, BASE.replace(*CLASSES).replace(
        "promise 95% within 48h", "promise 95% within 48h\n        promise 95% within 36h for outage"), "looser")
    c = only(diff_projects(before, after))
    assert (c.label, c.cls, c.kind) == ("touchpoint fault › metric arrival.outage", "breaking", "promise_loosened")


def test_shorter_eve_or_date_hours_under_a_promise_are_breaking(tmp_path):
    c = only(edit(tmp_path, ('holidays "IL"', 'hours eve 08:00-12:00\n    holidays "IL"')))
    assert (c.cls, c.kind) == ("breaking", "calendar_looser")
    assert "shorter hours on eves of holidays" in c.message and "fault.arrival" in c.message
    c = only(edit(tmp_path, ('holidays "IL"', 'hours 2026-11-05 08:00-12:00\n    holidays "IL"')))
    assert (c.cls, c.kind) == ("breaking", "calendar_looser") and "shorter hours on 2026-11-05" in c.message
    eve = ('holidays "IL"', 'hours eve 08:00-12:00\n    holidays "IL"')
    c = only(diff_projects(compile_text(tmp_path, BASE.replace(*eve), "eve"),
                           compile_text(tmp_path, BASE.replace(eve[0], 'hours eve 08:00-14:00\n    holidays "IL"'),
                                        "later")))
    assert (c.cls, c.kind) == ("safe", "calendar_tighter") and "longer hours on eves of holidays" in c.message
