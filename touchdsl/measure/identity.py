"""What a measured figure answers: a fingerprint of the definition of each item.

A figure measured for `technical_fault.arrival` answers the question the metric asked
when it was measured: the events it is timed between, its calendar, its promise and
target. When the metric changes (a promise tightened from 48h to 24h, a calendar's
hours changed), the old figure no longer says whether the new promise is kept. Each
item of `measure.json` carries `definition`, a fingerprint of exactly what decides its
figures; `touchdsl build --measured` compares it with the metric as it is now and
refuses to publish a figure measured against another version. Titles, notes, tags,
windows (the length of the period, not its meaning), compensation and source locations are left
out: changing them does not change what a figure means.
"""

from __future__ import annotations

import hashlib
import json

from touchdsl.model import Metric, Project, Touchpoint, business_calendar

__all__ = ["definition"]

_NOT_MEANING = {"id", "title", "note", "tags", "location", "window", "source", "target_written", "compensation"}
_CALENDAR_NOT_MEANING = {"id", "title", "note", "tags", "location"}


def definition(project: Project, touchpoint: Touchpoint, metric: Metric | None) -> str:
    """The fingerprint of a metric (or, for None, of the touchpoint's updates promise)."""
    if metric is None:
        updates = touchpoint.updates
        assert updates is not None
        steps = [s.id for s in touchpoint.steps]
        meaning: dict[str, object] = {
            "kind": "updates", "updates": updates.model_dump(mode="json"),
            "opens": f"{steps[0]}.start" if steps else None, "closes": f"{steps[-1]}.end" if steps else None,
        }
    else:
        meaning = {"metric": metric.model_dump(mode="json", exclude=_NOT_MEANING)}
        calendar = business_calendar(metric)
        if calendar is not None:
            meaning["calendar"] = project.calendars[calendar].model_dump(mode="json", exclude=_CALENDAR_NOT_MEANING)
    text = json.dumps(meaning, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
