"""The one error a measurement raises for a problem of its inputs."""

from __future__ import annotations


class MeasureError(Exception):
    """An event log or option that cannot be used (a file that cannot be read, a missing
    column, naive timestamps without a zone, an unknown option value): a usage error,
    exit 2 on the command line. The message names the file and column."""
