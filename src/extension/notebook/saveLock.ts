// A pair notebook's save writes its file like any results writer, so it respects the file's
// lock (files/resultsLock.ts): while another run holds it (a terminal's `brrm eval` appending
// to this file, Evaluate Dataset writing it) the save is refused with that run's name instead
// of overwriting the lines it appends.
//
// The save checks the lock rather than taking it: taking it makes the lock folder and its note
// beside the file during the save, and VS Code's first notebook save of a session then silently
// did not happen (save() false, the file untouched; with the lock already held, as on a second
// save, it did). What this gives up is the few milliseconds of the write itself, during which a
// run starting on the file is not refused.
//
// VS Code lets a save participant delay a save but not refuse it; a serializer refuses a save by
// throwing, but is not told which file it serializes. So the participant, which knows the file,
// checks the lock and files its decision under the notebook's content (its cells' kinds,
// languages and text); the serializer, handed that same content a moment later, takes the
// decision filed under it. The participant changes nothing in the notebook: an edit made there
// (a metadata ticket, tried first) raced VS Code's remote save, which compares the extension
// host's copy of the notebook with the version being saved.

import { createHash } from "node:crypto";
import * as vscode from "vscode";
import { resultsFileHolder } from "../../files/resultsLock";

/** How long a decision waits for its save's serialization: a save that fails or stops never reaches the serializer. */
const DECISION_MS = 30_000;

/** The decisions of saves not yet serialized, by content: each the reason a save is refused, or undefined to let it through. */
const decisions = new Map<string, (string | undefined)[]>();

interface CellContent {
  kind: vscode.NotebookCellKind;
  languageId: string;
  text: string;
}

/** What a save writes, as both sides see it: the participant from the document, the serializer from its data. */
function contentKey(cells: readonly CellContent[]): string {
  const hash = createHash("sha256");
  for (const c of cells) hash.update(JSON.stringify([c.kind, c.languageId, c.text]));
  return hash.digest("hex");
}

function decide(notebook: vscode.NotebookDocument, log: vscode.LogOutputChannel): void {
  const file = notebook.uri.fsPath;
  const key = contentKey(notebook.getCells().map((c) => ({ kind: c.kind, languageId: c.document.languageId, text: c.document.getText() })));
  const holder = resultsFileHolder(file);
  const decision = holder ? `${holder.message.replace(/ Wait for it to finish.*$/, "")} Save again once it has finished, or save under another name: saving now would overwrite what it appends.` : undefined;
  if (decision) log.error(`Not saving: ${decision}`);
  const queue = decisions.get(key) ?? [];
  queue.push(decision);
  decisions.set(key, queue);
  setTimeout(() => {
    const left = decisions.get(key);
    const at = left?.indexOf(decision) ?? -1;
    if (left && at >= 0) left.splice(at, 1);
    if (left?.length === 0) decisions.delete(key);
  }, DECISION_MS);
}

/**
 * For the serializer: throws (refusing the save) when the save of this content was refused. A
 * decision counts once; content no save participant saw (a backup, an untitled notebook) passes.
 */
export function takeSaveDecision(cells: readonly vscode.NotebookCellData[]): void {
  const key = contentKey(cells.map((c) => ({ kind: c.kind, languageId: c.languageId, text: c.value })));
  const queue = decisions.get(key);
  if (!queue) return;
  const refused = queue.shift();
  if (queue.length === 0) decisions.delete(key);
  if (refused) throw new Error(refused);
}

/** The save participant for notebooks of `notebookType` saved to disk. */
export function registerNotebookSaveLock(notebookType: string, log: vscode.LogOutputChannel): vscode.Disposable {
  return vscode.workspace.onWillSaveNotebookDocument((e) => {
    if (e.notebook.notebookType === notebookType && e.notebook.uri.scheme === "file") decide(e.notebook, log);
  });
}
