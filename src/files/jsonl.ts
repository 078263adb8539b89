// Reading JSONL files as streams for core's line readers, with errors a user can act on.

import * as fs from "node:fs";
import { BrrmError } from "../core/errors";

function fileError(file: string, what: string, e: NodeJS.ErrnoException): BrrmError {
  if (e.code === "ENOENT") return new BrrmError("FILE_NOT_FOUND", `${what} not found: ${file}. Check the path.`, { cause: e });
  if (e.code === "EISDIR") return new BrrmError("FILE_NOT_FOUND", `${what} ${file} is a folder; give a .jsonl file.`, { cause: e });
  return new BrrmError("FILE_UNREADABLE", `Cannot read ${what.toLowerCase()} ${file}: ${e.message}.`, { cause: e });
}

/** The file's bytes as a stream of chunks; a missing file fails here, before any work starts. */
export async function fileChunks(file: string, what = "File"): Promise<AsyncIterable<Uint8Array>> {
  const handle = await fs.promises.open(file, "r").catch((e: NodeJS.ErrnoException) => {
    throw fileError(file, what, e);
  });
  const stat = await handle.stat();
  if (stat.isDirectory()) {
    await handle.close();
    throw fileError(file, what, Object.assign(new Error("is a directory"), { code: "EISDIR" }));
  }
  return handle.createReadStream({ highWaterMark: 256 * 1024 });
}

const isBlankByte = (b: number) => b === 0x20 || b === 0x09 || b === 0x0d || b === 0x0a;

/**
 * Lines with any non-blank character: the size of a dataset for a progress bar. One pass over
 * the bytes, nothing kept; much faster than parsing.
 */
export async function countNonBlankLinesIn(chunks: AsyncIterable<Uint8Array>): Promise<number> {
  let lines = 0;
  let content = false;
  for await (const chunk of chunks) {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (b === 0x0a) {
        if (content) lines++;
        content = false;
      } else if (!content && !isBlankByte(b)) content = true;
    }
  }
  return content ? lines + 1 : lines;
}

export async function countNonBlankLines(file: string, what = "File"): Promise<number> {
  return countNonBlankLinesIn(await fileChunks(file, what));
}

/**
 * Bytes after the file's last newline: a line cut short by a crash mid-write (JSONL writers
 * always end a line with a newline). 0 when the file ends cleanly or is empty.
 */
export async function unterminatedTailBytes(file: string): Promise<number> {
  const handle = await fs.promises.open(file, "r");
  try {
    const { size } = await handle.stat();
    const buf = Buffer.alloc(64 * 1024);
    let end = size;
    while (end > 0) {
      const start = Math.max(0, end - buf.length);
      const { bytesRead } = await handle.read(buf, 0, end - start, start);
      const nl = buf.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (nl !== -1) return size - (start + nl + 1);
      end = start;
    }
    return size;
  } finally {
    await handle.close();
  }
}
