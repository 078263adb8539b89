import assert from "node:assert/strict";
import * as vscode from "vscode";
import { extension, mapped, panelTab, until } from "./helpers";

describe("activation", () => {
  it("is lazy: nothing of BR-RM runs before one of its commands", () => {
    assert.equal(extension().isActive, false);
  });

  it("a command activates it cheaply: the panel opens, node-llama-cpp stays unloaded", async () => {
    const started = Date.now();
    await vscode.commands.executeCommand("brrm.openPanel");
    const ms = Date.now() - started;
    assert.equal(extension().isActive, true);
    await until("the judge panel tab", () => panelTab());
    // The native engine loads on the first local comparison, never at activation.
    assert.equal(mapped("llama-addon.node"), false, "llama.cpp was loaded at activation");
    console.log(`      activation + panel: ${ms} ms`);
  });

  it("registers every command it contributes", async () => {
    const contributed = (extension().packageJSON as { contributes: { commands: { command: string }[] } }).contributes.commands.map((c) => c.command);
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(contributed.filter((c) => !registered.has(c)), []);
  });
});
