"""`touchdsl schema`: the JSON Schema of the compiled model."""

from __future__ import annotations

import click


@click.command()
def schema() -> None:
    """Print the JSON Schema of the compiled model.

    The same schema `build --target json` writes to json/schema.json.
    """
    import json

    from touchdsl.targets.json_model import schema as model_schema

    click.echo(json.dumps(model_schema(), ensure_ascii=False, indent=2))
