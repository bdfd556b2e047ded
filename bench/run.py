"""The speed benchmark (`make bench`). Not a test: it measures and reports.

Generates projects into bench/out/ (as .touch and as YAML, bench/generate.py) in
two shapes: 20 touchpoints per file (1k and 10k touchpoints) and 100 per file
(10k), then times, as subprocesses the way a user runs them, with the median of
several repetitions:

- `touchdsl check DIR` on each project;
- the YAML baseline (`bench/baseline.py`: PyYAML's C loader + pydantic) on the same content;
- start-up: `touchdsl --version` and `touchdsl check` on a tiny project
  (examples/telecom) against a bare `python -c pass`;
- the language server: one re-analysis after one edit in the 1k project
  (`bench/lsp.py`, the real server over stdio).

With `--before DIR` (a source tree of another commit, e.g. from `git archive`),
`touchdsl --version`, the tiny check and `touchdsl check` on every project are
also timed for that tree (same interpreter, PYTHONPATH=DIR), side by side.

Prints tables, the touchdsl/baseline ratios, the 10k/1k ratio (10 means linear),
and whether each goal is met. Each figure is given twice: wall time, and the CPU
time (user + system) of the child process. On a shared machine (a load above the
number of cores) wall time includes waiting for a core and the ratios drift with
the neighbours' load; CPU time does not, so the verdicts use it. The results are
also written to OUT/results.json. `--profile` then runs `touchdsl check` on the
largest project under cProfile and prints the top functions (OUT/check-<N>.prof).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

PYTHON = sys.executable
TOUCHDSL = str(Path(PYTHON).parent / "touchdsl")


def timed(cmd: list[str], reps: int, label: str, expect: str | None = None,
          env: dict[str, str] | None = None, codes: tuple[int, ...] = (0,),
          cwd: Path | None = None) -> tuple[float, float]:
    """Median (wall, CPU) seconds of `cmd` over `reps` runs (after one untimed warm-up run)."""
    walls, cpus = [], []
    for i in range(reps + 1):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd)
        elapsed = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        if proc.returncode not in codes or (expect and expect not in proc.stdout + proc.stderr):
            sys.exit(f"bench: `{' '.join(cmd)}` failed (exit {proc.returncode}):\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
        if i:  # the first run warms the OS file cache and Lark's grammar cache
            walls.append(elapsed)
            cpus.append(cpu)
        print(f"  {label}: run {i or 'warm-up'} {elapsed:.3f}s wall, {cpu:.3f}s CPU", flush=True)
    return statistics.median(walls), statistics.median(cpus)


def prepare(n: int, folder: Path, per_file: int = generate.TOUCHPOINTS_PER_FILE) -> dict:
    """The generated project of n touchpoints in folder, reused when the generator is unchanged.

    Generated beside the folder and renamed into place, and never deleted while it is
    current: benchmark runs started by several people in one tree otherwise delete
    each other's projects in the middle of a measurement.
    """
    stamp = hashlib.sha256(Path(generate.__file__).read_bytes()).hexdigest()[:16] + f" {n} {per_file}"
    stamp_file = folder / "generator.stamp"
    if stamp_file.is_file() and stamp_file.read_text() == stamp:
        print("  (unchanged generator: reusing it)", flush=True)
        return json.loads((folder / "stats.json").read_text())
    fresh = folder.with_name(f".{folder.name}.{os.getpid()}")
    stats = generate.generate(n, fresh, per_file=per_file)
    (fresh / "stats.json").write_text(json.dumps(stats))
    (fresh / "generator.stamp").write_text(stamp)
    if folder.exists():
        stale = folder.with_name(f".{folder.name}.stale.{os.getpid()}")
        folder.rename(stale)
        shutil.rmtree(stale, ignore_errors=True)
    fresh.rename(folder)
    return stats


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def profile(folder: Path, out: Path, top: int) -> None:
    """One `touchdsl check` under cProfile; the top functions by cumulative and by own time."""
    import pstats

    prof = out / f"check-{folder.parent.name}.prof"
    print(f"\nprofiling touchdsl check {folder} -> {prof}", flush=True)
    subprocess.run([PYTHON, "-m", "cProfile", "-o", str(prof), "-m", "touchdsl.cli", "check", str(folder)],
                   capture_output=True)
    stats = pstats.Stats(str(prof))
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


TINY = REPO / "examples" / "telecom"
# (touchpoints, touchpoints per file): the generator's shape at two sizes, and the
# wide files of issue 9 (where touchdsl was relatively slowest).
SHAPES = [(1000, generate.TOUCHPOINTS_PER_FILE), (10000, generate.TOUCHPOINTS_PER_FILE), (10000, 100)]
GOAL_RATIO = 0.7  # touchdsl check / YAML+pydantic, CPU, at 10k, on every shape
GOAL_LSP = 0.2  # seconds for the language server to re-check a 1k project after one edit


def shape_name(n: int, per_file: int) -> str:
    return f"{n} ({per_file}/file)"


def folder_of(out: Path, n: int, per_file: int) -> Path:
    return out / (f"p{n}" if per_file == generate.TOUCHPOINTS_PER_FILE else f"p{n}-f{per_file}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="touchdsl speed benchmark")
    parser.add_argument("--shapes", nargs="+", default=[f"{n}x{p}" for n, p in SHAPES],
                        help="projects as TOUCHPOINTSxPER_FILE (default: %(default)s)")
    parser.add_argument("--reps", type=int, default=5, help="timed runs per measurement (median)")
    parser.add_argument("--big-reps", type=int, default=3, help="timed runs for sizes of 5000 and more")
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--before", type=Path, default=None,
                        help="a source tree of another commit, timed side by side (PYTHONPATH)")
    parser.add_argument("--lsp-edits", type=int, default=15, help="edits timed on the language server (0: skip)")
    parser.add_argument("--profile", action="store_true", help="then cProfile touchdsl check on the largest size")
    parser.add_argument("--top", type=int, default=30, help="functions listed by --profile")
    args = parser.parse_args(argv)
    shapes = [tuple(int(x) for x in s.split("x")) for s in args.shapes]

    import yaml

    if getattr(yaml, "CSafeLoader", None) is None:
        print("NOTE: PyYAML has no C loader (libyaml) here; the baseline uses the slower pure-Python loader")
    else:
        print(f"PyYAML {yaml.__version__} with libyaml: the baseline uses yaml.CSafeLoader")
    import lark
    import pydantic

    load = os.getloadavg()
    print(f"python {sys.version.split()[0]}, lark {lark.__version__}, pydantic {pydantic.VERSION}; "
          f"{os.cpu_count()} CPUs ({cpu_model()}), load average {load[0]:.1f}", flush=True)
    if load[0] > (os.cpu_count() or 1):
        print("NOTE: the machine is busy (load above the core count): wall times include waiting for a core; "
              "compare the CPU columns", flush=True)
    before_env = None
    before = args.before.resolve() if args.before is not None else None
    if before is not None:
        # Run from inside that tree (`python -m` puts the working directory first on
        # the path, ahead of this checkout's editable install).
        before_env = dict(os.environ, PYTHONPATH=str(before))
        print(f"also timing the tree in {args.before} (PYTHONPATH), side by side", flush=True)
    args.out.mkdir(parents=True, exist_ok=True)

    results: dict[str, dict[str, float]] = {}
    for n, per_file in shapes:
        name = shape_name(n, per_file)
        folder = folder_of(args.out, n, per_file)
        print(f"generating {name} into {folder} ...", flush=True)
        stats = prepare(n, folder, per_file)
        reps = args.big_reps if n >= 5000 else args.reps
        print(f"  {stats['files']} files, {stats['touch_bytes'] // 1024} KiB .touch, "
              f"{stats['yaml_bytes'] // 1024} KiB YAML", flush=True)
        expect = f"{n} touchpoints, no problems"
        touch = timed([TOUCHDSL, "check", str(folder / "touch")], reps, f"touchdsl check {name}", expect=expect)
        base = timed([PYTHON, str(HERE / "baseline.py"), str(folder / "yaml")], reps, f"yaml+pydantic {name}",
                     expect=f"{n} touchpoints, 0 problems")
        # Informational, not a verdict: the same baseline with the collector paused, as touchdsl runs.
        tuned = timed([PYTHON, str(HERE / "baseline.py"), "--gc-off", str(folder / "yaml")], reps,
                      f"yaml+pydantic gc-off {name}", expect=f"{n} touchpoints, 0 problems")
        row = {"touchpoints": n, "per_file": per_file, "files": stats["files"],
               "touch": touch[0], "touch_cpu": touch[1], "yaml": base[0], "yaml_cpu": base[1],
               "yaml_gc_off": tuned[0], "yaml_gc_off_cpu": tuned[1]}
        if before_env is not None:
            earlier = timed([PYTHON, "-m", "touchdsl", "check", str(folder / "touch")], reps,
                            f"before: touchdsl check {name}", expect=expect, env=before_env, cwd=before)
            row.update(before=earlier[0], before_cpu=earlier[1])
        results[name] = row

    print("startup ...", flush=True)
    startup: dict[str, tuple[float, float]] = {}
    startup["python -c pass"] = timed([PYTHON, "-c", "pass"], 15, "python -c pass")
    startup["touchdsl --version"] = timed([TOUCHDSL, "--version"], 15, "touchdsl --version", expect="touchdsl ")
    startup["python -m touchdsl --version"] = timed([PYTHON, "-m", "touchdsl", "--version"], 15,
                                                    "python -m touchdsl --version", expect="touchdsl ", cwd=REPO)
    startup["python -m touchdsl check examples/telecom"] = timed(
        [PYTHON, "-m", "touchdsl", "check", str(TINY)], 15, "check examples/telecom", expect="no problems",
        cwd=REPO)
    if before_env is not None:
        startup["before: python -m touchdsl --version"] = timed(
            [PYTHON, "-m", "touchdsl", "--version"], 15, "before: --version", expect="touchdsl ", env=before_env,
            cwd=before)
        startup["before: python -m touchdsl check examples/telecom"] = timed(
            [PYTHON, "-m", "touchdsl", "check", str(TINY)], 15, "before: check examples/telecom",
            expect="no problems", env=before_env, cwd=before)

    lsp: dict[str, float] | None = None
    small = min(shapes)
    if args.lsp_edits > 0:
        print(f"language server on {shape_name(*small)} ...", flush=True)
        report = args.out / f"lsp-{small[0]}.json"
        subprocess.run([PYTHON, str(HERE / "lsp.py"), str(folder_of(args.out, *small) / "touch"),
                        "--edits", str(args.lsp_edits), "--out", str(report)], check=True)
        lsp = json.loads(report.read_text())

    print()
    print("| project | files | touchdsl check wall | YAML+pydantic wall | ratio | touchdsl check CPU "
          "| YAML+pydantic CPU | ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, r in results.items():
        print(f"| {name} | {r['files']} | {r['touch']:.2f} s | {r['yaml']:.2f} s | {r['touch'] / r['yaml']:.2f} "
              f"| {r['touch_cpu']:.2f} s | {r['yaml_cpu']:.2f} s | {r['touch_cpu'] / r['yaml_cpu']:.2f} |")
    if before_env is not None:
        print()
        print("| project | before: check wall | now | before: check CPU | now |")
        print("|---|---:|---:|---:|---:|")
        for name, r in results.items():
            print(f"| {name} | {r['before']:.2f} s | {r['touch']:.2f} s | {r['before_cpu']:.2f} s "
                  f"| {r['touch_cpu']:.2f} s |")
    print()
    print("The YAML baseline with its cyclic collector paused (`baseline.py --gc-off`, as touchdsl runs):")
    for name, r in results.items():
        print(f"  {name}: {r['yaml_gc_off']:.2f} s wall, {r['yaml_gc_off_cpu']:.2f} s CPU; touchdsl check / it: "
              f"{r['touch_cpu'] / r['yaml_gc_off_cpu']:.2f} (CPU)")
    print()
    print("| start-up (median of 15) | wall | CPU |")
    print("|---|---:|---:|")
    for what, (wall, cpu) in startup.items():
        print(f"| `{what}` | {wall * 1000:.0f} ms | {cpu * 1000:.0f} ms |")
    if lsp is not None:
        print()
        print(f"language server, {shape_name(*small)}: first analysis {lsp['first_analysis_wall']:.3f} s wall, "
              f"{lsp['first_analysis_cpu']:.3f} s CPU; re-analysis after one edit (median of {lsp['edits']}) "
              f"{lsp['reanalysis_wall']:.3f} s wall (max {lsp['reanalysis_wall_max']:.3f} s), "
              f"{lsp['reanalysis_cpu']:.3f} s CPU")

    verdicts = []
    by_size: dict[int, dict[str, float]] = {
        r["touchpoints"]: r for r in results.values() if r["per_file"] == generate.TOUCHPOINTS_PER_FILE}
    if len(by_size) >= 2:
        small_n, big_n = min(by_size), max(by_size)
        for key, name in (("touch", "touchdsl check"), ("yaml", "YAML+pydantic")):
            grow = by_size[big_n][key] / by_size[small_n][key]
            grow_cpu = by_size[big_n][key + "_cpu"] / by_size[small_n][key + "_cpu"]
            print(f"{name}: {big_n}/{small_n} time ratio {grow:.1f} wall, {grow_cpu:.1f} CPU "
                  f"(size ratio {big_n / small_n:.0f}; equal means linear)")
        grow = by_size[big_n]["touch_cpu"] / by_size[small_n]["touch_cpu"]
        verdicts.append(("cost linear in size (CPU)", grow <= 1.2 * big_n / small_n))
    largest = max(r["touchpoints"] for r in results.values())
    for name, r in results.items():
        if r["touchpoints"] == largest:
            verdicts.append((f"touchdsl check <= {GOAL_RATIO} x YAML+pydantic on {name} (CPU)",
                             r["touch_cpu"] <= GOAL_RATIO * r["yaml_cpu"]))
            verdicts.append((f"touchdsl check no slower than YAML+pydantic on {name} (wall)", r["touch"] <= r["yaml"]))
    bare, bare_cpu = startup["python -c pass"]
    version, version_cpu = startup["touchdsl --version"]
    verdicts.append(("touchdsl --version < 100 ms above python -c pass (wall)", version - bare < 0.100))
    verdicts.append(("touchdsl --version < 100 ms above python -c pass (CPU)", version_cpu - bare_cpu < 0.100))
    if before_env is not None:
        for what in ("python -m touchdsl --version", "python -m touchdsl check examples/telecom"):
            now_cpu, then_cpu = startup[what][1], startup[f"before: {what}"][1]
            # "unchanged": within 10 % or 5 ms of the tree it is compared with
            verdicts.append((f"`{what}` unchanged (CPU {now_cpu * 1000:.0f} ms, before {then_cpu * 1000:.0f} ms)",
                             now_cpu <= max(then_cpu * 1.10, then_cpu + 0.005)))
    if lsp is not None:
        verdicts.append((f"language server re-checks {shape_name(*small)} after one edit in <= {GOAL_LSP} s (wall)",
                         lsp["reanalysis_wall"] <= GOAL_LSP))
        verdicts.append((f"language server re-checks {shape_name(*small)} after one edit in <= {GOAL_LSP} s (CPU)",
                         lsp["reanalysis_cpu"] <= GOAL_LSP))
    print()
    for what, ok in verdicts:
        print(f"{'MET    ' if ok else 'MISSED '} {what}")
    (args.out / "results.json").write_text(json.dumps({
        "python": sys.version.split()[0], "cpus": os.cpu_count(), "cpu": cpu_model(), "load_average": load,
        "projects": results, "startup": {k: {"wall": v[0], "cpu": v[1]} for k, v in startup.items()},
        "lsp": lsp, "verdicts": {what: ok for what, ok in verdicts}}, indent=2) + "\n")
    if args.profile:
        profile(folder_of(args.out, *max(shapes)) / "touch", args.out, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
