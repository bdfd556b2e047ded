"""Output targets of `touchdsl build`, one module per target.

A target is a function `render(project, options) -> dict[str, bytes]` mapping
paths relative to the build directory (`charter/index.html`) to file contents.
Targets read only the validated `touchdsl.model.Project`; they never write files
themselves, so `touchdsl.build` can write everything to a temporary directory
and swap it in only when every target succeeded.

Modules are imported lazily by name so `touchdsl --version` stays fast.
"""

from __future__ import annotations

import importlib
from typing import Callable

from touchdsl.model import Project
from touchdsl.options import BuildOptions

__all__ = ["BuildOptions", "TARGETS", "available", "renderer", "warnings"]


Renderer = Callable[[Project, BuildOptions], dict[str, bytes]]

# name -> (module, one-line description); order is the order `build` runs them in.
TARGETS: dict[str, tuple[str, str]] = {
    "json": ("touchdsl.targets.json_model", "the resolved model as JSON and its JSON Schema"),
    "charter": ("touchdsl.targets.charter", "the customer service charter (HTML and Markdown)"),
    "policy": ("touchdsl.targets.policy", "the internal SLA policy per owner (HTML and Markdown)"),
    "prometheus": ("touchdsl.targets.prometheus", "Prometheus recording and burn-rate alert rules"),
    "alertmanager": ("touchdsl.targets.alertmanager", "Alertmanager routing per owner"),
    "tests": ("touchdsl.targets.promtool_tests", "promtool unit tests proving every alert"),
    "grafana": ("touchdsl.targets.grafana", "Grafana dashboards per journey and owner"),
    "openslo": ("touchdsl.targets.openslo", "OpenSLO v1 documents"),
}


def available() -> list[str]:
    """Targets whose module is present in this installation."""
    names = []
    for name, (module, _) in TARGETS.items():
        if importlib.util.find_spec(module) is not None:
            names.append(name)
    return names


def renderer(name: str) -> Renderer:
    module, _ = TARGETS[name]
    return importlib.import_module(module).render


def warnings(name: str, project: Project) -> list[str]:
    """What a target could not express (e.g. OpenSLO has no score metrics); printed by `build`.

    A target module may define `warnings(project) -> list[str]`; most have none.
    """
    module, _ = TARGETS[name]
    collect = getattr(importlib.import_module(module), "warnings", None)
    return list(collect(project)) if collect is not None else []
