// Parquet files as Hugging Face publishes them (written by pyarrow): strings as UTF8 byte
// arrays, ids as INT64, scores as DOUBLE, and conversations as
// list<struct<content: string, role: string>> in the three-level LIST layout.

import * as zlib from "node:zlib";

type Writer = typeof import("hyparquet-writer", { with: { "resolution-mode": "import" } });
type SchemaElement = import("hyparquet-writer", { with: { "resolution-mode": "import" } }).SchemaElement;

/** Column types by the names the dataset cards use. */
export type ColumnType = "string" | "int64" | "int32" | "double" | "bool" | "messages" | "strings";

function schemaOf(name: string, type: ColumnType): SchemaElement[] {
  const optional = "OPTIONAL" as const;
  switch (type) {
    case "string":
      return [{ name, type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: optional }];
    case "int64":
      return [{ name, type: "INT64", repetition_type: optional }];
    case "int32":
      return [{ name, type: "INT32", repetition_type: optional }];
    case "double":
      return [{ name, type: "DOUBLE", repetition_type: optional }];
    case "bool":
      return [{ name, type: "BOOLEAN", repetition_type: optional }];
    case "strings":
      return [
        { name, repetition_type: optional, converted_type: "LIST", num_children: 1 },
        { name: "list", repetition_type: "REPEATED", num_children: 1 },
        { name: "element", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: optional },
      ];
    case "messages":
      return [
        { name, repetition_type: optional, converted_type: "LIST", num_children: 1 },
        { name: "list", repetition_type: "REPEATED", num_children: 1 },
        { name: "element", repetition_type: optional, num_children: 2 },
        { name: "content", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: optional },
        { name: "role", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: optional },
      ];
  }
}

export interface ParquetOptions {
  /** Rows per row group (default 100,000). */
  rowGroupSize?: number;
  codec?: "SNAPPY" | "GZIP" | "UNCOMPRESSED";
}

/**
 * A parquet file written in batches of rows (plain objects), so a large file never has all its
 * rows in memory. Integers for an INT64 column may be numbers or BigInts.
 */
export async function parquetFileWriter(file: string, columns: Record<string, ColumnType>, options: ParquetOptions = {}): Promise<{ write(rows: Record<string, unknown>[]): void; finish(): void }> {
  const lib = (await import("hyparquet-writer")) as Writer;
  const names = Object.keys(columns);
  const writer = new lib.ParquetWriter({
    writer: lib.fileWriter(file),
    schema: [{ name: "root", num_children: names.length }, ...names.flatMap((n) => schemaOf(n, columns[n]))],
    codec: options.codec ?? "SNAPPY",
    compressors: { GZIP: (input: Uint8Array) => zlib.gzipSync(input) },
  });
  return {
    write(rows) {
      const columnData = names.map((name) => ({
        name,
        data: rows.map((r) => {
          const v = r[name];
          return columns[name] === "int64" && typeof v === "number" ? BigInt(v) : (v ?? null);
        }),
      }));
      void writer.write({ columnData, rowGroupSize: options.rowGroupSize ?? 100_000 });
    },
    finish: () => void writer.finish(),
  };
}

/** Writes `rows` as a parquet file with the given column types. */
export async function writeParquet(file: string, columns: Record<string, ColumnType>, rows: Record<string, unknown>[], options: ParquetOptions = {}): Promise<void> {
  const writer = await parquetFileWriter(file, columns, options);
  writer.write(rows);
  writer.finish();
}
