"""`build -o DIR` only ever replaces what it wrote, and replaces it in one step.

The whole class of data loss: any file the build did not write, wherever it lies
(inside the output folder, beside it, the project's own sources), survives every
build, refused or not; and a build killed at any moment leaves the complete old
output or the complete new one.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from touchdsl.cli import cli
from touchdsl.output_folder import MANIFEST

REPO = Path(__file__).resolve().parent.parent
TELECOM = REPO / "examples" / "telecom"


def snapshot(root: Path) -> dict[str, object]:
    """Every entry below root: file bytes, link targets, empty folders."""
    tree: dict[str, object] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        for name in dirnames + filenames:
            p = here / name
            rel = p.relative_to(root).as_posix()
            if p.is_symlink():
                tree[rel] = ("link", os.readlink(p))
            elif p.is_dir():
                tree[rel] = "dir"
            else:
                tree[rel] = p.read_bytes()
    return tree


def build(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["build", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, result.output


def leftovers(folder: Path) -> list[str]:
    return sorted(n for n in os.listdir(folder) if n.startswith(".touchdsl-"))


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A user's folder: a project with its own tests folder, and other files of theirs."""
    h = tmp_path / "home"
    proj = h / "proj"
    shutil.copytree(TELECOM, proj)
    (proj / "policy").mkdir()
    (proj / "owners.touch").rename(proj / "policy" / "owners.touch")
    support = (proj / "support.touch").read_text(encoding="utf-8")
    (proj / "support.touch").write_text(support.replace('import "owners.touch"', 'import "policy/owners.touch"'),
                                        encoding="utf-8")
    (proj / "tests").mkdir()
    (proj / "tests" / "test_mine.py").write_text("assert True\n", encoding="utf-8")
    (proj / "README.md").write_text("my project\n", encoding="utf-8")
    (h / "notes.txt").write_text("do not lose me\n", encoding="utf-8")
    (h / "Documents").mkdir()
    (h / "Documents" / "cv.pdf").write_bytes(b"%PDF-1.4 mine")
    return h


def test_the_project_compiles(home: Path) -> None:
    code, out = build(str(home / "proj"), "-o", str(home / "out"), "-t", "json")
    assert code == 0, out


@pytest.mark.parametrize("output, why", [
    ("proj", "is the project's own folder"),
    ("proj/policy", "contains the project's input"),
    (".", "contains the project's input"),
    ("Documents", "holds files touchdsl did not write: `cv.pdf`"),
])
def test_a_folder_the_build_did_not_write_is_refused_and_untouched(home: Path, output: str, why: str) -> None:
    before = snapshot(home)
    code, out = build(str(home / "proj"), "-o", str(home / output))
    assert code == 2, out
    assert why in out and "nothing written" in out and "help:" in out
    assert snapshot(home) == before


def test_an_output_that_is_a_file_is_a_usage_error(home: Path) -> None:
    before = snapshot(home)
    code, out = build(str(home / "proj"), "-o", str(home / "notes.txt"))
    assert code == 2 and "is a file" in out
    assert snapshot(home) == before


def test_output_beside_and_inside_the_project_keeps_every_user_file(home: Path) -> None:
    """The README's own usage: `touchdsl build -o build` in the project folder."""
    user_files = snapshot(home)
    for output in ("build", "proj/build"):
        for _ in range(2):  # the re-run replaces the first build
            code, out = build(str(home / "proj"), "-o", str(home / output))
            assert code == 0, out
    after = snapshot(home)
    assert {k: after[k] for k in user_files} == user_files
    assert leftovers(home) == [] and leftovers(home / "proj") == []
    checked = CliRunner().invoke(cli, ["check", str(home / "proj")])
    assert checked.exit_code == 0, checked.output  # outputs inside the project are never read as sources


def test_files_added_changed_or_linked_inside_the_output_are_never_deleted(home: Path) -> None:
    out_dir = home / "build"
    assert build(str(home / "proj"), "-o", str(out_dir))[0] == 0

    def refused(expect: str) -> None:
        before = snapshot(home)
        code, out = build(str(home / "proj"), "-o", str(out_dir))
        assert code == 2 and expect in out, out
        assert snapshot(home) == before

    (out_dir / "charter" / "mine.html").write_text("mine", encoding="utf-8")
    refused("holds files the last build did not write: `charter/mine.html`")
    (out_dir / "charter" / "mine.html").unlink()

    (out_dir / "tests" / "extra").mkdir()
    refused("`tests/extra/`")
    (out_dir / "tests" / "extra").rmdir()

    index = out_dir / "charter" / "index.html"
    original = index.read_bytes()
    index.write_bytes(original + b"<!-- my edit -->")
    refused("`charter/index.html` (changed since touchdsl wrote it)")
    index.write_bytes(original)

    (out_dir / "link").symlink_to(home / "Documents")
    refused("`link` (not a regular file)")
    (out_dir / "link").unlink()

    manifest = out_dir / MANIFEST
    text = manifest.read_bytes()
    manifest.write_text("{ not json", encoding="utf-8")
    refused("is not a manifest touchdsl can read")
    manifest.write_bytes(text)

    # a file the build wrote and the user deleted is simply written again
    (out_dir / "policy" / "billing.md").unlink()
    code, out = build(str(home / "proj"), "-o", str(out_dir))
    assert code == 0, out
    assert (out_dir / "policy" / "billing.md").is_file()


def test_many_foreign_files_are_counted_not_all_listed(home: Path) -> None:
    folder = home / "full"
    folder.mkdir()
    for i in range(9):
        (folder / f"f{i}.txt").write_text("x", encoding="utf-8")
    code, out = build(str(home / "proj"), "-o", str(folder))
    assert code == 2 and "`f0.txt`, `f1.txt`, `f2.txt`, `f3.txt`, `f4.txt` and 4 more" in out


def test_an_empty_folder_and_a_link_to_a_folder_are_fine(home: Path) -> None:
    (home / "empty").mkdir()
    assert build(str(home / "proj"), "-o", str(home / "empty"), "-t", "json")[0] == 0
    assert (home / "empty" / "json" / "model.json").is_file()
    (home / "real").mkdir()
    (home / "link").symlink_to(home / "real")
    for _ in range(2):
        assert build(str(home / "proj"), "-o", str(home / "link"), "-t", "json")[0] == 0
    assert (home / "link").is_symlink()  # the link stays; its target is rebuilt
    assert (home / "real" / "json" / "model.json").is_file()
    assert leftovers(home) == []


def test_target_subsets_keep_the_other_targets_of_the_last_build(home: Path, tmp_path: Path) -> None:
    out_dir = home / "build"
    assert build(str(home / "proj"), "-o", str(out_dir))[0] == 0
    full = snapshot(out_dir)
    assert build(str(home / "proj"), "-o", str(out_dir), "-t", "charter", "--stamp", "2026-01-01")[0] == 0
    after = snapshot(out_dir)
    changed = sorted(k for k in full if full[k] != after.get(k))
    assert changed == [MANIFEST, "charter/charter.md", "charter/index.html"]
    assert set(after) == set(full)
    # a build of every target holds exactly that build, whatever came before
    assert build(str(home / "proj"), "-o", str(out_dir))[0] == 0
    assert snapshot(out_dir) == full
    manifest = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    listed = {rel for files in manifest["targets"].values() for rel in files}
    assert listed == {k for k, v in full.items() if v != "dir"} - {MANIFEST}


def test_leftovers_of_killed_builds_are_removed_and_a_set_aside_output_is_put_back(home: Path) -> None:
    out_dir = home / "build"
    assert build(str(home / "proj"), "-o", str(out_dir), "-t", "json")[0] == 0
    good = snapshot(out_dir)
    dead = 2 ** 22 + 12345  # beyond pid_max: no process has it
    (home / f".touchdsl-build-{dead}-0000aaaa-build" / "json").mkdir(parents=True)
    (home / f".touchdsl-old-{dead}-0000bbbb-other").mkdir()  # its output `other` is gone and it is incomplete
    # a build killed between its two renames: the old output waits beside, complete
    os.rename(out_dir, home / f".touchdsl-old-{dead}-0000cccc-build")
    code, out = build(str(home / "proj"), "-o", str(out_dir), "-t", "json", "--stamp", "x")
    assert code == 0, out
    assert snapshot(out_dir) == good  # put back, then rebuilt (json does not print the stamp)
    # the incomplete one whose output is missing is not provably garbage: kept for a person
    assert leftovers(home) == [f".touchdsl-old-{dead}-0000bbbb-other"]


def test_an_unwritable_parent_is_an_io_error_with_the_reason(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_mkdir = os.mkdir

    def refuse_staging(path: object, *args: object, **kwargs: object) -> None:
        if os.path.basename(str(path)).startswith(".touchdsl-build-"):
            raise PermissionError(13, "Permission denied", str(path))
        real_mkdir(path, *args, **kwargs)  # type: ignore[arg-type]

    assert build(str(home / "proj"), "-o", str(home / "build"), "-t", "json")[0] == 0
    before = snapshot(home)
    monkeypatch.setattr(os, "mkdir", refuse_staging)
    code, out = build(str(home / "proj"), "-o", str(home / "build"), "-t", "json")
    monkeypatch.undo()
    assert code == 2 and "Permission denied" in out and "must be writable" in out
    assert snapshot(home) == before


# ---- killed at random moments ------------------------------------------------------------------


def _start(out_dir: Path, stamp: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "touchdsl.cli", "build", str(TELECOM), "-o", str(out_dir),
         "-t", "charter", "-t", "policy", "-t", "json", "--stamp", stamp],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)


@pytest.mark.parametrize("mode", ["exchange", "two renames"])
def test_a_build_killed_at_any_moment_leaves_the_old_or_the_new_output(tmp_path: Path, mode: str) -> None:
    env = dict(os.environ, TOUCHDSL_TEST_SWAP_PAUSE="0.05")
    if mode == "two renames":
        env["TOUCHDSL_TEST_SWAP_FALLBACK"] = "1"
    # the two complete builds the output may hold
    trees = {}
    for stamp in ("old", "new"):
        _start(tmp_path / stamp, stamp, env).wait(timeout=60)
        trees[stamp] = snapshot(tmp_path / stamp)
    assert trees["old"] != trees["new"] and all(trees.values())
    shutil.copytree(tmp_path / "old", tmp_path / "build" / "out")
    out_dir = tmp_path / "build" / "out"
    started = time.monotonic()
    _start(tmp_path / "timing", "x", env).wait(timeout=60)
    duration = time.monotonic() - started

    rng = random.Random(20261201 + len(mode))
    state = "old"
    seen: set[str] = set()
    kills = 0
    # at least 14 kills, and on until both sides of the swap were hit (a loaded machine
    # stretches some builds), at most 60
    while kills < 14 or not {"killed before the swap", "killed after the swap"} <= seen and kills < 60:
        kills += 1
        other = "new" if state == "old" else "old"
        proc = _start(out_dir, other, env)
        time.sleep(rng.uniform(0, duration * 1.1))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        if os.path.lexists(out_dir):
            now = snapshot(out_dir)
            assert now in (trees["old"], trees["new"]), "the output is neither the old nor the new build"
            state = "old" if now == trees["old"] else "new"
        else:
            # only between the two renames of the fallback: the old output waits beside
            assert mode == "two renames"
            aside = [n for n in leftovers(out_dir.parent) if n.startswith(".touchdsl-old-")]
            assert len(aside) == 1 and snapshot(out_dir.parent / aside[0]) == trees[state]
            seen.add("set aside")  # the next build puts it back first
        seen.add("killed before the swap" if state != other else "killed after the swap")
    assert {"killed before the swap", "killed after the swap"} <= seen
    # the next build finishes, and tidies what the killed ones left
    other = "new" if state == "old" else "old"
    assert _start(out_dir, other, env).wait(timeout=60) == 0
    assert snapshot(out_dir) == trees[other]
    assert leftovers(out_dir.parent) == []


def test_what_the_operating_system_leaves_in_a_folder_does_not_block_a_build(home: Path) -> None:
    out_dir = home / "build"
    out_dir.mkdir()
    (out_dir / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    assert build(str(home / "proj"), "-o", str(out_dir), "-t", "json")[0] == 0
    (out_dir / "json" / "Thumbs.db").write_bytes(b"x")
    (out_dir / "desktop.ini").write_text("[.ShellClassInfo]\n", encoding="utf-8")
    code, out = build(str(home / "proj"), "-o", str(out_dir), "-t", "json")
    assert code == 0, out


@pytest.mark.parametrize("make, words", [
    (lambda h: (h / "loop").symlink_to(h / "loop"), "leads back to itself"),
    (lambda h: None, "longer than 200 bytes"),
])
def test_outputs_that_cannot_be_a_folder_are_usage_errors(home: Path, make, words: str) -> None:
    make(home)
    name = "loop" if "itself" in words else "o" * 201
    before = snapshot(home)
    code, out = build(str(home / "proj"), "-o", str(home / name), "-t", "json")
    assert code == 2 and words in out and "nothing written" in out
    assert snapshot(home) == before
