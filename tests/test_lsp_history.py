"""The language server shows what the project's history says of a promise (touchdsl.toml
`[history]`): the same findings `touchdsl check --history` warns with, on hover."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.paths import REPO
from tests.test_lsp import Session, position, run


@pytest.fixture
def telecom(tmp_path: Path) -> Path:
    project = tmp_path / "telecom"
    shutil.copytree(REPO / "examples" / "telecom", project)
    return project


def test_hover_shows_the_history_of_a_promise_and_measures_again_when_it_changes(telecom: Path):
    (telecom / "touchdsl.toml").write_text('[history]\nevents = ["events.csv"]\n', encoding="utf-8")
    support = telecom / "support.touch"
    text = support.read_text(encoding="utf-8")

    async def hover_text(s: Session, uri: str, pos) -> str:
        # The first hover may come while the history is still measured: ask until it is in.
        for _ in range(30):
            hover = await s.hover(uri, pos)
            value = hover.contents.value if hover is not None else ""
            if "being measured" not in value:
                return value
        raise AssertionError("the history was never measured")

    async def scenario():
        async with Session(telecom) as s:
            uri = s.open(support)
            await s.wait_diagnostics(uri, lambda ds: True)
            promise = await hover_text(s, uri, position(text, "promise 95% within 48h", offset=3))
            # the keyword's meaning, then the history, with the numbers check prints
            assert promise.startswith("**promise**")
            assert "TD610" in promise and "88% of 125 cases were done within 48 business hours" in promise
            assert "promise 95% within 72h or 88% within 48h, or improve" in promise
            target = await hover_text(s, uri, position(text, "target 98% within 36h", offset=12))
            assert "TD611" in target and "at best 90.8% of 98 cases" in target
            kept = await hover_text(s, uri, position(text, "metric answer", offset=8))
            assert "**metric** `answer`" in kept and "TD61" not in kept
            assert "promise kept" in kept and "decided on" in kept
            # The promise changes in the editor (not saved): its meaning changed, so the
            # history is measured again, and 85% within 48h was kept.
            s.replace(uri, text.replace("promise 95% within 48h", "promise 85% within 48h"))
            await s.wait_diagnostics(uri, lambda ds: True, since=s.mark())
            changed = await hover_text(s, uri, position(text, "promise 95% within 48h", offset=3))
            assert "TD610" not in changed and "promise kept" in changed

    run(scenario())


def test_no_history_without_settings_and_a_broken_settings_file_is_said(telecom: Path):
    support = telecom / "support.touch"
    text = support.read_text(encoding="utf-8")

    async def scenario():
        async with Session(telecom) as s:
            uri = s.open(support)
            await s.wait_diagnostics(uri, lambda ds: True)
            plain = (await s.hover(uri, position(text, "metric arrival", offset=8))).contents.value
            assert "History" not in plain
            (telecom / "touchdsl.toml").write_text('[history]\nevnts = ["events.csv"]\n', encoding="utf-8")
            # Markdown-escaped (`\``): read it as the editor shows it
            broken = (await s.hover(uri, position(text, "metric arrival", offset=8))).contents.value.replace("\\", "")
            assert "**History**" in broken and "unknown key `evnts`" in broken and "did you mean `events`" in broken
            (telecom / "touchdsl.toml").write_text('[history]\nevents = ["missing.csv"]\n', encoding="utf-8")
            missing = (await s.hover(uri, position(text, "metric arrival", offset=8))).contents.value
            for _ in range(30):
                if "being measured" not in missing:
                    break
                missing = (await s.hover(uri, position(text, "metric arrival", offset=8))).contents.value
            assert "cannot be measured" in missing and "missing.csv" in missing.replace("\\", "")

    run(scenario())
