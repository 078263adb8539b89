// Runs one comparison end to end: backend (load with progress), the two turns streamed into
// the panel, the judgment into the panel, the diagnostics and the log. One comparison at a
// time: a new one cancels the one running. Every failure ends here as a message; nothing
// escapes to the extension host.

import * as vscode from "vscode";
import type { LoadProgress } from "../backends/llamaCpp";
import { errorMessage, isCancelled } from "../core/errors";
import { judge, type FlowEvent } from "../core/flow";
import type { Judgment } from "../core/judgment";
import type { BackendManager } from "./backendManager";
import { describeConfig } from "./backendManager";
import type { JudgmentDiagnostics } from "./diagnostics";
import type { ComparisonInput } from "./inputs";
import type { JudgmentStore } from "./judgmentStore";
import type { JudgePanel } from "./panel";
import { readSettings } from "./settings";

/** How often streamed text is handed to the panel and the progress notification (ms). */
const FLUSH_MS = 80;

const TURN_PHASE = { 1: "Turn 1: choosing focus dimensions and critical issues…", 2: "Turn 2: rethinking and ranking…" } as const;

export interface RunOutcome {
  judgment?: Judgment;
  judgmentId?: string;
  cancelled?: boolean;
  error?: string;
}

export class ComparisonRunner {
  private current: { controller: AbortController; done: Promise<RunOutcome> } | undefined;
  private runs = 0;
  private readonly changed = new vscode.EventEmitter<boolean>();
  /** Fires true when a comparison starts and false when it ends (for the `brrm.running` context key). */
  readonly onDidChangeRunning = this.changed.event;

  constructor(
    private readonly backends: BackendManager,
    private readonly panel: JudgePanel,
    private readonly diagnostics: JudgmentDiagnostics,
    private readonly store: JudgmentStore,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  get isRunning(): boolean {
    return this.current !== undefined;
  }

  /** Stops the running comparison (or model load). Returns false when nothing ran. */
  cancel(): boolean {
    if (!this.current) return false;
    this.current.controller.abort();
    return true;
  }

  async run(input: ComparisonInput): Promise<RunOutcome> {
    if (this.current) {
      this.log.info("A new comparison replaces the running one.");
      this.current.controller.abort();
      await this.current.done;
    }
    const controller = new AbortController();
    const done = this.execute(input, controller);
    this.current = { controller, done };
    this.changed.fire(true);
    try {
      return await done;
    } finally {
      if (this.current?.controller === controller) {
        this.current = undefined;
        this.changed.fire(false);
      }
    }
  }

  private async execute(input: ComparisonInput, controller: AbortController): Promise<RunOutcome> {
    const n = ++this.runs;
    const settings = readSettings();
    for (const p of settings.problems) this.log.warn(p);
    const started = Date.now();
    const elapsed = () => Date.now() - started;
    this.log.info(
      `Run ${n}: ${input.origin ?? "panel form"}; ${settings.backend} (${describeConfig(settings)}); ` +
        `${settings.constrained ? "constrained, " : ""}temperature ${settings.sampling.temperature}, top_p ${settings.sampling.topP}, top_k ${settings.sampling.topK}, ` +
        `max tokens ${settings.sampling.maxTokens}${settings.sampling.seed !== undefined ? `, seed ${settings.sampling.seed}` : ""}; ` +
        `prompt ${input.form.prompt.length} chars, responses ${input.form.response1.length} + ${input.form.response2.length} chars`,
    );
    this.panel.update({ type: "runStarted", form: input.form, origin: input.origin, label: input.label }, input.source);
    this.panel.reveal();

    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: "BR-RM", cancellable: true },
      async (progress, token) => {
        const onCancel = token.onCancellationRequested(() => controller.abort());
        const stream = new StreamForwarder(this.panel, progress, started);
        try {
          const onLoad = (p: LoadProgress) => {
            const text = p.phase === "download" ? `Downloading the model: ${mb(p.downloadedBytes)} of ${mb(p.totalBytes)} MB` : `Loading the model: ${Math.round(p.fraction * 100)}%`;
            progress.report({ message: text });
            this.panel.update({ type: "phase", status: "loading", phase: text, elapsedMs: elapsed() });
          };
          progress.report({ message: "Starting the backend…" });
          this.panel.update({ type: "phase", status: "loading", phase: "Starting the backend…", elapsedMs: elapsed() });
          const judgment = await this.backends.use(controller.signal, onLoad, (backend) =>
            judge(input.pair, backend, {
              sampling: settings.sampling,
              constrained: settings.constrained,
              templates: settings.templates,
              signal: controller.signal,
              onEvent: (e) => stream.event(e),
            }),
          );
          stream.flush();
          const judgmentId = this.store.add({ form: input.form, origin: input.origin, label: input.label, judgment, ...(input.source ? { source: input.source } : {}) });
          this.panel.update({ type: "judgment", judgment });
          this.log.info(
            `Run ${n} finished in ${(elapsed() / 1000).toFixed(1)} s: ${judgment.verdict !== null ? `Response ${judgment.verdict} preferred` : "no verdict"}; ` +
              `focus ${judgment.dimensions.join(", ") || "none"}; issues ${judgment.issues.response1.length} + ${judgment.issues.response2.length}` +
              `${judgment.error ? `; error: ${judgment.error.message}` : ""}${judgment.warnings.length > 0 ? `; warnings: ${judgment.warnings.join(" | ")}` : ""}`,
          );
          if (input.source) {
            const changed = await this.diagnostics.show(judgmentId, judgment, input.source, settings.templates);
            if (changed.length > 0) {
              const msg = `${changed.join(", ")} changed while BR-RM ran, so its diagnostics were not placed there. The panel shows the judgment.`;
              this.log.warn(msg);
              void vscode.window.showWarningMessage(`BR-RM: ${msg}`);
            }
          }
          return { judgment, judgmentId };
        } catch (e) {
          stream.flush();
          if (controller.signal.aborted || isCancelled(e)) {
            this.log.info(`Run ${n} cancelled after ${(elapsed() / 1000).toFixed(1)} s.`);
            this.panel.update({ type: "runEnded", outcome: { kind: "cancelled", message: "Cancelled. Nothing was judged." } });
            return { cancelled: true };
          }
          const message = errorMessage(e);
          this.log.error(`Run ${n} failed: ${message}`);
          this.backends.reportError(e);
          this.panel.update({ type: "runEnded", outcome: { kind: "failed", message } });
          void vscode.window.showErrorMessage(`BR-RM: ${message}`, "Select Backend and Model…", "Show Log").then((choice) => {
            if (choice === "Show Log") this.log.show(true);
            else if (choice) void vscode.commands.executeCommand("brrm.selectBackend");
          });
          return { error: message };
        } finally {
          onCancel.dispose();
          stream.dispose();
        }
      },
    );
  }

  dispose(): void {
    this.current?.controller.abort();
    this.changed.dispose();
  }
}

const mb = (bytes: number) => (bytes / 1e6).toFixed(0);

/** Batches the flow's token-by-token events into a few panel updates and progress messages a second. */
class StreamForwarder {
  private turn: 1 | 2 = 1;
  private turnStarted = Date.now();
  private pending = { answer: "", thought: "", tokens: 0 };
  private turnTokens = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly panel: JudgePanel,
    private readonly progress: vscode.Progress<{ message?: string }>,
    private readonly started: number,
  ) {}

  event(e: FlowEvent): void {
    switch (e.type) {
      case "turnStarted":
        this.flush();
        this.turn = e.turn;
        this.turnStarted = Date.now();
        this.turnTokens = 0;
        this.progress.report({ message: TURN_PHASE[e.turn] });
        this.panel.update({ type: "turnStarted", turn: e.turn, phase: TURN_PHASE[e.turn], elapsedMs: Date.now() - this.started });
        break;
      case "chunk":
        if (e.kind === "thought") this.pending.thought += e.text;
        else this.pending.answer += e.text;
        this.pending.tokens += e.tokens;
        this.turnTokens += e.tokens;
        this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
        break;
      case "turnFinished":
        this.flush();
        this.panel.update({ type: "turnFinished", turn: e.turn, usage: e.usage, elapsedMs: Date.now() - this.started });
        break;
      case "judgment":
        break;
    }
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const { answer, thought, tokens } = this.pending;
    if (!answer && !thought && !tokens) return;
    this.pending = { answer: "", thought: "", tokens: 0 };
    const now = Date.now();
    const turnMs = now - this.turnStarted;
    this.panel.update({ type: "delta", turn: this.turn, answer, thought, tokens, turnMs, elapsedMs: now - this.started });
    const rate = turnMs > 0 ? ((this.turnTokens / turnMs) * 1000).toFixed(1) : "0";
    this.progress.report({ message: `Turn ${this.turn}: ${this.turnTokens} tokens, ${rate} tok/s` });
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}
