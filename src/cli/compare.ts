import { parseArgs } from "node:util";
import { createBackend } from "../backends";
import { judge } from "../core/flow";
import { readTextArg } from "./args";
import { backendConfigFrom, JUDGE_FLAGS, JUDGE_FLAGS_HELP, judgeOptionsFrom } from "./judgeOptions";
import { formatJudgment, ProgressReporter } from "./output";
import { EXIT, type Command } from "./command";

export const compareCommand: Command = {
  name: "compare",
  summary: "judge which of two responses to a prompt is better",
  help: `Usage: brrm compare --prompt <text|@file> --response1 <text|@file> --response2 <text|@file> [options]

Runs BR-RM's two turns (dimensions and issues, then rethinking and a verdict) and prints the
judgment. Progress goes to stderr. @file reads a file, @- reads stdin.

Output:
  --json                      print the Judgment as JSON on stdout

${JUDGE_FLAGS_HELP}

Exit codes: 0 a verdict, 2 a usage error, 3 the model answered without a valid verdict
(the judgment is still printed), 130 stopped by Ctrl-C, 1 anything else.`,
  async run(argv, { signal }) {
    const { values } = parseArgs({
      args: argv,
      options: { ...JUDGE_FLAGS, prompt: { type: "string" }, response1: { type: "string" }, response2: { type: "string" }, json: { type: "boolean" } },
      strict: true,
      allowPositionals: false,
    });
    const pair = {
      prompt: readTextArg("prompt", values.prompt),
      response1: readTextArg("response1", values.response1),
      response2: readTextArg("response2", values.response2),
    };
    const options = judgeOptionsFrom(values);
    const progress = new ProgressReporter();
    const backend = await createBackend(backendConfigFrom(values, { signal, onProgress: (p) => progress.load(p) }));
    try {
      const judgment = await judge(pair, backend, { ...options, signal, onEvent: (e) => progress.event(e) });
      process.stdout.write(values.json ? `${JSON.stringify(judgment, null, 2)}\n` : `${formatJudgment(judgment)}\n`);
      return judgment.verdict === null ? EXIT.noVerdict : EXIT.ok;
    } finally {
      await backend.dispose();
    }
  },
};
