// Where in a response a critical issue points: BR-RM often quotes the faulty text ("the
// answer states "2 + 2 = 5""). A diagnostic on the quoted words is worth more than one on the
// response's first line. No `vscode` here: offsets into the response text only.

export interface Span {
  start: number;
  end: number;
}

// Double quotes (straight and curly), backticks, and single quotes that are not apostrophes
// (a quote mark after a space or at the start, before a letter).
const QUOTES = [/"([^"\n]{2,300})"/g, /“([^”\n]{2,300})”/g, /`([^`\n]{2,300})`/g, /(?:^|[\s(])'([^'\n]{2,300})'(?=$|[\s.,;:)!?])/g, /‘([^’\n]{2,300})’/g];

/** The quoted passages of an issue, longest first (a longer quote pins the place better). */
export function quotedPassages(issue: string): string[] {
  const found = new Set<string>();
  for (const re of QUOTES) for (const m of issue.matchAll(re)) if (m[1].trim().length >= 2) found.add(m[1].trim());
  return [...found].sort((a, b) => b.length - a.length);
}

/** The span of the response an issue quotes, or undefined when it quotes nothing found there. */
export function issueSpan(issue: string, response: string): Span | undefined {
  const lower = response.toLowerCase();
  for (const quote of quotedPassages(issue)) {
    let at = response.indexOf(quote);
    if (at === -1) at = lower.indexOf(quote.toLowerCase());
    if (at !== -1) return { start: at, end: at + quote.length };
  }
  return undefined;
}

/** The span of the first non-blank line of a text (where an issue goes when it quotes nothing). */
export function firstLineSpan(text: string): Span {
  const start = text.search(/\S/);
  if (start === -1) return { start: 0, end: text.length };
  const newline = text.indexOf("\n", start);
  const end = newline === -1 ? text.length : newline;
  return { start, end: text.slice(start, end).trimEnd().length + start };
}
