// Judging a dataset: pairs stream in, each is judged in one or both orders and K times per
// order, N comparisons run at once against any JudgeBackend (a local backend runs them on its
// parallel sequences, an endpoint as requests in flight), identical requests are answered
// from the cache, and every finished pair is handed to `onResult` (the caller writes it) before
// it counts as done. Reading is pulled by the workers, so at most N pairs are open at a time
// whatever the dataset's size.

import type { JudgeBackend } from "./backend";
import { flipOrder, orderResult, pairResult, shownPair, type DatasetEntry, type DatasetPair, type Order, type PairResult, type SampleResult } from "./dataset";
import { BrrmError, CancelledError, errorMessage, isCancelled } from "./errors";
import { judge, type FlowEvent, type JudgeOptions } from "./flow";
import type { ThinkingMode } from "./grammar";
import type { Judgment, JudgmentError } from "./judgment";
import { BackendUnavailableError } from "./lazyBackend";
import { DEFAULT_TEMPLATES } from "./prompts";
import { cacheKey, type JudgmentCache } from "./resultCache";
import { withSamplingDefaults } from "./sampling";
import { SummaryBuilder, type Summary } from "./stats";

export interface EvaluateOptions extends Omit<JudgeOptions, "signal" | "onEvent"> {
  /** Comparisons in flight at once (default 1). */
  concurrency?: number;
  /** Judge each pair in both orders; only agreeing orders decide. */
  swap?: boolean;
  /** Samples per order, decided by majority vote (default 1). With a seed, sample i uses seed + i. */
  samples?: number;
  /** Take only the first N valid pairs of the dataset (pairs already done count toward it). */
  limit?: number;
  /** Stop at the first bad line instead of reporting and skipping it. */
  strict?: boolean;
  /** Keys of pairs already in the results (resume): they are skipped. */
  done?: { has(key: string): boolean };
  cache?: JudgmentCache;
  /** Identifies the model in cache keys; defaults to the backend's kind and model name. */
  modelIdentity?: string;
  /** Comparisons failing in a row (for reasons other than the pair itself) before the run stops. Default 5. */
  maxConsecutiveFailures?: number;
  signal?: AbortSignal;
  onEvent?: (event: EvaluateEvent) => void;
  /** Receives each finished pair (in the order they finish); the pair counts as done when it resolves. */
  onResult?: (result: PairResult) => Promise<void> | void;
}

export interface RunStats {
  /** Valid pairs taken from the dataset (skipped ones included). */
  pairs: number;
  /** Pairs finished and handed to onResult in this run. */
  finished: number;
  /** Pairs already done (resume). */
  skipped: number;
  /** Pairs whose comparison failed with an error; they are not in the results, so a resume retries them. */
  failed: number;
  badLines: number;
  /** Comparisons run on the model in this run, and those answered from the cache. */
  judgments: number;
  cachedJudgments: number;
  /** Tokens spent by this run's model calls (not the cached ones). */
  tokens: { prompt: number; generated: number };
  ms: number;
  cancelled: boolean;
}

export type EvaluateEvent =
  | { type: "badLine"; line: number; file?: string; reason: string }
  | { type: "skipped"; key: string; line: number }
  | { type: "pairStarted"; key: string; line: number }
  | { type: "flow"; key: string; order: Order; sample: number; event: FlowEvent }
  | { type: "sample"; key: string; order: Order; sample: number; cached: boolean; judgment: Judgment }
  | { type: "pairFinished"; result: PairResult }
  | { type: "pairFailed"; key: string; line: number; file?: string; error: JudgmentError }
  | { type: "warning"; message: string }
  | { type: "progress"; stats: RunStats };

export interface EvaluationRun {
  stats: RunStats;
  /** The numbers of the pairs finished in this run (a report of a results file covers them all). */
  summary: Summary;
  /** The first bad lines and failures (all are counted in stats). */
  badLines: { line: number; file?: string; reason: string }[];
  failures: { key: string; line: number; file?: string; error: JudgmentError }[];
}

/** A run stopped by a bad line under `strict`; finished pairs were kept. */
export class BadLineError extends BrrmError {
  constructor(
    readonly line: number,
    readonly reason: string,
    readonly file?: string,
  ) {
    super("BAD_LINE", `${file !== undefined ? `${file}:${line}` : `Line ${line}`}: ${reason}. Fix or remove the record, or run without --strict to skip bad records.`);
    this.name = "BadLineError";
  }
}

const KEEP_DETAILS = 100;
/** Errors about the pair itself: they say nothing about whether the backend works. */
const PAIR_ERRORS = new Set(["INPUT_TOO_LONG"]);

interface Job {
  work: PairWork;
  order: Order;
  sample: number;
}

class PairWork {
  remaining: number;
  readonly samples = new Map<Order, SampleResult[]>();
  error: JudgmentError | null = null;
  cancelled = false;
  constructor(
    readonly pair: DatasetPair,
    readonly orders: Order[],
    samples: number,
  ) {
    this.remaining = orders.length * samples;
    for (const o of orders) this.samples.set(o, []);
  }
}

export async function evaluate(input: AsyncIterable<DatasetEntry>, backend: JudgeBackend, options: EvaluateOptions = {}): Promise<EvaluationRun> {
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const samples = Math.max(1, options.samples ?? 1);
  const limit = options.limit ?? Infinity;
  const maxFailures = options.maxConsecutiveFailures ?? 5;
  const emit = options.onEvent ?? (() => {});
  const templates = options.templates ?? DEFAULT_TEMPLATES;
  const baseSampling = withSamplingDefaults(options.sampling);
  const constrained: ThinkingMode | false = options.constrained
    ? typeof options.constrained === "object"
      ? options.constrained.thinking
      : "optional"
    : false;
  const modelIdentity = options.modelIdentity ?? `${backend.kind}:${backend.modelName}`;

  // The caller's signal stops the run; a fatal error stops it too, through the same controller.
  const inner = new AbortController();
  const onOuterAbort = () => inner.abort();
  options.signal?.addEventListener("abort", onOuterAbort, { once: true });
  if (options.signal?.aborted) inner.abort();

  const started = Date.now();
  const stats: RunStats = {
    pairs: 0, finished: 0, skipped: 0, failed: 0, badLines: 0, judgments: 0, cachedJudgments: 0,
    tokens: { prompt: 0, generated: 0 }, ms: 0, cancelled: false,
  };
  const snapshot = (): RunStats => ({ ...stats, tokens: { ...stats.tokens }, ms: Date.now() - started });
  const summary = new SummaryBuilder();
  const badLines: EvaluationRun["badLines"] = [];
  const failures: EvaluationRun["failures"] = [];
  let fatal: unknown;
  let stopFeeding = false;
  let consecutiveFailures = 0;
  let cacheWarned = false;

  const stop = (e: unknown, abortRunning: boolean) => {
    fatal ??= e;
    stopFeeding = true;
    if (abortRunning) inner.abort();
  };

  async function* jobs(): AsyncGenerator<Job> {
    for await (const entry of input) {
      if (stopFeeding || inner.signal.aborted) return;
      if (!entry.ok) {
        stats.badLines++;
        const bad = { line: entry.line, ...(entry.file !== undefined ? { file: entry.file } : {}), reason: entry.reason };
        if (badLines.length < KEEP_DETAILS) badLines.push(bad);
        emit({ type: "badLine", ...bad });
        if (options.strict) throw new BadLineError(entry.line, entry.reason, entry.file);
        emit({ type: "progress", stats: snapshot() });
        continue;
      }
      const { pair } = entry;
      stats.pairs++;
      if (options.done?.has(pair.key)) {
        stats.skipped++;
        emit({ type: "skipped", key: pair.key, line: pair.line });
        emit({ type: "progress", stats: snapshot() });
      } else {
        const orders = options.swap ? [pair.order, flipOrder(pair.order)] : [pair.order];
        const work = new PairWork(pair, orders, samples);
        emit({ type: "pairStarted", key: pair.key, line: pair.line });
        for (const order of orders) for (let sample = 0; sample < samples; sample++) yield { work, order, sample };
      }
      if (stats.pairs >= limit) return;
    }
  }

  async function runJob({ work, order, sample }: Job): Promise<void> {
    const { pair } = work;
    const shown = shownPair(pair.record, order);
    const sampling = { ...baseSampling, seed: baseSampling.seed === undefined ? undefined : baseSampling.seed + sample };
    const key = options.cache ? await cacheKey({ pair: shown, model: modelIdentity, templates, sampling, constrained, sample }) : undefined;
    try {
      let judgment = key ? await options.cache!.get(key).catch(() => undefined) : undefined;
      const cached = judgment !== undefined;
      if (!judgment) {
        if (work.error || work.cancelled) return;
        judgment = await judge(shown, backend, {
          sampling,
          constrained: options.constrained,
          templates,
          signal: inner.signal,
          onEvent: options.onEvent && ((event) => emit({ type: "flow", key: pair.key, order, sample, event })),
        });
        stats.judgments++;
        for (const u of [judgment.usage.turn1, judgment.usage.turn2]) {
          stats.tokens.prompt += u?.promptTokens ?? 0;
          stats.tokens.generated += u?.generatedTokens ?? 0;
        }
        if (key)
          await options.cache!.put(key, judgment).catch((e: unknown) => {
            if (cacheWarned) return;
            cacheWarned = true;
            emit({ type: "warning", message: `Could not write to the result cache (${errorMessage(e)}); results are still written, but not reused.` });
          });
      } else stats.cachedJudgments++;
      consecutiveFailures = 0;
      work.samples.get(order)![sample] = { judgment, cached };
      emit({ type: "sample", key: pair.key, order, sample, cached, judgment });
    } catch (e) {
      if (isCancelled(e) || inner.signal.aborted) {
        work.cancelled = true;
        return;
      }
      if (e instanceof BackendUnavailableError) {
        // No comparison can run: stop with the backend's own message (model not found, ...).
        work.cancelled = true;
        stop(e.reason, true);
        return;
      }
      const code = e instanceof BrrmError ? e.code : "JUDGE_FAILED";
      work.error ??= { code, message: errorMessage(e) };
      if (!PAIR_ERRORS.has(code) && ++consecutiveFailures >= maxFailures)
        stop(new BrrmError("TOO_MANY_FAILURES", `${consecutiveFailures} comparisons failed in a row; the last: ${errorMessage(e)} Fix the cause, then run again with --resume to finish the rest.`, { cause: e }), true);
    } finally {
      if (--work.remaining === 0) await finish(work);
    }
  }

  async function finish(work: PairWork): Promise<void> {
    const { pair } = work;
    if (work.cancelled) return;
    if (work.error) {
      stats.failed++;
      const failure = { key: pair.key, line: pair.line, ...(pair.file !== undefined ? { file: pair.file } : {}), error: work.error };
      if (failures.length < KEEP_DETAILS) failures.push(failure);
      emit({ type: "pairFailed", ...failure });
      emit({ type: "progress", stats: snapshot() });
      return;
    }
    const result = pairResult(pair, work.orders.map((o) => orderResult(o, work.samples.get(o)!)));
    try {
      await options.onResult?.(result);
    } catch (e) {
      // Results that cannot be written must not be judged on: stop everything now.
      stop(e, true);
      return;
    }
    stats.finished++;
    summary.add(result);
    emit({ type: "pairFinished", result });
    emit({ type: "progress", stats: snapshot() });
  }

  const queue = jobs();
  const worker = async () => {
    for (;;) {
      let next: IteratorResult<Job>;
      try {
        next = await queue.next();
      } catch (e) {
        // A strict bad line or an unreadable dataset: let the comparisons in flight finish.
        stop(e, false);
        return;
      }
      if (next.done) return;
      await runJob(next.value);
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    options.signal?.removeEventListener("abort", onOuterAbort);
  }
  if (fatal !== undefined && !(fatal instanceof CancelledError)) throw fatal;
  stats.cancelled = options.signal?.aborted ?? false;
  return { stats: snapshot(), summary: summary.summary(), badLines, failures };
}
