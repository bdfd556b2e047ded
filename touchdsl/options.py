"""What the user asked of one build, beside the project: read by targets and the rule plan."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Mapping

if TYPE_CHECKING:
    from touchdsl.measure.published import Published
    from touchdsl.model import Language, Project


@dataclass(frozen=True)
class BuildOptions:
    """Options every target may read. `lang` overrides `defaults { charter language }`.

    `policy_url` and `extra` are the `--set` options, declared with their defaults
    and checks in `touchdsl.targets.SETTINGS`; a value a target could not write
    safely (a `javascript:` link, a line break in a YAML value) is refused here,
    so no target ever sees one.
    """

    lang: str | None = None
    stamp: str | None = None  # a timestamp to print; None keeps output byte-for-byte stable
    policy_url: str = "../policy"  # base the alert annotations link policy documents under
    extra: Mapping[str, str] = field(default_factory=dict)
    # `--measured measure.json`: the figures the charter and the policy publish (None: none)
    measured: "Published | None" = None

    def __post_init__(self) -> None:
        from touchdsl.targets import SETTINGS, read_settings

        pairs = [f"{key}={value}" for key, value in self.extra.items()]
        if "policy_url" in self.extra:
            raise ValueError("policy_url is a field of BuildOptions, not an `extra` option")
        read_settings([*pairs, f"policy_url={self.policy_url}"])
        assert set(self.extra) <= set(SETTINGS)

    def language(self, project: Project) -> Language:
        """The documents' language: `--lang`, else `defaults { charter language }`."""
        match self.lang:
            case "he":
                return "he"
            case "en":
                return "en"
        return project.defaults.charter.language

    def setting(self, key: str) -> str:
        """The value of a declared option: as set, or its default."""
        from touchdsl.targets import SETTINGS

        if key == "policy_url":
            return self.policy_url
        return self.extra.get(key, SETTINGS[key].default)
