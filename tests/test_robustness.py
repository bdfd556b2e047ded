"""No input ever makes touchdsl print a traceback: it exits 0 or 1 with diagnostics."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.paths import REPO
from touchdsl.cli import cli
from touchdsl.language.parser import parse

EXAMPLE_FILES = sorted((REPO / "examples").rglob("*.touch"))
# Read once: the mutator's draws must not change if a file changes mid-run.
EXAMPLE_TEXTS = {p: p.read_text(encoding="utf-8") for p in EXAMPLE_FILES}


def check(*paths) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["check", *map(str, paths)])
    # catch_exceptions=True: an exception escaping the command is a failure here
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    out = result.output
    assert "Traceback" not in out and "internal error" not in out, out[-2000:]
    assert result.exit_code in (0, 1), (result.exit_code, out[-2000:])
    return result.exit_code, out


def write(tmp_path: Path, data: bytes, name: str = "main.touch") -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


@pytest.mark.parametrize("data, code", [
    (b"", 0),
    (b"# only a comment\n   # and another\n", 0),
    (b"\xef\xbb\xbf# a BOM first\n", 0),
    (b"\x00\x01\x02\xff\xfe binary", 1),
    (b"owner o \"\xff\xfe\" {}\n", 1),
    (b"{" * 100_000, 1),
    (b"}" * 100_000, 1),
    (b'touchpoint t "T" {' * 20_000, 1),
    (b"owner o \"O\" {\n" + b"  note \"" + b"x" * 200_000 + b"\"\n}\n", 0),
    (b"\"" * 10_001, 1),
    (b"\r\r\r\n\t\f\v", 1),
])
def test_hostile_inputs(tmp_path, data, code):
    got, out = check(write(tmp_path, data))
    assert got == code, out[-2000:]


def test_bom_file_is_read_like_any_other(tmp_path):
    text = (REPO / "tests/fixtures/spec/banking/transfers.touch").read_bytes()  # warns at 3:10 (TD903)
    code, out = check(write(tmp_path, b"\xef\xbb\xbf" + text))
    assert code == 0 and "0 errors, 1 warning in 1 file" in out and "main.touch:3:10: warning[TD903]" in out


def test_ten_megabytes_of_random_garbage(tmp_path):
    rng = random.Random(20261123)
    data = rng.randbytes(10 * 1024 * 1024)
    code, out = check(write(tmp_path, data))
    assert code == 1 and "TD005" in out


def test_megabytes_of_printable_garbage(tmp_path):
    rng = random.Random(7)
    alphabet = 'abc{}"\n #%.:-0123456789owner touchpoint metric '
    data = "".join(rng.choices(alphabet, k=4 * 1024 * 1024)).encode()
    code, out = check(write(tmp_path, data))
    assert code == 1 and "error[" in out


def test_directory_named_x_touch(tmp_path):
    (tmp_path / "x.touch").mkdir()
    (tmp_path / "x.touch" / "inner.touch").write_text("# nothing\n", encoding="utf-8")
    code, _ = check(tmp_path)
    assert code == 0
    code, _ = check(tmp_path / "x.touch")
    assert code == 0


def test_import_of_a_directory_named_x_touch(tmp_path):
    (tmp_path / "x.touch").mkdir()
    (tmp_path / "main.touch").write_text('import "x.touch"\n', encoding="utf-8")
    code, out = check(tmp_path / "main.touch")
    assert code == 1 and "TD102" in out and "is a directory" in out


def test_unreadable_file(tmp_path):
    import os

    p = write(tmp_path, b"# secret\n")
    p.chmod(0)
    try:
        if os.access(p, os.R_OK):
            pytest.skip("running as a user who can read anything")
        code, out = check(p)
        assert code == 1 and "TD005" in out
    finally:
        p.chmod(0o644)


def test_dangling_symlink(tmp_path):
    (tmp_path / "gone.touch").symlink_to(tmp_path / "nowhere.touch")
    code, _ = check(tmp_path)
    assert code == 1


@pytest.mark.parametrize("cut", [0.1, 0.25, 0.5, 0.75, 0.9, 0.99])
def test_truncated_examples(tmp_path, cut):
    for src in EXAMPLE_FILES:
        text = src.read_text(encoding="utf-8")
        write(tmp_path, text[: int(len(text) * cut)].encode(), src.name)
        check(tmp_path / src.name)


# ---- the mutator ----------------------------------------------------------------------------

TOKENS = ["{", "}", '"', '"""', "#", "%", "..", ".", ",", "-", "5%", "30s", "-100", "1..5", "08:00-18:00",
          "2026-02-30", "<a@b.c>", "owner", "touchpoint", "metric", "step", "promise", "target", "within",
          "at least", "at most", "time from", "import", '"../x.touch"', "\\u{110000}", "\\q", "\x00", "\ufeff",
          "שלום", "\t", "\n", "nps", "score", "count", "ratio", "on", "until", "escalate to", "window 0d"]


@st.composite
def mutated_example(draw):
    src = draw(st.sampled_from(EXAMPLE_FILES))
    lines = EXAMPLE_TEXTS[src].split("\n")
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "insert_chars", "insert_token", "truncate"]))
        i = draw(st.integers(0, len(lines) - 1))
        if op == "delete" and len(lines) > 1:
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op in ("insert_chars", "insert_token"):
            piece = draw(st.text(min_size=1, max_size=5)) if op == "insert_chars" else draw(st.sampled_from(TOKENS))
            col = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:col] + piece + lines[i][col:]
        elif op == "truncate":
            text = "\n".join(lines)
            lines = text[: draw(st.integers(0, len(text)))].split("\n")
    return src, "\n".join(lines)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=mutated_example())
def test_mutated_examples_never_crash(tmp_path, case):
    src, text = case
    folder = tmp_path / "project"
    folder.mkdir(exist_ok=True)
    for p in folder.iterdir():
        p.unlink()
    for other in EXAMPLE_FILES:
        if other.parent == src.parent:
            (folder / other.name).write_text(EXAMPLE_TEXTS[other], encoding="utf-8")
    (folder / src.name).write_text(text, encoding="utf-8", errors="surrogatepass")
    check(folder)


# ---- the parser on its own -------------------------------------------------------------------


def _complete(span) -> bool:
    return all(isinstance(v, int) and v >= 1 for v in (span.line, span.column, span.end_line, span.end_column))


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list('abc ownertuchpimsy{}"#%.:-,<>@\n\t0123456789\\')) | st.characters(),
                    max_size=400))
def test_parse_never_raises_on_arbitrary_text(text):
    tree, diags = parse(text, "x.touch")
    for d in diags:
        assert d.code.startswith("TD")
        assert d.span is None or _complete(d.span)
    for decl in tree.declarations:
        assert _complete(decl.span), decl


@settings(max_examples=200, deadline=None)
@given(case=mutated_example())
def test_parse_never_raises_on_mutated_examples(case):
    _, text = case
    tree, _ = parse(text, "x.touch")
    for decl in tree.declarations:
        assert _complete(decl.span), decl


@settings(max_examples=60, deadline=None)
@given(case=mutated_example())
def test_every_project_the_checker_accepts_builds(case):
    """What passes `check` must build with every target: the model's invariants hold."""
    import tempfile

    from touchdsl.build import render_all
    from touchdsl.compiler.driver import compile_project
    from touchdsl.targets import BuildOptions, available

    src, text = case
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for other in EXAMPLE_FILES:
            if other.parent == src.parent:
                (folder / other.name).write_text(EXAMPLE_TEXTS[other], encoding="utf-8")
        (folder / src.name).write_text(text, encoding="utf-8")
        result = compile_project([str(folder)])
        if result.project is None:
            return
        for lang in (None, "he"):
            rendered = render_all(result.project, available(), BuildOptions(lang=lang))
            assert set(rendered) == set(available())


def test_device_and_pipe_are_refused_not_read_forever(tmp_path):
    import os

    fifo = tmp_path / "pipe.touch"
    os.mkfifo(fifo)
    code, out = check(fifo)
    assert code == 1 and "TD005" in out and "not a regular file" in out
    if Path("/dev/zero").exists():
        code, out = check("/dev/zero")
        assert code == 1 and "not a regular file" in out
