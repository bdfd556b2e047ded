"""`touchdsl check`: report every problem of a project (and, with its history, every
promise the history does not keep)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from touchdsl.cli.common import EXIT_USAGE, compile_all, print_diagnostics

if TYPE_CHECKING:
    from touchdsl.compiler.driver import Compilation
    from touchdsl.settings import History


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "github"]), default="text",
              show_default=True, help="How to print the diagnostics.")
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too.")
@click.option("--history", "history", multiple=True, metavar="EVENTS",
              help="Check the promises against this event log (as `touchdsl measure -e`; repeatable): warn "
                   "about promises the last window did not keep and targets never reached. Default: the "
                   "[history] of touchdsl.toml in the project's folder, if any.")
@click.option("--history-map", "history_map", multiple=True, metavar="COLUMN=NAME",
              help="Column renames of the history (as `touchdsl measure --map`).")
@click.option("--history-timezone", default=None, metavar="ZONE",
              help="Zone of the history's timestamps written without one.")
@click.option("--no-history", is_flag=True, help="Do not check against the history touchdsl.toml configures.")
def check(paths: tuple[str, ...], fmt: str, strict: bool, history: tuple[str, ...], history_map: tuple[str, ...],
          history_timezone: str | None, no_history: bool) -> None:
    """Check .touch files and report every problem found.

    PATHS are files or directories (searched recursively for *.touch); the
    default is the current directory. Each path is a project, and so is every
    folder below whose files declare `project "…"`: each is checked on its own,
    against its own history (`[history]` in the touchdsl.toml of its folder).
    """
    results = compile_all(paths)
    if not no_history:
        if history and len(results) > 1:
            raise click.UsageError(f"--history names one event log, and the paths hold {len(results)} projects: "
                                   "check one project, or give each a [history] in its touchdsl.toml")
        for result in results:
            _check_history(result, history, history_map, history_timezone)
    sys.exit(print_diagnostics(results, fmt, strict))


def _history(result: "Compilation", events: tuple[str, ...], mapping: tuple[str, ...],
             timezone: str | None) -> "History | None":
    """The history of a project: its touchdsl.toml's, with the command line's changes."""
    from dataclasses import replace

    from touchdsl.measure.sources import parse_mapping
    from touchdsl.settings import History, read

    configured = read(result.root)
    history: History | None
    if events:
        history = replace(configured, events=events, file=None) if configured is not None else History(events)
    else:
        history = configured
    if history is None:
        if mapping or timezone:
            raise click.UsageError("--history-map and --history-timezone need a history: "
                                   "--history EVENTS or [history] in touchdsl.toml")
        return None
    if mapping:
        history = replace(history, mapping={**history.mapping, **parse_mapping(mapping)})
    if timezone:
        history = replace(history, timezone=timezone)
    return history


def _check_history(result: "Compilation", events: tuple[str, ...], mapping: tuple[str, ...],
                   timezone: str | None) -> None:
    """Add the history's warnings to `result` (usage errors exit 2)."""
    from touchdsl.diagnostics import visible
    from touchdsl.measure import MeasureError
    from touchdsl.settings import SettingsError

    try:
        history = _history(result, events, mapping, timezone)
    except (SettingsError, MeasureError) as exc:
        click.echo(f"check: {visible(str(exc))}", err=True)
        sys.exit(EXIT_USAGE)
    if history is None:
        return
    if result.project is None or not result.ok:
        click.echo("check: the history is checked once the project has no errors", err=True)
        return
    from touchdsl.measure.history import history_diagnostics, measure_history

    try:
        measurement = measure_history(result.project, history)
    except MeasureError as exc:
        click.echo(f"check: the history cannot be measured: {visible(str(exc))}", err=True)
        sys.exit(EXIT_USAGE)
    found = history_diagnostics(result.project, result.files, measurement)
    result.diagnostics = sorted([*result.diagnostics, *found], key=lambda d: d.sort_key())
