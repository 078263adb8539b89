// A benchmark's files judged into a results file: what `brrm benchmark` and the editor's "Run
// Benchmark…" run. open() finds the benchmark's files (only RewardBench's filtered split, only
// RMB's Pairwise_set and BoN_set), reads every record once to count the comparisons, report bad
// records and draw --sample, and checks that resumed results were made the same way, all before
// any model is loaded; run() streams the records again through core's evaluate() and appends
// each finished comparison to the results. The results file is locked from open() to the end of
// run() (or close()): one writer per file.

import * as fs from "node:fs";
import * as path from "node:path";
import type { JudgeBackend } from "../core/backend";
import { BENCHMARK_TITLES, type BenchmarkId, type PromptSet, type RunSettings, type Scoring } from "../core/benchmark/benchmarks";
import { benchmarkPairs, expandRecords } from "../core/benchmark/comparisons";
import { SamplePlanner, type SampleDraw } from "../core/benchmark/sampling";
import { BENCHMARK_RECORDS, settingsOf } from "../core/benchmark/scoring";
import type { DatasetSource } from "../core/datasetSource";
import { BrrmError } from "../core/errors";
import type { EvaluationRun } from "../core/evaluate";
import { evaluateIntoResults, type DatasetRunOptions } from "./datasetEvaluation";
import { openDatasetSource } from "./datasetFiles";
import { readResults, scanResults, type ExistingResults } from "./resultsFile";
import { lockResultsFile, type ResultsLock } from "./resultsLock";

export interface BenchmarkRunFiles {
  benchmark: BenchmarkId;
  /** A benchmark file, or the folder as downloaded. */
  input: string;
  /** The results, JSONL; appended to. */
  output: string;
  resume?: boolean;
  overwrite?: boolean;
  prompts: PromptSet;
  scoring: Scoring;
  /** Seeds the order each comparison is shown in and, with `sample`, which are drawn. */
  orderSeed?: number;
  /** Judge a stratified random sample of about this many comparisons. */
  sample?: number;
}

export interface BenchmarkPlan {
  /** The data files read, in order. */
  files: string[];
  records: number;
  /** Comparisons in the whole benchmark, and those this run covers (all, or the sample). */
  benchmarkComparisons: number;
  comparisons: number;
  badRecords: number;
  /** The first bad records' reasons (all are counted). */
  firstBad: string[];
  draw: SampleDraw | null;
}

const baseName = (p: string) => p.split("/").pop() ?? p;

/** The files of a benchmark in a folder as downloaded; a single file is read whatever its name. */
async function openBenchmarkFiles(benchmark: BenchmarkId, input: string, output: string): Promise<DatasetSource> {
  const isFolder = fs.existsSync(input) && fs.statSync(input).isDirectory();
  if (!isFolder) return openDatasetSource(input);
  const notOutput = (p: string) => path.resolve(input, p) !== path.resolve(output);
  const open = (include: (p: string) => boolean, missing: string) =>
    openDatasetSource(input, { include: (p) => notOutput(p) && include(p) }).catch((e: unknown) => {
      throw e instanceof BrrmError && e.code === "DATASET_EMPTY" ? new BrrmError("DATASET_EMPTY", `${input}: ${missing}`, { cause: e }) : e;
    });
  if (benchmark === "rewardbench")
    return open((p) => baseName(p).startsWith("filtered"), "no file of RewardBench's filtered split (data/filtered-00000-of-00001.parquet in allenai/reward-bench). Give the dataset's folder as downloaded, or the file itself; the raw split is not scored.");
  if (benchmark === "rmb")
    return open((p) => /(^|\/)(Pairwise_set|BoN_set)\//.test(p), "no RMB files (RMB_dataset/Pairwise_set/... and RMB_dataset/BoN_set/... in Zhou-Zoey/RMB-Reward-Model-Benchmark). Give the RMB_dataset folder or the repository as downloaded.");
  // RM-Bench's data folder holds total_dataset.json and the same records again per domain.
  return open((p) => baseName(p) === "total_dataset.json", "").catch((e: unknown) => {
    if (!(e instanceof BrrmError && e.code === "DATASET_EMPTY")) throw e;
    return open(() => true, "no RM-Bench JSON files. Give total_dataset.json or the data folder of THU-KEG/RM-Bench.");
  });
}

const KEEP_BAD = 20;

export class BenchmarkRun {
  private constructor(
    readonly files: BenchmarkRunFiles,
    readonly settings: RunSettings,
    readonly plan: BenchmarkPlan,
    /** What `output` already holds (empty unless resuming). */
    readonly existing: ExistingResults,
    private readonly source: DatasetSource,
    private readonly lock: ResultsLock,
  ) {}

  /** `command` names this run to a second writer that gets refused. */
  static async open(files: BenchmarkRunFiles, command: string): Promise<BenchmarkRun> {
    const { input, output } = files;
    if (path.resolve(input) === path.resolve(output)) throw new BrrmError("RESULTS_IS_INPUT", `The results file is the benchmark's file itself (${output}). Give another --out file.`);
    const lock = await lockResultsFile(output, command);
    try {
      return await BenchmarkRun.plan(files, lock);
    } catch (e) {
      await lock.release();
      throw e;
    }
  }

  private static async plan(files: BenchmarkRunFiles, lock: ResultsLock): Promise<BenchmarkRun> {
    const { benchmark, input, output } = files;
    const hasResults = fs.existsSync(output) && fs.statSync(output).size > 0;
    if (hasResults && !files.resume && !files.overwrite)
      throw new BrrmError("RESULTS_EXIST", `${output} already holds results. Use --resume to judge only the comparisons missing from it, or --overwrite to start it over.`);
    const source = await openBenchmarkFiles(benchmark, input, output);
    const seed = files.orderSeed ?? 0;
    const plan = await planRun(source, benchmark, files.sample, seed);
    if (plan.comparisons === 0)
      throw new BrrmError("DATASET_EMPTY", `${input} holds no ${BENCHMARK_TITLES[benchmark]} records${plan.badRecords > 0 ? ` (${plan.badRecords} records are not ${BENCHMARK_TITLES[benchmark]}'s; the first: ${plan.firstBad[0]})` : ""}. Check that this is the ${BENCHMARK_TITLES[benchmark]} data.`);
    const settings: RunSettings = { name: benchmark, prompts: files.prompts, scoring: files.scoring, sample: plan.draw ? { size: files.sample!, of: plan.benchmarkComparisons, seed } : null };
    if (files.resume && hasResults) await checkSameRun(output, settings);
    const existing = files.resume ? await scanResults(output) : { done: new Set<string>(), unreadable: 0, partialTailBytes: 0, duplicates: 0, shapes: new Set<string>() };
    return new BenchmarkRun(files, settings, plan, existing, source, lock);
  }

  async run(backend: JudgeBackend, options: DatasetRunOptions = {}): Promise<EvaluationRun> {
    const { output, overwrite, orderSeed } = this.files;
    const draw = this.plan.draw;
    const pairs = benchmarkPairs(this.source.records(options.signal), BENCHMARK_RECORDS[this.files.benchmark], {
      settings: this.settings,
      orderSeed: orderSeed ?? 0,
      include: draw ? (unit, stratum) => draw.has(unit, stratum) : undefined,
    });
    return evaluateIntoResults(pairs, backend, options, { output, overwrite, existing: this.existing, lock: this.lock });
  }

  /** Gives the results file back; for a run that ends before run() (a model that fails to load). */
  close(): Promise<void> {
    return this.lock.release();
  }
}

/** One pass over the records: counts, bad records, and the sample's draw. */
async function planRun(source: DatasetSource, benchmark: BenchmarkId, sample: number | undefined, seed: number): Promise<BenchmarkPlan> {
  const planner = new SamplePlanner();
  const plan: BenchmarkPlan = { files: source.files, records: 0, benchmarkComparisons: 0, comparisons: 0, badRecords: 0, firstBad: [], draw: null };
  for await (const x of expandRecords(source.records(), BENCHMARK_RECORDS[benchmark])) {
    if (!x.ok) {
      plan.badRecords++;
      if (plan.firstBad.length < KEEP_BAD) plan.firstBad.push(x.reason);
      continue;
    }
    plan.records++;
    for (const c of x.comparisons) {
      plan.benchmarkComparisons++;
      if (sample !== undefined) planner.add(c.unit, c.stratum);
    }
  }
  plan.comparisons = plan.benchmarkComparisons;
  if (sample !== undefined && sample < plan.benchmarkComparisons) {
    plan.draw = planner.draw(sample, seed);
    plan.comparisons = plan.draw.size;
  }
  return plan;
}

/**
 * Resumed results must be of the same benchmark, prompts and sample: a score of mixed runs would
 * mean nothing. The scoring may change: it is arithmetic on the same judgments.
 */
async function checkSameRun(output: string, settings: RunSettings): Promise<void> {
  const describe = (s: RunSettings) => `${BENCHMARK_TITLES[s.name]} with ${s.prompts === "custom" ? "your own prompt templates" : `--prompts ${s.prompts}`}${s.sample ? ` --sample ${s.sample.size} --order-seed ${s.sample.seed}` : ""}`;
  for await (const entry of readResults(output)) {
    if (!entry.ok) continue;
    const theirs = settingsOf(entry.result);
    if (!theirs) throw new BrrmError("RESULTS_MISMATCH", `${output} holds results of brrm eval, not of a benchmark run. Give another --out file.`);
    const same = theirs.name === settings.name && theirs.prompts === settings.prompts && theirs.sample?.size === settings.sample?.size && theirs.sample?.seed === settings.sample?.seed;
    if (!same) throw new BrrmError("RESULTS_MISMATCH", `${output} holds results of ${describe(theirs)}, not ${describe(settings)}. Resume with the same options, or give another --out file.`);
  }
}
