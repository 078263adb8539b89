// `npm run bench`: speed figures measured side by side in one run (never in a timed test).
//   npm run bench                 every section
//   npm run bench -- engine       only the sections whose name contains "engine"

import { benchmarkBench } from "./benchmark";
import { datasetBench } from "./dataset";
import { datasetFilesBench } from "./datasetFiles";
import { endpointBench, endpointConcurrencyBench } from "./endpoint";
import { engineBench } from "./engine";
import { loadBench } from "./load";

export interface BenchSection {
  name: string;
  run(): Promise<void>;
}

const SECTIONS: BenchSection[] = [engineBench, endpointBench, endpointConcurrencyBench, datasetBench, datasetFilesBench, benchmarkBench, loadBench];

async function main(): Promise<void> {
  const filters = process.argv.slice(2);
  const chosen = SECTIONS.filter((s) => filters.length === 0 || filters.some((f) => s.name.includes(f)));
  if (chosen.length === 0) throw new Error(`No bench section matches ${filters.join(", ")}; sections: ${SECTIONS.map((s) => s.name).join(", ")}.`);
  for (const section of chosen) {
    console.log(`\n## ${section.name}`);
    await section.run();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
