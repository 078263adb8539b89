// The evaluations running in this window (notebook cells, "Evaluate Dataset…", "Compare Prompt
// Variants…"), so that "BR-RM: Cancel" and the `brrm.running` context key cover them as well
// as the judge panel's comparison.

import * as vscode from "vscode";

export class EvaluationRuns implements vscode.Disposable {
  private readonly active = new Set<AbortController>();
  private readonly changed = new vscode.EventEmitter<boolean>();
  /** Fires true when the first run starts and false when the last one ends. */
  readonly onDidChangeRunning = this.changed.event;

  get isRunning(): boolean {
    return this.active.size > 0;
  }

  /** Registers a run's controller; dispose the result when the run ends. */
  track(controller: AbortController): vscode.Disposable {
    this.active.add(controller);
    if (this.active.size === 1) this.changed.fire(true);
    return new vscode.Disposable(() => {
      if (!this.active.delete(controller)) return;
      if (this.active.size === 0) this.changed.fire(false);
    });
  }

  /** Stops every run; returns whether any was running. */
  cancelAll(): boolean {
    const any = this.active.size > 0;
    for (const c of this.active) c.abort();
    return any;
  }

  dispose(): void {
    this.cancelAll();
    this.changed.dispose();
  }
}
