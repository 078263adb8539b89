// Keeps one backend alive for the window and recreates it when its settings or the API key
// change. Loading a local model takes seconds to minutes, so the same backend serves every
// comparison until something that defines it changes; node-llama-cpp itself is imported only
// when the first local backend is created, never at activation.

import * as path from "node:path";
import * as vscode from "vscode";
import { createBackend, type BackendConfig } from "../backends";
import { disposeLocalEngine, type LoadProgress } from "../backends/llamaCpp";
import { extraBodyProblem } from "../backends/openai";
import type { JudgeBackend } from "../core/backend";
import { BrrmError, errorMessage, isCancelled } from "../core/errors";
import type { ComputeChoice } from "../core/gpuChoice";
import type { ApiKeyStore } from "./secrets";
import { readSettings, type Settings } from "./settings";

export type BackendState =
  | { kind: "notLoaded" }
  | { kind: "loading"; detail: string }
  | { kind: "ready" }
  | { kind: "running" }
  | { kind: "error"; message: string };

interface Slot {
  key: string;
  backend: Promise<JudgeBackend>;
}

/** What the user would call the configured model: a file name, `repo:quant`, or the endpoint's model. */
export function modelLabel(settings: Settings): string {
  if (settings.backend === "openai") {
    if (settings.openai.model) return settings.openai.model;
    if (!settings.openai.baseUrl) return "(no endpoint set)";
    try {
      return `${new URL(settings.openai.baseUrl).host} (its model)`;
    } catch {
      return settings.openai.baseUrl;
    }
  }
  const source = settings.local.model;
  const hf = /^(?:hf:|huggingface:)(.+)$/i.exec(source);
  if (hf) return hf[1].split("/").pop() ?? hf[1];
  if (/^https?:/i.test(source)) return decodeURIComponent(source.split(/[?#]/)[0].split("/").pop() ?? source).replace(/\.gguf$/i, "");
  return path.basename(source).replace(/\.gguf$/i, "");
}

export class BackendManager implements vscode.Disposable {
  private slot: Slot | undefined;
  private running = 0;
  /** Backends replaced while a comparison still used them: disposed when it ends. */
  private retired: Promise<JudgeBackend>[] = [];
  private state: BackendState = { kind: "notLoaded" };
  private computeChoice: ComputeChoice | undefined;
  private readonly stateChanged = new vscode.EventEmitter<BackendState>();
  readonly onDidChangeState = this.stateChanged.event;
  private keyVersion = 0;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly apiKeys: ApiKeyStore,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscriptions.push(
      apiKeys.onDidChange(() => {
        this.keyVersion++;
        if (readSettings().backend === "openai") this.invalidate("the API key changed");
      }),
    );
  }

  get currentState(): BackendState {
    return this.state;
  }

  /** The llama.cpp build the loaded local model runs on (undefined before a load, or for an endpoint). */
  get compute(): ComputeChoice | undefined {
    return this.computeChoice;
  }

  private setState(state: BackendState): void {
    this.state = state;
    this.stateChanged.fire(state);
  }

  /** Settings that define the backend changed: the next comparison gets a new one. */
  invalidate(reason: string): void {
    const slot = this.slot;
    this.slot = undefined;
    this.computeChoice = undefined;
    if (slot) {
      this.log.info(`Backend will be recreated: ${reason}.`);
      if (this.running > 0) this.retired.push(slot.backend);
      else void this.disposeBackend(slot.backend);
    }
    if (this.running === 0) this.setState({ kind: "notLoaded" });
  }

  /** Creates (or reuses) the configured backend: downloads and loads a local model. */
  async load(signal?: AbortSignal, onProgress?: (p: LoadProgress) => void): Promise<JudgeBackend> {
    const settings = readSettings();
    let config: BackendConfig;
    try {
      config = await this.backendConfig(settings);
    } catch (e) {
      // A configuration that cannot make a backend (no endpoint, bad extra fields) shows as an error too.
      this.log.error(`Backend not created: ${errorMessage(e)}`);
      this.setState({ kind: "error", message: errorMessage(e) });
      throw e;
    }
    // The key itself never goes into the slot's identity (a string that could end up printed):
    // its changes are counted instead.
    const key = `${JSON.stringify({ ...config, apiKey: undefined, onWarning: undefined })}#${this.keyVersion}`;
    if (this.slot?.key === key) return this.slot.backend;
    if (this.slot) this.invalidate("the settings changed");

    this.log.info(`Loading backend ${settings.backend}: ${describeConfig(settings)}`);
    this.setState({ kind: "loading", detail: "starting" });
    const started = Date.now();
    const backend = createBackend({
      ...config,
      signal,
      onLog: (message: string) => this.log.info(message),
      onProgress: (p: LoadProgress) => {
        this.setState({ kind: "loading", detail: progressText(p) });
        onProgress?.(p);
      },
    });
    const slot: Slot = { key, backend };
    this.slot = slot;
    try {
      const ready = await backend;
      if (this.slot === slot) this.computeChoice = ready.compute;
      this.log.info(`Backend ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${ready.kind} ${ready.modelName}`);
      if (this.slot === slot && this.running === 0) this.setState({ kind: "ready" });
      return ready;
    } catch (e) {
      if (this.slot === slot) this.slot = undefined;
      if (isCancelled(e)) {
        this.log.info("Loading cancelled.");
        this.setState({ kind: "notLoaded" });
      } else {
        this.log.error(`Loading failed: ${errorMessage(e)}`);
        this.setState({ kind: "error", message: errorMessage(e) });
      }
      throw e;
    }
  }

  /** Runs `fn` with the backend, marking the backend busy (status bar: running) meanwhile. */
  async use<T>(signal: AbortSignal, onProgress: (p: LoadProgress) => void, fn: (backend: JudgeBackend) => Promise<T>): Promise<T> {
    const backend = await this.load(signal, onProgress);
    this.running++;
    this.setState({ kind: "running" });
    try {
      return await fn(backend);
    } finally {
      this.running--;
      if (this.running === 0) {
        const retired = this.retired;
        this.retired = [];
        for (const b of retired) void this.disposeBackend(b);
        this.setState(this.slot ? { kind: "ready" } : { kind: "notLoaded" });
      }
    }
  }

  /** Reports a failure of a run that was not about loading (so the status bar can show it). */
  reportError(e: unknown): void {
    if (!isCancelled(e) && this.running === 0 && !this.slot) this.setState({ kind: "error", message: errorMessage(e) });
  }

  private async backendConfig(settings: Settings): Promise<BackendConfig> {
    if (settings.backend === "local") {
      return {
        kind: "local",
        model: settings.local.model,
        gpu: settings.local.gpu,
        threads: settings.local.threads,
        contextSize: settings.local.contextSize,
        // Notebook and dataset runs judge this many pairs at once, each on its own sequence.
        parallel: settings.evaluation.concurrency,
      };
    }
    const { baseUrl, model, extraBody } = settings.openai;
    if (!baseUrl)
      throw new BrrmError("ENDPOINT_NOT_SET", "No endpoint is set for the OpenAI-compatible backend. Run \"BR-RM: Select Backend and Model…\" or set brrm.openai.baseUrl.");
    const extraProblem = extraBodyProblem(extraBody);
    if (extraProblem) throw new BrrmError("SETTINGS_INVALID", `brrm.openai.extraBody: ${extraProblem}.`);
    const apiKey = await this.apiKeys.get();
    return {
      kind: "openai",
      baseURL: baseUrl,
      ...(model ? { model } : {}),
      ...(apiKey ? { apiKey } : {}),
      keySource: "VS Code's secret storage (run \"BR-RM: Set API Key\")",
      extraBody,
      onWarning: (message: string) => this.log.warn(message),
    };
  }

  private async disposeBackend(backend: Promise<JudgeBackend>): Promise<void> {
    try {
      await (await backend).dispose();
    } catch {
      // A backend that failed to load has nothing to free.
    }
  }

  async dispose(): Promise<void> {
    for (const s of this.subscriptions) s.dispose();
    const all = [...this.retired, ...(this.slot ? [this.slot.backend] : [])];
    this.slot = undefined;
    this.retired = [];
    await Promise.all(all.map((b) => this.disposeBackend(b)));
    await disposeLocalEngine();
    this.stateChanged.dispose();
  }
}

function progressText(p: LoadProgress): string {
  if (p.phase === "download") {
    const mb = (b: number) => (b / 1e6).toFixed(0);
    return p.totalBytes > 0 ? `downloading ${mb(p.downloadedBytes)} of ${mb(p.totalBytes)} MB` : `downloading ${mb(p.downloadedBytes)} MB`;
  }
  return `loading ${Math.round(p.fraction * 100)}%`;
}

/** The configuration in words for the log: never the API key. */
export function describeConfig(settings: Settings): string {
  if (settings.backend === "openai") return `endpoint ${settings.openai.baseUrl || "(not set)"}, model ${settings.openai.model || "(not set)"}`;
  const { model, gpu, threads, contextSize } = settings.local;
  return `model ${model}, gpu ${gpu}, threads ${threads ?? "auto"}, context ${contextSize}`;
}
