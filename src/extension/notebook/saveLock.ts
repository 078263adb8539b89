// A pair notebook's save writes its file like any results writer, so it respects the file's
// lock (files/resultsLock.ts): while another run holds it (a terminal's `brrm eval` appending
// to this file, Evaluate Dataset writing it) the save is refused with that run's name instead
// of overwriting the lines it appends.
//
// The serializer refuses a save by throwing, but is not told which file it serializes; it is
// handed the notebook's content, so the file is the open notebook with that content (its cells'
// kinds, languages and text). No save participant: VS Code gives a notebook's save
// participants 1.75 s in all and then goes on without them ("Aborted
// onWillSaveNotebookDocument-event after 1750ms"), which an extension host busy loading or
// running a model exceeded, so a decision made there could miss its save and let it through.
// The lock is checked, not taken: taking it would make its folder beside the file during the
// save. What this gives up is the few milliseconds of the write itself, during which a run
// starting on the file is not refused.

import * as vscode from "vscode";
import { resultsFileHolder } from "../../files/resultsLock";

type CellContent = readonly [kind: vscode.NotebookCellKind, languageId: string, text: string];

const sameCells = (a: readonly CellContent[], b: readonly CellContent[]) => a.length === b.length && a.every((c, i) => c[0] === b[i][0] && c[1] === b[i][1] && c[2] === b[i][2]);

/**
 * For the serializer: throws (refusing the save) when the notebook being saved, found by its
 * content among the open ones of `notebookType`, is a file another run is writing. Content no
 * open notebook on disk has (a backup of an untitled notebook) passes.
 */
export function refuseSaveWhileLocked(notebookType: string, cells: readonly vscode.NotebookCellData[]): void {
  const saving = cells.map((c): CellContent => [c.kind, c.languageId, c.value]);
  for (const notebook of vscode.workspace.notebookDocuments) {
    if (notebook.notebookType !== notebookType || notebook.uri.scheme !== "file") continue;
    if (!sameCells(saving, notebook.getCells().map((c): CellContent => [c.kind, c.document.languageId, c.document.getText()]))) continue;
    const holder = resultsFileHolder(notebook.uri.fsPath);
    if (holder) throw new Error(`${holder.heldBy} Save again once it has finished, or save under another name: saving now would overwrite what it appends.`);
  }
}
