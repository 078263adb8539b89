/**
 * Exit codes, the same for every command that can end that way (README: "Exit codes").
 * 4-6 are for the commands that judge many pairs; exitStatus.ts decides between them.
 */
export const EXIT = { ok: 0, failure: 1, usage: 2, noVerdict: 3, badLines: 4, nothingJudged: 5, belowThreshold: 6, interrupted: 130 } as const;

export interface Command {
  name: string;
  summary: string;
  help: string;
  run(argv: string[], ctx: { signal: AbortSignal }): Promise<number>;
}

/** How this run was started, to name it to a run that finds the results file taken. */
export function commandLine(name: string, argv: string[]): string {
  return ["brrm", name, ...argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a)))].join(" ");
}
