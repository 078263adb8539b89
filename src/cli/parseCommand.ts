import * as fs from "node:fs";
import { parseArgs } from "node:util";
import { judgmentFromTranscript } from "../core/parse";
import { UsageError } from "./args";
import { EXIT, type Command } from "./command";
import { formatJudgment } from "./output";

function readTranscript(flag: string, file: string | undefined): string {
  if (file === undefined) throw new UsageError(`--${flag} <file> is required.`);
  try {
    return fs.readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (e) {
    throw new UsageError(`--${flag} ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
  }
}

export const parseCommand: Command = {
  name: "parse",
  summary: "parse saved turn-1 and turn-2 transcripts into a judgment (no model)",
  help: `Usage: brrm parse --turn1 <file> --turn2 <file> [--json]

Reads the model's raw answers to turn 1 and turn 2 (thinking inline as <think> blocks) and
prints the judgment. No model is loaded.

  --json      print the Judgment as JSON

Exit codes: 0 a verdict, 2 a usage error, 3 no valid verdict (the judgment is still printed).`,
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { turn1: { type: "string" }, turn2: { type: "string" }, json: { type: "boolean" } }, strict: true });
    const raw = { turn1: readTranscript("turn1", values.turn1), turn2: readTranscript("turn2", values.turn2) };
    const judgment = judgmentFromTranscript({ raw });
    process.stdout.write(values.json ? `${JSON.stringify(judgment, null, 2)}\n` : `${formatJudgment(judgment)}\n`);
    return judgment.verdict === null ? EXIT.noVerdict : EXIT.ok;
  },
};
