// A results file: JSONL, one line per judged pair, appended as each pair finishes. A line is
// handed to the kernel with one write before the pair counts as done, so a crash or Ctrl-C
// loses nothing finished (a power cut may: there is no fsync per pair, which would cost more
// than a cached pair takes to judge). A line cut short by a crash is removed on resume.

import * as fs from "node:fs";
import { parseResultLine, readLines, resultLine, type PairResult } from "../core/dataset";
import { BrrmError } from "../core/errors";
import { fileChunks, unterminatedTailBytes } from "./jsonl";
import { lockResultsFile, type ResultsLock } from "./resultsLock";

export type ResultEntry = { ok: true; result: PairResult } | { ok: false; line: number; reason: string };

/** Streams a results file back, line by line, with the lines that are not results reported. */
export async function* readResults(file: string): AsyncGenerator<ResultEntry> {
  for await (const l of readLines(await fileChunks(file, "Results file"))) {
    if ("tooLong" in l) {
      yield { ok: false, line: l.line, reason: `the line is ${l.tooLong} characters long` };
      continue;
    }
    if (!l.text.trim()) continue;
    const parsed = parseResultLine(l.text);
    yield parsed.ok ? parsed : { ok: false, line: l.line, reason: parsed.reason };
  }
}

export interface ExistingResults {
  /** Keys of the pairs already in the file. */
  done: Set<string>;
  /** Lines that are not results (not counting a cut-short last line). */
  unreadable: number;
  /** Bytes of a last line cut short by a crash; removed before appending. */
  partialTailBytes: number;
  /** Lines for a key already seen (a file concatenated by hand): the first one counts. */
  duplicates: number;
  /** How the results were judged, as `<orders>x<samples>` ("2x3": swap, 3 samples): a resume warns on a change. */
  shapes: Set<string>;
}

/** `<orders>x<samples>` of a result, to compare with a run's --swap and --samples. */
export const resultShape = (r: PairResult) => `${r.orders.length}x${Math.max(...r.orders.map((o) => o.samples.length))}`;

/** What is already in a results file; an absent file is an empty one. */
export async function scanResults(file: string): Promise<ExistingResults> {
  const out: ExistingResults = { done: new Set(), unreadable: 0, partialTailBytes: 0, duplicates: 0, shapes: new Set() };
  if (!fs.existsSync(file)) return out;
  out.partialTailBytes = await unterminatedTailBytes(file);
  let lastBad = false;
  for await (const entry of readResults(file)) {
    lastBad = !entry.ok;
    if (!entry.ok) out.unreadable++;
    else if (out.done.has(entry.result.key)) out.duplicates++;
    else {
      out.done.add(entry.result.key);
      out.shapes.add(resultShape(entry.result));
    }
  }
  // A cut-short last line is expected after a crash; it is not "unreadable" data.
  if (out.partialTailBytes > 0 && lastBad) out.unreadable--;
  return out;
}

/** Why a write failed, in words, and what to do about it. */
function writeProblem(e: NodeJS.ErrnoException): { why: string; fix: string } {
  switch (e.code) {
    case "ENOSPC":
      return { why: "the disk is full (ENOSPC)", fix: "free some space" };
    case "EDQUOT":
      return { why: "your disk quota is used up (EDQUOT)", fix: "free some space" };
    case "EROFS":
      return { why: "the file system is read-only (EROFS)", fix: "write the results to a writable disk" };
    case "EACCES":
    case "EPERM":
      return { why: `permission denied (${e.code})`, fix: "make the file writable" };
    case "EFBIG":
      return { why: "the file is too large for its file system (EFBIG)", fix: "write the results to another disk" };
    default:
      return { why: e.message, fix: "fix the cause" };
  }
}

/**
 * Appends result lines; writes are queued so concurrent pairs never interleave. The run holds
 * the file's lock (resultsLock.ts) while the writer is open, and before each line the writer
 * checks that the file it writes is still the one on disk and still writable: a line must
 * never go to a file that was deleted or replaced, and a file made read-only stops the run.
 */
export class ResultsWriter {
  private queue: Promise<void> = Promise.resolve();
  private written = 0;
  private failure: BrrmError | undefined;

  private constructor(
    private readonly file: string,
    private readonly handle: fs.promises.FileHandle,
    private readonly lock: ResultsLock,
    private readonly ownsLock: boolean,
  ) {}

  /**
   * Opens `file` for appending, under `lock` when the caller holds it already (it read the file
   * first), or else under a lock taken now for `command`. `truncateTo` cuts the file first (0
   * starts over; a length drops a cut-short last line).
   */
  static async open(file: string, options: { truncateTo?: number } & ({ lock: ResultsLock } | { command: string })): Promise<ResultsWriter> {
    const lock = "lock" in options ? options.lock : await lockResultsFile(file, options.command);
    try {
      if (options.truncateTo !== undefined && fs.existsSync(file)) await fs.promises.truncate(file, options.truncateTo);
      return new ResultsWriter(file, await fs.promises.open(file, "a"), lock, !("lock" in options));
    } catch (e) {
      if (!("lock" in options)) await lock.release();
      throw new BrrmError("RESULTS_UNWRITABLE", `Cannot write the results file ${file}: ${writeProblem(e as NodeJS.ErrnoException).why}.`, { cause: e });
    }
  }

  private stopped(why: string, fix: string, cause?: unknown): BrrmError {
    const kept = this.written > 0 ? `the ${this.written} results written before are kept` : "no result of this run was written";
    return new BrrmError("RESULTS_UNWRITABLE", `Cannot write to the results file ${this.file}: ${why}. The run stopped; ${kept}. ${fix[0].toUpperCase()}${fix.slice(1)}, then run again with --resume.`, { cause });
  }

  /**
   * Throws when the line must not be written: the lock is lost, or the file was deleted, replaced
   * or made read-only. Two stat calls, synchronous: a few microseconds, where their promise
   * versions cost a trip through the thread pool per line.
   */
  private check(): void {
    if (this.lock.lost) throw this.stopped(`the lock on it was lost (${this.lock.lost.message})`, "make sure no other run writes the file");
    const onDisk = fs.statSync(this.file, { throwIfNoEntry: false });
    const open = fs.fstatSync(this.handle.fd);
    if (!onDisk || onDisk.ino !== open.ino || onDisk.dev !== open.dev)
      throw new BrrmError("RESULTS_UNWRITABLE", `The results file ${this.file} was deleted or replaced while the run was writing it. The run stopped so that no result goes to a file nobody can read; put the file back or start over.`);
    if ((onDisk.mode & 0o222) === 0) throw this.stopped("it was made read-only while the run was writing it", "make it writable again (chmod u+w)");
  }

  append(result: PairResult): Promise<void> {
    const line = resultLine(result);
    const write = this.queue.then(async () => {
      if (this.failure) throw this.failure;
      try {
        this.check();
        await this.handle.appendFile(line, "utf8");
        this.written++;
      } catch (e) {
        const { why, fix } = writeProblem(e as NodeJS.ErrnoException);
        this.failure = e instanceof BrrmError ? e : this.stopped(why, fix, e);
        throw this.failure;
      }
    });
    this.queue = write.catch(() => {});
    return write;
  }

  async close(): Promise<void> {
    await this.queue;
    await this.handle.close().catch(() => undefined);
    if (this.ownsLock) await this.lock.release();
  }
}
