// The `brrm.*` commands. Each one catches its own failures: a command never throws into the
// extension host, it tells the user and the log.

import * as vscode from "vscode";
import { errorMessage } from "../core/errors";
import { EXAMPLE_PAIR } from "../core/examples";
import type { Judgment } from "../core/judgment";
import type { BackendManager } from "./backendManager";
import type { ComparisonRunner } from "./comparisonRunner";
import type { JudgmentDiagnostics } from "./diagnostics";
import { formOf, inputFromEditor, inputFromFiles, type InputResult } from "./inputs";
import type { JudgmentStore } from "./judgmentStore";
import { downloadModel, selectBackendAndModel } from "./models";
import type { JudgePanel } from "./panel";
import type { ApiKeyStore } from "./secrets";

export interface CommandDeps {
  context: vscode.ExtensionContext;
  backends: BackendManager;
  runner: ComparisonRunner;
  panel: JudgePanel;
  diagnostics: JudgmentDiagnostics;
  store: JudgmentStore;
  apiKeys: ApiKeyStore;
  log: vscode.LogOutputChannel;
  /** Stops the running evaluations (notebook cells, dataset runs); returns whether any ran. */
  cancelEvaluations?: () => boolean;
}

/** Registers a command whose failures are logged and shown, never thrown into the extension host. */
export function registerSafeCommand<A extends unknown[], R>(id: string, fn: (...args: A) => Promise<R>, log: vscode.LogOutputChannel): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (...args: A): Promise<R | undefined> => {
    try {
      return await fn(...args);
    } catch (e) {
      log.error(`${id}: ${errorMessage(e)}`);
      void vscode.window.showErrorMessage(`BR-RM: ${errorMessage(e)}`);
      return undefined;
    }
  });
}

export function registerCommands(d: CommandDeps): vscode.Disposable[] {
  /** Runs an input (or opens the empty panel); resolves with the judgment for callers and tests. */
  const compare = async (result: InputResult): Promise<Judgment | undefined> => {
    if (result.kind === "dismissed") return undefined;
    if (result.kind === "none") {
      if (result.reason) void vscode.window.showWarningMessage(`BR-RM: ${result.reason}`);
      // Nothing to compare here: the panel's form (empty at first, else what the user left there).
      d.panel.reveal(false);
      return undefined;
    }
    return (await d.runner.run(result.input)).judgment;
  };

  const register = <A extends unknown[], R>(id: string, fn: (...args: A) => Promise<R>) => registerSafeCommand(id, fn, d.log);

  return [
    register("brrm.compareResponses", async () => compare(await inputFromEditor(vscode.window.activeTextEditor, d.context.globalState))),

    register("brrm.openPanel", async () => d.panel.reveal(false)),

    // The walkthrough's first comparison: a labelled example, so the verdict can be checked.
    register("brrm.compareExample", async () => {
      const { prompt, response1, response2, label } = EXAMPLE_PAIR;
      const pair = { prompt, response1, response2 };
      return compare({ kind: "input", input: { pair, form: formOf(pair), origin: "an example pair", label } });
    }),

    register("brrm.openWalkthrough", async () =>
      vscode.commands.executeCommand("workbench.action.openWalkthrough", `${d.context.extension.id}#brrm.gettingStarted`, false),
    ),

    // From the explorer with two files selected: (clicked, all selected); from the palette: nothing.
    register("brrm.compareFiles", async (clicked?: vscode.Uri, selected?: vscode.Uri[]) => {
      let uris = selected && selected.length > 0 ? selected : clicked ? [clicked] : [];
      if (uris.length !== 2) {
        const picked = await vscode.window.showOpenDialog({ canSelectMany: true, openLabel: "Compare these two", title: "BR-RM: pick the two responses (two files)" });
        if (!picked) return undefined;
        uris = picked;
      }
      if (uris.length !== 2) {
        void vscode.window.showWarningMessage(`BR-RM: pick exactly two files (the two responses), not ${uris.length}.`);
        return undefined;
      }
      return compare(await inputFromFiles(uris, d.context.globalState));
    }),

    register("brrm.selectBackend", async () => selectBackendAndModel(d.apiKeys)),

    register("brrm.downloadModel", async () => downloadModel(d.backends, d.log)),

    register("brrm.setApiKey", async () => d.apiKeys.prompt()),

    register("brrm.clearDiagnostics", async () => d.diagnostics.clear()),

    register("brrm.cancel", async () => {
      const comparison = d.runner.cancel();
      const cancelled = (d.cancelEvaluations?.() ?? false) || comparison;
      if (!cancelled) void vscode.window.showInformationMessage("BR-RM: nothing is running.");
      return cancelled;
    }),

    register("brrm.showAnalysis", async (judgmentId?: string) => {
      const entry = judgmentId ? d.store.get(judgmentId) : undefined;
      if (!entry) {
        void vscode.window.showWarningMessage("BR-RM: that judgment is no longer available. Run the comparison again.");
        return false;
      }
      d.panel.showJudgment(entry);
      return true;
    }),
  ];
}
