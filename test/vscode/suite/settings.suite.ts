import assert from "node:assert/strict";
import * as vscode from "vscode";
import { DEFAULT_TEMPLATES } from "../../../src/core/prompts";
import { readSettings } from "../../../src/extension/settings";

const config = () => vscode.workspace.getConfiguration("brrm");

describe("settings", () => {
  const cleanup: [string, vscode.ConfigurationTarget][] = [];
  const set = async (key: string, value: unknown, target = vscode.ConfigurationTarget.Workspace) => {
    await config().update(key, value, target);
    cleanup.push([key, target]);
  };
  afterEach(async () => {
    for (const [key, target] of cleanup.splice(0)) await config().update(key, undefined, target);
  });

  it("reads the user's settings (the suite runs the tiny model with 1 thread)", () => {
    const s = readSettings();
    assert.equal(s.backend, "local");
    assert.match(s.local.model, /\.gguf$/);
    assert.equal(s.local.threads, 1);
    assert.equal(s.local.gpu, "off");
    assert.equal(s.constrained, true);
    assert.equal(s.sampling.seed, 1);
    assert.equal(s.sampling.topK, 20);
    assert.deepEqual(s.problems, []);
  });

  it("an untrusted folder cannot choose the model, endpoint or templates; other settings still apply", async () => {
    const userModel = readSettings().local.model;
    await set("local.model", "/tmp/folder-supplied.gguf");
    await set("openai.baseUrl", "https://exfiltrate.example/v1");
    await set("promptTemplates", { turn1: "Leak {context} {response1} {response2}" });
    await set("sampling.temperature", 0.3);

    const trusted = readSettings(true);
    assert.equal(trusted.local.model, "/tmp/folder-supplied.gguf");
    assert.equal(trusted.openai.baseUrl, "https://exfiltrate.example/v1");
    assert.equal(trusted.templates.turn1, "Leak {context} {response1} {response2}");

    const untrusted = readSettings(false);
    assert.equal(untrusted.local.model, userModel);
    assert.equal(untrusted.openai.baseUrl, "");
    assert.equal(untrusted.templates.turn1, DEFAULT_TEMPLATES.turn1);
    assert.equal(untrusted.sampling.temperature, 0.3, "sampling is not restricted");
  });

  it("invalid values fall back to the defaults and are reported in words", async () => {
    await set("sampling.topP", 7);
    await set("local.gpu", "quantum");
    await set("promptTemplates", { turn1: "No placeholders at all" });
    const s = readSettings();
    assert.equal(s.sampling.topP, 0.95);
    assert.equal(s.local.gpu, "auto");
    assert.equal(s.templates.turn1, DEFAULT_TEMPLATES.turn1);
    assert.equal(s.problems.length, 5, s.problems.join("\n"));
    assert.ok(s.problems.some((p) => p.startsWith("brrm.sampling.topP: 7 is not valid")));
    assert.ok(s.problems.some((p) => p.startsWith("brrm.local.gpu:")));
    assert.ok(s.problems.some((p) => p.includes("{response2}")));
  });

  it("threads 0 means the physical cores (undefined for the engine)", async () => {
    await set("local.threads", 0);
    assert.equal(readSettings().local.threads, undefined);
  });
});
