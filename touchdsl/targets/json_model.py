"""The `json` target: the resolved model and its JSON Schema."""

from __future__ import annotations

from typing import Any

import json

from touchdsl.model import Project
from touchdsl.targets import BuildOptions


def dumps(data: object) -> bytes:
    """Stable JSON: sorted keys would lose source order, so keep it and fix the format."""
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def schema() -> dict[str, Any]:
    return Project.model_json_schema(mode="serialization")


def render(project: Project, options: BuildOptions) -> dict[str, bytes]:
    return {
        "json/model.json": dumps(project.model_dump(mode="json")),
        "json/schema.json": dumps(schema()),
    }
