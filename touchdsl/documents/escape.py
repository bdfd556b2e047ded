"""User text made safe for each output format: Markdown, Go templates, YAML.

Every target escapes through these functions (HTML is escaped by jinja2's
autoescape), so one format has one escaper.
"""

from __future__ import annotations

import re

import yaml


def go_template_literal(text: str) -> str:
    """Text that Prometheus' Go templates print as written: `{{` would open an
    action, so it is written as the action printing it."""
    return text.replace("{{", '{{ "{{" }}')


# YAML ----------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Safe dumping with multi-line strings as literal blocks (readable exprs)."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump_yaml(data: object) -> bytes:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=1000).encode("utf-8")


# Markdown ------------------------------------------------------------------------

# Characters Markdown may read as syntax anywhere in a line: emphasis, code, links
# and images, autolinks and HTML, entities, headings and issue links (`#`), GitHub
# tables and strikethrough, attribute lists (`{}`). A backslash makes each print
# as itself.
_MD_INLINE = re.compile(r"([\\`*_{}\[\]<>#|~&])")
# What starts a block only at the beginning of a line: a list item (`-`, `+`,
# `1.`, `1)`) or a setext heading's underline (`=`).
_MD_LINE_START = re.compile(r"^(\d{1,9})([.)])|^([-+=])")


def md_text(text: str, *, line_start: bool = True, entities: str = "", mentions: bool = False,
            line_breaks: bool = False) -> str:
    """User text as literal Markdown on one line: the one Markdown escaper.

    Runs of whitespace (line breaks too) become one space, and every character
    Markdown could read as syntax is escaped, so the text renders as written.
    Where it lands decides the rest:

    - `line_start`: the text may begin a line, so a leading `1.` or `-` is escaped too;
    - `entities`: characters written as numeric HTML entities instead (Grafana's
      text panel renders HTML, and interpolates `$variables` before Markdown
      sees the text, so `$` must not survive as itself);
    - `mentions`: GitHub finds `@mentions` in the rendered text, where a backslash
      is gone; a zero-width space after `@` (as Dependabot writes) keeps a title
      from pinging people;
    - `line_breaks`: the text's own lines are kept, each escaped as a line of its
      own and ended by a hard break (an editor's hover shows a note as written).
    """
    if line_breaks:
        return "  \n".join(md_text(line, line_start=True, entities=entities, mentions=mentions)
                           for line in text.split("\n"))
    flat = " ".join(text.split())
    if entities:
        flat = "".join(f"&#{ord(ch)};" if ch in entities else ch for ch in flat)
        # An entity's own `&` and `;` must stay as written.
        escaped = re.sub(r"(&#\d+;)|" + _MD_INLINE.pattern, lambda m: m.group(1) or "\\" + m.group(2), flat)
    else:
        escaped = _MD_INLINE.sub(r"\\\1", flat)
    if line_start:
        escaped = _MD_LINE_START.sub(lambda m: (m.group(1) + "\\" + m.group(2)) if m.group(1) else "\\" + m.group(3),
                                     escaped)
    if mentions:
        escaped = escaped.replace("@", "@&#8203;")
    return escaped


def md_code(text: str) -> str:
    """Inline code that survives backticks inside it."""
    fence = "`"
    while fence in text:
        fence += "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"
