// "BR-RM: Run Benchmark…": RewardBench, RM-Bench or RMB from a file or folder as published,
// judged with the configured backend into a results file inside (or beside) it, the same
// BenchmarkRun `brrm benchmark` runs, so the files are interchangeable and "Resume" finishes a
// run either one started; with progress, ETA and Cancel in a notification, and the report with
// its chart opened at the end. Every comparison is written as it finishes.

import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import { BENCHMARK_IDS, BENCHMARK_TITLES, type BenchmarkId, type PromptSet } from "../../core/benchmark/benchmarks";
import type { BenchmarkReport } from "../../core/benchmark/report";
import { errorMessage, isCancelled } from "../../core/errors";
import type { RunStats } from "../../core/evaluate";
import { DEFAULT_TEMPLATES, PAPER_TEMPLATES } from "../../core/prompts";
import { BenchmarkRun } from "../../files/benchmarkRun";
import { readBenchmarkReport } from "../../files/benchmarkReport";
import type { BackendManager } from "../backendManager";
import { readSettings, type Settings } from "../settings";
import type { BenchmarkReportView } from "./benchmarkReportView";
import { evaluationOptions } from "./evaluationOptions";
import type { EvaluationRuns } from "./runs";
import { askResumeOrStartOver, formatSeconds, withRunProgress } from "./runProgress";

export interface RunBenchmarkDeps {
  backends: BackendManager;
  runs: EvaluationRuns;
  benchmarkReports: BenchmarkReportView;
  log: vscode.LogOutputChannel;
}

/** What to run; from the palette the user is asked, a test passes it. */
export interface BenchmarkRequest {
  benchmark: BenchmarkId;
  input: vscode.Uri;
  /** Comparisons to sample; undefined runs the whole benchmark. */
  sample?: number;
  /** Answers the "results exist" question ahead. */
  resume?: boolean;
}

export interface BenchmarkRunOutcome {
  output: string;
  stats?: RunStats;
  report?: BenchmarkReport;
  /** The report page shown. */
  html?: string;
  cancelled?: boolean;
  error?: string;
}

const DESCRIPTIONS: Record<BenchmarkId, string> = {
  rewardbench: "allenai/reward-bench: the filtered split's parquet file or the dataset's folder",
  "rm-bench": "THU-KEG/RM-Bench: total_dataset.json or its data folder (9 comparisons per record)",
  rmb: "Zhou-Zoey/RMB-Reward-Model-Benchmark: the RMB_dataset folder (pairwise and best-of-N)",
};

const SAMPLES = [100, 300, 1000];

async function ask(): Promise<BenchmarkRequest | undefined> {
  const picked = await vscode.window.showQuickPick(
    BENCHMARK_IDS.map((id) => ({ label: BENCHMARK_TITLES[id], detail: DESCRIPTIONS[id], id })),
    { title: "BR-RM: Run Benchmark (1/3): which benchmark?", ignoreFocusOut: true },
  );
  if (!picked) return undefined;
  const uris = await vscode.window.showOpenDialog({
    canSelectFiles: true,
    canSelectFolders: true,
    canSelectMany: false,
    openLabel: `Run ${picked.label}`,
    title: `BR-RM: Run Benchmark (2/3): ${picked.label}'s file or folder, as downloaded`,
  });
  if (!uris?.[0]) return undefined;
  const size = await vscode.window.showQuickPick(
    [
      { label: "The whole benchmark", detail: "Every comparison: the figures to compare with the paper's", sample: undefined },
      ...SAMPLES.map((n) => ({ label: `A quick estimate from ${n} comparisons`, detail: "A stratified random sample; the report says how far the estimate can be off", sample: n })),
    ],
    { title: "BR-RM: Run Benchmark (3/3): how much?", ignoreFocusOut: true },
  );
  if (!size) return undefined;
  return { benchmark: picked.id, input: uris[0], sample: size.sample };
}

/**
 * Where the results go: inside a folder input (the benchmark's readers never take it for data),
 * beside a file input; named after the benchmark, the paper's prompts and the sample, so runs
 * that cannot be resumed into each other never share a file.
 */
function benchmarkResultsPath(input: string, isFolder: boolean, benchmark: BenchmarkId, prompts: PromptSet, sample: number | undefined): string {
  const name = `${benchmark}${prompts === "card" ? "" : `.${prompts}-prompts`}${sample ? `.sample-${sample}` : ""}.results.jsonl`;
  if (isFolder) return path.join(input, name);
  const base = path.basename(input).replace(/\.(jsonl|ndjson|json|parquet)(\.gz)?$/i, "");
  return path.join(path.dirname(input), `${base}.${name}`);
}

/** The prompts a run uses: the paper's when asked, else the configured ones (the model card's unless overridden). */
function promptsOf(settings: Settings): PromptSet {
  if (settings.benchmark.prompts === "paper") return "paper";
  const t = settings.templates;
  return t.turn1 === DEFAULT_TEMPLATES.turn1 && t.turn2 === DEFAULT_TEMPLATES.turn2 ? "card" : "custom";
}

export async function runBenchmark(d: RunBenchmarkDeps, given?: BenchmarkRequest): Promise<BenchmarkRunOutcome | undefined> {
  const request = given ?? (await ask());
  if (!request) return undefined;
  if (request.input.scheme !== "file") {
    void vscode.window.showWarningMessage("BR-RM: Run Benchmark reads files on disk. Download the benchmark to a folder first.");
    return undefined;
  }
  const settings = readSettings();
  for (const p of settings.problems) d.log.warn(p);
  const input = request.input.fsPath;
  const isFolder = fs.statSync(input, { throwIfNoEntry: false })?.isDirectory() ?? false;
  const prompts = promptsOf(settings);
  const output = benchmarkResultsPath(input, isFolder, request.benchmark, prompts, request.sample);
  const title = BENCHMARK_TITLES[request.benchmark];

  let resume = request.resume;
  const exists = (fs.statSync(output, { throwIfNoEntry: false })?.size ?? 0) > 0;
  if (exists && resume === undefined) {
    resume = await askResumeOrStartOver(output, "comparisons");
    if (resume === undefined) return undefined;
  }

  const controller = new AbortController();
  const tracked = d.runs.track(controller);
  let run: BenchmarkRun | undefined;
  try {
    // Every record is read once before judging (counts, bad records, the sample): seconds for RMB.
    run = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `BR-RM: reading ${title}…` }, () =>
      BenchmarkRun.open({
        benchmark: request.benchmark,
        input,
        output,
        resume: exists && resume === true,
        overwrite: exists && resume === false,
        prompts,
        scoring: settings.benchmark.scoring,
        sample: request.sample,
      }, `BR-RM: Run Benchmark in ${vscode.env.appName}`),
    );
    const { plan } = run;
    const opened = run;
    d.log.info(`Run Benchmark: ${title} from ${input} -> ${output}; ${plan.records} records, ${plan.comparisons} of ${plan.benchmarkComparisons} comparisons; prompts ${prompts}, scoring ${settings.benchmark.scoring}; concurrency ${settings.evaluation.concurrency}, swap ${settings.evaluation.swap}`);
    for (const reason of plan.firstBad) d.log.warn(`${title}: skipped ${reason}`);
    if (plan.badRecords > plan.firstBad.length) d.log.warn(`${title}: and ${plan.badRecords - plan.firstBad.length} more records skipped`);

    const result = await withRunProgress(d.backends, `BR-RM: ${title}`, controller, async (backend, report) => {
      const options = await evaluationOptions(settings, backend);
      return opened.run(backend, {
        ...options,
        ...(prompts === "paper" ? { templates: PAPER_TEMPLATES } : {}),
        concurrency: settings.evaluation.concurrency,
        signal: controller.signal,
        onEvent: (e) => {
          if (e.type === "pairFailed") d.log.error(`${title}, ${e.key}: ${e.error.message}`);
          else if (e.type === "warning") d.log.warn(e.message);
          if (e.type !== "progress") return;
          const s = e.stats;
          report({ done: s.finished + s.skipped + s.failed, total: plan.comparisons, unit: "comparisons", stats: s, problems: s.failed > 0 ? `${s.failed} failed` : "" });
        },
      });
    });
    const s = result.stats;
    const report = await readBenchmarkReport(output, settings.benchmark.scoring);
    const html = report ? d.benchmarkReports.show(`BR-RM on ${title}${request.sample ? ` (sample of ${request.sample})` : ""}`, report) : undefined;
    const summary = `${s.finished} comparisons judged${s.skipped > 0 ? `, ${s.skipped} already done` : ""}${s.failed > 0 ? `, ${s.failed} failed` : ""}`;
    d.log.info(`Run Benchmark ${s.cancelled ? "cancelled" : "finished"}: ${summary} in ${formatSeconds(s.ms / 1000)}.`);
    const message = s.cancelled
      ? `BR-RM: stopped. ${summary}; they are in ${path.basename(output)}. Run the benchmark again and choose Resume to finish the rest.`
      : `BR-RM: ${title}: ${summary}. Results in ${path.basename(output)}.`;
    void vscode.window.showInformationMessage(message, "Open Results").then((choice) => {
      if (choice) void vscode.window.showTextDocument(vscode.Uri.file(output));
    });
    return { output, stats: s, report, html, ...(s.cancelled ? { cancelled: true } : {}) };
  } catch (e) {
    if (isCancelled(e) || controller.signal.aborted) {
      d.log.info("Run Benchmark cancelled before any comparison ran.");
      return { output, cancelled: true };
    }
    const message = errorMessage(e);
    d.log.error(`Run Benchmark: ${message}`);
    d.backends.reportError(e);
    void vscode.window.showErrorMessage(`BR-RM: ${message}`, "Show Log").then((c) => {
      if (c) d.log.show(true);
    });
    return { output, error: message };
  } finally {
    // The results file's lock, when the backend never started (run() gives it back itself).
    await run?.close();
    tracked.dispose();
  }
}
