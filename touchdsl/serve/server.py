"""The running exporter: a reading of the log every few seconds, `/metrics` and
`/healthz` over HTTP, and a clean stop on SIGTERM or Ctrl-C.

Every reading measures the whole log again (`touchdsl.serve.snapshot`): nothing is
kept between readings but the last result, so a restart rebuilds exactly the same
state from the log, and memory stays bounded by DuckDB's own limit
(`touchdsl.measure.engine.MEMORY_LIMIT`, spilling to disk beyond it) whatever the
log's size. A reading that fails is logged and counted; the last good one is served
on.
"""

from __future__ import annotations

import datetime as dt
import logging
import signal
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import CollectorRegistry

from touchdsl.counting import counted
from touchdsl.measure.errors import MeasureError
from touchdsl.model import Project
from touchdsl.serve.exporter import Exporter
from touchdsl.serve.snapshot import Snapshot, Source, read

__all__ = ["Server", "parse_listen"]

log = logging.getLogger("touchdsl.serve")


def parse_listen(text: str) -> tuple[str, int]:
    """`HOST:PORT`, `[IPV6]:PORT` or `:PORT` (all interfaces) -> (host, port); raises
    ValueError with words for anything else."""
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"`{text}` is not HOST:PORT (e.g. 127.0.0.1:9464, [::1]:9464 or :9464)")
    host = host.strip("[]") if host.startswith("[") else host
    return host or "0.0.0.0", int(port)


class Server:
    """Reads `source` for `project` every `every` seconds and serves the result."""

    def __init__(self, project: Project, source: Source, listen: tuple[str, int], every: float,
                 clock: Callable[[], dt.datetime] | None = None) -> None:
        self.project = project
        self.source = source
        self.every = every
        self.exporter = Exporter()
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(self.exporter)
        self.clock = clock or (lambda: dt.datetime.now(dt.timezone.utc))
        self._stop = threading.Event()
        self._rows: int | None = None
        self._problems: dict[str, int] = {}
        handler = _handler(self)
        self.http = ThreadingHTTPServer(listen, handler)
        self.http.daemon_threads = True

    @property
    def address(self) -> tuple[str, int]:
        host, port = self.http.server_address[:2]
        return str(host), int(port)

    def read_once(self) -> Snapshot:
        """One reading; raises MeasureError for a log that cannot be read."""
        snapshot = read(self.project, self.source, self.clock())
        self.exporter.update(snapshot)
        if snapshot.rows != self._rows or snapshot.problems != self._problems:
            bad = sum(snapshot.problems.values())
            log.info("read %s from %s as of %s in %.2fs: %d series, %s%s",
                     counted(snapshot.rows, "row"), counted(len(snapshot.sources), "source"),
                     snapshot.as_of.isoformat(timespec="seconds"), snapshot.seconds, snapshot.series,
                     counted(bad, "bad row"),
                     "" if not bad else " (" + ", ".join(f"{k} {v}" for k, v in sorted(snapshot.problems.items()))
                     + ")")
            self._rows, self._problems = snapshot.rows, snapshot.problems
        return snapshot

    def _refresh(self) -> None:
        while not self._stop.wait(self.every):
            try:
                self.read_once()
            except MeasureError as exc:
                self.exporter.failed(str(exc))
                log.error("reading the event log failed, serving the last good reading: %s", exc)
            except Exception as exc:  # noqa: BLE001 - a bad reading must never stop the exporter
                self.exporter.failed(f"{type(exc).__name__}: {exc}")
                log.exception("reading the event log failed unexpectedly, serving the last good reading")

    def serve_forever(self) -> None:
        """Serve until `stop()` (SIGTERM, SIGINT): then finish the requests in flight."""
        refresher = threading.Thread(target=self._refresh, name="touchdsl-serve-refresh", daemon=True)
        refresher.start()
        host, port = self.address
        shown = f"[{host}]" if ":" in host else host
        log.info("serving http://%s:%d/metrics and /healthz, reading the log every %gs", shown, port, self.every)
        try:
            self.http.serve_forever(poll_interval=0.2)
        finally:
            self._stop.set()
            refresher.join(timeout=self.every + 60)
            self.http.server_close()
            log.info("stopped")

    def stop(self) -> None:
        self._stop.set()
        # shutdown() waits for serve_forever to return: never call it from its own thread.
        threading.Thread(target=self.http.shutdown, name="touchdsl-serve-stop", daemon=True).start()

    def install_signals(self) -> None:
        def on_signal(number: int, frame: Any) -> None:
            log.info("received %s, stopping", signal.Signals(number).name)
            self.stop()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)


def _handler(server: Server) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "touchdsl-serve"

        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            path = self.path.split("?", 1)[0]
            if path == "/metrics":
                self._send(200, CONTENT_TYPE_LATEST, generate_latest(server.registry))
            elif path == "/healthz":
                healthy, why = server.exporter.health()
                self._send(200 if healthy else 503, "text/plain; charset=utf-8", (why + "\n").encode("utf-8"))
            elif path == "/":
                self._send(200, "text/plain; charset=utf-8",
                           b"touchdsl serve: the series of the event log at /metrics, its health at /healthz\n")
            else:
                self._send(404, "text/plain; charset=utf-8", b"not found: try /metrics or /healthz\n")

        def do_HEAD(self) -> None:  # noqa: N802
            self.do_GET()

        def _send(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("%s %s", self.address_string(), format % args)

    return Handler
