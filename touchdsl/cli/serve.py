"""`touchdsl serve`: the event log, live, as the series the generated rules read."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from touchdsl.cli.common import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, compile_paths, print_diagnostics

if TYPE_CHECKING:
    from touchdsl.model import Project
    from touchdsl.serve.snapshot import Source


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("-e", "--events", "events", multiple=True, required=True, metavar="SOURCE",
              help="The event log, as `touchdsl measure` reads it: a CSV, Parquet or JSON-lines file "
                   "(optionally .gz), a glob, or a .sql file holding a SELECT (repeatable).")
@click.option("--map", "mapping", multiple=True, metavar="COLUMN=NAME",
              help="Read a column under another name, e.g. --map case=ticket_id,at=created_at.")
@click.option("--timezone", default=None, metavar="ZONE", help="Zone of timestamps written without one.")
@click.option("--listen", default="127.0.0.1:9464", show_default=True, metavar="HOST:PORT",
              help="Where to answer /metrics and /healthz (`:9464` for every interface).")
@click.option("--interval", default=15.0, show_default=True, type=click.FloatRange(min=0.1, max=86400),
              metavar="SECONDS", help="Read the log again every SECONDS (new events, deadlines passing).")
@click.option("--once", is_flag=True, help="Read the log once, print what /metrics would answer, and exit.")
@click.option("--log-level", type=click.Choice(["debug", "info", "warning", "error"]), default="info",
              show_default=True, help="How much serve writes to stderr.")
def serve(paths: tuple[str, ...], events: tuple[str, ...], mapping: tuple[str, ...], timezone: str | None,
          listen: str, interval: float, once: bool, log_level: str) -> None:
    """Follow the event log and expose it to Prometheus as the generated rules read it.

    PATHS are the project's .touch files or directories (default: the current
    directory). Every SECONDS the whole log is measured again (business time,
    deadlines, open cases, updates) and /metrics answers the instrumentation
    contract's series; /healthz says whether the last reading succeeded. SIGTERM or
    Ctrl-C stop it cleanly. Exit 1 when the project has errors, 2 when the log, an
    option or the address cannot be used.
    """
    import logging

    from touchdsl.measure import MeasureError
    from touchdsl.measure.sources import parse_mapping
    from touchdsl.serve.server import Server, parse_listen
    from touchdsl.serve.snapshot import Source

    logging.basicConfig(level=getattr(logging, log_level.upper()), stream=sys.stderr,
                        format="%(asctime)s touchdsl serve %(levelname)s: %(message)s")
    result = compile_paths(paths)
    if result.project is None or any(d.is_error for d in result.diagnostics):
        print_diagnostics(result, "text", False)
        click.echo("serve: the project has errors; nothing served", err=True)
        sys.exit(EXIT_PROBLEMS)
    try:
        address = parse_listen(listen)
    except ValueError as exc:
        click.echo(f"serve: --listen {exc}", err=True)
        sys.exit(EXIT_USAGE)
    try:
        source = Source(events=tuple(events), mapping=parse_mapping(mapping), timezone=timezone)
    except MeasureError as exc:
        click.echo(f"serve: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    if once:
        _once(result.project, source)
        return
    try:
        server = Server(result.project, source, address, interval)
    except OSError as exc:
        click.echo(f"serve: cannot listen on {listen}: {exc.strerror or exc}", err=True)
        sys.exit(EXIT_USAGE)
    try:
        server.read_once()
    except MeasureError as exc:
        server.http.server_close()
        click.echo(f"serve: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    server.install_signals()
    server.serve_forever()
    sys.exit(EXIT_OK)


def _once(project: "Project", source: "Source") -> None:
    import datetime as dt

    from prometheus_client.exposition import generate_latest
    from prometheus_client.registry import CollectorRegistry

    from touchdsl.measure import MeasureError
    from touchdsl.serve.exporter import Exporter
    from touchdsl.serve.snapshot import read

    exporter = Exporter()
    try:
        exporter.update(read(project, source, dt.datetime.now(dt.timezone.utc)))
    except MeasureError as exc:
        click.echo(f"serve: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    registry = CollectorRegistry(auto_describe=False)
    registry.register(exporter)
    click.echo(generate_latest(registry).decode("utf-8"), nl=False)


