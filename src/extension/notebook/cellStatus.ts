// Each pair cell's status bar: the record's id and label (which the cell text does not show,
// since editing them there would be easy to do by accident), and a warning when the pair was
// edited after its judgment, so an output about other text is not taken for the current one.

import * as vscode from "vscode";
import { responseTitles } from "./cellFormat";
import { outcomeOf } from "./outputs";
import { cellPair, pairHash } from "./pairLines";
import { cellLine, NOTEBOOK_TYPE, PAIR_LANGUAGE } from "./serializer";

export class PairCellStatusBar implements vscode.NotebookCellStatusBarItemProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCellStatusBarItems = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor() {
    this.subscriptions = [
      vscode.notebooks.registerNotebookCellStatusBarItemProvider(NOTEBOOK_TYPE, this),
      // Outputs arrive and texts change without the cell being asked again otherwise.
      vscode.workspace.onDidChangeNotebookDocument((e) => {
        if (e.notebook.notebookType === NOTEBOOK_TYPE) this.changed.fire();
      }),
    ];
  }

  provideCellStatusBarItems(cell: vscode.NotebookCell): vscode.NotebookCellStatusBarItem[] {
    if (cell.kind !== vscode.NotebookCellKind.Code || cell.document.languageId !== PAIR_LANGUAGE) return [];
    const text = cell.document.getText();
    const pair = cellPair(text, cellLine(cell));
    if (!pair.ok) return [];
    const items: vscode.NotebookCellStatusBarItem[] = [];
    const { record } = pair;
    if (record.id !== undefined) items.push(new vscode.NotebookCellStatusBarItem(`id ${record.id}`, vscode.NotebookCellStatusBarAlignment.Left));
    if (record.label !== null && !record.preference) {
      const item = new vscode.NotebookCellStatusBarItem(`label: ${record.label === "tie" ? "tie" : responseTitles(text)[record.label - 1]}`, vscode.NotebookCellStatusBarAlignment.Left);
      item.tooltip = "The response the data says is better (the line's label field); a tie is judged but not counted in the accuracy";
      items.push(item);
    }
    const outcome = outcomeOf(cell.outputs);
    if (outcome && outcome.pairHash !== "" && outcome.pairHash !== pairHash(record)) {
      const item = new vscode.NotebookCellStatusBarItem("$(warning) edited since judged", vscode.NotebookCellStatusBarAlignment.Left);
      item.tooltip = "The output is about the text before your edit: run the cell again to judge the pair as it is now.";
      items.push(item);
    }
    return items;
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}
