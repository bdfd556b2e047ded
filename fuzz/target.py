"""The fuzz target: one input through everything a user's file goes through.

An input is one `.touch` file that takes the place of a file of an example project
(so its imports and the other files' names resolve), and must pass:

1. parse: no exception; every diagnostic and declaration has a complete position;
2. check (the whole project): no exception; every diagnostic renders as text (with no
   character a terminal would obey), JSON and SARIF (both valid JSON) and GitHub
   annotations;
3. when the project is valid: every target builds, in both charter languages;
4. fmt: formatting is idempotent, and the formatted file compiles to the same
   model (positions aside) with the same diagnostic codes.

Any exception, or a broken property (AssertionError), is a finding. Driven by
hypothesis in the test suite (`tests/test_fuzz.py`, a few seconds; `make fuzz` for
long runs) and, where it installs, by atheris (`make fuzz-atheris`, coverage-guided,
seeded with the example files). See docs/fuzzing.md.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
REGRESSIONS = Path(__file__).resolve().parent / "regressions"


def projects() -> list[Path]:
    return sorted(p for p in EXAMPLES.iterdir() if p.is_dir() and any(p.glob("*.touch")))


def seeds() -> list[tuple[int, str, str]]:
    """(project, file name, text) of every example file: the corpus the fuzzers start from."""
    out = []
    for i, project in enumerate(projects()):
        for path in sorted(project.glob("*.touch")):
            out.append((i, path.name, path.read_text(encoding="utf-8")))
    return out


def _strip_locations(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_locations(v) for k, v in value.items() if k not in ("location", "files")}
    if isinstance(value, list):
        return [_strip_locations(v) for v in value]
    return value


def _complete(span: Any) -> bool:
    return all(isinstance(v, int) and v >= 1 for v in (span.line, span.column, span.end_line, span.end_column))


def _compile(folder: Path, name: str, text: str) -> Any:
    from touchdsl.compiler.driver import compile_project

    (folder / name).write_text(text, encoding="utf-8", errors="surrogatepass")
    return compile_project([str(folder)])


def _diagnostics_render(result: Any) -> None:
    from touchdsl.compiler import render
    from touchdsl.diagnostics import HIDDEN

    text = render.format_text(result.diagnostics, result.sources)
    leaked = {ch for ch in text if HIDDEN.match(ch) and ch != "\n"}
    assert not leaked, f"hidden characters reach the terminal: {leaked!r}"
    json.loads(render.format_json(result.diagnostics, sorted(result.sources)))
    json.loads(render.format_sarif(result.diagnostics))
    github = render.format_github(result.diagnostics)
    assert not {ch for ch in github if HIDDEN.match(ch) and ch != "\n"}
    for d in result.diagnostics:
        assert d.code.startswith("TD") and (d.span is None or _complete(d.span)), d


def run_one(project: int, name: str, text: str, lang: str | None = None) -> None:
    """Everything one input goes through; raises on a finding. `lang` is the charter's."""
    from touchdsl.build import render_all
    from touchdsl.compiler.sources import decode
    from touchdsl.diagnostics import DiagnosticSink
    from touchdsl.language.parser import parse
    from touchdsl.targets import BuildOptions, available
    from touchdsl.tools.fmt import format_source

    tree, diags = parse(text, name)
    for d in diags:
        assert d.span is None or _complete(d.span), d
    for decl in tree.declarations:
        assert _complete(decl.span), decl

    source = projects()[project % len(projects())]
    with tempfile.TemporaryDirectory(prefix="touchdsl-fuzz-") as tmp:
        folder = Path(tmp)
        for path in source.glob("*.touch"):
            shutil.copy(path, folder / path.name)
        result = _compile(folder, name, text)
        _diagnostics_render(result)
        if result.project is not None:
            rendered = render_all(result.project, available(), BuildOptions(lang=lang))
            assert set(rendered) == set(available())

        # fmt reads the file as check does: what cannot be read as text is not formatted
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:
            return
        if decode(data, name, DiagnosticSink()) is None:
            return
        formatted, errors = format_source(text, name)
        if formatted is None:
            assert errors and all(d.is_error for d in errors)
            return
        again, _ = format_source(formatted, name)
        assert again == formatted, "fmt is not idempotent"
        after = _compile(folder, name, formatted)
        # fmt writes hidden bidirectional characters as escapes, which readers see: their
        # warning (TD904) may go; nothing else changes
        codes_before = {d.code for d in result.diagnostics}
        codes_after = {d.code for d in after.diagnostics}
        assert codes_after - {"TD904"} == codes_before - {"TD904"}, "fmt changed the diagnostics"
        assert "TD904" not in codes_after or "TD904" in codes_before, "fmt made a hidden character"
        if result.project is not None:
            assert after.project is not None
            assert _strip_locations(after.project.model_dump(mode="json")) == \
                _strip_locations(result.project.model_dump(mode="json")), "fmt changed the meaning"


def from_bytes(data: bytes) -> tuple[int, str, str, str | None]:
    """An atheris input: the first byte picks the example project (low bits) and the charter
    language (high bit); the rest is the file, in place of the project's first file."""
    first = data[0] if data else 0
    project = projects()[(first & 0x7F) % len(projects())]
    name = sorted(p.name for p in project.glob("*.touch"))[0]
    return first & 0x7F, name, data[1:].decode("utf-8", "surrogateescape"), "he" if first & 0x80 else None


def regressions() -> list[tuple[int, str, str]]:
    """Inputs that once found a bug, kept as `<project>__<file>[--N].touch`: replayed by every test run."""
    names = [p.name for p in projects()]
    out = []
    for path in sorted(REGRESSIONS.glob("*.touch")) if REGRESSIONS.is_dir() else []:
        project, _, rest = path.stem.partition("__")
        out.append((names.index(project), rest.split("--")[0] + ".touch",
                    path.read_bytes().decode("utf-8", "surrogateescape")))
    return out


def atheris_main(argv: list[str]) -> None:
    """`python -m fuzz.target CORPUS_DIR [libFuzzer options]`: coverage-guided, until stopped."""
    import atheris  # optional: pip install atheris

    corpus = Path(argv[1]) if len(argv) > 1 and not argv[1].startswith("-") else REPO / "build" / "fuzz-corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    if not any(corpus.iterdir()):
        for i, (project, _, text) in enumerate(seeds() + regressions()):
            (corpus / f"seed-{i:03d}").write_bytes(bytes([project]) + text.encode("utf-8", "surrogateescape"))

    # touchdsl imports most modules lazily: import them all here, inside the block, so
    # that every one is instrumented for coverage
    with atheris.instrument_imports():
        import importlib

        import touchdsl.build
        import touchdsl.compiler.checks
        import touchdsl.compiler.driver
        import touchdsl.compiler.render
        import touchdsl.language.parser
        import touchdsl.tools.fmt  # noqa: F401

        from touchdsl.targets import TARGETS

        for module, _ in TARGETS.values():
            importlib.import_module(module)

    def one(data: bytes) -> None:
        run_one(*from_bytes(data))

    args = [argv[0], str(corpus), *[a for a in argv[1:] if a.startswith("-")]]
    atheris.Setup(args, one)
    atheris.Fuzz()


if __name__ == "__main__":
    atheris_main(sys.argv)
