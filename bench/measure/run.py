"""The measure benchmark (issue 11): `make bench-measure`. Not a test: it measures.

Generates 1M and 10M events for examples/telecom as Parquet (bench/measure/generate.py,
reused while the generator is unchanged), then measures side by side, alternating the
contenders run by run so that a change of the machine's load hits both:

- **in one warm process** (a fresh Python that imports duckdb and touchdsl, compiles
  the project and runs each contender once before timing): DuckDB's bare
  scan-and-group-by of the file (the floor: per touchpoint and case, the number of
  events and the first and last timestamp, all three consumed so the optimiser
  cannot drop them) against `touchdsl.measure(project, events=FILE, as_of=...)` —
  the engine's work against the floor, start-up excluded from both;
- **from the command line** (each run a fresh process): `python -c 'import duckdb;
  <the floor query>'` against `touchdsl measure examples/telecom -e FILE -o DIR`
  (every metric and the data-quality report, JSON and CSV written) — what a user
  waits for, start-up included in both;
- the analyst's script (bench/measure/baseline.py: pandas + touchdsl.clock per case),
  a fresh process, at the smallest size only; its figures are checked against the
  measure.json of the same log, metric by metric, and the run stops if they differ.

Every figure is the median of the runs: wall time and CPU time (user + system, all
threads: `time.process_time` in process, `os.wait4` of the child from the command
line) and, from the command line, the child's peak resident memory (the largest of
the runs). Prints a table
and writes OUT/results.json with the machine and its load.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

PYTHON = sys.executable
TOUCHDSL = str(Path(PYTHON).parent / "touchdsl")
PROJECT = REPO / "examples" / "telecom"
AS_OF = "2026-08-31T05:00:00+00:00"  # the end of the generated thirteen weeks

# The floor. The outer aggregate consumes the three figures: without it DuckDB drops
# them and only groups the keys (kept as FLOOR_KEYS, for reference).
FLOOR = """SELECT COUNT(*), SUM(n), MIN(first), MAX(last) FROM (
  SELECT touchpoint, "case", COUNT(*) AS n, MIN("at") AS first, MAX("at") AS last
  FROM read_parquet(?) GROUP BY touchpoint, "case")"""
FLOOR_KEYS = """SELECT COUNT(*) FROM (
  SELECT touchpoint, "case", COUNT(*) AS n, MIN("at") AS first, MAX("at") AS last
  FROM read_parquet(?) GROUP BY touchpoint, "case")"""
FLOOR_CLI = f"""
import sys, duckdb
print(duckdb.connect().execute('''{FLOOR}''', [sys.argv[1]]).fetchone()[0], "cases")
"""


def in_process(path: str, reps: int) -> None:
    """Run inside the child: warm up, then alternate the contenders; print JSON."""
    import duckdb

    import touchdsl
    from touchdsl.measure import measure

    project = touchdsl.load([str(PROJECT)])
    con = duckdb.connect()
    contenders = {
        "floor": lambda: con.execute(FLOOR, [path]).fetchone(),
        "floor_keys": lambda: con.execute(FLOOR_KEYS, [path]).fetchone(),
        "measure": lambda: measure(project, path, as_of=AS_OF),
    }
    times: dict[str, dict[str, list[float]]] = {name: {"wall": [], "cpu": []} for name in contenders}
    for run in contenders.values():
        run()
    for _ in range(reps):
        for name, run in contenders.items():
            wall, cpu = time.perf_counter(), time.process_time()
            run()
            times[name]["wall"].append(time.perf_counter() - wall)
            times[name]["cpu"].append(time.process_time() - cpu)
    print(json.dumps(times))


def timed_children(cmds: dict[str, list[str]], reps: int,
                   ok: tuple[int, ...] = (0, 1)) -> dict[str, dict[str, Any]]:
    """The commands run alternately `reps` times: median wall and CPU, peak memory.
    `ok`: the exit codes that are not failures (`measure` exits 1 on a missed promise)."""
    runs: dict[str, list[tuple[float, float, float]]] = {name: [] for name in cmds}
    outputs: dict[str, bytes] = {}
    for k in range(reps):
        for name, cmd in cmds.items():
            wall, cpu, peak, out = _wait(cmd, ok)
            runs[name].append((wall, cpu, peak))
            outputs[name] = out
            print(f"  {name}: run {k + 1} {wall:.2f}s wall, {cpu:.2f}s CPU, {peak:.0f} MB", flush=True)
    return {name: {"wall": statistics.median(r[0] for r in rs), "cpu": statistics.median(r[1] for r in rs),
                   "peak_mb": max(r[2] for r in rs), "runs": rs, "output": outputs[name]}
            for name, rs in runs.items()}


# Runs a command as its own child and reports the child's wall time, CPU time and peak
# memory into a file. Through it, the peak is the command's own: a child started
# directly by this (larger) process would report this process's peak when it is higher
# (Linux keeps the high-water mark across fork and exec).
_SHIM = """
import json, os, sys, time
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
with open(sys.argv[1], "w") as f:
    json.dump([wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)], f)
"""


def _wait(cmd: list[str], ok: tuple[int, ...] = (0, 1)) -> tuple[float, float, float, bytes]:
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".json") as report:
        proc = subprocess.run([PYTHON, "-c", _SHIM, report.name, *cmd], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, check=False)
        wall, cpu, peak, code = json.loads(Path(report.name).read_text())
    if code not in ok:
        sys.exit(f"bench: `{' '.join(cmd)}` failed (exit {code}):\n{proc.stderr.decode(errors='replace')[-2000:]}")
    return wall, cpu, peak, proc.stdout


def events_file(out: Path, n: int) -> Path:
    digest = hashlib.sha256((HERE / "generate.py").read_bytes()).hexdigest()[:12]
    path = out / f"events-{n // 1_000_000}m-{digest}.parquet"
    if not path.exists():
        print(f"generating {n} events into {path} ...", flush=True)
        generate.generate(n, path)
    return path


def measured_figures(report: Path) -> dict[str, Any]:
    """The figures the analyst's script computes, as measure.json has them."""
    doc = json.loads((report / "measure.json").read_text(encoding="utf-8"))
    out: dict[str, Any] = {}
    for item in doc["items"]:
        (p,) = item["periods"]
        key = f"{item['touchpoint']}.{item['metric']}"
        if item["kind"] in ("time", "updates"):
            out[key] = {"promise": {"decided": p["promise"]["decided"], "good": p["promise"]["good"]},
                        "target": {"decided": p["target"]["decided"], "good": p["target"]["good"]},
                        "open": p["open"], "overdue": p["overdue"], "finished": p["finished"],
                        "elapsed": p["elapsed"], "worst": [[w["case"], w["value"]] for w in p["worst"]]}
        elif item["kind"] == "ratio":
            out[key] = {"decided": p["promise"]["decided"], "good": p["promise"]["good"]}
        elif item["kind"] in ("score", "nps"):
            out[key] = {"answers": p["answers"], "value": p["promise"]["value"]}
        else:
            out[key] = {"events": p["events"], "value": int(p["promise"]["value"])}
    return out


def machine() -> dict[str, Any]:
    import duckdb

    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    versions = {"python": platform.python_version(), "duckdb": duckdb.__version__}
    for name in ("pandas", "pyarrow"):
        try:
            versions[name] = __import__(name).__version__
        except ImportError:
            pass
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    return {"cpus": os.cpu_count(), "cpu": model, "platform": platform.platform(), "versions": versions,
            "commit": commit}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--reps", type=int, default=5, help="runs of each contender at the smallest size")
    parser.add_argument("--big-reps", type=int, default=3, help="runs of each contender at larger sizes")
    parser.add_argument("--analyst-reps", type=int, default=1)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "measure")
    parser.add_argument("--in-process", nargs=2, metavar=("FILE", "REPS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.in_process:
        in_process(args.in_process[0], int(args.in_process[1]))
        return
    args.out.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"machine": machine(), "started": dt.datetime.now(dt.timezone.utc).isoformat(),
                               "load_start": os.getloadavg(), "sizes": {}}
    smallest = min(args.sizes)
    for n in sorted(args.sizes):
        import duckdb

        path = events_file(args.out, n)
        rows = duckdb.execute("SELECT COUNT(*) FROM read_parquet(?)", [str(path)]).fetchone()[0]  # type: ignore[index]
        reps = args.reps if n == smallest else args.big_reps
        report = args.out / f"report-{n}"
        print(f"\n{rows} events ({path.stat().st_size / 1e6:.0f} MB Parquet), {reps} runs each; "
              f"load {os.getloadavg()[0]:.1f}", flush=True)
        size: dict[str, Any] = {"events": rows, "load": [os.getloadavg()]}
        print(" in one warm process:", flush=True)
        wall, cpu, peak, out = _wait([PYTHON, __file__, "--in-process", str(path), str(reps)])
        inside = json.loads(out)
        size["in_process"] = {name: {"wall": statistics.median(t["wall"]), "cpu": statistics.median(t["cpu"]),
                                     "runs": t} for name, t in inside.items()}
        for name, t in size["in_process"].items():
            print(f"  {name}: median {t['wall']:.3f}s wall, {t['cpu']:.3f}s CPU", flush=True)
        size["load"].append(os.getloadavg())
        print(" from the command line:", flush=True)
        cli = timed_children({
            "floor": [PYTHON, "-c", FLOOR_CLI, str(path)],
            "measure": [TOUCHDSL, "measure", str(PROJECT), "-e", str(path), "--as-of", AS_OF,
                        "--fail-on", "never", "-o", str(report)],
        }, reps)
        size["load"].append(os.getloadavg())
        if n == smallest and args.analyst_reps:
            print(" the analyst's script:", flush=True)
            analyst = timed_children({"analyst": [PYTHON, str(HERE / "baseline.py"), str(path), AS_OF]},
                                     args.analyst_reps, ok=(0,))["analyst"]
            figures, expected = json.loads(analyst["output"]), measured_figures(report)
            wrong = sorted(k for k in expected if figures.get(k) != expected[k])
            if wrong:
                sys.exit(f"bench: the analyst's figures differ from measure.json for {wrong}")
            print(f"  same figures as measure.json for all {len(expected)} metrics", flush=True)
            cli["analyst"] = analyst
            size["load"].append(os.getloadavg())
        for entry in cli.values():
            entry.pop("output")
        size["cli"] = cli
        results["sizes"][str(n)] = size
    results["load_end"] = os.getloadavg()
    sizes: dict[str, Any] = results["sizes"]
    print(f"\n{'events':>10}  {'':8}  {'floor wall':>10}  {'floor CPU':>9}  {'measure wall':>12}  "
          f"{'measure CPU':>11}  {'x floor (wall, CPU)':>19}  {'peak MB':>7}  {'analyst wall':>12}  "
          f"{'analyst / measure':>17}")
    for n, size in sizes.items():
        for where in ("in_process", "cli"):
            f, m = size[where]["floor"], size[where]["measure"]
            base = size[where].get("analyst")
            peak = f"{m['peak_mb']:>7.0f}" if "peak_mb" in m else f"{'':>7}"
            tail = (f"{base['wall']:>11.2f}s  {base['wall'] / m['wall']:>7.1f}, {base['cpu'] / m['cpu']:.1f} CPU"
                    if base else "")
            print(f"{size['events']:>10}  {where:8}  {f['wall']:>9.3f}s  {f['cpu']:>8.3f}s  {m['wall']:>11.3f}s  "
                  f"{m['cpu']:>10.3f}s  {m['wall'] / f['wall']:>9.2f}, {m['cpu'] / f['cpu']:>6.2f}  {peak}  {tail}")
    keys = sorted(sizes, key=int)
    if len(keys) > 1:
        for where in ("in_process", "cli"):
            small, big = sizes[keys[0]][where]["measure"], sizes[keys[-1]][where]["measure"]
            print(f"measure {where} {keys[-1]}/{keys[0]}: wall x{big['wall'] / small['wall']:.1f}, "
                  f"CPU x{big['cpu'] / small['cpu']:.1f} (x{int(keys[-1]) / int(keys[0]):.0f} events)")
    print(f"load average: {results['load_start']} at the start, {results['load_end']} at the end")
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"results in {args.out / 'results.json'}")


if __name__ == "__main__":
    main()
