// A pair notebook's save writes its file like any results writer, so it takes the file's lock
// (files/resultsLock.ts) for the save: while another run holds it (a terminal's `brrm eval`
// appending to this file, Evaluate Dataset writing it) the save is refused with that run's
// name instead of overwriting the lines it appends, and while the save writes, such a run
// cannot start on the file.
//
// VS Code lets a save participant delay a save but not refuse it; a serializer refuses a save by
// throwing, but is not told which file it serializes. So the participant, which knows the file,
// takes the lock (or learns who holds it) and files its decision under the notebook's content
// (its cells' kinds, languages and text); the serializer, handed that same content a moment
// later, takes the decision filed under it. The participant changes nothing in the notebook: an
// edit made there (a metadata ticket, tried first) raced VS Code's remote save, which compares
// the extension host's copy of the notebook with the version being saved, so a save could stay
// dirty, or a refused one go through on a ticket that had not arrived yet.

import { createHash } from "node:crypto";
import * as vscode from "vscode";
import { errorMessage } from "../../core/errors";
import { describeOwner, lockResultsFile, ResultsLockedError, type ResultsLock } from "../../files/resultsLock";

/** The longest a save keeps its lock and its decision: a save that fails or stops reaches neither onDidSave nor the serializer. */
const SAVE_LOCK_MS = 30_000;

/** The decisions of saves not yet serialized, by content: each the reason a save is refused, or undefined to let it through. */
const decisions = new Map<string, (string | undefined)[]>();
const locks = new Map<string, { lock: ResultsLock; timer: NodeJS.Timeout }>();

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

async function release(file: string): Promise<void> {
  const held = locks.get(file);
  if (!held) return;
  locks.delete(file);
  clearTimeout(held.timer);
  await held.lock.release();
}

async function decide(notebook: vscode.NotebookDocument, log: vscode.LogOutputChannel): Promise<void> {
  const file = notebook.uri.fsPath;
  const key = contentKey(notebook.getCells().map((c) => ({ kind: c.kind, languageId: c.document.languageId, text: c.document.getText() })));
  let decision: string | undefined;
  try {
    if (!locks.has(file)) {
      const lock = await lockResultsFile(file, `a BR-RM notebook save in ${vscode.env.appName}`);
      locks.set(file, { lock, timer: setTimeout(() => void release(file), SAVE_LOCK_MS) });
    }
  } catch (e) {
    decision =
      e instanceof ResultsLockedError && e.owner
        ? `${file} is being written by another run (${describeOwner(e.owner)}). Save again once it has finished, or save under another name: saving now would overwrite what it appends.`
        : errorMessage(e);
    log.error(`Not saving: ${decision}`);
  }
  const queue = decisions.get(key) ?? [];
  queue.push(decision);
  decisions.set(key, queue);
  // A save stopped before it serialized never takes its decision.
  setTimeout(() => {
    const left = decisions.get(key);
    if (left && left.indexOf(decision) >= 0) left.splice(left.indexOf(decision), 1);
    if (left?.length === 0) decisions.delete(key);
  }, SAVE_LOCK_MS);
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
  return vscode.Disposable.from(
    vscode.workspace.onWillSaveNotebookDocument((e) => {
      if (e.notebook.notebookType === notebookType && e.notebook.uri.scheme === "file") e.waitUntil(decide(e.notebook, log));
    }),
    vscode.workspace.onDidSaveNotebookDocument((notebook) => void release(notebook.uri.fsPath)),
    { dispose: () => void Promise.all([...locks.keys()].map(release)) },
  );
}
