import { parseArgs } from "node:util";
import { BrrmError } from "../core/errors";
import type { EvaluationRun } from "../core/evaluate";
import { parseFieldMap } from "../core/records";
import { ReportBuilder, subsetLines, summaryLines, type Report } from "../core/report";
import { DatasetEvaluation } from "../files/datasetEvaluation";
import { evaluationBackend } from "./evaluationBackend";
import { readResults } from "../files/resultsFile";
import { fractionArg, UsageError } from "./args";
import { commandLine, type Command } from "./command";
import { exitStatus, RUN_EXIT_HELP } from "./exitStatus";
import { backendConfigFrom, JUDGE_FLAGS, JUDGE_FLAGS_HELP, judgeOptionsFrom } from "./judgeOptions";
import { ProgressReporter } from "./output";
import { peakRssMB } from "../files/memory";
import { EvalProgressBar } from "./progressBar";
import { RUN_FLAGS, runFlagsHelp, runLines, runOptionsFrom } from "./runOptions";

/** Errors about the files named on the command line are usage errors (exit 2). */
const USAGE_CODES = new Set(["RESULTS_EXIST", "RESULTS_IS_INPUT", "FILE_NOT_FOUND", "UNSUPPORTED_DATASET", "DATASET_EMPTY"]);

async function summarizeResults(file: string): Promise<Report> {
  const builder = new ReportBuilder(0);
  for await (const entry of readResults(file)) {
    if (entry.ok) builder.add(entry.result);
    else builder.addUnreadable(entry.line, entry.reason);
  }
  return builder.build();
}

export const evalCommand: Command = {
  name: "eval",
  summary: "judge every pair of a dataset (JSONL, JSON, gzip, parquet, a folder) into a results file, with a summary",
  help: `Usage: brrm eval <dataset> --out <results.jsonl> [options]

Judges each pair of a dataset and appends one result line per pair to --out as soon as it is
finished (the judgments, the pair's id, order, label and correctness), so a crash or Ctrl-C
loses nothing finished; --resume then judges only what is missing.

The dataset is a .jsonl/.ndjson, .json (an array or JSON Lines), .jsonl.gz/.json.gz or .parquet
file, or a folder of them (read in sorted path order; *.results.jsonl files are left out).
Records are read in the shapes public data is published in, detected per record:
prompt/response1/response2 with a label (HelpSteer3: context and overall_preference),
prompt/chosen/rejected (RewardBench, UltraFeedback, Skywork, Tulu, HH-RLHF transcripts; shown in
a seeded random order), question/response_a/response_b, prompt/response_0/response_1
(PKU-SafeRLHF), conversation_a/conversation_b (Chatbot Arena, MT-Bench). When both responses
are conversations, the context is the turns they share and each response is the rest of its
own. Labels: 1/2, a/b, model_a/model_b, response1/response2, or a tie (tie, "tie (bothbad)",
0): a pair labelled as a tie is judged but not counted in the accuracy. An id and any other
fields are carried into the results; with a subset field the summary gives the accuracy per
subset. A bad record is reported with its place and skipped. Progress goes to stderr, the
summary to stdout. While it runs, the results file is locked: a second run (or the editor)
writing it refuses at once and names this one.

${runFlagsHelp("pairs", "dataset", "seed of the order chosen/rejected pairs are shown in", `  --map <canonical=field,...> read the parts of a pair from other fields, any of prompt,
                              response1, response2, label, id (for example
                              --map prompt=question,response1=answer_a,response2=answer_b,label=winner,id=uid
                              or --map label=safer_response_id for PKU-SafeRLHF's safety label)`)}
CI gates (the whole results file's figure, not its interval's lower bound):
  --fail-under-accuracy X     exit 6 when the accuracy against the labels is under X
                              (0.8 or 80%), or when no pair has a label

${JUDGE_FLAGS_HELP}

${RUN_EXIT_HELP}`,
  async run(argv, { signal }) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...JUDGE_FLAGS, ...RUN_FLAGS, map: { type: "string" }, "fail-under-accuracy": { type: "string" } },
      strict: true,
      allowPositionals: true,
    });
    if (positionals.length !== 1) throw new UsageError(`give one dataset file or folder (got ${positionals.length}): brrm eval <dataset> --out <results.jsonl>.`);
    const { out, limit, concurrency, samples, orderSeed, cache } = runOptionsFrom(values, "results.jsonl");
    const map = values.map === undefined ? undefined : parseFieldMap(values.map);
    if (typeof map === "string") throw new UsageError(`--map: ${map}.`);
    const minAccuracy = fractionArg("fail-under-accuracy", values["fail-under-accuracy"]);
    const options = judgeOptionsFrom(values);

    const evaluation = await DatasetEvaluation.open({ input: positionals[0], output: out, resume: values.resume, overwrite: values.overwrite, orderSeed, map }, commandLine("eval", argv)).catch((e: unknown) => {
      throw e instanceof BrrmError && USAGE_CODES.has(e.code) ? new UsageError(e.message) : e;
    });
    const existing = evaluation.existing;
    const loading = new ProgressReporter();
    if (existing.partialTailBytes > 0) loading.note(`${out}: removing a last line cut short by an earlier crash (${existing.partialTailBytes} bytes); that pair is judged again.`);
    if (existing.unreadable > 0) loading.note(`${out}: ${existing.unreadable} lines are not results; they are left as they are.`);
    const shape = `${values.swap ? 2 : 1}x${samples}`;
    const others = [...existing.shapes].filter((s) => s !== shape);
    if (others.length > 0)
      loading.note(`${out}: warning: earlier results were judged with other --swap/--samples settings (${others.join(", ")} orders x samples, now ${shape}); the summary mixes them.`);

    const config = backendConfigFrom(values, { parallel: concurrency, signal, onProgress: (p) => loading.load(p) });
    const { backend, modelIdentity, modelLoaded } = await evaluationBackend(config).catch(async (e: unknown) => {
      await evaluation.close();
      throw e;
    });
    const bar = new EvalProgressBar(evaluation.inputRecords, limit, process.stderr, values.quiet);
    let run: EvaluationRun;
    try {
      run = await evaluation.run(backend, {
        ...options,
        concurrency,
        swap: values.swap,
        samples,
        limit,
        strict: values.strict,
        cache,
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
      const lines = [`Results: ${out}`, ...summaryLines(report.summary), ...subsetLines(report.summary), ...runLines(run, out, existing.done.size, "pairs", "lines")];
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
