"""The speed benchmark of issue 2 (`make bench`). Not a test: it measures and reports.

Generates 1k and 10k touchpoint projects into bench/out/ (as .touch and as YAML),
then times, as subprocesses the way a user runs them, with the median of several
repetitions:

- `touchdsl check DIR` on each size;
- the YAML baseline (`bench/baseline.py`: PyYAML's C loader + pydantic) on the same content;
- `touchdsl --version` against a bare `python -c pass`.

Prints a table, the touchdsl/baseline ratio, the 10k/1k ratio (10 means linear),
and whether each goal of issue 2 is met.
"""

from __future__ import annotations

import argparse
import os
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


def timed(cmd: list[str], reps: int, label: str, expect: str | None = None) -> float:
    """Median wall time of `cmd` over `reps` runs (after one untimed warm-up run)."""
    runs = []
    for i in range(reps + 1):
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        if proc.returncode != 0 or (expect and expect not in proc.stdout + proc.stderr):
            sys.exit(f"bench: `{' '.join(cmd)}` failed (exit {proc.returncode}):\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
        if i:  # the first run warms the OS file cache and Lark's grammar cache
            runs.append(elapsed)
        print(f"  {label}: run {i or 'warm-up'} {elapsed:.3f}s", flush=True)
    return statistics.median(runs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="touchdsl speed benchmark (issue 2)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--reps", type=int, default=5, help="timed runs per measurement (median)")
    parser.add_argument("--big-reps", type=int, default=3, help="timed runs for sizes of 5000 and more")
    parser.add_argument("--out", type=Path, default=HERE / "out")
    args = parser.parse_args(argv)

    import yaml

    if getattr(yaml, "CSafeLoader", None) is None:
        print("NOTE: PyYAML has no C loader (libyaml) here; the baseline uses the slower pure-Python loader")
    else:
        print(f"PyYAML {yaml.__version__} with libyaml: the baseline uses yaml.CSafeLoader")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs", flush=True)

    results: dict[int, dict[str, float]] = {}
    for n in args.sizes:
        folder = args.out / f"p{n}"
        print(f"generating {n} touchpoints into {folder} ...", flush=True)
        stats = generate.generate(n, folder)
        reps = args.big_reps if n >= 5000 else args.reps
        print(f"  {stats['files']} files, {stats['touch_bytes'] // 1024} KiB .touch, "
              f"{stats['yaml_bytes'] // 1024} KiB YAML", flush=True)
        touch = timed([TOUCHDSL, "check", str(folder / "touch")], reps, f"touchdsl check {n}",
                      expect=f"{n} touchpoints, no problems")
        base = timed([PYTHON, str(HERE / "baseline.py"), str(folder / "yaml")], reps, f"yaml+pydantic {n}",
                     expect=f"{n} touchpoints, 0 problems")
        results[n] = {"touch": touch, "yaml": base, "files": stats["files"]}

    print("startup ...", flush=True)
    bare = timed([PYTHON, "-c", "pass"], 15, "python -c pass")
    version = timed([TOUCHDSL, "--version"], 15, "touchdsl --version", expect="touchdsl ")

    print()
    print(f"| {'touchpoints':>11} | {'files':>5} | {'touchdsl check':>14} | {'YAML+pydantic':>13} | {'ratio':>5} |")
    print(f"|{'-' * 13}|{'-' * 7}|{'-' * 16}|{'-' * 15}|{'-' * 7}|")
    for n, r in results.items():
        print(f"| {n:>11} | {r['files']:>5} | {r['touch']:>13.2f}s | {r['yaml']:>12.2f}s | "
              f"{r['touch'] / r['yaml']:>5.2f} |")
    print()
    print(f"touchdsl --version {version * 1000:.0f} ms, python -c pass {bare * 1000:.0f} ms: "
          f"{(version - bare) * 1000:.0f} ms above bare python (goal < 100 ms)")
    sizes = sorted(results)
    verdicts = []
    if len(sizes) >= 2:
        small, big = sizes[0], sizes[-1]
        for key, name in (("touch", "touchdsl check"), ("yaml", "YAML+pydantic")):
            grow = results[big][key] / results[small][key]
            print(f"{name}: {big}/{small} time ratio {grow:.1f} (size ratio {big / small:.0f}; equal means linear)")
        grow = results[big]["touch"] / results[small]["touch"]
        verdicts.append(("cost linear in size", grow <= 1.2 * big / small))
    largest = sizes[-1]
    verdicts.append((f"touchdsl check no slower than YAML+pydantic on {largest}",
                     results[largest]["touch"] <= results[largest]["yaml"]))
    verdicts.append(("touchdsl --version < 100 ms above python -c pass", version - bare < 0.100))
    print()
    for what, ok in verdicts:
        print(f"{'MET    ' if ok else 'MISSED '} {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
