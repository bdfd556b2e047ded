"""The VS Code extension: manifest, language configuration, TextMate grammar and extension.js.

The grammar is exercised by a small TextMate-style scanner (first match wins,
earliest position first, begin/end rules on a stack) using Python `re`, which
accepts the Oniguruma subset the grammar is written in.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from tests.paths import REPO

EXT = REPO / "editors" / "vscode"
GRAMMAR_PATH = EXT / "syntaxes" / "touch.tmLanguage.json"
EXAMPLES = sorted((REPO / "examples").rglob("*.touch"))


def load(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


# ---- a minimal TextMate scanner ----------------------------------------------------


@dataclass
class Token:
    text: str
    scopes: tuple[str, ...]


class Scanner:
    def __init__(self, grammar: dict):
        self.grammar = grammar
        self.repo = grammar["repository"]
        self._compiled: dict[str, re.Pattern] = {}

    def rx(self, source: str) -> re.Pattern:
        if source not in self._compiled:
            self._compiled[source] = re.compile(source)
        return self._compiled[source]

    def flatten(self, patterns: list[dict]) -> list[dict]:
        out: list[dict] = []
        for p in patterns:
            if "include" in p:
                out.extend(self.flatten([self.repo[p["include"].lstrip("#")]]))
            elif "patterns" in p and "match" not in p and "begin" not in p:
                out.extend(self.flatten(p["patterns"]))
            else:
                out.append(p)
        return out

    @staticmethod
    def _captured(m: re.Match, base: tuple[str, ...], captures: dict) -> list[Token]:
        """Split a match into tokens by its named capture groups (non-nested, as the grammar uses)."""
        pieces: list[Token] = []
        pos = m.start()
        for group in sorted((int(k) for k in captures if k != "0" and m.start(int(k)) >= 0),
                            key=lambda g: m.start(g)):
            if m.start(group) > pos:
                pieces.append(Token(m.string[pos:m.start(group)], base))
            if m.end(group) > m.start(group):
                pieces.append(Token(m.group(group), base + (captures[str(group)]["name"],)))
            pos = max(pos, m.end(group))
        if pos < m.end():
            pieces.append(Token(m.string[pos:m.end()], base))
        if "0" in captures:
            pieces = [Token(t.text, t.scopes + (captures["0"]["name"],)) for t in pieces]
        return pieces

    def tokenize(self, text: str) -> list[list[Token]]:
        stack: list[dict] = []
        lines: list[list[Token]] = []
        for line in text.split("\n"):
            out: list[Token] = []
            pos = 0
            while True:
                scopes = tuple(r["name"] for r in stack if "name" in r)
                patterns = self.flatten(stack[-1].get("patterns", []) if stack else self.grammar["patterns"])
                best = None
                if stack:
                    m = self.rx(stack[-1]["end"]).search(line, pos)
                    if m:
                        best = (m.start(), -1, "end", m, stack[-1])
                for order, p in enumerate(patterns):
                    m = self.rx(p.get("match") or p["begin"]).search(line, pos)
                    if m and (best is None or m.start() < best[0]):
                        best = (m.start(), order, "match" if "match" in p else "begin", m, p)
                if best is None or (best[3].end() == pos and best[2] != "end" and pos >= len(line)):
                    if pos < len(line):
                        out.append(Token(line[pos:], scopes))
                    break
                _, _, kind, m, rule = best
                if m.start() > pos:
                    out.append(Token(line[pos:m.start()], scopes))
                if kind == "end":
                    out.extend(self._captured(m, scopes, rule.get("endCaptures", {})))
                    stack.pop()
                elif kind == "begin":
                    stack.append(rule)
                    inner = scopes + ((rule["name"],) if "name" in rule else ())
                    out.extend(self._captured(m, inner, rule.get("beginCaptures", {})))
                else:
                    inner = scopes + ((rule["name"],) if "name" in rule else ())
                    out.extend(self._captured(m, inner, rule.get("captures", {})))
                if m.end() == pos and kind == "match":
                    raise AssertionError(f"empty match of {rule!r} would loop")
                pos = m.end()
                if pos >= len(line) and kind != "begin" and not (stack and self.rx(stack[-1]["end"]).match(line, pos)):
                    break
            lines.append([t for t in out if t.text])
        return lines


@pytest.fixture(scope="module")
def grammar() -> dict:
    return load(GRAMMAR_PATH)


@pytest.fixture(scope="module")
def scanner(grammar) -> Scanner:
    return Scanner(grammar)


def scopes_of(scanner: Scanner, text: str) -> list[tuple[str, tuple[str, ...]]]:
    return [(t.text, t.scopes) for line in scanner.tokenize(text) for t in line if t.text.strip()]


def scope_at(scanner: Scanner, text: str, word: str) -> tuple[str, ...]:
    for t, scopes in scopes_of(scanner, text):
        if t == word:
            return scopes
    raise AssertionError(f"{word!r} is not a token of {text!r}: {scopes_of(scanner, text)}")


# ---- manifest and configuration ---------------------------------------------------


def test_manifest_points_at_real_files():
    manifest = load(EXT / "package.json")
    assert (EXT / manifest["main"]).is_file()
    [language] = manifest["contributes"]["languages"]
    assert language["id"] == "touch" and ".touch" in language["extensions"]
    assert (EXT / language["configuration"]).is_file()
    [grammar] = manifest["contributes"]["grammars"]
    assert grammar["language"] == "touch" and grammar["scopeName"] == "source.touch"
    assert (EXT / grammar["path"]).resolve() == GRAMMAR_PATH
    assert "vscode-languageclient" in manifest["dependencies"]
    assert manifest["engines"]["vscode"].startswith("^")
    settings = manifest["contributes"]["configuration"]["properties"]
    assert settings["touchdsl.server.command"]["default"] == "touchdsl"
    assert settings["touchdsl.server.args"]["default"] == ["lsp"]
    assert not (EXT / "node_modules").exists()


def test_language_configuration_regexes_compile():
    config = load(EXT / "language-configuration.json")
    assert config["comments"]["lineComment"] == "#"
    for source in (config["wordPattern"], config["folding"]["markers"]["start"],
                   config["folding"]["markers"]["end"], *config["indentationRules"].values()):
        re.compile(source)
    assert re.fullmatch(config["wordPattern"], "field_ops")
    assert re.fullmatch(config["wordPattern"], "1.5h")
    assert re.search(config["indentationRules"]["increaseIndentPattern"], 'owner x "X" {  # c')
    assert not re.search(config["indentationRules"]["increaseIndentPattern"], 'note "{"')


def test_grammar_regexes_compile(grammar):
    sources = []

    def walk(node):
        if isinstance(node, dict):
            for key in ("match", "begin", "end"):
                if key in node:
                    sources.append(node[key])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(grammar)
    assert len(sources) > 20
    for source in sources:
        re.compile(source)


def test_grammar_includes_resolve(grammar):
    text = GRAMMAR_PATH.read_text(encoding="utf-8")
    for name in re.findall(r'"include":\s*"#([^"]+)"', text):
        assert name in grammar["repository"], name


# ---- highlighting ------------------------------------------------------------------


def lark_keywords() -> list[str]:
    lark = (REPO / "grammar" / "touch.lark").read_text(encoding="utf-8")
    code = "\n".join(line.split("//")[0] for line in lark.splitlines())
    return sorted(set(re.findall(r'"([a-z]+)"', code)))


def test_every_grammar_keyword_is_highlighted(scanner):
    keywords = lark_keywords()
    assert {"touchpoint", "promise", "escalate", "within"} <= set(keywords)
    for word in keywords:
        scopes = scope_at(scanner, f"    {word}\n", word)
        assert any(s.startswith(("keyword.", "storage.type")) for s in scopes), (word, scopes)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_examples_have_no_invalid_scopes(scanner, path: Path):
    text = path.read_text(encoding="utf-8")
    lines = scanner.tokenize(text)
    assert ["".join(t.text for t in line) for line in lines] == text.split("\n")
    bad = [(n + 1, t.text, t.scopes) for n, line in enumerate(lines) for t in line
           if any(s.startswith("invalid.") for s in t.scopes)]
    assert bad == []


def test_sample_scopes(scanner):
    text = (
        'owner field_ops "Field Operations" {\n'
        '    manager "Dana Levi" <dana.levi@example.com>   # the accountable manager\n'
        "}\n"
        'calendar il "IL" {\n    hours sun-thu 08:00-18:00\n    closed 2026-09-21\n}\n'
        'touchpoint tp "T" {\n'
        "    owner field_ops\n"
        '    step notify "Tell \\"them\\" \\u{05D0}" by field_ops via sms\n'
        "    metric m \"M\" {\n"
        "        time from notify.start to notify.answered on il\n"
        "        promise 80% within 1.5h\n"
        "        target at least -100\n"
        "        score 1..5\n"
        "    }\n"
        '    note """\n        "quoted" # not a comment\n    """\n'
        "}\n"
    )
    tokens = scopes_of(scanner, text)
    by_text: dict[str, list[tuple[str, ...]]] = {}
    for t, scopes in tokens:
        by_text.setdefault(t, []).append(scopes)
    assert "storage.type.touch" in by_text["owner"][0]
    assert "entity.name.type.touch" in by_text["field_ops"][0]
    assert "variable.other.touch" in by_text["field_ops"][1]  # the touchpoint's owner
    assert "keyword.other.touch" in by_text["owner"][1]
    assert "string.other.email.touch" in by_text["<dana.levi@example.com>"][0]
    assert "comment.line.number-sign.touch" in by_text["# the accountable manager"][0]
    assert "support.constant.weekday.touch" in by_text["sun"][0]
    assert by_text["08:00"][0][-1] == "constant.other.time.touch"
    assert by_text["18:00"][0][-1] == "constant.other.time.touch"
    assert by_text["2026-09-21"][0][-1] == "constant.other.date.touch"
    assert "entity.name.function.touch" in by_text["notify"][0]
    assert "support.constant.moment.touch" in by_text["start"][0]
    assert "variable.other.property.touch" in by_text["answered"][0]
    assert "constant.character.escape.touch" in by_text['\\"'][0]
    assert "constant.character.escape.touch" in by_text["\\u{05D0}"][0]
    assert "support.constant.channel.touch" in by_text["sms"][0]
    assert by_text["80"][0][-1] == "constant.numeric.percentage.touch"
    assert by_text["%"][0][-1] == "keyword.other.unit.percent.touch"
    assert by_text["1.5"][0][-1] == "constant.numeric.duration.touch"
    assert by_text["h"][0][-1] == "keyword.other.unit.touch"
    assert by_text["-100"][0][-1] == "constant.numeric.touch"
    assert by_text[".."][0][-1] == "keyword.operator.range.touch"
    quoted = [s for t, s in tokens if "quoted" in t]
    assert quoted and all("string.quoted.triple.touch" in s for s in quoted)
    assert not any("comment.line.number-sign.touch" in s for t, s in tokens if "not a comment" in t)
    assert not any(s.startswith("invalid.") for _, scopes in tokens for s in scopes)


def test_problems_are_marked(scanner):
    assert any(s.startswith("invalid.") for s in scope_at(scanner, 'note "a \\q b"', "\\q"))
    assert any(s.startswith("invalid.") for s in scope_at(scanner, "owner Field_Ops", "Field_Ops"))
    assert any(s.startswith("invalid.") for s in scope_at(scanner, "owner x @", "@"))


# ---- extension.js -------------------------------------------------------------------

# Runs extension.js under Node with stand-ins for `vscode` and the language client,
# and prints what the extension asked them to do.
ACTIVATE_SCRIPT = r"""
const Module = require("module");
const calls = { clients: [] };
const config = { "server.command": "${workspaceFolder}/.venv/bin/touchdsl", "server.args": ["lsp"] };
const vscode = {
  workspace: {
    workspaceFolders: [{ uri: { fsPath: "/proj" } }],
    getConfiguration: (section) => ({ get: (key, dflt) => (key in config ? config[key] : dflt) }),
    createFileSystemWatcher: (glob) => ({ glob }),
    onDidChangeConfiguration: () => ({ dispose() {} }),
  },
  commands: { registerCommand: (name) => { calls.command = name; return { dispose() {} }; } },
  window: { showErrorMessage: (msg) => { calls.error = msg; } },
};
class LanguageClient {
  constructor(id, name, server, client) {
    calls.clients.push({ id, name, server, selector: client.documentSelector,
                         watch: client.synchronize.fileEvents.glob });
  }
  async start() { calls.started = (calls.started || 0) + 1; }
  async stop() { calls.stopped = (calls.stopped || 0) + 1; }
}
const realLoad = Module._load;
Module._load = function (request, parent, isMain) {
  if (request === "vscode") return vscode;
  if (request === "vscode-languageclient/node") return { LanguageClient, TransportKind: { stdio: 0 } };
  return realLoad(request, parent, isMain);
};
const ext = require(process.argv[2]);
(async () => {
  const context = { subscriptions: [] };
  await ext.activate(context);
  calls.subscriptions = context.subscriptions.length;
  await ext.deactivate();
  console.log(JSON.stringify(calls));
})();
"""


def test_extension_starts_the_language_server(tmp_path):
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: extension.js not exercised")
    script = tmp_path / "activate.js"
    script.write_text(ACTIVATE_SCRIPT, encoding="utf-8")
    done = subprocess.run([node, str(script), str(EXT / "extension.js")], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    calls = json.loads(done.stdout)
    [client] = calls["clients"]
    assert client["server"]["run"]["command"] == "/proj/.venv/bin/touchdsl"
    assert client["server"]["run"]["args"] == ["lsp"]
    assert client["server"]["run"]["options"] == {"cwd": "/proj"}
    assert {"scheme": "file", "language": "touch"} in client["selector"]
    assert client["watch"] == "**/*.touch"
    assert calls["started"] == 1 and calls["stopped"] == 1
    assert calls["command"] == "touchdsl.restartServer"
    assert "error" not in calls
