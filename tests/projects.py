"""The projects the target tests run on: every example and the hostile fixture."""

from __future__ import annotations

from pathlib import Path
from tests.paths import REPO

PROJECTS: dict[str, Path] = {
    "telecom": REPO / "examples" / "telecom",
    "banking": REPO / "examples" / "banking",
    "health": REPO / "examples" / "health",
    "hostile": REPO / "tests" / "fixtures" / "hostile",
}
