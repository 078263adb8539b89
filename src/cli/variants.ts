// `brrm variants`: what "Compare Prompt Variants…" does in the editor, for scripts and CI.
// Judges prompt variant B's outputs against variant A's in both orders and prints B's win rate
// over A with its interval, the dimensions where B wins and loses most, and the pairs to read
// first; --fail-under-win-rate turns it into a gate on a prompt change.

import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { guessFields, fieldNames, judgeVariants, variantsFromOneFile, variantsFromTwoFiles, type VariantFields, type VariantPairs } from "../core/variantPairs";
import { renderVariantMarkdown, variantSummary, variantTitle } from "../core/variantReport";
import { defaultCacheDir, DirectoryJudgmentCache } from "../files/judgmentCache";
import { evaluationBackend } from "./evaluationBackend";
import { fractionArg, numberArg, UsageError } from "./args";
import type { Command } from "./command";
import { exitStatus, RUN_EXIT_HELP } from "./exitStatus";
import { backendConfigFrom, JUDGE_FLAGS, JUDGE_FLAGS_HELP, judgeOptionsFrom } from "./judgeOptions";
import { ProgressReporter } from "./output";
import { EvalProgressBar } from "./progressBar";

function readInput(flag: string, file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`${flag}${file}: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "a folder, not a file" : (e as Error).message}. Give a JSONL file of outputs.`);
  }
}

/** The fields named by flags, the others guessed from the file's first lines. */
function fieldsFor(text: string, given: Partial<VariantFields>): VariantFields {
  const guess = guessFields(text);
  const fields = { prompt: given.prompt ?? guess?.prompt, a: given.a ?? guess?.a, b: given.b ?? guess?.b };
  if (fields.prompt && fields.a && fields.b) return fields as VariantFields;
  throw new UsageError(
    `cannot tell which fields hold the input and the two outputs (the lines have: ${fieldNames(text).join(", ") || "no fields"}). Name them with --prompt-field, --a-field and --b-field.`,
  );
}

export const variantsCommand: Command = {
  name: "variants",
  summary: "judge prompt variant B's outputs against A's: B's win rate over A, with a CI gate",
  help: `Usage: brrm variants <outputs.jsonl> [--prompt-field F --a-field F --b-field F] [options]
       brrm variants --a <a.jsonl> --b <b.jsonl> [options]

Judges the outputs of prompt variant B against those of variant A for the same inputs, A as
response 1 and B as response 2, always in both orders so the judge's preference for a position
cancels out. Prints a Markdown report on stdout: B's win rate over A with its 95% interval (a
tie counts half), the dimensions where B wins and loses most, and the pairs to read first. The
same as "BR-RM: Compare Prompt Variants…" in the editor. Progress goes to stderr.

Input:
  <outputs.jsonl>             one line per input with both outputs, e.g. prompt, output_a, output_b
  --prompt-field F            the field with the input (default: the first of prompt, input,
                              question, instruction, query, messages)
  --a-field F  --b-field F    the fields with A's and B's outputs (default: output_a/output_b,
                              a/b, variant_a/variant_b, response_a/response_b, baseline/candidate, ...)
  --a <file> --b <file>       or one file per variant, joined by "id"; each line an id, the input
                              and the output (output, response, completion, answer, text, ...)
  --allow-bad-lines           exit 0 even when lines could not be compared (otherwise 4)
Judging:
  --concurrency N             comparisons at once (default 1)
  --samples K                 K samples per order, majority vote
  --cache-dir <dir>           result cache (default ${defaultCacheDir()}): a rerun after
                              changing B's outputs judges only the changed ones
  --no-cache                  neither read nor write the cache
CI gate:
  --fail-under-win-rate X     exit 6 when B's win rate over A (the point estimate, not its
                              interval's lower bound) is under X (0.5 or 50%), or when no pair
                              got a verdict
Output:
  --json                      print the figures as JSON instead of the Markdown report
  --quiet                     no progress bar

${JUDGE_FLAGS_HELP}

${RUN_EXIT_HELP}`,
  async run(argv, { signal }) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        ...JUDGE_FLAGS,
        a: { type: "string" },
        b: { type: "string" },
        "prompt-field": { type: "string" },
        "a-field": { type: "string" },
        "b-field": { type: "string" },
        "allow-bad-lines": { type: "boolean" },
        concurrency: { type: "string" },
        samples: { type: "string" },
        "cache-dir": { type: "string" },
        "no-cache": { type: "boolean" },
        "fail-under-win-rate": { type: "string" },
        json: { type: "boolean" },
        quiet: { type: "boolean" },
      },
      strict: true,
      allowPositionals: true,
    });
    const twoFiles = values.a !== undefined || values.b !== undefined;
    if (twoFiles && positionals.length > 0) throw new UsageError("give either one file with both outputs, or --a and --b: not both.");
    if (twoFiles && (values.a === undefined || values.b === undefined)) throw new UsageError("--a and --b go together: one file of outputs per variant.");
    if (!twoFiles && positionals.length !== 1) throw new UsageError(`give one file of outputs (got ${positionals.length}): brrm variants <outputs.jsonl>, or --a <a.jsonl> --b <b.jsonl>.`);
    if (twoFiles && (values["prompt-field"] || values["a-field"] || values["b-field"]))
      throw new UsageError("--prompt-field, --a-field and --b-field name the fields of one file; with --a and --b each line has an id, the input and the output.");
    if (values["no-cache"] && values["cache-dir"]) throw new UsageError("--no-cache and --cache-dir contradict each other: pick one.");
    const concurrency = numberArg("concurrency", values.concurrency, { min: 1, max: 64, integer: true }) ?? 1;
    const samples = numberArg("samples", values.samples, { min: 1, max: 64, integer: true }) ?? 1;
    const minWinRate = fractionArg("fail-under-win-rate", values["fail-under-win-rate"]);
    const options = judgeOptionsFrom(values);

    let pairs: VariantPairs;
    let title: string;
    if (twoFiles) {
      const names = { a: path.basename(values.a!), b: path.basename(values.b!) };
      pairs = variantsFromTwoFiles(readInput("--a ", values.a!), readInput("--b ", values.b!), names);
      title = variantTitle({ files: names });
    } else {
      const text = readInput("", positionals[0]);
      const fields = fieldsFor(text, { prompt: values["prompt-field"], a: values["a-field"], b: values["b-field"] });
      const name = path.basename(positionals[0]);
      pairs = variantsFromOneFile(text, fields, name);
      title = variantTitle({ file: name, fields });
    }
    const notes = new ProgressReporter();
    for (const p of pairs.problems) notes.note(`${p.where}: not compared, ${p.reason}`);

    const end = { cancelled: false, pairs: pairs.entries.length, failed: 0, badLines: pairs.problems.length, allowBadLines: Boolean(values["allow-bad-lines"]) };
    let winRate: ReturnType<typeof variantSummary>["bWinRate"] = null;
    if (pairs.entries.length > 0) {
      const config = backendConfigFrom(values, { parallel: concurrency, signal, onProgress: (p) => notes.load(p) });
      const { backend, modelIdentity } = await evaluationBackend(config);
      const bar = new EvalProgressBar(pairs.entries.length, undefined, process.stderr, values.quiet);
      let judged: Awaited<ReturnType<typeof judgeVariants>>;
      try {
        judged = await judgeVariants(pairs, backend, {
          ...options,
          concurrency,
          samples,
          cache: values["no-cache"] ? undefined : new DirectoryJudgmentCache(values["cache-dir"] ?? defaultCacheDir()),
          modelIdentity,
          signal,
          onEvent: (e) => bar.event(e),
        });
      } finally {
        await backend.dispose();
      }
      bar.finish();
      const { run, results } = judged;
      const summary = variantSummary(results);
      winRate = summary.bWinRate;
      Object.assign(end, { cancelled: run.stats.cancelled, failed: run.stats.failed });
      process.stdout.write(
        values.json
          ? `${JSON.stringify({ title, summary, run: run.stats, problems: pairs.problems, failures: run.failures }, null, 2)}\n`
          : `${renderVariantMarkdown(summary, { title, problems: pairs.problems, cancelled: run.stats.cancelled })}\n`,
      );
    }
    const status = exitStatus({
      ...end,
      thresholds:
        minWinRate === undefined
          ? []
          : [{ flag: "--fail-under-win-rate", what: "B's win rate over A", min: minWinRate, measured: winRate, missing: "no pair got a verdict" }],
      retry: values["no-cache"] ? "run again to judge them" : "run again: the comparisons that finished come back from the cache",
    });
    for (const line of status.lines) process.stderr.write(`brrm: ${line}\n`);
    return status.code;
  },
};
