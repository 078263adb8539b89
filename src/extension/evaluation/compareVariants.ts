// "BR-RM: Compare Prompt Variants…": judges the outputs of prompt variant B against variant A
// (A as response 1, B as response 2, always in both orders so position bias cancels out) and
// shows B's win rate over A, the dimensions where B wins and loses most, and the pairs to read
// first. Judgments go through the result cache, so a rerun after changing B's outputs judges
// only the outputs that changed.

import * as path from "node:path";
import * as vscode from "vscode";
import type { LoadProgress } from "../../backends/llamaCpp";
import type { PairResult } from "../../core/dataset";
import { errorMessage, isCancelled } from "../../core/errors";
import { intervalText } from "../../core/report";
import type { BackendManager } from "../backendManager";
import { readSettings } from "../settings";
import { evaluationOptions } from "./evaluationOptions";
import type { ReportView } from "./reportView";
import type { EvaluationRuns } from "./runs";
import { fieldNames, guessFields, judgeVariants, variantsFromOneFile, variantsFromTwoFiles, type VariantFields, type VariantPairs } from "../../core/variantPairs";
import { renderVariantMarkdown, variantSummary, variantTitle, type VariantSummary } from "../../core/variantReport";

export interface CompareVariantsDeps {
  backends: BackendManager;
  runs: EvaluationRuns;
  reports: ReportView;
  log: vscode.LogOutputChannel;
}

/** What the command compares; from the palette the user is asked, tests pass it. */
export type VariantInput = { file: vscode.Uri; fields?: VariantFields } | { fileA: vscode.Uri; fileB: vscode.Uri };

export interface VariantOutcome {
  summary: VariantSummary;
  results: PairResult[];
  pairs: VariantPairs;
  report: vscode.Uri;
  cancelled: boolean;
}

async function readText(uri: vscode.Uri): Promise<string> {
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
}

const JSONL_FILTERS = { "JSONL files": ["jsonl", "ndjson"], "All files": ["*"] };

async function pickFile(title: string): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: "Use this file", title, filters: JSONL_FILTERS });
  return picked?.[0];
}

async function askInput(): Promise<VariantInput | undefined> {
  const mode = await vscode.window.showQuickPick(
    [
      { label: "One file with both variants", detail: "Each line: the input and the outputs of A and B (e.g. prompt, output_a, output_b)", two: false },
      { label: "Two files joined by id", detail: "One file per variant; each line: id, the input and the output", two: true },
    ],
    { title: "BR-RM: Compare Prompt Variants", ignoreFocusOut: true },
  );
  if (!mode) return undefined;
  if (!mode.two) {
    const file = await pickFile("BR-RM: the file with the outputs of variants A and B");
    return file ? { file } : undefined;
  }
  const fileA = await pickFile("BR-RM: variant A's outputs (the baseline)");
  if (!fileA) return undefined;
  const fileB = await pickFile("BR-RM: variant B's outputs (the candidate)");
  return fileB ? { fileA, fileB } : undefined;
}

/** Asks which fields hold the input and the two outputs, when their names are not the usual ones. */
async function askFields(names: string[]): Promise<VariantFields | undefined> {
  const pick = async (what: string, exclude: string[]) =>
    (await vscode.window.showQuickPick(names.filter((n) => !exclude.includes(n)), { title: `BR-RM: which field holds ${what}?`, ignoreFocusOut: true })) ?? undefined;
  const prompt = await pick("the input (prompt)", []);
  if (!prompt) return undefined;
  const a = await pick("variant A's output", [prompt]);
  if (!a) return undefined;
  const b = await pick("variant B's output", [prompt, a]);
  return b ? { prompt, a, b } : undefined;
}

async function loadPairs(input: VariantInput): Promise<{ pairs: VariantPairs; title: string } | undefined> {
  if ("file" in input) {
    const text = await readText(input.file);
    const fields = input.fields ?? guessFields(text) ?? (await askFields(fieldNames(text)));
    if (!fields) return undefined;
    const name = path.basename(input.file.path);
    return { pairs: variantsFromOneFile(text, fields, name), title: variantTitle({ file: name, fields }) };
  }
  const names = { a: path.basename(input.fileA.path), b: path.basename(input.fileB.path) };
  const [a, b] = await Promise.all([readText(input.fileA), readText(input.fileB)]);
  return { pairs: variantsFromTwoFiles(a, b, names), title: variantTitle({ files: names }) };
}

export async function compareVariants(d: CompareVariantsDeps, given?: VariantInput): Promise<VariantOutcome | undefined> {
  const input = given ?? (await askInput());
  if (!input) return undefined;
  const loaded = await loadPairs(input);
  if (!loaded) return undefined;
  const { pairs, title } = loaded;
  for (const p of pairs.problems) d.log.warn(`Compare Prompt Variants: ${p.where}: ${p.reason}`);
  if (pairs.entries.length === 0) {
    const first = pairs.problems.slice(0, 3).map((p) => `${p.where}: ${p.reason}`).join("; ");
    void vscode.window.showErrorMessage(`BR-RM: nothing to compare${first ? `: ${first}` : ""}.`);
    return undefined;
  }

  const settings = readSettings();
  const controller = new AbortController();
  const tracked = d.runs.track(controller);
  const total = pairs.entries.length;
  d.log.info(`Compare Prompt Variants: ${total} pairs, both orders, ${settings.evaluation.samples} sample(s) per order, concurrency ${settings.evaluation.concurrency}; ${pairs.problems.length} lines not compared.`);
  try {
    const { run, results } = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: "BR-RM: comparing prompt variants", cancellable: true },
      async (progress, token) => {
        const onCancel = token.onCancellationRequested(() => controller.abort());
        try {
          const onLoad = (p: LoadProgress) => progress.report({ message: p.phase === "download" ? "downloading the model…" : `loading the model: ${Math.round(p.fraction * 100)}%` });
          progress.report({ message: "starting the backend…" });
          return await d.backends.use(controller.signal, onLoad, async (backend) =>
            judgeVariants(pairs, backend, {
              ...(await evaluationOptions(settings, backend)),
              concurrency: settings.evaluation.concurrency,
              signal: controller.signal,
              onEvent: (e) => {
                if (e.type === "pairFailed") d.log.error(`Compare Prompt Variants: ${e.key}: ${e.error.message}`);
                if (e.type === "progress") progress.report({ message: `${e.stats.finished + e.stats.failed} of ${total} pairs`, increment: 100 / total });
              },
            }),
          );
        } finally {
          onCancel.dispose();
        }
      },
    );
    const summary = variantSummary(results);
    const markdown = renderVariantMarkdown(summary, { title, problems: pairs.problems, cancelled: run.stats.cancelled });
    const report = await d.reports.show(title, markdown);
    const headline = `B's win rate over A: ${intervalText(summary.bWinRate)}`;
    d.log.info(`Compare Prompt Variants ${run.stats.cancelled ? "cancelled" : "finished"}: ${headline}; ${run.stats.failed} failed.`);
    void vscode.window.showInformationMessage(`BR-RM: ${headline}${run.stats.cancelled ? " (cancelled: partial)" : ""}.`);
    return { summary, results, pairs, report, cancelled: run.stats.cancelled };
  } catch (e) {
    if (isCancelled(e) || controller.signal.aborted) return undefined;
    d.log.error(`Compare Prompt Variants: ${errorMessage(e)}`);
    d.backends.reportError(e);
    void vscode.window.showErrorMessage(`BR-RM: ${errorMessage(e)}`);
    return undefined;
  } finally {
    tracked.dispose();
  }
}
