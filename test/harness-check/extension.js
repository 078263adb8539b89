// @ts-check
// Throwaway extension used only by test/tools/code-server.test.mjs to prove the harness.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const vscode = require("vscode");

const LINE = "Hello from harness-check";

/** Where "Harness: Hello" writes: $HARNESS_HELLO_FILE, else <first workspace folder>/harness-hello.txt. */
function helloFile() {
  if (process.env.HARNESS_HELLO_FILE) return process.env.HARNESS_HELLO_FILE;
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error("Harness: Hello needs an open folder");
  return path.join(folder.uri.fsPath, "harness-hello.txt");
}

/** @param {vscode.ExtensionContext} context */
function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand("harnessCheck.hello", () => {
      const file = helloFile();
      fs.appendFileSync(file, `${LINE}\n`);
      // Not awaited: the promise only settles when the toast is dismissed.
      void vscode.window.showInformationMessage(`Harness: wrote "${LINE}" to ${path.basename(file)}`);
      return file;
    }),
  );
}

function deactivate() {}

module.exports = { activate, deactivate, LINE };
