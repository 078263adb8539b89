// The evaluation features of the editor, wired in one place so activate() stays a list of
// parts: pair notebooks (serializer, controller, summary), "Evaluate Dataset…", "Compare
// Prompt Variants…", "Run Benchmark…", "New Evaluation Notebook" and "Open as BR-RM Notebook". Registering them
// is cheap: nothing here loads a model or node-llama-cpp.

import * as path from "node:path";
import * as vscode from "vscode";
import { EXAMPLE_PAIR } from "../core/examples";
import type { BackendManager } from "./backendManager";
import { registerSafeCommand } from "./commands";
import { BenchmarkReportView } from "./evaluation/benchmarkReportView";
import { compareVariants, type VariantInput } from "./evaluation/compareVariants";
import { evaluateDataset } from "./evaluation/evaluateDataset";
import { ReportView } from "./evaluation/reportView";
import { runBenchmark, type BenchmarkRequest } from "./evaluation/runBenchmark";
import { EvaluationRuns } from "./evaluation/runs";
import { PairCellStatusBar } from "./notebook/cellStatus";
import { PairNotebookController } from "./notebook/controller";
import { NOTEBOOK_TYPE, notebookData, PairNotebookSerializer } from "./notebook/serializer";
import { NotebookSummaryStatusBar } from "./notebook/summary";

export interface EvaluationFeatures {
  runs: EvaluationRuns;
  disposables: vscode.Disposable[];
}

export function registerEvaluationFeatures(d: { backends: BackendManager; log: vscode.LogOutputChannel }): EvaluationFeatures {
  const runs = new EvaluationRuns();
  const reports = new ReportView();
  const benchmarkReports = new BenchmarkReportView();
  const deps = { backends: d.backends, runs, reports, benchmarkReports, log: d.log };

  const register = <A extends unknown[], R>(id: string, fn: (...args: A) => Promise<R>) => registerSafeCommand(id, fn, d.log);

  const disposables: vscode.Disposable[] = [
    runs,
    reports,
    benchmarkReports,
    // Outputs are saved in the file (transientOutputs off): reopening shows the judgments.
    vscode.workspace.registerNotebookSerializer(NOTEBOOK_TYPE, new PairNotebookSerializer(), { transientOutputs: false }),
    new PairNotebookController(d.backends, runs, d.log),
    new NotebookSummaryStatusBar(reports),
    new PairCellStatusBar(),

    register("brrm.evaluateDataset", async (uri?: vscode.Uri, opts?: { resume?: boolean }) => evaluateDataset(deps, uri instanceof vscode.Uri ? uri : undefined, opts)),

    // From the palette: asked; a caller (a test) may pass the files.
    register("brrm.compareVariants", async (input?: VariantInput) => compareVariants(deps, input && typeof input === "object" && ("file" in input || "fileA" in input) ? input : undefined)),

    // From the palette: asked; a caller (a test) may pass what to run.
    register("brrm.runBenchmark", async (request?: BenchmarkRequest) => runBenchmark(deps, request && typeof request === "object" && "benchmark" in request ? request : undefined)),

    register("brrm.newNotebook", async () => {
      const text = JSON.stringify(EXAMPLE_PAIR);
      const notebook = await vscode.workspace.openNotebookDocument(NOTEBOOK_TYPE, notebookData(text));
      await vscode.window.showNotebookDocument(notebook);
      return notebook;
    }),

    register("brrm.openAsNotebook", async (uri?: vscode.Uri) => {
      let target = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
      if (!target || !/\.(jsonl|ndjson)$/i.test(target.path)) {
        const picked = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: "Open as Notebook", title: "BR-RM: pick a pair file (JSONL)", filters: { "Pair files": ["jsonl", "ndjson"], "All files": ["*"] } });
        if (!picked?.[0]) return undefined;
        target = picked[0];
      }
      d.log.info(`Opening ${path.basename(target.path)} as a BR-RM notebook.`);
      await vscode.commands.executeCommand("vscode.openWith", target, NOTEBOOK_TYPE);
      return target;
    }),
  ];
  return { runs, disposables };
}
