// How a run over many pairs (`brrm eval`, `brrm benchmark`, `brrm variants`) ends: the exit code a CI job reads,
// and the lines on stderr that say why. One function decides, so every code means the same in
// both commands. When several apply, the most serious wins:
//   130 interrupted > 1 pairs failed > 5 nothing judged > 6 under a threshold > 4 bad lines > 0.
//
// A threshold (--fail-under-accuracy, --fail-under-win-rate) is compared with the point
// estimate, the figure the summary prints, and not with its interval's lower bound: a gate
// then reads as it is written ("accuracy at least 80%"), and a small dataset does not fail a
// gate its figure meets. The 95% interval is printed beside it, so a reader sees how close
// the call was; gate on a dataset large enough for that interval to be narrow.

import { pct } from "../core/markdownText";
import { intervalText } from "../core/report";
import type { Interval } from "../core/stats";
import { EXIT } from "./command";

export interface Threshold {
  /** The flag, as typed: `--fail-under-accuracy`. */
  flag: string;
  /** The figure: "accuracy", "B's win rate over A". */
  what: string;
  min: number;
  measured: Interval | null;
  /** Why there is no figure, when `measured` is null ("no pair has a label"). */
  missing: string;
}

export interface RunEnd {
  cancelled: boolean;
  /** Valid pairs taken from the input, those judged earlier included. */
  pairs: number;
  failed: number;
  /** Lines of the input that are not pairs, skipped. */
  badLines: number;
  allowBadLines: boolean;
  thresholds: Threshold[];
  /** What to do about failed pairs: "run again with --resume to retry them". */
  retry: string;
}

export function exitStatus(r: RunEnd): { code: number; lines: string[] } {
  const lines: string[] = [];
  const codes: number[] = [];
  if (r.cancelled) codes.push(EXIT.interrupted);
  if (r.failed > 0) {
    codes.push(EXIT.failure);
    lines.push(`${r.failed} ${r.failed === 1 ? "pair" : "pairs"} failed (listed above); ${r.retry}.`);
  }
  if (r.pairs === 0 && !r.cancelled) {
    codes.push(EXIT.nothingJudged);
    lines.push(
      r.badLines > 0
        ? `No pair was judged: ${r.badLines === 1 ? "the input's only line is bad" : `all ${r.badLines} lines of the input are bad`} (listed above). Fix them, then run again.`
        : "No pair was judged: the input holds no pairs. Check that the file is the one you meant.",
    );
  }
  // A partial run's figures would decide nothing: an interrupted run is judged on its own code.
  if (!r.cancelled && r.pairs > 0)
    for (const t of r.thresholds) {
      if (t.measured === null) {
        codes.push(EXIT.belowThreshold);
        lines.push(`${t.flag} ${pct(t.min)} cannot be checked: ${t.missing}. Failing.`);
      } else if (t.measured.rate < t.min) {
        codes.push(EXIT.belowThreshold);
        lines.push(`${t.what} ${intervalText(t.measured)} is under ${t.flag} ${pct(t.min)}. Failing.`);
      } else lines.push(`${t.what} ${intervalText(t.measured)} meets ${t.flag} ${pct(t.min)}.`);
    }
  if (r.badLines > 0 && r.pairs > 0 && !r.allowBadLines) {
    codes.push(EXIT.badLines);
    lines.push(`${r.badLines} bad ${r.badLines === 1 ? "line was" : "lines were"} skipped (listed above). Fix them, or pass --allow-bad-lines to accept a run that skips them.`);
  }
  const order: number[] = [EXIT.interrupted, EXIT.failure, EXIT.nothingJudged, EXIT.belowThreshold, EXIT.badLines];
  return { code: order.find((c) => codes.includes(c)) ?? EXIT.ok, lines };
}

/** The exit codes of `brrm eval`, `brrm benchmark` and `brrm variants`, for their --help. */
export const RUN_EXIT_HELP = `Exit codes (the first that applies, in this order):
  130  stopped by Ctrl-C (finished results are kept)
  1    an error stopped the run, or some pairs failed (finished results are kept)
  2    a usage error (a bad flag, a missing file, results that exist without --resume)
  5    no pair was judged: the input is empty or every line is bad
  6    a --fail-under-* threshold was not met, or could not be checked
  4    bad lines were skipped (without --allow-bad-lines)
  0    every pair was judged and every threshold met`;
