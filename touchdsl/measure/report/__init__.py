"""The report of a measurement: one static, self-contained HTML page people read.

`touchdsl measure … --report DIR` writes `DIR/index.html`: an overview per owner and
journey (kept / missed, worst first), and per metric, worst first, the trend of its
figure against the promise and the target, how long cases took against both limits,
the cases open past the promise now, and the data quality. Charts are inline SVG
(`charts`), each with a title and description for screen readers and a table of
every figure beside it. Nothing is loaded from anywhere: no script, no font, no
image, no style sheet outside the page. The same measurement gives the same bytes.

Hebrew (right to left) and English come from the catalogues the charter uses. The
folder is written as `touchdsl build` writes its output folder
(`touchdsl.output_folder`): a manifest lists what touchdsl wrote, a folder holding
anything else is refused, and the new report replaces the old one in one step.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from touchdsl.measure.result import Measurement
from touchdsl.model import Project

__all__ = ["render", "write"]

TARGET = "report"  # the manifest's name for the files of the report


def render(project: Project, measurement: Measurement, lang: str) -> dict[str, bytes]:
    """The report's files (relative path -> bytes) in `lang` (`en` or `he`)."""
    from touchdsl.documents.i18n import document_environment
    from touchdsl.measure.report.page import page

    env = document_environment("report", lang, markdown=False, package="touchdsl.measure.report")
    html = env.get_template("index.html.j2").render(page=page(project, measurement, lang))
    return {"index.html": html.encode("utf-8")}


def write(out: str | os.PathLike[str], files: dict[str, bytes], inputs: Iterable[str | os.PathLike[str]]) -> list[str]:
    """Make the folder `out` hold exactly the report, switching in one step. `inputs` are
    the project's files and the event log: a folder containing one of them is refused.
    Raises `touchdsl.output_folder.BuildFailed` (nothing is changed then)."""
    from touchdsl.output_folder import inspect, replace, resolve_output

    folder = resolve_output(out)
    sources = [Path(os.path.abspath(p)).resolve() for p in inputs]
    inspect(folder, sources)
    return replace(folder, {TARGET: files}, sources)
