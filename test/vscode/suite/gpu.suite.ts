// The walkthrough's commands in the real extension host, on the tiny model with the test
// settings (gpu off, 1 thread): "Show GPU Status" and "Compare an Example Pair".

import assert from "node:assert/strict";
import * as vscode from "vscode";
import type { Judgment } from "../../../src/core/judgment";
import { panelTab } from "./helpers";

describe("walkthrough commands", function () {
  this.timeout(180_000);

  it("Show GPU Status says which llama.cpp build runs, why, and which binary", async () => {
    const text = await vscode.commands.executeCommand<string>("brrm.gpuStatus");
    assert.match(text, /^BR-RM's local model runs on CPU: GPU turned off by the gpu setting\. Binary: @node-llama-cpp\/linux-x64 \(llama\.cpp [^)]+\)\.$/);
  });

  it("Compare an Example Pair judges the labelled example in the panel", async () => {
    const j = await vscode.commands.executeCommand<Judgment | undefined>("brrm.compareExample");
    assert.ok(j && (j.verdict === 1 || j.verdict === 2), `verdict ${j?.verdict}: ${j?.error?.message}`);
    assert.ok(panelTab(), "the panel shows it");
  });
});
