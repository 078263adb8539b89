// Reports of a results file: the summary (wins, accuracy, tie labels, consistency, subsets,
// dimensions, failures, tokens) and the pairs to review (the judge disagreed with the label or with itself after a
// swap), as Markdown or a self-contained HTML page; and every pair as CSV rows. Built one
// result at a time: only the first `reviewLimit` pairs to review are kept.

import { placeText, type PairResult } from "./dataset";
import type { Dimension } from "./judgment";
import type { Label } from "./records";
import { pct } from "./markdownText";
import { formatContext } from "./prompts";
import { reviewReasons, SummaryBuilder, type Interval, type Summary } from "./stats";

export interface ReviewItem {
  key: string;
  id: string | null;
  line: number;
  file?: string;
  reasons: string[];
  label: Label | null;
  preferred: 1 | 2 | null;
  orders: { order: string; preferred: 1 | 2 | null; votes: string; dimensions: Dimension[]; issues: { response1: string[]; response2: string[] } }[];
  context: string;
  responses: [string, string];
}

export interface Report {
  summary: Summary;
  review: ReviewItem[];
  /** Pairs to review in all; `review` holds the first ones. */
  reviewTotal: number;
  unreadableLines: { line: number; reason: string }[];
  unreadableTotal: number;
  duplicates: number;
}

export const DEFAULT_REVIEW_LIMIT = 50;

export class ReportBuilder {
  private readonly summary = new SummaryBuilder();
  private readonly seen = new Set<string>();
  private readonly review: ReviewItem[] = [];
  private reviewTotal = 0;
  private readonly unreadable: { line: number; reason: string }[] = [];
  private unreadableTotal = 0;
  private duplicates = 0;

  constructor(private readonly reviewLimit = DEFAULT_REVIEW_LIMIT) {}

  add(r: PairResult): void {
    // A pair twice (results files concatenated by hand) would count twice: the first line wins.
    if (this.seen.has(r.key)) {
      this.duplicates++;
      return;
    }
    this.seen.add(r.key);
    this.summary.add(r);
    const reasons = reviewReasons(r);
    if (reasons.length === 0) return;
    this.reviewTotal++;
    if (this.review.length < this.reviewLimit) this.review.push(reviewItem(r, reasons));
  }

  addUnreadable(line: number, reason: string): void {
    this.unreadableTotal++;
    if (this.unreadable.length < 20) this.unreadable.push({ line, reason });
  }

  build(): Report {
    return {
      summary: this.summary.summary(),
      review: this.review,
      reviewTotal: this.reviewTotal,
      unreadableLines: this.unreadable,
      unreadableTotal: this.unreadableTotal,
      duplicates: this.duplicates,
    };
  }
}

function voteText(v: PairResult["orders"][number]["votes"]): string {
  return `${v.response1}-${v.response2}${v.none > 0 ? ` (${v.none} without verdict)` : ""}`;
}

function reviewItem(r: PairResult, reasons: string[]): ReviewItem {
  return {
    key: r.key,
    id: r.id,
    line: r.line,
    ...(r.file !== undefined ? { file: r.file } : {}),
    reasons,
    label: r.label,
    preferred: r.preferred,
    orders: r.orders.map((o) => {
      const first = o.samples.find((s) => s.judgment.verdict !== null) ?? o.samples[0];
      return {
        order: o.order,
        preferred: o.preferred,
        votes: voteText(o.votes),
        dimensions: [...new Set(o.samples.flatMap((s) => s.judgment.dimensions))],
        issues: first ? first.judgment.issues : { response1: [], response2: [] },
      };
    }),
    context: formatContext(r.prompt),
    responses: r.responses,
  };
}

// ---------------------------------------------------------------- text of the numbers

const num = (n: number) => n.toLocaleString("en-US");

export function intervalText(i: Interval | null): string {
  return i ? `${pct(i.rate)} (95% CI ${pct(i.low)}–${pct(i.high)}, n = ${num(i.n)})` : "n/a";
}

/** The summary as lines of plain text (also valid Markdown): the end of `brrm eval` and the head of a report. */
export function summaryLines(s: Summary): string[] {
  const lines = [
    `Pairs: ${num(s.pairs)}${s.labeled > 0 ? ` (${num(s.labeled)} with a label)` : ""}`,
    `Wins: response 1 ${num(s.wins.response1)}, response 2 ${num(s.wins.response2)}, ties ${num(s.wins.ties)}, no verdict ${num(s.wins.noVerdict)}`,
    `Response 1 win rate: ${intervalText(s.response1WinRate)}; a tie counts half`,
  ];
  if (s.labeled > 0) lines.push(`Accuracy against labels: ${intervalText(s.accuracy)}; ${num(s.correct)} of ${num(s.labeled)} right, ties and no verdict count as wrong`);
  if (s.tieLabels > 0) {
    const t = s.tieLabelSplit;
    lines.push(`Labelled as ties: ${num(s.tieLabels)} pairs, not counted in the accuracy; the judge preferred response 1 in ${num(t.response1)}, response 2 in ${num(t.response2)}, neither in ${num(t.tie)}, no verdict in ${num(t.noVerdict)}`);
  }
  if (s.swapped > 0)
    lines.push(`Consistency after swap: ${intervalText(s.consistency)}; ${num(s.inconsistent)} inconsistent pairs counted as ties${s.swapped > s.consistent + s.inconsistent ? `, ${num(s.swapped - s.consistent - s.inconsistent)} without a verdict in one order` : ""}`);
  lines.push(`Response shown first preferred: ${intervalText(s.firstShownPreferred)}; 50% means no position bias`);
  const codes = Object.entries(s.failureCodes).map(([c, n]) => `${c} ${num(n)}`).join(", ");
  lines.push(`Judgments: ${num(s.judgments)}${s.cachedJudgments > 0 ? ` (${num(s.cachedJudgments)} from the cache)` : ""}; parse failures: ${num(s.parseFailures)}${codes ? ` (${codes})` : ""}`);
  lines.push(`Tokens: ${num(s.tokens.prompt)} prompt + ${num(s.tokens.generated)} generated; judge time ${(s.judgeMs / 1000).toFixed(1)} s`);
  return lines;
}

/** Accuracy per subset, one line each: the end of `brrm eval` when the records have a `subset`. */
export function subsetLines(s: Summary): string[] {
  return s.subsets.length === 0 ? [] : ["Accuracy by subset:", ...s.subsets.map((x) => `  ${x.subset}: ${intervalText(x.accuracy)}; ${num(x.correct)} of ${num(x.labeled)} right`)];
}

function subsetRows(s: Summary): string[][] {
  return s.subsets.map((x) => [x.subset, num(x.pairs), num(x.labeled), num(x.correct), intervalText(x.accuracy)]);
}

const SUBSET_HEADER = ["Subset", "Pairs", "Labelled", "Right", "Accuracy"];

function dimensionRows(s: Summary): string[][] {
  return s.dimensions
    .filter((d) => d.chosen > 0)
    .sort((a, b) => b.chosen - a.chosen)
    .map((d) => [d.dimension, num(d.chosen), pct(d.share), num(d.response1Wins), num(d.response2Wins), intervalText(d.response1WinRate)]);
}

const DIMENSION_HEADER = ["Dimension", "Chosen", "Share", "Response 1 wins", "Response 2 wins", "Response 1 win rate"];

// ---------------------------------------------------------------- Markdown

/** Text from the data as inert Markdown: one line, no markup, no HTML. */
export function mdText(s: string, max = 400): string {
  const flat = s.replace(/\s+/g, " ").trim();
  const cut = flat.length > max ? `${flat.slice(0, max)}…` : flat;
  // Every item is written after a fixed prefix, so only inline markup needs escaping.
  return cut.replace(/[\\`*_[\]<>|#~&]/g, (c) => `\\${c}`);
}

const mdRow = (cells: string[]) => `| ${cells.join(" | ")} |`;

function reviewTitle(r: ReviewItem): string {
  return `${placeText(r)}${r.id !== null ? `, id ${r.id}` : ""}: ${r.reasons.join("; ")}`;
}

function orderText(o: ReviewItem["orders"][number]): string {
  return `${o.order === "AB" ? "as given" : "swapped"}: ${o.preferred === null ? "no decision" : `response ${o.preferred}`} (votes ${o.votes})`;
}

export function renderMarkdown(report: Report, title = "BR-RM evaluation report"): string {
  const { summary } = report;
  const out = [`# ${mdText(title, 200)}`, "", "## Summary", "", ...summaryLines(summary).map((l) => `- ${l}`), ""];
  const subsets = subsetRows(summary);
  if (subsets.length > 0) out.push("## Subsets", "", mdRow(SUBSET_HEADER), mdRow(SUBSET_HEADER.map(() => "---")), ...subsets.map((r) => mdRow(r.map((c) => mdText(c)))), "");
  const dims = dimensionRows(summary);
  if (dims.length > 0) out.push("## Dimensions", "", mdRow(DIMENSION_HEADER), mdRow(DIMENSION_HEADER.map(() => "---")), ...dims.map(mdRow), "");
  if (report.unreadableTotal > 0 || report.duplicates > 0) {
    out.push("## Lines skipped", "");
    if (report.duplicates > 0) out.push(`- ${num(report.duplicates)} lines repeat a pair already counted`);
    for (const u of report.unreadableLines) out.push(`- line ${u.line}: ${mdText(u.reason)}`);
    if (report.unreadableTotal > report.unreadableLines.length) out.push(`- and ${num(report.unreadableTotal - report.unreadableLines.length)} more unreadable lines`);
    out.push("");
  }
  out.push(`## For review (${num(report.reviewTotal)})`, "");
  if (report.reviewTotal === 0) out.push("The judge agreed with every label and with itself after every swap.", "");
  for (const r of report.review) {
    out.push(`### ${mdText(reviewTitle(r), 300)}`, "");
    for (const o of r.orders) out.push(`- ${mdText(orderText(o))}; focus: ${mdText(o.dimensions.join(", ") || "none")}`);
    out.push(`- Context: ${mdText(r.context)}`, `- Response 1: ${mdText(r.responses[0])}`, `- Response 2: ${mdText(r.responses[1])}`, "");
  }
  if (report.reviewTotal > report.review.length) out.push(`… and ${num(report.reviewTotal - report.review.length)} more (raise --review-limit to list them).`, "");
  return out.join("\n");
}

// ---------------------------------------------------------------- HTML

/** Everything from the data goes through here: the page has no script and renders no markup it did not write. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

const STYLE = `body{font:14px/1.5 system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}
pre{white-space:pre-wrap;background:#f6f6f6;padding:.6em;border-radius:4px}
.reasons{color:#a4262c}section{border-top:1px solid #ddd;padding:.5em 0}`;

export function renderHtml(report: Report, title = "BR-RM evaluation report"): string {
  const { summary } = report;
  const e = escapeHtml;
  const table = (header: string[], rows: string[][]) =>
    `<table><thead><tr>${header.map((h) => `<th>${e(h)}</th>`).join("")}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${e(c)}</td>`).join("")}</tr>`).join("")}</tbody></table>`;
  const parts = [
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">`,
    // No script may run, whatever the data holds; inline styles only.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    `<title>${e(title)}</title><style>${STYLE}</style></head><body>`,
    `<h1>${e(title)}</h1><h2>Summary</h2><ul>${summaryLines(summary).map((l) => `<li>${e(l)}</li>`).join("")}</ul>`,
  ];
  const subsets = subsetRows(summary);
  if (subsets.length > 0) parts.push(`<h2>Subsets</h2>${table(SUBSET_HEADER, subsets)}`);
  const dims = dimensionRows(summary);
  if (dims.length > 0) parts.push(`<h2>Dimensions</h2>${table(DIMENSION_HEADER, dims)}`);
  if (report.unreadableTotal > 0 || report.duplicates > 0) {
    const items = report.unreadableLines.map((u) => `<li>line ${u.line}: ${e(u.reason)}</li>`);
    if (report.duplicates > 0) items.unshift(`<li>${num(report.duplicates)} lines repeat a pair already counted</li>`);
    if (report.unreadableTotal > report.unreadableLines.length) items.push(`<li>and ${num(report.unreadableTotal - report.unreadableLines.length)} more unreadable lines</li>`);
    parts.push(`<h2>Lines skipped</h2><ul>${items.join("")}</ul>`);
  }
  parts.push(`<h2>For review (${num(report.reviewTotal)})</h2>`);
  if (report.reviewTotal === 0) parts.push("<p>The judge agreed with every label and with itself after every swap.</p>");
  for (const r of report.review) {
    const issues = (o: ReviewItem["orders"][number], n: 1 | 2) => o.issues[`response${n}`].map((i) => `<li>${e(i)}</li>`).join("") || "<li>None identified</li>";
    parts.push(
      `<section><h3>${e(placeText(r).replace(/^line/, "Line"))}${r.id !== null ? `, id ${e(r.id)}` : ""}</h3><p class="reasons">${e(r.reasons.join("; "))}</p>`,
      `<ul>${r.orders.map((o) => `<li>${e(orderText(o))}; focus: ${e(o.dimensions.join(", ") || "none")}<details><summary>Issues found</summary><p>Shown first:</p><ul>${issues(o, 1)}</ul><p>Shown second:</p><ul>${issues(o, 2)}</ul></details></li>`).join("")}</ul>`,
      `<details><summary>Context and responses</summary><h4>Context</h4><pre>${e(r.context)}</pre><h4>Response 1</h4><pre>${e(r.responses[0])}</pre><h4>Response 2</h4><pre>${e(r.responses[1])}</pre></details></section>`,
    );
  }
  if (report.reviewTotal > report.review.length) parts.push(`<p>… and ${num(report.reviewTotal - report.review.length)} more (raise --review-limit to list them).</p>`);
  parts.push("</body></html>\n");
  return parts.join("\n");
}

// ---------------------------------------------------------------- CSV

export const CSV_COLUMNS = [
  "key", "id", "line", "label", "preferred", "correct", "consistent", "orders", "dimensions",
  "judgments", "cached", "parse_failures", "review", "context", "response1", "response2", "fields",
  // Columns added later go last, so readers that go by position keep working.
  "file", "subset",
] as const;

/** RFC 4180 quoting, and a leading quote on text a spreadsheet would run as a formula. */
export function csvCell(v: string | number | boolean | null): string {
  if (v === null) return "";
  let s = String(v);
  if (typeof v === "string" && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvHeader(): string {
  return `${CSV_COLUMNS.join(",")}\r\n`;
}

/** One pair as a CSV row (all pairs, not only those to review: spreadsheets filter). */
export function csvRow(r: PairResult): string {
  const samples = r.orders.flatMap((o) => o.samples);
  const cells: Record<(typeof CSV_COLUMNS)[number], string | number | boolean | null> = {
    key: r.key,
    id: r.id,
    file: r.file ?? null,
    line: r.line,
    label: r.label,
    subset: typeof r.fields.subset === "string" ? r.fields.subset : null,
    preferred: r.preferred,
    correct: r.correct,
    consistent: r.consistent,
    orders: r.orders.map((o) => `${o.order}:${o.preferred ?? "-"} (${voteText(o.votes)})`).join("; "),
    dimensions: [...new Set(samples.flatMap((s) => s.judgment.dimensions))].join("; "),
    judgments: samples.length,
    cached: samples.filter((s) => s.cached).length,
    parse_failures: samples.filter((s) => s.judgment.verdict === null).length,
    review: reviewReasons(r).join("; "),
    context: formatContext(r.prompt),
    response1: r.responses[0],
    response2: r.responses[1],
    fields: Object.keys(r.fields).length > 0 ? JSON.stringify(r.fields) : null,
  };
  return `${CSV_COLUMNS.map((c) => csvCell(cells[c])).join(",")}\r\n`;
}
