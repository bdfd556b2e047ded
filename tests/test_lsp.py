"""`touchdsl lsp`: real LSP sessions over stdio with pygls' client.

Each test starts the server as a subprocess (the way editors do), speaks
JSON-RPC to it and shuts it down. Every wait is bounded by TIMEOUT so a broken
server fails the test instead of hanging it; nothing asserts on durations.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from lsprotocol import types
from pygls.lsp.client import LanguageClient
from tests.paths import REPO

TIMEOUT = 60.0

SERVER_VIA_CLI = [sys.executable, "-c", "from touchdsl.cli import main; main()", "lsp", "--stdio"]
SERVER_VIA_MODULE = [sys.executable, "-m", "touchdsl.tools.lsp"]


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def position(text: str, needle: str, nth: int = 0, offset: int = 0) -> types.Position:
    """The LSP position (UTF-16 columns) of the nth occurrence of needle, plus offset characters."""
    index = -1
    for _ in range(nth + 1):
        index = text.index(needle, index + 1)
    index += offset
    line = text.count("\n", 0, index)
    start = text.rfind("\n", 0, index) + 1
    return types.Position(line=line, character=utf16(text[start:index]))


class Session:
    """An initialized client talking to a fresh server over stdio."""

    def __init__(self, workspace: Path, command: list[str] = SERVER_VIA_CLI):
        self.workspace = workspace
        self.command = command
        self.client = LanguageClient("touchdsl-tests", "1")
        self.diagnostics: dict[str, list[types.Diagnostic]] = {}
        self.notifications: list[tuple[str, list[types.Diagnostic]]] = []
        self._changed = asyncio.Event()
        self.versions: dict[str, int] = {}

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
            self.diagnostics[params.uri] = list(params.diagnostics)
            self.notifications.append((params.uri, list(params.diagnostics)))
            self._changed.set()

    async def __aenter__(self) -> "Session":
        await asyncio.wait_for(self.client.start_io(*self.command, cwd=str(self.workspace)), TIMEOUT)
        uri = self.workspace.as_uri()
        self.initialize_result = await asyncio.wait_for(self.client.initialize_async(types.InitializeParams(
            process_id=None,
            root_uri=uri,
            workspace_folders=[types.WorkspaceFolder(uri=uri, name=self.workspace.name)],
            capabilities=types.ClientCapabilities(
                general=types.GeneralClientCapabilities(position_encodings=[types.PositionEncodingKind.Utf16]),
                text_document=types.TextDocumentClientCapabilities(
                    hover=types.HoverClientCapabilities(content_format=[types.MarkupKind.Markdown]),
                    document_symbol=types.DocumentSymbolClientCapabilities(
                        hierarchical_document_symbol_support=True),
                ),
            ),
        )), TIMEOUT)
        self.client.initialized(types.InitializedParams())
        return self

    async def __aexit__(self, *exc) -> None:
        try:
            await asyncio.wait_for(self.client.shutdown_async(None), TIMEOUT)
            self.client.exit(None)
            server = self.client._server
            if server is not None:
                self.exit_code = await asyncio.wait_for(server.wait(), TIMEOUT)
        finally:
            server = self.client._server
            if server is not None and server.returncode is None:
                server.kill()
                await server.wait()
            await asyncio.wait_for(self.client.stop(), TIMEOUT)

    # -- documents --

    def open(self, path: Path, text: str | None = None) -> str:
        uri = path.as_uri()
        self.versions[uri] = 1
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
            uri=uri, language_id="touch", version=1,
            text=path.read_text(encoding="utf-8") if text is None else text)))
        return uri

    def replace(self, uri: str, text: str) -> None:
        self.versions[uri] += 1
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))

    def mark(self) -> int:
        """A point in the stream of notifications, for waiting on newer ones only."""
        return len(self.notifications)

    async def wait_diagnostics(self, uri: str, predicate, since: int = 0) -> list[types.Diagnostic]:
        """Wait until the latest diagnostics published for uri (after `since`) satisfy predicate."""

        def latest():
            for u, diags in reversed(self.notifications[since:]):
                if u == uri:
                    return diags
            return None

        async def wait() -> list[types.Diagnostic]:
            while (found := latest()) is None or not predicate(found):
                self._changed.clear()
                await self._changed.wait()
            return found

        return await asyncio.wait_for(wait(), TIMEOUT)

    # -- requests --

    @staticmethod
    def doc(uri: str) -> types.TextDocumentIdentifier:
        return types.TextDocumentIdentifier(uri=uri)

    async def hover(self, uri: str, pos: types.Position) -> types.Hover | None:
        return await asyncio.wait_for(self.client.text_document_hover_async(
            types.HoverParams(text_document=self.doc(uri), position=pos)), TIMEOUT)

    async def definition(self, uri: str, pos: types.Position):
        return await asyncio.wait_for(self.client.text_document_definition_async(
            types.DefinitionParams(text_document=self.doc(uri), position=pos)), TIMEOUT)

    async def references(self, uri: str, pos: types.Position, declaration: bool = True):
        return await asyncio.wait_for(self.client.text_document_references_async(types.ReferenceParams(
            text_document=self.doc(uri), position=pos,
            context=types.ReferenceContext(include_declaration=declaration))), TIMEOUT)

    async def completion(self, uri: str, pos: types.Position) -> list[str]:
        result = await asyncio.wait_for(self.client.text_document_completion_async(
            types.CompletionParams(text_document=self.doc(uri), position=pos)), TIMEOUT)
        items = result.items if isinstance(result, types.CompletionList) else (result or [])
        return [i.label for i in items]

    async def symbols(self, uri: str):
        return await asyncio.wait_for(self.client.text_document_document_symbol_async(
            types.DocumentSymbolParams(text_document=self.doc(uri))), TIMEOUT)


def run(coro):
    return asyncio.run(coro)


@pytest.fixture
def telecom(tmp_path: Path) -> Path:
    project = tmp_path / "telecom"
    shutil.copytree(REPO / "examples" / "telecom", project)
    return project


def where(loc: types.Location) -> tuple[str, int, int, int, int]:
    r = loc.range
    return (Path(loc.uri.removeprefix("file://")).name, r.start.line, r.start.character, r.end.line,
            r.end.character)


# ---- the command -------------------------------------------------------------------------


def test_lsp_is_a_command_of_the_cli():
    from touchdsl.cli import cli

    result = CliRunner().invoke(cli, ["lsp", "--help"])
    assert result.exit_code == 0, result.output
    assert "--stdio" in result.output
    assert "lsp" in CliRunner().invoke(cli, ["--help"]).output
    # What editors' LSP clients append to the command line must not stop the server from starting.
    from touchdsl.tools.lsp import command

    ctx = command.make_context("lsp", ["--stdio", "--clientProcessId=4242"])
    assert ctx.params == {"stdio": True, "client_process_id": 4242}


# ---- diagnostics -------------------------------------------------------------------------


def test_diagnostics_as_you_type_for_every_file(telecom: Path):
    support = telecom / "support.touch"
    owners = telecom / "owners.touch"
    text = support.read_text(encoding="utf-8")
    broken = text.replace("    owner field_ops\n", "    owner field_opz\n", 1)

    async def scenario():
        async with Session(telecom) as s:
            uri = s.open(support, broken)
            diags = await s.wait_diagnostics(uri, lambda ds: any(d.code == "TD202" for d in ds))
            [d] = [d for d in diags if d.code == "TD202"]
            assert d.range.start == position(broken, "field_opz")
            assert d.range.end == position(broken, "field_opz", offset=len("field_opz"))
            assert d.severity == types.DiagnosticSeverity.Error and d.source == "touchdsl"
            assert "unknown owner `field_opz`" in d.message and "did you mean `field_ops`?" in d.message
            # Every file of the project gets its (empty) list, so stale ones are cleared.
            assert await s.wait_diagnostics(owners.as_uri(), lambda ds: True) == []

            # Fixed while typing: the error disappears.
            s.replace(uri, text)
            await s.wait_diagnostics(uri, lambda ds: ds == [])

            # An edit in one file changes the diagnostics of another (names are project-wide).
            owners_uri = s.open(owners)
            s.replace(owners_uri, owners.read_text(encoding="utf-8").replace("owner billing", "owner billings"))
            diags = await s.wait_diagnostics(uri, lambda ds: len(ds) >= 3)
            assert {d.code for d in diags} == {"TD202"}
            assert all("billing" in d.message for d in diags)
            s.replace(owners_uri, owners.read_text(encoding="utf-8"))
            await s.wait_diagnostics(uri, lambda ds: ds == [])

            # A duplicate points at both places through related information.
            s.replace(owners_uri, owners.read_text(encoding="utf-8") + '\nowner billing "Again" {\n}\n')
            diags = await s.wait_diagnostics(owners_uri, lambda ds: any(d.code == "TD201" for d in ds))
            [dup] = [d for d in diags if d.code == "TD201"]
            [related] = dup.related_information
            assert related.location.uri == owners_uri
            first = owners.read_text(encoding="utf-8").splitlines().index(
                'owner billing "Billing and Accounts" {')
            assert related.location.range.start.line == first
        assert s.exit_code == 0

    run(scenario())


def test_syntax_errors_are_reported_and_utf16_columns_are_exact(tmp_path: Path):
    project = tmp_path / "health"
    shutil.copytree(REPO / "examples" / "health", project)
    care = project / "care.touch"
    # An emoji needs two UTF-16 code units; Hebrew needs one. Both precede the error.
    original = care.read_text(encoding="utf-8")
    text = re.sub(r'(step visit +)"הביקור במרפאה" by clinics', r'\1"🏥 הביקור במרפאה" by clinicz', original, count=1)
    text = text.replace("promise 80% within 60s", "promise 80% within", 1)
    assert "clinicz" in text and "within\n" in text, "the example changed; update the edits above"

    async def scenario():
        async with Session(project) as s:
            uri = s.open(care, text)
            diags = await s.wait_diagnostics(uri, lambda ds: {"TD202"} <= {d.code for d in ds})
            [unknown] = [d for d in diags if d.code == "TD202"]
            assert unknown.range.start == position(text, "clinicz")
            line = text.splitlines()[unknown.range.start.line]
            assert unknown.range.start.character == utf16(line[: line.index("clinicz")])
            assert unknown.range.start.character == line.index("clinicz") + 1  # the emoji counts twice
            assert any(d.code.startswith("TD0") for d in diags)  # the syntax error, with its own code

            hover = await s.hover(uri, position(text, "clinicz", offset=2))
            assert hover is None  # an unknown name has nothing to show
            hover = await s.hover(uri, position(text, "by digital via sms", offset=4))
            assert "Maya Katz" in hover.contents.value
            assert hover.range.start == position(text, "by digital via sms", offset=3)

    run(scenario())


def test_a_document_not_on_disk_is_checked_on_its_own(tmp_path: Path):
    text = 'owner solo "Solo"{\n    manager "A" <a@example.com>\n}\ntouchpoint t "T" {\n    owner solo\n}\n'

    async def scenario():
        async with Session(tmp_path, SERVER_VIA_MODULE) as s:
            uri = s.open(tmp_path / "unsaved.touch", text)
            diags = await s.wait_diagnostics(uri, lambda ds: len(ds) > 0)
            assert any("expectation" in d.message for d in diags)
            hover = await s.hover(uri, position(text, "owner solo", offset=7))
            assert "Solo" in hover.contents.value

            # VS Code's new, never saved buffers have `untitled:` URIs.
            untitled = "untitled:Untitled-1"
            s.versions[untitled] = 1
            s.client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
                uri=untitled, language_id="touch", version=1, text=text + "touchpoint u \"U\" {\n    owner sol\n}\n")))
            diags = await s.wait_diagnostics(untitled, lambda ds: any(d.code == "TD202" for d in ds))
            assert any("did you mean `solo`?" in d.message for d in diags)
            [loc] = await s.definition(untitled, position(text, "    owner solo", offset=11))
            assert loc.uri == untitled
            assert (loc.range.start.line, loc.range.start.character) == (0, len("owner "))
            assert s.diagnostics[uri]  # the other buffer keeps its own diagnostics

    run(scenario())


# ---- hover, navigation --------------------------------------------------------------------


def test_hover(telecom: Path):
    support = telecom / "support.touch"
    text = support.read_text(encoding="utf-8")

    async def scenario():
        async with Session(telecom) as s:
            uri = s.open(support)
            await s.wait_diagnostics(uri, lambda ds: True)

            owner = await s.hover(uri, position(text, "owner field_ops", offset=8))
            value = owner.contents.value
            assert owner.contents.kind == types.MarkupKind.Markdown
            assert "Field Operations" in value and "Dana Levi" in value
            assert "technical\\_fault" in value or "technical_fault" in value  # accountable for
            assert owner.range.start == position(text, "field_ops")

            metric = (await s.hover(uri, position(text, 'metric answer', offset=8))).contents.value
            assert "Customer speaks with a representative" in metric
            assert "80% of cases within 30 seconds" in metric
            assert "90% of cases within 20 seconds" in metric
            assert "Promise" in metric and "Target" in metric

            arrival = (await s.hover(uri, position(text, "metric arrival", offset=8))).contents.value
            assert "95% of cases within 48 hours of business hours" in arrival

            ratio = (await s.hover(uri, position(text, "metric abandoned", offset=8))).contents.value
            assert "at most 5% of offered are abandoned" in ratio and "at most 3%" in ratio

            csat = (await s.hover(uri, position(text, "metric csat", offset=8))).contents.value
            assert "average answer of at least 4.3 on the 1..5 scale" in csat
            assert "same as the promise" in csat

            count = (await s.hover(uri, position(text, "metric complaints", offset=8))).contents.value
            assert "at most 20 complaints per 7 days" in count

            calendar = (await s.hover(uri, position(text, "on il_office", offset=4))).contents.value
            assert "Israel office hours" in calendar
            assert "Sun–Thu 08:00–18:00" in calendar and "Fri 08:00–13:00" in calendar
            assert "Asia/Jerusalem" in calendar and "IL" in calendar

            step = (await s.hover(uri, position(text, "report.start", offset=2))).contents.value
            assert "Customer reports the fault" in step and "service\\_center" not in step
            assert "`service_center`" in step

            keyword = await s.hover(uri, position(text, "expectation", offset=2))
            assert "what the customer expects" in keyword.contents.value
            assert keyword.range.start == position(text, "expectation")
            # `to` and `by` are keywords, but not inside text
            assert await s.hover(uri, position(text, "sent to the", offset=5)) is None
            assert await s.hover(uri, position(text, "made by the", offset=5)) is None
            assert (await s.hover(uri, position(text, "escalate to", offset=1))).contents.value.startswith(
                "**escalate**")
            assert (await s.hover(uri, position(text, "technician\" by", offset=14))).contents.value.startswith(
                "**by**")

    run(scenario())


def test_definition_and_references(telecom: Path):
    support = telecom / "support.touch"
    owners = telecom / "owners.touch"
    text = support.read_text(encoding="utf-8")
    owners_text = owners.read_text(encoding="utf-8")

    async def scenario():
        async with Session(telecom) as s:
            uri = s.open(support)
            await s.wait_diagnostics(uri, lambda ds: True)

            async def definition(needle: str, offset: int = 1, nth: int = 0):
                [loc] = await s.definition(uri, position(text, needle, nth, offset))
                return where(loc)

            def at(file_text: str, needle: str, name: str, file: str) -> tuple:
                start = position(file_text, needle, offset=needle.index(name))
                return (file, start.line, start.character, start.line, start.character + len(name))

            # owners (touchpoint owner and `by`), calendars, journeys and stages
            assert await definition("owner field_ops", 8) == at(owners_text, 'owner field_ops "', "field_ops",
                                                                 "owners.touch")
            assert await definition("by billing", 4) == at(owners_text, 'owner billing "', "billing", "owners.touch")
            assert await definition("on il_office", 4) == at(owners_text, "calendar il_office", "il_office",
                                                             "owners.touch")
            assert await definition("home_internet.support", 2) == at(owners_text, "journey home_internet",
                                                                      "home_internet", "owners.touch")
            assert await definition("home_internet.support", 15) == at(owners_text, "stage support", "support",
                                                                       "owners.touch")
            # steps and events: both halves of `report.answered` lead to the step
            report_step = at(text, "step report", "report", "support.touch")
            assert await definition("report.start", 1) == report_step
            assert await definition("report.answered", 9) == report_step
            assert await definition("until verify.end", 8) == at(text, "step verify", "verify", "support.touch")

            # references of an owner: declaration first, then every use in the project
            refs = await s.references(uri, position(text, "by service_center", offset=5))
            places = [where(r) for r in refs]
            assert places[0] == at(owners_text, 'owner service_center "', "service_center", "owners.touch")
            assert len(places) == 1 + text.count("by service_center")
            refs = await s.references(uri, position(text, "by service_center", offset=5), declaration=False)
            assert len(refs) == text.count("by service_center")

            # references of a step: its declaration and each event naming it
            refs = await s.references(uri, position(text, "step report", offset=6))
            assert len(refs) == 1 + 3  # report.start twice, report.answered once

            # references of an event moment: each place that event is written
            refs = await s.references(uri, position(text, "report.start", offset=8))
            assert len(refs) == 2
            refs = await s.references(uri, position(text, "report.answered", offset=8))
            assert [where(r)[1:3] for r in refs] == [(position(text, "answered").line,
                                                      position(text, "answered").character)]

            # references from the declaring file, across files
            owners_uri = s.open(owners)
            refs = await s.references(owners_uri, position(owners_text, "calendar il_office", offset=10))
            assert sorted(where(r)[0] for r in refs) == ["owners.touch", "support.touch", "support.touch"]

    run(scenario())


# ---- completion, outline ------------------------------------------------------------------


def test_completion(telecom: Path):
    support = telecom / "support.touch"
    text = support.read_text(encoding="utf-8")

    async def scenario():
        async with Session(telecom) as s:
            uri = s.open(support)
            await s.wait_diagnostics(uri, lambda ds: True)

            async def complete_after(marker: str, insert: str) -> list[str]:
                """Complete with `insert` typed right after the first `marker`."""
                edited = text.replace(marker, marker + insert, 1)
                s.replace(uri, edited)
                return await s.completion(uri, position(edited, marker, offset=len(marker) + len(insert)))

            owners = await complete_after("    channels phone, chat\n", "    owner ")
            assert {"field_ops", "service_center", "billing"} <= set(owners)
            assert "phone" not in owners

            by = await complete_after("    channels phone, chat\n", '    step check "Check" by ')
            assert {"field_ops", "service_center", "billing"} <= set(by)

            via = await complete_after("    channels phone, chat\n", '    step check "Check" by field_ops via ')
            assert {"phone", "chat", "sms", "whatsapp"} <= set(via)

            channels = await complete_after("    channels phone, chat", ", ")
            assert "web" in channels and "phone" not in channels and "chat" not in channels

            moments = await complete_after("        target 90% within 20s\n", "        time from report.")
            assert moments[:2] == ["start", "end"] and "answered" in moments

            steps = await complete_after("        target 90% within 20s\n", "        time from ")
            assert steps == ["report", "confirm", "visit", "verify"]

            calendars = await complete_after("        target 98% within 36h\n",
                                             "        time from report.start to visit.start on ")
            assert calendars == ["il_office"]

            stages = await complete_after("    owner field_ops\n", "    journey home_internet.")
            assert stages == ["join", "support", "move"]

            in_metric = await complete_after("        target 90% within 20s\n", "        ")
            assert {"promise", "target", "window", "time", "source"} <= set(in_metric)
            assert "step" not in in_metric

            in_touchpoint = await complete_after("    channels phone, chat\n", "    ")
            assert {"step", "metric", "owner", "expectation", "escalate"} <= set(in_touchpoint)
            assert "timezone" not in in_touchpoint

            top = await complete_after('import "owners.touch"\n', "\n")
            assert set(top) == {"import", "project", "calendar", "owner", "journey", "defaults", "touchpoint"}

            in_project = await complete_after('import "owners.touch"\n', 'project "X" {\n    ')
            assert in_project == ["contact"]
            contacts = await complete_after('import "owners.touch"\n', 'project "X" {\n    contact ')
            assert {"phone", "web", "email", "mail"} <= set(contacts) and "field" not in contacts

            settings = await complete_after('import "owners.touch"\n', "defaults {\n    charter ")
            assert {"language", "title", "intro", "version", "effective"} == set(settings)

            in_metric_end = await complete_after("        target 90% within 20s\n", "        comp")
            assert "compensation" in in_metric_end

            escalate = await complete_after("    escalate to manager on breach\n", "    escalate to ")
            assert escalate[0] == "manager" and "field_ops" in escalate

            in_string = await complete_after('expectation "My fault', " ")
            assert in_string == []

    run(scenario())


def test_document_symbols(telecom: Path):
    async def scenario():
        async with Session(telecom) as s:
            uri = s.open(telecom / "support.touch")
            symbols = await s.symbols(uri)
            assert [sym.name for sym in symbols] == ["import owners.touch", "technical_fault", "address_change"]
            fault = symbols[1]
            assert fault.detail == "Technical fault repaired"
            assert fault.kind == types.SymbolKind.Struct
            assert [c.name for c in fault.children] == ["report", "confirm", "visit", "verify", "answer", "arrival",
                                                        "abandoned", "csat"]
            assert {c.kind for c in fault.children} == {types.SymbolKind.Function, types.SymbolKind.Property}
            assert fault.range.start.line == 2 and fault.selection_range.start.character == len("touchpoint ")

            owners_uri = s.open(telecom / "owners.touch")
            owner_symbols = await s.symbols(owners_uri)
            names = [sym.name for sym in owner_symbols]
            assert names == ["il_office", "service_center", "field_ops", "billing", "home_internet", "defaults"]
            journey = owner_symbols[4]
            assert [c.name for c in journey.children] == ["join", "support", "move"]

    run(scenario())


# ---- files changing outside the editor, closing, projects ---------------------------------


def test_files_changed_on_disk_and_closed_documents(telecom: Path):
    support = telecom / "support.touch"
    owners = telecom / "owners.touch"
    text = support.read_text(encoding="utf-8")

    async def scenario():
        async with Session(telecom) as s:
            uri = s.open(support)
            await s.wait_diagnostics(uri, lambda ds: ds == [])

            # `git checkout` renames an owner on disk: the open file's references break.
            owners.write_text(owners.read_text(encoding="utf-8").replace("owner field_ops", "owner field_team"),
                              encoding="utf-8")
            s.client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
                types.FileEvent(uri=owners.as_uri(), type=types.FileChangeType.Changed)]))
            diags = await s.wait_diagnostics(uri, lambda ds: len(ds) > 0)
            assert {d.code for d in diags} == {"TD202"}
            assert any("did you mean `field_team`?" in d.message for d in diags)

            # Unsaved edits stop counting when their editor is closed.
            s.replace(uri, text.replace("owner field_ops", "owner field_team"))
            await s.wait_diagnostics(uri, lambda ds: len(ds) == 1)  # `by field_ops` on step visit
            s.client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=s.doc(uri)))
            await s.wait_diagnostics(uri, lambda ds: len(ds) == 2)  # the file on disk again

    run(scenario())


def _without_project(folder: Path) -> None:
    """The examples declare their projects; without the declarations their folders are plain folders."""
    import re

    for path in folder.rglob("*.touch"):
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r'^project "[^"]*"(?: \{.*?^\})?\n', "", text, flags=re.M | re.S),
                        encoding="utf-8")


def test_a_project_declaration_splits_the_workspace(tmp_path: Path):
    """Folders whose files declare `project` are projects of their own inside one workspace."""
    workspace = tmp_path / "ops"
    shutil.copytree(REPO / "examples" / "telecom", workspace / "telecom")
    shutil.copytree(REPO / "examples" / "banking", workspace / "banking")

    async def scenario():
        async with Session(workspace) as s:
            uri = s.open(workspace / "telecom" / "support.touch")
            text = (workspace / "telecom" / "support.touch").read_text(encoding="utf-8")
            assert await s.wait_diagnostics(uri, lambda ds: True) == []
            mark = s.mark()
            s.replace(uri, text.replace("    owner billing\n", "    owner payments\n"))
            diags = await s.wait_diagnostics(uri, lambda ds: len(ds) > 0, since=mark)
            # banking's owners are another project's: unknown here
            assert [d.code for d in diags] == ["TD202"] and "unknown owner `payments`" in diags[0].message

    run(scenario())


def test_project_is_the_nearest_workspace_folder(tmp_path: Path):
    """Files of one workspace folder form one project; a file outside every folder stands with its own folder."""
    workspace = tmp_path / "ops"
    shutil.copytree(REPO / "examples" / "telecom", workspace / "telecom")
    shutil.copytree(REPO / "examples" / "banking", workspace / "banking")
    _without_project(workspace)
    outside = tmp_path / "scratch"
    outside.mkdir()
    (outside / "units.touch").write_text(
        'owner solo "Solo" {\n    manager "A" <a@example.com>\n    notify email "a@example.com"\n}\n',
        encoding="utf-8")
    (outside / "tp.touch").write_text(
        'touchpoint t "T" {\n    owner solo\n    owner payments\n    expectation "E"\n'
        '    metric m "M" {\n        nps\n        promise at least 10\n    }\n}\n', encoding="utf-8")

    async def scenario():
        async with Session(workspace) as s:
            # banking's owners are visible from telecom's files: one workspace, one project
            uri = s.open(workspace / "telecom" / "support.touch")
            await s.wait_diagnostics(uri, lambda ds: True)
            await s.wait_diagnostics((workspace / "banking" / "transfers.touch").as_uri(), lambda ds: True)
            text = (workspace / "telecom" / "support.touch").read_text(encoding="utf-8")
            mark = s.mark()
            s.replace(uri, text.replace("    owner billing\n", "    owner paymentz\n"))
            diags = await s.wait_diagnostics(uri, lambda ds: True, since=mark)
            assert [d.code for d in diags] == ["TD202"] and "did you mean `payments`?" in diags[0].message
            mark = s.mark()
            s.replace(uri, text.replace("    owner billing\n", "    owner payments\n"))
            await s.wait_diagnostics(uri, lambda ds: ds == [], since=mark)

            # outside the workspace: the file's folder is the project (solo is known, payments is not)
            tp_uri = s.open(outside / "tp.touch")
            diags = await s.wait_diagnostics(tp_uri, lambda ds: len(ds) > 0)
            assert await s.wait_diagnostics((outside / "units.touch").as_uri(), lambda ds: True) == []
            unknown = [d for d in diags if d.code == "TD202"]
            assert [d.range.start.line for d in unknown] == [2]
            [loc] = await s.definition(tp_uri, types.Position(line=1, character=11))
            assert loc.uri == (outside / "units.touch").as_uri()

    run(scenario())


def test_same_diagnostics_as_check(telecom: Path):
    """The editor shows exactly what `touchdsl check` reports: codes, files, places."""
    from touchdsl.compiler.driver import compile_project

    support = telecom / "support.touch"
    owners = telecom / "owners.touch"
    support.write_text(support.read_text(encoding="utf-8")
                       .replace("channels phone, chat", "channels phone, chats")
                       .replace("target 90% within 20s", "target 70% within 40s")
                       .replace("step visit ", "step visit visit "), encoding="utf-8")
    owners.write_text(owners.read_text(encoding="utf-8").replace('timezone "Asia/Jerusalem"', 'timezone "Asia/Jerusalm"'),
                      encoding="utf-8")
    result = compile_project([str(telecom)])
    expected = sorted((Path(d.span.file).name, d.span.line - 1, d.span.column - 1, d.code)
                      for d in result.diagnostics)
    assert len({e[0] for e in expected}) == 2 and len(expected) >= 4

    async def scenario():
        async with Session(telecom) as s:
            uri = s.open(support)
            await s.wait_diagnostics(uri, lambda ds: len(ds) > 0)
            await s.wait_diagnostics(owners.as_uri(), lambda ds: len(ds) > 0)
            got = sorted((Path(u.removeprefix("file://")).name, d.range.start.line, d.range.start.character, d.code)
                         for u, ds in s.diagnostics.items() for d in ds)
            assert got == expected

    run(scenario())


# ---- formatting ----------------------------------------------------------------------------


def apply_edits(text: str, edits: list[types.TextEdit]) -> str:
    """Apply LSP edits (UTF-16 positions) the way an editor does."""
    lines = text.split("\n")

    def offset(p: types.Position) -> int:
        if p.line >= len(lines):
            return len(text)
        line = lines[p.line]
        units = 0
        chars = 0
        while chars < len(line) and units < p.character:
            units += utf16(line[chars])
            chars += 1
        return sum(len(ln) + 1 for ln in lines[: p.line]) + chars

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end):]
    return text


def test_formatting_uses_fmt(telecom: Path):
    formatter = pytest.importorskip("touchdsl.tools.fmt", reason="touchdsl fmt is not installed")
    support = telecom / "support.touch"
    original = support.read_text(encoding="utf-8")
    messy = (original.replace("    step ", "  step   ").replace("promise 80% within 30s", "promise   80%  within 30s")
             .replace("    metric csat", "\n\n\n    metric csat") + "   # trailing note 📞")
    expected, errors = formatter.format_source(messy, str(support))
    assert errors == [] and expected != messy

    async def scenario():
        async with Session(telecom) as s:
            assert s.initialize_result.capabilities.document_formatting_provider
            uri = s.open(support, messy)
            options = types.FormattingOptions(tab_size=2, insert_spaces=True)
            edits = await asyncio.wait_for(s.client.text_document_formatting_async(
                types.DocumentFormattingParams(text_document=s.doc(uri), options=options)), TIMEOUT)
            formatted = apply_edits(messy, edits)
            assert formatted == expected
            assert "# trailing note 📞" in formatted

            # Formatting the formatted text changes nothing.
            s.replace(uri, formatted)
            again = await asyncio.wait_for(s.client.text_document_formatting_async(
                types.DocumentFormattingParams(text_document=s.doc(uri), options=options)), TIMEOUT)
            assert again is not None and len(again) == 0

            # A file that does not parse is left alone.
            s.replace(uri, formatted.replace("promise 95% within 48h", "promise 95% within"))
            broken = await asyncio.wait_for(s.client.text_document_formatting_async(
                types.DocumentFormattingParams(text_document=s.doc(uri), options=options)), TIMEOUT)
            assert broken is None

    run(scenario())


# ---- quick fixes ---------------------------------------------------------------------------


def test_quick_fix_applies_the_suggestion(telecom: Path):
    support = telecom / "support.touch"
    text = support.read_text(encoding="utf-8")
    broken = (text.replace("    owner field_ops\n", "    owner field_opz\n", 1)
              .replace("channels phone, chat", "channels phone, chatt")
              .replace('import "owners.touch"', 'import "owner.touch"'))

    async def scenario():
        async with Session(telecom) as s:
            uri = s.open(support, broken)
            diags = await s.wait_diagnostics(uri, lambda ds: {"TD102", "TD202", "TD304"} <= {d.code for d in ds})
            fixed = broken
            titles = []
            for d in diags:
                actions = await asyncio.wait_for(s.client.text_document_code_action_async(types.CodeActionParams(
                    text_document=s.doc(uri), range=d.range,
                    context=types.CodeActionContext(diagnostics=[d]))), TIMEOUT)
                if d.code == "TD102":  # the import: a path, not a name, is never rewritten
                    assert not actions
                    continue
                [action] = actions
                assert action.kind == types.CodeActionKind.QuickFix and action.is_preferred
                titles.append(action.title)
                fixed = apply_edits(fixed, action.edit.changes[uri])
            assert sorted(titles) == ["Change to `chat`", "Change to `field_ops`"]
            assert fixed == text.replace('import "owners.touch"', 'import "owner.touch"')

    run(scenario())


# ---- the protocol edge: malformed requests are answered -----------------------------------


class RawSession:
    """JSON-RPC by hand, for messages a well-behaved client library would refuse to send."""

    def __init__(self, workspace: Path):
        self.workspace = workspace
        self.next_id = 0

    async def __aenter__(self) -> "RawSession":
        self.proc = await asyncio.create_subprocess_exec(
            *SERVER_VIA_MODULE, cwd=str(self.workspace), stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        uri = self.workspace.as_uri()
        await self.request("initialize", {"processId": None, "rootUri": uri, "capabilities": {},
                                          "workspaceFolders": [{"uri": uri, "name": "w"}]})
        self.send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
        return self

    async def __aexit__(self, *exc) -> None:
        try:
            await self.request("shutdown", None)
            self.send({"jsonrpc": "2.0", "method": "exit"})
            await asyncio.wait_for(self.proc.wait(), TIMEOUT)
        finally:
            if self.proc.returncode is None:
                self.proc.kill()
                await self.proc.wait()
            self.stderr = (await self.proc.stderr.read()).decode("utf-8", "replace")

    def send(self, message: dict) -> None:
        body = json.dumps(message).encode("utf-8")
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    async def receive(self) -> dict:
        length = 0
        while True:
            line = await asyncio.wait_for(self.proc.stdout.readline(), TIMEOUT)
            if not line:
                raise EOFError("the server closed its output")
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
            elif line in (b"\r\n", b"\n") and length:
                return json.loads(await asyncio.wait_for(self.proc.stdout.readexactly(length), TIMEOUT))

    async def answer_to(self, msg_id) -> dict:
        """The response with this id (notifications and other responses on the way are skipped)."""
        while True:
            message = await self.receive()
            if "method" not in message and message.get("id") == msg_id:
                return message

    async def request(self, method: str, params, msg_id=None) -> dict:
        self.next_id += 1
        msg_id = self.next_id if msg_id is None else msg_id
        message = {"jsonrpc": "2.0", "id": msg_id, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)
        return await self.answer_to(msg_id)


def test_requests_with_invalid_params_are_answered_with_invalid_params(telecom: Path):
    support = telecom / "support.touch"
    uri = support.as_uri()
    good = {"textDocument": {"uri": uri}, "position": {"line": 4, "character": 12}}

    async def scenario():
        async with RawSession(telecom) as s:
            s.send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
                "uri": uri, "languageId": "touch", "version": 1, "text": support.read_text(encoding="utf-8")}}})
            bad = {
                "a negative position": {"textDocument": {"uri": uri}, "position": {"line": -1, "character": 0}},
                "a string for a number": {"textDocument": {"uri": uri}, "position": {"line": "four", "character": 0}},
                "a number for the document": {"textDocument": 7, "position": {"line": 0, "character": 0}},
                "no params": None,
            }
            for what, params in bad.items():
                answer = await s.request("textDocument/hover", params)
                assert answer["error"]["code"] == -32602, (what, answer)
                assert "result" not in answer
            # An object is no id: the answer cannot name the request, so its id is null.
            s.send({"jsonrpc": "2.0", "id": {"x": 1}, "method": "textDocument/hover", "params": good})
            answer = await s.answer_to(None)
            assert answer["error"]["code"] == -32602
            # A broken notification is dropped; the server goes on answering.
            s.send({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {"textDocument": 3}})
            answer = await s.request("textDocument/hover", good)
            assert "field_ops" in answer["result"]["contents"]["value"]
        assert "Traceback" not in s.stderr, s.stderr
        assert s.proc.returncode == 0

    run(scenario())


# ---- lines as the parser counts them --------------------------------------------------------


def test_form_feeds_and_line_separators_do_not_shift_positions(telecom: Path):
    support = telecom / "support.touch"
    text = support.read_text(encoding="utf-8")
    # U+2028, a form feed and a vertical tab end a line for str.splitlines(), not for the parser
    # (nor for the LSP specification): the diagnostic must stay on the line of `field_opz`.
    odd = text.replace('import "owners.touch"\n', 'import "owners.touch"  # a\u2028b\x0cc\x0bd\n', 1)
    broken = odd.replace("    owner field_ops\n", "    owner field_opz\n", 1)

    async def scenario():
        async with Session(telecom) as s:
            uri = s.open(support, broken)
            diags = await s.wait_diagnostics(uri, lambda ds: any(d.code == "TD202" for d in ds))
            [d] = [d for d in diags if d.code == "TD202"]
            assert d.range.start == position(broken, "field_opz")
            # An incremental edit after those characters lands where the editor means it.
            at = position(broken, "field_opz", offset=len("field_op"))
            s.versions[uri] += 1
            s.client.text_document_did_change(types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=s.versions[uri]),
                content_changes=[types.TextDocumentContentChangePartial(
                    range=types.Range(start=at, end=types.Position(line=at.line, character=at.character + 1)),
                    text="s")]))
            # left: the warning that the comment holds a line separator editors break at (TD904)
            diags = await s.wait_diagnostics(uri, lambda ds: [d.code for d in ds] == ["TD904"])
            assert diags[0].range.start == position(broken, "\u2028")
            hover = await s.hover(uri, position(odd, "owner field_ops", offset=8))
            assert "Dana Levi" in hover.contents.value

    run(scenario())


# ---- analysis off the event loop -----------------------------------------------------------


def _big_project(folder: Path, touchpoints: int) -> Path:
    """The telecom example with its touchpoints repeated: a project that takes a while to check."""
    shutil.copytree(REPO / "examples" / "telecom", folder)
    support = (folder / "support.touch").read_text(encoding="utf-8")
    head, _, body = support.partition("\n")
    blocks = re.findall(r"touchpoint (\w+) ", body)
    copies = [re.sub(r"touchpoint (\w+) ", lambda m, i=i: f"touchpoint {m.group(1)}_{i} ", body)
              for i in range(touchpoints // len(blocks))]
    (folder / "support.touch").write_text(head + "\n" + "\n".join(copies), encoding="utf-8")
    return folder / "support.touch"


def test_the_server_answers_while_a_project_is_being_checked(tmp_path: Path):
    support = _big_project(tmp_path / "big", 3000)
    text = support.read_text(encoding="utf-8")
    broken = text.replace("    owner field_ops\n", "    owner field_opz\n", 1)

    async def scenario():
        async with Session(tmp_path / "big") as s:
            uri = s.open(support)
            await s.wait_diagnostics(uri, lambda ds: True)
            since = s.mark()
            s.replace(uri, broken)
            # Code actions need no analysis: the answer must not wait for the check of 3000
            # touchpoints that the edit started.
            await asyncio.sleep(0.3)  # past the debounce: the analysis is under way
            actions = await asyncio.wait_for(s.client.text_document_code_action_async(types.CodeActionParams(
                text_document=s.doc(uri), range=types.Range(start=types.Position(line=0, character=0),
                                                            end=types.Position(line=0, character=0)),
                context=types.CodeActionContext(diagnostics=[]))), TIMEOUT)
            assert not actions
            answered_before = s.mark() == since  # no diagnostics yet: the check was still running
            diags = await s.wait_diagnostics(uri, lambda ds: any(d.code == "TD202" for d in ds), since)
            assert [d.range.start for d in diags if d.code == "TD202"] == [position(broken, "field_opz")]
            assert answered_before

    run(scenario())


def test_a_newer_edit_supersedes_the_analysis_under_way(tmp_path: Path):
    support = _big_project(tmp_path / "big", 3000)
    text = support.read_text(encoding="utf-8")

    async def scenario():
        async with Session(tmp_path / "big") as s:
            uri = s.open(support)
            await s.wait_diagnostics(uri, lambda ds: True)
            since = s.mark()
            for typo in ("field_opa", "field_opb", "field_opc"):
                s.replace(uri, text.replace("    owner field_ops\n", f"    owner {typo}\n", 1))
                await asyncio.sleep(0.3)  # each one starts an analysis the next one makes stale
            s.replace(uri, text)
            await s.wait_diagnostics(uri, lambda ds: ds == [], since)
            shown = [d.message for u, ds in s.notifications[since:] if u == uri for d in ds]
            # Superseded analyses are not shown (at most the one that had finished before the next edit).
            assert len({m for m in shown if "field_op" in m}) <= 2, shown
            await asyncio.sleep(1.0)
            assert s.diagnostics[uri] == []  # and nothing stale arrives after the last one

    run(scenario())


# ---- a failed analysis says so ----------------------------------------------------------------

# The real server, with the analysis made to fail when a document says so: the failure path
# cannot be reached with a valid compiler, and it must still be right when the compiler is not.
SERVER_THAT_FAILS = [sys.executable, "-c", (
    "import touchdsl.tools.lsp.server as server\n"
    "real = server.analyse\n"
    "def analyse(paths, overlay=None, cancelled=None):\n"
    "    if any('# fail here' in text for text in (overlay or {}).values()):\n"
    "        raise RuntimeError('the compiler broke')\n"
    "    return real(paths, overlay, cancelled)\n"
    "server.analyse = analyse\n"
    "server.command()\n")]


def test_a_failed_analysis_clears_stale_diagnostics_and_says_what_failed(telecom: Path):
    support = telecom / "support.touch"
    owners = telecom / "owners.touch"
    text = support.read_text(encoding="utf-8")

    async def scenario():
        async with Session(telecom, SERVER_THAT_FAILS) as s:
            owners_uri = s.open(owners, owners.read_text(encoding="utf-8").replace("owner billing", "owner Billing"))
            await s.wait_diagnostics(owners_uri, lambda ds: any(d.code == "TD006" for d in ds))
            uri = s.open(support, text.replace("    owner field_ops\n", "    owner field_opz\n", 1))
            await s.wait_diagnostics(uri, lambda ds: any(d.code == "TD202" for d in ds))
            since = s.mark()
            s.replace(uri, text + "# fail here\n")
            [failure] = await s.wait_diagnostics(uri, lambda ds: len(ds) == 1 and ds[0].code is None, since)
            assert "could not check this project" in failure.message and "RuntimeError" in failure.message
            assert failure.severity == types.DiagnosticSeverity.Error
            assert await s.wait_diagnostics(owners_uri, lambda ds: ds == [], since) == []
            since = s.mark()
            s.replace(uri, text)
            await s.wait_diagnostics(owners_uri, lambda ds: any(d.code == "TD006" for d in ds), since)
            # The checks are back: `owner billing` is unknown since owners.touch says `Billing`.
            back = await s.wait_diagnostics(uri, lambda ds: True, since)
            assert back and {d.code for d in back} == {"TD202"}

    run(scenario())


def test_incremental_edits_land_where_the_editor_means_them():
    """The server's documents apply edits by `\\n` lines, whatever else the text holds."""
    import random

    from touchdsl.tools.lsp.positions import TouchDocument

    rng = random.Random(7)
    text = "a\u2028b\nline two\x0c\x0b\n\nthree\r\nfour 🏥 five"
    document = TouchDocument("file:///edited.touch", source=text)
    for _ in range(1500):
        lines = text.split("\n")
        l1 = rng.randrange(len(lines))
        c1 = rng.randrange(len(lines[l1]) + 1)
        l2 = rng.randrange(l1, len(lines))
        c2 = rng.randrange(len(lines[l2]) + 1)
        if (l2, c2) < (l1, c1):
            l2, c2 = l1, c1

        def offset(line: int, column: int) -> int:
            return sum(len(x) + 1 for x in lines[:line]) + column

        new = rng.choice(["", "x", "\n", "ab\ncd", "\u2028", "é", "🏥"])
        start = types.Position(line=l1, character=utf16(lines[l1][:c1]))
        end = types.Position(line=l2, character=utf16(lines[l2][:c2]))
        text = text[:offset(l1, c1)] + new + text[offset(l2, c2):]
        document.apply_change(types.TextDocumentContentChangePartial(range=types.Range(start=start, end=end), text=new))
        assert document.source == text


@pytest.fixture
def health(tmp_path: Path) -> Path:
    project = tmp_path / "health"
    shutil.copytree(REPO / "examples" / "health", project)
    return project


def test_hover_and_completion_of_classes_pauses_business_days_and_eves(health: Path):
    care = health / "care.touch"
    feedback = health / "feedback.touch"
    care_text = care.read_text(encoding="utf-8")
    feedback_text = feedback.read_text(encoding="utf-8")

    async def scenario():
        async with Session(health) as s:
            care_uri = s.open(care)
            await s.wait_diagnostics(care_uri, lambda ds: True)
            slot = (await s.hover(care_uri, position(care_text, "metric slot", offset=8))).contents.value
            assert "90% of cases within 3 business days of `clinic_hours`" in slot
            assert "**Promise** for `urgent`: 90% of cases within 1 business day" in slot
            urgent = (await s.hover(care_uri, position(care_text, "for urgent", offset=5))).contents.value
            assert urgent.startswith("**class** `urgent` of touchpoint `appointment`")
            assert "promise 90% of cases within 1 business day" in urgent
            calendar = (await s.hover(care_uri, position(care_text, "on clinic_hours", offset=4))).contents.value
            assert "eves of holidays 08:00–12:00" in calendar and "2026-11-05 07:30–14:00" in calendar

            feedback_uri = s.open(feedback)
            await s.wait_diagnostics(feedback_uri, lambda ds: True)
            reply = (await s.hover(feedback_uri, position(feedback_text, "metric reply_time",
                                                          offset=8))).contents.value
            assert "The clock stops while step `details`" in reply
            volume = (await s.hover(feedback_uri, position(feedback_text, "metric volume", offset=8))).contents.value
            assert "an internal metric, never in the charter" in volume
            details = (await s.hover(feedback_uri, position(feedback_text, "while details", offset=7))).contents.value
            assert details.startswith("**step** `details`")
            keyword = (await s.hover(feedback_uri, position(feedback_text, "pause while", offset=1))).contents.value
            assert keyword.startswith("**pause**")

            async def complete_after(uri: str, text: str, marker: str, insert: str) -> list[str]:
                edited = text.replace(marker, marker + insert, 1)
                s.replace(uri, edited)
                return await s.completion(uri, position(edited, marker, offset=len(marker) + len(insert)))

            marker = "        target 95% within 1 business day for urgent\n"
            assert await complete_after(care_uri, care_text, marker, "        promise 90% within 2 business day for ") \
                == ["urgent", "routine"]
            assert await complete_after(care_uri, care_text, marker, "        target 95% within 4 ") == ["business"]
            assert await complete_after(care_uri, care_text, marker, "        pause while ") == [
                "call", "offer", "remind", "visit"]
            assert set(await complete_after(care_uri, care_text, marker, "        ")) >= {"pause", "promise"}
            assert "class" in await complete_after(care_uri, care_text, "    channels phone, app, web\n", "    ")

    run(scenario())
