"""The speed benchmark of issue 2 (`make bench`). Not a test: it measures and reports.

Generates 1k and 10k touchpoint projects into bench/out/ (as .touch and as YAML),
then times, as subprocesses the way a user runs them, with the median of several
repetitions:

- `touchdsl check DIR` on each size;
- the YAML baseline (`bench/baseline.py`: PyYAML's C loader + pydantic) on the same content;
- `touchdsl --version` against a bare `python -c pass`.

Prints a table, the touchdsl/baseline ratio, the 10k/1k ratio (10 means linear),
and whether each goal of issue 2 is met. Each figure is given twice: wall time, and
the CPU time (user + system) of the child process. On a shared machine (a load above
the number of cores) wall time includes waiting for a core and the ratios drift with
the neighbours' load; CPU time does not, so the verdicts use it. The results are also
written to OUT/results.json. `--profile` then runs `touchdsl check` on the largest
size under cProfile and prints the top functions (OUT/check-<N>.prof for pstats).
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
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

PYTHON = sys.executable
TOUCHDSL = str(Path(PYTHON).parent / "touchdsl")


def timed(cmd: list[str], reps: int, label: str, expect: str | None = None) -> tuple[float, float]:
    """Median (wall, CPU) seconds of `cmd` over `reps` runs (after one untimed warm-up run)."""
    walls, cpus = [], []
    for i in range(reps + 1):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        if proc.returncode != 0 or (expect and expect not in proc.stdout + proc.stderr):
            sys.exit(f"bench: `{' '.join(cmd)}` failed (exit {proc.returncode}):\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
        if i:  # the first run warms the OS file cache and Lark's grammar cache
            walls.append(elapsed)
            cpus.append(cpu)
        print(f"  {label}: run {i or 'warm-up'} {elapsed:.3f}s wall, {cpu:.3f}s CPU", flush=True)
    return statistics.median(walls), statistics.median(cpus)


def prepare(n: int, folder: Path) -> dict:
    """The generated project of n touchpoints in folder, reused when the generator is unchanged.

    Generated beside the folder and renamed into place, and never deleted while it is
    current: benchmark runs started by several people in one tree otherwise delete
    each other's projects in the middle of a measurement.
    """
    stamp = hashlib.sha256(Path(generate.__file__).read_bytes()).hexdigest()[:16] + f" {n}"
    stamp_file = folder / "generator.stamp"
    if stamp_file.is_file() and stamp_file.read_text() == stamp:
        print("  (unchanged generator: reusing it)", flush=True)
        return json.loads((folder / "stats.json").read_text())
    fresh = folder.with_name(f".{folder.name}.{os.getpid()}")
    stats = generate.generate(n, fresh)
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="touchdsl speed benchmark (issue 2)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--reps", type=int, default=5, help="timed runs per measurement (median)")
    parser.add_argument("--big-reps", type=int, default=3, help="timed runs for sizes of 5000 and more")
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--profile", action="store_true", help="then cProfile touchdsl check on the largest size")
    parser.add_argument("--top", type=int, default=30, help="functions listed by --profile")
    args = parser.parse_args(argv)

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

    results: dict[int, dict[str, float]] = {}
    for n in args.sizes:
        folder = args.out / f"p{n}"
        print(f"generating {n} touchpoints into {folder} ...", flush=True)
        stats = prepare(n, folder)
        reps = args.big_reps if n >= 5000 else args.reps
        print(f"  {stats['files']} files, {stats['touch_bytes'] // 1024} KiB .touch, "
              f"{stats['yaml_bytes'] // 1024} KiB YAML", flush=True)
        touch = timed([TOUCHDSL, "check", str(folder / "touch")], reps, f"touchdsl check {n}",
                      expect=f"{n} touchpoints, no problems")
        base = timed([PYTHON, str(HERE / "baseline.py"), str(folder / "yaml")], reps, f"yaml+pydantic {n}",
                     expect=f"{n} touchpoints, 0 problems")
        # Informational, not a verdict: the same baseline with the collector paused, as touchdsl runs.
        tuned = timed([PYTHON, str(HERE / "baseline.py"), "--gc-off", str(folder / "yaml")], reps,
                      f"yaml+pydantic gc-off {n}", expect=f"{n} touchpoints, 0 problems")
        results[n] = {"touch": touch[0], "yaml": base[0], "touch_cpu": touch[1], "yaml_cpu": base[1],
                      "yaml_gc_off": tuned[0], "yaml_gc_off_cpu": tuned[1], "files": stats["files"]}

    print("startup ...", flush=True)
    bare, bare_cpu = timed([PYTHON, "-c", "pass"], 15, "python -c pass")
    version, version_cpu = timed([TOUCHDSL, "--version"], 15, "touchdsl --version", expect="touchdsl ")

    print()
    print("| touchpoints | files | touchdsl check wall | YAML+pydantic wall | ratio | touchdsl check CPU "
          "| YAML+pydantic CPU | ratio |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n, r in results.items():
        print(f"| {n} | {r['files']} | {r['touch']:.2f} s | {r['yaml']:.2f} s | {r['touch'] / r['yaml']:.2f} "
              f"| {r['touch_cpu']:.2f} s | {r['yaml_cpu']:.2f} s | {r['touch_cpu'] / r['yaml_cpu']:.2f} |")
    print()
    print("The YAML baseline with its cyclic collector paused (`baseline.py --gc-off`, as touchdsl runs):")
    for n, r in results.items():
        print(f"  {n}: {r['yaml_gc_off']:.2f} s wall, {r['yaml_gc_off_cpu']:.2f} s CPU; touchdsl check / it: "
              f"{r['touch_cpu'] / r['yaml_gc_off_cpu']:.2f} (CPU)")
    print()
    print(f"touchdsl --version {version * 1000:.0f} ms, python -c pass {bare * 1000:.0f} ms: "
          f"{(version - bare) * 1000:.0f} ms above bare python (goal < 100 ms); "
          f"CPU {version_cpu * 1000:.0f} ms vs {bare_cpu * 1000:.0f} ms")
    sizes = sorted(results)
    verdicts = []
    if len(sizes) >= 2:
        small, big = sizes[0], sizes[-1]
        for key, name in (("touch", "touchdsl check"), ("yaml", "YAML+pydantic")):
            grow = results[big][key] / results[small][key]
            grow_cpu = results[big][key + "_cpu"] / results[small][key + "_cpu"]
            print(f"{name}: {big}/{small} time ratio {grow:.1f} wall, {grow_cpu:.1f} CPU "
                  f"(size ratio {big / small:.0f}; equal means linear)")
        grow = results[big]["touch_cpu"] / results[small]["touch_cpu"]
        verdicts.append(("cost linear in size (CPU)", grow <= 1.2 * big / small))
    largest = sizes[-1]
    verdicts.append((f"touchdsl check no slower than YAML+pydantic on {largest} (CPU)",
                     results[largest]["touch_cpu"] <= results[largest]["yaml_cpu"]))
    verdicts.append((f"touchdsl check no slower than YAML+pydantic on {largest} (wall)",
                     results[largest]["touch"] <= results[largest]["yaml"]))
    verdicts.append(("touchdsl --version < 100 ms above python -c pass (wall)", version - bare < 0.100))
    verdicts.append(("touchdsl --version < 100 ms above python -c pass (CPU)", version_cpu - bare_cpu < 0.100))
    print()
    for what, ok in verdicts:
        print(f"{'MET    ' if ok else 'MISSED '} {what}")
    (args.out / "results.json").write_text(json.dumps({
        "python": sys.version.split()[0], "cpus": os.cpu_count(), "cpu": cpu_model(), "load_average": load,
        "sizes": {str(n): r for n, r in results.items()},
        "startup": {"python_c_pass": bare, "touchdsl_version": version,
                    "python_c_pass_cpu": bare_cpu, "touchdsl_version_cpu": version_cpu},
        "verdicts": {what: ok for what, ok in verdicts}}, indent=2) + "\n")
    if args.profile:
        profile(args.out / f"p{largest}" / "touch", args.out, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
