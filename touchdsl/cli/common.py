"""What every command shares: exit codes, compiling the paths given, printing diagnostics."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from touchdsl.compiler.driver import Compilation

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3


def print_diagnostics(result: Compilation, fmt: str, strict: bool) -> int:
    from touchdsl.compiler import render as report

    diags = result.diagnostics
    files = sorted(result.sources)
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
        text = report.format_text(diags, result.sources, color=color)
        if text:
            click.echo(text)
        tps = len(result.project.touchpoints) if result.project is not None else None
        click.echo(report.summary(diags, len(files), tps), err=bool(diags))
    errors = any(d.is_error for d in diags)
    return EXIT_PROBLEMS if errors or (strict and diags) else EXIT_OK


def compile_paths(paths: tuple[str, ...]) -> Compilation:
    from touchdsl.compiler.driver import PathError, compile_project

    from touchdsl.diagnostics import visible

    try:
        result = compile_project(list(paths) or ["."])
    except PathError as exc:
        raise click.UsageError(visible(str(exc))) from None
    # The compiled project lives until the process exits and holds no garbage cycles;
    # frozen, the collector neither rescans it now nor again at exit (a third of the
    # time of `check` on 10k touchpoints, see bench/README.md). Only the short-lived
    # command does this: library users and the language server keep a normal heap.
    import gc

    gc.freeze()
    if not result.sources and not result.diagnostics:
        # Checking nothing is almost always a wrong path; saying "ok" would hide it.
        where = ", ".join(visible(p) for p in paths) or "the current directory"
        raise click.UsageError(f"no .touch files found in {where}")
    return result
