import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { pipeline } from "node:stream/promises";
import * as zlib from "node:zlib";
import { describe, it } from "node:test";
import {
  majority,
  orderResult,
  jsonlRecords,
  parseResultLine,
  readDataset,
  readLines,
  resultLine,
  seededOrder,
  shownPair,
  toRecordSide,
  type DatasetEntry,
  type Line,
} from "../../src/core/dataset";
import type { SourceEntry } from "../../src/core/datasetSource";
import { scanResults, ResultsWriter } from "../../src/files/resultsFile";
import { REPO_ROOT, tempDir } from "../support/fixtures";
import { judgmentOf, resultOf } from "../support/judgments";
import { writeParquet } from "../support/parquet";

async function* chunks(...parts: (string | Uint8Array)[]): AsyncGenerator<string | Uint8Array> {
  for (const p of parts) yield p;
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const entries = (text: string, orderSeed?: number) => collect(readDataset(jsonlRecords(chunks(text), "pairs.jsonl"), { orderSeed }));

describe("dataset: lines", () => {
  it("splits across chunks, accepts CRLF and a BOM, numbers blank lines, keeps a last line without newline", async () => {
    const lines = await collect(readLines(chunks("\uFEFFa", "b\r\n\nc\n", "d")));
    assert.deepEqual(lines, [
      { line: 1, text: "ab" },
      { line: 2, text: "" },
      { line: 3, text: "c" },
      { line: 4, text: "d" },
    ]);
  });

  it("decodes UTF-8 split in the middle of a character", async () => {
    const bytes = new TextEncoder().encode("é€😀\nx\n");
    const parts = Array.from(bytes, (b) => new Uint8Array([b]));
    const lines = await collect(readLines(chunks(...parts)));
    assert.deepEqual(lines, [{ line: 1, text: "é€😀" }, { line: 2, text: "x" }]);
  });

  it("reports a line over the length limit without holding it, and goes on", async () => {
    const long = "x".repeat(50);
    const lines: Line[] = await collect(readLines(chunks("ok\n", long.slice(0, 20), long.slice(20), "\nafter\n", long), 30));
    assert.deepEqual(lines, [{ line: 1, text: "ok" }, { line: 2, tooLong: 50 }, { line: 3, text: "after" }, { line: 4, tooLong: 50 }]);
  });
});

describe("dataset: records", () => {
  it("reads every shape, carries id and other fields, skips blank lines, reports bad lines by number", async () => {
    const text = [
      JSON.stringify({ id: "a", prompt: "p", response1: "x", response2: "y", label: 2, source: "s", tags: [1] }),
      "",
      JSON.stringify({ prompt: "p", chosen: "good", rejected: "bad" }),
      "{not json",
      JSON.stringify({ question: "q", response_a: "x", response_b: "y", winner: "model_a", id: 7 }),
      JSON.stringify({ messages: [{ role: "user", content: "hi" }], response1: "x", response2: "y" }),
      JSON.stringify({ prompt: "p", response1: "x" }),
      JSON.stringify({ prompt: "p", response1: "x", response2: "" }),
      JSON.stringify({ id: "a", prompt: "p2", response1: "x", response2: "y" }),
      "[1,2]",
    ].join("\n");
    const got = await entries(text);
    const ok = got.filter((e): e is Extract<DatasetEntry, { ok: true }> => e.ok).map((e) => e.pair);
    const bad = got.filter((e): e is Extract<DatasetEntry, { ok: false }> => !e.ok);
    assert.deepEqual(ok.map((p) => [p.key, p.line, p.record.label]), [["id:a", 1, 2], ["line:3", 3, 1], ["id:7", 5, 1], ["line:6", 6, null]]);
    assert.deepEqual(ok[0].fields, { source: "s", tags: [1] });
    assert.deepEqual(ok[2].fields, {});
    assert.equal(ok[1].record.preference, true);
    assert.deepEqual(ok[3].record.prompt, [{ role: "user", content: "hi" }]);
    assert.deepEqual(bad.map((b) => b.line), [4, 7, 8, 9, 10]);
    assert.match(bad[0].reason, /not valid JSON/);
    assert.match(bad[1].reason, /missing "response2"/);
    assert.match(bad[2].reason, /"response2" is empty/);
    assert.match(bad[3].reason, /duplicate id "a" \(first on line 1\)/);
    assert.match(bad[4].reason, /expected a JSON object/);
  });

  it("records of a folder: keys and bad records name the file, so ids and lines may repeat across files; --map applies to every record", async () => {
    async function* source(): AsyncGenerator<SourceEntry> {
      yield { ok: true, record: { value: { uid: "1", q: "p", a: "x", b: "y", w: "tie" }, file: "a/train.jsonl", index: 1 } };
      yield { ok: true, record: { value: { uid: "1", q: "p", a: "x", b: "y", w: "B" }, file: "b/test.parquet", index: 1 } };
      yield { ok: true, record: { value: { q: "p", a: "x", b: "y" }, file: "b/test.parquet", index: 2 } };
      yield { ok: false, file: "c.json", index: 1, reason: "not valid JSON (Unexpected token)" };
      yield { ok: true, record: { value: { uid: "1", q: "p", a: "x", b: "y" }, file: "b/test.parquet", index: 3 } };
    }
    const got = await collect(readDataset(source(), { folder: true, map: { prompt: "q", response1: "a", response2: "b", label: "w", id: "uid" } }));
    const ok = got.filter((e): e is Extract<DatasetEntry, { ok: true }> => e.ok).map((e) => e.pair);
    assert.deepEqual(ok.map((p) => [p.key, p.file, p.line, p.record.label]), [["a/train.jsonl:id:1", "a/train.jsonl", 1, "tie"], ["b/test.parquet:id:1", "b/test.parquet", 1, 2], ["b/test.parquet:line:2", "b/test.parquet", 2, null]]);
    const bad = got.filter((e): e is Extract<DatasetEntry, { ok: false }> => !e.ok);
    assert.deepEqual(bad.map((b) => [b.file, b.line]), [["c.json", 1], ["b/test.parquet", 3]]);
    assert.match(bad[1].reason, /duplicate id "1" \(first on b\/test\.parquet:1\)/);
    assert.deepEqual(ok[0].fields, {}, "mapped fields are not carried");
  });

  it("shows preference pairs in a seeded order that depends only on the seed and the key", async () => {
    const lines = Array.from({ length: 400 }, (_, i) => JSON.stringify({ id: `k${i}`, prompt: "p", chosen: "c", rejected: "r" })).join("\n");
    const orders = async (seed: number) => (await entries(lines, seed)).map((e) => (e.ok ? e.pair.order : "?"));
    const a = await orders(1);
    assert.deepEqual(await orders(1), a, "same seed, same orders");
    const swapped = a.filter((o) => o === "BA").length;
    assert.ok(swapped > 150 && swapped < 250, `about half swapped, got ${swapped} of 400`);
    const b = await orders(2);
    assert.ok(a.some((o, i) => o !== b[i]), "another seed gives other orders");
    assert.equal(seededOrder("k5", 1), a[5], "the order of a pair does not depend on its neighbours");
    // Non-preference pairs keep the order they were written in.
    const plain = await entries(JSON.stringify({ prompt: "p", response1: "x", response2: "y" }), 1);
    assert.ok(plain[0].ok && plain[0].pair.order === "AB");
  });

  it("maps verdicts between the shown order and the record's", () => {
    const record = { prompt: "p", responses: ["A", "B"] as [string, string], label: 1 as const, preference: true };
    assert.deepEqual(shownPair(record, "AB"), { prompt: "p", response1: "A", response2: "B" });
    assert.deepEqual(shownPair(record, "BA"), { prompt: "p", response1: "B", response2: "A" });
    assert.deepEqual([toRecordSide(1, "BA"), toRecordSide(2, "BA"), toRecordSide(1, "AB"), toRecordSide(null, "BA")], [2, 1, 1, null]);
  });
});

describe("dataset: a pair file saved by a BR-RM notebook", () => {
  it("reads its pairs, skips its Markdown notes (not bad lines), and keeps saved judgments out of the carried fields", async () => {
    const text = [
      JSON.stringify({ brrm_markdown: "# Notes about this set" }),
      JSON.stringify({ id: "a", prompt: "p", response1: "x", response2: "y", topic: "math", brrm: { pairHash: "h", result: {} } }),
    ].join("\n");
    const read = await entries(text);
    assert.equal(read.length, 1);
    assert.ok(read[0].ok);
    assert.deepEqual(read[0].pair.fields, { topic: "math" });
    assert.equal(read[0].pair.line, 2);
  });
});

describe("dataset: votes and results", () => {
  it("majority vote keeps the split; an even split decides nothing", () => {
    const o = orderResult("BA", [1, 1, 2, null].map((v) => ({ judgment: judgmentOf(v as 1 | 2 | null), cached: false })));
    // Shown as BA: a shown verdict 1 is the record's response 2.
    assert.deepEqual(o.votes, { response1: 1, response2: 2, none: 1 });
    assert.equal(o.preferred, 2);
    assert.equal(majority({ response1: 2, response2: 2, none: 0 }), null);
  });

  it("swap: agreeing orders decide, disagreeing ones are an inconsistent tie, a missing verdict is neither", () => {
    const agree = resultOf({ label: 1 }, [["AB", [1]], ["BA", [2]]]);
    assert.deepEqual([agree.preferred, agree.consistent, agree.correct], [1, true, true]);
    const disagree = resultOf({ label: 1 }, [["AB", [1]], ["BA", [1]]]);
    assert.deepEqual([disagree.preferred, disagree.consistent, disagree.correct], [null, false, false]);
    const missing = resultOf({ label: 2 }, [["AB", [2]], ["BA", [null]]]);
    assert.deepEqual([missing.preferred, missing.consistent, missing.correct], [null, null, false]);
    const single = resultOf({}, [["BA", [1]]]);
    assert.deepEqual([single.preferred, single.consistent, single.correct], [2, null, null]);
  });

  it("result lines round-trip, and lines that are not results say why", () => {
    const r = resultOf({ key: "id:x", label: 2 }, [["AB", [2, 2, 1]]]);
    const back = parseResultLine(resultLine(r).trimEnd());
    assert.ok(back.ok);
    assert.deepEqual(back.result, r);
    assert.match((parseResultLine("{") as { reason: string }).reason, /not valid JSON/);
    assert.match((parseResultLine('{"a":1}') as { reason: string }).reason, /not a brrm results line/);
    assert.match((parseResultLine('{"key":"k","line":1,"orders":[{"order":"XY"}]}') as { reason: string }).reason, /not an order result/);
  });
});

describe("dataset: results file", () => {
  const dir = tempDir();

  it("concurrent appends never interleave; a resume scan finds every key and a cut-short last line", async () => {
    const file = path.join(dir, "results.jsonl");
    const writer = await ResultsWriter.open(file, { command: "dataset test" });
    const big = "y".repeat(200_000); // several write() calls per line if the writes were not queued
    await Promise.all(Array.from({ length: 40 }, (_, i) => writer.append(resultOf({ key: `id:${i}`, responses: [big, "b"] }, [["AB", [1]]]))));
    await writer.close();
    fs.appendFileSync(file, '{"key":"id:cut","li');
    const scan = await scanResults(file);
    assert.equal(scan.done.size, 40);
    assert.equal(scan.unreadable, 0);
    assert.equal(scan.partialTailBytes, Buffer.byteLength('{"key":"id:cut","li'));
    const again = await ResultsWriter.open(file, { truncateTo: fs.statSync(file).size - scan.partialTailBytes, command: "dataset test" });
    await again.append(resultOf({ key: "id:40" }, [["AB", [2]]]));
    await again.close();
    const lines = fs.readFileSync(file, "utf8").trimEnd().split("\n");
    assert.equal(lines.length, 41);
    assert.ok(lines.every((l) => parseResultLine(l).ok));
  });

  it("reads 100k records in bounded memory from JSON Lines, gzip and parquet: a 48 MB heap reads 110 MB of records", async () => {
    const file = path.join(dir, "big.jsonl");
    const filler = "z".repeat(1000);
    const out = fs.openSync(file, "w");
    const rows: string[] = [];
    const records: Record<string, unknown>[] = [];
    for (let i = 1; i <= 100_000; i++) {
      const record = { id: `p${i}`, prompt: `q${i} ${filler}`, chosen: "yes", rejected: "no", n: i };
      records.push(record);
      rows.push(i % 10_000 === 0 ? "{broken" : JSON.stringify(record));
      if (rows.length === 5000) {
        fs.writeSync(out, `${rows.join("\n")}\n`);
        rows.length = 0;
      }
    }
    fs.closeSync(out);
    assert.ok(fs.statSync(file).size > 100e6);
    const gz = path.join(dir, "big.jsonl.gz");
    await pipeline(fs.createReadStream(file), zlib.createGzip(), fs.createWriteStream(gz));
    const parquet = path.join(dir, "big.parquet");
    await writeParquet(parquet, { id: "string", prompt: "string", chosen: "string", rejected: "string", n: "int64" }, records, { rowGroupSize: 10_000 });
    records.length = 0;
    // A child with a heap far smaller than the records: reading them whole would abort with "heap out of memory".
    const script = `
      const { readDataset } = require(${JSON.stringify(path.join(REPO_ROOT, "out/src/core/dataset.js"))});
      const { openDatasetSource } = require(${JSON.stringify(path.join(REPO_ROOT, "out/src/files/datasetFiles.js"))});
      const { peakRssMB } = require(${JSON.stringify(path.join(REPO_ROOT, "out/src/files/memory.js"))});
      (async () => {
        let pairs = 0, lastLine = 0; const bad = [];
        for await (const e of readDataset((await openDatasetSource(process.argv[1])).records())) {
          if (e.ok) { pairs++; lastLine = e.pair.line; } else bad.push(e.line);
        }
        console.log(JSON.stringify({ pairs, bad, lastLine, maxRssMB: peakRssMB() }));
      })();`;
    const read = (f: string) => {
      const r = spawnSync(process.execPath, ["--max-old-space-size=48", "-e", script, f], { encoding: "utf8", timeout: 300_000 });
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout) as { pairs: number; bad: number[]; lastLine: number; maxRssMB: number };
    };
    const tenThousands = [10_000, 20_000, 30_000, 40_000, 50_000, 60_000, 70_000, 80_000, 90_000, 100_000];
    for (const f of [file, gz]) {
      const got = read(f);
      assert.deepEqual([got.pairs, got.bad, got.lastLine], [99_990, tenThousands, 99_999], f);
      assert.ok(got.maxRssMB < 150, `${path.basename(f)}: peak RSS ${got.maxRssMB.toFixed(0)} MB`);
    }
    const got = read(parquet);
    assert.deepEqual([got.pairs, got.bad, got.lastLine], [100_000, [], 100_000]);
    assert.ok(got.maxRssMB < 200, `big.parquet: peak RSS ${got.maxRssMB.toFixed(0)} MB`);
  });
});
