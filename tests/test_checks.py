"""Semantic and syntax checks: one test per diagnostic code, asserting code and line:column.

Positions are asserted exactly; `at(text, needle)` finds the 1-based line and
column of a needle in the source the test wrote, so each test says *which*
token the diagnostic must point at.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from touchdsl.compiler.driver import compile_project
from touchdsl.diagnostics import Severity

OWNERS = """
owner field_ops "Field Operations" {
    manager "Dana Levi" <dana.levi@example.com>
    notify email "field-ops@example.com"
}

owner service_center "Service Center" {
    manager "Avi Cohen" <avi.cohen@example.com>
    notify slack "#service-center"
    page pagerduty "sc-primary"
}

calendar il_office "Office hours" {
    timezone "Asia/Jerusalem"
    hours sun-thu 08:00-18:00
}

journey home_internet "Home internet" {
    stage support "Getting help"
    stage move "Moving home"
}

touchpoint base "Base" {
    journey home_internet.support
    owner field_ops
    expectation "Works."
    step a "A"
    metric m "M" {
        time from a.start to a.end on il_office
        promise 80% within 1h
    }
}
"""


def at(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    """1-based (line, column) of the nth occurrence of needle in text."""
    i = -1
    for _ in range(nth + 1):
        i = text.index(needle, i + 1)
    line = text.count("\n", 0, i) + 1
    return line, i - (text.rfind("\n", 0, i) + 1) + 1


def src(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")


def run(tmp_path: Path, main: str, owners: str | None = OWNERS, extra: dict[str, str] | None = None):
    files = {"main.touch": main}
    if owners is not None:
        files["owners.touch"] = src(owners)
    files.update(extra or {})
    write(tmp_path, files)
    return compile_project([str(tmp_path)])


def found(result, code: str) -> list[tuple[str, int, int]]:
    return [(os.path.basename(d.span.file), d.span.line, d.span.column)
            for d in result.diagnostics if d.code == code and d.span is not None]


def only(result, code: str):
    """The diagnostics of the run are exactly of this code (plus nothing else that is an error)."""
    others = [(d.code, d.message) for d in result.diagnostics if d.code != code and d.is_error]
    assert others == [], others
    ds = [d for d in result.diagnostics if d.code == code]
    assert ds, f"no {code} in {[(d.code, d.message) for d in result.diagnostics]}"
    return ds


def tp(body: str, name: str = "t") -> str:
    """A touchpoint whose body is `body` (already indented by four spaces)."""
    return f'touchpoint {name} "T" {{\n{textwrap.indent(src(body), "    ")}}}\n'


GOOD_HEAD = """
owner field_ops
expectation "Fixed."
step report "Report" by service_center via phone
step visit "Visit"
"""


def metric(body: str, head: str = GOOD_HEAD) -> str:
    return tp(src(head) + 'metric m "M" {\n' + textwrap.indent(src(body), "    ") + "}\n")


# ---- baseline --------------------------------------------------------------------------------


def test_baseline_project_is_clean(tmp_path):
    result = run(tmp_path, metric("time from report.start to visit.end\npromise 80% within 1h\n"))
    assert result.ok and result.diagnostics == [], [(d.code, d.message) for d in result.diagnostics]
    assert result.project is not None


# ---- TD0xx reading and syntax ----------------------------------------------------------------


def test_td001_syntax_error_says_what_was_expected_and_suggests_keyword(tmp_path):
    main = tp('ownr field_ops\nexpectation "x"\n')
    result = run(tmp_path, main)
    (d,) = only(result, "TD001")
    assert found(result, "TD001") == [("main.touch", *at(main, "ownr"))]
    assert "expected" in d.message and "`owner`" in d.message and "found `ownr`" in d.message
    assert "did you mean `owner`?" in d.help


def test_td001_expected_in_words_not_terminal_names(tmp_path):
    main = metric("time from report.start to visit.end\npromise 80% within 30\n")
    result = run(tmp_path, main)
    (d,) = only(result, "TD001")
    assert (d.span.line, d.span.column) == at(main, "30\n")
    assert "expected a duration such as 30s or 48h" in d.message
    assert "DURATION" not in d.message
    assert any("`30s`" in h for h in d.help)


def test_td001_several_syntax_errors_on_several_lines_all_reported(tmp_path):
    main = src("""
        owner a "A" {
            manager "M" <m@example.com>
            notify email "a@example.com"
            bogus 12
        }
        touchpoint t "T" {
            owner a
            expectation 42
            step s "S"
            metric m "M" {
                time from s.start to s.end
                promise 80 within 1h
            }
        }
        calendar c "C" {
            timezone "UTC"
            hours mon 08:00-
        }
    """)
    result = run(tmp_path, main, owners=None)
    positions = found(result, "TD001")
    assert positions == [
        ("main.touch", *at(main, "bogus")),
        ("main.touch", *at(main, "42")),
        ("main.touch", *at(main, "80 within")),
        ("main.touch", *at(main, "}", 3)),
    ], [(d.code, d.span, d.message) for d in result.diagnostics]


def test_several_semantic_errors_in_one_file_all_reported(tmp_path):
    main = src("""
        touchpoint t "T" {
            owner feild_ops
            expectation "x"
            channels phone, chatt
            step s "S"
            metric m "M" {
                time from s.end to s.start
                promise 120% within 1h
            }
        }
    """)
    result = run(tmp_path, main)
    got = sorted((d.code, d.span.line, d.span.column) for d in result.diagnostics if d.is_error)
    assert got == sorted([
        ("TD202", *at(main, "feild_ops")),
        ("TD304", *at(main, "chatt")),
        ("TD401", *at(main, "s.end")),
        ("TD402", *at(main, "120%")),
    ])


def test_td002_unexpected_character(tmp_path):
    main = tp('owner field_ops\nexpectation "x" $\n')
    result = run(tmp_path, main)
    (d,) = only(result, "TD002")
    assert found(result, "TD002") == [("main.touch", *at(main, "$"))]
    assert "`$`" in d.message


def test_td002_unclosed_text(tmp_path):
    main = 'owner o "Operations {\n}\n'
    result = run(tmp_path, main, owners=None)
    ds = [d for d in result.diagnostics if d.code == "TD002"]
    assert [(d.span.line, d.span.column) for d in ds][:1] == [at(main, '"')]
    assert "closing" in ds[0].message


def test_td002_hebrew_outside_quotes(tmp_path):
    main = tp("owner field_ops\nexpectation שלום\n")
    result = run(tmp_path, main)
    assert found(result, "TD002")[0] == ("main.touch", *at(main, "ש"))


def test_td003_unknown_escape(tmp_path):
    main = tp('owner field_ops\nexpectation "C:\\temp \\q"\n')
    result = run(tmp_path, main)
    (d,) = only(result, "TD003")
    assert found(result, "TD003") == [("main.touch", *at(main, "\\q"))]
    assert "`\\q`" in d.message


def test_td003_escape_in_triple_quoted_text(tmp_path):
    main = tp('owner field_ops\nexpectation "x"\nnote """\n  line\n  bad \\x here\n"""\n')
    result = run(tmp_path, main)
    assert found(result, "TD003") == [("main.touch", *at(main, "\\x"))]


def test_td004_file_ends_inside_a_block(tmp_path):
    main = 'owner billing "Billing" {\n    notify email "billing@example.com"\n'
    result = run(tmp_path, main, owners=None)
    (d,) = only(result, "TD004")
    assert found(result, "TD004") == [("main.touch", 3, 1)]
    assert "expected `}`" in d.message
    assert any("line 1" in h for h in d.help)


def test_td005_binary_file(tmp_path):
    (tmp_path / "main.touch").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    result = compile_project([str(tmp_path)])
    (d,) = only(result, "TD005")
    assert found(result, "TD005") == [("main.touch", 1, 1)]
    assert "binary" in d.message


def test_td005_invalid_utf8_points_at_the_bad_byte(tmp_path):
    (tmp_path / "main.touch").write_bytes(b'owner o "\xd7\xa9" {\n  note "caf\xe9"\n}\n')
    result = compile_project([str(tmp_path)])
    (d,) = only(result, "TD005")
    text = (tmp_path / "main.touch").read_bytes()
    line = text[: text.index(b"\xe9")].count(b"\n") + 1
    assert (d.span.line, d.span.column) == (line, len('  note "caf') + 1)
    assert "0xe9" in d.message


def test_td005_directory_named_like_a_touch_file(tmp_path):
    (tmp_path / "x.touch").mkdir()
    result = compile_project([str(tmp_path / "x.touch")])
    # a directory given on the command line is searched, and holds no file: nothing to report
    assert result.diagnostics == []
    write(tmp_path, {"main.touch": 'import "x.touch"\n'})
    result = compile_project([str(tmp_path / "main.touch")])
    assert found(result, "TD102") == [("main.touch", 1, 8)]


def test_td006_invalid_name_with_fix(tmp_path):
    main = 'owner Field_Ops "Field Operations" {\n    manager "M" <m@example.com>\n    notify email "a@example.com"\n}\n'
    result = run(tmp_path, main, owners=None)
    (d,) = only(result, "TD006")
    assert found(result, "TD006") == [("main.touch", 1, 7)]
    assert "use `field_ops`" in d.help


# ---- TD1xx files and imports -----------------------------------------------------------------


def test_td101_import_leaving_the_root_through_dotdot(tmp_path):
    root = tmp_path / "project"
    write(tmp_path, {"outside.touch": 'owner x "X" { }\n', "project/main.touch": 'import "../outside.touch"\n'})
    result = compile_project([str(root)])
    (d,) = only(result, "TD101")
    assert found(result, "TD101") == [("main.touch", 1, 8)]
    assert "through `..`" in d.message
    assert not any(p.endswith("outside.touch") for p in result.sources)


def test_td101_import_leaving_the_root_through_a_symlink(tmp_path):
    root = tmp_path / "project"
    write(tmp_path, {"elsewhere/owners.touch": 'owner x "X" { }\n',
                     "project/main.touch": 'import "shared/owners.touch"\n'})
    (root / "shared").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    result = compile_project([str(root / "main.touch")])
    (d,) = only(result, "TD101")
    assert found(result, "TD101") == [("main.touch", 1, 8)]
    assert "symbolic link" in d.message


def test_td101_symlinked_file_found_in_the_project_leads_outside(tmp_path):
    root = tmp_path / "project"
    write(tmp_path, {"secret.touch": 'owner x "X" { }\n', "project/main.touch": "# empty\n"})
    (root / "link.touch").symlink_to(tmp_path / "secret.touch")
    result = compile_project([str(root)])
    assert [c for c, *_ in [(d.code,) for d in result.diagnostics if d.is_error]] == ["TD101"]
    assert found(result, "TD101") == [("link.touch", 1, 1)]


def test_td101_absolute_import(tmp_path):
    main = f'import "{tmp_path / "other.touch"}"\n'
    write(tmp_path, {"other.touch": "# x\n"})
    result = run(tmp_path, main, owners=None)
    assert found(result, "TD101") == [("main.touch", 1, 8)]


def test_td102_missing_import_with_suggestion(tmp_path):
    main = 'import "owner.touch"\n'
    result = run(tmp_path, main)
    (d,) = only(result, "TD102")
    assert found(result, "TD102") == [("main.touch", 1, 8)]
    assert "did you mean `owners.touch`?" in d.help


def test_import_cycle_is_not_an_error_and_files_load_once(tmp_path):
    write(tmp_path, {
        "a.touch": 'import "sub/b.touch"\n' + src(OWNERS),
        "sub/b.touch": 'import "../a.touch"\nimport "c.touch"\n',
        "sub/c.touch": 'import "b.touch"\nimport "../a.touch"\n',
    })
    result = compile_project([str(tmp_path / "a.touch")])
    assert result.ok and result.diagnostics == [], result.diagnostics
    assert len(result.files) == 3
    assert sorted(result.project.files) == ["a.touch", "sub/b.touch", "sub/c.touch"]
    assert list(result.project.owners) == ["field_ops", "service_center"]


def test_import_of_a_file_also_found_by_directory_walk_is_loaded_once(tmp_path):
    result = run(tmp_path, 'import "owners.touch"\n')
    assert result.ok and result.diagnostics == []
    assert len(result.files) == 2


# ---- TD2xx names -----------------------------------------------------------------------------


def test_td201_duplicate_across_two_files_points_at_both(tmp_path):
    main = 'owner field_ops "Again" {\n    manager "M" <m@example.com>\n    notify email "x@example.com"\n}\n'
    result = run(tmp_path, main)
    (d,) = only(result, "TD201")
    first, second = sorted([("main.touch", 1, 7), ("owners.touch", *at(src(OWNERS), "field_ops"))])
    assert found(result, "TD201") == [second]
    (rel,) = d.related
    assert (os.path.basename(rel.span.file), rel.span.line, rel.span.column) == first


def test_td201_duplicate_step_and_metric_and_stage(tmp_path):
    main = metric("time from report.start to visit.end\npromise 80% within 1h\n",
                  head=GOOD_HEAD + 'step visit "Again"\n')
    main = main.replace("}\n}\n", '}\n    metric m "Again" {\n        nps\n        promise at least 1\n    }\n}\n')
    journey = 'journey j "J" {\n    stage a "A"\n    stage a "B"\n}\n'
    result = run(tmp_path, main + journey)
    full = main + journey
    got = found(result, "TD201")
    assert ("main.touch", *at(full, 'visit "Again"')) in got
    assert ("main.touch", *at(full, 'm "Again"')) in got
    assert ("main.touch", *at(full, 'a "B"')) in got
    assert len(got) == 3


def test_td202_unknown_owner_with_suggestion(tmp_path):
    main = tp('owner feild_ops\nexpectation "x"\nstep s "S" by servce_center\n')
    result = run(tmp_path, main)
    ds = only(result, "TD202")
    assert found(result, "TD202") == [("main.touch", *at(main, "feild_ops")), ("main.touch", *at(main, "servce_center"))]
    assert "did you mean `field_ops`?" in ds[0].help
    assert "did you mean `service_center`?" in ds[1].help


def test_td203_unknown_calendar_with_suggestion(tmp_path):
    main = metric("time from report.start to visit.end on il_ofice\npromise 80% within 1h\n")
    result = run(tmp_path, main)
    (d,) = only(result, "TD203")
    assert found(result, "TD203") == [("main.touch", *at(main, "il_ofice"))]
    assert "did you mean `il_office`?" in d.help


def test_td204_unknown_journey_with_suggestion(tmp_path):
    main = tp('journey home_internt.support\nowner field_ops\nexpectation "x"\n')
    result = run(tmp_path, main)
    (d,) = only(result, "TD204")
    assert found(result, "TD204") == [("main.touch", *at(main, "home_internt"))]
    assert "did you mean `home_internet`?" in d.help


def test_td205_unknown_stage_with_suggestion(tmp_path):
    main = tp('journey home_internet.suport\nowner field_ops\nexpectation "x"\n')
    result = run(tmp_path, main)
    (d,) = only(result, "TD205")
    assert found(result, "TD205") == [("main.touch", *at(main, "suport"))]
    assert "did you mean `support`?" in d.help


def test_td206_unknown_step_in_time_and_updates_with_suggestion(tmp_path):
    main = metric("time from reprt.start to visit.end\npromise 80% within 1h\n",
                  head=GOOD_HEAD + "updates every 4h via sms until vist.end\n")
    result = run(tmp_path, main)
    ds = only(result, "TD206")
    assert found(result, "TD206") == [("main.touch", *at(main, "vist")), ("main.touch", *at(main, "reprt"))]
    assert "did you mean `visit`?" in ds[0].help
    assert "did you mean `report`?" in ds[1].help


# ---- TD3xx touchpoints and owners ------------------------------------------------------------


def test_td301_missing_owner(tmp_path):
    main = tp('expectation "x"\n')
    result = run(tmp_path, main)
    only(result, "TD301")
    assert found(result, "TD301") == [("main.touch", 1, 12)]


def test_td302_repeated_owner_points_at_both(tmp_path):
    main = tp('owner field_ops\nowner service_center\nexpectation "x"\n')
    result = run(tmp_path, main)
    (d,) = only(result, "TD302")
    assert found(result, "TD302") == [("main.touch", *at(main, "owner service_center"))]
    assert (d.related[0].span.line, d.related[0].span.column) == at(main, "owner field_ops")


def test_td303_missing_expectation(tmp_path):
    main = tp("owner field_ops\n")
    result = run(tmp_path, main)
    only(result, "TD303")
    assert found(result, "TD303") == [("main.touch", 1, 12)]


def test_td304_unknown_channel_with_suggestion(tmp_path):
    main = tp('owner field_ops\nexpectation "x"\nchannels phone, chatt\nstep s "S" via smss\n'
              'updates every 1h via whatsup\n')
    result = run(tmp_path, main)
    ds = only(result, "TD304")
    assert found(result, "TD304") == [("main.touch", *at(main, n)) for n in ("chatt", "smss", "whatsup")]
    assert "did you mean `chat`?" in ds[0].help
    assert "did you mean `sms`?" in ds[1].help
    assert "did you mean `whatsapp`?" in ds[2].help


def test_td305_statement_written_twice(tmp_path):
    main = tp('owner field_ops\nexpectation "x"\nexpectation "y"\n') + 'defaults {\n    window 7d\n    window 14d\n}\n'
    result = run(tmp_path, main)
    ds = only(result, "TD305")
    assert found(result, "TD305") == [("main.touch", *at(main, 'expectation "y"')), ("main.touch", *at(main, "window 14d"))]
    assert (ds[0].related[0].span.line, ds[0].related[0].span.column) == at(main, 'expectation "x"')


def test_td306_unknown_receiver(tmp_path):
    main = 'owner o "O" {\n    manager "M" <m@example.com>\n    page pager "ops"\n}\n'
    result = run(tmp_path, main)
    (d,) = only(result, "TD306")
    assert found(result, "TD306") == [("main.touch", 3, 10)]
    assert "did you mean `pagerduty`?" in d.help


def test_td307_invalid_charter_settings(tmp_path):
    main = 'defaults {\n    charter language "fr"\n    charter titel "x"\n}\n'
    result = run(tmp_path, main)
    ds = only(result, "TD307")
    assert found(result, "TD307") == [("main.touch", 2, 22), ("main.touch", 3, 13)]
    assert "did you mean `title`?" in ds[1].help


def test_td308_escalation_to_manager_without_manager_and_bad_condition(tmp_path):
    owners = OWNERS + 'owner nomgr "No manager" {\n    notify email "n@example.com"\n}\n'
    main = tp('owner nomgr\nexpectation "x"\nescalate to manager on breach\nescalate to feild_ops on late\n')
    result = run(tmp_path, main, owners=owners)
    ds = only(result, "TD308")
    assert found(result, "TD308") == [("main.touch", *at(main, "manager")), ("main.touch", *at(main, "feild_ops")),
                                      ("main.touch", at(main, "on late")[0], at(main, "on late")[1] + 3)]
    assert "did you mean `field_ops`?" in ds[1].help
    assert any("breach" in h for h in ds[2].help)


def test_td309_missing_parts(tmp_path):
    main = 'calendar office "Office" {\n    holidays "IL"\n}\njourney empty "Empty" {\n}\n'
    main += tp('journey empty\nowner field_ops\nexpectation "x"\n') + 'touchpoint u "U" {\n    owner field_ops\n    expectation "x"\n    step s "S"\n    metric m "M" {\n        time from s.start to s.end on office\n        promise 80% within 1h\n    }\n}\n'
    result = run(tmp_path, main)
    only(result, "TD309")
    # calendar without timezone and without hours; journey without stages
    assert found(result, "TD309") == [("main.touch", 1, 10), ("main.touch", 1, 10), ("main.touch", 4, 9)]


def test_td310_invalid_values(tmp_path):
    main = 'owner o "O" {\n    manager "M" <dana.levi>\n    notify email "n@example.com"\n}\n'
    main += tp('owner o\nexpectation "  "\n')
    result = run(tmp_path, main)
    ds = only(result, "TD310")
    assert found(result, "TD310") == [("main.touch", 2, 17), ("main.touch", *at(main, '"  "'))]
    assert "not an email address" in ds[0].message


# ---- TD4xx metrics ---------------------------------------------------------------------------


def test_td401_events_out_of_order(tmp_path):
    main = metric("time from visit.start to report.start\npromise 80% within 1h\n")
    result = run(tmp_path, main)
    (d,) = only(result, "TD401")
    assert found(result, "TD401") == [("main.touch", *at(main, "visit.start"))]
    assert (d.related[0].span.line, d.related[0].span.column) == at(main, "report.start")


@pytest.mark.parametrize("a, b, bad", [
    ("report.end", "report.start", True),       # end before start of one step
    ("report.answered", "report.start", True),  # a named moment comes after start
    ("report.end", "report.answered", True),    # ... and before end
    ("report.start", "report.start", True),     # zero-length
    ("report.start", "report.answered", False),
    ("report.answered", "visit.start", False),
])
def test_td401_moment_order_inside_a_step(tmp_path, a, b, bad):
    main = metric(f"time from {a} to {b}\npromise 80% within 1h\n")
    result = run(tmp_path, main)
    assert bool(found(result, "TD401")) is bad
    if bad:
        assert found(result, "TD401") == [("main.touch", *at(main, a))]


@pytest.mark.parametrize("body, needle", [
    ("time from report.start to visit.end\npromise 120% within 1h\n", "120%"),
    ("time from report.start to visit.end\npromise 80% within 1h\ntarget -1% within 1h\n", "-1%"),
    ("ratio a of b\npromise at most 100.5%\n", "100.5%"),
    ("score 1..5\npromise 101% at least 4\n", "101%"),
])
def test_td402_percentage_outside_0_100(tmp_path, body, needle):
    main = metric(body)
    result = run(tmp_path, main)
    only(result, "TD402")
    assert found(result, "TD402") == [("main.touch", *at(main, needle))]


@pytest.mark.parametrize("body, needle", [
    ("score 1..5\npromise average at least 6\n", "6"),
    ("score 1..5\npromise average at least 0.5\n", "0.5"),
    ("score 1..7\npromise 80% at least 8\n", "8"),
    ("score 5..1\npromise average at least 3\n", "5..1"),
])
def test_td403_score_outside_the_scale(tmp_path, body, needle):
    main = metric(body)
    result = run(tmp_path, main)
    only(result, "TD403")
    assert found(result, "TD403") == [("main.touch", *at(main, needle, main.count(needle) - 1))]


@pytest.mark.parametrize("value, bad", [("130", True), ("-101", True), ("100", False), ("-100", False), ("0", False)])
def test_td404_nps_out_of_range(tmp_path, value, bad):
    main = metric(f"nps\npromise at least {value}\n")
    result = run(tmp_path, main)
    if bad:
        only(result, "TD404")
        assert found(result, "TD404") == [("main.touch", *at(main, value))]
    else:
        assert result.ok, result.diagnostics


@pytest.mark.parametrize("measure, promise, target", [
    ("time from report.start to visit.end", "90% within 2d", "80% within 2d"),   # fewer cases
    ("time from report.start to visit.end", "90% within 1d", "95% within 2d"),   # more time
    ("ratio abandoned of offered", "at most 5%", "at most 6%"),
    ("ratio resolved of contacts", "at least 70%", "at least 60%"),
    ("score 1..5", "average at least 4.3", "average at least 3.9"),
    ("score 1..5", "80% at least 4", "70% at least 4"),
    ("score 1..5", "80% at least 4", "90% at least 3"),
    ("nps", "at least 30", "at least 20"),
    ("count complaints per 7d", "at most 20", "at most 25"),
    ("ratio abandoned of offered", "at most 5%", "at least 6%"),  # another form
])
def test_td405_target_looser_than_promise(tmp_path, measure, promise, target):
    main = metric(f"{measure}\npromise {promise}\ntarget {target}\n")
    result = run(tmp_path, main)
    (d,) = only(result, "TD405")
    assert found(result, "TD405") == [("main.touch", *at(main, target))]
    assert (d.related[0].span.line, d.related[0].span.column) == at(main, promise, main.count(promise) - 1)


@pytest.mark.parametrize("measure, objective", [
    ("time from report.start to visit.end", "90% within 2d"),
    ("ratio abandoned of offered", "at most 5%"),
    ("score 1..5", "80% at least 4"),
    ("nps", "at least 30"),
    ("count complaints per 7d", "at most 20"),
])
def test_target_equal_to_promise_is_fine(tmp_path, measure, objective):
    result = run(tmp_path, metric(f"{measure}\npromise {objective}\ntarget {objective}\n"))
    assert result.ok and result.diagnostics == [], result.diagnostics


@pytest.mark.parametrize("body, needle", [
    ("time from report.start to visit.end\npromise 80% within 1h\nwindow 0d\n", "0d"),
    ("time from report.start to visit.end\npromise 80% within 0s\n", "0s"),
    ("count complaints per 0w\npromise at most 3\n", "0w"),
])
def test_td406_zero_durations_in_metrics(tmp_path, body, needle):
    main = metric(body)
    result = run(tmp_path, main)
    only(result, "TD406")
    assert found(result, "TD406") == [("main.touch", *at(main, needle))]


def test_td406_zero_update_interval_and_default_window(tmp_path):
    main = tp('owner field_ops\nexpectation "x"\nstep s "S"\nupdates every 0m via sms\n') + "defaults {\n    window 0.0d\n}\n"
    result = run(tmp_path, main)
    only(result, "TD406")
    assert found(result, "TD406") == [("main.touch", *at(main, "0m")), ("main.touch", *at(main, "0.0d"))]


def test_td407_metric_measures_nothing_or_two_things(tmp_path):
    main = tp(src(GOOD_HEAD) + 'metric a "A" {\n    promise 80% within 1h\n}\n'
              'metric b "B" {\n    nps\n    score 1..5\n    promise at least 3\n}\n')
    result = run(tmp_path, main)
    only(result, "TD407")
    assert found(result, "TD407") == [("main.touch", *at(main, 'a "A"')), ("main.touch", *at(main, "score 1..5"))]


def test_td408_metric_without_promise(tmp_path):
    main = metric("time from report.start to visit.end\ntarget 80% within 1h\n")
    result = run(tmp_path, main)
    only(result, "TD408")
    assert found(result, "TD408") == [("main.touch", *at(main, 'm "M"'))]


@pytest.mark.parametrize("body, needle", [
    ("ratio abandoned of offered\npromise 5% within 30s\n", "5% within 30s"),
    ("time from report.start to visit.end\npromise at most 5%\n", "at most 5%"),
    ("nps\npromise average at least 3\n", "average at least 3"),
    ("count c per 1d\npromise at least 3\n", "at least 3"),
    ("ratio a of b\npromise at most 5\n", "5\n"),       # a ratio objective is a percentage
    ("nps\npromise at least 30%\n", "30%"),            # an NPS objective is a number
])
def test_td409_objective_does_not_fit_the_metric(tmp_path, body, needle):
    main = metric(body)
    result = run(tmp_path, main)
    only(result, "TD409")
    assert found(result, "TD409") == [("main.touch", *at(main, needle, main.count(needle) - 1))]


@pytest.mark.parametrize("source, needle", [
    ('source prometheus {\n    good "sum(rate(x[{{window}}]))"\n}\n', "prometheus"),
    ('source datadog {\n    good "a"\n    total "b"\n}\n', "datadog"),
    ('source prometheus {\n    good "a"\n    bad "b"\n}\n', "bad"),
    ('source prometheus {\n    good "  "\n    total "b"\n}\n', '"  "'),
])
def test_td410_invalid_source(tmp_path, source, needle):
    main = metric("time from report.start to visit.end\npromise 80% within 1h\n" + source)
    result = run(tmp_path, main)
    only(result, "TD410")
    assert found(result, "TD410")[0] == ("main.touch", *at(main, needle))


@pytest.mark.parametrize("query, problem", [
    ('sum(rate(x_bucket{le=\\"20\\"}[{{window}}])', "is not valid PromQL: unclosed left parenthesis"),
    ("x_total[{{window}}]", "cannot be summed into one series"),
    ("rate(x{{window}})", "is not valid PromQL"),
])
def test_td411_source_query_that_is_not_promql(tmp_path, query, problem):
    source = f'source prometheus {{\n    good "{query}"\n    total "sum(rate(x_count[{{{{window}}}}]))"\n}}\n'
    main = metric("time from report.start to visit.end\npromise 80% within 1h\n" + source)
    result = run(tmp_path, main)
    (d,) = only(result, "TD411")
    assert found(result, "TD411") == [("main.touch", *at(main, '"' + query[:10]))]
    assert problem in d.message and "`good`" in d.message


def test_td411_window_is_replaced_before_parsing(tmp_path):
    source = ('source prometheus {\n    good "sum(rate(x_good[{{window}}])) > 0"\n'
              '    total "sum(rate(x_count[{{window}}] offset {{window}}))"\n}\n')
    result = run(tmp_path, metric("time from report.start to visit.end\npromise 80% within 1h\n" + source))
    assert result.ok, [(d.code, d.message) for d in result.diagnostics]


# ---- TD5xx calendars -------------------------------------------------------------------------

CAL_TP = tp('owner field_ops\nexpectation "x"\nstep s "S"\nmetric m "M" {\n    time from s.start to s.end on c\n'
            '    promise 80% within 1h\n}\n')


def calendar(body: str) -> str:
    return 'calendar c "C" {\n' + textwrap.indent(src(body), "    ") + "}\n" + CAL_TP


def test_td501_unknown_timezone_with_suggestion(tmp_path):
    main = calendar('timezone "Asia/Jerusalm"\nhours sun-thu 08:00-18:00\n')
    result = run(tmp_path, main)
    (d,) = only(result, "TD501")
    assert found(result, "TD501") == [("main.touch", 2, 14)]
    assert "did you mean `Asia/Jerusalem`?" in d.help


def test_td502_unknown_holiday_country(tmp_path):
    main = calendar('timezone "UTC"\nhours mon-fri 08:00-18:00\nholidays "IL", "XX"\n')
    result = run(tmp_path, main)
    only(result, "TD502")
    assert found(result, "TD502") == [("main.touch", *at(main, '"XX"'))]


@pytest.mark.parametrize("line, needle", [
    ("hours sun-thu 18:00-08:00", "18:00"),
    ("hours sun-thu 08:00-25:00", "25:00"),
    ("hours sun-thu 08:00-18:60", "18:60"),
    ("closed 2026-02-30", "2026-02-30"),
])
def test_td503_invalid_date_or_hours(tmp_path, line, needle):
    main = calendar(f'timezone "UTC"\nhours mon 08:00-09:00\n{line}\n')
    result = run(tmp_path, main)
    only(result, "TD503")
    assert found(result, "TD503") == [("main.touch", *at(main, needle))]


def test_td504_unknown_weekday_with_suggestion(tmp_path):
    main = calendar('timezone "UTC"\nhours sunday-thu 08:00-18:00\n')
    result = run(tmp_path, main)
    (d,) = only(result, "TD504")
    assert found(result, "TD504") == [("main.touch", 3, 11)]
    assert "did you mean `sun`?" in d.help


# ---- TD9xx warnings --------------------------------------------------------------------------


def warnings(result) -> list[tuple[str, str, int, int]]:
    return [(d.code, os.path.basename(d.span.file), d.span.line, d.span.column)
            for d in result.diagnostics if d.severity is Severity.WARNING]


def test_td901_owner_without_receivers_is_a_warning(tmp_path):
    main = 'owner quiet "Quiet" {\n    manager "M" <m@example.com>\n}\n'
    result = run(tmp_path, main)
    assert result.ok and result.project is not None
    assert warnings(result) == [("TD901", "main.touch", 1, 7)]


def test_td902_touchpoint_without_metrics_is_a_warning(tmp_path):
    main = tp('owner field_ops\nexpectation "x"\n', name="empty")
    result = run(tmp_path, main)
    assert result.ok and result.project is not None
    assert warnings(result) == [("TD902", "main.touch", 1, 12)]


def test_td903_unused_calendar_and_journey_are_warnings(tmp_path):
    main = 'calendar spare "Spare" {\n    timezone "UTC"\n    hours mon 08:00-09:00\n}\njourney lost "Lost" {\n    stage a "A"\n}\n'
    result = run(tmp_path, main)
    assert result.ok
    assert warnings(result) == [("TD903", "main.touch", 1, 10), ("TD903", "main.touch", 5, 9)]


def test_td310_empty_titles_reported_even_beside_other_errors(tmp_path):
    main = src('''
        calendar c "" {
            timezone "UTC"
            hours mon 08:00-09:00
        }
        touchpoint t "" {
            owner feild_ops
            expectation "x"
            step a "A"
            metric m " " {
                time from a.start to a.end on c
                promise 80% within 30s
            }
        }
    ''')
    result = run(tmp_path, main)
    assert found(result, "TD310") == [("main.touch", 1, 12), ("main.touch", 5, 14), ("main.touch", 9, 14)]
    assert found(result, "TD202") == [("main.touch", 6, 11)]


def test_error_inside_a_one_line_block_does_not_cascade(tmp_path):
    main = 'touchpoint t "T" { owner field_ops expectation "x" channels פקס }\ntouchpoint u "U" { owner bad }\n'
    result = run(tmp_path, main)
    got = [(d.code, d.span.line, d.span.column) for d in result.diagnostics if d.is_error]
    assert got == [("TD002", 1, main.index("פ") + 1), ("TD303", 2, 12), ("TD202", 2, 26)], got


@pytest.mark.parametrize("body, needle", [
    ("time from report.start to visit.end\npromise 80% within 0.1ms\n", "0.1ms"),
    ("time from report.start to visit.end\npromise 80% within 1h\nwindow 1.5ms\n", "1.5ms"),
    ("count complaints per 0.0000001s\npromise at most 3\n", "0.0000001s"),
])
def test_td310_durations_finer_than_a_millisecond(tmp_path, body, needle):
    # they passed the checker and crashed the prometheus target (rounded to 0ms)
    main = metric(body)
    result = run(tmp_path, main)
    only(result, "TD310")
    assert found(result, "TD310") == [("main.touch", *at(main, needle))]


def test_fractional_durations_of_whole_milliseconds_are_fine(tmp_path):
    main = metric("time from report.start to visit.end\npromise 80% within 1.5s\ntarget 80% within 0.25s\nwindow 0.5d\n")
    result = run(tmp_path, main)
    assert result.ok and result.diagnostics == []
    m = result.project.touchpoints["t"].metrics[0]
    assert (m.promise.within.seconds, m.target.within.seconds, m.window.seconds) == (1.5, 0.25, 43200)


def test_forgotten_closing_brace_keeps_the_block_and_says_so(tmp_path):
    main = src('''
        owner ops "Ops" {
            manager "M" <m@example.com>
            notify email "ops@example.com"

        touchpoint t "T" {
            owner ops
            expectation "x"
            step s "S"
            metric m "M" {
                nps
                promise at least 10
            }
        }
    ''')
    result = run(tmp_path, main, owners=None)
    # one error, at the keyword the brace was missing before; the owner is kept (no false TD202)
    (d,) = [d for d in result.diagnostics if d.is_error]
    assert (d.code, d.span.line, d.span.column) == ("TD001", 5, 1)
    assert "the block opened at line 1 may be missing its closing `}`" in d.help


def test_misspelt_declaration_does_not_cascade_and_later_errors_still_count(tmp_path):
    main = src('''
        touchpiont t "T" {
        }
        owner o "O" {
            manager "M" <m@example.com>
            notify email "o@example.com"

        touchpoint u "U" {
            owner o
            expectation "x"
            step a "A"
            metric m "M" {
                time from a.start to a.end
                promise 80% within 30 s
            }
        }
    ''')
    result = run(tmp_path, main, owners=None)
    got = [(d.code, d.span.line, d.span.column) for d in result.diagnostics if d.is_error]
    assert got == [("TD001", 1, 1), ("TD001", 7, 1), ("TD001", 13, 28)]
    assert "did you mean `touchpoint`?" in result.diagnostics[0].help


def test_td206_in_a_touchpoint_without_steps_says_so(tmp_path):
    main = tp('owner field_ops\nexpectation "x"\nupdates every 1h via sms until done.end\n')
    result = run(tmp_path, main)
    (d,) = only(result, "TD206")
    assert found(result, "TD206") == [("main.touch", *at(main, "done.end"))]
    assert d.help == ('steps belong to their touchpoint, and `t` has none: add `step done "…"`',)


def test_fixed_vocabularies_list_their_words_not_declared_names(tmp_path):
    main = tp('owner field_ops\nexpectation "x"\nescalate to manager on whenever\n')
    result = run(tmp_path, main)
    (d,) = only(result, "TD308")
    assert found(result, "TD308") == [("main.touch", *at(main, "whenever"))]
    assert d.help == ("escalate `on breach` (objective missed) or `on risk` (budget burning)",)
    main = 'defaults {\n    charter colour "red"\n}\n'
    (d,) = only(run(tmp_path, main), "TD307")
    assert d.help == ("charter settings are language, title and intro",)
