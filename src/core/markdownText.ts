// Text from the data (file names, reasons quoting a bad line, prompts, responses) written into
// a Markdown report: one line, shortened, every character that could start markup escaped, so
// the preview shows it and renders nothing from it.

export function mdText(s: string, max = 300): string {
  const flat = s.replace(/\s+/g, " ").trim();
  const cut = flat.length > max ? `${flat.slice(0, max)}…` : flat;
  return cut.replace(/[\\`*_[\]<>|#~&]/g, (c) => `\\${c}`);
}

export const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
