"""`touchdsl check`: report every problem of a project."""

from __future__ import annotations

import sys

import click

from touchdsl.cli.common import compile_all, print_diagnostics


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "github"]), default="text",
              show_default=True, help="How to print the diagnostics.")
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too.")
def check(paths: tuple[str, ...], fmt: str, strict: bool) -> None:
    """Check .touch files and report every problem found.

    PATHS are files or directories (searched recursively for *.touch); the
    default is the current directory. Each path is a project, and so is every
    folder below whose files declare `project "…"`: each is checked on its own.
    """
    result = compile_all(paths)
    sys.exit(print_diagnostics(result, fmt, strict))
