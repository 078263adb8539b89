export const EXIT = { ok: 0, failure: 1, usage: 2, noVerdict: 3 } as const;

export interface Command {
  name: string;
  summary: string;
  help: string;
  run(argv: string[], ctx: { signal: AbortSignal }): Promise<number>;
}
