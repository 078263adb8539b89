// The status bar item: which backend and model, whether it is loaded, loading, ready or
// running, and which llama.cpp build (GPU or CPU) a local model runs on and why. A click opens
// the backend picker.

import * as vscode from "vscode";
import { COMPUTE_NAME, describeChoice, type ComputeChoice } from "../core/gpuChoice";
import { modelLabel, type BackendManager, type BackendState } from "./backendManager";
import { readSettings } from "./settings";

const STATE_TEXT: Record<BackendState["kind"], string> = {
  notLoaded: "not loaded",
  loading: "loading",
  ready: "ready",
  running: "running",
  error: "error",
};

const ICON: Record<BackendState["kind"], string> = {
  notLoaded: "$(circle-outline)",
  loading: "$(loading~spin)",
  ready: "$(check)",
  running: "$(sync~spin)",
  error: "$(error)",
};

/** "Vulkan: CUDA runtime not found (NVIDIA RTX 4090)": the build that runs, why, and its GPUs. */
export function computeText(compute: ComputeChoice): string {
  return `${describeChoice(compute)}${compute.devices.length > 0 ? ` (${compute.devices.join(", ")})` : ""}`;
}

/** "local · Qwen3-Nemotron-8B-BRRM-GGUF:Q4_K_M · ready · CPU: no NVIDIA driver": the status bar's and the panel's. */
export function backendSummary(state: BackendState, compute?: ComputeChoice): string {
  const settings = readSettings();
  const detail = state.kind === "loading" ? state.detail : STATE_TEXT[state.kind];
  return `${settings.backend} · ${modelLabel(settings)} · ${detail}${compute ? ` · ${computeText(compute)}` : ""}`;
}

export class BackendStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem("brrm.status", vscode.StatusBarAlignment.Right, 100);
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly backends: BackendManager) {
    this.item.name = "BR-RM backend";
    this.item.command = "brrm.selectBackend";
    this.subscriptions.push(backends.onDidChangeState(() => this.render()));
    this.render();
    this.item.show();
  }

  /** Settings changed (model, backend): the label changes even before anything loads. */
  render(): void {
    const state = this.backends.currentState;
    const compute = this.backends.compute;
    const settings = readSettings();
    this.item.text = `${ICON[state.kind]} BR-RM: ${modelLabel(settings)}${compute ? ` · ${COMPUTE_NAME[compute.compute]}` : ""}`;
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendText(`BR-RM backend: ${settings.backend}\nModel: ${modelLabel(settings)}\nState: ${state.kind === "loading" ? state.detail : STATE_TEXT[state.kind]}`);
    if (compute) tooltip.appendText(`\nRuns on: ${computeText(compute)}`);
    if (state.kind === "error") tooltip.appendText(`\n${state.message}`);
    tooltip.appendMarkdown("\n\nClick to select the backend and model.");
    this.item.tooltip = tooltip;
    this.item.accessibilityInformation = { label: `BR-RM ${settings.backend} backend, model ${modelLabel(settings)}, ${compute ? `on ${COMPUTE_NAME[compute.compute]}, ` : ""}${STATE_TEXT[state.kind]}` };
    this.item.backgroundColor = state.kind === "error" ? new vscode.ThemeColor("statusBarItem.errorBackground") : undefined;
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.item.dispose();
  }
}
