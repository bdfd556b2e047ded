"""`touchdsl measure`: are we keeping our promises? Measured from the event log."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from touchdsl.cli.common import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, compile_paths, print_diagnostics

if TYPE_CHECKING:
    from touchdsl.measure.result import Measurement
    from touchdsl.model import Project


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("-e", "--events", "events", multiple=True, required=True, metavar="SOURCE",
              help="The event log: a CSV, Parquet or JSON-lines file (optionally .gz), a glob, or a .sql "
                   "file holding a SELECT (repeatable).")
@click.option("--map", "mapping", multiple=True, metavar="COLUMN=NAME",
              help="Read a column under another name, e.g. --map case=ticket_id,at=created_at.")
@click.option("--timezone", default=None, metavar="ZONE",
              help="Zone of timestamps written without one, and of week/month boundaries "
                   "(default: the calendars' zone, else UTC).")
@click.option("--last", default=None, metavar="DURATION", help="Measure the last DURATION (e.g. 28d); "
              "default: each metric's own window.")
@click.option("--from", "start", default=None, metavar="WHEN", help="Start of the period (a date or time).")
@click.option("--to", "end", default=None, metavar="WHEN", help="End of the period, exclusive (a date or time).")
@click.option("--as-of", "as_of", default=None, metavar="WHEN",
              help="The 'now' of the run; later events are not counted (default: the latest event).")
@click.option("--every", type=click.Choice(["week", "month", "window"]), default=None,
              help="Cut the period into weeks, months, or windows of each metric's own length (a trend series).")
@click.option("-o", "--output", "out", default=None, type=click.Path(file_okay=False),
              help="Also write measure.json and measure.csv into this directory.")
@click.option("--report", "report", default=None, type=click.Path(file_okay=False),
              help="Also write the HTML report (index.html) into this folder. It is replaced as a whole: it "
                   "must be new, empty, or an earlier report's.")
@click.option("--lang", type=click.Choice(["he", "en"]), default=None,
              help="Language of the report (default: the project's `defaults { charter language }`).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="What to print: the table, or measure.json.")
@click.option("--engine", type=click.Choice(["duckdb", "spark"]), default="duckdb", show_default=True,
              help="Where to run the measurement: embedded DuckDB, or Spark (pip install 'touchdsl[spark]'; "
                   "Parquet files or -e table:NAME; docs/warehouse.md).")
@click.option("--fail-on", type=click.Choice(["promise", "target", "never"]), default="promise",
              show_default=True, help="Exit 1 when a published promise (or also a target) is missed.")
def measure(paths: tuple[str, ...], events: tuple[str, ...], mapping: tuple[str, ...], timezone: str | None,
            last: str | None, start: str | None, end: str | None, as_of: str | None, every: str | None,
            out: str | None, report: str | None, lang: str | None, fmt: str, engine: str, fail_on: str) -> None:
    """Measure every promise and target of the project from its event log.

    PATHS are the project's .touch files or directories (default: the current
    directory). Exit 0 when every published promise is kept, 1 when one is missed
    (see --fail-on) or the project has errors, 2 when the event log or an option
    cannot be used.
    """
    from touchdsl.measure import MeasureError
    from touchdsl.measure import measure as run
    from touchdsl.measure.output import table, to_csv, to_json
    from touchdsl.measure.sources import parse_mapping

    result = compile_paths(paths)
    if result.project is None or any(d.is_error for d in result.diagnostics):
        print_diagnostics(result, "text", False)
        click.echo("measure: the project has errors; nothing measured", err=True)
        sys.exit(EXIT_PROBLEMS)
    try:
        measurement = run(result.project, events, mapping=parse_mapping(mapping), timezone=timezone, last=last,
                          start=start, end=end, as_of=as_of, every=every,  # type: ignore[arg-type]
                          engine=engine)  # type: ignore[arg-type]
    except MeasureError as exc:
        click.echo(f"measure: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    if out is not None:
        from pathlib import Path

        try:
            folder = Path(out)
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "measure.json").write_text(to_json(measurement), encoding="utf-8")
            (folder / "measure.csv").write_text(to_csv(measurement), encoding="utf-8")
        except OSError as exc:
            click.echo(f"measure: cannot write into {out}: {exc.strerror or exc}", err=True)
            sys.exit(EXIT_USAGE)
    if report is not None:
        _write_report(result.project, measurement, report, lang, [*(paths or ["."]), *result.sources])
    if fmt == "json":
        click.echo(to_json(measurement), nl=False)
    else:
        click.echo(table(measurement))
        if out is not None:
            click.echo(f"\nWritten: {out}/measure.json, {out}/measure.csv")
        if report is not None:
            click.echo(f"Report: {report}/index.html")
    missed = measurement.promises.missed + (measurement.targets.missed if fail_on == "target" else 0)
    sys.exit(EXIT_PROBLEMS if fail_on != "never" and missed else EXIT_OK)


def _write_report(project: "Project", measurement: "Measurement", folder: str, lang: str | None,
                  inputs: list[str]) -> None:
    """The HTML report, written as build outputs are (never over files touchdsl did not write)."""
    from touchdsl.diagnostics import visible
    from touchdsl.measure.report import render, write
    from touchdsl.output_folder import BuildFailed

    files = render(project, measurement, lang or project.defaults.charter.language)
    try:
        write(folder, files, [*inputs, *measurement.sources])
    except BuildFailed as exc:
        click.echo(f"measure: the report was not written: {visible(str(exc))}", err=True)
        for line in exc.help:
            click.echo(f"  help: {visible(line)}", err=True)
        sys.exit(EXIT_USAGE)
