// A long evaluation in a cancellable progress notification: the backend started (the model's
// download and load shown), then "N of M <unit>" with an ETA as results come in. Shared by
// "Evaluate Dataset…" and "Run Benchmark…", with the question they ask of a results file that
// already holds results.

import * as path from "node:path";
import * as vscode from "vscode";
import type { LoadProgress } from "../../backends/llamaCpp";
import type { JudgeBackend } from "../../core/backend";
import type { RunStats } from "../../core/evaluate";
import type { BackendManager } from "../backendManager";

export function formatSeconds(s: number): string {
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

/** Where a run stands: `done` of `total` `unit`, with the run's stats for the rate and what to flag. */
export interface RunPosition {
  done: number;
  total: number;
  unit: string;
  stats: RunStats;
  problems: string;
}

/** Runs `work` on the backend with progress; Cancel aborts `controller`. */
export async function withRunProgress<T>(
  backends: BackendManager,
  title: string,
  controller: AbortController,
  work: (backend: JudgeBackend, report: (p: RunPosition) => void) => Promise<T>,
): Promise<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    const onCancel = token.onCancellationRequested(() => controller.abort());
    try {
      const onLoad = (p: LoadProgress) =>
        progress.report({ message: p.phase === "download" ? `downloading the model: ${(p.downloadedBytes / 1e6).toFixed(0)} MB` : `loading the model: ${Math.round(p.fraction * 100)}%` });
      progress.report({ message: "starting the backend…" });
      let reported = 0;
      return await backends.use(controller.signal, onLoad, (backend) =>
        work(backend, ({ done, total, unit, stats, problems }) => {
          const fraction = total > 0 ? Math.min(1, done / total) : 0;
          const rate = stats.ms > 0 ? stats.finished / (stats.ms / 1000) : 0;
          const left = total - done;
          const eta = rate > 0 && left > 0 ? `, about ${formatSeconds(left / rate)} left` : "";
          progress.report({ message: `${done} of ${total} ${unit}${problems ? ` (${problems})` : ""}${eta}`, increment: (fraction - reported) * 100 });
          reported = fraction;
        }),
      );
    } finally {
      onCancel.dispose();
    }
  });
}

/**
 * When the results file already holds results: whether to resume (judge only the `unit` missing
 * from it) or start over; undefined when the question is dismissed.
 */
export async function askResumeOrStartOver(output: string, unit: string): Promise<boolean | undefined> {
  const answer = await vscode.window.showQuickPick(
    [
      { label: "Resume", detail: `Judge only the ${unit} missing from the results; keep the rest`, resume: true },
      { label: "Start over", detail: `Empty the results file and judge every ${unit.replace(/s$/, "")} again (cached judgments are reused)`, resume: false },
    ],
    { title: `BR-RM: ${path.basename(output)} already holds results`, ignoreFocusOut: true },
  );
  return answer?.resume;
}
