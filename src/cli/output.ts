// What `brrm` prints: the judgment for people (stdout; the model's markdown as plain text) and
// progress while it runs (stderr).

import type { LoadProgress } from "../backends/llamaCpp";
import type { FlowEvent } from "../core/flow";
import type { Judgment, TurnUsage } from "../core/judgment";
import { plainLine, plainText } from "../core/plainText";

const tokensPerSecond = (tokens: number, ms: number) => (ms > 0 ? (tokens / ms) * 1000 : 0);

export function formatUsage(turn: string, u: TurnUsage | null): string {
  if (!u) return `${turn}: -`;
  const cached = u.cachedTokens > 0 ? ` (${u.cachedTokens} cached)` : "";
  return `${turn}: ${u.promptTokens} prompt${cached} + ${u.generatedTokens} generated tokens in ${(u.ms / 1000).toFixed(1)} s (${tokensPerSecond(u.generatedTokens, u.ms).toFixed(1)} tok/s)${u.stopReason === "maxTokens" ? ", stopped at max tokens" : ""}`;
}

function issueLines(issues: string[]): string[] {
  return issues.length === 0 ? ["  None identified."] : issues.map((i) => `  - ${plainLine(i)}`);
}

export function formatJudgment(j: Judgment): string {
  const lines: string[] = [];
  lines.push(j.verdict !== null ? `Verdict: Response ${j.verdict} is better.` : `Verdict: none (${j.error?.message ?? "no verdict"})`);
  lines.push(`Focus: ${j.dimensions.length > 0 ? j.dimensions.join(", ") : "(none chosen)"}`);
  for (const n of [1, 2] as const) {
    lines.push("", `Response ${n}${j.verdict === n ? " (preferred)" : ""}`, " Critical issues:", ...issueLines(j.issues[`response${n}`]));
    const analysis = j.analysis[`response${n}`];
    if (analysis) lines.push(" Analysis:", ...plainText(analysis).split("\n").map((l) => `  ${l}`));
  }
  if (j.warnings.length > 0) lines.push("", "Warnings:", ...j.warnings.map((w) => `  - ${w}`));
  lines.push("", formatUsage("Turn 1", j.usage.turn1), formatUsage("Turn 2", j.usage.turn2), `Model: ${j.model} (${j.backend})`);
  return lines.join("\n");
}

/** Progress on stderr: one line rewritten in place on a terminal, a line per step otherwise. */
export class ProgressReporter {
  private readonly tty: boolean;
  private turnTokens = 0;
  private turnStart = 0;
  private lastDraw = 0;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {
    this.tty = Boolean(stream.isTTY);
  }

  /** A transient line is only drawn on a terminal; a final one always stays. */
  private show(line: string, final = false): void {
    if (this.tty) this.stream.write(`\r\x1b[2K${line}${final ? "\n" : ""}`);
    else if (final) this.stream.write(`${line}\n`);
  }

  load(p: LoadProgress): void {
    const now = Date.now();
    const done = p.phase === "download" ? p.downloadedBytes >= p.totalBytes : p.fraction >= 1;
    if (!done && now - this.lastDraw < 200) return;
    this.lastDraw = now;
    if (p.phase === "download") {
      const mb = (b: number) => (b / 1e6).toFixed(0);
      this.show(`Downloading model: ${mb(p.downloadedBytes)} / ${mb(p.totalBytes)} MB`, done);
    } else {
      this.show(`Loading model: ${Math.round(p.fraction * 100)}%`, done);
    }
  }

  event(e: FlowEvent): void {
    switch (e.type) {
      case "turnStarted":
        this.turnTokens = 0;
        this.turnStart = Date.now();
        this.show(`Turn ${e.turn}: ${e.turn === 1 ? "choosing dimensions and issues" : "rethinking and ranking"}…`, !this.tty);
        break;
      case "chunk": {
        this.turnTokens += e.tokens;
        const now = Date.now();
        if (this.tty && now - this.lastDraw > 100) {
          this.lastDraw = now;
          const s = (now - this.turnStart) / 1000;
          this.show(`Turn ${e.turn}: ${e.kind === "thought" ? "thinking" : "answering"}, ${this.turnTokens} tokens, ${s.toFixed(1)} s (${(this.turnTokens / Math.max(s, 0.001)).toFixed(1)} tok/s)`);
        }
        break;
      }
      case "turnFinished":
        this.show(formatUsage(`Turn ${e.turn}`, e.usage), true);
        break;
      case "judgment":
        break;
    }
  }

  note(message: string): void {
    this.show(message, true);
  }
}
