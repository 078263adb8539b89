// The notebook controller of `brrm-pairs` notebooks: runs one cell, a selection or all cells
// with the configured backend and the `brrm.evaluation.*` settings. Each cell is its own
// evaluation (core/evaluate.ts, so swap, samples and the result cache work as in `brrm eval`)
// and can be stopped on its own with its stop button; the cells share one limit of
// comparisons in flight. Progress streams into the cell (turn, tokens, speed per order and
// sample). A finished cell keeps its output whatever happens to the others; a stopped cell
// gets its previous output back.

import * as vscode from "vscode";
import type { LoadProgress } from "../../backends/llamaCpp";
import type { JobProgress, ProgressOutput } from "../../../media/src/notebookProtocol";
import type { JudgeBackend } from "../../core/backend";
import { flipOrder, seededOrder, toRecordSide, type DatasetEntry, type Order, type PairResult } from "../../core/dataset";
import { BrrmError, errorMessage, isCancelled } from "../../core/errors";
import { evaluate, type EvaluateEvent } from "../../core/evaluate";
import type { JudgmentError } from "../../core/judgment";
import type { BackendManager } from "../backendManager";
import { evaluationOptions, type EditorEvaluateOptions } from "../evaluation/evaluationOptions";
import { LimitedBackend } from "../evaluation/limitedBackend";
import type { EvaluationRuns } from "../evaluation/runs";
import { readSettings, type Settings } from "../settings";
import { responseTitles } from "./cellFormat";
import { errorOutput, outcomeOf, progressOutput, resultOutput } from "./outputs";
import { cellPair, jsonCellPair, pairHash, storedResult, type StoredOutcome } from "./pairLines";
import { cellLine, NOTEBOOK_TYPE, PAIR_LANGUAGE, RAW_LANGUAGE } from "./serializer";

export const CONTROLLER_ID = "brrm-pairs-judge";

/** How often a running cell's progress output is redrawn (ms). */
const PROGRESS_MS = 300;

interface CellRun {
  cell: vscode.NotebookCell;
  execution: vscode.NotebookCellExecution;
  abort: AbortController;
  entry: DatasetEntry & { ok: true };
  titles: [string, string];
  hash: string;
  previousOutputs: readonly vscode.NotebookCellOutput[];
  previous: StoredOutcome | undefined;
  progress: CellProgress;
  ended: boolean;
}

export class PairNotebookController implements vscode.Disposable {
  private readonly controller: vscode.NotebookController;
  private executionOrder = 0;

  constructor(
    private readonly backends: BackendManager,
    private readonly runs: EvaluationRuns,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.controller = vscode.notebooks.createNotebookController(CONTROLLER_ID, NOTEBOOK_TYPE, "BR-RM Judge");
    this.controller.supportedLanguages = [PAIR_LANGUAGE, RAW_LANGUAGE];
    this.controller.supportsExecutionOrder = true;
    this.controller.description = "Judges each pair with the configured backend";
    this.controller.executeHandler = (cells, notebook) => this.execute(cells, notebook);
  }

  private async execute(cells: vscode.NotebookCell[], notebook: vscode.NotebookDocument): Promise<void> {
    try {
      await this.run(cells, notebook);
    } catch (e) {
      // Nothing may escape into the extension host; each cell was already told what happened.
      this.log.error(`Notebook run: ${errorMessage(e)}`);
    }
  }

  private async run(cells: vscode.NotebookCell[], notebook: vscode.NotebookDocument): Promise<void> {
    const settings = readSettings();
    for (const p of settings.problems) this.log.warn(p);
    const batch = new AbortController();
    const tracked = this.runs.track(batch);
    const started = Date.now();
    const runs: CellRun[] = [];
    try {
      for (const cell of cells) {
        const run = await this.startCell(cell, settings, batch.signal, started);
        if (run) runs.push(run);
      }
      if (runs.length === 0) return;
      this.log.info(
        `Notebook ${vscode.workspace.asRelativePath(notebook.uri)}: judging ${runs.length} cell(s); concurrency ${settings.evaluation.concurrency}, swap ${settings.evaluation.swap}, samples ${settings.evaluation.samples}, cache ${settings.evaluation.cache}`,
      );
      // Loading the model stops when every cell of this run was stopped.
      const loading = new AbortController();
      for (const r of runs)
        r.abort.signal.addEventListener("abort", () => {
          if (runs.every((x) => x.abort.signal.aborted)) loading.abort();
        });
      const onLoad = (p: LoadProgress) => {
        const phase = p.phase === "download" ? `Downloading the model: ${(p.downloadedBytes / 1e6).toFixed(0)} MB` : `Loading the model: ${Math.round(p.fraction * 100)}%`;
        for (const r of runs) r.progress.setPhase(phase);
      };
      for (const r of runs) r.progress.setPhase("Starting the backend…");
      try {
        await this.backends.use(loading.signal, onLoad, async (backend) => {
          const limited = new LimitedBackend(backend, settings.evaluation.concurrency);
          const options = await evaluationOptions(settings, backend);
          // Cells start one after another (each once the one before it has its first
          // comparison going, or is done), so they take the shared slots in notebook order.
          let previous: Promise<void> = Promise.resolve();
          await Promise.all(
            runs.map((r) => {
              const after = previous;
              let started!: () => void;
              previous = new Promise<void>((resolve) => (started = resolve));
              return after.then(() => this.judgeCell(r, limited, options, started));
            }),
          );
        });
      } catch (e) {
        // The backend could not start (or its start was stopped): every cell still waiting says so.
        this.backends.reportError(e);
        for (const r of runs) {
          if (r.ended) continue;
          if (isCancelled(e) || r.abort.signal.aborted) await this.restore(r);
          else await this.fail(r, { code: e instanceof BrrmError ? e.code : "BACKEND_UNAVAILABLE", message: errorMessage(e) });
        }
        if (!isCancelled(e)) {
          void vscode.window.showErrorMessage(`BR-RM: ${errorMessage(e)}`, "Select Backend and Model…").then((c) => {
            if (c) void vscode.commands.executeCommand("brrm.selectBackend");
          });
        }
      }
    } finally {
      for (const r of runs) if (!r.ended) await this.restore(r);
      tracked.dispose();
    }
  }

  /** Starts a cell's execution, or ends it at once when the cell is not a pair. */
  private async startCell(cell: vscode.NotebookCell, settings: Settings, batch: AbortSignal, started: number): Promise<CellRun | undefined> {
    if (cell.kind !== vscode.NotebookCellKind.Code) return undefined;
    let execution: vscode.NotebookCellExecution;
    try {
      execution = this.controller.createNotebookCellExecution(cell);
    } catch (e) {
      // Already running (a second Run All while the first runs): that execution carries on.
      this.log.info(`Cell ${cell.index + 1} is already running: ${errorMessage(e)}`);
      return undefined;
    }
    execution.executionOrder = ++this.executionOrder;
    execution.start(Date.now());
    const text = cell.document.getText();
    const line = cellLine(cell);
    const pair = cell.document.languageId === RAW_LANGUAGE ? jsonCellPair(text) : cellPair(text, line);
    if (!pair.ok) {
      await execution.replaceOutput(errorOutput({ code: "NOT_A_PAIR", message: `This cell is not a pair to judge: ${pair.reason}.` }, ""));
      execution.end(false, Date.now());
      return undefined;
    }
    const { record, fields } = pair;
    const key = record.id !== undefined ? `id:${record.id}` : `line:${cell.index + 1}`;
    const entry: DatasetEntry & { ok: true } = {
      ok: true,
      // Preference data is shown in the same seeded order as `brrm eval` shows it (seed 0).
      pair: { key, id: record.id ?? null, line: cell.index + 1, record, order: record.preference ? seededOrder(key, 0) : "AB", fields },
    };
    const abort = new AbortController();
    const stop = () => abort.abort();
    batch.addEventListener("abort", stop, { once: true });
    execution.token.onCancellationRequested(stop);
    const titles = responseTitles(text);
    const previous = outcomeOf(cell.outputs);
    const run: CellRun = {
      cell,
      execution,
      abort,
      entry,
      titles,
      hash: pairHash(record),
      previousOutputs: cell.outputs,
      previous,
      progress: new CellProgress(execution, titles, entry.pair.order, settings.evaluation.swap, settings.evaluation.samples, previous, started),
      ended: false,
    };
    run.progress.setPhase("Waiting");
    return run;
  }

  /** Judges a cell; `started` is called once its first comparison runs (or it ends). */
  private async judgeCell(r: CellRun, backend: JudgeBackend, options: EditorEvaluateOptions, started: () => void): Promise<void> {
    let result: PairResult | undefined;
    let failure: JudgmentError | undefined;
    r.abort.signal.addEventListener("abort", started, { once: true });
    try {
      if (r.ended) return;
      if (r.abort.signal.aborted) return await this.restore(r);
      r.progress.setPhase("Judging");
      const run = await evaluate(single(r.entry), backend, {
        ...options,
        // All of this pair's comparisons may run at once: the shared limit decides.
        concurrency: (options.swap ? 2 : 1) * (options.samples ?? 1),
        signal: r.abort.signal,
        onEvent: (e) => {
          if ((e.type === "flow" && e.event.type === "turnStarted") || e.type === "sample") started();
          r.progress.event(e);
        },
        onResult: (res) => {
          result = res;
        },
      });
      failure = run.failures[0]?.error;
    } catch (e) {
      if (!isCancelled(e)) failure = { code: e instanceof BrrmError ? e.code : "JUDGE_FAILED", message: errorMessage(e) };
    } finally {
      started();
    }
    if (result) await this.finish(r, result);
    else if (failure) await this.fail(r, failure);
    else await this.restore(r);
  }

  private async finish(r: CellRun, result: PairResult): Promise<void> {
    await r.progress.stop();
    await r.execution.replaceOutput(resultOutput(storedResult(result), r.hash, r.titles));
    r.execution.end(true, Date.now());
    r.ended = true;
  }

  private async fail(r: CellRun, error: JudgmentError): Promise<void> {
    await r.progress.stop();
    this.log.error(`Cell ${r.cell.index + 1}: ${error.message}`);
    await r.execution.replaceOutput(errorOutput(error, r.hash));
    r.execution.end(false, Date.now());
    r.ended = true;
  }

  /** A stopped cell shows what it showed before the run: its last judgment is not lost. */
  private async restore(r: CellRun): Promise<void> {
    if (r.ended) return;
    r.ended = true;
    await r.progress.stop();
    await r.execution.replaceOutput([...r.previousOutputs]);
    r.execution.end(undefined, Date.now());
  }

  dispose(): void {
    this.controller.dispose();
  }
}

async function* single(entry: DatasetEntry): AsyncGenerator<DatasetEntry> {
  yield entry;
}

/** Keeps a running cell's progress (one row per order and sample) and redraws it a few times a second. */
class CellProgress {
  private readonly jobs: JobProgress[] = [];
  private phase = "Waiting";
  private turnStarted = new Map<string, number>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private writing: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly execution: vscode.NotebookCellExecution,
    private readonly titles: [string, string],
    order: Order,
    swap: boolean,
    samples: number,
    private readonly previous: StoredOutcome | undefined,
    private readonly started: number,
  ) {
    for (const o of swap ? [order, flipOrder(order)] : [order])
      for (let sample = 0; sample < samples; sample++) this.jobs.push({ order: o, sample, state: "waiting", tokens: 0, rate: 0, preferred: null });
    this.draw();
  }

  setPhase(phase: string): void {
    this.phase = phase;
    this.schedule();
  }

  event(e: EvaluateEvent): void {
    if (e.type === "flow") {
      const job = this.jobs.find((j) => j.order === e.order && j.sample === e.sample);
      if (!job) return;
      const id = `${e.order}/${e.sample}`;
      const ev = e.event;
      if (ev.type === "turnStarted") {
        job.state = ev.turn === 1 ? "turn1" : "turn2";
        job.tokens = 0;
        job.rate = 0;
        this.turnStarted.set(id, Date.now());
      } else if (ev.type === "chunk") {
        job.tokens += ev.tokens;
        const ms = Date.now() - (this.turnStarted.get(id) ?? Date.now());
        job.rate = ms > 0 ? (job.tokens / ms) * 1000 : 0;
      }
    } else if (e.type === "sample") {
      const job = this.jobs.find((j) => j.order === e.order && j.sample === e.sample);
      if (!job) return;
      job.preferred = toRecordSide(e.judgment.verdict, e.order);
      job.state = e.cached ? "cached" : e.judgment.verdict === null ? "noVerdict" : "done";
    } else return;
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.draw();
    }, PROGRESS_MS);
  }

  private draw(): void {
    if (this.stopped) return;
    const payload: ProgressOutput = { kind: "progress", phase: this.phase, elapsedMs: Date.now() - this.started, titles: this.titles, jobs: this.jobs.map((j) => ({ ...j })) };
    // Writes are chained: an older progress output never lands after a newer one (or the result).
    this.writing = this.writing.then(() => this.execution.replaceOutput(progressOutput(payload, this.previous)).then(undefined, () => undefined));
  }

  /** No more redraws; resolves when the last one has landed. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.writing;
  }
}
