"""A project's settings file, `touchdsl.toml` in its root folder: what the project uses
that is not part of the language, read by `touchdsl check` and the language server.

Today it says where the project's history is, the event log its promises are
checked against (`touchdsl check` warns about promises the history does not keep,
the language server shows the figures when pointing at a promise):

```toml
[history]
events = ["exports/*.csv"]                   # files, globs or .sql, relative to this file
map = { case = "ticket_id", at = "created_at" }  # optional: column renames
timezone = "Asia/Jerusalem"                  # optional: zone of naive timestamps
last = "365d"                                # optional: how far back (default 365d)
```

A file that cannot be used is a usage error naming the file, the line where it
knows one, and what was expected.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["FILE", "History", "SettingsError", "read", "DEFAULT_LAST"]

FILE = "touchdsl.toml"
DEFAULT_LAST = "365d"

_KEYS = {"history": {"events", "map", "timezone", "last"}}


class SettingsError(Exception):
    """The settings file cannot be used (a usage error, exit 2)."""


@dataclass(frozen=True)
class History:
    """Where the project's event log is, and how to read it."""

    events: tuple[str, ...]  # as measure's `events`: paths made absolute (globs kept)
    mapping: dict[str, str] = field(default_factory=dict)
    timezone: str | None = None
    last: str = DEFAULT_LAST
    file: Path | None = None  # the settings file it came from (None: the command line)

    def inputs(self) -> list[Path]:
        """The files whose change changes the history's figures (globs as their folders)."""
        out = [self.file] if self.file is not None else []
        for event in self.events:
            path = Path(event)
            while any(ch in path.name for ch in "*?["):
                path = path.parent
            out.append(path)
        return out


def _where(path: Path) -> str:
    from touchdsl.compiler.sources import display_path

    return display_path(path)


def _unknown(path: Path, where: str, key: str, known: set[str]) -> SettingsError:
    close = difflib.get_close_matches(key, sorted(known), n=1)
    hint = f"; did you mean `{close[0]}`?" if close else ""
    return SettingsError(f"{_where(path)}: unknown key `{key}` in {where}{hint} "
                         f"(known: {', '.join(sorted(known))})")


def _text_list(path: Path, value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise SettingsError(f"{_where(path)}: [history] events must be a file name or a list of them, "
                            'e.g. events = ["events.csv"]')
    return list(value)


def read(root: Path) -> History | None:
    """The history configured in `root/touchdsl.toml`; None when there is no such file
    or it configures no history. Raises SettingsError."""
    import tomllib

    path = root / FILE
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise SettingsError(f"cannot read {_where(path)}: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        doc = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise SettingsError(f"{_where(path)} is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{_where(path)} is not valid TOML: {exc}") from None
    for key in doc:
        if key not in _KEYS:
            raise _unknown(path, "the file", key, set(_KEYS))
    section = doc.get("history")
    if section is None:
        return None
    if not isinstance(section, dict):
        raise SettingsError(f"{_where(path)}: `history` must be a table: [history]")
    for key in section:
        if key not in _KEYS["history"]:
            raise _unknown(path, "[history]", key, _KEYS["history"])
    if "events" not in section:
        raise SettingsError(f'{_where(path)}: [history] needs `events`, e.g. events = ["events.csv"]')
    folder = path.parent
    events = tuple(os.path.join(folder, e) for e in _text_list(path, section["events"]))
    mapping = section.get("map", {})
    if not isinstance(mapping, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()):
        raise SettingsError(f'{_where(path)}: [history] map must be a table of column names, '
                            'e.g. map = { case = "ticket_id" }')
    timezone = section.get("timezone")
    last = section.get("last", DEFAULT_LAST)
    for key, value in (("timezone", timezone), ("last", last)):
        if value is not None and not isinstance(value, str):
            raise SettingsError(f"{_where(path)}: [history] {key} must be text, e.g. "
                                + ('timezone = "Asia/Jerusalem"' if key == "timezone" else 'last = "365d"'))
    return History(events, dict(mapping), timezone, last, path)
