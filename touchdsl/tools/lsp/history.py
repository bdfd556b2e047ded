"""The project's history in the editor: pointing at a metric, or at its promise or
target line, shows what the history says of it — the figures `touchdsl check
--history` warns with (TD610, TD611, TD612), or what the last window achieved.

A project has a history when its folder holds `touchdsl.toml` with a `[history]`
(`touchdsl.settings`). Measuring it reads the event log, which can take seconds, so
it never runs on the event loop nor on the analysis worker: it has a thread of its
own, and its result is kept until the settings, the event log's files (their size
and time of change) or what the project's metrics mean (`touchdsl.measure.identity`)
change. Editing a title or a note does not measure again; tightening a promise does.
A hover waits for a measurement under way at most HOVER_WAIT seconds, then says the
history is being measured.
"""

from __future__ import annotations

import asyncio
import glob
import hashlib
import logging
import os
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from touchdsl.documents.escape import md_text

if TYPE_CHECKING:
    from touchdsl.measure.history import Finding
    from touchdsl.measure.result import Measurement
    from touchdsl.model import Project
    from touchdsl.settings import History
    from touchdsl.tools.lsp.analysis import Analysis

__all__ = ["HistoryCache", "HOVER_WAIT"]

log = logging.getLogger(__name__)

HOVER_WAIT = 2.0


@dataclass
class _Entry:
    key: str
    future: "Future[Measurement]"
    project: "Project"


@dataclass
class HistoryCache:
    """Measured histories per project folder, measured on a thread of their own."""

    entries: dict[Path, _Entry] = field(default_factory=dict)
    worker: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=1, thread_name_prefix="touchdsl-history"))

    def shutdown(self) -> None:
        self.worker.shutdown(wait=False, cancel_futures=True)

    def _start(self, root: Path, key: str, project: "Project", history: "History") -> _Entry:
        from touchdsl.measure.history import measure_history

        entry = _Entry(key, self.worker.submit(measure_history, project, history), project)
        self.entries[root] = entry
        return entry

    async def hover(self, analysis: "Analysis", touchpoint: str, metric: str) -> str | None:
        """Markdown about the history of one metric (or `updates`); None without a history."""
        from touchdsl.measure import MeasureError
        from touchdsl.settings import SettingsError, read

        try:
            history = read(analysis.root)
        except SettingsError as exc:
            return f"**History**: {md_text(str(exc))}"
        if history is None:
            return None
        project = analysis.project
        if project is None:
            return "**History**: checked once the project has no errors."
        key = _key(project, history)
        entry = self.entries.get(analysis.root)
        if entry is None or entry.key != key:
            entry = self._start(analysis.root, key, project, history)
        try:
            # Shielded: a hover that stops waiting must not cancel the measurement.
            measurement = await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(entry.future)), HOVER_WAIT)
        except asyncio.TimeoutError:
            return "**History**: being measured… point here again in a moment."
        except MeasureError as exc:
            return f"**History** cannot be measured: {md_text(str(exc))}"
        except Exception as exc:  # noqa: BLE001 - a hover must never take the server down
            log.error("measuring the history of %s failed (%s: %s)", analysis.root, type(exc).__name__, exc)
            return f"**History** cannot be measured: internal error ({md_text(type(exc).__name__)})"
        return _markdown(entry.project, measurement, touchpoint, metric)


def _stat(path: str) -> str:
    try:
        st = os.stat(path)
    except OSError:
        return f"{path}:missing"
    return f"{path}:{st.st_size}:{st.st_mtime_ns}"


def _key(project: "Project", history: "History") -> str:
    """What the history's figures depend on: the settings, the event log's files, what
    each metric means."""
    from touchdsl.measure.identity import definition
    from touchdsl.measure.plan import items_of

    parts = [repr(sorted(history.mapping.items())), str(history.timezone), history.last]
    if history.file is not None:
        parts.append(_stat(str(history.file)))
    for event in history.events:
        matches = sorted(glob.glob(event, recursive=True)) if any(c in event for c in "*?[") else [event]
        parts += [_stat(m) for m in matches] or [f"{event}:none"]
        if event.lower().endswith(".sql"):  # what a SELECT reads lies beside it
            folder = os.path.dirname(event) or "."
            parts += [_stat(os.path.join(folder, n)) for n in sorted(os.listdir(folder))] if os.path.isdir(folder) else []
    for item in items_of(project):
        parts.append(f"{item.key}={definition(project, item.touchpoint, item.metric)}")
    return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


def _markdown(project: "Project", measurement: "Measurement", touchpoint: str, metric: str) -> str:
    from touchdsl.documents.wording import Evidence, Words
    from touchdsl.measure.history import findings

    found: list[Finding] = [f for f in findings(project, measurement)
                            if f.touchpoint == touchpoint and f.metric == metric]
    item = next((i for i in measurement.items if i.touchpoint == touchpoint and i.metric == metric), None)
    out = ["**History**"]
    if item is None:
        return "**History**: this metric is not measured (the project's last measurement predates it)."
    if item.periods:
        ev = Evidence(Words("en"))
        last = item.periods[-1]
        tp = project.touchpoints.get(touchpoint)
        model = next((m for m in tp.metrics if m.id == metric), None) if tp is not None else None

        def figure(role: str) -> str:
            verdict = last.promise if role == "promise" else last.target
            if verdict is None or verdict.value is None:
                return "nothing decided"
            objective = None if model is None else model.promise if role == "promise" else model.target
            return f"{ev.figure(model, objective, verdict.value).plain()}, decided on {verdict.decided}"

        promise = ("none (an internal metric)" if last.promise is None else
                   f"{ev.status(last.promise.status)} ({md_text(figure('promise'))})")
        out.append(f"In {md_text(ev.period(last.start, last.end).plain())}: promise {promise}; target "
                   f"{ev.status(last.target.status)} ({md_text(figure('target'))}).")
    for f in found:
        lines = [f"- {f.code} ({'target' if f.role == 'target' else 'promise'}): {md_text(f.message)}"]
        lines += [f"  - {md_text(h)}" for h in f.help]
        out.append("\n".join(lines))
    out.append(f"_As of {md_text(measurement.as_of)}, from {len(measurement.sources)} "
               f"source{'s' if len(measurement.sources) != 1 else ''}._")
    return "\n\n".join(out)

