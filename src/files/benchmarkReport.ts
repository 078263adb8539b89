// A benchmark results file read back, streaming, into its report: the end of `brrm benchmark`,
// `brrm report` on a benchmark's results, and the editor's report.

import type { Scoring } from "../core/benchmark/benchmarks";
import { BenchmarkReportBuilder, type BenchmarkReport } from "../core/benchmark/report";
import { readResults } from "./resultsFile";

/** Undefined when the file holds no benchmark results (the first result decides). */
export async function readBenchmarkReport(file: string, scoring?: Scoring): Promise<BenchmarkReport | undefined> {
  const builder = new BenchmarkReportBuilder(scoring);
  for await (const entry of readResults(file)) {
    if (!entry.ok) builder.addUnreadable(entry.line, entry.reason);
    else if (!builder.add(entry.result)) return undefined;
  }
  return builder.build();
}
