// The port a dataset reader needs: records as parsed values, each with where it came from.
// Core turns them into pairs; src/files reads them from disk (JSONL, JSON, gzip, parquet,
// folders), a notebook from its cells.

export interface SourceRecord {
  /** The record as parsed: a JSON value (object for every shape we read), or a parquet row as a plain object. */
  value: unknown;
  /** Where it came from: the path relative to the input folder, or the file's base name for a single file. */
  file: string;
  /** 1-based position in that file: the line number in JSONL, the element number in a JSON array, the row number in parquet. */
  index: number;
}

export type SourceEntry = { ok: true; record: SourceRecord } | { ok: false; file: string; index: number; reason: string };

export interface DatasetSource {
  /** The data files read, in reading order (a folder: its supported files, recursively, in sorted path order). */
  files: string[];
  /** An upper bound of the records, for progress bars, cheap (JSONL: non-blank lines; parquet: metadata row counts; JSON arrays: may need a pass). */
  count(): Promise<number>;
  /** The records, streamed: memory stays flat for JSONL, gz and parquet (row group by row group). */
  records(signal?: AbortSignal): AsyncGenerator<SourceEntry>;
}
