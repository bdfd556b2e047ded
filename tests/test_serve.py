"""`touchdsl serve`: the event log as exactly the series the generated rules read.

The series are checked against the contract (every series and label set the rules
read, nothing else of touchdsl's own), their values against what the log says (and
against `touchdsl measure`), restarts against the log read again, bad rows and
failed readings against the exporter's own series; the command against its exit
codes and SIGTERM; and the whole way end to end: serve on a log, a real Prometheus
scraping it with the generated rules, late cases appended to the log, and the alert
they mean firing, read through Prometheus' HTTP API.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

import touchdsl
from tests.paths import REPO
from tests.projects import PROJECTS
from tests.tools import require_tool
from touchdsl.slo.contract import metric_contract, updates_series
from touchdsl.targets import BuildOptions, prometheus
from touchdsl.serve.exporter import Exporter
from touchdsl.serve.snapshot import Source, read

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.timezone.utc)
HEADER = "case,touchpoint,event,at,value\n"


def iso(moment: dt.datetime) -> str:
    return moment.isoformat()


def exposition(snapshot) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    from prometheus_client.exposition import generate_latest
    from prometheus_client.registry import CollectorRegistry

    exporter = Exporter()
    exporter.update(snapshot)
    registry = CollectorRegistry(auto_describe=False)
    registry.register(exporter)
    out = {}
    for family in text_string_to_metric_families(generate_latest(registry).decode()):
        for sample in family.samples:
            # Prometheus reads an empty label as no label (a family's series without `segment`)
            labels = {k: v for k, v in sample.labels.items() if v != ""}
            out[(sample.name, tuple(sorted(labels.items())))] = sample.value
    return out


def value(samples, name: str, **labels: str) -> float:
    return samples[(name, tuple(sorted(labels.items())))]


def write_log(path: Path, rows: list[tuple[str, str, str, dt.datetime, str]]) -> None:
    path.write_text(HEADER + "".join(f"{c},{t},{e},{iso(a)},{v}\n" for c, t, e, a, v in rows), encoding="utf-8")


@pytest.fixture(scope="module")
def telecom():
    return touchdsl.load([str(PROJECTS["telecom"])])


def contract_series(project) -> set:
    """Every series (name, labels) the contract lists for the project's default series."""
    wanted = set()
    for touchpoint in project.touchpoints.values():
        for metric in touchpoint.metrics:
            for series in metric_contract(project, touchpoint, metric).series:
                if series.buckets:
                    for le in [*series.buckets, "+Inf"]:
                        spelled = "+Inf" if le == "+Inf" else prometheus_le(le)
                        wanted.add((series.name, tuple(sorted({**series.labels, "le": spelled}.items()))))
                    wanted.add((series.name.replace("_bucket", "_sum"), tuple(sorted(series.labels.items()))))
                else:
                    wanted.add((series.name, tuple(sorted(series.labels.items()))))
        if touchpoint.updates is not None:
            wanted |= {(s.name, tuple(sorted(s.labels.items()))) for s in updates_series(touchpoint)}
    return wanted


def test_exactly_the_series_of_the_contract(telecom):
    snapshot = read(telecom, Source(events=(str(REPO / "examples/telecom/events.csv"),)), NOW)
    samples = exposition(snapshot)
    got = {(name, labels) for name, labels in samples if name.startswith("touch_")}
    wanted = contract_series(telecom)
    assert got == wanted, (got - wanted, wanted - got)
    # every kind of bad row has its own series, from the start
    assert value(samples, "touchdsl_serve_bad_rows", kind="unknown_touchpoint") == 1
    assert value(samples, "touchdsl_serve_bad_rows", kind="end_before_start") == 0
    assert value(samples, "touchdsl_serve_rows") == snapshot.rows > 8000


def test_classes_business_days_and_internal_metrics_are_the_contract_s_series():
    """The health fund: a metric judged per class in business days (`slot`), business
    days with a pause (`reply_time`), an internal count (`volume`): serve emits exactly
    the contract's series -- `touch_business_days` in days, a `segment` per class, the
    internal metric's target alone."""
    health = touchdsl.load([str(PROJECTS["health"])])
    source = Source(events=(str(REPO / "examples/health/events.csv"),),
                    mapping={"case": "ticket_id", "at": "created_at", "segment": "priority"},
                    timezone="Asia/Jerusalem")
    samples = exposition(read(health, source, dt.datetime(2026, 11, 30, 15, 0, tzinfo=dt.timezone.utc)))
    got = {(name, labels) for name, labels in samples if name.startswith("touch_")}
    wanted = contract_series(health)
    assert got == wanted, (got - wanted, wanted - got)
    urgent = {"touchpoint": "appointment", "metric": "slot", "segment": "urgent"}
    assert value(samples, "touch_business_days_bucket", le="1", **urgent) > 0  # urgent slots offered within a day
    assert value(samples, "touch_business_days_count", **urgent) < value(
        samples, "touch_business_days_count", touchpoint="appointment", metric="slot", segment="routine")
    assert not [labels for name, labels in got if ("metric", "volume") in labels and ("objective", "promise") in labels]


CLAIMS = """
owner desk "Claims desk" {
    manager "Dana Levi" <dana.levi@example.com>
    notify email "desk@example.com"
    page pagerduty "desk-primary"
}

touchpoint claim "Claim" {
    owner desk
    expectation "My claim is decided quickly."
    class urgent "Urgent"
    class routine "Routine"
    step file "Customer files the claim" by desk
    step docs "Customer sends the missing documents" by desk
    step decide "Claim decided" by desk

    metric decision "Claim decided" {
        time from file.start to decide.end
        promise 90% within 1h
        target 95% within 30m
        promise 90% within 10m for urgent
        target 95% within 10m for urgent
        pause while docs
    }
    metric review "Internal review" {
        time from file.start to decide.end
        target 90% within 2h
    }
}
"""


def test_pauses_classes_and_internal_metrics_flow_into_the_live_series(tmp_path):
    """A routine case open 90 minutes of which 50 waiting for the customer's documents
    is 40 minutes old: past the 30-minute target, not the 1-hour promise. A case paused
    now is past nothing. An urgent case 20 minutes old is past the urgent 10 minutes.
    The internal review (no pauses, no classes, no promise) has only target series.
    Every raw series the generated rules read is one serve emits."""
    import promql_parser
    import yaml

    (tmp_path / "claims.touch").write_text(CLAIMS, encoding="utf-8")
    project = touchdsl.load([str(tmp_path / "claims.touch")])
    m = dt.timedelta(minutes=1)
    rows = [
        ("C1", "file.start", NOW - 90 * m, "routine"), ("C1", "docs.start", NOW - 80 * m, "routine"),
        ("C1", "docs.end", NOW - 30 * m, "routine"),
        ("C2", "file.start", NOW - 180 * m, "routine"), ("C2", "docs.start", NOW - 170 * m, "routine"),
        ("U1", "file.start", NOW - 20 * m, "urgent"),
        ("R1", "file.start", NOW - 300 * m, "routine"), ("R1", "docs.start", NOW - 290 * m, "routine"),
        ("R1", "docs.end", NOW - 120 * m, "routine"), ("R1", "decide.end", NOW - 110 * m, "routine"),
    ]
    log = tmp_path / "events.csv"
    log.write_text("case,touchpoint,event,at,segment\n" +
                   "".join(f"{c},claim,{e},{iso(a)},{s}\n" for c, e, a, s in rows), encoding="utf-8")
    samples = exposition(read(project, Source(events=(str(log),)), NOW))
    got = {(name, labels) for name, labels in samples if name.startswith("touch_")}
    assert got == contract_series(project), (got - contract_series(project), contract_series(project) - got)

    routine = {"touchpoint": "claim", "metric": "decision", "segment": "routine"}
    urgent = {"touchpoint": "claim", "metric": "decision", "segment": "urgent"}
    assert value(samples, "touch_open_cases", **routine) == 2
    assert value(samples, "touch_overdue_cases", objective="target", **routine) == 1  # C1: 40 minutes running
    assert value(samples, "touch_overdue_cases", objective="promise", **routine) == 0  # not 90 minutes
    # R1 took 20 minutes of clock (10 before, 10 after the documents): within the target
    assert value(samples, "touch_duration_seconds_bucket", le="1800", **routine) == 1
    assert value(samples, "touch_duration_seconds_sum", **routine) == 20 * 60
    assert value(samples, "touch_overdue_cases", objective="promise", **urgent) == 1
    assert value(samples, "touch_open_cases", **urgent) == 1
    review = {"touchpoint": "claim", "metric": "review"}
    assert value(samples, "touch_overdue_cases", objective="target", **review) == 1  # C2: 3 hours, nothing paused
    assert value(samples, "touch_late_cases_total", objective="target", **review) == 2  # and R1: 3h10
    assert ("touch_overdue_cases", tuple(sorted({**review, "objective": "promise"}.items()))) not in samples

    # The generated rules read exactly these series: every raw selector matches one.
    exposed = [(name, dict(labels)) for name, labels in got]
    groups = [g for data in prometheus.render(project, BuildOptions()).values() if data.startswith(b"groups")
              for g in yaml.safe_load(data)["groups"]]
    selectors = 0

    def walk(node) -> None:
        nonlocal selectors
        if isinstance(node, promql_parser.VectorSelector) and node.name and node.name.startswith("touch_"):
            selectors += 1
            matchers = node.matchers.matchers
            assert any(name == node.name and all(
                (m.value == labels.get(m.name, "")) if str(m.op) == "=" else
                __import__("re").fullmatch(m.value, labels.get(m.name, "")) is not None
                for m in matchers) for name, labels in exposed), node
        for child in ("expr", "lhs", "rhs", "vector_selector"):
            if hasattr(node, child) and getattr(node, child) is not None:
                walk(getattr(node, child))
        for arg in getattr(node, "args", None) or []:
            walk(arg)

    for group in groups:
        for rule in group["rules"]:
            walk(promql_parser.parse(rule["expr"]))
    assert selectors > 20
    names = {g["name"] for g in groups}
    assert {"touchdsl.claim.decision.urgent", "touchdsl.claim.decision.routine", "touchdsl.claim.review"} <= names
    review_alerts = [r for g in groups if g["name"] == "touchdsl.claim.review" for r in g["rules"] if "alert" in r]
    assert review_alerts and {r["labels"]["severity"] for r in review_alerts} == {"ticket"}
    assert {r["labels"]["objective"] for r in review_alerts} == {"target"}


def prometheus_le(seconds: float) -> str:
    from touchdsl.slo.contract import go_float

    return go_float(seconds)


def test_values_mean_what_the_log_says(telecom, tmp_path):
    """Answered within 10s, within 25s, after 45s, and one open for 2 minutes: the 20s
    target and the 30s promise split them; late cases count the moment the limit
    passes, open or not; ratios, answers, counts and updates likewise."""
    log = tmp_path / "events.csv"
    t = NOW - dt.timedelta(minutes=10)
    write_log(log, [
        ("A", "technical_fault", "report.start", t, ""),
        ("A", "technical_fault", "report.answered", t + dt.timedelta(seconds=10), ""),
        ("B", "technical_fault", "report.start", t, ""),
        ("B", "technical_fault", "report.answered", t + dt.timedelta(seconds=25), ""),
        ("C", "technical_fault", "report.start", t, ""),
        ("C", "technical_fault", "report.answered", t + dt.timedelta(seconds=45), ""),
        ("D", "technical_fault", "report.start", NOW - dt.timedelta(minutes=2), ""),
        ("D", "technical_fault", "offered", NOW - dt.timedelta(minutes=2), ""),
        ("E", "technical_fault", "offered", t, ""),
        ("E", "technical_fault", "abandoned", t, ""),
        ("F", "technical_fault", "csat", t, "4"),
        ("G", "technical_fault", "csat", t, "5"),
        ("", "address_change", "complaints", t, ""),
        ("H", "address_change", "complaints", t, ""),
        ("X", "nowhere", "report.start", t, ""),
    ])
    samples = exposition(read(telecom, Source(events=(str(log),)), NOW))
    ident = {"touchpoint": "technical_fault", "metric": "answer"}
    assert value(samples, "touch_duration_seconds_bucket", le="15", **ident) == 1
    assert value(samples, "touch_duration_seconds_bucket", le="20", **ident) == 1
    assert value(samples, "touch_duration_seconds_bucket", le="30", **ident) == 2
    assert value(samples, "touch_duration_seconds_bucket", le="+Inf", **ident) == 3
    assert value(samples, "touch_duration_seconds_count", **ident) == 3
    assert value(samples, "touch_duration_seconds_sum", **ident) == 80
    # late: B and C and the open D against the 20s target; C and D against the 30s promise
    assert value(samples, "touch_late_cases_total", objective="target", **ident) == 3
    assert value(samples, "touch_late_cases_total", objective="promise", **ident) == 2
    assert value(samples, "touch_open_cases", **ident) == 1
    assert value(samples, "touch_overdue_cases", objective="promise", **ident) == 1
    ratio = {"touchpoint": "technical_fault", "metric": "abandoned"}
    assert value(samples, "touch_events_total", event="offered", **ratio) == 2
    assert value(samples, "touch_events_total", event="abandoned", **ratio) == 1
    csat = {"touchpoint": "technical_fault", "metric": "csat"}
    assert [value(samples, "touch_answers_total", value=str(v), **csat) for v in range(1, 6)] == [0, 0, 0, 1, 1]
    assert value(samples, "touch_events_total", touchpoint="address_change", metric="complaints",
                 event="complaints") == 2
    # D has been open for 2 minutes without an update: not yet the 4 hours promised
    assert value(samples, "touch_update_overdue_cases", touchpoint="technical_fault") == 0
    assert value(samples, "touchdsl_serve_bad_rows", kind="unknown_touchpoint") == 1


def test_the_counters_are_measure_s_figures(telecom):
    """Over the whole log, the late cases serve counts are the cases `measure` decides
    missed over the same stretch: one engine, one meaning."""
    events = str(REPO / "examples/telecom/events.csv")
    now = dt.datetime(2026, 11, 30, 15, 0, tzinfo=dt.timezone.utc)
    samples = exposition(read(telecom, Source(events=(events,)), now))
    measured = touchdsl.measure(telecom, events, start="1970-01-01", as_of=now)
    for item in measured.items:
        if item.kind != "time":
            continue
        period = item.periods[-1]
        ident = {"touchpoint": item.touchpoint, "metric": item.metric}
        for tier, verdict in (("promise", period.promise), ("target", period.target)):
            assert value(samples, "touch_late_cases_total", objective=tier, **ident) == verdict.decided - verdict.good


def test_restarted_reads_give_the_same_counters_and_new_events_only_add(telecom, tmp_path):
    log = tmp_path / "events.csv"
    t = NOW - dt.timedelta(minutes=30)
    rows = [(f"C{k}", "technical_fault", "report.start", t, "") for k in range(5)]
    write_log(log, rows)
    first = exposition(read(telecom, Source(events=(str(log),)), NOW))
    again = exposition(read(telecom, Source(events=(str(log),)), NOW))
    assert {k: v for k, v in first.items() if k[0].startswith("touch_")} == \
        {k: v for k, v in again.items() if k[0].startswith("touch_")}
    write_log(log, rows + [(f"N{k}", "technical_fault", "report.start", NOW, "") for k in range(3)])
    later = exposition(read(telecom, Source(events=(str(log),)), NOW + dt.timedelta(minutes=1)))
    for key, old in first.items():
        if key[0].endswith(("_total", "_bucket", "_count", "_sum")) and key[0].startswith("touch_"):
            assert later[key] >= old, key


def test_bad_rows_are_counted_never_a_crash(telecom, tmp_path):
    log = tmp_path / "events.csv"
    log.write_text(HEADER + "A,technical_fault,report.start,not a time,\n"
                            "B,technical_fault,csat,2026-12-01T10:00:00Z,seven\n"
                            "C,technical_fault,csat,2026-12-01T10:00:00Z,4.5\n"
                            "D,technical_fault,report.strat,2026-12-01T10:00:00Z,\n"
                            "E,technical_fault,report.start,2030-01-01T10:00:00Z,\n", encoding="utf-8")
    samples = exposition(read(telecom, Source(events=(str(log),)), NOW))
    assert value(samples, "touchdsl_serve_bad_rows", kind="unreadable_timestamp") == 1
    assert value(samples, "touchdsl_serve_bad_rows", kind="unreadable_value") == 1
    assert value(samples, "touchdsl_serve_bad_rows", kind="answer_not_whole") == 1
    assert value(samples, "touchdsl_serve_bad_rows", kind="unknown_event") == 1
    assert value(samples, "touchdsl_serve_bad_rows", kind="after_as_of") == 1


def test_a_failed_reading_keeps_the_last_good_one_and_says_so(telecom, tmp_path):
    from touchdsl.serve.server import Server

    log = tmp_path / "events.csv"
    write_log(log, [("A", "technical_fault", "report.start", NOW - dt.timedelta(minutes=5), "")])
    server = Server(telecom, Source(events=(str(log),)), ("127.0.0.1", 0), 60, clock=lambda: NOW)
    try:
        assert server.exporter.health() == (False, "starting: the event log has not been read yet")
        server.read_once()
        healthy, why = server.exporter.health()
        assert healthy and why.startswith("ok: 1 row read")
        log.unlink()
        from touchdsl.measure import MeasureError

        with pytest.raises(MeasureError):
            server.read_once()
        server.exporter.failed("gone")
        healthy, why = server.exporter.health()
        assert not healthy and "gone" in why
        samples = {f.name: f for f in server.exporter.collect()}
        assert "touch_open_cases" in samples  # the last good reading is still served
        assert [s.value for s in samples["touchdsl_serve_up"].samples] == [0]
    finally:
        server.http.server_close()


# The command --------------------------------------------------------------------------


def touchdsl_command(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "touchdsl", *args], capture_output=True, text=True, timeout=120,
                          **kwargs)


def test_usage_errors_exit_2_and_project_errors_exit_1(tmp_path):
    project = str(PROJECTS["telecom"])
    missing = touchdsl_command("serve", project, "-e", str(tmp_path / "nope.csv"), "--once")
    assert missing.returncode == 2 and "serve:" in missing.stderr and "Traceback" not in missing.stderr
    bad_listen = touchdsl_command("serve", project, "-e", str(REPO / "examples/telecom/events.csv"),
                                  "--listen", "localhost")
    assert bad_listen.returncode == 2 and "HOST:PORT" in bad_listen.stderr
    (tmp_path / "broken.touch").write_text('touchpoint t "T" {\n}\n', encoding="utf-8")
    broken = touchdsl_command("serve", str(tmp_path / "broken.touch"), "-e", str(tmp_path / "x.csv"), "--once")
    assert broken.returncode == 1 and "nothing served" in broken.stderr


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")
    except OSError:
        return 0, ""


def wait_for(predicate, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.25)
    return predicate()


def start_serve(log: Path, port: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "touchdsl", "serve", str(PROJECTS["telecom"]), "-e", str(log),
                             "--listen", f"127.0.0.1:{port}", "--interval", "0.5"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def stop(process: subprocess.Popen) -> tuple[int, str]:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode, process.stderr.read() if process.stderr else ""


def test_sigterm_stops_serve_cleanly(tmp_path):
    log = tmp_path / "events.csv"
    write_log(log, [("A", "technical_fault", "report.start", dt.datetime.now(dt.timezone.utc), "")])
    port = free_port()
    process = start_serve(log, port)
    try:
        assert wait_for(lambda: get(f"http://127.0.0.1:{port}/healthz")[0] == 200, 30), stop(process)
        status, body = get(f"http://127.0.0.1:{port}/metrics")
        assert status == 200 and 'touch_open_cases{metric="answer",touchpoint="technical_fault"} 1.0' in body
        assert get(f"http://127.0.0.1:{port}/nothing")[0] == 404
    finally:
        code, stderr = stop(process)
    assert code == 0, stderr
    assert "received SIGTERM, stopping" in stderr and stderr.rstrip().endswith("stopped")
    assert "Traceback" not in stderr


# End to end: serve, a real Prometheus, the generated rules --------------------------------


def test_late_cases_appended_to_the_log_fire_the_alert_in_prometheus(tmp_path):
    """serve follows a log of 20 calls answered in time; 12 calls waiting for two
    minutes are appended (the promise: 30 seconds). Prometheus, scraping serve every
    second with the rules touchdsl generated, counts the late cases, and the alert
    for a backlog past the promise -- a page, from 10 cases -- fires."""
    prometheus_binary = require_tool("prometheus")
    project = touchdsl.load([str(PROJECTS["telecom"])])
    rules = tmp_path / "rules"
    rules.mkdir()
    for rel, data in prometheus.render(project, BuildOptions()).items():
        if rel.endswith(".rules.yml"):
            (rules / Path(rel).name).write_bytes(data)
    now = dt.datetime.now(dt.timezone.utc)
    log = tmp_path / "events.csv"
    history = []
    for k in range(20):
        start = now - dt.timedelta(minutes=10) + dt.timedelta(seconds=k)
        history += [(f"OK{k}", "technical_fault", "report.start", start, ""),
                    (f"OK{k}", "technical_fault", "report.answered", start + dt.timedelta(seconds=5), "")]
    write_log(log, history)
    serve_port, prometheus_port = free_port(), free_port()
    config = tmp_path / "prometheus.yml"
    config.write_text(json.dumps({
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(rules / "*.rules.yml")],
        "scrape_configs": [{"job_name": "touchdsl", "static_configs": [{"targets": [f"127.0.0.1:{serve_port}"]}]}],
    }), encoding="utf-8")
    serve = start_serve(log, serve_port)
    server = subprocess.Popen([prometheus_binary, f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                               f"--web.listen-address=127.0.0.1:{prometheus_port}", "--log.level=warn"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    api = f"http://127.0.0.1:{prometheus_port}/api/v1"

    def query(expr: str) -> list:
        status, body = get(f"{api}/query?query={urllib.parse.quote(expr)}")
        return json.loads(body)["data"]["result"] if status == 200 else []

    def alerts() -> list:
        status, body = get(f"{api}/alerts")
        return json.loads(body)["data"]["alerts"] if status == 200 else []

    try:
        assert wait_for(lambda: get(f"http://127.0.0.1:{serve_port}/healthz")[0] == 200, 30), "serve did not start"
        assert wait_for(lambda: get(f"http://127.0.0.1:{prometheus_port}/-/ready")[0] == 200, 30), \
            "prometheus did not start"
        answered = 'touch_duration_seconds_count{touchpoint="technical_fault",metric="answer"}'
        assert wait_for(lambda: [r for r in query(answered) if r["value"][1] == "20"], 20), query(answered)
        # the feed: 12 calls started two minutes ago, not answered
        waiting = now - dt.timedelta(minutes=2)
        with log.open("a", encoding="utf-8") as handle:
            for k in range(12):
                handle.write(f"LATE{k},technical_fault,report.start,{iso(waiting)},\n")
        late = 'touch_late_cases_total{touchpoint="technical_fault",metric="answer",objective="promise"}'
        assert wait_for(lambda: [r for r in query(late) if r["value"][1] == "12"], 20), query(late)
        overdue = 'touch:overdue_cases:count{touchpoint="technical_fault",metric="answer",objective="promise"}'
        assert wait_for(lambda: [r for r in query(overdue) if r["value"][1] == "12"], 20), query(overdue)

        def paging() -> list:
            return [a for a in alerts() if a["labels"].get("alertname") == "TouchCasesPastPromise"
                    and a["labels"].get("severity") == "page" and a["state"] in ("pending", "firing")]

        found = wait_for(paging, 20)
        assert found, alerts()
        assert found[0]["labels"]["touchpoint"] == "technical_fault" and found[0]["labels"]["owner"] == "field_ops"
        # the promise is broken over its window too: 12 of 32 cases late (whole events)
        broken = wait_for(lambda: [a for a in alerts() if a["labels"].get("alertname") == "TouchPromiseBroken"
                                   and a["labels"].get("metric") == "answer"], 20)
        assert broken, alerts()
        error = 'touch:sli_error:ratio_rate28d{touchpoint="technical_fault",metric="answer",objective="promise"}'
        assert float(query(error)[0]["value"][1]) == pytest.approx(12 / 32)
    finally:
        stop(server)
        code, stderr = stop(serve)
    assert code == 0, stderr
