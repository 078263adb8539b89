// A results file: JSONL, one line per judged pair, appended as each pair finishes. A line is
// handed to the kernel with one write before the pair counts as done, so a crash or Ctrl-C
// loses nothing finished (a power cut may: there is no fsync per pair, which would cost more
// than a cached pair takes to judge). A line cut short by a crash is removed on resume.

import * as fs from "node:fs";
import { parseResultLine, readLines, resultLine, type PairResult } from "../core/dataset";
import { BrrmError } from "../core/errors";
import { fileChunks, unterminatedTailBytes } from "./jsonl";

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

/** Appends result lines; writes are queued so concurrent pairs never interleave. */
export class ResultsWriter {
  private queue: Promise<void> = Promise.resolve();

  private constructor(private readonly handle: fs.promises.FileHandle) {}

  /**
   * Opens `file` for appending. `truncateTo` cuts it first (0 starts over; a length drops a
   * cut-short last line).
   */
  static async open(file: string, truncateTo?: number): Promise<ResultsWriter> {
    try {
      if (truncateTo !== undefined && fs.existsSync(file)) await fs.promises.truncate(file, truncateTo);
      return new ResultsWriter(await fs.promises.open(file, "a"));
    } catch (e) {
      throw new BrrmError("RESULTS_UNWRITABLE", `Cannot write the results file ${file}: ${(e as Error).message}.`, { cause: e });
    }
  }

  append(result: PairResult): Promise<void> {
    const line = resultLine(result);
    const write = this.queue.then(() => this.handle.appendFile(line, "utf8"));
    this.queue = write.catch(() => {});
    return write;
  }

  async close(): Promise<void> {
    await this.queue;
    await this.handle.close();
  }
}
