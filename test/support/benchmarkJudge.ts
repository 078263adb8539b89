// A judge whose verdicts the test controls, behind the OpenAI protocol: it prefers the shown
// response that contains the word GOOD, and answers without a verdict when both or neither do.
// Benchmark data written with GOOD in the chosen response, the rejected one, both or neither
// then has scores that are known exactly.

import { completion, sendJson, startProtocolServer, streamCompletion, type Recorded, type TestServer } from "./openaiProtocol";

export const MARK = "GOOD";

const TURN1 =
  "[Quality Assessment Focus]\nLogical Reasoning\n[End of Quality Assessment Focus]\n\n[Quality Analysis for Response 1]\n- Critical Issues: None identified\n[End of Quality Analysis for Response 1]\n\n[Quality Analysis for Response 2]\n- Critical Issues: None identified\n[End of Quality Analysis for Response 2]";

const analysis = "[The Begin of Analysis on Response 1]\nRead.\n[The End of Analysis on Response 1]\n\n[The Begin of Analysis on Response 2]\nRead.\n[The End of Analysis on Response 2]";

function between(text: string, start: string, end: string): string {
  const i = text.indexOf(start);
  const j = text.indexOf(end, i + start.length);
  return i === -1 || j === -1 ? "" : text.slice(i + start.length, j);
}

/** The verdict for the turn-1 prompt the judge was shown: 1, 2, or null. */
export function controlledVerdict(turn1Prompt: string): 1 | 2 | null {
  const r1 = between(turn1Prompt, "[The Begin of Response 1]\n", "\n[The End of Response 1]").includes(MARK);
  const r2 = between(turn1Prompt, "[The Begin of Response 2]\n", "\n[The End of Response 2]").includes(MARK);
  return r1 === r2 ? null : r1 ? 1 : 2;
}

export interface ControlledJudge extends TestServer {
  /** The turn-1 prompts received, in order. */
  turn1Prompts(): string[];
  turn2Prompts(): string[];
}

/** `delayMs`: how long each answer takes, so a run lasts long enough to watch and cancel. */
export async function startControlledJudge(opts: { delayMs?: number } = {}): Promise<ControlledJudge> {
  const server = await startProtocolServer(async (req: Recorded, res) => {
    if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
    if (req.method === "GET" && req.path.endsWith("/models")) {
      sendJson(res, 200, { object: "list", data: [{ id: "controlled-judge", object: "model" }] });
      return;
    }
    const messages = (req.body?.messages ?? []) as { role: string; content: string }[];
    const verdict = controlledVerdict(messages[0]?.content ?? "");
    const text = messages.length > 1 ? `${analysis}${verdict === null ? "" : `\n\n[The Begin of Ranking Score]\n\\boxed{${verdict}}\n[The End of Ranking Score]`}` : TURN1;
    if (req.body?.stream) streamCompletion(res, text);
    else sendJson(res, 200, completion(text));
  });
  const userTurns = (n: number) => server.requests.map((r) => (r.body?.messages ?? []) as { role: string; content: string }[]).filter((m) => m.length === n).map((m) => m[n - 1].content);
  return { ...server, turn1Prompts: () => userTurns(1), turn2Prompts: () => userTurns(3) };
}
