"""How a timestamp written as text is read: the one definition both engines apply.

A timestamp is read as written when it carries its zone: a time of day followed by
`Z` or an offset (a space before it is allowed, a lower-case `z` too), or by `UTC`,
`GMT` or an IANA name (`2026-11-02 10:00:00 UTC`, as BigQuery exports them; `...
Asia/Jerusalem`). Text ending in other letters (`EST`, `IST`: abbreviations that mean
different zones in different places) has a zone we will not guess: it is never read
as a local time. Anything else with a date and a time is naive: read in the zone of
`--timezone`, and without it a usage error. An instant outside the years 1..9999
(`99999-11-02T10:00:00Z`, a typo) is unreadable, not a crash.

`touchdsl.measure.sources` writes these rules in DuckDB's SQL, `touchdsl.measure.spark`
in Spark's; a test reads the same texts through both and requires the same instants.
"""

from __future__ import annotations

__all__ = ["OFFSET", "ZONED", "LETTERS", "FIRST_US", "LAST_US"]

# Z or a numeric offset: +03:00, +0300, +03.
OFFSET = r"([zZ]|[+-]\d{2}(:?\d{2})?)"
# A time of day (seconds optional) followed by an offset, or by a zone's name.
ZONED = (r"\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(\s*" + OFFSET
         + r"|\s+(UTC|GMT|[A-Za-z][A-Za-z_]*(/[A-Za-z0-9_+-]+)+))$")
# Ends in letters: with ZONED not matching, a zone not to guess.
LETTERS = r"[A-Za-z]$"
# The instants Python can show in any zone (years 1..9999, a day of margin).
FIRST_US = -62135510400000000  # 0001-01-02T00:00:00Z
LAST_US = 253402128000000000  # 9999-12-30T00:00:00Z
