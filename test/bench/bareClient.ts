// The floor the load bench compares brrm against: the same two streamed chat requests per
// comparison (the same prompts, the same concurrency) with bare fetch, each event's JSON parsed,
// and nothing else: no `openai` package, no parsing of the answer, no results file.
//   node bareClient.js <base-url> <comparisons> <concurrency>

import { buildPrompts } from "../../src/core/prompts";

const [baseURL, count, concurrency] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];

async function turn(messages: { role: string; content: string }[]): Promise<string> {
  const res = await fetch(`${baseURL}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "test-model", stream: true, messages }),
  });
  let answer = "";
  for (const line of (await res.text()).split("\n")) {
    if (!line.startsWith("data: {")) continue;
    const event = JSON.parse(line.slice(6)) as { choices: { delta?: { content?: string } }[] };
    answer += event.choices[0]?.delta?.content ?? "";
  }
  return answer;
}

let next = 0;
async function worker(): Promise<void> {
  while (next < count) {
    const i = next++;
    const prompts = buildPrompts({ prompt: `Question ${i}: what is ${i} + ${i}?`, response1: `${2 * i}.`, response2: `${2 * i + 1}.` });
    const first = { role: "user", content: prompts.turn1 };
    const answer = await turn([first]);
    await turn([first, { role: "assistant", content: answer }, { role: "user", content: prompts.turn2 }]);
  }
}

void Promise.all(Array.from({ length: concurrency }, worker));
