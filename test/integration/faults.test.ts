// `brrm eval` under faults, as users meet them: endpoints that lie in the middle of a dataset
// run (each such pair is marked failed with a one-line reason, and judged again on resume), a
// real llama-server killed while 16 comparisons are in flight and some are in turn 2, a full
// disk (/dev/full) and a results file made read-only mid-run. Nothing finished is ever lost,
// nothing is written twice.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import type { PairResult } from "../../src/core/dataset";
import type { RunStats } from "../../src/core/evaluate";
import { TURN2_TEMPLATE } from "../../src/core/prompts";
import { CLI, tempDir } from "../support/fixtures";
import { runCli, tinyServer, waitFor, type LlamaServer } from "../support/openaiHelpers";
import { isTurn2, messagesOf, sseDelta, startProtocolServer, startSse, wellFormedJudge, type TestServer } from "../support/openaiProtocol";

const dir = tempDir();
const pairs = (count: number, name: string) => {
  const file = path.join(dir, `${name}.jsonl`);
  const lines = Array.from({ length: count }, (_, i) => JSON.stringify({ id: `p${i + 1}`, prompt: `Question ${i + 1}?`, response1: `Yes, ${i + 1}.`, response2: `No, ${i + 1}.` }));
  fs.writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
};
const results = (file: string): PairResult[] => fs.readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as PairResult);
const keys = (file: string) => results(file).map((r) => r.key).sort();
const allKeys = (count: number) => Array.from({ length: count }, (_, i) => `id:p${i + 1}`).sort();
const summaryOf = (stdout: string) => JSON.parse(stdout) as { run: RunStats; resumed: number };

const protocolEval = (server: TestServer, input: string, out: string, ...more: string[]) =>
  runCli(CLI, ["eval", input, "--out", out, "--backend", "openai", "--endpoint", server.baseURL, "--model", "test-model", "--no-cache", "--quiet", ...more]);

describe("brrm eval: endpoints that lie mid-run", () => {
  it("each lying answer fails its pair with one line naming what the server sent; a resume judges those again, nothing lost", async () => {
    let lying = true;
    const honest = wellFormedJudge();
    const server = await startProtocolServer((req, res, n) => {
      const question = /Question (\d+)\?/.exec(messagesOf(req)[0]?.content ?? "")?.[1];
      if (lying && question === "2") {
        res.writeHead(200, { "content-type": "text/html" });
        return void res.end("<html><head><title>Sign in – Corp SSO</title></head><body>…</body></html>");
      }
      if (lying && question === "5" && isTurn2(req)) {
        startSse(res);
        sseDelta(res, { content: "[The Begin" });
        return void res.end('data: {"choices":[{"delta":{"content":" of Analysis\n\n');
      }
      if (lying && question === "7" && isTurn2(req)) {
        startSse(res);
        return sseDelta(res, { content: "[The Begin" }); // and nothing more
      }
      return honest(req, res, n);
    });
    try {
      const input = pairs(8, "lies");
      const out = path.join(dir, "lies.results.jsonl");
      const first = await protocolEval(server, input, out, "--concurrency", "4", "--timeout", "1", "--json-summary");
      assert.equal(first.code, 1, first.stderr);
      const failed = first.stderr.split("\n").filter((l) => / failed, /.test(l));
      assert.deepEqual(failed.map((l) => l.split(":")[0]).sort(), ["line 2", "line 5", "line 7"]);
      const said = (line: number) => failed.find((l) => l.startsWith(`line ${line}:`))!;
      assert.match(said(2), /answered 200 with an HTML page \("Sign in – Corp SSO"\) instead of the API's event stream/);
      assert.match(said(5), /sent an event that is not JSON after 1 token \(data: \{"choices":\[\{"delta":\{"content":" of Analysis\)/);
      assert.match(said(7), /sent nothing for 1\.0 s in the middle of a turn \(after 1 token\)/);
      assert.match(first.stderr, /brrm: 3 pairs failed \(listed above\); run again with --resume to retry them\./);
      assert.deepEqual(summaryOf(first.stdout).run.failed, 3);
      const before = fs.readFileSync(out, "utf8");
      assert.deepEqual(keys(out), ["id:p1", "id:p3", "id:p4", "id:p6", "id:p8"], "the failed pairs are not in the results");

      lying = false;
      const resumed = await protocolEval(server, input, out, "--concurrency", "4", "--resume", "--json-summary");
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.deepEqual([summaryOf(resumed.stdout).resumed, summaryOf(resumed.stdout).run.finished], [5, 3]);
      assert.ok(fs.readFileSync(out, "utf8").startsWith(before), "the first run's lines are kept as they were");
      assert.deepEqual(keys(out), allKeys(8));
    } finally {
      await server.close();
    }
  });
});

describe("brrm eval: the disk", () => {
  it("a full disk (/dev/full) stops the run with the reason and what to do; the lock is released", async () => {
    const server = await startProtocolServer(wellFormedJudge());
    try {
      const out = path.join(dir, "full.results.jsonl");
      fs.symlinkSync("/dev/full", out);
      const r = await protocolEval(server, pairs(3, "full"), out);
      assert.equal(r.code, 1, r.stderr);
      assert.equal(
        r.stderr.trim().split("\n").at(-1),
        `brrm eval: Cannot write to the results file ${out}: the disk is full (ENOSPC). The run stopped; no result of this run was written. Free some space, then run again with --resume.`,
      );
      assert.ok(!fs.existsSync(`${out}.lock`) && !fs.existsSync(`${out}.lock.json`));
    } finally {
      await server.close();
    }
  });

  it("a results file made read-only mid-run stops the run; the results written before are kept, and a resume finishes", async () => {
    let open = () => {};
    const gate = new Promise<void>((resolve) => (open = resolve));
    const judge = wellFormedJudge();
    // Two pairs (four requests) are answered; the third waits until the file is read-only.
    const server = await startProtocolServer(async (req, res, n) => {
      if (n > 4) await gate;
      judge(req, res, n);
    });
    try {
      const input = pairs(4, "readonly");
      const out = path.join(dir, "readonly.results.jsonl");
      const run = protocolEval(server, input, out);
      await waitFor(async () => server.requests.length === 5 && fs.existsSync(out) && results(out).length === 2, 60_000);
      const before = fs.readFileSync(out, "utf8");
      fs.chmodSync(out, 0o444);
      open();
      const r = await run;
      assert.equal(r.code, 1, r.stderr);
      assert.equal(
        r.stderr.trim().split("\n").at(-1),
        `brrm eval: Cannot write to the results file ${out}: it was made read-only while the run was writing it. The run stopped; the 2 results written before are kept. Make it writable again (chmod u+w), then run again with --resume.`,
      );
      assert.equal(fs.readFileSync(out, "utf8"), before);
      fs.chmodSync(out, 0o644);
      const resumed = await protocolEval(server, input, out, "--resume");
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.deepEqual(keys(out), allKeys(4));
    } finally {
      await server.close();
    }
  });
});

describe("brrm eval: a real llama-server killed mid-run", () => {
  it("killed while 16 comparisons are in flight, some in turn 2: those pairs fail, the run stops, a resume judges each missing pair once", { timeout: 12 * 60_000 }, async () => {
    const COUNT = 16;
    const input = pairs(COUNT, "killed");
    const out = path.join(dir, "killed.results.jsonl");
    // Constrained: llama-server's chat parser fails a stream of random free text. 200 tokens a
    // turn keep 16 grammar-bound comparisons short (a turn cut there has no verdict, and the
    // pair is still judged).
    const flags = ["--concurrency", "16", "--constrained", "--max-tokens", "200", "--seed", "3", "--no-cache", "--quiet", "--json-summary"];
    const args = (server: LlamaServer) => ["eval", input, "--out", out, "--backend", "openai", "--endpoint", server.baseURL, ...flags];
    const server = await tinyServer(["--parallel", "16", "-c", String(16 * 1024)]);
    let inTurn2 = 0;
    let turn1Tokens = Infinity;
    const first = runCli(CLI, [...args(server), "--resume"]);
    // Killed once turn 2 is generating on some slots. The server's /slots gives each slot's
    // tokens (its prompt and what it generated so far, n_decoded): every turn 1 has about the same
    // prompt (the pairs differ by a number), and a turn 2's is longer by turn 1's answer and the
    // whole turn-2 prompt.
    await waitFor(async () => {
      const slots = (await (await fetch(`${server.url}/slots`)).json()) as { is_processing: boolean; n_prompt_tokens?: number; next_token?: { n_decoded: number }[] }[];
      const busy = slots.filter((s) => s.is_processing && s.n_prompt_tokens).map((s) => ({ prompt: s.n_prompt_tokens! - (s.next_token?.[0]?.n_decoded ?? 0), decoded: s.next_token?.[0]?.n_decoded ?? 0 }));
      turn1Tokens = Math.min(turn1Tokens, ...busy.map((b) => b.prompt));
      // 30 tokens in: the server streams an answer only once its chat parser can place it.
      inTurn2 = busy.filter((b) => b.prompt > turn1Tokens + TURN2_TEMPLATE.length / 8 && b.decoded >= 30).length;
      return inTurn2 >= 2;
    }, 120_000);
    server.process.kill("SIGKILL");
    const r = await first;
    await server.stop();
    assert.ok(inTurn2 >= 2, `killed with ${inTurn2} comparisons in turn 2`);
    assert.equal(r.code, 1, r.stderr);
    const failed = r.stderr.split("\n").filter((l) => / failed, /.test(l));
    assert.ok(failed.some((l) => /was cut off mid-turn after \d+ tokens/.test(l)), `no cut stream among:\n${failed.join("\n")}`);
    for (const l of failed) assert.match(l, /^line \d+: failed, (The stream from .* was cut off mid-turn|The server at .* closed the connection|Cannot connect to .*: connection refused)/);
    assert.match(r.stderr.trim().split("\n").at(-1)!, /^brrm eval: \d+ comparisons failed in a row; the last: (The stream from .* was cut off mid-turn|The server at .* closed the connection|Cannot connect to .*: connection refused).* run again with --resume to finish the rest\.$/);
    const kept = keys(out);
    assert.equal(new Set(kept).size, kept.length, "no pair twice");
    const failedLines = failed.map((l) => Number(/^line (\d+)/.exec(l)![1]));
    for (const line of failedLines) assert.ok(!kept.includes(`id:p${line}`), `failed pair ${line} is not in the results`);

    const again = await tinyServer(["--parallel", "16", "-c", String(16 * 1024)]);
    try {
      const resumed = await runCli(CLI, [...args(again), "--resume"]);
      assert.equal(resumed.code, 0, resumed.stderr);
      const { run, resumed: previous } = summaryOf(resumed.stdout);
      assert.deepEqual([previous, run.finished], [kept.length, COUNT - kept.length]);
      assert.deepEqual(keys(out), allKeys(COUNT), "each pair exactly once");
    } finally {
      await again.stop();
    }
  });
});
