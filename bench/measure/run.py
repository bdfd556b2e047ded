"""The measure benchmark (issue 11): `make bench-measure`. Not a test: it measures.

Generates 1M and 10M events for examples/telecom as Parquet (bench/measure/generate.py,
reused while the generator is unchanged), then runs side by side, each as a fresh
process the way a user runs it:

- the floor: DuckDB's bare scan-and-group-by of the same file (events per case:
  count, first and last timestamp, grouped by touchpoint and case) from Python;
- `touchdsl measure examples/telecom -e FILE -o DIR` (the whole measurement, every
  metric and the data-quality report, JSON and CSV written);
- the analyst's baseline (bench/measure/baseline.py: pandas + touchdsl.clock per case),
  at 1M only (at 10M it would take minutes and prove nothing more).

Each figure is the median of the runs: wall time, CPU time (user + system of the child)
and the child's peak resident memory, read with os.wait4. Prints a table and the
verdicts on the goals; writes OUT/results.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

PYTHON = sys.executable
TOUCHDSL = str(Path(PYTHON).parent / "touchdsl")
AS_OF = "2026-08-31T05:00:00+00:00"  # the end of the generated thirteen weeks

FLOOR = """
import sys, duckdb
con = duckdb.connect()
n = con.execute('''SELECT COUNT(*) FROM (SELECT touchpoint, "case", COUNT(*) AS n, MIN("at") AS first,
                   MAX("at") AS last FROM read_parquet(?) GROUP BY touchpoint, "case")''', [sys.argv[1]]).fetchone()
print(n[0], "cases")
"""


def timed(cmd: list[str], reps: int, label: str) -> dict[str, float]:
    """Median wall, CPU and peak memory (MB) of `cmd` over `reps` runs."""
    walls, cpus, peaks = [], [], []
    for i in range(reps):
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        out, err = proc.stdout.read(), proc.stderr.read()  # type: ignore[union-attr]
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode not in (0, 1):
            sys.exit(f"bench: `{' '.join(cmd)}` failed (exit {proc.returncode}):\n{out[-2000:]!r}{err[-2000:]!r}")
        cpu = usage.ru_utime + usage.ru_stime
        walls.append(wall)
        cpus.append(cpu)
        peaks.append(usage.ru_maxrss / 1024)
        print(f"  {label}: run {i + 1} {wall:.2f}s wall, {cpu:.2f}s CPU, {usage.ru_maxrss / 1024:.0f} MB", flush=True)
    return {"wall": statistics.median(walls), "cpu": statistics.median(cpus), "peak_mb": max(peaks)}


def events_file(out: Path, n: int) -> Path:
    digest = hashlib.sha256((HERE / "generate.py").read_bytes()).hexdigest()[:12]
    path = out / f"events-{n // 1_000_000}m-{digest}.parquet"
    if not path.exists():
        print(f"generating {n} events into {path} ...", flush=True)
        generate.generate(n, path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--reps", type=int, default=3, help="runs at the smallest size (1 at larger ones)")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "measure")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    results: dict[str, object] = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                    "load": os.getloadavg()},
        "sizes": {},
    }
    smallest = min(args.sizes)
    for n in sorted(args.sizes):
        path = events_file(args.out, n)
        import duckdb

        rows = duckdb.execute("SELECT COUNT(*) FROM read_parquet(?)", [str(path)]).fetchone()[0]  # type: ignore[index]
        reps = args.reps if n == smallest else 1
        print(f"\n{rows} events ({path.stat().st_size / 1e6:.0f} MB Parquet), {reps} run(s) each:", flush=True)
        size: dict[str, object] = {"events": rows}
        size["floor"] = timed([PYTHON, "-c", FLOOR, str(path)], reps, "floor (DuckDB group-by)")
        size["measure"] = timed([TOUCHDSL, "measure", str(REPO / "examples" / "telecom"), "-e", str(path),
                                 "--as-of", AS_OF, "--fail-on", "never", "-o", str(args.out / f"report-{n}")],
                                reps, "touchdsl measure")
        if n == smallest:
            size["baseline"] = timed([PYTHON, str(HERE / "baseline.py"), str(path), AS_OF], 1,
                                     "analyst (pandas + clock)")
        results["sizes"][str(n)] = size  # type: ignore[index]
    print()
    print(f"{'events':>10}  {'floor wall':>10}  {'measure wall':>12}  {'x floor':>7}  {'measure CPU':>11}  "
          f"{'x floor CPU':>11}  {'peak MB':>7}  {'analyst wall':>12}  {'analyst/measure':>15}")
    sizes: dict[str, dict[str, dict[str, float]]] = results["sizes"]  # type: ignore[assignment]
    for n, size in sizes.items():
        f, m = size["floor"], size["measure"]
        base = size.get("baseline")
        print(f"{int(size['events']):>10}  {f['wall']:>9.2f}s  {m['wall']:>11.2f}s  {m['wall'] / f['wall']:>7.1f}  "  # type: ignore[call-overload]
              f"{m['cpu']:>10.2f}s  {m['cpu'] / f['cpu']:>11.1f}  {m['peak_mb']:>7.0f}  "
              + (f"{base['wall']:>11.2f}s  {base['wall'] / m['wall']:>15.1f}" if base else ""))
    keys = sorted(sizes, key=int)
    if len(keys) > 1:
        small, big = sizes[keys[0]]["measure"], sizes[keys[-1]]["measure"]
        print(f"\nmeasure {keys[-1]}/{keys[0]}: wall x{big['wall'] / small['wall']:.1f}, "
              f"CPU x{big['cpu'] / small['cpu']:.1f} (x{int(keys[-1]) / int(keys[0]):.0f} events)")
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"results in {args.out / 'results.json'}")


if __name__ == "__main__":
    main()
