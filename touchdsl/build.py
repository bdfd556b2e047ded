"""Run targets and write their files so that a failed or killed build loses nothing.

Every target renders in memory first. Only when all succeeded is the output folder
replaced, as a whole and in one step, by `touchdsl.output_folder` (which also
refuses folders holding anything the build did not write).

With `--target` subsets the other targets' files of the build already in the folder
are carried over unchanged; a build of every target holds exactly that build.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Iterable

from touchdsl.model import Project
from touchdsl.output_folder import BuildFailed, UnsafeOutput, inspect, replace, resolve_output
from touchdsl.targets import BuildOptions, available, renderer, warnings

__all__ = ["BuildFailed", "UnsafeOutput", "build_project", "render_all"]


def render_all(project: Project, targets: list[str], options: BuildOptions,
               progress: Callable[[str], None] | None = None) -> dict[str, dict[str, bytes]]:
    """{target: {relpath: bytes}}; raises whatever a target raises, before anything is written."""
    rendered: dict[str, dict[str, bytes]] = {}
    for name in targets:
        files = renderer(name)(project, options)
        rendered[name] = files
        if progress:
            progress(f"  {name:<13} {len(files)} file{'s' if len(files) != 1 else ''}")
            for message in warnings(name, project):
                progress(f"  {name:<13} warning: {message}")
    return rendered


def build_project(project: Project, out: str | os.PathLike[str], targets: list[str], options: BuildOptions,
                  progress: Callable[[str], None] | None = None, inputs: Iterable[str | os.PathLike[str]] = ()
                  ) -> list[str]:
    """Render `targets` and make `out` hold them; returns the files written.

    `inputs` are the project's paths (the folders and files named, every source read):
    an output folder containing one of them is refused.
    """
    folder = resolve_output(out)
    sources = [Path(os.path.abspath(p)).resolve() for p in inputs]
    try:
        inspect(folder, sources)  # refuse early, before the targets spend any time
    except OSError as exc:
        raise BuildFailed(f"cannot read `{out}`: {exc.strerror or exc}") from None
    rendered = render_all(project, targets, options, progress)
    return replace(folder, rendered, sources, carry=available())
