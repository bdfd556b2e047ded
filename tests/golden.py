"""Golden files: every producer (each build target, `fmt`, `diff`, `measure`) over every
project of tests/projects.py (`diff` over pairs, `measure` over the examples with an
event log), under `tests/golden/<producer>/<case>/`.

`tests/test_golden.py` compares what each producer makes now with the files;
`make golden` (or `make golden FOLDERS="grafana openslo"`) rewrites them after a
reviewed change, so every change of output is a diff in review.
"""

from __future__ import annotations

import functools
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.paths import EXAMPLES, GOLDEN, REPO
from tests.projects import PROJECTS

LANGUAGES = ("en", "he")


@dataclass(frozen=True)
class Producer:
    cases: tuple[str, ...]
    render: Callable[[str], dict[str, bytes]]  # case -> {path under the case's folder: bytes}


@functools.cache
def _load(name: str):  # noqa: ANN202 - a touchdsl.model.Project
    import touchdsl

    return touchdsl.load([str(PROJECTS[name])])


def _target(name: str, **options: str) -> Callable[[str], dict[str, bytes]]:
    def render(case: str) -> dict[str, bytes]:
        from touchdsl.targets import BuildOptions, renderer

        return renderer(name)(_load(case), BuildOptions(**options))
    return render


def _documents(name: str) -> Callable[[str], dict[str, bytes]]:
    """A document target in each language."""
    def render(case: str) -> dict[str, bytes]:
        from touchdsl.targets import BuildOptions, renderer

        return {f"{lang}/{rel}": data for lang in LANGUAGES
                for rel, data in renderer(name)(_load(case), BuildOptions(lang=lang)).items()}
    return render


def _formatted(case: str) -> dict[str, bytes]:
    """`touchdsl fmt` of every file of the project (`.touch.fmt`, so `check .` never takes them for sources)."""
    from touchdsl.tools.fmt import format_source

    out: dict[str, bytes] = {}
    root = PROJECTS[case]
    for path in sorted(root.rglob("*.touch")):
        rel = path.relative_to(root).as_posix()
        text, errors = format_source(path.read_text(encoding="utf-8"), rel)
        assert text is not None and not errors, errors
        out[f"{rel}.fmt"] = text.encode("utf-8")
    return out


# `touchdsl diff` between two versions: the telecom example against a revision that
# loosens, tightens and reassigns (the one docs/diff.md shows), and telecom against banking.
EDITS = [
    ("promise 80% within 30s", "promise 80% within 45s"),
    ("owner billing\n", "owner field_ops\n"),
    ("promise at most 20", "promise at most 30"),
    ("per 7d", "per 14d"),
    ("channels phone, chat", "channels phone"),
    ("updates every 4h", "updates every 2h"),
    ('"Technical fault repaired"', '"Technical fault *repaired* <fast> | @support"'),
]


def edited_telecom():  # noqa: ANN201 - a touchdsl.model.Project
    import touchdsl

    with tempfile.TemporaryDirectory() as tmp:
        for path in (EXAMPLES / "telecom").glob("*.touch"):
            text = path.read_text(encoding="utf-8")
            for old, new in EDITS:
                text = text.replace(old, new, 1)
            (Path(tmp) / path.name).write_text(text, encoding="utf-8")
        return touchdsl.load([tmp])


# The health example against a revision that lengthens a business-day promise, adds a
# pause, loosens one class's promise, publishes the internal ceiling and shortens the eves.
HEALTH_EDITS = [
    ("promise 90% within 14 business days", "promise 90% within 15 business days"),
    ("target 98% within 1 business day\n",
     "target 98% within 1 business day\n        pause from analyse.held to analyse.released\n"),
    ("promise 90% within 1 business day for urgent", "promise 90% within 2 business days for urgent"),
    ("target 95% within 1 business day for urgent", "target 95% within 2 business days for urgent"),
    ("        target at most 25", "        promise at most 40\n        target at most 25"),
    ("hours eve 08:00-12:00", "hours eve 08:00-11:00"),
]


def edited(name: str, edits: list[tuple[str, str]]):  # noqa: ANN201 - a touchdsl.model.Project
    import touchdsl

    with tempfile.TemporaryDirectory() as tmp:
        for path in (EXAMPLES / name).rglob("*.touch"):
            text = path.read_text(encoding="utf-8")
            for old, new in edits:
                text = text.replace(old, new, 1)
            target = Path(tmp) / path.relative_to(EXAMPLES / name)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        return touchdsl.load([tmp])


DIFFS = {
    "telecom-edited": ("telecom", edited_telecom, "git:main:examples/telecom", "examples/telecom"),
    "health-edited": ("health", lambda: edited("health", HEALTH_EDITS), "git:main:examples/health",
                      "examples/health"),
    "telecom-banking": ("telecom", lambda: _load("banking"), "examples/telecom", "examples/banking"),
}


def _diff(case: str) -> dict[str, bytes]:
    from touchdsl.tools import semdiff

    old, new, old_label, new_label = DIFFS[case]
    changes = semdiff.diff_projects(_load(old), new())
    return {
        "report.txt": semdiff.format_text(changes, old_label, new_label).encode("utf-8"),
        "report.md": semdiff.format_markdown(changes, old_label, new_label).encode("utf-8"),
        "report.json": semdiff.format_json(changes, old_label, new_label).encode("utf-8"),
    }


def _measured(case: str) -> dict[str, bytes]:
    """`touchdsl measure` of an example's event log, as `make demo` runs it."""
    import os

    import touchdsl
    from tests.test_measure_golden import AS_OF, RUNS
    from touchdsl.measure.output import to_csv, to_json

    here = os.getcwd()
    os.chdir(REPO)  # sources are shown as given: relative to the repository
    try:
        result = touchdsl.measure(f"examples/{case}", as_of=AS_OF, **RUNS[case])  # type: ignore[arg-type]
    finally:
        os.chdir(here)
    return {"measure.json": to_json(result).encode("utf-8"), "measure.csv": to_csv(result).encode("utf-8")}


def _producers() -> dict[str, Producer]:
    from touchdsl.targets import TARGETS

    projects = tuple(PROJECTS)
    out = {}
    for name in TARGETS:
        documents = name in ("charter", "policy")
        out[name] = Producer(projects, _documents(name) if documents else _target(name))
    # The sql target's calendar table over one year (the default six would make the
    # golden files megabytes, and say nothing more).
    out["sql"] = Producer(projects, _target("sql", extra={"sql.calendar_from": "2026-06-01",  # type: ignore[arg-type]
                                                          "sql.calendar_years": "1"}))
    out["fmt"] = Producer(projects, _formatted)
    out["diff"] = Producer(tuple(DIFFS), _diff)
    out["measure"] = Producer(("telecom", "banking", "health"), _measured)  # the examples with an event log
    return out


PRODUCERS = _producers()


def on_disk(producer: str, case: str) -> dict[str, bytes]:
    root = GOLDEN / producer / case
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def write(producer: str) -> int:
    """Rewrite the golden files of one producer; returns how many there are."""
    folder = GOLDEN / producer
    if folder.exists():
        shutil.rmtree(folder)
    count = 0
    for case in PRODUCERS[producer].cases:
        for rel, data in sorted(PRODUCERS[producer].render(case).items()):
            path = folder / case / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            count += 1
    return count


def main(names: list[str]) -> None:
    for name in names or sorted(PRODUCERS):
        print(f"tests/golden/{name}: {write(name)} files")


if __name__ == "__main__":
    main(sys.argv[1:])
