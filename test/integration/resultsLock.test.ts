// One writer per results file, with real processes: two `brrm eval` runs on one results file
// (the second refuses at once and names the first; every pair is written once), a run killed
// with SIGKILL (its lock is taken over at once by the next run, which resumes), and a lock lost
// mid-run (the writer stops). The judge is a protocol server the test holds back and releases.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import type { PairResult } from "../../src/core/dataset";
import { ResultsWriter } from "../../src/files/resultsFile";
import { lockResultsFile } from "../../src/files/resultsLock";
import { CLI, tempDir } from "../support/fixtures";
import { runCli, waitFor } from "../support/openaiHelpers";
import { resultOf } from "../support/judgments";
import { startProtocolServer, wellFormedJudge, type TestServer } from "../support/openaiProtocol";

const dir = tempDir();
const PAIRS = [1, 2, 3, 4].map((i) => JSON.stringify({ id: `p${i}`, prompt: `Question ${i}?`, response1: `Yes ${i}.`, response2: `No ${i}.` }));
const dataset = path.join(dir, "pairs.jsonl");
fs.writeFileSync(dataset, `${PAIRS.join("\n")}\n`);

const results = (file: string): PairResult[] => fs.readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as PairResult);

/** A judge that answers its first `free` requests, and the others once the test opens the gate. */
async function gatedJudge(free = 0): Promise<{ server: TestServer; open(): void }> {
  let open = () => {};
  const gate = new Promise<void>((resolve) => (open = resolve));
  const judge = wellFormedJudge();
  const server = await startProtocolServer(async (req, res, n) => {
    if (n > free) await gate;
    return judge(req, res, n);
  });
  return { server, open };
}

const evalArgs = (server: TestServer, out: string, ...more: string[]) => [
  "eval", dataset, "--out", out, "--backend", "openai", "--endpoint", server.baseURL, "--model", "test-model", "--no-cache", "--quiet", ...more,
];

describe("one writer per results file", () => {
  const servers: TestServer[] = [];
  after(() => Promise.all(servers.map((s) => s.close())));

  it("a second brrm eval on the same results file refuses at once, naming the first run; every pair is written once", async () => {
    const judge = await gatedJudge();
    servers.push(judge.server);
    const out = path.join(dir, "shared.results.jsonl");
    const args = evalArgs(judge.server, out, "--concurrency", "2");
    const first = runCli(CLI, args);
    await waitFor(async () => fs.existsSync(`${out}.lock.json`) && judge.server.requests.length === 2, 60_000);
    const note = JSON.parse(fs.readFileSync(`${out}.lock.json`, "utf8")) as { pid: number; command: string };

    for (const more of [[], ["--resume"]]) {
      const second = await runCli(CLI, [...args, ...more]);
      assert.equal(second.code, 1, second.stderr);
      const line = second.stderr.trim().split("\n").at(-1)!;
      assert.match(line, new RegExp(`^brrm eval: ${out.replace(/[./]/g, "\\$&")} is being written by another run \\(pid ${note.pid}, started \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d: brrm eval .*pairs\\.jsonl --out .*shared\\.results\\.jsonl .*\\)\\. Wait for it to finish or stop it`));
    }
    assert.equal(judge.server.requests.length, 2, "the refused runs sent nothing");

    judge.open();
    const done = await first;
    assert.equal(done.code, 0, done.stderr);
    const keys = results(out).map((r) => r.key);
    assert.deepEqual(keys.sort(), ["id:p1", "id:p2", "id:p3", "id:p4"]);
    assert.equal(judge.server.requests.length, 8, "two turns per pair, each pair once");
    assert.ok(!fs.existsSync(`${out}.lock`) && !fs.existsSync(`${out}.lock.json`), "the lock and its note are gone");
  });

  it("a run killed with SIGKILL leaves its lock behind; the next run takes it over at once and resumes", async () => {
    // Two pairs (four requests) are answered; the run then waits on the third pair.
    const judge = await gatedJudge(4);
    servers.push(judge.server);
    const out = path.join(dir, "killed.results.jsonl");
    const child = spawn(process.execPath, [CLI, ...evalArgs(judge.server, out)], { stdio: "ignore" });
    await waitFor(async () => judge.server.requests.length === 5 && fs.existsSync(out) && results(out).length === 2, 60_000);
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
    assert.ok(fs.existsSync(`${out}.lock`), "a killed process cannot release its lock");
    const kept = results(out).length;
    assert.equal(kept, 2);

    judge.open();
    const resumed = await runCli(CLI, [...evalArgs(judge.server, out), "--resume", "--json-summary"]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal((JSON.parse(resumed.stdout) as { resumed: number }).resumed, kept);
    assert.deepEqual(results(out).map((r) => r.key).sort(), ["id:p1", "id:p2", "id:p3", "id:p4"], "each pair once");
  });

  it("a writer whose lock was taken from it stops before writing another line", async () => {
    const file = path.join(dir, "lost.results.jsonl");
    const lock = await lockResultsFile(file, "lock test");
    const writer = await ResultsWriter.open(file, { lock });
    await writer.append(resultOf({ key: "id:a" }, [["AB", [1]]]));
    fs.rmSync(`${file}.lock`, { recursive: true });
    // proper-lockfile notices at its next refresh (every 5 s).
    assert.ok(await waitFor(async () => lock.lost !== undefined, 15_000), "the loss was noticed");
    await assert.rejects(writer.append(resultOf({ key: "id:b" }, [["AB", [1]]])), /Cannot write to the results file .*: the lock on it was lost .*The run stopped; the 1 results written before are kept\./);
    await writer.close();
    await lock.release();
    assert.deepEqual(results(file).map((r) => r.key), ["id:a"]);
  });
});
