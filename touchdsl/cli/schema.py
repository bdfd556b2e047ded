"""`touchdsl schema [model|measure]`: the JSON Schema of the compiled model or of measure.json."""

from __future__ import annotations

import click


@click.command()
@click.argument("what", type=click.Choice(["model", "measure"]), default="model")
def schema(what: str) -> None:
    """Print a JSON Schema: of the compiled model (default; the same schema
    `build --target json` writes to json/schema.json), or of the measure.json that
    `touchdsl measure -o DIR` writes.
    """
    import json

    if what == "measure":
        from touchdsl.measure.result import schema as measure_schema

        click.echo(json.dumps(measure_schema(), ensure_ascii=False, indent=2))
        return
    from touchdsl.targets.json_model import schema as model_schema

    click.echo(json.dumps(model_schema(), ensure_ascii=False, indent=2))
