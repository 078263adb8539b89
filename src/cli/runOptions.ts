// The options `brrm eval` and `brrm benchmark` share: the results file, how much to judge, the
// order's seed, how to judge (concurrency, swap, samples, the result cache) and the output; and
// the lines both print about a run.

import type { ParseArgsConfig } from "node:util";
import type { EvaluationRun } from "../core/evaluate";
import type { JudgmentCache } from "../core/resultCache";
import { defaultCacheDir, DirectoryJudgmentCache } from "../files/judgmentCache";
import { peakRssMB } from "../files/memory";
import { numberArg, UsageError } from "./args";
import { formatDuration } from "./progressBar";

export const RUN_FLAGS = {
  out: { type: "string" },
  limit: { type: "string" },
  resume: { type: "boolean" },
  overwrite: { type: "boolean" },
  strict: { type: "boolean" },
  "allow-bad-lines": { type: "boolean" },
  "order-seed": { type: "string" },
  concurrency: { type: "string" },
  swap: { type: "boolean" },
  samples: { type: "string" },
  "cache-dir": { type: "string" },
  "no-cache": { type: "boolean" },
  "json-summary": { type: "boolean" },
  quiet: { type: "boolean" },
} as const satisfies ParseArgsConfig["options"];

type RunFlagValues = { [K in keyof typeof RUN_FLAGS]?: (typeof RUN_FLAGS)[K]["type"] extends "boolean" ? boolean : string };

/**
 * The help of the shared options; `unit` is what is judged (pairs, comparisons), `orderSeed` what
 * the seed decides, `extra` a command's own dataset options.
 */
export function runFlagsHelp(unit: string, from: string, orderSeed: string, extra?: string): string {
  return `Dataset and results:
  --out <file>                results file, JSONL (required)
  --limit N                   only the first N ${unit} of the ${from}
  --resume                    keep the results in --out and judge only the ${unit} missing there
  --overwrite                 start --out over
  --strict                    stop at the first bad ${from === "dataset" ? "line" : "record"} instead of skipping it
  --allow-bad-lines           exit 0 even when bad ${from === "dataset" ? "lines" : "records"} were skipped (otherwise 4)
  --order-seed S              ${orderSeed} (default 0)${extra ? `\n${extra}` : ""}
Judging:
  --concurrency N             comparisons at once (default 1): parallel sequences of one
                              context with the local backend, requests in flight with an endpoint
  --swap                      judge both orders; a pair is consistent when both prefer the same
                              response, and an inconsistent pair counts as a tie
  --samples K                 K samples per order, majority vote (with --seed, sample i uses seed+i)
  --cache-dir <dir>           result cache (default ${defaultCacheDir()});
                              an identical request is answered from it
  --no-cache                  neither read nor write the cache
Output:
  --json-summary              print the summary as JSON on stdout
  --quiet                     no progress bar (bad ${from === "dataset" ? "lines" : "records"} and failures are still printed)`;
}

export interface RunOptions {
  out: string;
  limit?: number;
  resume: boolean;
  overwrite: boolean;
  strict: boolean;
  orderSeed: number;
  concurrency: number;
  swap: boolean;
  samples: number;
  cache?: JudgmentCache;
  jsonSummary: boolean;
  quiet: boolean;
}

export function runOptionsFrom(values: RunFlagValues, outExample: string): RunOptions {
  if (!values.out) throw new UsageError(`--out <${outExample}> is required: results are written there as each comparison finishes.`);
  if (values.resume && values.overwrite) throw new UsageError("--resume and --overwrite contradict each other: pick one.");
  if (values["no-cache"] && values["cache-dir"]) throw new UsageError("--no-cache and --cache-dir contradict each other: pick one.");
  return {
    out: values.out,
    limit: numberArg("limit", values.limit, { min: 1, integer: true }),
    resume: values.resume ?? false,
    overwrite: values.overwrite ?? false,
    strict: values.strict ?? false,
    orderSeed: numberArg("order-seed", values["order-seed"], { min: 0, integer: true }) ?? 0,
    concurrency: numberArg("concurrency", values.concurrency, { min: 1, max: 64, integer: true }) ?? 1,
    swap: values.swap ?? false,
    samples: numberArg("samples", values.samples, { min: 1, max: 64, integer: true }) ?? 1,
    cache: values["no-cache"] ? undefined : new DirectoryJudgmentCache(values["cache-dir"] ?? defaultCacheDir()),
    jsonSummary: values["json-summary"] ?? false,
    quiet: values.quiet ?? false,
  };
}

/** What this run did: `unit` is what was judged (pairs, comparisons), `bad` what was skipped (lines, records). */
export function runLines(run: EvaluationRun, out: string, previous: number, unit: string, bad: string): string[] {
  const s = run.stats;
  const lines = [
    `This run: ${s.finished} ${unit} judged${s.skipped ? `, ${s.skipped} already in ${out}` : ""}${s.failed ? `, ${s.failed} failed (run again with --resume to retry them)` : ""}${s.badLines ? `, ${s.badLines} bad ${bad} skipped` : ""}${s.cancelled ? "; stopped before the end" : ""}`,
    `This run: ${s.judgments} comparisons on the model, ${s.cachedJudgments} answered from the cache; ${s.tokens.prompt.toLocaleString("en-US")} prompt + ${s.tokens.generated.toLocaleString("en-US")} generated tokens; ${formatDuration(s.ms / 1000)}; peak memory ${peakRssMB().toFixed(0)} MB`,
  ];
  if (previous > 0) lines.unshift(`Resumed: ${previous} ${unit} were already in ${out}.`);
  return lines;
}
