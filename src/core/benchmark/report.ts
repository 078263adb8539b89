// The report of a benchmark run: the score and the benchmark's tables with 95% intervals, the
// paper's published figures beside them (labelled as published), how comparisons without a
// decision counted, and the run's judgments, tokens and time; as Markdown (also what `brrm
// benchmark` prints), a self-contained HTML page with an SVG bar chart, or CSV. Built one result
// at a time from a results file.

import type { PairResult } from "../dataset";
import { csvCell, escapeHtml, mdText, summaryLines } from "../report";
import { SummaryBuilder, type Summary } from "../stats";
import { BENCHMARK_TITLES, SCORING_TEXT, type Scoring } from "./benchmarks";
import { percent, type Estimate } from "./estimate";
import { PUBLISHED, PUBLISHED_MODELS, PUBLISHED_SOURCE, type PublishedModel } from "./published";
import { BenchmarkScoring, sampleMarginPoints, settingsOf, type BenchmarkScores } from "./scoring";
import type { ScoreTable } from "./scoreTables";

export interface BenchmarkReport {
  scores: BenchmarkScores;
  /** Judgments, parse failures, consistency, position bias, tokens and time of the results. */
  summary: Summary;
  unreadableLines: { line: number; reason: string }[];
  unreadableTotal: number;
}

export class BenchmarkReportBuilder {
  private scoring: BenchmarkScoring | undefined;
  private readonly summary = new SummaryBuilder();
  private readonly seen = new Set<string>();
  private readonly unreadable: { line: number; reason: string }[] = [];
  private unreadableTotal = 0;

  /** `scoring` overrides the scoring the results were made with (brrm report --scoring). */
  constructor(private readonly scoringOverride?: Scoring) {}

  /** False when the result is not from `brrm benchmark` (the first one decides what the file is). */
  add(r: PairResult): boolean {
    if (!this.scoring) {
      const settings = settingsOf(r);
      if (!settings) return false;
      this.scoring = new BenchmarkScoring({ ...settings, scoring: this.scoringOverride ?? settings.scoring });
    }
    this.scoring.add(r);
    if (!this.seen.has(r.key)) {
      this.seen.add(r.key);
      this.summary.add(r);
    }
    return true;
  }

  addUnreadable(line: number, reason: string): void {
    this.unreadableTotal++;
    if (this.unreadable.length < 20) this.unreadable.push({ line, reason });
  }

  /** Undefined when no result was a benchmark result. */
  build(): BenchmarkReport | undefined {
    if (!this.scoring) return undefined;
    return { scores: this.scoring.scores(), summary: this.summary.summary(), unreadableLines: this.unreadable, unreadableTotal: this.unreadableTotal };
  }
}

// ---------------------------------------------------------------- figures as text

const fig = (rate: number) => percent(rate, 1).toFixed(1);
const ci = (e: Estimate | null) => (e ? `${fig(e.low)}–${fig(e.high)}` : "");
const num = (n: number) => n.toLocaleString("en-US");

/** The published figure for a row (or the score with `row` undefined). */
function published(report: BenchmarkReport, model: PublishedModel, row?: string): number | undefined {
  const p = PUBLISHED[report.scores.settings.name][model];
  return row === undefined ? p.score : p.rows[row];
}

/** Whether a table has published figures beside it: the sections, levels and domains. */
const hasPublished = (report: BenchmarkReport, t: ScoreTable) => t.rows.some((r) => published(report, "14B", r.name) !== undefined);

interface Row {
  name: string;
  estimate: Estimate | null;
  published: (number | undefined)[];
}

function tableRows(report: BenchmarkReport, t: ScoreTable): Row[] {
  const withPublished = hasPublished(report, t);
  return t.rows.map((r) => ({ name: r.name, estimate: r.estimate, published: withPublished ? PUBLISHED_MODELS.map((m) => published(report, m, r.name)) : [] }));
}

function header(report: BenchmarkReport, t: ScoreTable): string[] {
  return [t.title.replace(/s$/, ""), "This run", "95% CI", `n (${t.unit})`, ...(hasPublished(report, t) ? PUBLISHED_MODELS.map((m) => `Published ${m}`) : [])];
}

function cells(r: Row): string[] {
  return [r.name, r.estimate ? fig(r.estimate.rate) : "n/a", ci(r.estimate), r.estimate ? num(r.estimate.n) : "0", ...r.published.map((p) => (p === undefined ? "–" : p.toFixed(1)))];
}

/** The lines above the tables: what was run, the score, and how to read it. */
function headlineLines(report: BenchmarkReport): string[] {
  const { scores } = report;
  const s = scores.settings;
  const lines = [
    `Benchmark: ${BENCHMARK_TITLES[s.name]}; scoring: ${s.scoring} (${SCORING_TEXT[s.name][s.scoring]})`,
    `Prompts: ${s.prompts === "paper" ? "the paper's evaluation prompts (YzjiaoNvd/BR-RM)" : s.prompts === "custom" ? "your own templates" : "the model card's"}`,
    `Score: ${scores.score ? `${fig(scores.score.rate)} (95% CI ${ci(scores.score)})` : "n/a"} over ${num(scores.comparisons)} comparisons; published BR-RM: ${PUBLISHED_MODELS.map((m) => `${m} ${published(report, m)!.toFixed(1)}`).join(", ")} (published figures: ${PUBLISHED_SOURCE})`,
  ];
  const margin = sampleMarginPoints(scores);
  if (s.sample)
    lines.push(`Sample: ${num(scores.comparisons)} of ${num(s.sample.of)} comparisons (seed ${s.sample.seed}, drawn in proportion per ${s.name === "rewardbench" ? "subset" : s.name === "rm-bench" ? "domain" : "section"})${margin !== null ? `: the whole benchmark's score is within ±${margin.toFixed(1)} points of this estimate (95%)` : ""}`);
  lines.push(`Without a decision: ${num(scores.undecided)} comparisons (no verdict, an even vote or orders that disagree), each counted as ${scores.undecidedValue}`);
  return lines;
}

// ---------------------------------------------------------------- Markdown

const mdRow = (c: string[]) => `| ${c.join(" | ")} |`;

export function renderBenchmarkMarkdown(report: BenchmarkReport, title: string): string {
  const out = [`# ${mdText(title, 200)}`, "", ...headlineLines(report).map((l) => `- ${mdText(l, 600)}`), ""];
  for (const t of report.scores.tables) {
    if (t.rows.length === 0) continue;
    const h = header(report, t);
    out.push(`## ${t.title}`, "", mdRow(h), mdRow(h.map(() => "---")), ...tableRows(report, t).map((r) => mdRow(cells(r).map((c) => mdText(c)))), "");
  }
  if (report.scores.notes.length > 0) out.push("## Notes", "", ...report.scores.notes.map((n) => `- ${mdText(n, 600)}`), "");
  out.push("## Run", "", ...summaryLines(report.summary).map((l) => `- ${l}`), "");
  if (report.unreadableTotal > 0) {
    out.push("## Lines skipped", "", ...report.unreadableLines.map((u) => `- line ${u.line}: ${mdText(u.reason)}`));
    if (report.unreadableTotal > report.unreadableLines.length) out.push(`- and ${num(report.unreadableTotal - report.unreadableLines.length)} more`);
    out.push("");
  }
  return out.join("\n");
}

// ---------------------------------------------------------------- HTML with a chart

// Bar colours readable on light and dark backgrounds; text takes the page's colour (a webview's theme).
const COLORS = { run: "#1f6feb", "14B": "#8250df", "8B": "#bf8700", grid: "#8c959f", text: "currentColor" };

/** Horizontal bars, 0-100: this run (with its 95% interval) beside the published figures, per row. */
export function benchmarkChart(report: BenchmarkReport): string {
  const e = escapeHtml;
  const rows: Row[] = [
    { name: "Score", estimate: report.scores.score, published: PUBLISHED_MODELS.map((m) => published(report, m)) },
    ...report.scores.tables.filter((t) => hasPublished(report, t)).flatMap((t) => tableRows(report, t)),
  ];
  const series = [{ label: "This run", color: COLORS.run }, ...PUBLISHED_MODELS.map((m) => ({ label: `Published ${m}`, color: COLORS[m] }))];
  const left = 170;
  const plot = 420;
  const bar = 12;
  const group = bar * series.length + 14;
  const top = 34;
  const height = top + rows.length * group + 24;
  const x = (pct: number) => left + (Math.max(0, Math.min(100, pct)) / 100) * plot;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="${left + plot + 60}" height="${height}" viewBox="0 0 ${left + plot + 60} ${height}" font-family="system-ui,sans-serif" font-size="12">`,
    `<title>${e(`${BENCHMARK_TITLES[report.scores.settings.name]}: this run beside BR-RM's published figures`)}</title>`,
    ...series.map((s, i) => `<rect x="${left + i * 130}" y="6" width="12" height="12" fill="${s.color}"/><text x="${left + i * 130 + 16}" y="16" fill="${COLORS.text}">${e(s.label)}</text>`),
    ...[0, 25, 50, 75, 100].map((t) => `<line x1="${x(t)}" y1="${top - 6}" x2="${x(t)}" y2="${height - 20}" stroke="${COLORS.grid}" stroke-opacity="0.5"/><text x="${x(t)}" y="${height - 6}" text-anchor="middle" fill="${COLORS.text}">${t}</text>`),
  ];
  rows.forEach((r, i) => {
    const y0 = top + i * group;
    parts.push(`<text x="${left - 8}" y="${y0 + (bar * series.length) / 2 + 4}" text-anchor="end" fill="${COLORS.text}">${e(r.name)}</text>`);
    const values = [r.estimate ? r.estimate.rate * 100 : undefined, ...r.published];
    values.forEach((v, k) => {
      const y = y0 + k * bar;
      if (v === undefined) return;
      parts.push(`<rect x="${left}" y="${y}" width="${x(v) - left}" height="${bar - 2}" fill="${series[k].color}"><title>${e(`${series[k].label}: ${v.toFixed(1)}`)}</title></rect>`);
      // This run's label goes past its interval's whisker, so the two never overlap.
      const end = k === 0 && r.estimate ? Math.max(x(v), x(r.estimate.high * 100)) : x(v);
      parts.push(`<text x="${end + 4}" y="${y + bar - 3}" fill="${COLORS.text}">${v.toFixed(1)}</text>`);
    });
    if (r.estimate)
      parts.push(`<line class="ci" x1="${x(r.estimate.low * 100)}" y1="${y0 + (bar - 2) / 2}" x2="${x(r.estimate.high * 100)}" y2="${y0 + (bar - 2) / 2}" stroke="${COLORS.text}" stroke-width="1.5"/>`);
  });
  parts.push("</svg>");
  return parts.join("");
}

// VS Code's theme variables where the page is a webview; plain colours in a browser.
const STYLE = `body{font:14px/1.5 system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:var(--vscode-editor-foreground,#24292f);background:var(--vscode-editor-background,#fff)}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid var(--vscode-panel-border,#ccc);padding:.25em .6em;text-align:left}
td:nth-child(n+2){text-align:right;font-variant-numeric:tabular-nums}.note{color:var(--vscode-descriptionForeground,#57606a)}`;

export interface HtmlOptions {
  /** For a webview: the style element carries this nonce and the policy allows only it. */
  nonce?: string;
}

export function renderBenchmarkHtml(report: BenchmarkReport, title: string, options: HtmlOptions = {}): string {
  const e = escapeHtml;
  const table = (t: ScoreTable) =>
    `<h2>${e(t.title)}</h2><table><thead><tr>${header(report, t).map((h) => `<th>${e(h)}</th>`).join("")}</tr></thead><tbody>${tableRows(report, t)
      .map((r) => `<tr>${cells(r).map((c) => `<td>${e(c)}</td>`).join("")}</tr>`)
      .join("")}</tbody></table>`;
  const style = options.nonce ? `'nonce-${options.nonce}'` : "'unsafe-inline'";
  const parts = [
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">`,
    // No script may run, whatever the data holds; the chart is inline SVG.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${style}">`,
    `<title>${e(title)}</title><style${options.nonce ? ` nonce="${e(options.nonce)}"` : ""}>${STYLE}</style></head><body>`,
    `<h1>${e(title)}</h1><ul>${headlineLines(report).map((l) => `<li>${e(l)}</li>`).join("")}</ul>`,
    benchmarkChart(report),
    ...report.scores.tables.filter((t) => t.rows.length > 0).map(table),
  ];
  if (report.scores.notes.length > 0) parts.push(`<h2>Notes</h2><ul>${report.scores.notes.map((n) => `<li>${e(n)}</li>`).join("")}</ul>`);
  parts.push(`<h2>Run</h2><ul>${summaryLines(report.summary).map((l) => `<li>${e(l)}</li>`).join("")}</ul>`);
  if (report.unreadableTotal > 0)
    parts.push(`<h2>Lines skipped</h2><ul>${report.unreadableLines.map((u) => `<li>line ${u.line}: ${e(u.reason)}</li>`).join("")}${report.unreadableTotal > report.unreadableLines.length ? `<li>and ${num(report.unreadableTotal - report.unreadableLines.length)} more</li>` : ""}</ul>`);
  parts.push(`<p class="note">Published figures are BR-RM's own, from ${e(PUBLISHED_SOURCE)}; they are not this run's.</p></body></html>\n`);
  return parts.join("\n");
}

// ---------------------------------------------------------------- CSV

const CSV_COLUMNS = ["table", "name", "percent", "low", "high", "n", "published_8b", "published_14b"] as const;

/** The tables as rows: the score first, then every row of every table. */
export function renderBenchmarkCsv(report: BenchmarkReport): string {
  const row = (table: string, r: Row) =>
    [table, r.name, r.estimate ? fig(r.estimate.rate) : null, r.estimate ? fig(r.estimate.low) : null, r.estimate ? fig(r.estimate.high) : null, r.estimate?.n ?? 0, ...PUBLISHED_MODELS.map((_, i) => r.published[i]?.toFixed(1) ?? null)]
      .map((c) => csvCell(c))
      .join(",");
  const lines = [CSV_COLUMNS.join(","), row("score", { name: BENCHMARK_TITLES[report.scores.settings.name], estimate: report.scores.score, published: PUBLISHED_MODELS.map((m) => published(report, m)) })];
  for (const t of report.scores.tables) for (const r of tableRows(report, t)) lines.push(row(t.key, r));
  return `${lines.join("\r\n")}\r\n`;
}
