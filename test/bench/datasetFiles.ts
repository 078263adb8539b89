// Reading a public-dataset-sized file: 100k UltraFeedback-shaped records (prompt, chosen and
// rejected conversations, a messages copy of chosen, scores) as JSON Lines, as jsonl.gz and as
// parquet (10 row groups of 10k rows, snappy, the list<struct> layout Hugging Face publishes),
// each read end to end into pairs (openDatasetSource -> readDataset) in a fresh process, so
// every peak memory figure is that reader's own. The same files with a fifth of the records
// show whether memory grows with the file (it should not: it is bounded by a line, or by a
// parquet row group).

import * as fs from "node:fs";
import * as path from "node:path";
import { pipeline } from "node:stream/promises";
import * as zlib from "node:zlib";
import { REPO_ROOT, tempDir } from "../support/fixtures";
import { parquetFileWriter } from "../support/parquet";
import { runNode } from "./runNode";
import type { BenchSection } from "./index";
import { table } from "./report";

const RECORDS = 100_000;
const SMALL = RECORDS / 5;
const BATCH = 10_000;

/** Text that compresses like prose, not like a repeated filler: words drawn from a fixed list by a seeded generator. */
function prose(seed: number, words: number): string {
  const vocab = "the of and to in is that for it as was with be by on not he this are or his from at which but have an they you were her she there would their we him been has when who will more no if out so said what up its about into than them can only other new some could time these two may then do first any my now such like our over man me even most made after also did many before must through back years where much your way well down should because each just those people how too little state good very make world still own see men work long get here between both life being under never day same another know while last might us great old year off come since against go came right used take three".split(" ");
  let x = seed * 2654435761 + 1;
  const out: string[] = [];
  for (let i = 0; i < words; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out.push(vocab[x % vocab.length]);
  }
  return out.join(" ");
}

function ultraFeedbackRecord(i: number): Record<string, unknown> {
  const prompt = `${prose(i, 18)}?`;
  const chosen = [{ content: prompt, role: "user" }, { content: prose(i + 7, 70), role: "assistant" }];
  return { prompt, prompt_id: `${i.toString(16).padStart(64, "0")}`, chosen, rejected: [{ content: prompt, role: "user" }, { content: prose(i + 13, 70), role: "assistant" }], messages: chosen, score_chosen: 8, score_rejected: 4.5 };
}

const COLUMNS = { prompt: "string", prompt_id: "string", chosen: "messages", rejected: "messages", messages: "messages", score_chosen: "double", score_rejected: "double" } as const;

async function writeFiles(dir: string, records: number): Promise<{ jsonl: string; gz: string; parquet: string }> {
  fs.mkdirSync(dir, { recursive: true });
  const jsonl = path.join(dir, "train_prefs.jsonl");
  const gz = path.join(dir, "train_prefs.jsonl.gz");
  const parquet = path.join(dir, "train_prefs-00000-of-00001.parquet");
  const fd = fs.openSync(jsonl, "w");
  const writer = await parquetFileWriter(parquet, COLUMNS, { rowGroupSize: BATCH });
  for (let start = 0; start < records; start += BATCH) {
    const batch = Array.from({ length: BATCH }, (_, i) => ultraFeedbackRecord(start + i + 1));
    fs.writeSync(fd, `${batch.map((r) => JSON.stringify(r)).join("\n")}\n`);
    writer.write(batch);
  }
  fs.closeSync(fd);
  writer.finish();
  await pipeline(fs.createReadStream(jsonl), zlib.createGzip(), fs.createWriteStream(gz));
  return { jsonl, gz, parquet };
}

const READER = `
  const { readDataset } = require(${JSON.stringify(path.join(REPO_ROOT, "out/src/core/dataset.js"))});
  const { openDatasetSource } = require(${JSON.stringify(path.join(REPO_ROOT, "out/src/files/datasetFiles.js"))});
  const { peakRssMB } = require(${JSON.stringify(path.join(REPO_ROOT, "out/src/files/memory.js"))});
  (async () => {
    let t = performance.now();
    const source = await openDatasetSource(process.argv[1]);
    const count = await source.count();
    const countMs = performance.now() - t;
    t = performance.now();
    let pairs = 0, bad = 0;
    for await (const e of readDataset(source.records())) e.ok ? pairs++ : bad++;
    console.log(JSON.stringify({ count, countMs, pairs, bad, readMs: performance.now() - t, peakRssMB: peakRssMB() }));
  })();`;

interface ReadFigures {
  count: number;
  countMs: number;
  pairs: number;
  bad: number;
  readMs: number;
  peakRssMB: number;
}

export const datasetFilesBench: BenchSection = {
  name: `dataset files: reading ${RECORDS.toLocaleString("en-US")} UltraFeedback-shaped records from JSON Lines, jsonl.gz and parquet`,
  async run() {
    const dir = tempDir("brrm-bench-files-");
    const started = performance.now();
    const fileSets = { [RECORDS]: await writeFiles(path.join(dir, "full"), RECORDS), [SMALL]: await writeFiles(path.join(dir, "fifth"), SMALL) };
    console.log(`wrote the files in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    const baseline = await runNode(["-e", `console.log(JSON.stringify({ peakRssMB: require(${JSON.stringify(path.join(REPO_ROOT, "out/src/files/memory.js"))}).peakRssMB() }))`]);
    const rows: Record<string, string | number>[] = [{ file: "node, empty script", MB: "-", records: "-", "count s": "-", "read s": "-", "records/s": "-", "peak RSS MB": (JSON.parse(baseline.stdout) as { peakRssMB: number }).peakRssMB }];
    const figures: Record<string, ReadFigures> = {};
    const formats = ["JSON Lines", "jsonl.gz", "parquet, row groups of 10k"] as const;
    for (const records of [RECORDS, SMALL]) {
      const files = fileSets[records];
      for (const [what, file] of [
        [formats[0], files.jsonl],
        [formats[1], files.gz],
        [formats[2], files.parquet],
      ] as const) {
        const r = await runNode(["-e", READER, file]);
        if (r.code !== 0) throw new Error(`reading ${file} failed:\n${r.stderr}`);
        const f = (figures[`${what} ${records}`] = JSON.parse(r.stdout) as ReadFigures);
        if (f.pairs !== records || f.bad !== 0) throw new Error(`${what}: ${f.pairs} pairs and ${f.bad} bad records, expected ${records} pairs`);
        rows.push({ file: what, MB: fs.statSync(file).size / 1e6, records: f.count, "count s": f.countMs / 1000, "read s": f.readMs / 1000, "records/s": (f.pairs / f.readMs) * 1000, "peak RSS MB": f.peakRssMB });
      }
    }
    table(rows);
    const full = (what: string) => figures[`${what} ${RECORDS}`];
    const ratio = (what: string) => (full(what).readMs / full(formats[0]).readMs).toFixed(2);
    console.log(`read time relative to JSON Lines (${RECORDS.toLocaleString("en-US")} records): jsonl.gz ${ratio(formats[1])}x, parquet ${ratio(formats[2])}x`);
    const growth = formats.map((w) => `${w} ${(full(w).peakRssMB / figures[`${w} ${SMALL}`].peakRssMB).toFixed(2)}x`).join(", ");
    console.log(`peak memory, 5x the records (${RECORDS.toLocaleString("en-US")} vs ${SMALL.toLocaleString("en-US")}): ${growth} (flat is 1.00x)`);
  },
};
