"""What every command shares: exit codes, compiling the paths given, printing diagnostics."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from touchdsl.compiler.driver import Compilation

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3


def print_diagnostics(result: Compilation | list[Compilation], fmt: str, strict: bool) -> int:
    """Print the diagnostics of one project, or of every project of a run, as one report."""
    from touchdsl.compiler import render as report

    results = result if isinstance(result, list) else [result]
    diags = sorted((d for r in results for d in r.diagnostics), key=lambda d: d.sort_key())
    sources = {name: text for r in results for name, text in r.sources.items()}
    files = sorted(sources)
    if fmt == "json":
        click.echo(report.format_json(diags, files))
    elif fmt == "sarif":
        click.echo(report.format_sarif(diags))
    elif fmt == "github":
        text = report.format_github(diags)
        if text:
            click.echo(text)
    else:
        color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
        text = report.format_text(diags, sources, color=color)
        if text:
            click.echo(text)
        tps = (sum(len(r.project.touchpoints) for r in results if r.project is not None)
               if all(r.project is not None for r in results) else None)
        click.echo(report.summary(diags, len(files), tps, len(results)), err=bool(diags))
    errors = any(d.is_error for d in diags)
    return EXIT_PROBLEMS if errors or (strict and diags) else EXIT_OK


def compile_paths(paths: tuple[str, ...]) -> Compilation:
    """The one project the paths name (`build`, `measure`); several are a usage error."""
    found = compile_all(paths)
    if len(found) > 1:
        from touchdsl.compiler.sources import display_path
        from touchdsl.diagnostics import visible

        names = ", ".join(visible(display_path(r.root)) for r in found)
        raise click.UsageError(f"{', '.join(visible(p) for p in paths) or '.'} holds {len(found)} projects "
                               f"({names}); name one of them")
    return found[0]


def compile_all(paths: tuple[str, ...]) -> list[Compilation]:
    """Every project the paths hold (`check`): each root marked by `project` is checked on its own."""
    from touchdsl.compiler.driver import Compilation, PathError, compile_projects

    from touchdsl.diagnostics import visible

    try:
        results = compile_projects(list(paths) or ["."])
    except PathError as exc:
        raise click.UsageError(visible(str(exc))) from None
    # The compiled project lives until the process exits and holds no garbage cycles;
    # frozen, the collector neither rescans it now nor again at exit (a third of the
    # time of `check` on 10k touchpoints, see bench/README.md). Only the short-lived
    # command does this: library users and the language server keep a normal heap.
    import gc

    gc.freeze()
    if not any(r.sources or r.diagnostics for r in results):
        # Checking nothing is almost always a wrong path; saying "ok" would hide it.
        where = ", ".join(visible(p) for p in paths) or "the current directory"
        raise click.UsageError(f"no .touch files found in {where}")
    return results or [Compilation(Path(".").resolve(), None, [])]
