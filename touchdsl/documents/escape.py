"""User text made safe for each output format: Markdown, Go templates, YAML.

Every target escapes through these functions (HTML is escaped by jinja2's
autoescape), so one format has one escaper.
"""

from __future__ import annotations

import yaml


def go_template_literal(text: str) -> str:
    """Text that Prometheus' Go templates print as written: `{{` would open an
    action, so it is written as the action printing it."""
    return text.replace("{{", '{{ "{{" }}')


# YAML ----------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Safe dumping with multi-line strings as literal blocks (readable exprs)."""


def _str(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump_yaml(data) -> bytes:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=1000).encode("utf-8")


# CONTRACT.md ----------------------------------------------------------------------

_MD_SPECIALS = set("\\`*_{}[]()#+-.!|<>&~")


def md_text(text: str) -> str:
    """User text as literal Markdown on one line: specials backslash-escaped."""
    flat = " ".join(text.split())
    return "".join("\\" + ch if ch in _MD_SPECIALS else ch for ch in flat)


def md_words(text: str) -> str:
    """Generated English holding identifiers: only what Markdown would act on there
    (emphasis, links, HTML, table pipes) is escaped, so `4.3 on 1..5` stays readable."""
    return "".join("\\" + ch if ch in "\\`*_[]<>|" else ch for ch in " ".join(text.split()))


def md_code(text: str) -> str:
    """Inline code that survives backticks inside it."""
    fence = "`"
    while fence in text:
        fence += "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"
