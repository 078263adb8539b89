// Streamed text -> thought and answer pieces, for servers that leave `<think>` blocks inline in
// the content. Tags arrive split over chunks ("</", "t", "h", "ink", ">" from llama-server), so a
// piece that may be the start of a tag is held back until the next chunk decides it.

import type { ChunkKind } from "../core/backend";

export interface ThinkPiece {
  kind: ChunkKind;
  text: string;
}

const OPEN = "<think>";
const CLOSE = "</think>";

/** Length of the longest suffix of `text` that is a proper prefix of `tag`. */
function partialTagAtEnd(text: string, tag: string): number {
  for (let n = Math.min(tag.length - 1, text.length); n > 0; n--) if (text.endsWith(tag.slice(0, n))) return n;
  return 0;
}

export class InlineThinkSplitter {
  private inThink = false;
  private held = "";

  /** The pieces `chunk` completes, tags removed; empty pieces are dropped. */
  push(chunk: string): ThinkPiece[] {
    const pieces: ThinkPiece[] = [];
    let rest = this.held + chunk;
    this.held = "";
    for (;;) {
      const tag = this.inThink ? CLOSE : OPEN;
      const at = rest.indexOf(tag);
      if (at === -1) break;
      this.emit(pieces, rest.slice(0, at));
      rest = rest.slice(at + tag.length);
      this.inThink = !this.inThink;
    }
    const keep = partialTagAtEnd(rest, this.inThink ? CLOSE : OPEN);
    this.emit(pieces, rest.slice(0, rest.length - keep));
    this.held = rest.slice(rest.length - keep);
    return pieces;
  }

  /** Whatever was held back, at the end of the stream. */
  flush(): ThinkPiece[] {
    const pieces: ThinkPiece[] = [];
    this.emit(pieces, this.held);
    this.held = "";
    return pieces;
  }

  private emit(pieces: ThinkPiece[], text: string): void {
    if (text) pieces.push({ kind: this.inThink ? "thought" : "answer", text });
  }
}
