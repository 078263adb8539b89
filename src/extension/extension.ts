// Activation: wiring only. Cheap on purpose: nothing here loads a model or node-llama-cpp;
// the backend manager does that at the first comparison.

import * as vscode from "vscode";
import type { PanelSnapshot } from "../../media/src/protocol";
import { errorMessage } from "../core/errors";
import { BackendManager } from "./backendManager";
import { registerCommands } from "./commands";
import { ComparisonRunner } from "./comparisonRunner";
import { registerCudaAcceleration } from "./cudaAcceleration";
import { JudgmentDiagnostics, ShowAnalysisActionProvider } from "./diagnostics";
import { registerEvaluationFeatures } from "./evaluationFeatures";
import { inputFromForm } from "./inputs";
import { JudgmentStore } from "./judgmentStore";
import { JudgePanel, PANEL_VIEW_TYPE } from "./panel";
import { ApiKeyStore } from "./secrets";
import { affectsBackend, affectsSettings, readSettings } from "./settings";
import { backendSummary, BackendStatusBar } from "./statusBar";

let backends: BackendManager | undefined;

/** What activation hands to other extensions (and the extension-host tests): read-only state. */
export interface BrrmApi {
  /** The judge panel's state: the form, the running comparison (phase, turn, tokens) and the last judgment. */
  panelState(): PanelSnapshot;
}

export function activate(context: vscode.ExtensionContext): BrrmApi {
  const log = vscode.window.createOutputChannel("BR-RM", { log: true });
  const apiKeys = new ApiKeyStore(context.secrets);
  backends = new BackendManager(apiKeys, log);
  const manager = backends;
  const diagnostics = new JudgmentDiagnostics();
  const store = new JudgmentStore();
  const panel = new JudgePanel(
    context.extensionUri,
    {
      run: (form, ctx) => void runner.run(inputFromForm(form, ctx)).catch((e: unknown) => log.error(`Run from the panel: ${errorMessage(e)}`)),
      cancel: () => runner.cancel(),
    },
    log,
  );
  const runner = new ComparisonRunner(manager, panel, diagnostics, store, log);
  const statusBar = new BackendStatusBar(manager);
  const evaluation = registerEvaluationFeatures({ backends: manager, log });
  // "BR-RM: Cancel" is enabled while a comparison or any evaluation (notebook, dataset) runs.
  const setRunning = () => void vscode.commands.executeCommand("setContext", "brrm.running", runner.isRunning || evaluation.runs.isRunning);
  const showBackend = () => panel.update({ type: "backend", text: backendSummary(manager.currentState, manager.compute) });
  showBackend();
  for (const p of readSettings().problems) log.warn(p);

  context.subscriptions.push(
    log,
    apiKeys,
    diagnostics,
    panel,
    runner,
    statusBar,
    ...registerCommands({ context, backends: manager, runner, panel, diagnostics, store, apiKeys, log, cancelEvaluations: () => evaluation.runs.cancelAll() }),
    ...evaluation.disposables,
    ...registerCudaAcceleration({ context, backends: manager, log }),
    manager.onDidChangeState(showBackend),
    runner.onDidChangeRunning(setRunning),
    evaluation.runs.onDidChangeRunning(setRunning),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!affectsSettings(e)) return;
      for (const p of readSettings().problems) log.warn(p);
      if (affectsBackend(e)) manager.invalidate("the backend settings changed");
      statusBar.render();
      showBackend();
    }),
    // Trust unlocks the folder's own endpoint, model and template settings.
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      manager.invalidate("the workspace is now trusted");
      statusBar.render();
      showBackend();
    }),
    vscode.languages.registerCodeActionsProvider({ pattern: "**" }, new ShowAnalysisActionProvider(diagnostics), {
      providedCodeActionKinds: ShowAnalysisActionProvider.kinds,
    }),
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      deserializeWebviewPanel: async (webviewPanel, state) => panel.restore(webviewPanel, state),
    }),
  );
  return { panelState: () => panel.current };
}

/** Frees the model (and its memory) when the window closes or the extension is disabled. */
export async function deactivate(): Promise<void> {
  await backends?.dispose();
  backends = undefined;
}
