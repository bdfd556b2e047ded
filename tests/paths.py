"""Where the tests find things, wherever the checkout is: one definition each."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
FIXTURES = REPO / "tests" / "fixtures"
GOLDEN = REPO / "tests" / "golden"
DATA = REPO / "tests" / "data"


def _shared() -> Path:
    """The team's shared folder (spec, vendored schemas): `$TOUCHDSL_SHARED`, else a
    `shared/` beside the checkout or beside the folder holding it (git worktrees)."""
    if os.environ.get("TOUCHDSL_SHARED"):
        return Path(os.environ["TOUCHDSL_SHARED"])
    for parent in (REPO.parent, REPO.parent.parent):
        if (parent / "shared").is_dir():
            return parent / "shared"
    return REPO.parent / "shared"


SHARED = _shared()
