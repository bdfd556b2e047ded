"""Resource use on hostile inputs (issue 10), side by side with the same project made valid.

    python bench/hostile.py [--reps 3]

- "did you mean" over 10,000 unknown owners against 10,000 declared ones, next to the
  same file with every owner known: the suggestions must cost about as much as the
  checking itself, not its square (they once took 302 s against 1.4 s);
- a 9 MB file on one line with a syntax error at its end, next to the same file with
  the line broken every 100 characters: the diagnostic printed must stay short (it
  once was 18 MB) and take no longer than the broken-up file.

Each figure is the median wall and CPU time of `touchdsl check` as a subprocess, and
the bytes it printed. Not a test: it measures and reports.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TOUCHDSL = str(Path(sys.executable).parent / "touchdsl")


def run(path: Path, reps: int) -> tuple[float, float, int]:
    walls, cpus, size = [], [], 0
    for _ in range(reps):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run([TOUCHDSL, "check", str(path)], capture_output=True)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        size = len(proc.stdout) + len(proc.stderr)
        if proc.returncode not in (0, 1):
            sys.exit(f"bench: touchdsl check {path} exited {proc.returncode}")
    return statistics.median(walls), statistics.median(cpus), size


def owners(folder: Path, known: bool) -> Path:
    rng = random.Random(10)
    lines = [f'owner owner_{i:05d} "Owner {i}" {{ notify email "o{i}@example.com" }}' for i in range(10_000)]
    for i in range(10_000):
        if known:
            owner = f"owner_{i:05d}"
        elif i % 2:
            owner = f"ownr_{i:05d}"  # a near miss
        else:
            owner = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz_") for _ in range(10))
        lines.append(f'touchpoint t{i} "T" {{\n    owner {owner}\n    expectation "E"\n}}')
    path = folder / ("known.touch" if known else "unknown.touch")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def one_line(folder: Path, broken: bool) -> Path:
    body = "x" * 9_000_000
    if broken:
        body = "\n".join(body[i:i + 100] for i in range(0, len(body), 100))
        text = 'owner o "O" {\n    note """\n' + body + '\n"""\n} oops\n'
    else:
        text = 'owner o "O" { note "' + body + '" } oops'
    path = folder / ("lines.touch" if broken else "one-line.touch")
    path.write_text(text, encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows = [
            ("10k owners, all known", owners(folder, True)),
            ("10k owners, all unknown", owners(folder, False)),
            ("9 MB in lines of 100", one_line(folder, True)),
            ("9 MB on one line", one_line(folder, False)),
        ]
        print(f"{'input':<26} {'wall s':>8} {'CPU s':>8} {'printed':>10}")
        for label, path in rows:
            wall, cpu, size = run(path, args.reps)
            print(f"{label:<26} {wall:>8.2f} {cpu:>8.2f} {size:>10,}", flush=True)


if __name__ == "__main__":
    main()
