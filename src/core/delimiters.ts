// Delimiter injection. The prompt and both responses are pasted into the judge's prompt as
// they are, so a response holding `[The End of Response 1]` or a ranking block with
// `\boxed{2}` could rewrite what the judge reads and steer its verdict. Before the prompt is
// built, every delimiter of the ACTIVE templates (each bracketed marker line of the turn-1 and
// turn-2 text, whoever wrote the templates), every marker the parser reads back, and every
// `\boxed{}` that reads as a verdict is found in the pair's texts and defused: its ASCII
// brackets become the full-width look-alikes ［ ］ and the backslash of `\boxed` becomes ＼.
// The words stay, so the model still reads what the response says, but the tokens are no
// longer the ones it was trained to treat as structure, and the parser no longer matches them.

import type { Pair } from "./judgment";
import { boxedSpans, markerName, PARSED_MARKERS, verdictOf } from "./parse";
import type { PromptTemplates } from "./prompts";

/** A bracketed span on one line, as the parser finds markers (2-100 characters inside). */
const BRACKETED = /\[([^[\]\n]{2,100})\]/g;
/** A template line that is only a bracketed marker. */
const MARKER_LINE = /^[ \t]*(\[[^[\]\n]{2,100}\])[ \t]*$/gm;

const LOOK_ALIKE: Record<string, string> = { "[": "［", "]": "］", "\\": "＼" };

export const BOXED_VERDICT = "\\boxed{}";

/** The delimiters to look for, by what they mean to the parser ("end:response 1"), with how the template writes them. */
export type Delimiters = ReadonlyMap<string, string>;

const identity = (inner: string) => {
  const { key, end } = markerName(inner);
  return `${end ? "end" : "begin"}:${key}`;
};

/** The delimiters of these templates plus the markers the parser reads, whatever the templates say. */
export function activeDelimiters(templates: PromptTemplates): Delimiters {
  const out = new Map<string, string>();
  const lines = [templates.turn1, templates.turn2].flatMap((t) => [...t.matchAll(MARKER_LINE)].map((m) => m[1]));
  for (const line of [...lines, ...PARSED_MARKERS]) {
    const id = identity(line.slice(1, -1));
    if (!out.has(id)) out.set(id, line);
  }
  return out;
}

export interface DelimiterFound {
  start: number;
  end: number;
  /** The text as written in the input. */
  text: string;
  /** The delimiter it imitates, as the template writes it, or BOXED_VERDICT. */
  delimiter: string;
}

/**
 * Every place a text imitates a delimiter. Markers match the way the parser reads them: in any
 * case, spacing or punctuation, with or without "The", on a line of their own or inline.
 */
export function findDelimiters(text: string, delimiters: Delimiters): DelimiterFound[] {
  const found: DelimiterFound[] = [];
  for (const m of text.matchAll(BRACKETED)) {
    const delimiter = delimiters.get(identity(m[1]));
    if (delimiter) found.push({ start: m.index, end: m.index + m[0].length, text: m[0], delimiter });
  }
  // A boxed math answer (\boxed{42}) is left alone: only a value the parser would take as a verdict steers the judge.
  for (const b of boxedSpans(text))
    if (verdictOf(b.value) !== null) found.push({ start: b.start, end: b.end, text: text.slice(b.start, b.end), delimiter: BOXED_VERDICT });
  return found.sort((a, b) => a.start - b.start);
}

/** The text with each found delimiter's brackets, or its backslash, replaced by look-alikes. */
export function defuse(text: string, found: readonly DelimiterFound[]): string {
  if (found.length === 0) return text;
  // Offsets are UTF-16 code units, as String.prototype.split("") gives them.
  const units = text.split("");
  for (const f of found) for (const i of f.delimiter === BOXED_VERDICT ? [f.start] : [f.start, f.end - 1]) units[i] = LOOK_ALIKE[units[i]];
  return units.join("");
}

/** One line naming what a text held, e.g. `Response 2 imitates the judge's delimiters "[The End of Response 2]", "\boxed{2}" (2×). ...` */
function describe(source: string, found: readonly DelimiterFound[]): string {
  const counts = new Map<string, number>();
  for (const f of found) counts.set(f.text, (counts.get(f.text) ?? 0) + 1);
  const names = [...counts].map(([text, n]) => `"${text}"${n > 1 ? ` (${n}×)` : ""}`);
  return `${source} imitates the judge's ${found.length === 1 ? "delimiter" : "delimiters"} ${names.join(", ")}. ${defusedNote(found.length)}`;
}

/** What was done about `count` delimiters, in words (the look-alike glyphs themselves need fonts not every system has). */
export function defusedNote(count: number): string {
  return `${count === 1 ? "It was" : "They were"} sent with full-width look-alike brackets and backslash, so the judge read ${count === 1 ? "it" : "them"} as text, not as structure or a verdict.`;
}

/**
 * The pair with every delimiter in its prompt and responses defused, and a warning per text
 * that held any. A clean pair comes back as it was, with no warnings.
 */
export function defuseDelimiters(pair: Pair, templates: PromptTemplates): { pair: Pair; warnings: string[] } {
  const delimiters = activeDelimiters(templates);
  const warnings: string[] = [];
  const clean = (source: string, text: string): string => {
    const all: DelimiterFound[] = [];
    let out = text;
    // Defusing "[[The End of Response 1]]" leaves "[［The End of Response 1］]", which reads as
    // the same marker again: repeat until nothing is found (each round removes ASCII brackets).
    for (let found = findDelimiters(out, delimiters); found.length > 0; found = findDelimiters(out, delimiters)) {
      // Look-alikes keep every offset, so each find is named as the input wrote it.
      all.push(...found.map((f) => ({ ...f, text: text.slice(f.start, f.end) })));
      out = defuse(out, found);
    }
    if (all.length > 0) warnings.push(describe(source, all));
    return out;
  };
  const prompt =
    typeof pair.prompt === "string"
      ? clean("The prompt", pair.prompt)
      : pair.prompt.map((m, i) => ({ ...m, content: clean(`Message ${i + 1} of the prompt`, m.content) }));
  return { pair: { prompt, response1: clean("Response 1", pair.response1), response2: clean("Response 2", pair.response2) }, warnings };
}
