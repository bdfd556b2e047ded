"""Spark (local mode) against DuckDB on the same event log, and Spark's plan.

    python bench/measure/spark.py [EVENTS]        # default 10_000_000

Generates the log with bench/measure/generate.py (Parquet, kept under bench/out/),
measures it with `touchdsl measure` in DuckDB and with `--engine spark` (each from the
command line, as a user runs it: start-up included, wall and CPU of the command and
its children), checks that both print the same measure.json, then prints (and writes
next to the log) the plans Spark makes for the two heaviest steps, as `EXPLAIN
FORMATTED` prints them: the per-case grouping and the decisions, which join the
calendar. Spark gets a 4 GiB driver heap (local mode: the executors' too).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(REPO))
# Not this folder on the path: its profile.py would shadow the standard library's,
# which PySpark imports.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]


# Spark's default driver heap in local mode (1 GiB) is the executors' too; 4 GiB, as a
# user measuring 10M events would give it (`PYSPARK_SUBMIT_ARGS`, docs/warehouse.md).
DRIVER_MEMORY = "4g"


# Runs the command as its child and reports the command's wall time and the CPU time of
# the command and every process it started. PySpark does not wait for its JVM (the JVM
# exits when its stdin pipe breaks, after Python has exited), so an orphaned JVM would
# be reaped by init and its CPU lost: the shim makes itself the subreaper of its
# descendants (PR_SET_CHILD_SUBREAPER) and waits for all of them.
_SHIM = """
import ctypes, json, os, resource, sys, time
ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
_, status = os.waitpid(pid, 0)
wall = time.perf_counter() - start
while True:
    try:
        os.wait()
    except ChildProcessError:
        break
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(sys.argv[1], "w") as f:
    json.dump([wall, usage.ru_utime + usage.ru_stime, os.waitstatus_to_exitcode(status)], f)
"""


def _command(args: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".json") as report:
        done = subprocess.run([sys.executable, "-c", _SHIM, report.name, sys.executable, "-m", "touchdsl.cli", *args],
                              capture_output=True, text=True, cwd=REPO,
                              env=None if env is None else {**os.environ, **env})
        wall, cpu, code = json.loads(Path(report.name).read_text())
    if code not in (0, 1):
        raise SystemExit(done.stderr)
    return wall, cpu, done.stdout


def _plans(events: Path) -> str:
    import datetime as dt

    import touchdsl
    from pyspark.sql import SparkSession
    from touchdsl.measure import sql
    from touchdsl.measure.dialects import render
    from touchdsl.measure.engine import Request, measure_on
    from touchdsl.measure.plan import items_of
    from touchdsl.measure.spark import SparkBackend, _UTC

    spark = (SparkSession.builder.master("local[*]").config("spark.ui.enabled", "false")
             .config("spark.driver.memory", DRIVER_MEMORY)
             .config("spark.ui.showConsoleProgress", "false").getOrCreate())
    spark.sparkContext.setLogLevel("FATAL")
    project = touchdsl.load([str(REPO / "examples" / "telecom")])
    backend = SparkBackend(spark)
    out = []
    try:
        with _UTC(spark):
            measure_on(backend, project, Request(events=(str(events),)), keep=True,
                       now=dt.datetime(2026, 9, 1, tzinfo=dt.timezone.utc))
            for name in ("touch_cases", "touch_decisions"):
                step = next(s for s in sql.steps(items_of(project)) if s.name == name)
                query = render(step.sql, "spark")
                plan = spark.sql("EXPLAIN FORMATTED " + query).collect()[0][0]
                # The plan above is the one Spark starts with; adaptive execution
                # re-plans each stage once the shuffles before it have run (and knows
                # their sizes): the plan after running it is the one that ran.
                frame = spark.sql(query)
                frame.collect()
                final = frame._jdf.queryExecution().executedPlan().toString()
                out.append(f"== {name}: EXPLAIN FORMATTED ==\n{plan}\n== {name}: after running ==\n{final}")
    finally:
        backend.close()
        spark.stop()
    return "\n".join(out)


def main() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("generate", HERE / "generate.py")
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    generate = generator.generate

    events = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000
    path = REPO / "bench" / "out" / "measure" / f"events-{events // 1_000_000}m.parquet"
    if not path.exists():
        generate(events, path)
    args = ["measure", "examples/telecom", "-e", str(path), "--format", "json"]
    print(f"{events:,} events, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}", flush=True)
    duck_wall, duck_cpu, duck_json = _command(args)
    print(f"duckdb        wall {duck_wall:7.1f} s   cpu {duck_cpu:7.1f} s", flush=True)
    spark_wall, spark_cpu, spark_json = _command(
        [*args, "--engine", "spark"],
        {"PYSPARK_SUBMIT_ARGS": f"--driver-memory {DRIVER_MEMORY} pyspark-shell"})
    print(f"spark local   wall {spark_wall:7.1f} s   cpu {spark_cpu:7.1f} s   ({spark_wall / duck_wall:.1f}x DuckDB)",
          flush=True)
    same = json.loads(duck_json) == json.loads(spark_json)
    print(f"same measure.json: {same}", flush=True)
    plans = _plans(path)
    (path.parent / f"spark-plans-{events // 1_000_000}m.txt").write_text(plans)
    print(plans)
    if not same:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
