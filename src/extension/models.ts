// "Select Backend and Model…" and "Download Model": choosing what judges, and fetching it ahead
// of the first comparison. Choices are written to user settings (see settings.ts for why).

import * as vscode from "vscode";
import { DEFAULT_MODEL } from "../backends/llamaCpp";
import { errorMessage, isCancelled } from "../core/errors";
import type { BackendManager } from "./backendManager";
import type { ApiKeyStore } from "./secrets";
import { readSettings, shadowedByWorkspace, updateUserSettings } from "./settings";

type Choice = "file" | "recommended" | "hf" | "endpoint" | "apiKey" | "settings";

interface PickItem extends vscode.QuickPickItem {
  choice: Choice;
}

const HF_PATTERN = /^(hf:|huggingface:|https?:\/\/)\S+$/i;

export async function selectBackendAndModel(apiKeys: ApiKeyStore): Promise<boolean> {
  const settings = readSettings();
  const hasKey = (await apiKeys.get()) !== undefined;
  const current = (kind: "local" | "openai", detail: string) => (settings.backend === kind ? `$(check) ${detail}` : detail);
  const items: PickItem[] = [
    { label: "Local model", kind: vscode.QuickPickItemKind.Separator, choice: "file" },
    { choice: "file", label: "$(file) Local GGUF file…", detail: "A .gguf file on this machine, run with llama.cpp" },
    { choice: "recommended", label: "$(cloud-download) Recommended BR-RM model", description: DEFAULT_MODEL, detail: "Qwen3-Nemotron-8B-BRRM, Q4_K_M (5 GB): downloaded on first use" },
    { choice: "hf", label: "$(link) Hugging Face URI or URL…", detail: "hf:user/repo:quant, hf:user/repo/file.gguf or an https URL of a .gguf file" },
    { label: "Endpoint", kind: vscode.QuickPickItemKind.Separator, choice: "endpoint" },
    {
      choice: "endpoint",
      label: "$(server) OpenAI-compatible endpoint…",
      detail: "llama-server, vLLM, SGLang, Ollama or a hosted API serving a BR-RM model",
      ...(settings.backend === "openai" ? { description: current("openai", `${settings.openai.baseUrl} · ${settings.openai.model}`) } : {}),
    },
    { choice: "apiKey", label: "$(key) Set API Key…", description: hasKey ? "a key is stored" : "no key stored", detail: "Kept in VS Code's secret storage" },
    { label: "", kind: vscode.QuickPickItemKind.Separator, choice: "settings" },
    { choice: "settings", label: "$(settings-gear) Open BR-RM Settings" },
  ];
  if (settings.backend === "local") items[1].description = current("local", `current: ${settings.local.model}`);

  const picked = await vscode.window.showQuickPick(items, { title: "BR-RM: Select Backend and Model", placeHolder: `Now: ${settings.backend} · ${settings.backend === "local" ? settings.local.model : settings.openai.model}`, ignoreFocusOut: true });
  if (!picked) return false;

  switch (picked.choice) {
    case "file": {
      const files = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: "Use this model", filters: { "GGUF models": ["gguf"], "All files": ["*"] }, title: "BR-RM: pick a GGUF model" });
      if (!files?.[0]) return false;
      return save({ backend: "local", "local.model": files[0].fsPath });
    }
    case "recommended":
      return save({ backend: "local", "local.model": DEFAULT_MODEL });
    case "hf": {
      const uri = await vscode.window.showInputBox({
        title: "BR-RM: model URI",
        value: settings.local.model.match(HF_PATTERN) ? settings.local.model : DEFAULT_MODEL,
        prompt: "A Hugging Face URI (hf:user/repo:quant) or an https URL of a .gguf file",
        ignoreFocusOut: true,
        validateInput: (v) => (HF_PATTERN.test(v.trim()) ? undefined : "Start with hf: or https://"),
      });
      if (!uri) return false;
      return save({ backend: "local", "local.model": uri.trim() });
    }
    case "endpoint": {
      const baseUrl = await vscode.window.showInputBox({
        title: "BR-RM: endpoint (1/2)",
        prompt: "The base URL of the OpenAI-compatible API (the part before /chat/completions)",
        value: settings.openai.baseUrl || "http://127.0.0.1:8080/v1",
        ignoreFocusOut: true,
        validateInput: (v) => {
          try {
            const u = new URL(v.trim());
            return u.protocol === "http:" || u.protocol === "https:" ? undefined : "Use an http:// or https:// URL";
          } catch {
            return "Not a URL";
          }
        },
      });
      if (!baseUrl) return false;
      const model = await vscode.window.showInputBox({
        title: "BR-RM: endpoint (2/2)",
        prompt: "The model name the endpoint serves",
        value: settings.openai.model,
        placeHolder: "nvidia/Qwen3-Nemotron-8B-BRRM",
        ignoreFocusOut: true,
        validateInput: (v) => (v.trim() ? undefined : "The endpoint needs a model name"),
      });
      if (!model) return false;
      const saved = await save({ backend: "openai", "openai.baseUrl": baseUrl.trim(), "openai.model": model.trim() });
      if (saved && !hasKey) {
        const answer = await vscode.window.showInformationMessage("BR-RM: does this endpoint need an API key?", "Set API Key", "No key needed");
        if (answer === "Set API Key") await apiKeys.prompt();
      }
      return saved;
    }
    case "apiKey":
      return apiKeys.prompt();
    case "settings":
      await vscode.commands.executeCommand("workbench.action.openSettings", "@ext:brrm-judge.brrm-judge");
      return false;
  }
}

async function save(values: Parameters<typeof updateUserSettings>[0]): Promise<boolean> {
  await updateUserSettings(values);
  const shadowed = shadowedByWorkspace(Object.keys(values));
  if (shadowed.length > 0 && vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage(`BR-RM: saved in your user settings, but this folder's settings override ${shadowed.map((k) => `brrm.${k}`).join(", ")}.`);
  }
  return true;
}

/** Downloads (when remote) and loads the configured model, so the first comparison starts at once. */
export async function downloadModel(backends: BackendManager, log: vscode.LogOutputChannel): Promise<boolean> {
  const settings = readSettings();
  if (settings.backend !== "local") {
    void vscode.window.showInformationMessage(`BR-RM: the ${settings.backend} backend runs the model on the endpoint; there is nothing to download.`);
    return false;
  }
  const controller = new AbortController();
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `BR-RM: ${settings.local.model}`, cancellable: true }, async (progress, token) => {
    const onCancel = token.onCancellationRequested(() => controller.abort());
    let last = 0;
    try {
      await backends.load(controller.signal, (p) => {
        if (p.phase === "download") {
          const fraction = p.totalBytes > 0 ? p.downloadedBytes / p.totalBytes : 0;
          progress.report({ message: `downloading ${(p.downloadedBytes / 1e6).toFixed(0)} of ${(p.totalBytes / 1e6).toFixed(0)} MB`, increment: (fraction - last) * 100 });
          last = fraction;
        } else {
          progress.report({ message: `loading ${Math.round(p.fraction * 100)}%` });
        }
      });
      void vscode.window.showInformationMessage("BR-RM: the model is downloaded and loaded.");
      return true;
    } catch (e) {
      if (isCancelled(e) || controller.signal.aborted) return false;
      log.error(`Download Model: ${errorMessage(e)}`);
      void vscode.window.showErrorMessage(`BR-RM: ${errorMessage(e)}`);
      return false;
    } finally {
      onCancel.dispose();
    }
  });
}
