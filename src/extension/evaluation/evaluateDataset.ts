// "BR-RM: Evaluate Dataset…": a pair file judged into a results file next to it (the same
// DatasetEvaluation `brrm eval` runs, so the files are interchangeable and "Resume" finishes a
// run either one started), with progress and cancellation in a notification, and the report
// (core/report.ts) shown at the end. Every pair is written as it finishes: cancelling, a
// failure or a closed window loses nothing finished.

import * as path from "node:path";
import * as vscode from "vscode";
import type { LoadProgress } from "../../backends/llamaCpp";
import { BrrmError, errorMessage, isCancelled } from "../../core/errors";
import type { EvaluationRun, RunStats } from "../../core/evaluate";
import { renderMarkdown, ReportBuilder } from "../../core/report";
import { DatasetEvaluation } from "../../files/datasetEvaluation";
import { readResults } from "../../files/resultsFile";
import type { BackendManager } from "../backendManager";
import { readSettings } from "../settings";
import { evaluationOptions } from "./evaluationOptions";
import { mdText } from "../../core/markdownText";
import type { ReportView } from "./reportView";
import type { EvaluationRuns } from "./runs";

export interface DatasetRunOutcome {
  output: string;
  stats?: RunStats;
  report?: vscode.Uri;
  cancelled?: boolean;
  error?: string;
}

/** `data/set.pairs.jsonl` -> `data/set.results.jsonl`: beside the dataset, never the dataset itself. */
export function resultsPathFor(input: string): string {
  const dir = path.dirname(input);
  const base = path.basename(input).replace(/\.(jsonl|ndjson|json)$/i, "").replace(/\.pairs$/i, "");
  return path.join(dir, `${base}.results.jsonl`);
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
      title: "BR-RM: pick a pair file (JSONL) to evaluate",
      filters: { "Pair files": ["jsonl", "ndjson"], "All files": ["*"] },
    });
    if (!picked?.[0]) return undefined;
    uri = picked[0];
  }
  if (uri.scheme !== "file") {
    void vscode.window.showWarningMessage("BR-RM: Evaluate Dataset works on files on disk. Save the pairs to a file first.");
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
    const answer = await vscode.window.showQuickPick(
      [
        { label: "Resume", detail: "Judge only the pairs missing from the results; keep the rest", resume: true },
        { label: "Start over", detail: "Empty the results file and judge every pair again (cached judgments are reused)", resume: false },
      ],
      { title: `BR-RM: ${path.basename(output)} already holds results`, ignoreFocusOut: true },
    );
    if (!answer) return undefined;
    resume = answer.resume;
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
    const run = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `BR-RM: evaluating ${name}`, cancellable: true },
      async (progress, token) => {
        const onCancel = token.onCancellationRequested(() => controller.abort());
        try {
          const onLoad = (p: LoadProgress) =>
            progress.report({ message: p.phase === "download" ? `downloading the model: ${(p.downloadedBytes / 1e6).toFixed(0)} MB` : `loading the model: ${Math.round(p.fraction * 100)}%` });
          progress.report({ message: "starting the backend…" });
          return await d.backends.use(controller.signal, onLoad, async (backend) => {
            const options = await evaluationOptions(settings, backend);
            const total = evaluation.inputLines;
            let reported = 0;
            return evaluation.run(backend, {
              ...options,
              concurrency: settings.evaluation.concurrency,
              signal: controller.signal,
              onEvent: (e) => {
                if (e.type === "badLine") d.log.warn(`${name}, line ${e.line}: ${e.reason}`);
                else if (e.type === "pairFailed") d.log.error(`${name}, line ${e.line}: ${e.error.message}`);
                else if (e.type === "warning") d.log.warn(e.message);
                if (e.type !== "progress") return;
                const s = e.stats;
                const done = s.finished + s.skipped + s.failed + s.badLines;
                const fraction = total > 0 ? Math.min(1, done / total) : 0;
                const rate = s.ms > 0 ? s.finished / (s.ms / 1000) : 0;
                const left = total - done;
                const eta = rate > 0 && left > 0 ? `, about ${formatSeconds(left / rate)} left` : "";
                const problems = [s.failed > 0 ? `${s.failed} failed` : "", s.badLines > 0 ? `${s.badLines} bad lines` : ""].filter(Boolean).join(", ");
                progress.report({ message: `${done} of ${total} pairs${problems ? ` (${problems})` : ""}${eta}`, increment: (fraction - reported) * 100 });
                reported = fraction;
              },
            });
          });
        } finally {
          onCancel.dispose();
        }
      },
    );
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

function formatSeconds(s: number): string {
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
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
  for (const b of run.badLines) extra.push(`- Dataset line ${b.line} skipped: ${mdText(b.reason)}`);
  if (run.stats.badLines > run.badLines.length) extra.push(`- and ${run.stats.badLines - run.badLines.length} more bad lines`);
  for (const f of run.failures) extra.push(`- Dataset line ${f.line} failed: ${mdText(f.error.message)}`);
  if (run.stats.failed > run.failures.length) extra.push(`- and ${run.stats.failed - run.failures.length} more failures`);
  if (extra.length > 0) parts.push(["## This run", "", ...extra, ""].join("\n"));
  parts.push(`Results file: \`${output.replace(/`/g, "'")}\``);
  return d.reports.show(title, parts.join("\n"));
}
