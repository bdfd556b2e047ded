"""The documentation of fmt, diff and CI says what the commands really do.

The examples in docs/fmt.md and docs/diff.md are produced by the commands; every
`touchdsl …` command line in docs/ci.md is accepted by the command line parser;
the pre-commit hooks run the way pre-commit runs them.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
import yaml

from tests.paths import REPO
from tests.tools import require_tool
from touchdsl.cli import cli
from touchdsl.tools.fmt import format_source

DOCS = REPO / "docs"


def blocks(path: Path, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", path.read_text(encoding="utf-8"), re.S)


def test_fmt_doc_example_is_what_fmt_prints():
    before, after = blocks(DOCS / "fmt.md", "touch")[:2]
    out, errors = format_source(before, "support.touch")
    assert not errors
    assert out == after


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
                   cwd=cwd, check=True, capture_output=True)


def test_diff_doc_example_is_what_diff_prints(tmp_path):
    require_tool("git")
    shutil.copytree(REPO / "examples" / "telecom", tmp_path / "examples" / "telecom")
    _git(tmp_path, "init", "-q", "-b", "main")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "base")
    support = tmp_path / "examples" / "telecom" / "support.touch"
    text = support.read_text(encoding="utf-8")
    for old, new in [("promise 80% within 30s", "promise 80% within 45s"), ("owner billing\n", "owner field_ops\n"),
                     ("promise at most 20", "promise at most 30"), ("per 7d", "per 14d"),
                     ("channels phone, chat", "channels phone"), ("updates every 4h", "updates every 2h")]:
        assert old in text
        text = text.replace(old, new, 1)
    support.write_text(text, encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "touchdsl.cli", "diff", "git:main", "examples/telecom"],
                         cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    (documented,) = blocks(DOCS / "diff.md", "text")
    assert run.stdout == documented
    run = subprocess.run([sys.executable, "-m", "touchdsl.cli", "diff", "git:main", "examples/telecom",
                          "--fail-on", "breaking"], cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 1


def _touchdsl_commands(text: str) -> list[str]:
    """`touchdsl …` command lines in shell and YAML blocks (folded `>` scalars joined)."""
    found = []
    for block in re.findall(r"```(?:sh|yaml)\n(.*?)```", text, re.S):
        joined = re.sub(r">\n\s+", "", block)
        joined = re.sub(r"\n\s{10,}(?=--)", " ", joined)
        for line in joined.splitlines():
            m = re.search(r"(?:run: |^\s*)(touchdsl [^#\n]*)", line)
            if m:
                found.append(m.group(1).split(" > ")[0].strip())
    return found


@pytest.mark.parametrize("doc", ["ci.md", "diff.md", "fmt.md"])
def test_documented_command_lines_parse(doc):
    commands = _touchdsl_commands((DOCS / doc).read_text(encoding="utf-8"))
    assert commands
    for line in commands:
        args = shlex.split(line)[1:]
        args = [a for a in args if a not in ("[PATHS…]", "[--check]", "[--diff]")]
        if any(a.startswith("[") or a in ("OLD", "NEW") for a in args):
            continue  # a synopsis, not a command line
        name, rest = args[0], args[1:]
        command = cli.get_command(click.Context(cli), name)
        assert command is not None, line
        command.make_context(name, rest)  # raises on an unknown option or value


def test_ci_workflow_uploads_sarif_and_gates_on_breaking_changes():
    (workflow,) = [yaml.safe_load(b) for b in blocks(DOCS / "ci.md", "yaml") if "jobs:" in b]
    steps = workflow["jobs"]["check"]["steps"]
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    check = next(s for s in steps if "touchdsl check" in s.get("run", ""))
    assert "--format sarif" in check["run"] and upload["with"]["sarif_file"] in check["run"]
    assert upload["if"] == "always()"
    assert workflow["jobs"]["check"]["permissions"]["security-events"] == "write"
    promises = workflow["jobs"]["promises"]["steps"]
    diff = next(s for s in promises if "touchdsl diff" in s.get("run", ""))
    assert "--fail-on breaking" in diff["run"] and "--format markdown" in diff["run"]
    assert "${{" not in diff["run"]  # expressions go through env, never into the script
    checkout = next(s for s in promises if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0
    comment = next(s for s in promises if s.get("uses", "").startswith("actions/github-script@"))
    assert "<!-- touchdsl-diff -->" in comment["with"]["script"]


# ---- pre-commit --------------------------------------------------------------------------

HOOKS = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))


def _hook(hook_id: str) -> dict:
    return next(h for h in HOOKS if h["id"] == hook_id)


def test_hook_manifest():
    assert {h["id"] for h in HOOKS} == {"touchdsl-check", "touchdsl-fmt"}
    for hook in HOOKS:
        assert {"id", "name", "entry", "language"} <= set(hook)
        assert hook["language"] == "python"
        files = re.compile(hook["files"])
        assert files.search("svc/telecom/support.touch")
        assert not files.search("support.touch.bak") and not files.search("touch.md")


def _run_hook(hook: dict, cwd: Path, filenames: list[str], args: list[str] = ()) -> subprocess.CompletedProcess:
    """Run a hook as pre-commit does: entry + args + (unless pass_filenames is false) the files."""
    entry = shlex.split(hook["entry"])
    assert entry[0] == "touchdsl"
    argv = [sys.executable, "-m", "touchdsl.cli", *entry[1:], *hook.get("args", []), *args]
    if hook.get("pass_filenames", True):
        argv += filenames
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True)


def test_fmt_hook_formats_the_staged_files(tmp_path):
    staged = tmp_path / "a.touch"
    staged.write_text('owner a "A" {\n  notify email "x"\n}\n', encoding="utf-8")
    other = tmp_path / "b.touch"
    other.write_text('owner b "B" {\n  notify email "y"\n}\n', encoding="utf-8")
    run = _run_hook(_hook("touchdsl-fmt"), tmp_path, ["a.touch"])
    assert run.returncode == 0, run.stderr
    assert staged.read_text(encoding="utf-8") == 'owner a "A" {\n    notify email "x"\n}\n'
    assert other.read_text(encoding="utf-8") == 'owner b "B" {\n  notify email "y"\n}\n'  # not staged


def test_check_hook_checks_whole_projects(tmp_path):
    project = tmp_path / "svc"
    project.mkdir()
    (project / "owners.touch").write_text('owner a "A" {\n    notify email "a@example.com"\n}\n', encoding="utf-8")
    tp = project / "tp.touch"
    tp.write_text('touchpoint t "T" {\n    owner a\n    expectation "E"\n    step s "S"\n'
                  '    metric m "M" {\n        nps\n        promise at least 1\n    }\n}\n', encoding="utf-8")
    hook = _hook("touchdsl-check")
    # Only tp.touch is staged, yet its owner lives in owners.touch: the whole project is checked.
    run = _run_hook(hook, tmp_path, ["svc/tp.touch"], ["svc"])
    assert run.returncode == 0, run.stdout + run.stderr
    tp.write_text(tp.read_text(encoding="utf-8").replace("owner a", "owner nobody"), encoding="utf-8")
    run = _run_hook(hook, tmp_path, ["svc/tp.touch"], ["svc"])
    assert run.returncode == 1 and "nobody" in run.stdout
