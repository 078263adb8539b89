// Dataset files as Hugging Face and others publish them, read as a stream of records: JSON
// Lines (.jsonl, .ndjson), .json (an array, one document, or JSON Lines under a .json name),
// the same gzip-compressed (.jsonl.gz, .json.gz), parquet (hyparquet, row group by row group),
// and folders of them. What a record means is core's business (core/records.ts); this file
// only turns bytes into values and says where each came from.

import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { promisify } from "node:util";
import { jsonlRecords, readLines } from "../core/dataset";
import type { DatasetSource, SourceEntry, SourceRecord } from "../core/datasetSource";
import { BrrmError, CancelledError } from "../core/errors";
import { countNonBlankLinesIn, fileChunks } from "./jsonl";

export type { DatasetSource, SourceEntry, SourceRecord };

type Format = "jsonl" | "json" | "parquet";

/** The endings read, longest first so `.jsonl.gz` is not taken for `.gz` of something else. */
const FORMATS: { suffix: string; format: Format; gzip: boolean }[] = [
  { suffix: ".jsonl.gz", format: "jsonl", gzip: true },
  { suffix: ".ndjson.gz", format: "jsonl", gzip: true },
  { suffix: ".json.gz", format: "json", gzip: true },
  { suffix: ".jsonl", format: "jsonl", gzip: false },
  { suffix: ".ndjson", format: "jsonl", gzip: false },
  { suffix: ".json", format: "json", gzip: false },
  { suffix: ".parquet", format: "parquet", gzip: false },
];

/** The file endings a dataset may have, for file pickers and messages. */
export const DATASET_SUFFIXES = FORMATS.map((f) => f.suffix);
const SUFFIXES_TEXT = ".jsonl, .ndjson, .json, .jsonl.gz, .json.gz and .parquet";

interface DataFile {
  path: string;
  /** The name records carry: relative to the input folder, or the base name. */
  name: string;
  format: Format;
  gzip: boolean;
}

function formatOf(name: string): { format: Format; gzip: boolean } | undefined {
  const lower = name.toLowerCase();
  return FORMATS.find((f) => lower.endsWith(f.suffix));
}

export async function openDatasetSource(input: string, options: { include?: (relativePath: string) => boolean } = {}): Promise<DatasetSource> {
  const stat = await fs.promises.stat(input).catch((e: NodeJS.ErrnoException) => {
    if (e.code === "ENOENT") throw new BrrmError("FILE_NOT_FOUND", `Dataset not found: ${input}. Check the path.`, { cause: e });
    throw new BrrmError("FILE_UNREADABLE", `Cannot read the dataset ${input}: ${e.message}.`, { cause: e });
  });
  const files = stat.isDirectory() ? await folderFiles(input, options.include) : [singleFile(input)];
  return {
    files: files.map((f) => f.path),
    async count() {
      let n = 0;
      for (const f of files) n += await countRecords(f);
      return n;
    },
    async *records(signal) {
      for (const f of files) {
        for await (const entry of fileRecords(f)) {
          if (signal?.aborted) throw new CancelledError();
          yield entry;
        }
      }
    },
  };
}

function singleFile(file: string): DataFile {
  const format = formatOf(path.basename(file));
  if (!format)
    throw new BrrmError(
      "UNSUPPORTED_DATASET",
      `Cannot read ${file}: datasets are ${SUFFIXES_TEXT} files, or a folder of them. Convert it to JSON Lines (one JSON record per line, .jsonl).`,
    );
  return { path: file, name: path.basename(file), ...format };
}

/** A folder's dataset files, recursively, in sorted path order; hidden files and folders (.git, .cache) are not data. */
async function folderFiles(dir: string, include?: (relativePath: string) => boolean): Promise<DataFile[]> {
  const entries = await fs.promises.readdir(dir, { recursive: true, withFileTypes: true });
  const files: DataFile[] = [];
  let filtered = 0;
  for (const e of entries) {
    if (!e.isFile()) continue;
    const full = path.join(e.parentPath, e.name);
    const name = path.relative(dir, full).split(path.sep).join("/");
    if (name.split("/").some((part) => part.startsWith("."))) continue;
    const format = formatOf(e.name);
    if (!format) continue;
    if (include && !include(name)) {
      filtered++;
      continue;
    }
    files.push({ path: full, name, ...format });
  }
  if (files.length === 0)
    throw new BrrmError(
      "DATASET_EMPTY",
      filtered > 0
        ? `The folder ${dir} holds no dataset files to read (${filtered} left out, such as results files). Give a folder with the data, or one of its files.`
        : `The folder ${dir} holds no dataset files (${SUFFIXES_TEXT}). Give a folder with such files, or one of the files.`,
    );
  return files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

// ---------------------------------------------------------------- text files

const gunzip = promisify(zlib.gunzip);

function gzipError(file: string, e: unknown): BrrmError {
  return new BrrmError("DATASET_UNREADABLE", `${file} is not a readable gzip file (${(e as Error).message}). If it is not compressed, remove the .gz ending.`, { cause: e });
}

/** The file's bytes, decompressed when it is gzip, as a stream of chunks. */
async function* textChunks(file: DataFile): AsyncGenerator<Uint8Array> {
  const chunks = await fileChunks(file.path, "Dataset");
  if (!file.gzip) {
    yield* chunks;
    return;
  }
  const unzip = zlib.createGunzip();
  const source = chunks as fs.ReadStream;
  source.on("error", (e) => unzip.destroy(e));
  source.pipe(unzip);
  try {
    for await (const chunk of unzip) yield chunk as Buffer;
  } catch (e) {
    throw (e as NodeJS.ErrnoException).code?.startsWith("Z_") ? gzipError(file.path, e) : e;
  } finally {
    source.destroy();
  }
}

/** Why a whole file could not be read into memory, as a user can act on it. */
function wholeFileError(file: DataFile, e: unknown): BrrmError {
  const code = (e as NodeJS.ErrnoException).code ?? "";
  if (code.startsWith("Z_")) return gzipError(file.path, e);
  if (code === "ERR_FS_FILE_TOO_LARGE" || code === "ERR_STRING_TOO_LONG" || e instanceof RangeError)
    return new BrrmError("DATASET_TOO_BIG", `${file.path} is too big to read as one JSON document (${(e as Error).message}). Convert it to JSON Lines, which is read line by line.`, { cause: e });
  return new BrrmError("FILE_UNREADABLE", `Cannot read the dataset ${file.path}: ${(e as Error).message}.`, { cause: e });
}

/** The whole (decompressed) text, for a JSON array or document, which has to be parsed at once. */
async function wholeText(file: DataFile): Promise<string> {
  try {
    let bytes: Buffer = await fs.promises.readFile(file.path);
    if (file.gzip) bytes = await gunzip(bytes);
    return bytes.toString("utf8").replace(/^\uFEFF/, "");
  } catch (e) {
    throw wholeFileError(file, e);
  }
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return { ok: false, reason: `not valid JSON (${(e as Error).message})` };
  }
}

function jsonLines(file: DataFile): AsyncGenerator<SourceEntry> {
  return jsonlRecords(textChunks(file), file.name);
}

/**
 * How a .json file holds its records: an array (`[` first), JSON Lines (the first non-blank
 * line is a JSON value by itself), or else one document spread over lines.
 */
async function jsonLayout(file: DataFile): Promise<"array" | "lines" | "document"> {
  for await (const l of readLines(textChunks(file))) {
    if ("tooLong" in l) return "document";
    const text = l.text.trim();
    if (!text) continue;
    if (text.startsWith("[")) return "array";
    return parseJson(text).ok ? "lines" : "document";
  }
  return "lines";
}

/**
 * The records of a .json file that is one JSON text (an array's elements, or the document
 * itself), or undefined when it is JSON Lines. A broken array is one bad record, not one per
 * line; a broken multi-line document may be JSON Lines with a broken first line, and is read so.
 */
async function jsonDocument(file: DataFile): Promise<SourceEntry[] | undefined> {
  const layout = await jsonLayout(file);
  if (layout === "lines") return undefined;
  const parsed = parseJson(await wholeText(file));
  if (!parsed.ok) {
    if (layout === "document") return undefined;
    return [{ ok: false, file: file.name, index: 1, reason: `the file is ${parsed.reason}; fix it, or write one record per line (JSON Lines)` }];
  }
  const values = Array.isArray(parsed.value) ? parsed.value : [parsed.value];
  return values.map((value, i) => ({ ok: true, record: { value, file: file.name, index: i + 1 } }));
}

async function* jsonRecords(file: DataFile): AsyncGenerator<SourceEntry> {
  const document = await jsonDocument(file);
  if (document) yield* document;
  else yield* jsonLines(file);
}

// ---------------------------------------------------------------- parquet

type Hyparquet = typeof import("hyparquet", { with: { "resolution-mode": "import" } });
type FileMetaData = import("hyparquet", { with: { "resolution-mode": "import" } }).FileMetaData;

// hyparquet is ESM only; a dynamic import also keeps it out of runs that never read parquet.
const libraries = () => Promise.all([import("hyparquet") as Promise<Hyparquet>, import("hyparquet-compressors")]);

async function parquetFile(file: DataFile): Promise<{ metadata: FileMetaData; read: (rowStart: number, rowEnd: number) => Promise<Record<string, unknown>[]> }> {
  const [hyparquet, { compressors }] = await libraries();
  const unreadable = (e: unknown) => new BrrmError("DATASET_UNREADABLE", `${file.path} is not a readable parquet file (${(e as Error).message}).`, { cause: e });
  const buffer = await hyparquet.asyncBufferFromFile(file.path);
  const metadata = await hyparquet.parquetMetadataAsync(buffer).catch((e: unknown) => Promise.reject(unreadable(e)));
  return {
    metadata,
    read: (rowStart, rowEnd) => hyparquet.parquetReadObjects({ file: buffer, metadata, rowStart, rowEnd, compressors }).catch((e: unknown) => Promise.reject(unreadable(e))),
  };
}

/**
 * A parquet value as JSON would hold it: int64 comes as BigInt (a number when it fits exactly,
 * else its digits as text), timestamps as Date (ISO text), raw bytes as Uint8Array (an array of
 * byte values).
 */
export function jsonSafe(v: unknown): unknown {
  if (typeof v === "bigint") return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (v === undefined) return null;
  if (v === null || typeof v !== "object") return v;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (v instanceof Uint8Array) return Array.from(v);
  if (Array.isArray(v)) return v.map(jsonSafe);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = jsonSafe(x);
  return out;
}

async function* parquetRecords(file: DataFile): AsyncGenerator<SourceEntry> {
  const { metadata, read } = await parquetFile(file);
  let start = 0;
  for (const group of metadata.row_groups) {
    const end = start + Number(group.num_rows);
    const rows: (Record<string, unknown> | undefined)[] = await read(start, end);
    for (let i = 0; i < rows.length; i++) {
      const value = jsonSafe(rows[i]);
      // Drop each row once converted, so a large row group is freed as it is consumed.
      rows[i] = undefined;
      yield { ok: true, record: { value, file: file.name, index: start + i + 1 } };
    }
    start = end;
  }
}

// ---------------------------------------------------------------- per file

function fileRecords(file: DataFile): AsyncGenerator<SourceEntry> {
  if (file.format === "parquet") return parquetRecords(file);
  if (file.format === "json") return jsonRecords(file);
  return jsonLines(file);
}

async function countRecords(file: DataFile): Promise<number> {
  if (file.format === "parquet") return Number((await parquetFile(file)).metadata.num_rows);
  const document = file.format === "json" ? await jsonDocument(file) : undefined;
  return document ? document.length : countNonBlankLinesIn(textChunks(file));
}
