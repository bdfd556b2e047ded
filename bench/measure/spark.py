"""Spark (local mode) against DuckDB on the same event log, and Spark's plan.

    python bench/measure/spark.py [EVENTS]        # default 10_000_000

Generates the log with bench/measure/generate.py (Parquet, kept under bench/out/),
measures it with `touchdsl measure` in DuckDB and with `--engine spark` (each from the
command line, as a user runs it: start-up included, wall and CPU of the command and
its children), checks that both print the same measure.json, then prints the physical
plans Spark makes for the two heaviest steps (the per-case grouping and the decisions,
which join the calendar) for bench/README.md.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))


def _command(args: list[str]) -> tuple[float, float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "touchdsl.cli", *args], capture_output=True, text=True, cwd=REPO)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise SystemExit(done.stderr)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
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

    spark = SparkSession.builder.master("local[*]").config("spark.ui.enabled", "false").getOrCreate()
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
                plan = spark.sql(render(step.sql, "spark"))._jdf.queryExecution().executedPlan().toString()
                out.append(f"== {name} ==\n{plan}")
    finally:
        backend.close()
        spark.stop()
    return "\n".join(out)


def main() -> None:
    from generate import generate

    events = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000
    path = REPO / "bench" / "out" / "measure" / f"events-{events // 1_000_000}m.parquet"
    if not path.exists():
        generate(events, path)
    args = ["measure", "examples/telecom", "-e", str(path), "--format", "json"]
    print(f"{events:,} events, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}", flush=True)
    duck_wall, duck_cpu, duck_json = _command(args)
    print(f"duckdb        wall {duck_wall:7.1f} s   cpu {duck_cpu:7.1f} s", flush=True)
    spark_wall, spark_cpu, spark_json = _command([*args, "--engine", "spark"])
    print(f"spark local   wall {spark_wall:7.1f} s   cpu {spark_cpu:7.1f} s   ({spark_wall / duck_wall:.1f}x DuckDB)",
          flush=True)
    same = json.loads(duck_json) == json.loads(spark_json)
    print(f"same measure.json: {same}", flush=True)
    print(_plans(path))
    if not same:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
