"""Paths a user can write never make touchdsl fail inside (exit 3).

The whole class: a name in an `import`, a file's own name, a path on the command
line, whatever it holds (a NUL, control and invisible characters, bytes that are
not UTF-8, too long a name, a link loop), through every command and every output
format, ends in a diagnostic (exit 1) or a usage error (exit 2).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from touchdsl.cli import cli
from touchdsl.compiler.driver import PathError, compile_project
from touchdsl.diagnostics import HIDDEN

REPO = Path(__file__).resolve().parent.parent
BANKING = REPO / "examples" / "banking"

IMPORTS = [
    "x\\u{0}.touch", "x\\u{1B}]0;PWNED\\u{7}.touch", "\\u{202E}hcuot.x", "a\\u{2028}b.touch", "x" * 256 + ".touch",
    "d/" * 3000 + "x.touch", "a/../../../../../../../../etc/passwd", "..", ".", "/", "./", "x.touch/",
    "loop.touch", "loop.touch/x.touch", "\\u{FEFF}x.touch", "con", "x\\ty.touch", "%s%n.touch", "*.touch",
]
FORMATS = ["text", "json", "sarif", "github"]


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (0, 1, 2), (result.exit_code, result.output[-2000:])
    return result.exit_code, result.output


def assert_shown_safely(output: str, fmt: str) -> None:
    if fmt == "text" or fmt == "github":
        hidden = {ch for ch in output if HIDDEN.match(ch) and ch != "\n"}
        assert not hidden, f"hidden characters reach the terminal: {hidden!r}"
    elif fmt in ("json", "sarif"):
        json.loads(output)


@pytest.mark.parametrize("written", IMPORTS)
def test_any_import_path_is_a_diagnostic(tmp_path: Path, written: str) -> None:
    (tmp_path / "loop.touch").symlink_to(tmp_path / "loop.touch")
    (tmp_path / "main.touch").write_text(f'import "{written}"\n', encoding="utf-8")
    for fmt in FORMATS:
        code, out = invoke("check", str(tmp_path / "main.touch"), "--format", fmt)
        assert code == 1, out
        assert_shown_safely(out, fmt)
    code, out = invoke("build", str(tmp_path / "main.touch"), "-o", str(tmp_path / "out"))
    assert code == 1 and not (tmp_path / "out").exists()


FILE_NAMES = [
    os.fsencode("tr") + b"\xff\xfe" + os.fsencode("ansfers.touch"),  # not UTF-8
    "bell\x07\x1b]0;PWNED\x07.touch".encode(),
    "\u202eevil.touch".encode(),
    "new\nline.touch".encode(),
    "zero\u200bwidth.touch".encode(),
    "שלום.touch".encode(),
]


@pytest.mark.parametrize("name", FILE_NAMES, ids=lambda b: repr(b)[2:20])
def test_any_file_name_checks_and_builds_in_every_format(tmp_path: Path, name: bytes) -> None:
    project = tmp_path / "project"
    project.mkdir()
    source = (BANKING / "transfers.touch").read_bytes()
    with open(os.path.join(os.fsencode(project), name), "wb") as handle:
        handle.write(source)
    for fmt in FORMATS:
        code, out = invoke("check", str(project), "--format", fmt)
        assert code in (0, 1), out
        assert_shown_safely(out, fmt)
    code, out = invoke("build", str(project), "-o", str(tmp_path / "out"))
    assert code in (0, 1), out
    if code == 0:
        model = json.loads((tmp_path / "out" / "json" / "model.json").read_text(encoding="utf-8"))
        assert model["touchpoints"]
    code, out = invoke("fmt", "--check", str(project))
    assert code in (0, 1) and "Traceback" not in out


def test_a_name_that_is_not_utf8_is_reported_by_name(tmp_path: Path) -> None:
    name = os.fsencode("tr") + b"\xff" + os.fsencode(".touch")
    with open(os.path.join(os.fsencode(tmp_path), name), "wb") as handle:
        handle.write(b"# fine\n")
    result = compile_project([str(tmp_path)])
    (d,) = result.diagnostics
    assert d.code == "TD005" and "tr\\xff.touch" in d.message and "not UTF-8" in d.message


def test_link_loops_are_diagnostics(tmp_path: Path) -> None:
    (tmp_path / "a.touch").symlink_to(tmp_path / "b.touch")
    (tmp_path / "b.touch").symlink_to(tmp_path / "a.touch")
    (tmp_path / "main.touch").write_text('import "a.touch"\n', encoding="utf-8")
    result = compile_project([str(tmp_path)])
    assert {d.code for d in result.diagnostics} == {"TD005", "TD102"}
    assert all("symbolic links" in d.message for d in result.diagnostics)


@pytest.mark.parametrize("path", ["x" * 300, "a\x00b", "a/" * 3000])
def test_any_command_line_path_is_a_usage_error(tmp_path: Path, path: str) -> None:
    with pytest.raises(PathError):
        compile_project([str(tmp_path / path)])
    if "\x00" not in path:  # no process can be given a NUL in an argument
        code, out = invoke("check", str(tmp_path / path))
        assert code == 2, out
        code, out = invoke("fmt", str(tmp_path / path))
        assert code == 2, out


def test_a_project_in_a_folder_named_with_hidden_characters(tmp_path: Path) -> None:
    folder = tmp_path / "x\x1b[2Jy\u202e"
    shutil.copytree(BANKING, folder)
    (folder / "transfers.touch").write_text("owner oops\n", encoding="utf-8")
    for fmt in FORMATS:
        code, out = invoke("check", str(folder), "--format", fmt)
        assert code == 1
        assert_shown_safely(out, fmt)


@pytest.mark.parametrize("data", [b"\x89PNG\r\n\x1a\n\x00\x00\x00", b"# text\n" * 2000 + b"# \x00\n", b"\xff\xfe x"])
def test_fmt_reads_like_check_a_file_that_is_not_text_is_td005(tmp_path: Path, data: bytes) -> None:
    (tmp_path / "main.touch").write_bytes(data)
    code, out = invoke("fmt", "--check", str(tmp_path / "main.touch"))
    assert code == 1 and "error[TD005]" in out and "would reformat" not in out
    assert (tmp_path / "main.touch").read_bytes() == data
    code, _ = invoke("fmt", str(tmp_path / "main.touch"))
    assert code == 1 and (tmp_path / "main.touch").read_bytes() == data


@pytest.mark.parametrize("name", ["x\x1b[2J\x07", "\u202eevil", "a\udcffb"])
def test_paths_with_hidden_characters_in_usage_errors_and_build_messages(tmp_path: Path, name: str) -> None:
    for args in (["check", str(tmp_path / name)], ["fmt", str(tmp_path / name)],
                 ["build", str(tmp_path / name), "-o", str(tmp_path / "o")]):
        code, out = invoke(*args)
        assert code == 2, out
        assert_shown_safely(out, "text")
    (tmp_path / "Documents").mkdir()
    with open(os.path.join(os.fsencode(tmp_path / "Documents"), os.fsencode(name)), "wb") as handle:
        handle.write(b"x")
    code, out = invoke("build", str(BANKING), "-o", str(tmp_path / "Documents"))
    assert code == 2 and "holds files touchdsl did not write" in out
    assert_shown_safely(out, "text")
