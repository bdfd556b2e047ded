"""Titles of the `grafana` target: Grafana interpolates dashboard variables in
row and panel titles, so user text there must never form a variable reference."""

from __future__ import annotations

import json
import re

import pytest

from tests.paths import REPO
import touchdsl
from touchdsl.targets import BuildOptions, grafana


# Grafana's own `variableRegex` (public/app/features/variables/utils.ts): `$name`,
# `[[name]]` and `${name.field:format}`.
GRAFANA_VARIABLE = re.compile(r"\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^\}]+))?(?::([^\}]+))?\}")

HOSTILE_TITLES = ("Cost in $datasource", "${__user.login} asks", "Old [[datasource]] way", "$__all ${x:raw}")


def titled(project, titles):
    """The project with every touchpoint and metric retitled by `titles` in turn."""
    touchpoints = {}
    for n, (key, tp) in enumerate(project.touchpoints.items()):
        metrics = [m.model_copy(update={"title": titles[(n + i + 1) % len(titles)]})
                   for i, m in enumerate(tp.metrics)]
        touchpoints[key] = tp.model_copy(update={"title": titles[n % len(titles)], "metrics": metrics})
    return project.model_copy(update={"touchpoints": touchpoints})


def titles_of(files):
    for path, data in files.items():
        for panel in json.loads(data)["panels"]:
            yield path, panel["title"]


@pytest.mark.parametrize("name", ["examples/telecom", "examples/health", "tests/fixtures/hostile"])
def test_user_titles_never_reference_a_variable(name):
    project = titled(touchdsl.load([str(REPO / name)]), HOSTILE_TITLES)
    files = grafana.render(project, BuildOptions())
    seen = set()
    for path, title in titles_of(files):
        assert not GRAFANA_VARIABLE.search(title), f"{path}: {title!r}"
        seen.add(title.replace("\u200b", ""))
    # Each hostile title is still shown, reading as written.
    assert set(HOSTILE_TITLES) <= seen


def test_regex_catches_what_grafana_would_interpolate():
    for title in HOSTILE_TITLES:
        assert GRAFANA_VARIABLE.search(title)


def test_plain_title_keeps_the_visible_text():
    assert grafana.plain_title("Plain title") == "Plain title"
    assert grafana.plain_title("Two\n  lines") == "Two lines"
    shown = grafana.plain_title("Pay $5 by ${date} [[x]]")
    assert shown.replace("\u200b", "") == "Pay $5 by ${date} [[x]]"
    assert not GRAFANA_VARIABLE.search(shown)
