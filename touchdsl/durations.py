"""Duration units: the one table of what `30s`, `48h`, `28d` mean.

The parser reads duration literals with it, the model parses and writes
durations with it, the documents word them with it and the rules write
windows with it. It imports nothing, so the parser stays light.
"""

from __future__ import annotations

# Written unit -> milliseconds, largest first. Integers, so sizes compare exactly.
UNIT_MS: dict[str, int] = {"w": 604_800_000, "d": 86_400_000, "h": 3_600_000, "m": 60_000, "s": 1000, "ms": 1}
UNITS: tuple[str, ...] = tuple(UNIT_MS)
# Written unit -> seconds, as the language defines it (`1.5h` is 1.5 × 3600 s).
UNIT_SECONDS: dict[str, float] = {unit: ms / 1000 for unit, ms in UNIT_MS.items()}


def unit_of(text: str) -> str:
    """The unit a duration literal is written in (`250ms` -> `ms`, `1.5h` -> `h`)."""
    return "ms" if text.endswith("ms") else text[-1:]


def seconds(text: str) -> float:
    """Seconds of a literal such as `30s`, `1.5h`, `250ms`; ValueError on anything else."""
    unit = unit_of(text)
    if unit not in UNIT_SECONDS:
        raise ValueError(f"not a duration: {text!r}")
    return float(text[: -len(unit)]) * UNIT_SECONDS[unit]


def whole(seconds: float, unit: str) -> int | None:
    """`seconds` as a whole number of `unit`, or None (counted in whole milliseconds)."""
    ms = round(seconds * 1000)
    size = UNIT_MS[unit]
    return ms // size if ms % size == 0 else None


def compact(seconds: float, largest: str = "w") -> str:
    """The shortest exact spelling, in the largest unit up to `largest` that divides
    it (`28d`, `90m`, `1500ms`)."""
    units = UNITS[UNITS.index(largest):]
    for unit in units:
        count = whole(seconds, unit)
        if count is not None:
            return f"{count}{unit}"
    return f"{round(seconds * 1000)}ms"  # pragma: no cover - `ms` always divides
