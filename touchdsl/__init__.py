"""touchdsl: define, publish and monitor customer service promises.

    import touchdsl
    project = touchdsl.load(["examples/telecom"])   # raises touchdsl.TouchError
    result = touchdsl.measure(project, events="examples/telecom/events.csv")

Submodules are imported on first use so the command line starts fast.
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["load", "compile_project", "measure", "TouchError", "Project", "__version__"]


def __getattr__(name: str) -> object:
    if name in ("load", "compile_project"):
        from touchdsl.compiler import driver

        return getattr(driver, name)
    if name == "measure":
        # The package `touchdsl.measure` is callable: touchdsl.measure(project, events=...).
        import importlib

        return importlib.import_module("touchdsl.measure")
    if name == "TouchError":
        from touchdsl.diagnostics import TouchError

        return TouchError
    if name == "Project":
        from touchdsl.model import Project

        return Project
    raise AttributeError(f"module 'touchdsl' has no attribute {name!r}")
