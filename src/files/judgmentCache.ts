// The result cache on disk: one small JSON file per judgment, named by its key, in 256
// sub-folders. Chosen over one append-only file because the CLI and the extension may share the
// cache at the same time (a write is a rename, atomic, so readers never see half an entry),
// and nothing has to be loaded or indexed up front: a lookup is one file read, however big the
// cache has grown. Deleting the folder (or any part of it) is always safe.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Judgment } from "../core/judgment";
import type { JudgmentCache } from "../core/resultCache";

const FORMAT = 1;

export function defaultCacheDir(): string {
  return process.env.BRRM_CACHE_DIR ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "brrm-judge", "judgments");
}

export class DirectoryJudgmentCache implements JudgmentCache {
  constructor(readonly dir: string) {}

  private file(key: string): string {
    if (!/^[0-9a-f]{16,}$/.test(key)) throw new Error(`Not a cache key: ${key}`);
    return path.join(this.dir, key.slice(0, 2), `${key}.json`);
  }

  async get(key: string): Promise<Judgment | undefined> {
    const file = this.file(key);
    let text: string;
    try {
      text = await fs.promises.readFile(file, "utf8");
    } catch {
      return undefined;
    }
    try {
      const entry = JSON.parse(text) as { format?: unknown; judgment?: unknown };
      // An entry from another format version, or damaged by hand, is a miss, never an error.
      if (entry.format !== FORMAT || typeof entry.judgment !== "object" || entry.judgment === null) return undefined;
      return entry.judgment as Judgment;
    } catch {
      return undefined;
    }
  }

  async put(key: string, judgment: Judgment): Promise<void> {
    const file = this.file(key);
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      await fs.promises.writeFile(tmp, JSON.stringify({ format: FORMAT, judgment }));
      await fs.promises.rename(tmp, file);
    } catch (e) {
      await fs.promises.rm(tmp, { force: true });
      throw e;
    }
  }
}
