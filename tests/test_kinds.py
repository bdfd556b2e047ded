"""A metric kind lives in one place: the `Metric` union of the model (and the
`Measure` union of the parse tree). Code that depends on the kind dispatches with
`match` ending in `unknown_kind` (or `assert_never`), so mypy names every place a
new kind is not handled; nothing tells kinds apart any other way.

The proof adds a fake kind to a copy of the package and runs mypy on it: every
dispatch on a kind must be reported, none may accept the fake silently.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import get_args

import pytest

from tests.paths import REPO
from touchdsl import model
from touchdsl.language import ast as tree

PACKAGE = REPO / "touchdsl"
METRICS = {c.__name__ for c in model.METRIC_CLASSES}
MEASURES = {c.__name__ for c in get_args(tree.Measure)}


def _class_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _pattern_classes(pattern: ast.pattern) -> set[str]:
    return {name for node in ast.walk(pattern) if isinstance(node, ast.MatchClass)
            for name in [_class_name(node.cls)] if name}


def _narrowed(match: ast.Match, functions: list[ast.FunctionDef]) -> bool:
    """True when the match's subject is a parameter annotated with some kinds only
    (`metric: ScoreMetric | NpsMetric`): a new kind cannot reach it."""
    if not isinstance(match.subject, ast.Name):
        return False
    for function in functions:
        if function.lineno <= match.lineno <= (function.end_lineno or function.lineno):
            for arg in function.args.args:
                if arg.arg == match.subject.id and arg.annotation is not None:
                    named = {_class_name(n) for n in ast.walk(arg.annotation)}
                    return "Metric" not in named and "Measure" not in named
    return False


def _inner(module: ast.Module) -> set[int]:
    """Matches inside a case of an outer match on the same subject: the outer case
    already chose some kinds, so a new kind never reaches them."""
    inner: set[int] = set()
    for outer in ast.walk(module):
        if isinstance(outer, ast.Match) and isinstance(outer.subject, ast.Name):
            for case in outer.cases:
                for node in (n for stmt in case.body for n in ast.walk(stmt)):
                    if (isinstance(node, ast.Match) and isinstance(node.subject, ast.Name)
                            and node.subject.id == outer.subject.id):
                        inner.add(id(node))
    return inner


def dispatches(root: Path = REPO) -> list[tuple[str, int, int, str]]:
    """Every `match` that tells metric kinds (or measures) apart, over all of them:
    (file, first line, last line, the fake kind that must be reported there)."""
    found = []
    for path in sorted((root / "touchdsl").rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        module = ast.parse(path.read_text(encoding="utf-8"))
        functions = [n for n in ast.walk(module) if isinstance(n, ast.FunctionDef)]
        inner = _inner(module)
        for node in ast.walk(module):
            if isinstance(node, ast.Match) and id(node) not in inner and not _narrowed(node, functions):
                classes = set().union(*(_pattern_classes(c.pattern) for c in node.cases))
                if classes & METRICS:
                    found.append((rel, node.lineno, node.end_lineno or node.lineno, "FakeMetric"))
                if classes & MEASURES:
                    found.append((rel, node.lineno, node.end_lineno or node.lineno, "FakeMeasure"))
    return found


def test_kinds_are_told_apart_only_by_match():
    """`isinstance(x, TimeMetric)` in an `if` would let a new kind fall through silently;
    inside an `assert` (narrowing what a `match` already decided) it fails loudly."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = ast.parse(path.read_text(encoding="utf-8"))
        asserted = {id(n) for a in ast.walk(module) if isinstance(a, ast.Assert) for n in ast.walk(a)}
        for node in ast.walk(module):
            if (isinstance(node, ast.Call) and _class_name(node.func) == "isinstance" and len(node.args) == 2
                    and id(node) not in asserted):
                named = {_class_name(n) for n in ast.walk(node.args[1])}
                if named & (METRICS | MEASURES):
                    offenders.append(f"{path.relative_to(REPO)}:{node.lineno}")
            if isinstance(node, ast.Compare) and isinstance(node.left, ast.Attribute) and node.left.attr == "kind":
                values = {c.value for c in node.comparators if isinstance(c, ast.Constant)}
                if values & set(model.METRIC_KINDS):
                    offenders.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert offenders == [], "dispatch on a kind with `match` … `case _: unknown_kind(x)`: " + ", ".join(offenders)


def test_the_inventory_finds_the_dispatches():
    found = dispatches()
    files = {f for f, *_ in found}
    # the places the issue counted: the rule plan, the contract, every monitoring target, documents, diff, fmt, checks
    # (openslo reads the tiers the contract built and dispatches on no kind of its own)
    for expected in ("touchdsl/slo/rules.py", "touchdsl/slo/contract.py", "touchdsl/targets/promtool_tests.py",
                     "touchdsl/serve/snapshot.py", "touchdsl/slo/tiers.py", "touchdsl/targets/policy.py",
                     "touchdsl/documents/wording.py", "touchdsl/tools/semdiff.py", "touchdsl/tools/fmt.py",
                     "touchdsl/compiler/checks/metrics.py", "touchdsl/model.py"):
        assert expected in files, expected
    assert len(found) >= 20


def test_the_checkers_table_names_every_measure_and_every_metric_once():
    from touchdsl.compiler.checks.metrics import _KINDS

    assert set(_KINDS) == set(get_args(tree.Measure)) == set(tree.MEASURES)
    assert sorted(k.metric.__name__ for k in _KINDS.values()) == sorted(METRICS)


FAKES = {
    "touchdsl/model.py": (
        "Metric = Annotated[\n    Union[TimeMetric, RatioMetric, ScoreMetric, NpsMetric, CountMetric],",
        'class FakeMetric(_MetricBase):\n    kind: Literal["fake"] = "fake"\n\n\n'
        "Metric = Annotated[\n    Union[TimeMetric, RatioMetric, ScoreMetric, NpsMetric, CountMetric, FakeMetric],"),
    "touchdsl/language/ast.py": (
        "Measure = Union[TimeMeasure, RatioMeasure, ScoreMeasure, NpsMeasure, CountMeasure]",
        "@dataclass(frozen=True)\nclass FakeMeasure:\n    span: Span\n\n\n"
        "Measure = Union[TimeMeasure, RatioMeasure, ScoreMeasure, NpsMeasure, CountMeasure, FakeMeasure]"),
}


def test_a_new_kind_is_reported_wherever_it_is_not_handled(tmp_path):
    pytest.importorskip("mypy")
    copy = tmp_path / "copy"
    shutil.copytree(PACKAGE, copy / "touchdsl", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", copy / "pyproject.toml")
    for rel, (old, new) in FAKES.items():
        path = copy / rel
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{rel} changed: update FAKES in this test"
        path.write_text(text.replace(old, new), encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "cache"), "--no-error-summary",
                          "--show-column-numbers"], cwd=copy, capture_output=True, text=True)
    errors = [(m.group(1), int(m.group(2)), m.group(3)) for m in
              re.finditer(r"^(touchdsl/[^:]+):(\d+):\d+: error: (.*)$", run.stdout, re.M)]
    assert errors, run.stdout + run.stderr
    silent = []
    for rel, first, last, fake in dispatches(copy):
        if not any(f == rel and first <= line <= last and fake in message for f, line, message in errors):
            silent.append(f"{rel}:{first} ({fake})")
    assert silent == [], "these dispatches accept a new kind without a word: " + ", ".join(silent)
