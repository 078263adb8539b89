// Constrained mode: GBNF grammars that force the turn-1 and turn-2 formats, so any model's
// output parses. Every free-text field is bounded, so a whole turn fits inside the max-tokens
// budget even when the model never chooses to stop (a random or confused model): at most one
// short thinking block, up to 3 issues per response and 2 analysis lines, each under 160
// characters. Text is ASCII so byte-level tokenizers cannot produce broken UTF-8.

import { DIMENSIONS } from "./judgment";

export type ThinkingMode = "optional" | "required" | "none";

export interface GrammarOptions {
  /** Whether the turn starts with a `<think>` block: the model's choice by default. */
  thinking?: ThinkingMode;
}

function sharedRules(thinking: ThinkingMode = "optional"): string {
  const prefix = { optional: "think?", required: "think", none: '""' }[thinking];
  return `prefix ::= ${prefix}
think ::= "<think>\\n" sentence{1,3} "\\n</think>\\n\\n"
sentence ::= word (" " word){0,15} ". "
word ::= [A-Za-z0-9(),'/-]{1,12}
line ::= [A-Z] [A-Za-z0-9 ,.;:'()/%=+-]{8,150}`;
}

/** Turn 1: focus dimensions, then the critical issues of each response. */
export function turn1Grammar(opts: GrammarOptions = {}): string {
  const analysis = (n: number) =>
    `"[Quality Analysis for Response ${n}]\\n- Critical Issues: " issues "\\n[End of Quality Analysis for Response ${n}]"`;
  return `root ::= prefix "[Quality Assessment Focus]\\n" dims "\\n[End of Quality Assessment Focus]\\n\\n" ${analysis(1)} "\\n\\n" ${analysis(2)}
dims ::= dim (", " dim){0,2}
dim ::= ${DIMENSIONS.map((d) => JSON.stringify(d)).join(" | ")}
issues ::= "None identified" | "\\n  - " line ("\\n  - " line){0,2}
${sharedRules(opts.thinking)}`;
}

/** Turn 2: an analysis of each response and the boxed verdict. */
export function turn2Grammar(opts: GrammarOptions = {}): string {
  const analysis = (n: number) =>
    `"[The Begin of Analysis on Response ${n}]\\n" line ("\\n" line)? "\\n[The End of Analysis on Response ${n}]"`;
  return `root ::= prefix ${analysis(1)} "\\n\\n" ${analysis(2)} "\\n\\n[The Begin of Ranking Score]\\n\\\\boxed{" [12] "}\\n[The End of Ranking Score]"
${sharedRules(opts.thinking)}`;
}
