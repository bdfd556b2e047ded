"""Rule cases as data: `tests/rules/<CODE>.yml`, one file per diagnostic code
(`general.yml` for cases about several rules at once), like sqlfluff's rule fixtures.

A case is a small project and every diagnostic `check` must report for it:

```yaml
cases:
- name: unknown owner with suggestion
  with: [owners.touch]          # files from tests/rules/_common, copied in first
  files:                        # path -> text (or !!binary bytes), written under the root
    main.touch: |
      touchpoint t "T" { owner feild_ops ... }
  check: [main.touch]           # what is checked, relative to the root (default: the root)
  expect:                       # all diagnostics of the run, in any order
  - code: TD202
    at: main.touch:2:11         # file:line:column of the span's start
    message: unknown owner `feild_ops`   # a fragment of the message
    help: [did you mean `field_ops`?]   # fragments, each found in some help line
```

An empty `expect` says the project is clean: no error and no warning. A case whose
files hold `touchdsl.toml` with a `[history]` (and the event log it names) is checked
against that history too, as `touchdsl check` does; `measured: measure.json` (a file of
the case) is matched with the project as `touchdsl build --measured` does.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.paths import REPO

RULES = REPO / "tests" / "rules"
COMMON = RULES / "_common"


@dataclass(frozen=True)
class Case:
    file: str  # the stem of the YAML file: a code such as TD202, or `general`
    name: str
    files: dict[str, str | bytes]
    check: tuple[str, ...]
    expect: tuple[dict[str, Any], ...]
    common: tuple[str, ...] = field(default=())
    measured: str | None = None

    @property
    def id(self) -> str:
        return f"{self.file}: {self.name}"

    def write(self, root: Path) -> list[str]:
        """Write the project under `root`; returns the paths to check."""
        for name in self.common:
            (root / name).write_bytes((COMMON / name).read_bytes())
        for rel, content in self.files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return [str(root / p) for p in self.check]


_CASE_KEYS = {"name", "with", "files", "check", "expect", "measured"}
_EXPECT_KEYS = {"code", "at", "message", "help"}


def _well_formed(path: Path, raw: dict[str, Any]) -> None:
    """A misspelt key (`expected:`) must not make a case assert nothing."""
    where = f"{path.name}: {raw.get('name')!r}"
    assert set(raw) <= _CASE_KEYS and "name" in raw, (where, set(raw) - _CASE_KEYS)
    for e in raw.get("expect", []):
        assert set(e) <= _EXPECT_KEYS and {"code", "at", "message"} <= set(e), (where, e)
        assert all(isinstance(v, str) for k, v in e.items() if k != "help"), (where, e)
        assert all(isinstance(h, str) for h in e.get("help", [])), (where, e)


def cases() -> list[Case]:
    out = []
    for path in sorted(RULES.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert set(data) == {"cases"}, path
        for raw in data["cases"]:
            _well_formed(path, raw)
            out.append(Case(path.stem, raw["name"], raw.get("files", {}), tuple(raw.get("check", ["."])),
                            tuple(raw.get("expect", [])), tuple(raw.get("with", [])), raw.get("measured")))
    return out


def position(diagnostic: Any, root: Path) -> str:
    """`file:line:column` of a diagnostic, the file relative to the case's root."""
    span = diagnostic.span
    if span is None:
        return "-"
    file = os.path.relpath(os.path.abspath(span.file), root).replace(os.sep, "/")
    return f"{file}:{span.line}:{span.column}"
