// `brrm benchmark`: RewardBench, RM-Bench or RMB from the files as their authors publish them,
// judged into a results file (resumable, cached, concurrent, as `brrm eval`), then scored the
// benchmark's own way or the paper's, beside BR-RM's published figures.

import { parseArgs } from "node:util";
import { BENCHMARK_IDS, BENCHMARK_TITLES, PROMPT_SETS, SCORING_TEXT, SCORINGS, type BenchmarkId } from "../core/benchmark/benchmarks";
import { renderBenchmarkMarkdown } from "../core/benchmark/report";
import { jsonSummary } from "../core/benchmark/scoring";
import { BrrmError } from "../core/errors";
import type { EvaluationRun } from "../core/evaluate";
import { PAPER_TEMPLATES } from "../core/prompts";
import { BenchmarkRun } from "../files/benchmarkRun";
import { readBenchmarkReport } from "../files/benchmarkReport";
import { peakRssMB } from "../files/memory";
import { evaluationBackend } from "./evaluationBackend";
import { choiceArg, numberArg, UsageError } from "./args";
import { commandLine, type Command } from "./command";
import { exitStatus, RUN_EXIT_HELP } from "./exitStatus";
import { backendConfigFrom, JUDGE_FLAGS, JUDGE_FLAGS_HELP, judgeOptionsFrom } from "./judgeOptions";
import { ProgressReporter } from "./output";
import { EvalProgressBar } from "./progressBar";
import { RUN_FLAGS, runFlagsHelp, runLines, runOptionsFrom } from "./runOptions";

/** Errors about the files named on the command line are usage errors (exit 2). */
const USAGE_CODES = new Set(["RESULTS_EXIST", "RESULTS_IS_INPUT", "RESULTS_MISMATCH", "FILE_NOT_FOUND", "DATASET_EMPTY", "UNSUPPORTED_DATASET"]);

const scoringHelp = BENCHMARK_IDS.map((b) => `  ${BENCHMARK_TITLES[b]}\n${SCORINGS.map((s) => `    ${s}: ${SCORING_TEXT[b][s]}.`).join("\n")}`).join("\n");

export const benchmarkCommand: Command = {
  name: "benchmark",
  summary: "reproduce the paper: RewardBench, RM-Bench or RMB from their published files, scored like the official scripts",
  help: `Usage: brrm benchmark <rewardbench|rm-bench|rmb> <path> --out <results.jsonl> [options]

Judges a public reward-model benchmark from its files as published and scores it as its
authors do (or as BR-RM's paper code does), beside BR-RM's published figures. Each comparison
is the chosen response against a rejected one, shown in a seeded random order (both orders with
--swap); its result is appended to --out as soon as it is finished, so a crash or Ctrl-C loses
nothing and --resume finishes the rest.

  rewardbench <path>          RewardBench v1 (allenai/reward-bench): the filtered split's parquet
                              file, the dataset's folder as downloaded (the raw split is not read),
                              or the same records as JSON Lines (prompt, chosen, rejected, subset, id)
  rm-bench <path>             RM-Bench (THU-KEG/RM-Bench): its JSON array file(s) of {id, prompt,
                              chosen[3], rejected[3], domain} (a folder: total_dataset.json if there);
                              9 comparisons per record, every chosen style against every rejected one
  rmb <path>                  RMB (Zhou-Zoey/RMB-Reward-Model-Benchmark): the RMB_dataset folder
                              (Pairwise_set/..., BoN_set/...), read in sorted path order; one
                              comparison per pair, one per loser of a best-of-N item

Benchmark:
  --scoring official|paper    official (default): as each benchmark's authors publish it;
                              paper: as BR-RM's public evaluation code computes it (its RM-Bench
                              mistakes fixed). The results record the scoring; a resume may
                              change it, and brrm report --scoring scores a file either way.
  --prompts card|paper        card (default): the model card's prompts; paper: the prompts of the
                              paper's evaluation code (YzjiaoNvd/BR-RM brrm_environment.py)
  --sample N                  judge a stratified random sample of about N comparisons (drawn with
                              --order-seed, in proportion per subset, domain or section; RMB's
                              best-of-N items whole) and say how far the estimate can be off

Scoring:
${scoringHelp}

${runFlagsHelp("comparisons", "benchmark", "seed of the order each comparison is shown in, and of --sample's draw")}

${JUDGE_FLAGS_HELP}

${RUN_EXIT_HELP}`,
  async run(argv, { signal }) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...JUDGE_FLAGS, ...RUN_FLAGS, scoring: { type: "string" }, prompts: { type: "string" }, sample: { type: "string" } },
      strict: true,
      allowPositionals: true,
    });
    if (positionals.length !== 2) throw new UsageError(`give the benchmark and its path (got ${positionals.length} arguments): brrm benchmark <${BENCHMARK_IDS.join("|")}> <path> --out <results.jsonl>.`);
    const [name, input] = positionals;
    if (!(BENCHMARK_IDS as readonly string[]).includes(name)) throw new UsageError(`unknown benchmark "${name}": give one of ${BENCHMARK_IDS.join(", ")}.`);
    const benchmark = name as BenchmarkId;
    const scoring = choiceArg("scoring", values.scoring, SCORINGS) ?? "official";
    const prompts = choiceArg("prompts", values.prompts, PROMPT_SETS) ?? "card";
    const sample = numberArg("sample", values.sample, { min: 1, integer: true });
    if (prompts === "paper" && (values["turn1-template"] || values["turn2-template"]))
      throw new UsageError("--prompts paper and --turn1-template/--turn2-template both choose the prompts: pick one.");
    const run = runOptionsFrom(values, "results.jsonl");
    const options = judgeOptionsFrom(values);
    if (prompts === "paper") options.templates = PAPER_TEMPLATES;
    const promptSet = values["turn1-template"] || values["turn2-template"] ? "custom" : prompts;

    const loading = new ProgressReporter();
    const bench = await BenchmarkRun.open({ benchmark, input, output: run.out, resume: run.resume, overwrite: run.overwrite, prompts: promptSet, scoring, orderSeed: run.orderSeed, sample }, commandLine("benchmark", argv)).catch((e: unknown) => {
      throw e instanceof BrrmError && USAGE_CODES.has(e.code) ? new UsageError(e.message) : e;
    });
    const { plan, existing } = bench;
    loading.note(`${BENCHMARK_TITLES[benchmark]}: ${plan.records.toLocaleString("en-US")} records in ${plan.files.length} files, ${plan.benchmarkComparisons.toLocaleString("en-US")} comparisons.`);
    for (const reason of plan.firstBad) loading.note(`skipped: ${reason}`);
    if (plan.badRecords > plan.firstBad.length) loading.note(`skipped: and ${plan.badRecords - plan.firstBad.length} more records that are not ${BENCHMARK_TITLES[benchmark]}'s.`);
    if (run.strict && plan.badRecords > 0) throw new UsageError(`--strict: ${plan.badRecords} records are not ${BENCHMARK_TITLES[benchmark]}'s (the first: ${plan.firstBad[0]}). Fix them, or run without --strict to skip them.`);
    if (plan.draw) loading.note(`Sample: ${plan.draw.size} of ${plan.draw.of} comparisons (${plan.draw.strata.map((s) => `${s.name} ${s.drawn}/${s.of}`).join(", ")}).`);
    else if (sample !== undefined) loading.note(`--sample ${sample} is not smaller than the benchmark's ${plan.benchmarkComparisons} comparisons: judging them all.`);
    if (existing.partialTailBytes > 0) loading.note(`${run.out}: removing a last line cut short by an earlier crash (${existing.partialTailBytes} bytes); that comparison is judged again.`);
    if (existing.unreadable > 0) loading.note(`${run.out}: ${existing.unreadable} lines are not results; they are left as they are.`);
    const shape = `${run.swap ? 2 : 1}x${run.samples}`;
    const others = [...existing.shapes].filter((s) => s !== shape);
    if (others.length > 0) loading.note(`${run.out}: warning: earlier results were judged with other --swap/--samples settings (${others.join(", ")} orders x samples, now ${shape}); the scores mix them.`);

    const config = backendConfigFrom(values, { parallel: run.concurrency, signal, onProgress: (p) => loading.load(p) });
    const { backend, modelIdentity, modelLoaded } = await evaluationBackend(config).catch(async (e: unknown) => {
      await bench.close();
      throw e;
    });
    const total = Math.min(run.limit ?? Infinity, plan.comparisons);
    // The bar takes bad records off its total as they come; they are not comparisons.
    const bar = new EvalProgressBar(total + plan.badRecords, total, process.stderr, run.quiet);
    let result: EvaluationRun;
    try {
      result = await bench.run(backend, {
        ...options,
        concurrency: run.concurrency,
        swap: run.swap,
        samples: run.samples,
        limit: run.limit,
        cache: run.cache,
        modelIdentity,
        signal,
        onEvent: (e) => {
          // Bad records were reported above, before any model was loaded.
          if (e.type === "pairFailed") bar.note(`${e.key}: failed, ${e.error.message}`);
          else if (e.type === "warning") bar.note(`warning: ${e.message}`);
          else if (e.type === "progress") bar.event(e);
        },
      });
    } finally {
      await backend.dispose();
    }
    bar.finish();

    const report = await readBenchmarkReport(run.out, scoring);
    if (run.jsonSummary) {
      const summary = report ? jsonSummary(report.scores) : { benchmark, scoring, prompts, score: null, comparisons: 0 };
      process.stdout.write(`${JSON.stringify({ ...summary, results: run.out, run: result.stats, resumed: existing.done.size, modelLoaded: modelLoaded(), badRecords: plan.badRecords, failures: result.failures, tokens: report?.summary.tokens, parseFailures: report?.summary.parseFailures, peakRssMB: peakRssMB() }, null, 2)}\n`);
    } else {
      const lines = [`Results: ${run.out}`, report ? renderBenchmarkMarkdown(report, `BR-RM on ${BENCHMARK_TITLES[benchmark]}`) : "No comparison finished.", ...runLines(result, run.out, existing.done.size, "comparisons", "records")];
      if (!modelLoaded()) lines.push("The model was not loaded: no comparison needed it.");
      process.stdout.write(`${lines.join("\n")}\n`);
    }
    if (result.stats.cancelled)
      process.stderr.write(`brrm: stopped. The ${result.stats.finished} comparisons finished in this run are in ${run.out}; run the same command with --resume to finish the rest.\n`);
    const status = exitStatus({
      cancelled: result.stats.cancelled,
      pairs: result.stats.pairs,
      failed: result.stats.failed,
      badLines: plan.badRecords,
      allowBadLines: Boolean(values["allow-bad-lines"]),
      thresholds: [],
      retry: "run again with --resume to retry them",
    });
    for (const line of status.lines) process.stderr.write(`brrm: ${line}\n`);
    return status.code;
  },
};
