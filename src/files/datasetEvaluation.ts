// A dataset (a file or a folder of them) judged into a results file: what `brrm eval` and the
// extension's "Evaluate Dataset…" run. open() takes the results file's lock (one writer per
// file), checks the files and reads what a resume skips before any model is loaded; run()
// streams the dataset through core's evaluate() and appends each finished pair; close() gives
// the lock back (run() does at its end).

import * as fs from "node:fs";
import * as path from "node:path";
import type { JudgeBackend } from "../core/backend";
import { readDataset } from "../core/dataset";
import type { DatasetSource } from "../core/datasetSource";
import { BrrmError } from "../core/errors";
import { evaluate, type EvaluateOptions, type EvaluationRun } from "../core/evaluate";
import type { FieldMap } from "../core/records";
import { openDatasetSource } from "./datasetFiles";
import { ResultsWriter, scanResults, type ExistingResults } from "./resultsFile";
import { lockResultsFile, type ResultsLock } from "./resultsLock";

export interface DatasetEvaluationFiles {
  /** The pairs: a .jsonl, .json, .jsonl.gz, .json.gz or .parquet file, or a folder of them. */
  input: string;
  /** The results, JSONL; appended to. */
  output: string;
  /** Keep the results already in `output` and judge only the pairs missing from it. */
  resume?: boolean;
  /** Start `output` over (it is emptied when the run starts, not before). */
  overwrite?: boolean;
  /** Seeds the order preference pairs are shown in. */
  orderSeed?: number;
  /** The user's field names for the parts of a pair (`--map`). */
  map?: FieldMap;
}

/** Results files (`*.results.jsonl`, what Evaluate Dataset writes) are never read as data of a folder. */
const isResultsFile = (relativePath: string) => relativePath.endsWith(".results.jsonl");

export type DatasetRunOptions = Omit<EvaluateOptions, "done" | "onResult">;

export class DatasetEvaluation {
  private constructor(
    readonly files: DatasetEvaluationFiles,
    private readonly source: DatasetSource,
    private readonly folder: boolean,
    /** Records in the dataset (JSON Lines: non-blank lines): an upper bound on its pairs, for progress. */
    readonly inputRecords: number,
    /** What `output` already holds (empty unless resuming). */
    readonly existing: ExistingResults,
    private readonly lock: ResultsLock,
  ) {}

  /** `command` names this run to a second writer that gets refused (`brrm eval …`, "BR-RM: Evaluate Dataset in VS Code"). */
  static async open(files: DatasetEvaluationFiles, command: string): Promise<DatasetEvaluation> {
    const input = path.resolve(files.input);
    const output = path.resolve(files.output);
    if (input === output) throw new BrrmError("RESULTS_IS_INPUT", `The results file is the dataset itself (${files.output}). Give another --out file.`);
    const source = await openDatasetSource(files.input, { include: (p) => !isResultsFile(p) && path.join(input, p) !== output });
    const folder = fs.statSync(files.input).isDirectory();
    const inputRecords = await source.count();
    // Taken before the results are read: what a resume skips must not change before the run appends.
    const lock = await lockResultsFile(files.output, command);
    try {
      const hasResults = fs.existsSync(files.output) && fs.statSync(files.output).size > 0;
      if (hasResults && !files.resume && !files.overwrite)
        throw new BrrmError("RESULTS_EXIST", `${files.output} already holds results. Use --resume to judge only the pairs missing from it, or --overwrite to start it over.`);
      const existing = files.resume ? await scanResults(files.output) : { done: new Set<string>(), unreadable: 0, partialTailBytes: 0, duplicates: 0, shapes: new Set<string>() };
      return new DatasetEvaluation(files, source, folder, inputRecords, existing, lock);
    } catch (e) {
      await lock.release();
      throw e;
    }
  }

  async run(backend: JudgeBackend, options: DatasetRunOptions = {}): Promise<EvaluationRun> {
    const { output, overwrite, orderSeed, map } = this.files;
    const pairs = readDataset(this.source.records(options.signal), { orderSeed, map, folder: this.folder });
    return evaluateIntoResults(pairs, backend, options, { output, overwrite, existing: this.existing, lock: this.lock });
  }

  /** Gives the results file back; for a run that ends before run() (a model that fails to load). */
  close(): Promise<void> {
    return this.lock.release();
  }
}

/**
 * Judges `pairs` into the results file `output` (its last line cut short by a crash removed, or
 * the whole file with `overwrite`), skipping what `existing` holds, then gives back its lock:
 * the end of a dataset's run and of a benchmark's.
 */
export async function evaluateIntoResults(
  pairs: Parameters<typeof evaluate>[0],
  backend: JudgeBackend,
  options: DatasetRunOptions,
  results: { output: string; overwrite?: boolean; existing: ExistingResults; lock: ResultsLock },
): Promise<EvaluationRun> {
  const { output, overwrite, existing, lock } = results;
  try {
    const truncateTo = overwrite ? 0 : existing.partialTailBytes > 0 ? fs.statSync(output).size - existing.partialTailBytes : undefined;
    const writer = await ResultsWriter.open(output, { truncateTo, lock });
    try {
      return await evaluate(pairs, backend, { ...options, done: existing.done, onResult: (r) => writer.append(r) });
    } finally {
      await writer.close();
    }
  } finally {
    await lock.release();
  }
}
