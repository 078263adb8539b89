// A pair notebook's save writes its file like any results writer, so it takes the file's lock
// (files/resultsLock.ts) for the save: while another run holds it (a terminal's `brrm eval`
// appending to this file, Evaluate Dataset writing it) the save is refused with that run's
// name instead of overwriting the lines it appends, and while the save writes, such a run
// cannot start on the file.
//
// VS Code lets a save participant delay a save but not refuse it; a serializer refuses a save by
// throwing, but is not told which file it serializes. So the participant, which knows the file,
// takes the lock (or learns who holds it) and stamps the notebook's metadata with a ticket for
// that decision; the serializer redeems the ticket. The serializer writes no notebook metadata,
// so the ticket never reaches the file. (It cannot be transient metadata: VS Code leaves that
// out of what it hands the serializer.)

import { randomUUID } from "node:crypto";
import * as vscode from "vscode";
import { errorMessage } from "../../core/errors";
import { describeOwner, lockResultsFile, ResultsLockedError, type ResultsLock } from "../../files/resultsLock";

const SAVE_TICKET = "brrmSaveTicket";

/** The longest a save keeps its lock and its decision: a save that fails or stops reaches neither onDidSave nor the serializer. */
const SAVE_LOCK_MS = 30_000;

/** Each ticket's decision: the reason a save is refused, or undefined to let it through. */
const decisions = new Map<string, string | undefined>();
const locks = new Map<string, { lock: ResultsLock; timer: NodeJS.Timeout }>();

async function release(file: string): Promise<void> {
  const held = locks.get(file);
  if (!held) return;
  locks.delete(file);
  clearTimeout(held.timer);
  await held.lock.release();
}

async function decide(notebook: vscode.NotebookDocument, log: vscode.LogOutputChannel): Promise<vscode.WorkspaceEdit> {
  const file = notebook.uri.fsPath;
  const ticket = randomUUID();
  try {
    if (!locks.has(file)) {
      const lock = await lockResultsFile(file, `a BR-RM notebook save in ${vscode.env.appName}`);
      locks.set(file, { lock, timer: setTimeout(() => void release(file), SAVE_LOCK_MS) });
    }
    decisions.set(ticket, undefined);
  } catch (e) {
    const reason =
      e instanceof ResultsLockedError && e.owner
        ? `${file} is being written by another run (${describeOwner(e.owner)}). Save again once it has finished, or save under another name: saving now would overwrite what it appends.`
        : errorMessage(e);
    log.error(`Not saving: ${reason}`);
    decisions.set(ticket, reason);
  }
  // A save stopped before it serialized never redeems its ticket.
  setTimeout(() => decisions.delete(ticket), SAVE_LOCK_MS);
  const edit = new vscode.WorkspaceEdit();
  edit.set(notebook.uri, [vscode.NotebookEdit.updateNotebookMetadata({ ...notebook.metadata, [SAVE_TICKET]: ticket })]);
  return edit;
}

/**
 * For the serializer: throws (refusing the save) when the save this notebook data belongs to
 * was refused. A ticket counts once; data without one (a backup, an untitled notebook) passes.
 */
export function redeemSaveTicket(metadata: { [key: string]: unknown } | undefined): void {
  const ticket = metadata?.[SAVE_TICKET];
  if (typeof ticket !== "string" || !decisions.has(ticket)) return;
  const refused = decisions.get(ticket);
  decisions.delete(ticket);
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
