"""Counts in the terminal's English: `1 file`, `2 files`.

The one home of the plural for messages printed by the CLI (documents have their own,
translated, through the message catalogues)."""

from __future__ import annotations


def counted(n: int, word: str) -> str:
    """`n word`, with an `s` unless n is exactly one."""
    return f"{n} {word}{'' if n == 1 else 's'}"
