"""Run targets and write their files so that a failed build loses nothing.

Every target renders in memory first. Only when all succeeded are the files
written, into a temporary directory beside the output; then each target's
subdirectory is swapped in with renames. Subdirectories of targets not built
this time are left as they were.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path, PurePosixPath
from typing import Callable

from touchdsl.model import Project
from touchdsl.targets import BuildOptions, renderer, warnings


class BuildFailed(Exception):
    """Writing the outputs failed (I/O); the output directory is as it was."""


def _safe_relpath(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BuildFailed(f"a target produced an unsafe path {name!r}")
    return path


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


def build_project(project: Project, out: str | os.PathLike, targets: list[str], options: BuildOptions,
                  progress: Callable[[str], None] | None = None) -> list[str]:
    rendered = render_all(project, targets, options, progress)
    out_dir = Path(out)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".touchdsl-build-", dir=out_dir))
    except OSError as exc:
        raise BuildFailed(f"cannot create {out_dir}: {exc.strerror or exc}") from None
    written: list[str] = []
    tops: set[str] = set()
    try:
        for files in rendered.values():
            for name, data in sorted(files.items()):
                rel = _safe_relpath(name)
                tops.add(rel.parts[0])
                dest = staging.joinpath(*rel.parts)
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_bytes(data)
                written.append(str(rel))
        trash = Path(tempfile.mkdtemp(prefix=".touchdsl-old-", dir=out_dir))
        for top in sorted(tops):
            current = out_dir / top
            if current.exists() or current.is_symlink():
                os.replace(current, trash / top)
            os.replace(staging / top, current)
        shutil.rmtree(trash, ignore_errors=True)
    except OSError as exc:
        raise BuildFailed(f"cannot write into {out_dir}: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return sorted(written)
