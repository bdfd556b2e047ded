"""`touchdsl fmt`: the canonical layout, comments, quoting and the command."""

from __future__ import annotations

import os
import shutil
import stat

import pytest
from click.testing import CliRunner

from tests.paths import REPO
import touchdsl
from touchdsl.language.parser import parse
from touchdsl.tools import fmt as formatter
from touchdsl.tools.fmt import format_source

EXAMPLE_FILES = sorted((REPO / "examples").glob("*/*.touch"))


def fmt(text: str) -> str:
    out, errors = format_source(text, "t.touch")
    assert not errors, errors
    return out


def without_locations(value):
    if isinstance(value, dict):
        return {k: without_locations(v) for k, v in value.items() if k not in ("location", "files")}
    if isinstance(value, list):
        return [without_locations(v) for v in value]
    return value


def comments(text: str) -> list[str]:
    tree, _ = parse(text, "t.touch")
    return sorted(c.text.rstrip() for c in tree.comments)


# ---- the examples -----------------------------------------------------------------------


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_examples_format_idempotently_and_keep_comments(path):
    text = path.read_text(encoding="utf-8")
    once = fmt(text)
    assert fmt(once) == once
    assert comments(once) == comments(text)


@pytest.mark.parametrize("project", ["telecom", "banking", "health"])
def test_formatted_examples_compile_to_the_same_model(tmp_path, project):
    source = REPO / "examples" / project
    copy = tmp_path / project
    shutil.copytree(source, copy)
    for f in copy.glob("*.touch"):
        f.write_text(fmt(f.read_text(encoding="utf-8")), encoding="utf-8")
    before = touchdsl.load([str(source)]).model_dump(mode="json")
    after = touchdsl.load([str(copy)]).model_dump(mode="json")
    assert without_locations(after) == without_locations(before)
    assert before["files"] == after["files"]


def test_example_layout():
    out = fmt((REPO / "examples/telecom/support.touch").read_text(encoding="utf-8"))
    assert '    step report  "Customer reports the fault and books a technician" by service_center via phone\n' in out
    assert '    step confirm "Technician' in out
    # The spec's layout: consecutive metrics are not set apart; notes keep their """ block.
    assert "        target 90% within 20s\n    }\n    metric arrival" in out
    assert '    step verify  "Follow-up call confirms the fault is fixed" by service_center via phone\n\n    metric answer' in out
    # The acceptance files are already in the canonical layout.
    assert out == (REPO / "examples/telecom/support.touch").read_text(encoding="utf-8")
    assert '    note """\n        The follow-up call is made by the service center, but field operations\n' in out
    assert '    """\n}\n\ntouchpoint address_change' in out


# ---- layout -----------------------------------------------------------------------------


def test_canonical_layout_from_a_squeezed_file():
    text = ('owner  a   "A"{manager "M" <m@example.com> notify email "a@example.com"}'
            'touchpoint t "T" { owner a expectation "E" channels phone,chat '
            'step s "S" by a via phone step long_name "L" '
            'metric m "M" { time from s.start to long_name.end promise 80% within 30s } }')
    assert fmt(text) == (
        'owner a "A" {\n'
        '    manager "M" <m@example.com>\n'
        '    notify email "a@example.com"\n'
        '}\n'
        '\n'
        'touchpoint t "T" {\n'
        '    owner a\n'
        '    expectation "E"\n'
        '    channels phone, chat\n'
        '    step s         "S" by a via phone\n'
        '    step long_name "L"\n'
        '\n'
        '    metric m "M" {\n'
        '        time from s.start to long_name.end\n'
        '        promise 80% within 30s\n'
        '    }\n'
        '}\n'
    )


def test_every_statement_prints_back():
    text = '''import "x.touch"
import "y.touch"

calendar c "C" {
    timezone "Asia/Jerusalem"
    hours sun-thu, sat 08:00-18:00
    holidays "IL", "US"
    closed 2026-09-21, 2026-09-22
    note "n"
    tags "a", "b"
}

owner o "O" {
    manager "M" <m@example.com>
    notify slack "#ops"
    page pagerduty "key"
}

journey j "J" {
    stage s "S"
}

defaults {
    window 28d
    charter language "he"
}

touchpoint t "T" {
    journey j.s
    owner o
    expectation "E"
    channels phone, sms
    step a "A" by o via phone
    step b "B"

    metric m1 "M1" {
        time from a.start to b.end on c
        promise 80% within 1.5h
        target 90% within 1h
        window 7d
        source prometheus {
            good  "sum(rate(x{le=\\"30\\"}[{{window}}]))"
            total "sum(rate(y[{{window}}]))"
        }
    }

    metric m2 "M2" {
        ratio x of y
        promise at most 5%
        target at least 1%
    }

    metric m3 "M3" {
        score 1..5
        promise average at least 4.3
        target 80% at least 4
    }

    metric m4 "M4" {
        nps
        promise at least -10
    }

    metric m5 "M5" {
        count complaints per 7d
        promise at most 20
    }

    updates every 4h via sms until b.end
    escalate to manager on breach, risk
}
'''
    assert fmt(text) == text


def test_business_days_pauses_classes_and_special_hours_print_back():
    text = '''calendar c "C" {
    timezone "Asia/Jerusalem"
    hours sun-thu 08:00-18:00
    hours eve 08:00-12:00
    hours 2026-09-20, 2026-11-05 08:00-14:00
    holidays "IL"
}

touchpoint t "T" {
    owner o
    expectation "E"
    class urgent "Urgent"
    class routine "Routine"
    step a "A"
    step w "Waiting for the customer"

    metric m "M" {
        time from a.start to a.end on c
        promise 90% within 5 business days
        target 95% within 1 business week
        promise 95% within 1 business day for urgent
        target 98% within 1 business day for urgent, routine
        pause while w
        pause from a.held to a.resumed
    }

    metric v "V" {
        count complaints per 7d
        target at most 25
    }
}
'''
    assert fmt(text) == text
    # Singular and plural are chosen by the count; spacing is one space.
    squeezed = text.replace("5 business days", "5   business  day").replace("1 business day for urgent,",
                                                                            "1 business days for urgent ,")
    assert fmt(squeezed) == text


def test_blank_lines():
    text = ('\n\n\nowner a "A" {\n\n\n    notify email "x"\n\n\n\n    page email "y"\n\n}\n\n\n\n'
            'owner b "B" {\n}\nowner c "C" {\n}\n\n\n')
    assert fmt(text) == ('owner a "A" {\n    notify email "x"\n\n    page email "y"\n}\n\n'
                         'owner b "B" {\n}\n\nowner c "C" {\n}\n')


def test_imports_stay_together_and_declarations_are_separated():
    assert fmt('import "a.touch"\nimport "b.touch"\nowner a "A" {\n}\n') == \
        'import "a.touch"\nimport "b.touch"\n\nowner a "A" {\n}\n'


def test_empty_file():
    assert fmt("") == ""
    assert fmt("\n\n  \n") == ""
    assert fmt("# only a comment\n") == "# only a comment\n"


def test_bom_and_crlf_are_normalised():
    assert fmt('\ufeffowner a "A" {\r\n    notify email "x"  # c\r\n}\r\n') == \
        'owner a "A" {\n    notify email "x"  # c\n}\n'


# ---- comments ---------------------------------------------------------------------------


def test_comments_stay_where_they_belong():
    text = '''# file header

# about the owner
owner a "A" {   # opener
        # above notify
    notify email "x"    # trailing
    # footer inside the block
}  # after the block
touchpoint t "T" {
    owner a
    expectation "E"
    channels phone,
        # inside a statement written over two lines
        chat
    metric m "M" {
        nps  # the measure
        promise at least 3
        # last in metric
    }
}
# end of file
'''
    assert fmt(text) == '''# file header

# about the owner
owner a "A" {  # opener
    # above notify
    notify email "x"  # trailing
    # footer inside the block
}  # after the block

touchpoint t "T" {
    owner a
    expectation "E"
    # inside a statement written over two lines
    channels phone, chat

    metric m "M" {
        nps  # the measure
        promise at least 3
        # last in metric
    }
}
# end of file
'''


def test_trailing_comments_on_consecutive_lines_align():
    text = 'owner a "A" {\n    notify email "x" # one\n    page pagerduty "longer-key" # two\n    notify slack "#c"\n}\n'
    assert fmt(text) == ('owner a "A" {\n'
                         '    notify email "x"             # one\n'
                         '    page pagerduty "longer-key"  # two\n'
                         '    notify slack "#c"\n'
                         '}\n')


def test_two_statements_on_one_line_keep_the_comment_on_the_last():
    out = fmt('touchpoint t "T" { owner a expectation "E" # about E\n}\n')
    assert out == 'touchpoint t "T" {\n    owner a\n    expectation "E"  # about E\n}\n'


def test_hash_inside_text_is_not_a_comment():
    text = 'owner a "A #1" {\n    notify slack "#ops"\n}\n'
    assert fmt(text) == text


# ---- quoting ----------------------------------------------------------------------------


def _value(out: str) -> str:
    tree, diags = parse(out, "t.touch")
    assert not diags
    (note,) = [i for i in tree.declarations[0].items]
    return note.text.value


@pytest.mark.parametrize("value", [
    "plain",
    'say "hi"',
    "back\\slash",
    "tab\there",
    "עברית ומספרים 30%",
    "line one\nline two",
    "  indented first\nsecond",
    "ends with newline\n",
    "\nstarts with newline",
    'quotes at the end ""',
    'three """ quotes\nand more',
    "a\n   \nb",
    "trailing space \nx",
    "bell\x07 and \u202e override",
    "x\r\ny",
])
def test_text_round_trips(value):
    literal = formatter.text_lines(value, "")
    src = 'journey j "J" {\n    note ' + "\n".join(literal) + "\n}\n"
    out = fmt(src)
    assert _value(out) == value
    assert fmt(out) == out


def test_quoting_is_canonical():
    assert formatter.quote('say "hi"') == '"say \\"hi\\""'
    assert formatter.quote("\u202eevil") == '"\\u{202E}evil"'
    assert formatter.quote("\x00") == '"\\u{0000}"'
    # One-line text in """ becomes "..."; text over lines becomes an indented """ block.
    assert fmt('journey j "J" {\n    note """short"""\n}\n') == 'journey j "J" {\n    note "short"\n}\n'
    assert fmt('journey j "J" {\n    note "one\\ntwo"\n}\n') == \
        'journey j "J" {\n    note """\n        one\n        two\n    """\n}\n'
    # Escapes are decoded, then written only where needed.
    assert fmt('owner a "\\u{05D0}\\t" {\n}\n') == 'owner a "א\\t" {\n}\n'


# ---- errors -----------------------------------------------------------------------------


def test_syntax_errors_are_not_formatted():
    out, errors = format_source('owner a "A" {\n    notify email\n}\n', "bad.touch")
    assert out is None
    assert errors and errors[0].span.file == "bad.touch" and errors[0].code.startswith("TD0")


# ---- the command ------------------------------------------------------------------------

UGLY = 'owner a "A" {\n  notify email "x"\n}\n'
PRETTY = 'owner a "A" {\n    notify email "x"\n}\n'


def test_command_rewrites_files(tmp_path):
    f = tmp_path / "a.touch"
    f.write_text(UGLY, encoding="utf-8")
    f.chmod(0o640)
    ok = tmp_path / "sub" / "b.touch"
    ok.parent.mkdir()
    ok.write_text(PRETTY, encoding="utf-8")
    r = CliRunner().invoke(formatter.command, [str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert f.read_text(encoding="utf-8") == PRETTY
    assert stat.S_IMODE(f.stat().st_mode) == 0o640
    assert "reformatted" in r.output and "1 of 2 files reformatted" in r.output
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a.touch", "b.touch", "sub"]


def test_check_lists_files_and_writes_nothing(tmp_path):
    f = tmp_path / "a.touch"
    f.write_text(UGLY, encoding="utf-8")
    (tmp_path / "b.touch").write_text(PRETTY, encoding="utf-8")
    r = CliRunner().invoke(formatter.command, ["--check", str(tmp_path)])
    assert r.exit_code == 1
    assert f"would reformat {f}" in r.output or "would reformat" in r.output and "a.touch" in r.output
    assert "b.touch" not in r.output.replace("2 files", "")
    assert f.read_text(encoding="utf-8") == UGLY
    f.write_text(PRETTY, encoding="utf-8")
    r = CliRunner().invoke(formatter.command, ["--check", str(tmp_path)])
    assert r.exit_code == 0


def test_diff_prints_a_unified_diff(tmp_path):
    f = tmp_path / "a.touch"
    f.write_text(UGLY, encoding="utf-8")
    r = CliRunner().invoke(formatter.command, ["--diff", str(f)])
    assert r.exit_code == 0
    assert f"--- a/{f}" in r.output and f"+++ b/{f}" in r.output
    assert '-  notify email "x"\n+    notify email "x"\n' in r.output
    assert f.read_text(encoding="utf-8") == UGLY
    r = CliRunner().invoke(formatter.command, ["--diff", "--check", str(f)])
    assert r.exit_code == 1


def test_files_with_syntax_errors_are_reported_and_left_alone(tmp_path):
    bad = tmp_path / "bad.touch"
    bad.write_text('owner a "A" {\n    notify email\n}\n', encoding="utf-8")
    ugly = tmp_path / "ugly.touch"
    ugly.write_text(UGLY, encoding="utf-8")
    r = CliRunner().invoke(formatter.command, [str(tmp_path)])
    assert r.exit_code == 1
    assert f"{bad}:3:1: error[TD001]" in r.output or "error[TD0" in r.output
    assert "not formatted" in r.output
    assert bad.read_text(encoding="utf-8") == 'owner a "A" {\n    notify email\n}\n'
    assert ugly.read_text(encoding="utf-8") == PRETTY  # the others are still formatted


def test_not_utf8_is_an_input_error(tmp_path):
    (tmp_path / "latin.touch").write_bytes(b'owner a "\xe9" {\n}\n')
    r = CliRunner().invoke(formatter.command, [str(tmp_path)])
    assert r.exit_code == 1 and "UTF-8" in r.output


def test_missing_path_is_a_usage_error(tmp_path):
    r = CliRunner().invoke(formatter.command, [str(tmp_path / "nope")])
    assert r.exit_code == 2 and "no such file" in r.output


def test_stdin_to_stdout():
    r = CliRunner().invoke(formatter.command, ["-"], input=UGLY)
    assert r.exit_code == 0 and r.output == PRETTY
    r = CliRunner().invoke(formatter.command, ["-", "--check"], input=UGLY)
    assert r.exit_code == 1
    r = CliRunner().invoke(formatter.command, ["-"], input="owner {")
    assert r.exit_code == 1 and "<stdin>:1:" in r.output


def test_unwritable_file_is_an_io_error(tmp_path, monkeypatch):
    f = tmp_path / "a.touch"
    f.write_text(UGLY, encoding="utf-8")

    def refuse(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(formatter.os, "replace", refuse)
    r = CliRunner().invoke(formatter.command, [str(f)])
    assert r.exit_code == 2 and "cannot write" in r.output and "Permission denied" in r.output
    assert f.read_text(encoding="utf-8") == UGLY
    assert [p.name for p in tmp_path.iterdir()] == ["a.touch"]  # the temporary file is gone


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_links_leading_outside_the_project_are_not_rewritten(tmp_path):
    outside = tmp_path / "outside.touch"
    outside.write_text(UGLY, encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir()
    (project / "link.touch").symlink_to(outside)
    r = CliRunner().invoke(formatter.command, [str(project)])
    assert r.exit_code == 1 and "outside the project root" in r.output
    assert outside.read_text(encoding="utf-8") == UGLY


def test_the_project_block_contacts_dates_and_compensation():
    source = (
        'project   "Good Health"{contact phone "+972 3-555-0100"   # the call centre\n'
        'contact web "https://example.org" contact email "a@example.org"}\n'
        'project "Bare"\n'
        'project "Empty" { }\n'
        'defaults { charter effective   2026-09-01 charter version "3" }\n'
        'touchpoint t "T" { metric m "M" { compensation "50 NIS" } }\n'
    )
    out, errors = format_source(source)
    assert errors == [] and out == (
        'project "Good Health" {\n'
        '    contact phone "+972 3-555-0100"  # the call centre\n'
        '    contact web   "https://example.org"\n'
        '    contact email "a@example.org"\n'
        '}\n'
        '\n'
        'project "Bare"\n'
        '\n'
        'project "Empty"\n'
        '\n'
        'defaults {\n'
        '    charter effective 2026-09-01\n'
        '    charter version "3"\n'
        '}\n'
        '\n'
        'touchpoint t "T" {\n'
        '    metric m "M" {\n'
        '        compensation "50 NIS"\n'
        '    }\n'
        '}\n'
    )
    assert format_source(out) == (out, [])
