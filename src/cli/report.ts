import * as fs from "node:fs";
import { parseArgs } from "node:util";
import { SCORINGS } from "../core/benchmark/benchmarks";
import { renderBenchmarkCsv, renderBenchmarkHtml, renderBenchmarkMarkdown } from "../core/benchmark/report";
import { BrrmError } from "../core/errors";
import { csvHeader, csvRow, DEFAULT_REVIEW_LIMIT, renderHtml, renderMarkdown, ReportBuilder } from "../core/report";
import { readBenchmarkReport } from "../files/benchmarkReport";
import { readResults } from "../files/resultsFile";
import { choiceArg, numberArg, UsageError } from "./args";
import { EXIT, type Command } from "./command";

/** Writes to --out or stdout, waiting when the pipe is full so a big CSV stays in bounded memory. */
function sink(file: string | undefined): { write(text: string): Promise<void>; end(): Promise<void> } {
  const stream: NodeJS.WritableStream = file ? fs.createWriteStream(file) : process.stdout;
  const failed = new Promise<never>((_, reject) =>
    stream.once("error", (e) => reject(new BrrmError("REPORT_UNWRITABLE", `Cannot write the report${file ? ` to ${file}` : ""}: ${e.message}.`, { cause: e }))),
  );
  failed.catch(() => {});
  return {
    async write(text) {
      if (!stream.write(text)) await Promise.race([new Promise<void>((r) => stream.once("drain", () => r())), failed]);
    },
    async end() {
      if (file) await Promise.race([new Promise<void>((r) => stream.end(() => r())), failed]);
    },
  };
}

export const reportCommand: Command = {
  name: "report",
  summary: "summarize a results file, with the pairs to review (Markdown, HTML or CSV)",
  help: `Usage: brrm report <results.jsonl> [--format md|html|csv] [--out <file>] [--review-limit N] [--scoring official|paper]

Reads the results of \`brrm eval\` and prints the summary (wins per side with 95% intervals,
accuracy against labels, consistency after swap, position bias, per-dimension counts and win
rates, parse failures, tokens and time) and the pairs to review: those where the judge
disagreed with the label or with itself after a swap.

  --format md|html|csv        md (default); html: one self-contained page; csv: one row per
                              pair (all pairs, with a "review" column saying why to look)
  --out <file>                write there instead of stdout
  --review-limit N            pairs to review listed in md and html (default ${DEFAULT_REVIEW_LIMIT}; 0 lists none)
  --title <text>              the report's title

The results of \`brrm benchmark\` get the benchmark's report instead: the score and its tables
with 95% intervals beside BR-RM's published figures (html: with a bar chart; csv: one row per
figure), scored as recorded in the file or as --scoring official|paper says.

Exit codes: 0 done, 1 the file cannot be read, 2 a usage error, 130 stopped by Ctrl-C.`,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { format: { type: "string" }, out: { type: "string" }, "review-limit": { type: "string" }, title: { type: "string" }, scoring: { type: "string" } },
      strict: true,
      allowPositionals: true,
    });
    if (positionals.length !== 1) throw new UsageError(`give one results file (got ${positionals.length}): brrm report <results.jsonl>.`);
    const format = choiceArg("format", values.format, ["md", "html", "csv"] as const) ?? "md";
    const reviewLimit = numberArg("review-limit", values["review-limit"], { min: 0, integer: true }) ?? DEFAULT_REVIEW_LIMIT;
    const file = positionals[0];
    if (!fs.existsSync(file)) throw new UsageError(`results file not found: ${file}. Give the --out file of \`brrm eval\`.`);
    const scoring = choiceArg("scoring", values.scoring, SCORINGS);

    const benchmark = await readBenchmarkReport(file, scoring);
    if (benchmark) {
      const out = sink(values.out);
      const title = values.title ?? `BR-RM benchmark report: ${file}`;
      await out.write(format === "csv" ? renderBenchmarkCsv(benchmark) : format === "html" ? renderBenchmarkHtml(benchmark, title) : `${renderBenchmarkMarkdown(benchmark, title)}\n`);
      await out.end();
      return EXIT.ok;
    }
    if (scoring) throw new UsageError(`--scoring applies to the results of brrm benchmark; ${file} holds other results.`);
    const title = values.title ?? `BR-RM evaluation report: ${file}`;

    const out = sink(values.out);
    const builder = new ReportBuilder(reviewLimit);
    if (format === "csv") await out.write(csvHeader());
    for await (const entry of readResults(file)) {
      if (!entry.ok) {
        builder.addUnreadable(entry.line, entry.reason);
        process.stderr.write(`${file} line ${entry.line}: skipped, ${entry.reason}\n`);
        continue;
      }
      builder.add(entry.result);
      if (format === "csv") await out.write(csvRow(entry.result));
    }
    const report = builder.build();
    if (format === "md") await out.write(`${renderMarkdown(report, title)}\n`);
    else if (format === "html") await out.write(renderHtml(report, title));
    await out.end();
    return EXIT.ok;
  },
};
