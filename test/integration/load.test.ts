// Load: `brrm eval` judges 10,000 pairs at concurrency 64 against a fast protocol server, and
// every pair is judged exactly once: one turn-1 and one turn-2 request per pair reach the server,
// and the results file holds each pair once. (Memory and CPU per comparison are measured in
// `npm run bench -- load`, never in a test.)

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { it } from "node:test";
import type { RunStats } from "../../src/core/evaluate";
import { CLI, tempDir } from "../support/fixtures";
import { runCli } from "../support/openaiHelpers";
import { isTurn2, messagesOf, startProtocolServer, wellFormedJudge } from "../support/openaiProtocol";

const PAIRS = 10_000;

it(`${PAIRS.toLocaleString("en-US")} pairs at concurrency 64: each judged exactly once`, { timeout: 15 * 60_000 }, async () => {
  const dir = tempDir();
  const input = path.join(dir, "load.jsonl");
  const out = path.join(dir, "load.results.jsonl");
  fs.writeFileSync(input, `${Array.from({ length: PAIRS }, (_, i) => JSON.stringify({ id: `q${i}`, prompt: `Question ${i}?`, response1: `Yes ${i}.`, response2: `No ${i}.`, label: 1 + (i % 2) })).join("\n")}\n`);
  const turns = new Map<string, [number, number]>();
  const judge = wellFormedJudge(() => 1, 64);
  const server = await startProtocolServer((req, res, n) => {
    const id = /Question (\d+)\?/.exec(messagesOf(req)[0]?.content ?? "")?.[1] ?? "?";
    const seen = turns.get(id) ?? [0, 0];
    seen[isTurn2(req) ? 1 : 0]++;
    turns.set(id, seen);
    judge(req, res, n);
  });
  try {
    const r = await runCli(CLI, ["eval", input, "--out", out, "--backend", "openai", "--endpoint", server.baseURL, "--model", "test-model", "--concurrency", "64", "--no-cache", "--quiet", "--json-summary"]);
    assert.equal(r.code, 0, r.stderr);
    const { run } = JSON.parse(r.stdout) as { run: RunStats };
    assert.deepEqual([run.finished, run.judgments, run.failed, run.badLines], [PAIRS, PAIRS, 0, 0]);
    assert.equal(turns.size, PAIRS);
    const wrong = [...turns].filter(([, [t1, t2]]) => t1 !== 1 || t2 !== 1);
    assert.deepEqual(wrong.slice(0, 5), [], `${wrong.length} pairs were not asked exactly once per turn`);
    const keys = fs.readFileSync(out, "utf8").split("\n").filter(Boolean).map((l) => (JSON.parse(l) as { key: string }).key);
    assert.equal(keys.length, PAIRS);
    assert.equal(new Set(keys).size, PAIRS, "no pair written twice");
  } finally {
    await server.close();
  }
});
