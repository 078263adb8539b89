// "BR-RM: Evaluate Dataset…": a dataset (a .jsonl, .json, .gz or .parquet file, or a folder of
// them) judged into a results file next to it (the same
// DatasetEvaluation `brrm eval` runs, so the files are interchangeable and "Resume" finishes a
// run either one started), with progress and cancellation in a notification, and the report
// (core/report.ts) shown at the end. Every pair is written as it finishes: cancelling, a
// failure or a closed window loses nothing finished.

import * as path from "node:path";
import * as vscode from "vscode";
import { placeText } from "../../core/dataset";
import { BrrmError, errorMessage, isCancelled } from "../../core/errors";
import type { EvaluationRun, RunStats } from "../../core/evaluate";
import { renderMarkdown, ReportBuilder } from "../../core/report";
import { DatasetEvaluation } from "../../files/datasetEvaluation";
import { DATASET_SUFFIXES } from "../../files/datasetFiles";
import { readResults } from "../../files/resultsFile";
import type { BackendManager } from "../backendManager";
import { readSettings } from "../settings";
import { evaluationOptions } from "./evaluationOptions";
import { mdText } from "../../core/markdownText";
import type { ReportView } from "./reportView";
import type { EvaluationRuns } from "./runs";
import { askResumeOrStartOver, formatSeconds, withRunProgress } from "./runProgress";

export interface DatasetRunOutcome {
  output: string;
  stats?: RunStats;
  report?: vscode.Uri;
  cancelled?: boolean;
  error?: string;
}

/**
 * `data/set.pairs.jsonl` -> `data/set.results.jsonl`, `data/train.parquet` ->
 * `data/train.results.jsonl`, a folder `hub/ds` -> `hub/ds.results.jsonl`: beside the dataset,
 * never inside a folder that is read (and results files are never read as data).
 */
export function resultsPathFor(input: string): string {
  const name = path.basename(input);
  const suffix = DATASET_SUFFIXES.find((s) => name.toLowerCase().endsWith(s));
  const base = (suffix ? name.slice(0, -suffix.length) : name).replace(/\.pairs$/i, "");
  return path.join(path.dirname(input), `${base}.results.jsonl`);
}

export interface EvaluateDatasetDeps {
  backends: BackendManager;
  runs: EvaluationRuns;
  reports: ReportView;
  log: vscode.LogOutputChannel;
}

/**
 * Runs the command. `uri` comes from the explorer's context menu (or a test); without it the
 * user picks a file. `resume` answers the "results exist" question ahead (tests).
 */
export async function evaluateDataset(d: EvaluateDatasetDeps, uri?: vscode.Uri, opts: { resume?: boolean } = {}): Promise<DatasetRunOutcome | undefined> {
  if (!uri) {
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      openLabel: "Evaluate",
      // A folder is picked from the explorer: most platforms' dialogs pick files or folders, not both.
      title: "BR-RM: pick a dataset to evaluate (for a folder of files, use Evaluate Dataset on it in the explorer)",
      filters: { Datasets: ["jsonl", "ndjson", "json", "gz", "parquet"], "All files": ["*"] },
    });
    if (!picked?.[0]) return undefined;
    uri = picked[0];
  }
  if (uri.scheme !== "file") {
    void vscode.window.showWarningMessage("BR-RM: Evaluate Dataset works on files and folders on disk. Save the pairs to a file first.");
    return undefined;
  }
  const input = uri.fsPath;
  const output = resultsPathFor(input);
  let resume = opts.resume;
  const exists = await vscode.workspace.fs.stat(vscode.Uri.file(output)).then(
    (s) => s.size > 0,
    () => false,
  );
  if (exists && resume === undefined) {
    resume = await askResumeOrStartOver(output, "pairs");
    if (resume === undefined) return undefined;
  }

  let evaluation: DatasetEvaluation;
  try {
    evaluation = await DatasetEvaluation.open({ input, output, resume: exists && resume === true, overwrite: exists && resume === false }, `BR-RM: Evaluate Dataset in ${vscode.env.appName}`);
  } catch (e) {
    // Another run writing the results (a terminal's `brrm eval`), or a file that cannot be read or written.
    const message = errorMessage(e);
    d.log.error(`Evaluate Dataset: ${message}`);
    void vscode.window.showErrorMessage(`BR-RM: ${message}`);
    return { output, error: message };
  }
  const settings = readSettings();
  for (const p of settings.problems) d.log.warn(p);
  const controller = new AbortController();
  const tracked = d.runs.track(controller);
  const name = path.basename(input);
  d.log.info(`Evaluate Dataset: ${input} -> ${output}; concurrency ${settings.evaluation.concurrency}, swap ${settings.evaluation.swap}, samples ${settings.evaluation.samples}, cache ${settings.evaluation.cache}${evaluation.existing.done.size > 0 ? `; resuming after ${evaluation.existing.done.size} pairs` : ""}`);

  try {
    const run = await withRunProgress(d.backends, `BR-RM: evaluating ${name}`, controller, async (backend, report) => {
      const options = await evaluationOptions(settings, backend);
      return evaluation.run(backend, {
        ...options,
        concurrency: settings.evaluation.concurrency,
        signal: controller.signal,
        onEvent: (e) => {
          if (e.type === "badLine") d.log.warn(`${name}, ${placeText(e)}: ${e.reason}`);
          else if (e.type === "pairFailed") d.log.error(`${name}, ${placeText(e)}: ${e.error.message}`);
          else if (e.type === "warning") d.log.warn(e.message);
          if (e.type !== "progress") return;
          const s = e.stats;
          const problems = [s.failed > 0 ? `${s.failed} failed` : "", s.badLines > 0 ? `${s.badLines} bad lines` : ""].filter(Boolean).join(", ");
          report({ done: s.finished + s.skipped + s.failed + s.badLines, total: evaluation.inputRecords, unit: "pairs", stats: s, problems });
        },
      });
    });
    const report = await showReport(d, input, output, run);
    const s = run.stats;
    const summary = `${s.finished} pairs judged${s.skipped > 0 ? `, ${s.skipped} already done` : ""}${s.failed > 0 ? `, ${s.failed} failed` : ""}${s.badLines > 0 ? `, ${s.badLines} bad lines skipped` : ""}`;
    d.log.info(`Evaluate Dataset ${s.cancelled ? "cancelled" : "finished"}: ${summary} in ${formatSeconds(s.ms / 1000)}.`);
    const message = s.cancelled
      ? `BR-RM: stopped. ${summary}; they are in ${path.basename(output)}. Run Evaluate Dataset again and choose Resume to finish the rest.`
      : `BR-RM: ${name}: ${summary}. Results in ${path.basename(output)}.`;
    void vscode.window.showInformationMessage(message, "Open Results").then((choice) => {
      if (choice) void vscode.window.showTextDocument(vscode.Uri.file(output));
    });
    return { output, stats: s, report, ...(s.cancelled ? { cancelled: true } : {}) };
  } catch (e) {
    if (isCancelled(e) || controller.signal.aborted) {
      d.log.info("Evaluate Dataset cancelled before any pair ran.");
      return { output, cancelled: true };
    }
    const message = errorMessage(e);
    d.log.error(`Evaluate Dataset: ${message}`);
    d.backends.reportError(e);
    void vscode.window.showErrorMessage(`BR-RM: ${message}${e instanceof BrrmError && e.code === "TOO_MANY_FAILURES" ? "" : ` Pairs finished so far are in ${path.basename(output)}.`}`, "Show Log").then((c) => {
      if (c) d.log.show(true);
    });
    return { output, error: message };
  } finally {
    tracked.dispose();
    // run() gives the file back when it ends; a backend that never started never called it.
    await evaluation.close();
  }
}

/** The report of the whole results file (earlier runs included), with this run's bad lines and failures. */
async function showReport(d: EvaluateDatasetDeps, input: string, output: string, run: EvaluationRun): Promise<vscode.Uri> {
  const builder = new ReportBuilder();
  for await (const entry of readResults(output)) {
    if (entry.ok) builder.add(entry.result);
    else builder.addUnreadable(entry.line, entry.reason);
  }
  const title = `BR-RM evaluation: ${path.basename(input)}`;
  const parts = [renderMarkdown(builder.build(), title)];
  const extra: string[] = [];
  if (run.stats.cancelled) extra.push("- The run was cancelled: the pairs not yet judged are missing. Run Evaluate Dataset again and choose Resume.");
  for (const b of run.badLines) extra.push(`- Dataset ${mdText(placeText(b))} skipped: ${mdText(b.reason)}`);
  if (run.stats.badLines > run.badLines.length) extra.push(`- and ${run.stats.badLines - run.badLines.length} more bad lines`);
  for (const f of run.failures) extra.push(`- Dataset ${mdText(placeText(f))} failed: ${mdText(f.error.message)}`);
  if (run.stats.failed > run.failures.length) extra.push(`- and ${run.stats.failed - run.failures.length} more failures`);
  if (extra.length > 0) parts.push(["## This run", "", ...extra, ""].join("\n"));
  parts.push(`Results file: \`${output.replace(/`/g, "'")}\``);
  return d.reports.show(title, parts.join("\n"));
}
