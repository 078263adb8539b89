// Finished judgments of this window, by id, so a diagnostic's quick fix can reopen the panel on
// the judgment it came from. Bounded: diagnostics of old runs are long gone by then.

import type { FormState } from "../../media/src/protocol";
import type { Judgment } from "../core/judgment";
import type { PairSource } from "./pairSource";

export interface StoredJudgment {
  form: FormState;
  origin: string | null;
  label: 1 | 2 | null;
  judgment: Judgment;
  source?: PairSource;
}

const LIMIT = 200;

export class JudgmentStore {
  private readonly entries = new Map<string, StoredJudgment>();
  private next = 1;

  add(entry: StoredJudgment): string {
    const id = `j${this.next++}`;
    this.entries.set(id, entry);
    if (this.entries.size > LIMIT) this.entries.delete(this.entries.keys().next().value as string);
    return id;
  }

  get(id: string): StoredJudgment | undefined {
    return this.entries.get(id);
  }
}
