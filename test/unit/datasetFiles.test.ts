// Dataset files on disk, in the formats datasets are published in: JSON Lines, JSON arrays and
// documents, gzip, parquet (pyarrow's layout, several row groups), and folders of them.

import assert from "node:assert/strict";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { describe, it } from "node:test";
import { BrrmError, CancelledError } from "../../src/core/errors";
import { jsonSafe, openDatasetSource, type SourceEntry } from "../../src/files/datasetFiles";
import { tempDir } from "../support/fixtures";
import { writeParquet } from "../support/parquet";

const dir = tempDir("brrm-files-");
let n = 0;
/** A fresh file (or folder) path in the temp dir, with `name` as its base name. */
const fresh = (name: string) => {
  const d = path.join(dir, String(++n));
  fs.mkdirSync(d);
  return path.join(d, name);
};
const write = (name: string, content: string | Buffer) => {
  const f = fresh(name);
  fs.writeFileSync(f, content);
  return f;
};

async function readAll(input: string, include?: (p: string) => boolean): Promise<SourceEntry[]> {
  const source = await openDatasetSource(input, { include });
  const out: SourceEntry[] = [];
  for await (const e of source.records()) out.push(e);
  return out;
}
const values = (entries: SourceEntry[]) => entries.map((e) => (e.ok ? e.record.value : { bad: e.index, reason: e.reason }));
const places = (entries: SourceEntry[]) => entries.map((e) => (e.ok ? `${e.record.file}:${e.record.index}` : `${e.file}:${e.index}!`));

async function rejects(p: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof BrrmError, `expected a BrrmError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.match(e.message, message);
    return true;
  });
}

/** Enough incompressible lines that gzip output spans many read chunks. */
function noisyLines(count: number): string[] {
  return Array.from({ length: count }, (_, i) => JSON.stringify({ id: i + 1, prompt: crypto.randomBytes(600).toString("base64") }));
}

const UF_COLUMNS = { prompt: "string", prompt_id: "string", chosen: "messages", rejected: "messages", messages: "messages", score_chosen: "double", score_rejected: "double" } as const;
function ultraFeedbackRow(i: number) {
  const prompt = `Question ${i}?`;
  const chosen = [{ content: prompt, role: "user" }, { content: `Good answer ${i}.`, role: "assistant" }];
  return { prompt, prompt_id: `p${i}`, chosen, rejected: [{ content: prompt, role: "user" }, { content: `Bad answer ${i}.`, role: "assistant" }], messages: chosen, score_chosen: 8.5, score_rejected: 3 };
}

describe("dataset files", () => {
  it("JSON Lines: BOM, CRLF and blank lines; a broken line is one bad entry with its line number; count is the non-blank lines", async () => {
    const f = write("pairs.jsonl", `\uFEFF{"a":1}\r\n\r\n{"a":2}\n{broken\n   \n{"a":3}`);
    const source = await openDatasetSource(f);
    assert.deepEqual(source.files, [f]);
    assert.equal(await source.count(), 4);
    const entries = await readAll(f);
    assert.deepEqual(places(entries), ["pairs.jsonl:1", "pairs.jsonl:3", "pairs.jsonl:4!", "pairs.jsonl:6"]);
    assert.deepEqual(values(entries).filter((v) => !("bad" in (v as object))), [{ a: 1 }, { a: 2 }, { a: 3 }]);
    assert.match((entries[2] as { reason: string }).reason, /not valid JSON/);
    assert.deepEqual(places(await readAll(write("pairs.ndjson", '{"a":1}\n'))), ["pairs.ndjson:1"]);
  });

  it(".json: a pretty-printed array is its elements (not one bad line), JSON Lines under a .json name, one document, a broken array", async () => {
    const array = write("data.json", JSON.stringify([{ id: 1, prompt: "p" }, { id: 2, prompt: "q" }, 7], null, 2));
    assert.deepEqual(values(await readAll(array)), [{ id: 1, prompt: "p" }, { id: 2, prompt: "q" }, 7]);
    assert.deepEqual(places(await readAll(array)), ["data.json:1", "data.json:2", "data.json:3"]);
    assert.equal(await (await openDatasetSource(array)).count(), 3);

    const lines = write("lines.json", '{"id":1}\n\n{"id":2}\n');
    assert.deepEqual(places(await readAll(lines)), ["lines.json:1", "lines.json:3"]);
    assert.equal(await (await openDatasetSource(lines)).count(), 2);

    const doc = write("one.json", JSON.stringify({ prompt: "p", response1: "a", response2: "b" }, null, 2));
    assert.deepEqual(values(await readAll(doc)), [{ prompt: "p", response1: "a", response2: "b" }]);

    const broken = write("broken.json", '[\n  {"id": 1},\n  {"id": 2\n]');
    const entries = await readAll(broken);
    assert.equal(entries.length, 1);
    assert.ok(!entries[0].ok);
    assert.match(entries[0].reason, /not valid JSON.*JSON Lines/);
  });

  it("gzip: .jsonl.gz (also several gzip members) and .json.gz arrays", async () => {
    const gz = write("train.jsonl.gz", Buffer.concat([zlib.gzipSync('{"id":1}\n{"id":2}\n'), zlib.gzipSync('{"id":3}\n')]));
    assert.deepEqual(values(await readAll(gz)), [{ id: 1 }, { id: 2 }, { id: 3 }]);
    assert.equal(await (await openDatasetSource(gz)).count(), 3);
    const arr = write("test.json.gz", zlib.gzipSync(JSON.stringify([{ id: "a" }, { id: "b" }])));
    assert.deepEqual(values(await readAll(arr)), [{ id: "a" }, { id: "b" }]);
  });

  it("gzip is streamed: the records before a cut-off end come out, then an error naming the file", async () => {
    const lines = noisyLines(3000);
    const full = zlib.gzipSync(`${lines.join("\n")}\n`);
    assert.ok(full.length > 1_000_000, "spans several read chunks");
    const gz = write("cut.jsonl.gz", full.subarray(0, Math.floor(full.length * 0.7)));
    const got: SourceEntry[] = [];
    await rejects(
      (async () => {
        for await (const e of (await openDatasetSource(gz)).records()) got.push(e);
      })(),
      "DATASET_UNREADABLE",
      /cut\.jsonl\.gz is not a readable gzip file \(unexpected end of file\)/,
    );
    assert.ok(got.length > 1000 && got.length < 3000, `${got.length} records before the error`);
    assert.deepEqual(got[0].ok && got[0].record.value, JSON.parse(lines[0]));
    await rejects(readAll(write("plain.jsonl.gz", '{"id":1}\n')), "DATASET_UNREADABLE", /not a readable gzip file.*remove the \.gz ending/);
  });

  it("parquet as published: list<struct> conversations, INT64 ids as numbers (or text past 2^53), several row groups in order", async () => {
    const f = fresh("train-00000-of-00001.parquet");
    const rows = [1, 2, 3, 4, 5].map(ultraFeedbackRow);
    await writeParquet(f, UF_COLUMNS, rows, { rowGroupSize: 2 });
    const source = await openDatasetSource(f);
    assert.equal(await source.count(), 5);
    const entries = await readAll(f);
    assert.deepEqual(places(entries), [1, 2, 3, 4, 5].map((i) => `train-00000-of-00001.parquet:${i}`));
    assert.deepEqual(values(entries), rows);

    const rb = fresh("filtered.parquet");
    const rbColumns = { prompt: "string", chosen: "string", chosen_model: "string", rejected: "string", rejected_model: "string", subset: "string", id: "int64" } as const;
    await writeParquet(rb, rbColumns, [
      { prompt: "p", chosen: "c", chosen_model: "m1", rejected: "r", rejected_model: "m2", subset: "alpacaeval-easy", id: 30 },
      { prompt: "p", chosen: "c", chosen_model: "m1", rejected: "r", rejected_model: "m2", subset: "hep-go", id: 9007199254740993n },
    ], { codec: "GZIP" });
    const ids = values(await readAll(rb)).map((v) => (v as { id: unknown }).id);
    assert.deepEqual(ids, [30, "9007199254740993"]);
    assert.equal(JSON.stringify(values(await readAll(rb))).includes("null"), false, "every value came through");
  });

  it("parquet is read row group by row group: rows before a damaged row group come out, then an error naming the file", async () => {
    const f = fresh("damaged.parquet");
    await writeParquet(f, UF_COLUMNS, Array.from({ length: 30 }, (_, i) => ultraFeedbackRow(i + 1)), { rowGroupSize: 10, codec: "UNCOMPRESSED" });
    const hyparquet = await import("hyparquet");
    const bytes = fs.readFileSync(f);
    const metadata = hyparquet.parquetMetadata(bytes);
    const last = metadata.row_groups[2].columns[0].meta_data!;
    const start = Number(last.dictionary_page_offset ?? last.data_page_offset);
    bytes.fill(0xff, start, start + 64);
    fs.writeFileSync(f, bytes);
    const got: SourceEntry[] = [];
    await rejects(
      (async () => {
        for await (const e of (await openDatasetSource(f)).records()) got.push(e);
      })(),
      "DATASET_UNREADABLE",
      /damaged\.parquet is not a readable parquet file/,
    );
    assert.deepEqual(got.length, 20);
    await rejects(openDatasetSource(write("fake.parquet", "not parquet at all")).then((s) => s.count()), "DATASET_UNREADABLE", /fake\.parquet is not a readable parquet file/);
  });

  it("a folder: its dataset files recursively in sorted path order, hidden folders and other files left out, include filters", async () => {
    const root = fresh("hub-snapshot");
    fs.mkdirSync(path.join(root, "data"), { recursive: true });
    fs.mkdirSync(path.join(root, ".cache", "huggingface"), { recursive: true });
    await writeParquet(path.join(root, "data", "train-00001-of-00002.parquet"), UF_COLUMNS, [ultraFeedbackRow(3)]);
    await writeParquet(path.join(root, "data", "train-00000-of-00002.parquet"), UF_COLUMNS, [ultraFeedbackRow(1), ultraFeedbackRow(2)]);
    fs.writeFileSync(path.join(root, "extra.jsonl.gz"), zlib.gzipSync('{"id":"x"}\n'));
    fs.writeFileSync(path.join(root, "README.md"), "# card\n");
    fs.writeFileSync(path.join(root, ".cache", "huggingface", "x.jsonl"), '{"hidden":true}\n');
    fs.writeFileSync(path.join(root, "old.results.jsonl"), '{"key":"line:1"}\n');
    const include = (p: string) => !p.endsWith(".results.jsonl");
    const source = await openDatasetSource(root, { include });
    assert.deepEqual(source.files.map((f) => path.relative(root, f)), [path.join("data", "train-00000-of-00002.parquet"), path.join("data", "train-00001-of-00002.parquet"), "extra.jsonl.gz"]);
    assert.equal(await source.count(), 4);
    assert.deepEqual(places(await readAll(root, include)), ["data/train-00000-of-00002.parquet:1", "data/train-00000-of-00002.parquet:2", "data/train-00001-of-00002.parquet:1", "extra.jsonl.gz:1"]);
  });

  it("fails at once, naming the path and the fix: a missing path, an empty folder, a folder of other files, an unsupported file", async () => {
    await rejects(openDatasetSource(path.join(dir, "nope.jsonl")), "FILE_NOT_FOUND", /Dataset not found: .*nope\.jsonl\. Check the path/);
    const empty = fresh("empty");
    fs.mkdirSync(empty);
    await rejects(openDatasetSource(empty), "DATASET_EMPTY", /holds no dataset files \(\.jsonl, .*\.parquet\)/);
    fs.writeFileSync(path.join(empty, "a.results.jsonl"), "{}\n");
    await rejects(openDatasetSource(empty, { include: (p) => !p.endsWith(".results.jsonl") }), "DATASET_EMPTY", /1 left out/);
    await rejects(openDatasetSource(write("pairs.csv", "a,b\n")), "UNSUPPORTED_DATASET", /pairs\.csv: datasets are \.jsonl, .*\.parquet files, or a folder of them\. Convert it to JSON Lines/);
  });

  it("stops with a cancellation when the signal is aborted", async () => {
    const f = write("many.jsonl", `${noisyLines(50).join("\n")}\n`);
    const controller = new AbortController();
    const got: SourceEntry[] = [];
    await assert.rejects(
      (async () => {
        for await (const e of (await openDatasetSource(f)).records(controller.signal)) {
          got.push(e);
          if (got.length === 3) controller.abort();
        }
      })(),
      CancelledError,
    );
    assert.equal(got.length, 3);
  });

  it("parquet values come out JSON-safe", () => {
    assert.deepEqual(jsonSafe({ a: 5n, b: -(2n ** 60n), c: new Date(Date.UTC(2024, 0, 2)), d: new Uint8Array([1, 2]), e: [undefined, { f: 1n }] }), {
      a: 5,
      b: "-1152921504606846976",
      c: "2024-01-02T00:00:00.000Z",
      d: [1, 2],
      e: [null, { f: 1 }],
    });
  });
});
