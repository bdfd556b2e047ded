"""Golden producers of the core: render a target for each example project."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = ("telecom", "banking", "health")


def render_examples(target: str, **options) -> dict[str, bytes]:
    """{"<example>/<relpath>": bytes} for one target over every example project."""
    import touchdsl
    from touchdsl.targets import BuildOptions, renderer

    out: dict[str, bytes] = {}
    for name in EXAMPLES:
        project = touchdsl.load([str(REPO / "examples" / name)])
        for rel, data in renderer(target)(project, BuildOptions(**options)).items():
            out[f"{name}/{rel}"] = data
    return out


def json_target() -> dict[str, bytes]:
    return render_examples("json")
