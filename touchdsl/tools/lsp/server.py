"""`touchdsl lsp`: the language server editors talk to over stdio (pygls).

A project is the folder of the nearest workspace folder that contains the
document (or the document's own folder outside any workspace), exactly what
`touchdsl check FOLDER` compiles. Its analysis (`touchdsl.tools.lsp.analysis`)
runs on a worker thread, never on the event loop, so the server keeps reading
messages while a large project compiles:

- edits arriving closer together than DEBOUNCE_SECONDS are analysed once;
- a newer edit supersedes the analysis under way: it stops at its next file
  and its result is never shown;
- requests (hover, definition, …) wait for the analysis of the text they see,
  without blocking anything else; completion waits at most COMPLETION_WAIT
  and otherwise uses the last analysis with the live text;
- when an analysis fails, the project's diagnostics are replaced by one that
  says what failed, so stale problems do not linger.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import click
from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from touchdsl import __version__
from touchdsl.diagnostics import Diagnostic, Severity, Span
from touchdsl.tools.lsp.analysis import Analysis, analyse, analyse_document
from touchdsl.tools.lsp.completion import completion_context, completion_items
from touchdsl.tools.lsp.fixes import quick_fix
from touchdsl.tools.lsp.formatting import formatting_edits
from touchdsl.tools.lsp.history import HistoryCache
from touchdsl.tools.lsp.hover import hover_markdown, keyword_at, keyword_markdown
from touchdsl.tools.lsp.positions import lines_of, server_position, span_range
from touchdsl.tools.lsp.protocol import OneLineLogs, TouchProtocol
from touchdsl.tools.lsp.symbols import outline

__all__ = ["SOURCE", "TouchServer", "command", "create_server"]

log = logging.getLogger(__name__)

SOURCE = "touchdsl"
DEBOUNCE_SECONDS = 0.15
COMPLETION_WAIT = 0.5


@dataclass
class _Project:
    """What the server knows about one project (or one document that is not a file)."""

    key: Path
    document: str | None = None  # the URI, for a document that is not a file of a project
    generation: int = 0  # bumped by every change that calls for a new analysis
    analysed: int = -1  # the generation of `analysis`
    analysis: Analysis | None = None
    timer: asyncio.TimerHandle | None = None
    running: bool = False
    trigger: str | None = None  # the document whose change asked for the analysis
    shown: dict[str, list[types.Diagnostic]] = field(default_factory=dict)  # last published, per URI
    fresh: asyncio.Event = field(default_factory=asyncio.Event)


class TouchServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(SOURCE, __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
                         protocol_cls=TouchProtocol)
        self.projects: dict[Path, _Project] = {}
        # One worker: analyses of one server never compete with each other for the GIL.
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="touchdsl-analysis")
        # The project's history (touchdsl.toml), measured on a thread of its own.
        self.history = HistoryCache()

    # -- where a document belongs --

    @staticmethod
    def document_path(uri: str) -> Path | None:
        fs = to_fs_path(uri)
        return Path(fs).resolve() if fs else None

    def project_root(self, path: Path) -> Path:
        """The project the file belongs to: the nearest folder (up to the workspace folder that holds
        the file) whose files declare `project`, else that workspace folder, else the file's folder."""
        roots: list[Path] = []
        try:
            if self.workspace.root_path:
                roots.append(Path(self.workspace.root_path).resolve())
            for folder in self.workspace.folders.values():
                fs = to_fs_path(folder.uri)
                if fs:
                    roots.append(Path(fs).resolve())
        except RuntimeError:  # no workspace before initialize
            pass
        containing = [r for r in roots if r == path.parent or r in path.parents]
        if containing:
            from touchdsl.compiler.driver import project_root_of

            # A folder below the workspace whose files declare `project` is a project of its own.
            return project_root_of(path, max(containing, key=lambda r: len(r.parts)))
        return path.parent

    def key_of(self, uri: str) -> Path:
        path = self.document_path(uri)
        if path is None or not path.is_file():
            return self.alone(uri)
        return self.project_root(path)

    @staticmethod
    def alone(uri: str) -> Path:
        """The key of a document that is not a file (unsaved, untitled): a project of its own."""
        return Path(f"<{uri}>")

    def project(self, key: Path, uri: str | None = None) -> _Project:
        found = self.projects.get(key)
        if found is None:
            document = uri if uri is not None and key == self.alone(uri) else None
            found = self.projects[key] = _Project(key, document)
        return found

    def open_paths(self) -> dict[Path, str]:
        """The open documents that are files, by resolved path."""
        found: dict[Path, str] = {}
        for uri in self.workspace.text_documents:
            fs = to_fs_path(uri)
            if fs:
                found.setdefault(Path(fs).resolve(), str(uri))
        return found

    def uri_for(self, path: Path, opened: dict[Path, str] | None = None) -> str:
        """The URI the editor uses for a file (its own spelling when the file is open)."""
        found = (self.open_paths() if opened is None else opened).get(path)
        return found or str(from_fs_path(str(path)) or path.as_uri())

    def display_uri(self, a: Analysis, display: str, opened: dict[Path, str] | None = None) -> str:
        if display in a.uris:
            return a.uris[display]
        return self.uri_for(a.paths.get(display) or Path(display).resolve(), opened)

    def span_range(self, a: Analysis, span: Span) -> types.Range:
        return span_range(self.workspace.position_codec, a.lines(span.file), span)

    def location(self, a: Analysis, span: Span) -> types.Location:
        return types.Location(uri=self.display_uri(a, span.file), range=self.span_range(a, span))

    def analysis_of(self, uri: str) -> tuple[Analysis | None, str | None]:
        """The last analysis that covers a document, and the document's display path in it."""
        path = self.document_path(uri)
        if path is not None:
            for project in self.projects.values():
                a = project.analysis
                if a is not None and path in a.displays:
                    return a, a.displays[path]
        alone = self.projects.get(self.alone(uri))
        if alone is not None and alone.analysis is not None:
            return alone.analysis, next(iter(alone.analysis.sources), None)
        return None, None

    # -- analyses, off the event loop --

    def changed(self, uri: str, delay: float = DEBOUNCE_SECONDS) -> None:
        """A document's text changed: analyse its project soon (once per burst of edits)."""
        self.schedule(self.key_of(uri), uri, delay)

    def schedule(self, key: Path, trigger: str | None, delay: float) -> None:
        project = self.project(key, trigger)
        project.generation += 1  # an analysis under way is now stale: it stops at its next file
        project.trigger = trigger or project.trigger
        project.fresh.clear()
        if project.timer is not None:
            project.timer.cancel()
            project.timer = None
        if project.running:
            return  # it starts the next one when it ends
        if delay <= 0:
            self._start(project)
        else:
            project.timer = asyncio.get_running_loop().call_later(delay, self._start, project)

    def _start(self, project: _Project) -> None:
        project.timer = None
        if project.running or project.analysed == project.generation:
            return
        project.running = True
        generation = project.generation
        job = self._job(project)

        def cancelled() -> bool:
            return project.generation != generation

        future = asyncio.get_running_loop().run_in_executor(self.worker, job, cancelled)
        future.add_done_callback(lambda f: self._finished(project, generation, f))

    def _job(self, project: _Project) -> Callable[[Callable[[], bool]], Analysis]:
        """What to compile, read now on the loop (the documents may change while it runs)."""
        key = project.key
        if project.document is not None:
            uri = project.document
            document = self.workspace.text_documents.get(uri)
            text = document.source if document is not None else ""
            display = to_fs_path(uri) or uri
            return lambda cancelled: analyse_document(text, display, uri)
        overlay: dict[str, str] = {}
        for open_uri, doc in self.workspace.text_documents.items():
            fs = to_fs_path(open_uri)
            if fs:
                real = Path(fs).resolve()
                if (real == key or key in real.parents) and real.is_file():
                    overlay[str(real)] = doc.source
        paths = [str(key)]
        trigger = self.document_path(project.trigger) if project.trigger else None
        if trigger is not None and trigger.is_file() and key not in trigger.parents:
            paths.append(str(trigger))
        return lambda cancelled: analyse(paths, overlay, cancelled)

    def _finished(self, project: _Project, generation: int, future: "asyncio.Future[Analysis]") -> None:
        project.running = False
        stale = project.generation != generation
        exc = None if future.cancelled() else future.exception()
        if not stale:
            if exc is None and not future.cancelled():
                project.analysis = future.result()
                project.analysed = generation
                self.publish(project, project.analysis)
            elif exc is not None:
                project.analysed = generation
                self.publish_failure(project, exc)
            project.fresh.set()
        if project.analysed != project.generation and project.timer is None:
            self._start(project)  # edits came in meanwhile

    async def current(self, uri: str, wait: float | None = None) -> tuple[Analysis | None, str | None]:
        """The analysis of the text the editor has now; waits for it (at most `wait` seconds)."""
        key = self.key_of(uri)
        project = self.projects.get(key)
        if project is None:
            self.schedule(key, uri, 0)
            project = self.projects[key]
        elif project.analysed != project.generation and project.timer is not None:
            self._start(project)  # no need to wait for the end of a burst: someone is asking
        if project.analysed != project.generation:
            try:
                await asyncio.wait_for(project.fresh.wait(), wait)
            except asyncio.TimeoutError:
                pass
        return self.analysis_of(uri)

    # -- diagnostics --

    def publish(self, project: _Project, a: Analysis) -> None:
        by_uri: dict[str, list[types.Diagnostic]] = {}
        opened = self.open_paths()
        uris = {display: self.display_uri(a, display, opened) for display in a.sources}
        for uri in uris.values():
            by_uri.setdefault(uri, [])
        for d in a.diagnostics:
            if d.span is not None:
                uri = uris.get(d.span.file) or self.display_uri(a, d.span.file, opened)
            elif project.trigger is not None:
                uri = project.trigger
            else:
                continue
            by_uri.setdefault(uri, []).append(self.to_lsp(a, d))
        self._send(project, by_uri)

    def publish_failure(self, project: _Project, exc: BaseException) -> None:
        """The analysis failed: no stale problems, and one diagnostic that says what failed."""
        from touchdsl.compiler.driver import PathError

        if isinstance(exc, PathError):
            message = f"touchdsl could not read this project: {exc}"
        else:
            log.error("analysis of %s failed (%s: %s)", project.key, type(exc).__name__, exc)
            message = (f"touchdsl could not check this project: internal error ({type(exc).__name__}: {exc}). "
                       "The problems shown before are cleared because they may be out of date; "
                       "`touchdsl check` on the folder shows the same error.")
        by_uri: dict[str, list[types.Diagnostic]] = {}
        if project.trigger is not None:
            zero = types.Position(line=0, character=0)
            by_uri[project.trigger] = [types.Diagnostic(
                range=types.Range(start=zero, end=zero), message=message,
                severity=types.DiagnosticSeverity.Error, source=SOURCE)]
        self._send(project, by_uri)
        self.window_log_message(types.LogMessageParams(type=types.MessageType.Error, message=message))

    def _send(self, project: _Project, by_uri: dict[str, list[types.Diagnostic]]) -> None:
        """Send what changed since the last analysis (and always the document that was edited)."""
        for uri in set(project.shown) - set(by_uri):
            by_uri[uri] = []
        for uri, diags in sorted(by_uri.items()):
            if uri != project.trigger and project.shown.get(uri) == diags:
                continue
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=diags))
        project.shown = by_uri

    def to_lsp(self, a: Analysis, d: Diagnostic) -> types.Diagnostic:
        if d.span is not None:
            rng = self.span_range(a, d.span)
        else:
            rng = types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0))
        message = d.message + "".join(f"\nhelp: {h}" for h in d.help)
        related = [types.DiagnosticRelatedInformation(location=self.location(a, r.span), message=r.message)
                   for r in d.related if r.span is not None]
        fix = quick_fix(a, d)
        return types.Diagnostic(
            range=rng,
            message=message,
            severity=types.DiagnosticSeverity.Error if d.severity is Severity.ERROR
            else types.DiagnosticSeverity.Warning,
            code=d.code,
            source=SOURCE,
            related_information=related or None,
            # The client hands this back with a code-action request.
            data={"replace": fix} if fix is not None else None,
        )

    # -- positions from the client --

    def document_lines(self, uri: str) -> list[str]:
        document = self.workspace.text_documents.get(uri)
        return lines_of(document.source) if document is not None else []

    async def cursor(self, uri: str, position: types.Position,
                     wait: float | None = None) -> tuple[Analysis | None, str | None, int, int]:
        """The analysis, display path and 1-based (line, column) of a client position."""
        a, display = await self.current(uri, wait)
        line, character = server_position(self.workspace.position_codec, self.document_lines(uri), position)
        return a, display, line + 1, character + 1

    def text_before(self, uri: str, position: types.Position) -> str:
        lines = self.document_lines(uri)
        line, character = server_position(self.workspace.position_codec, lines, position)
        before = "".join(lines[:line])
        if line < len(lines):
            before += lines[line][:character]
        return before


def _keyword_hover(ls: TouchServer, uri: str, position: types.Position) -> types.Hover | None:
    """What a keyword means, for someone reading a file written by another team."""
    lines = ls.document_lines(uri)
    codec = ls.workspace.position_codec
    row, character = server_position(codec, lines, position)
    if row >= len(lines) or completion_context(ls.text_before(uri, position)).in_string_or_comment:
        return None
    found = keyword_at(lines[row], character)
    if found is None:
        return None
    word, start, end = found
    rng = types.Range(
        start=codec.position_to_client_units(lines, types.Position(line=row, character=start)),
        end=codec.position_to_client_units(lines, types.Position(line=row, character=end)))
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=keyword_markdown(word)),
                       range=rng)


def create_server() -> TouchServer:
    server = TouchServer()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: TouchServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.changed(params.text_document.uri, delay=0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: TouchServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.changed(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: TouchServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.changed(params.text_document.uri, delay=0)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: TouchServer, params: types.DidCloseTextDocumentParams) -> None:
        # The editor's text is gone; what is on disk counts again.
        uri = params.text_document.uri
        alone = ls.projects.pop(ls.alone(uri), None)
        if alone is not None:
            alone.generation += 1  # whatever runs for it is void
            if alone.timer is not None:
                alone.timer.cancel()
            ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
            return
        path = ls.document_path(uri)
        if path is not None and path.is_file():
            ls.schedule(ls.project_root(path), None, 0)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched(ls: TouchServer, params: types.DidChangeWatchedFilesParams) -> None:
        roots = set()
        for change in params.changes:
            fs = to_fs_path(change.uri)
            if not fs:
                continue
            path = Path(fs).resolve()
            for root in ls.projects:
                if root == path.parent or root in path.parents:
                    roots.add(root)
        for root in sorted(roots):
            ls.schedule(root, None, 0)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(ls: TouchServer, params: types.HoverParams) -> types.Hover | None:
        uri = params.text_document.uri
        a, display, line, column = await ls.cursor(uri, params.position)
        found = a.symbol_at(display, line, column) if a is not None and display is not None else None
        # A metric's name, or its promise or target line: what the history says of it.
        history = None
        if a is not None and display is not None:
            about = (tuple(found[1].split(".", 1)) if found is not None and found[0] == "metric"
                     else a.objective_at(display, line) if found is None else None)
            if about is not None:
                history = await ls.history.hover(a, about[0], about[1])
        if found is None:
            keyword = _keyword_hover(ls, uri, params.position)
            if history is None:
                return keyword
            text = (keyword.contents.value + "\n\n" + history  # type: ignore[union-attr]
                    if keyword is not None else history)
            return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text),
                               range=keyword.range if keyword is not None else None)
        kind, name, span = found
        text = hover_markdown(a, kind, name)  # type: ignore[arg-type]
        if text is None:
            return None
        if history is not None:
            text += "\n\n" + history
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text),
                           range=ls.span_range(a, span))  # type: ignore[arg-type]

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    async def definition(ls: TouchServer, params: types.DefinitionParams) -> list[types.Location] | None:
        a, display, line, column = await ls.cursor(params.text_document.uri, params.position)
        if a is None or display is None:
            return None
        found = a.symbol_at(display, line, column)
        if found is None:
            return None
        span = a.definition_of(found[0], found[1])
        return [ls.location(a, span)] if span is not None else None

    @server.feature(types.TEXT_DOCUMENT_REFERENCES)
    async def references(ls: TouchServer, params: types.ReferenceParams) -> list[types.Location] | None:
        a, display, line, column = await ls.cursor(params.text_document.uri, params.position)
        if a is None or display is None:
            return None
        found = a.symbol_at(display, line, column)
        if found is None:
            return None
        kind, name, _ = found
        spans = a.references_of(kind, name)
        if params.context.include_declaration:
            decl = a.definition_of(kind, name)
            if decl is not None and kind != "event":
                spans = [decl, *spans]
        ordered = sorted(set(spans), key=lambda s: (s.file, s.line, s.column))
        return [ls.location(a, s) for s in ordered]

    @server.feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=["."]))
    async def completion(ls: TouchServer, params: types.CompletionParams) -> types.CompletionList:
        uri = params.text_document.uri
        a, display = await ls.current(uri, COMPLETION_WAIT)
        items = completion_items(a, display, ls.text_before(uri, params.position))
        return types.CompletionList(is_incomplete=False, items=items)

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
    def code_action(ls: TouchServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        actions = []
        for diagnostic in params.context.diagnostics:
            data = diagnostic.data if isinstance(diagnostic.data, dict) else {}
            replacement = data.get("replace")
            if diagnostic.source != SOURCE or not isinstance(replacement, str):
                continue
            edit = types.TextEdit(range=diagnostic.range, new_text=replacement)
            actions.append(types.CodeAction(
                title=f"Change to `{replacement}`", kind=types.CodeActionKind.QuickFix,
                diagnostics=[diagnostic], is_preferred=True,
                edit=types.WorkspaceEdit(changes={params.text_document.uri: [edit]})))
        return actions

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    async def document_symbol(ls: TouchServer, params: types.DocumentSymbolParams) -> list[types.DocumentSymbol]:
        a, display = await ls.current(params.text_document.uri)
        if a is None or display not in a.files:
            return []
        return outline(a.files[display], lambda span: ls.span_range(a, span))

    @server.feature(types.TEXT_DOCUMENT_FORMATTING)
    def formatting(ls: TouchServer, params: types.DocumentFormattingParams) -> list[types.TextEdit] | None:
        uri = params.text_document.uri
        document = ls.workspace.text_documents.get(uri)
        if document is None:
            return None
        edits, why_not = formatting_edits(document.source, to_fs_path(uri) or uri, ls.workspace.position_codec)
        if why_not is not None:
            # Formatting on save must not nag: say why in the log, leave the text alone.
            ls.window_log_message(types.LogMessageParams(type=types.MessageType.Info, message=why_not))
        return edits

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: TouchServer, params: Any) -> None:
        for project in ls.projects.values():
            project.generation += 1  # an analysis under way stops at its next file
            if project.timer is not None:
                project.timer.cancel()
        ls.worker.shutdown(wait=False, cancel_futures=True)
        ls.history.shutdown()

    return server


@click.command(name="lsp")
@click.option("--stdio", is_flag=True, help="Talk over stdin and stdout (the default; editors pass it).")
# Some clients add the editor's process id; the LSP `initialize` request carries it too.
@click.option("--clientProcessId", "client_process_id", type=int, default=None, hidden=True)
def command(stdio: bool, client_process_id: int | None) -> None:
    """Run the language server over stdio (for editors).

    Editors start it themselves: the VS Code extension in editors/vscode, or
    any LSP client configured to run `touchdsl lsp` for *.touch files.
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(OneLineLogs())
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.WARNING, handlers=[handler])
    create_server().start_io()

