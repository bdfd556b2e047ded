"""`touchdsl explain CODE`: what a diagnostic code means."""

from __future__ import annotations

import click


@click.command()
@click.argument("code")
def explain(code: str) -> None:
    """Explain a diagnostic code such as TD202, with a wrong and a right example."""
    from touchdsl.compiler.codes import CATALOGUE
    from touchdsl.compiler.codes import explain as explain_code
    from touchdsl.compiler.resolve import suggest

    if code.upper() not in CATALOGUE:
        hint = " ".join(suggest(code.upper(), CATALOGUE))
        raise click.UsageError(f"unknown code `{code}`. {hint}".strip())
    click.echo(explain_code(code))
