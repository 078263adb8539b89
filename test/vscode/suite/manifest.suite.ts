import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULT_MODEL } from "../../../src/backends/llamaCpp";
import { DEFAULT_SAMPLING } from "../../../src/core/sampling";
import { RESTRICTED_KEYS, SETTING_DEFAULTS, SETTING_KEYS } from "../../../src/extension/settings";
import { extension } from "./helpers";

interface Manifest {
  activationEvents: string[];
  capabilities: { untrustedWorkspaces: { supported: string; restrictedConfigurations: string[] } };
  contributes: {
    commands: { command: string; title: string; category?: string }[];
    menus: Record<string, { command: string; when?: string }[]>;
    keybindings: { command: string; key: string }[];
    configuration: { properties: Record<string, { markdownDescription?: string; default?: unknown; scope?: string }> };
    walkthroughs: { id: string; steps: { id: string; description: string; media: { markdown: string }; completionEvents: string[] }[] }[];
  };
}

describe("package.json", () => {
  const manifest = () => extension().packageJSON as Manifest;

  it("contributes the commands of the issue, in category BR-RM", () => {
    const titles = Object.fromEntries(manifest().contributes.commands.map((c) => [c.command, `${c.category}: ${c.title}`]));
    assert.deepEqual(titles, {
      "brrm.compareResponses": "BR-RM: Compare Responses",
      "brrm.openPanel": "BR-RM: Open Judge Panel",
      "brrm.compareFiles": "BR-RM: Compare Two Files…",
      "brrm.selectBackend": "BR-RM: Select Backend and Model…",
      "brrm.downloadModel": "BR-RM: Download Model",
      "brrm.setApiKey": "BR-RM: Set API Key",
      "brrm.clearDiagnostics": "BR-RM: Clear Diagnostics",
      "brrm.cancel": "BR-RM: Cancel",
      "brrm.showAnalysis": "BR-RM: Show Analysis",
      "brrm.evaluateDataset": "BR-RM: Evaluate Dataset…",
      "brrm.newNotebook": "BR-RM: New Evaluation Notebook",
      "brrm.openAsNotebook": "BR-RM: Open as BR-RM Notebook",
      "brrm.compareVariants": "BR-RM: Compare Prompt Variants…",
      "brrm.notebookReport": "BR-RM: Show Notebook Report",
      "brrm.runBenchmark": "BR-RM: Run Benchmark…",
      "brrm.compareExample": "BR-RM: Compare an Example Pair",
      "brrm.gpuStatus": "BR-RM: Show GPU Status",
      "brrm.installCuda": "BR-RM: Install CUDA Acceleration",
      "brrm.removeCuda": "BR-RM: Remove CUDA Acceleration",
      "brrm.openWalkthrough": "BR-RM: Get Started",
    });
    const { menus, keybindings } = manifest().contributes;
    assert.ok(menus["editor/context"].some((m) => m.command === "brrm.compareResponses" && m.when?.includes("editorHasSelection")));
    assert.ok(menus["explorer/context"].some((m) => m.command === "brrm.compareFiles"));
    const evaluate = menus["explorer/context"].find((m) => m.command === "brrm.evaluateDataset")?.when ?? "";
    assert.match(evaluate, /explorerResourceIsFolder/, "Evaluate Dataset on a folder");
    for (const ext of [".jsonl", ".json", ".gz", ".parquet"]) assert.ok(new RegExp(evaluate.split("=~ ")[1].slice(1, -1)).test(ext), `Evaluate Dataset on ${ext}`);
    assert.ok(menus.commandPalette.some((m) => m.command === "brrm.showAnalysis" && m.when === "false"), "the quick fix's command is internal");
    assert.ok(keybindings.some((k) => k.command === "brrm.compareResponses"));
  });

  it("contributes exactly the settings the settings module reads, each with a markdown description", () => {
    const properties = manifest().contributes.configuration.properties;
    assert.deepEqual(Object.keys(properties).sort(), SETTING_KEYS.map((k) => `brrm.${k}`).sort());
    for (const [key, p] of Object.entries(properties)) assert.ok((p.markdownDescription ?? "").length > 40, `${key} needs a real markdownDescription`);
  });

  it("declares the same defaults as the code", () => {
    const properties = manifest().contributes.configuration.properties;
    for (const key of SETTING_KEYS) assert.deepEqual(properties[`brrm.${key}`].default, SETTING_DEFAULTS[key], `brrm.${key}`);
    assert.equal(SETTING_DEFAULTS["local.model"], DEFAULT_MODEL);
    assert.equal(SETTING_DEFAULTS["sampling.temperature"], DEFAULT_SAMPLING.temperature);
    assert.equal(SETTING_DEFAULTS["sampling.maxTokens"], DEFAULT_SAMPLING.maxTokens);
  });

  it("limits untrusted workspaces: endpoint, model and templates are restricted", () => {
    const { untrustedWorkspaces } = manifest().capabilities;
    assert.equal(untrustedWorkspaces.supported, "limited");
    assert.deepEqual([...untrustedWorkspaces.restrictedConfigurations].sort(), RESTRICTED_KEYS.map((k) => `brrm.${k}`).sort());
    for (const k of ["brrm.openai.baseUrl", "brrm.local.model", "brrm.promptTemplates"]) assert.ok(untrustedWorkspaces.restrictedConfigurations.includes(k));
  });

  it("contributes the getting-started walkthrough: each step's media exists and its buttons run contributed commands", () => {
    const { walkthroughs, commands } = manifest().contributes;
    const ids = new Set(commands.map((c) => c.command));
    assert.deepEqual(walkthroughs.map((w) => w.id), ["brrm.gettingStarted"]);
    const steps = walkthroughs[0].steps;
    assert.deepEqual(steps.map((s) => s.id), ["chooseBackend", "getModel", "gpu", "cuda", "firstComparison", "notebook"]);
    for (const step of steps) {
      assert.ok(fs.existsSync(path.join(extension().extensionPath, step.media.markdown)), `${step.id}: ${step.media.markdown}`);
      const buttons = [...step.description.matchAll(/\(command:([\w.]+)\)/g)].map((m) => m[1]);
      assert.ok(buttons.length > 0, `${step.id} has a button`);
      for (const b of buttons) assert.ok(ids.has(b), `${step.id} runs ${b}, which is not contributed`);
      for (const e of step.completionEvents.filter((x) => x.startsWith("onCommand:"))) assert.ok(ids.has(e.slice("onCommand:".length)), `${step.id}: ${e}`);
    }
  });

  it("the CUDA registry can be set in user settings only (a folder cannot redirect downloads)", () => {
    assert.equal(manifest().contributes.configuration.properties["brrm.cuda.registry"].scope, "machine");
  });

  it("activates lazily: on its commands (implicit), JSONL files and its panel, never on startup", () => {
    const events = manifest().activationEvents;
    assert.deepEqual(events.filter((e) => e === "*" || e.startsWith("onStartupFinished")), []);
    assert.ok(events.includes("onLanguage:jsonl"));
    assert.ok(events.includes("onWebviewPanel:brrm.judgePanel"));
  });
});
