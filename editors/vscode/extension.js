// The touch extension: starts `touchdsl lsp` over stdio and connects VS Code to it.
// Plain CommonJS so the extension runs without a build step; `npm install` fetches
// vscode-languageclient, the only dependency.
"use strict";

const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function serverOptions() {
  const config = vscode.workspace.getConfiguration("touchdsl");
  const folder = vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders[0];
  // Allow `${workspaceFolder}/.venv/bin/touchdsl`, the usual place in a project.
  const expand = (value) =>
    folder ? value.split("${workspaceFolder}").join(folder.uri.fsPath) : value;
  const run = {
    command: expand(config.get("server.command", "touchdsl")),
    args: config.get("server.args", ["lsp"]).map(expand),
    transport: TransportKind.stdio,
    options: folder ? { cwd: folder.uri.fsPath } : {},
  };
  return { run, debug: run };
}

function clientOptions() {
  return {
    documentSelector: [{ scheme: "file", language: "touch" }, { scheme: "untitled", language: "touch" }],
    synchronize: {
      // Edits made outside the editor (git checkout, fmt) change diagnostics too.
      fileEvents: vscode.workspace.createFileSystemWatcher("**/*.touch"),
    },
  };
}

async function start() {
  client = new LanguageClient("touchdsl", "touch", serverOptions(), clientOptions());
  try {
    await client.start();
  } catch (err) {
    const command = serverOptions().run.command;
    vscode.window.showErrorMessage(
      `touch: could not start the language server \`${command} lsp\` (${err && err.message ? err.message : err}). ` +
        "Install touchdsl (pip install touchdsl) or set `touchdsl.server.command`."
    );
  }
}

async function stop() {
  if (client) {
    const running = client;
    client = undefined;
    await running.stop();
  }
}

async function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand("touchdsl.restartServer", async () => {
      await stop();
      await start();
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration("touchdsl.server")) {
        await stop();
        await start();
      }
    })
  );
  await start();
}

function deactivate() {
  return stop();
}

module.exports = { activate, deactivate };
