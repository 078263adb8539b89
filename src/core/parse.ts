// Turn texts -> Judgment fields. The model is asked for bracketed sections; real output adds
// thinking, markdown, CRLF, reordering and truncation. The rules below accept all of that,
// warn where a reader should look twice, and report a missing verdict as an error instead of
// guessing one.

import { DIMENSIONS, type Dimension, type Judgment, type JudgmentError, type TurnUsage, type Verdict } from "./judgment";

export type ParsedJudgment = Pick<Judgment, "verdict" | "dimensions" | "issues" | "analysis" | "thinking" | "warnings" | "error">;

// ---------------------------------------------------------------- thinking

export interface SplitTurn {
  thinking: string;
  answer: string;
  /** True when a `<think>` never closed: the answer never came. */
  unterminated: boolean;
}

/**
 * Separates `<think>...</think>` from the answer. A `</think>` with no opening tag (chat
 * templates that open the block in the prompt) makes everything before it thinking; an
 * unterminated `<think>` makes everything after it thinking.
 */
export function splitThinking(raw: string): SplitTurn {
  const text = raw.replace(/\r\n?/g, "\n");
  const thinking: string[] = [];
  let answer = "";
  let rest = text;
  const firstOpen = rest.indexOf("<think>");
  const firstClose = rest.indexOf("</think>");
  if (firstClose !== -1 && (firstOpen === -1 || firstClose < firstOpen)) {
    thinking.push(rest.slice(0, firstClose));
    rest = rest.slice(firstClose + "</think>".length);
  }
  let unterminated = false;
  for (;;) {
    const open = rest.indexOf("<think>");
    if (open === -1) {
      answer += rest;
      break;
    }
    answer += rest.slice(0, open);
    const close = rest.indexOf("</think>", open);
    if (close === -1) {
      thinking.push(rest.slice(open + "<think>".length));
      unterminated = true;
      break;
    }
    thinking.push(rest.slice(open + "<think>".length, close));
    rest = rest.slice(close + "</think>".length);
  }
  return { thinking: thinking.map((t) => t.trim()).filter(Boolean).join("\n\n"), answer: answer.trim(), unterminated };
}

// ---------------------------------------------------------------- sections

interface Marker {
  key: string;
  end: boolean;
  /** Where the header (with its emphasis and heading marks) starts and ends in the text. */
  start: number;
  stop: number;
}

/**
 * Finds every bracketed section marker. `[The Begin of X]`, `[Begin of X]` and `[X]` open
 * section "x"; `[The End of X]` and `[End of X]` close it. Case, spacing and markdown
 * emphasis or heading marks on the header line do not matter.
 */
/** What a bracketed marker's text means to the parser: the section it opens or closes. */
export function markerName(inner: string): { key: string; end: boolean } {
  const name = inner.toLowerCase().replace(/[^a-z0-9]+/g, " ").trim().replace(/^the /, "");
  if (name.startsWith("end of ")) return { key: name.slice("end of ".length), end: true };
  if (name.startsWith("begin of ")) return { key: name.slice("begin of ".length), end: false };
  return { key: name, end: false };
}

function findMarkers(text: string, knownKeys: ReadonlySet<string>): Marker[] {
  const markers: Marker[] = [];
  const re = /^[ \t]*(?:#{1,6}[ \t]*)?(?:[*_]{1,3}[ \t]*)?\[([^\[\]\n]{2,100})\](?:[ \t]*[*_]{1,3})?[ \t:]*$|\[([^\[\]\n]{2,100})\]/gm;
  for (let m; (m = re.exec(text)); ) {
    const { key, end } = markerName(m[1] ?? m[2]);
    if (knownKeys.has(key)) markers.push({ key, end, start: m.index, stop: m.index + m[0].length });
  }
  return markers;
}

interface SectionResult {
  text: string | null;
  /** True when the end marker was missing and the section ran to the next header. */
  unterminated: boolean;
}

function extractSections(text: string, keys: readonly string[]): Map<string, SectionResult> {
  const markers = findMarkers(text, new Set(keys));
  const out = new Map<string, SectionResult>();
  for (const key of keys) {
    // Where a section appears twice, the last one counts.
    const opens = markers.filter((m) => m.key === key && !m.end);
    const open = opens[opens.length - 1];
    if (!open) {
      out.set(key, { text: null, unterminated: false });
      continue;
    }
    const next = markers.find((m) => m.start >= open.stop);
    const closes = next !== undefined && next.key === key && next.end;
    const stop = next ? next.start : text.length;
    out.set(key, { text: text.slice(open.stop, stop).trim(), unterminated: !closes });
  }
  return out;
}

// ---------------------------------------------------------------- fields

const CANONICAL = new Map<string, Dimension>(DIMENSIONS.map((d) => [d.toLowerCase(), d]));

const BULLET = /^\s*(?:[-*+•]|\d{1,2}[.)])\s+/;

/**
 * Drops a leading bullet or number, and emphasis only where it wraps the whole item: the
 * markdown inside an item (`**Wrong arithmetic**: states that 2+2=5.`) is kept whole for the
 * views to render.
 */
function cleanItem(s: string): string {
  const item = s.replace(BULLET, "").trim();
  const wrapped = /^(\*\*|__|\*|_|`)(.+)\1$/s.exec(item);
  return wrapped && !wrapped[2].includes(wrapped[1]) ? wrapped[2].trim() : item;
}

/** A dimension name as written, without emphasis, quotes or trailing punctuation. */
function dimensionText(s: string): string {
  return cleanItem(s)
    .replace(/[*_`"]+/g, "")
    .replace(/[\s.;:!,]+$/, "")
    .replace(/\s+/g, " ")
    .trim();
}

function toDimension(item: string): Dimension | undefined {
  const clean = dimensionText(item);
  const label = clean.includes(":") ? clean.slice(clean.lastIndexOf(":") + 1).trim() : clean;
  for (const candidate of [clean, label]) {
    const lower = candidate.toLowerCase();
    const exact = CANONICAL.get(lower);
    if (exact) return exact;
    // "Logical Reasoning - the steps must follow" or "Logical Reasoning (proof)".
    for (const [name, dim] of CANONICAL) if (lower.startsWith(name) && !/[a-z]/.test(lower[name.length])) return dim;
  }
  return undefined;
}

export function parseDimensions(section: string | null, warnings: string[]): Dimension[] {
  if (section === null) {
    warnings.push("Turn 1 has no [Quality Assessment Focus] section: no dimensions were chosen.");
    return [];
  }
  const out: Dimension[] = [];
  for (const item of section.split(/[,\n]/)) {
    if (!dimensionText(item)) continue;
    const dim = toDimension(item);
    if (dim === undefined) warnings.push(`Unknown quality dimension dropped: "${dimensionText(item)}".`);
    else if (!out.includes(dim)) out.push(dim);
  }
  if (out.length > 3) warnings.push(`The model chose ${out.length} dimensions; BR-RM asks for 1 to 3.`);
  return out;
}

const NONE = /^\[?["“]?(none identified|none|no critical issues(?: identified)?)["”]?\]?\.?$/i;

/**
 * "- Critical Issues: ..." with the issues inline or as bullets below. Each bullet or numbered
 * line is one issue; a plain line under a bullet continues it.
 */
export function parseIssues(section: string | null): string[] {
  if (section === null) return [];
  const labelled = /^[\s*_\-•]*critical issues[*_]*\s*:[*_]*\s*(.*)$/im.exec(section);
  const body = labelled ? section.slice(labelled.index + labelled[0].length) : section;
  const issues: string[] = [];
  const inline = labelled ? cleanItem(labelled[1]) : "";
  if (inline) issues.push(inline);
  for (const line of body.split("\n")) {
    if (!line.trim()) continue;
    if (BULLET.test(line) || issues.length === 0) issues.push(cleanItem(line));
    else issues[issues.length - 1] += ` ${line.trim()}`;
  }
  const cleaned = issues.map((i) => i.replace(/\s+/g, " ").trim()).filter(Boolean);
  if (cleaned.length === 1 && NONE.test(cleaned[0])) return [];
  return cleaned.filter((i) => !NONE.test(i));
}

export interface Boxed {
  /** Where `\boxed{` starts and where its closing brace ends. */
  start: number;
  end: number;
  value: string;
}

/** Every `\boxed{...}` in the text, braces balanced, value trimmed. */
export function boxedSpans(text: string): Boxed[] {
  const found: Boxed[] = [];
  for (let i = text.indexOf("\\boxed{"); i !== -1; i = text.indexOf("\\boxed{", i + 1)) {
    let depth = 0;
    const from = i + "\\boxed{".length;
    for (let j = from; j < text.length; j++) {
      if (text[j] === "{") depth++;
      else if (text[j] === "}" && depth-- === 0) {
        found.push({ start: i, end: j + 1, value: text.slice(from, j).trim() });
        break;
      }
    }
  }
  return found;
}

export const boxedValues = (text: string): string[] => boxedSpans(text).map((b) => b.value);

/** The verdict a boxed value stands for (`1`, ` 2 `, `Response 1`, `\text{Response 2}`), or null. */
export function verdictOf(value: string): Verdict | null {
  const m = /^(?:\\text\{\s*)?(?:response\s*)?([12])\s*\}?$/i.exec(value.trim());
  return m ? (Number(m[1]) as Verdict) : null;
}

function decideVerdict(values: string[], where: string): { verdict: Verdict | null; error: JudgmentError | null } {
  if (values.length === 0) return { verdict: null, error: { code: "NO_VERDICT", message: `No \\boxed{...} verdict ${where}.` } };
  const verdicts = values.map(verdictOf);
  const invalid = values.filter((_, i) => verdicts[i] === null);
  if (invalid.length > 0)
    return {
      verdict: null,
      error: { code: "INVALID_VERDICT", message: `The verdict \\boxed{${invalid[0]}} ${where} is not 1 or 2.` },
    };
  const distinct = [...new Set(verdicts)];
  if (distinct.length > 1)
    return {
      verdict: null,
      error: { code: "CONFLICTING_VERDICTS", message: `The model boxed both 1 and 2 ${where}; no single verdict.` },
    };
  return { verdict: distinct[0], error: null };
}

// ---------------------------------------------------------------- the judgment

const TURN1_KEYS = ["quality assessment focus", "quality analysis for response 1", "quality analysis for response 2"] as const;
const TURN2_KEYS = ["analysis on response 1", "analysis on response 2", "ranking score"] as const;

const SECTION_TITLES: Record<string, string> = {
  "quality assessment focus": "[Quality Assessment Focus]",
  "quality analysis for response 1": "[Quality Analysis for Response 1]",
  "quality analysis for response 2": "[Quality Analysis for Response 2]",
  "analysis on response 1": "[The Begin of Analysis on Response 1]",
  "analysis on response 2": "[The Begin of Analysis on Response 2]",
  "ranking score": "[The Begin of Ranking Score]",
};

/** The marker lines this parser reads sections from, opening and closing, as the model card writes them. */
export const PARSED_MARKERS: readonly string[] = [...TURN1_KEYS, ...TURN2_KEYS].flatMap((key) => {
  const open = SECTION_TITLES[key];
  return [open, open.replace(/^\[(The )?(Begin of )?/, (_, the: string | undefined) => `[${the ?? ""}End of `)];
});

function sectionsOf(turn: 1 | 2, answer: string, keys: readonly string[], warnings: string[]) {
  const sections = extractSections(answer, keys);
  for (const [key, s] of sections)
    if (s.text !== null && s.unterminated)
      warnings.push(`Turn ${turn}: the section ${SECTION_TITLES[key]} has no end marker; read it up to the next header.`);
  return (key: string) => sections.get(key)?.text ?? null;
}

/** Parses the raw text of both turns (thinking inline as `<think>` blocks) into a judgment. */
export function parseJudgment(rawTurn1: string, rawTurn2: string): ParsedJudgment {
  const warnings: string[] = [];
  const t1 = splitThinking(rawTurn1);
  const t2 = splitThinking(rawTurn2);
  if (t1.unterminated) warnings.push("Turn 1 ended inside its thinking: the model never gave its turn-1 answer.");

  const s1 = sectionsOf(1, t1.answer, TURN1_KEYS, warnings);
  const dimensions = parseDimensions(s1("quality assessment focus"), warnings);
  const issues = { response1: parseIssues(s1("quality analysis for response 1")), response2: parseIssues(s1("quality analysis for response 2")) };
  for (const n of [1, 2] as const)
    if (s1(`quality analysis for response ${n}`) === null && !t1.unterminated)
      warnings.push(`Turn 1 has no [Quality Analysis for Response ${n}] section.`);

  const s2 = sectionsOf(2, t2.answer, TURN2_KEYS, warnings);
  const analysis = { response1: s2("analysis on response 1") ?? "", response2: s2("analysis on response 2") ?? "" };

  let verdict: Verdict | null;
  let error: JudgmentError | null;
  const ranking = s2("ranking score");
  if (t2.unterminated) {
    verdict = null;
    error = { code: "NO_VERDICT", message: "Turn 2 ended inside its thinking, before any verdict. Raise the max-tokens limit." };
  } else if (ranking !== null) {
    ({ verdict, error } = decideVerdict(boxedValues(ranking), "in the [Ranking Score] section"));
  } else {
    ({ verdict, error } = decideVerdict(boxedValues(t2.answer), "in turn 2"));
    if (verdict !== null) warnings.push("Turn 2 has no [Ranking Score] section; the verdict was read from a \\boxed{} elsewhere in the answer.");
    else if (error?.code === "NO_VERDICT" && boxedValues(t2.thinking).length > 0)
      error = { code: "VERDICT_ONLY_IN_THINKING", message: "The only \\boxed{} verdict is inside the model's thinking, not in its answer." };
  }

  return {
    verdict,
    dimensions,
    issues,
    analysis,
    thinking: { turn1: t1.thinking, turn2: t2.thinking },
    warnings,
    error,
  };
}

/** A whole Judgment from the raw turn texts, fields in the contract's order. */
export function judgmentFromTranscript(t: {
  raw: Judgment["raw"];
  usage?: { turn1: TurnUsage | null; turn2: TurnUsage | null };
  model?: string;
  backend?: Judgment["backend"];
}): Judgment {
  const p = parseJudgment(t.raw.turn1, t.raw.turn2);
  return {
    verdict: p.verdict,
    dimensions: p.dimensions,
    issues: p.issues,
    analysis: p.analysis,
    thinking: p.thinking,
    raw: t.raw,
    warnings: p.warnings,
    error: p.error,
    usage: t.usage ?? { turn1: null, turn2: null },
    model: t.model ?? "",
    backend: t.backend ?? null,
  };
}
