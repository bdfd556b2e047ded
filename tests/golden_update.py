"""Regenerate the reviewed golden files under tests/golden/: `make golden`.

Each area registers a producer: golden folder name -> function returning
{relative path: bytes}. The golden tests compare the same producers' output
with the files, so a reviewer sees every change of output as a diff.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Callable

GOLDEN = Path(__file__).resolve().parent / "golden"

# folder under tests/golden -> "module:function" (imported lazily)
PRODUCERS: dict[str, str] = {
    "json": "tests.golden_producers:json_target",
    "fmt": "tests.test_fmt_golden:formatted_examples",
    "diff": "tests.test_diff_golden:diff_reports",
    "prometheus": "tests.test_prometheus_golden:prometheus_target",
    "tests": "tests.test_prometheus_golden:promtool_tests_target",
    "charter": "tests.test_charter_golden:charter_target",
    "policy": "tests.test_charter_golden:policy_target",
    "alertmanager": "tests.test_alertmanager_golden:alertmanager_target",
    "openslo": "tests.test_openslo_golden:openslo_target",
    "grafana": "tests.test_grafana_golden:grafana_target",
    "measure": "tests.test_measure_golden:measure_examples",
}


def producer(folder: str) -> Callable[[], dict[str, bytes]]:
    import importlib

    module, func = PRODUCERS[folder].split(":")
    return getattr(importlib.import_module(module), func)


def main(folders: list[str]) -> None:
    for folder in folders or sorted(PRODUCERS):
        files = producer(folder)()
        target = GOLDEN / folder
        if target.exists():
            shutil.rmtree(target)
        for rel, data in sorted(files.items()):
            path = target / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        print(f"tests/golden/{folder}: {len(files)} files")


if __name__ == "__main__":
    main(sys.argv[1:])
