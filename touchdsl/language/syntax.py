"""How the language writes a measure and an objective: the one spelling `fmt`
prints from a parse tree and `diff` prints from a compiled model.

Every function takes the parts already written as text (a number as its source
spelled it, or as the caller formats a model's number), so the two callers
differ only in where the parts come from.
"""

from __future__ import annotations


def time_measure(start: str, end: str, calendar: str | None) -> str:
    clock = f" on {calendar}" if calendar is not None else ""
    return f"time from {start} to {end}{clock}"


def business_days(count: str, unit: str) -> str:
    """`1 business day`, `5 business days`, `2 business weeks` (`unit` "d" or "w")."""
    word = "day" if unit == "d" else "week"
    return f"{count} business {word}" + ("" if count == "1" else "s")


def pause_while(step: str) -> str:
    return f"pause while {step}"


def pause_between(start: str, end: str) -> str:
    return f"pause from {start} to {end}"


def for_classes(classes: list[str]) -> str:
    """` for dangerous, urgent` after an objective, or nothing for every case."""
    return f" for {', '.join(classes)}" if classes else ""


def ratio_measure(numerator: str, denominator: str) -> str:
    return f"ratio {numerator} of {denominator}"


def score_measure(low: str, high: str) -> str:
    return f"score {low}..{high}"


NPS_MEASURE = "nps"


def count_measure(event: str, per: str) -> str:
    return f"count {event} per {per}"


def objective(form: str, *, percent: str | None = None, number: str | None = None,
              within: str | None = None) -> str:
    """`80% within 30s`, `at most 5%`, `at least 30`, `average at least 4.3`, `80% at least 4`.

    `percent` is written with its `%` sign; a bound takes the percentage when it
    has one, else the number.
    """
    match form:
        case "within":
            return f"{percent} within {within}"
        case "at_most":
            return f"at most {percent or number}"
        case "at_least":
            return f"at least {percent or number}"
        case "average_at_least":
            return f"average at least {number}"
        case "share_at_least":
            return f"{percent} at least {number}"
    raise ValueError(f"unknown objective form {form!r}")


# Suggestions for a number written where the language wants more --------------------


def percent_for(number: str) -> str:
    """The percentage someone who wrote `number` most likely meant: `0.95` is a share
    written as a fraction (`95%`), anything else lacks only its sign (`5` -> `5%`)."""
    from decimal import Decimal, InvalidOperation

    try:
        value = Decimal(number)
    except InvalidOperation:
        return f"{number}%"
    if 0 < value < 1:
        return f"{format((value * 100).normalize(), 'f')}%"
    return f"{number}%"


def durations_for(number: str, written_after: str) -> list[str]:
    """Durations someone who wrote `number` meant, most likely first: the unit they
    typed in the wrong case (`40H` -> `40h`), else seconds and hours."""
    from touchdsl.durations import UNITS

    typed = written_after[:2].lower()
    unit = "ms" if typed == "ms" else typed[:1]
    if unit in UNITS:
        return [f"{number}{unit}"]
    return [f"{number}s", f"{number}h"]
