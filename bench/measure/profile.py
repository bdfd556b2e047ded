"""Where `touchdsl measure` spends its time, step by step (a tool, not a test):

    .venv/bin/python bench/measure/profile.py bench/out/measure/events-10m-*.parquet
    .venv/bin/python bench/measure/profile.py FILE --runs 5 --explain touch_cases,touch_decisions

Measures examples/telecom from FILE in this process (as-of the end of the generated
weeks), timing every statement the engine sends to DuckDB — each step of
`touchdsl.measure.sql.steps`, the input tables, the result queries — and prints the
CPU and wall time of each (the smallest over `--runs` runs; the machine is shared).
`--explain` prints DuckDB's EXPLAIN ANALYZE of the named steps (time per operator,
summed over threads).
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import re
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

AS_OF = dt.datetime(2026, 8, 31, 5, 0, tzinfo=dt.timezone.utc)
_STATEMENT = re.compile(r"\s*(?:CREATE OR REPLACE TEMP (?:TABLE|VIEW) (\w+) AS|INSERT INTO (\w+)|(DROP) TABLE)")


class Timed:
    """A DuckDB connection that times what is executed on it, by statement."""

    def __init__(self, con: Any, explain: set[str]) -> None:
        self.con, self.explain = con, explain
        self.cpu: collections.Counter[str] = collections.Counter()
        self.wall: collections.Counter[str] = collections.Counter()

    def execute(self, query: str, *args: Any) -> Any:
        m = _STATEMENT.match(query)
        name = (m.group(1) or (f"fill {m.group(2)}" if m.group(2) else "drop tables")) if m else \
            "query: " + " ".join(query.split())[:50]
        if m and m.group(1) in self.explain:
            plan = self.con.execute("EXPLAIN ANALYZE " + query.split(" AS ", 1)[1]).fetchall()
            print(f"===== {m.group(1)}\n{plan[0][1]}")
            self.explain.discard(m.group(1))
        cpu, wall = time.process_time(), time.perf_counter()
        result = self.con.execute(query, *args)
        self.cpu[name] += time.process_time() - cpu
        self.wall[name] += time.perf_counter() - wall
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self.con, name)


def main() -> None:
    import duckdb

    import touchdsl
    from touchdsl.measure.engine import MEMORY_LIMIT, Request, run
    from touchdsl.measure.judge import judge

    parser = argparse.ArgumentParser()
    parser.add_argument("events")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--explain", default="", help="steps to EXPLAIN ANALYZE, comma-separated")
    args = parser.parse_args()
    project = touchdsl.load([str(REPO / "examples" / "telecom")])
    best: dict[str, tuple[float, float]] = {}
    explain = {s for s in args.explain.split(",") if s}
    for _ in range(args.runs):
        con = Timed(duckdb.connect(":memory:", config={"memory_limit": MEMORY_LIMIT}), explain)
        cpu, wall = time.process_time(), time.perf_counter()
        raw = run(con, project, Request(events=(args.events,), as_of=AS_OF))  # type: ignore[arg-type]
        judge(project, raw)
        con.cpu["(whole run, with judging)"] = time.process_time() - cpu
        con.wall["(whole run, with judging)"] = time.perf_counter() - wall
        con.con.close()
        for name in con.cpu:
            old = best.get(name, (float("inf"), float("inf")))
            best[name] = (min(old[0], con.cpu[name]), min(old[1], con.wall[name]))
    print(f"{'CPU':>8} {'wall':>8}  statement (smallest of {args.runs} runs)")
    for name, (cpu, wall) in sorted(best.items(), key=lambda kv: -kv[1][0]):
        print(f"{cpu:8.3f} {wall:8.3f}  {name}")


if __name__ == "__main__":
    main()
