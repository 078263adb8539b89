import { parseArgs } from "node:util";
import { BrrmError } from "../core/errors";
import type { EvaluationRun } from "../core/evaluate";
import { ReportBuilder, summaryLines, type Report } from "../core/report";
import { DatasetEvaluation } from "../files/datasetEvaluation";
import { defaultCacheDir, DirectoryJudgmentCache } from "../files/judgmentCache";
import { evaluationBackend } from "../files/modelIdentity";
import { readResults } from "../files/resultsFile";
import { fractionArg, numberArg, UsageError } from "./args";
import { commandLine, type Command } from "./command";
import { exitStatus, RUN_EXIT_HELP } from "./exitStatus";
import { backendConfigFrom, JUDGE_FLAGS, JUDGE_FLAGS_HELP, judgeOptionsFrom } from "./judgeOptions";
import { ProgressReporter } from "./output";
import { peakRssMB } from "../files/memory";
import { EvalProgressBar, formatDuration } from "./progressBar";

/** Errors about the files named on the command line are usage errors (exit 2). */
const USAGE_CODES = new Set(["RESULTS_EXIST", "RESULTS_IS_INPUT", "FILE_NOT_FOUND"]);

async function summarizeResults(file: string): Promise<Report> {
  const builder = new ReportBuilder(0);
  for await (const entry of readResults(file)) {
    if (entry.ok) builder.add(entry.result);
    else builder.addUnreadable(entry.line, entry.reason);
  }
  return builder.build();
}


function runLines(run: EvaluationRun, out: string, previous: number): string[] {
  const s = run.stats;
  const lines = [
    `This run: ${s.finished} pairs judged${s.skipped ? `, ${s.skipped} already in ${out}` : ""}${s.failed ? `, ${s.failed} failed (run again with --resume to retry them)` : ""}${s.badLines ? `, ${s.badLines} bad lines skipped` : ""}${s.cancelled ? "; stopped before the end" : ""}`,
    `This run: ${s.judgments} comparisons on the model, ${s.cachedJudgments} answered from the cache; ${s.tokens.prompt.toLocaleString("en-US")} prompt + ${s.tokens.generated.toLocaleString("en-US")} generated tokens; ${formatDuration(s.ms / 1000)}; peak memory ${peakRssMB().toFixed(0)} MB`,
  ];
  if (previous > 0) lines.unshift(`Resumed: ${previous} pairs were already in ${out}.`);
  return lines;
}

export const evalCommand: Command = {
  name: "eval",
  summary: "judge every pair of a JSONL dataset into a results file, with a summary",
  help: `Usage: brrm eval <pairs.jsonl> --out <results.jsonl> [options]

Judges each pair of a JSONL dataset and appends one result line per pair to --out as soon as it
is finished (the judgments, the pair's id, order, label and correctness), so a crash or Ctrl-C
loses nothing finished; --resume then judges only what is missing. Records may be
prompt/response1/response2 (optional label 1 or 2), prompt/chosen/rejected (shown in a seeded
random order), question/response_a/response_b, with messages or conversations as context; an
id and any other fields are carried into the results. A bad line is reported with its number
and skipped. Progress goes to stderr, the summary to stdout. While it runs, the results file is
locked: a second run (or the editor) writing it refuses at once and names this one.

Dataset and results:
  --out <file>                results file, JSONL (required)
  --limit N                   only the first N pairs of the dataset
  --resume                    keep the results in --out and judge only the pairs missing there
  --overwrite                 start --out over
  --strict                    stop at the first bad line instead of skipping it
  --allow-bad-lines           exit 0 even when bad lines were skipped (otherwise 4)
  --order-seed S              seed of the order chosen/rejected pairs are shown in (default 0)
Judging:
  --concurrency N             comparisons at once (default 1): parallel sequences of one
                              context with the local backend, requests in flight with an endpoint
  --swap                      judge both orders; a pair is consistent when both prefer the same
                              response, and an inconsistent pair counts as a tie
  --samples K                 K samples per order, majority vote (with --seed, sample i uses seed+i)
  --cache-dir <dir>           result cache (default ${defaultCacheDir()});
                              an identical request is answered from it
  --no-cache                  neither read nor write the cache
CI gates (the whole results file's figure, not its interval's lower bound):
  --fail-under-accuracy X     exit 6 when the accuracy against the labels is under X
                              (0.8 or 80%), or when no pair has a label
Output:
  --json-summary              print the summary as JSON on stdout
  --quiet                     no progress bar (bad lines and failures are still printed)

${JUDGE_FLAGS_HELP}

${RUN_EXIT_HELP}`,
  async run(argv, { signal }) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        ...JUDGE_FLAGS,
        out: { type: "string" },
        limit: { type: "string" },
        resume: { type: "boolean" },
        overwrite: { type: "boolean" },
        strict: { type: "boolean" },
        "allow-bad-lines": { type: "boolean" },
        "fail-under-accuracy": { type: "string" },
        "order-seed": { type: "string" },
        concurrency: { type: "string" },
        swap: { type: "boolean" },
        samples: { type: "string" },
        "cache-dir": { type: "string" },
        "no-cache": { type: "boolean" },
        "json-summary": { type: "boolean" },
        quiet: { type: "boolean" },
      },
      strict: true,
      allowPositionals: true,
    });
    if (positionals.length !== 1) throw new UsageError(`give one dataset file (got ${positionals.length}): brrm eval <pairs.jsonl> --out <results.jsonl>.`);
    if (!values.out) throw new UsageError("--out <results.jsonl> is required: results are written there as each pair finishes.");
    if (values.resume && values.overwrite) throw new UsageError("--resume and --overwrite contradict each other: pick one.");
    if (values["no-cache"] && values["cache-dir"]) throw new UsageError("--no-cache and --cache-dir contradict each other: pick one.");
    const limit = numberArg("limit", values.limit, { min: 1, integer: true });
    const concurrency = numberArg("concurrency", values.concurrency, { min: 1, max: 64, integer: true }) ?? 1;
    const samples = numberArg("samples", values.samples, { min: 1, max: 64, integer: true }) ?? 1;
    const orderSeed = numberArg("order-seed", values["order-seed"], { min: 0, integer: true }) ?? 0;
    const minAccuracy = fractionArg("fail-under-accuracy", values["fail-under-accuracy"]);
    const options = judgeOptionsFrom(values);
    const out = values.out;
    const loading = new ProgressReporter();
    const config = backendConfigFrom(values, { parallel: concurrency, signal, onProgress: (p) => loading.load(p) });

    const evaluation = await DatasetEvaluation.open({ input: positionals[0], output: out, resume: values.resume, overwrite: values.overwrite, orderSeed }, commandLine("eval", argv)).catch((e: unknown) => {
      throw e instanceof BrrmError && USAGE_CODES.has(e.code) ? new UsageError(e.message) : e;
    });
    const existing = evaluation.existing;
    if (existing.partialTailBytes > 0) loading.note(`${out}: removing a last line cut short by an earlier crash (${existing.partialTailBytes} bytes); that pair is judged again.`);
    if (existing.unreadable > 0) loading.note(`${out}: ${existing.unreadable} lines are not results; they are left as they are.`);
    const shape = `${values.swap ? 2 : 1}x${samples}`;
    const others = [...existing.shapes].filter((s) => s !== shape);
    if (others.length > 0)
      loading.note(`${out}: warning: earlier results were judged with other --swap/--samples settings (${others.join(", ")} orders x samples, now ${shape}); the summary mixes them.`);

    const { backend, modelIdentity, modelLoaded } = await evaluationBackend(config).catch(async (e: unknown) => {
      await evaluation.close();
      throw e;
    });
    const bar = new EvalProgressBar(evaluation.inputLines, limit, process.stderr, values.quiet);
    let run: EvaluationRun;
    try {
      run = await evaluation.run(backend, {
        ...options,
        concurrency,
        swap: values.swap,
        samples,
        limit,
        strict: values.strict,
        cache: values["no-cache"] ? undefined : new DirectoryJudgmentCache(values["cache-dir"] ?? defaultCacheDir()),
        modelIdentity,
        signal,
        onEvent: (e) => bar.event(e),
      });
    } finally {
      await backend.dispose();
    }
    bar.finish();

    const report = await summarizeResults(out);
    if (values["json-summary"]) {
      process.stdout.write(`${JSON.stringify({ results: out, summary: report.summary, run: run.stats, resumed: existing.done.size, modelLoaded: modelLoaded(), badLines: run.badLines, failures: run.failures, peakRssMB: peakRssMB() }, null, 2)}\n`);
    } else {
      const lines = [`Results: ${out}`, ...summaryLines(report.summary), ...runLines(run, out, existing.done.size)];
      if (!modelLoaded()) lines.push("The model was not loaded: no pair needed it.");
      process.stdout.write(`${lines.join("\n")}\n`);
    }
    if (run.stats.cancelled)
      process.stderr.write(`brrm: stopped. The ${run.stats.finished} pairs finished in this run are in ${out}; run the same command with --resume to finish the rest.\n`);
    const status = exitStatus({
      cancelled: run.stats.cancelled,
      pairs: run.stats.pairs,
      failed: run.stats.failed,
      badLines: run.stats.badLines,
      allowBadLines: Boolean(values["allow-bad-lines"]),
      thresholds:
        minAccuracy === undefined
          ? []
          : [{ flag: "--fail-under-accuracy", what: "Accuracy", min: minAccuracy, measured: report.summary.accuracy, missing: "no pair in the results has a label" }],
      retry: "run again with --resume to retry them",
    });
    for (const line of status.lines) process.stderr.write(`brrm: ${line}\n`);
    return status.code;
  },
};
