// @ts-check
"use strict";
const assert = require("node:assert/strict");
const fs = require("node:fs");
const vscode = require("vscode");

const EXTENSION_ID = "brrm-test.harness-check";

describe("harness-check", function () {
  it("is present and its command writes the file", async function () {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not loaded`);
    const contributed = ext.packageJSON.contributes.commands.map((/** @type {{ command: string }} */ c) => c.command);
    assert.deepEqual(contributed, ["harnessCheck.hello"]);

    // The command activates the extension (commands are registered only on activation).
    /** @type {string} */
    const file = await vscode.commands.executeCommand("harnessCheck.hello");
    assert.ok(ext.isActive, "running the command should activate the extension");
    const registered = await vscode.commands.getCommands(true);
    assert.ok(registered.includes("harnessCheck.hello"), "harnessCheck.hello is not registered");
    const text = fs.readFileSync(file, "utf8");
    assert.match(text, /Hello from harness-check/);
    console.log(`harness-check wrote ${file}`);

    if (process.env.HARNESS_CHECK_FAIL === "1") {
      assert.fail("deliberate failure (HARNESS_CHECK_FAIL=1)");
    }
  });

  it("can call vscode.window.showInformationMessage", async function () {
    // The promise settles only when the toast is dismissed, so don't await it to the end.
    const pending = vscode.window.showInformationMessage("harness-check: information message from the suite");
    assert.equal(typeof pending.then, "function");
    const settled = await Promise.race([
      Promise.resolve(pending).then(() => "settled", (err) => `rejected: ${err}`),
      new Promise((r) => setTimeout(() => r("pending"), 200)),
    ]);
    assert.notEqual(String(settled).slice(0, 8), "rejected", String(settled));
  });
});
