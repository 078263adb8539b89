// The progress of `brrm eval` on stderr: one bar rewritten in place on a terminal (done/total,
// rate, ETA, errors so far), and a line now and then when stderr is a file or a pipe. Bad
// lines, failed pairs and warnings are printed as their own lines either way.

import { placeText } from "../core/dataset";
import type { EvaluateEvent, RunStats } from "../core/evaluate";

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

export class EvalProgressBar {
  private readonly tty: boolean;
  private readonly started = Date.now();
  private stats: RunStats | undefined;
  private lastDraw = 0;
  private lastLogged = 0;
  private drawn = false;

  /**
   * `records`: the dataset's records (JSON Lines: non-blank lines); `limit`: the pairs asked for.
   * Without a limit the bar counts records (bad ones included), with one it counts pairs.
   */
  constructor(
    private readonly records: number,
    private readonly limit: number | undefined,
    private readonly stream: NodeJS.WriteStream = process.stderr,
    /** No bar at all: only notes (bad lines, failures, warnings) are printed. */
    private readonly quiet = false,
    private readonly width = 24,
  ) {
    this.tty = Boolean(stream.isTTY);
  }

  /** A line that stays (above the bar on a terminal). */
  note(message: string): void {
    if (this.tty && this.drawn) this.stream.write("\r\x1b[2K");
    this.stream.write(`${message}\n`);
    if (this.tty && this.drawn) this.draw(true);
  }

  event(e: EvaluateEvent): void {
    switch (e.type) {
      case "badLine":
        this.note(`${placeText(e)}: skipped, ${e.reason}`);
        break;
      case "pairFailed":
        this.note(`${placeText(e)}: failed, ${e.error.message}`);
        break;
      case "warning":
        this.note(`warning: ${e.message}`);
        break;
      case "progress":
        this.stats = e.stats;
        this.draw(false);
        break;
      default:
        break;
    }
  }

  line(): string {
    const s = this.stats;
    const pairs = s ? s.finished + s.failed + s.skipped : 0;
    const bad = s?.badLines ?? 0;
    const [done, expected] = this.limit === undefined ? [pairs + bad, this.records] : [pairs, Math.min(this.limit, this.records - bad)];
    const total = Math.max(expected, done);
    const fraction = total > 0 ? done / total : 0;
    const filled = Math.round(fraction * this.width);
    const bar = `[${"#".repeat(filled)}${"-".repeat(this.width - filled)}]`;
    const seconds = (Date.now() - this.started) / 1000;
    const judged = s ? s.finished + s.failed : 0;
    const rate = seconds > 0 ? judged / seconds : 0;
    const eta = rate > 0 ? formatDuration((total - done) / rate) : "?";
    const extras = [
      `errors ${s?.failed ?? 0}`,
      s?.badLines ? `bad lines ${s.badLines}` : "",
      s?.skipped ? `resumed ${s.skipped}` : "",
      s?.cachedJudgments ? `cached ${s.cachedJudgments}` : "",
    ].filter(Boolean);
    return `${bar} ${done}/${total} ${this.limit === undefined ? "records" : "pairs"}  ${rate < 0.1 ? `${(rate * 60).toFixed(1)}/min` : `${rate.toFixed(2)}/s`}  ETA ${eta}  ${formatDuration(seconds)} elapsed  ${extras.join("  ")}`;
  }

  private draw(force: boolean): void {
    if (this.quiet) return;
    const now = Date.now();
    if (this.tty) {
      if (!force && now - this.lastDraw < 100) return;
      this.lastDraw = now;
      this.drawn = true;
      this.stream.write(`\r\x1b[2K${this.line()}`);
    } else if (force || now - this.lastLogged >= 10_000) {
      // Logs (CI, a file) get a line every ten seconds instead of a redrawn bar.
      this.lastLogged = now;
      this.stream.write(`${this.line()}\n`);
    }
  }

  /** The final state, on its own line. */
  finish(): void {
    if (this.quiet) return;
    if (this.tty && this.drawn) this.stream.write(`\r\x1b[2K${this.line()}\n`);
    else this.stream.write(`${this.line()}\n`);
    this.drawn = false;
  }
}
