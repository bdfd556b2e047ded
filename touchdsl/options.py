"""What the user asked of one build, beside the project: read by targets and the rule plan."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping


@dataclass(frozen=True)
class BuildOptions:
    """Options every target may read. `lang` overrides `defaults { charter language }`."""

    lang: str | None = None
    stamp: str | None = None  # a timestamp to print; None keeps output byte-for-byte stable
    policy_url: str = "../policy"  # base the alert annotations link policy documents under
    extra: Mapping[str, str] = field(default_factory=dict)
