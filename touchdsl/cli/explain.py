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
        # A code mistyped in one place (`TD2O2`, a letter O for a zero) is that code,
        # even when another code looks as much alike to a similarity measure.
        typed = code.upper()
        one_off = [c for c in CATALOGUE if len(c) == len(typed) and sum(a != b for a, b in zip(c, typed)) == 1]
        hint = f"did you mean `{one_off[0]}`?" if len(one_off) == 1 else " ".join(suggest(typed, CATALOGUE))
        raise click.UsageError(f"unknown code `{code}`. {hint}".strip())
    click.echo(explain_code(code))
