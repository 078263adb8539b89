// The benchmark report: the figures and published ones in Markdown, HTML and CSV, text from the
// results escaped everywhere, the chart's bars where the figures say, and the webview's policy.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RunSettings } from "../../src/core/benchmark/benchmarks";
import { BenchmarkReportBuilder, benchmarkChart, renderBenchmarkCsv, renderBenchmarkHtml, renderBenchmarkMarkdown, type BenchmarkReport } from "../../src/core/benchmark/report";
import { judgedComparison, type Outcome } from "../support/benchmarkResults";

const EVIL = `<script>alert(1)</script> **bold** | [x](http://e)`;

function rmbReport(sample: RunSettings["sample"] = null): BenchmarkReport {
  const settings: RunSettings = { name: "rmb", prompts: "paper", scoring: "official", sample };
  const b = new BenchmarkReportBuilder();
  const add = (stratum: string, item: string, o: Outcome) => assert.ok(b.add(judgedComparison(settings, { key: item, stratum, item }, o)));
  add("Pairwise Helpfulness", "a", "chosen");
  add("Pairwise Helpfulness", "b", "rejected");
  add("Pairwise Harmlessness", "c", "chosen");
  add("BoN Helpfulness", "d", "chosen");
  add("BoN Harmlessness", "e", "none");
  b.addUnreadable(7, `not valid JSON ${EVIL}`);
  return b.build()!;
}

describe("benchmark report", () => {
  it("Markdown: the settings, the score beside the published figures, one table per part, escaped text", () => {
    const md = renderBenchmarkMarkdown(rmbReport(), `Run ${EVIL}`);
    assert.match(md, /^# Run \\<script\\>alert\(1\)\\<\/script\\> \\\*\\\*bold\\\*\\\* \\\| \\\[x\\\]\(http:\/\/e\)\n/);
    assert.match(md, /- Prompts: the paper's evaluation prompts \(YzjiaoNvd\/BR-RM\)/);
    // (1/2 + 1 + 1 + 0) / 4
    assert.match(md, /- Score: 62\.5 \(95% CI [\d.]+–[\d.]+\) over 5 comparisons; published BR-RM: 8B 71\.8, 14B 74\.7 \(published figures: /);
    assert.match(md, /\| Section \| This run \| 95% CI \| n \(items\) \| Published 8B \| Published 14B \|/);
    assert.match(md, /\| Pairwise Helpfulness \| 50\.0 \| [\d.]+–[\d.]+ \| 2 \| – \| 81\.0 \|/);
    assert.match(md, /\| BoN Harmlessness \| 0\.0 \| 0\.0–[\d.]+ \| 1 \| – \| 69\.3 \|/);
    assert.match(md, /- Without a decision: 1 comparisons .*, each counted as 0/);
    assert.match(md, /## Lines skipped\n\n- line 7: not valid JSON \\<script\\>/);
  });

  it("HTML: no script, the policy allows a nonce-marked style only (webview), every text escaped, a bar per figure", () => {
    const report = rmbReport();
    const html = renderBenchmarkHtml(report, `T ${EVIL}`, { nonce: "abc123" });
    assert.match(html, /content="default-src 'none'; style-src 'nonce-abc123'"/);
    assert.match(html, /<style nonce="abc123">/);
    assert.doesNotMatch(html, /<script|unsafe-inline/);
    assert.match(html, /<h1>T &lt;script&gt;alert\(1\)&lt;\/script&gt; \*\*bold\*\* \| \[x\]\(http:\/\/e\)<\/h1>/);
    assert.match(renderBenchmarkHtml(report, "T"), /style-src 'unsafe-inline'/, "a file on disk: its own inline style");
    const svg = benchmarkChart(report);
    // Rows: the score and four sections; bars: this run for each, the published 14B for each, the 8B score.
    const bars = [...svg.matchAll(/<rect x="170" y="[\d.]+" width="([\d.]+)" height="10" fill="([^"]+)">/g)].map((m) => [Number(m[1]), m[2]]);
    assert.equal(bars.filter(([, c]) => c === "#1f6feb").length, 5);
    assert.equal(bars.filter(([, c]) => c === "#8250df").length, 5);
    assert.equal(bars.filter(([, c]) => c === "#bf8700").length, 1);
    // Widths scale 0-100 onto 420 pixels: the score 62.5 and the 14B's 74.7.
    assert.ok(bars.some(([w, c]) => c === "#1f6feb" && Math.abs((w as number) - 262.5) < 0.01));
    assert.ok(bars.some(([w, c]) => c === "#8250df" && Math.abs((w as number) - 313.74) < 0.01));
    assert.equal((svg.match(/<line class="ci"/g) ?? []).length, 5, "an interval per figure of this run");
  });

  it("CSV: the score, then every row with its interval and the published figures", () => {
    const csv = renderBenchmarkCsv(rmbReport()).split("\r\n");
    assert.equal(csv[0], "table,name,percent,low,high,n,published_8b,published_14b");
    assert.match(csv[1], /^score,RMB,62\.5,[\d.]+,[\d.]+,5,71\.8,74\.7$/);
    assert.match(csv[2], /^sections,Pairwise Helpfulness,50\.0,[\d.]+,[\d.]+,2,,81\.0$/);
  });

  it("a sample says how far the whole benchmark's score can be from the estimate", () => {
    const md = renderBenchmarkMarkdown(rmbReport({ size: 5, of: 50, seed: 2 }), "T");
    assert.match(md, /- Sample: 5 of 50 comparisons \(seed 2, drawn in proportion per section\): the whole benchmark's score is within ±[\d.]+ points of this estimate \(95%\)/);
  });

  it("a results file of brrm eval is not a benchmark's", () => {
    const b = new BenchmarkReportBuilder();
    const plain = judgedComparison({ name: "rmb", prompts: "card", scoring: "official", sample: null }, { stratum: "x", item: "y" }, "chosen");
    assert.equal(b.add({ ...plain, fields: {} }), false);
    assert.equal(b.build(), undefined);
  });
});
