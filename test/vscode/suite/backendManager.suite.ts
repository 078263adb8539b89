// The backend manager on its own (its own instance, beside the extension's): one backend kept
// alive, recreated when what defines it changes, freed after the run that still uses it.
// Real backends: the tiny model, and the OpenAI client against an address nothing listens on
// (creating it sends nothing).

import assert from "node:assert/strict";
import * as vscode from "vscode";
import { BackendManager, modelLabel } from "../../../src/extension/backendManager";
import { ApiKeyStore } from "../../../src/extension/secrets";
import { readSettings } from "../../../src/extension/settings";
import { MemorySecrets } from "./helpers";

const config = () => vscode.workspace.getConfiguration("brrm");
const global = vscode.ConfigurationTarget.Global;

describe("BackendManager", function () {
  this.timeout(120_000);
  let log: vscode.LogOutputChannel;
  let keys: ApiKeyStore;
  let manager: BackendManager;

  before(() => {
    log = vscode.window.createOutputChannel("BR-RM manager test", { log: true });
    keys = new ApiKeyStore(new MemorySecrets());
    manager = new BackendManager(keys, log);
  });
  after(async () => {
    await manager.dispose();
    keys.dispose();
    log.dispose();
  });

  it("loads the configured backend once and reuses it", async () => {
    const states: string[] = [];
    const sub = manager.onDidChangeState((s) => states.push(s.kind));
    try {
      const a = await manager.load();
      const b = await manager.load();
      assert.equal(a, b);
      assert.equal(a.kind, "local");
      assert.equal(manager.currentState.kind, "ready");
      assert.ok(states.includes("loading") && states.at(-1) === "ready", states.join());
    } finally {
      sub.dispose();
    }
  });

  it("a changed backend setting gives a new backend and frees the old one", async () => {
    const a = await manager.load();
    await config().update("local.contextSize", 2048, global);
    try {
      const b = await manager.load();
      assert.notEqual(a, b);
      await assert.rejects(a.startConversation(), /unloaded/);
      const c = await b.startConversation();
      c.dispose();
    } finally {
      await config().update("local.contextSize", undefined, global);
    }
  });

  it("a backend replaced while a run uses it stays usable until the run ends, then is freed", async () => {
    let used: Awaited<ReturnType<typeof manager.load>> | undefined;
    let replacement: Awaited<ReturnType<typeof manager.load>> | undefined;
    await manager.use(new AbortController().signal, () => {}, async (backend) => {
      used = backend;
      assert.equal(manager.currentState.kind, "running");
      manager.invalidate("a test changed the settings");
      // The replacement is loaded while the run still holds the old one.
      replacement = await manager.load();
      assert.notEqual(replacement, backend);
      const conversation = await backend.startConversation();
      conversation.dispose();
    });
    assert.ok(used && replacement);
    await assert.rejects(used.startConversation(), /unloaded/);
    assert.equal(manager.currentState.kind, "ready");
    (await replacement.startConversation()).dispose();
  });

  it("openai: needs an endpoint; takes the key from secret storage; a new key, a new client", async () => {
    await config().update("backend", "openai", global);
    try {
      await assert.rejects(manager.load(), /No endpoint is set/);
      assert.equal(manager.currentState.kind, "error");

      await config().update("openai.baseUrl", "http://127.0.0.1:9/v1", global);
      await config().update("openai.model", "brrm-test", global);
      assert.equal(modelLabel(readSettings()), "brrm-test");
      await keys.set("sk-first");
      const a = await manager.load();
      assert.equal(a.kind, "openai");
      assert.equal(await manager.load(), a);
      await keys.set("sk-second");
      const b = await manager.load();
      assert.notEqual(b, a, "a changed key must not keep the old client");

      await config().update("openai.extraBody", { messages: [] }, global);
      await assert.rejects(manager.load(), /may not set messages/);
    } finally {
      for (const k of ["backend", "openai.baseUrl", "openai.model", "openai.extraBody"]) await config().update(k, undefined, global);
    }
  });
});
