// One writer per results file. Whatever writes results (brrm eval, brrm benchmark, the editor's
// Evaluate Dataset and Run Benchmark) holds an exclusive lock on the file while it writes, so
// a second writer refuses at once instead of judging and appending the same pairs again; a
// notebook's save checks it (resultsFileHolder) and refuses while a run holds it.
//
// The lock is proper-lockfile's: a `<file>.lock` folder made with an atomic mkdir whose mtime
// the holder refreshes every 5 s. Beside it, `<file>.lock.json` says who holds it (pid, host,
// start time, command), so the refusal names the run in the way. A lock left behind by a
// holder that died without releasing it (kill -9, a crash) is taken over: at once when the note
// names a process of this machine that no longer exists, otherwise once the folder has not been
// refreshed for 10 s (proper-lockfile's stale lock). Locks are released on exit, Ctrl-C included.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as lockfile from "proper-lockfile";
import { BrrmError } from "../core/errors";

/** Who holds a lock, as its `.lock.json` note says. */
export interface LockOwner {
  pid: number;
  host: string;
  /** ISO time the lock was taken. */
  startedAt: string;
  /** What runs: `brrm eval pairs.jsonl --out results.jsonl`, "Evaluate Dataset (VS Code)", ... */
  command: string;
  /** The inode of the lock folder the note belongs to: a note left by an earlier holder does not match. */
  lockIno: number;
}

/** Not refreshed for this long, a lock is stale and may be taken over. */
const STALE_MS = 10_000;

/** The lock guards the file's canonical name: its folder's real path and its own name (a symlink to /dev/full is locked as the link). */
function lockTarget(file: string): string {
  const abs = path.resolve(file);
  let dir = path.dirname(abs);
  try {
    dir = fs.realpathSync(dir);
  } catch {
    // A missing folder is reported when the lock folder cannot be made.
  }
  return path.join(dir, path.basename(abs));
}

const lockDir = (target: string) => `${target}.lock`;
const noteFile = (target: string) => `${target}.lock.json`;

const held = new Set<string>();
// proper-lockfile removes its lock folders on exit; the notes go with them.
process.once("exit", () => {
  for (const note of held) fs.rmSync(note, { force: true });
});

function readOwner(target: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(fs.readFileSync(noteFile(target), "utf8")) as LockOwner;
    return owner.lockIno === fs.statSync(lockDir(target)).ino ? owner : undefined;
  } catch {
    return undefined;
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** A lock whose note names a process of this machine that is gone: no need to wait for it to go stale. */
function heldByTheDead(owner: LockOwner | undefined): boolean {
  return owner !== undefined && owner.host === os.hostname() && owner.pid !== process.pid && !processExists(owner.pid);
}

function localTime(iso: string): string {
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** "pid 4242 on host build-3, started 2026-11-30 12:03:04: brrm eval ..." */
export function describeOwner(o: LockOwner): string {
  const where = o.pid === process.pid && o.host === os.hostname() ? "this process" : `pid ${o.pid}${o.host === os.hostname() ? "" : ` on host ${o.host}`}`;
  return `${where}, started ${localTime(o.startedAt)}: ${o.command}`;
}

/** Another run writes the file. */
export class ResultsLockedError extends BrrmError {
  /** The message's first sentence, which names the run; the rest is advice for a run that wanted the file. */
  readonly heldBy: string;

  constructor(
    readonly file: string,
    readonly owner: LockOwner | undefined,
  ) {
    const heldBy = `${file} is being written by another run (${owner ? describeOwner(owner) : `it holds ${lockDir(lockTarget(file))} and has not said which`}).`;
    super(
      "RESULTS_LOCKED",
      owner
        ? `${heldBy} Wait for it to finish or stop it, or give another results file: two runs writing one file would judge and write the same pairs twice.`
        : `${heldBy} Wait for it to finish or stop it; if no run is writing the file, the lock is taken over ${STALE_MS / 1000} s after its holder stopped.`,
    );
    this.name = "ResultsLockedError";
    this.heldBy = heldBy;
  }
}

function lockError(file: string, e: NodeJS.ErrnoException): BrrmError {
  const dir = path.dirname(path.resolve(file));
  const why =
    e.code === "ENOENT"
      ? `its folder ${dir} does not exist; create it or write the results elsewhere`
      : e.code === "EACCES" || e.code === "EPERM" || e.code === "EROFS"
        ? `a lock cannot be made in ${dir} (${e.code}); write the results to a folder you can write to`
        : `${e.message}`;
  return new BrrmError("RESULTS_UNWRITABLE", `Cannot write the results file ${file}: ${why}.`, { cause: e });
}

/** The exclusive right to write one results file; release it when done. */
export class ResultsLock {
  /** Set when the lock was lost (its folder removed, or not refreshed in time): writing must stop. */
  lost: Error | undefined;
  private released = false;

  /** @internal Made by lockResultsFile. */
  constructor(
    readonly file: string,
    private readonly target: string,
    private readonly unlock: () => Promise<void>,
    private readonly ino: number,
  ) {}

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    const note = noteFile(this.target);
    held.delete(note);
    if (readOwner(this.target)?.lockIno === this.ino) fs.rmSync(note, { force: true });
    if (!this.lost) await this.unlock().catch(() => undefined);
  }
}

/**
 * The run that holds `file`'s lock now, without taking it or making anything on disk: undefined
 * when the file is free (no lock, a stale one, or one whose holder is gone). For a writer that
 * cannot hold the lock itself (a notebook's save, see extension/notebook/saveLock.ts).
 */
export function resultsFileHolder(file: string): ResultsLockedError | undefined {
  const target = lockTarget(file);
  let locked: boolean;
  try {
    locked = lockfile.checkSync(target, { realpath: false, stale: STALE_MS });
  } catch {
    return undefined;
  }
  if (!locked) return undefined;
  const owner = readOwner(target);
  return heldByTheDead(owner) ? undefined : new ResultsLockedError(file, owner);
}

/**
 * Takes the results file `file` for this run, or fails at once with ResultsLockedError naming
 * the run that has it. `command` says what this run is, for a run that gets refused.
 */
export async function lockResultsFile(file: string, command: string): Promise<ResultsLock> {
  const target = lockTarget(file);
  let lock: ResultsLock | undefined;
  const options: lockfile.LockOptions = {
    realpath: false,
    stale: STALE_MS,
    retries: 0,
    // The default throws from a timer, which would crash the process (or the extension host).
    onCompromised: (e) => {
      if (lock) lock.lost = e;
    },
  };
  let unlock: () => Promise<void>;
  try {
    unlock = await lockfile.lock(target, options);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ELOCKED") throw lockError(file, e as NodeJS.ErrnoException);
    const owner = readOwner(target);
    if (!heldByTheDead(owner)) throw new ResultsLockedError(file, owner);
    fs.rmSync(lockDir(target), { recursive: true, force: true });
    unlock = await lockfile.lock(target, options).catch((again: NodeJS.ErrnoException) => {
      throw again.code === "ELOCKED" ? new ResultsLockedError(file, readOwner(target)) : lockError(file, again);
    });
  }
  const ino = fs.statSync(lockDir(target)).ino;
  lock = new ResultsLock(file, target, unlock, ino);
  const owner: LockOwner = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString(), command, lockIno: ino };
  // Written whole and renamed into place, so a reader never sees half a note.
  const tmp = `${noteFile(target)}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, JSON.stringify(owner));
    fs.renameSync(tmp, noteFile(target));
    held.add(noteFile(target));
  } catch {
    // Without a note the lock still holds; a refused run just cannot say whose it is.
    fs.rmSync(tmp, { force: true });
  }
  return lock;
}
