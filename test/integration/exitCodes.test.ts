// Exit codes a CI job can rely on, from `brrm eval` and `brrm variants` as users run them
// (dist/cli.js in a subprocess) against a protocol server whose verdicts the test decides: a run
// that judged nothing, skipped lines, failed pairs, and the --fail-under-* gates, each with its
// code and the message that explains it.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import type { RunStats } from "../../src/core/evaluate";
import { CLI, tempDir } from "../support/fixtures";
import { runCli } from "../support/openaiHelpers";
import { isTurn2, messagesOf, sendError, shownResponses, startProtocolServer, wellFormedJudge, type TestServer } from "../support/openaiProtocol";

const dir = tempDir();
const write = (name: string, lines: unknown[]) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n") + (lines.length > 0 ? "\n" : ""));
  return file;
};
let n = 0;
const out = () => path.join(dir, `out-${++n}.jsonl`);

/** Labelled pairs: the judge below always prefers response 1, so accuracy is the share labelled 1. */
const labelled = (labels: (1 | 2)[]) => labels.map((label, i) => ({ id: `q${i}`, prompt: `Question ${i}?`, response1: `Answer ${i}a.`, response2: `Answer ${i}b.`, label }));

describe("exit codes", () => {
  let server: TestServer;
  before(async () => {
    server = await startProtocolServer((req, res, k) => {
      const prompt = messagesOf(req)[0]?.content ?? "";
      // "Question fail" pairs fail on the server. Outputs marked "B:" beat those marked "A:", which
      // beat unmarked ones, in whichever position they are shown; between equals response 1 wins.
      if (prompt.includes("Question fail")) return sendError(res, 500, "CUDA error: out of memory");
      const rank = (s: string) => (s.startsWith("B:") ? 2 : s.startsWith("A:") ? 1 : 0);
      return wellFormedJudge((r) => {
        const [one, two] = shownResponses(r);
        return isTurn2(r) && rank(two) > rank(one) ? 2 : 1;
      })(req, res, k);
    });
  });
  after(() => server.close());

  const endpoint = () => ["--backend", "openai", "--endpoint", server.baseURL, "--model", "test-model", "--no-cache", "--retries", "0"];
  const evalRun = (input: string, ...args: string[]) => runCli(CLI, ["eval", input, "--out", out(), "--quiet", ...endpoint(), ...args]);
  const lastLines = (stderr: string) => stderr.trim().split("\n").filter((l) => l.startsWith("brrm: ")).join("\n");

  it("an empty file and a file of bad lines judge nothing: exit 5 with why, and no request is sent", async () => {
    const before = server.requests.length;
    const empty = await evalRun(write("empty.jsonl", []));
    assert.equal(empty.code, 5, empty.stderr);
    assert.match(lastLines(empty.stderr), /^brrm: No pair was judged: the input holds no pairs\. Check that the file is the one you meant\.$/);
    const bad = await evalRun(write("bad.jsonl", ["{oops", { prompt: "x" }, { prompt: "x", response1: "a", response2: "" }]), "--allow-bad-lines");
    assert.equal(bad.code, 5, "--allow-bad-lines does not make a run of bad lines pass");
    assert.match(lastLines(bad.stderr), /No pair was judged: all 3 lines of the input are bad \(listed above\)\. Fix them, then run again\./);
    assert.match(bad.stderr, /line 1: skipped, not valid JSON/);
    assert.equal(server.requests.length, before);
  });

  it("skipped bad lines exit 4 unless --allow-bad-lines; the good pairs are judged either way", async () => {
    const input = write("some-bad.jsonl", [...labelled([1, 1]), "not json"]);
    const strict = await evalRun(input, "--json-summary");
    assert.equal(strict.code, 4, strict.stderr);
    assert.match(lastLines(strict.stderr), /^brrm: 1 bad line was skipped \(listed above\)\. Fix them, or pass --allow-bad-lines to accept a run that skips them\.$/);
    assert.equal((JSON.parse(strict.stdout) as { run: RunStats }).run.finished, 2);
    const allowed = await evalRun(input, "--allow-bad-lines");
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.equal(lastLines(allowed.stderr), "");
  });

  it("--fail-under-accuracy compares the point estimate: 75% passes 70%, fails 80% with the interval shown", async () => {
    const input = write("acc.jsonl", labelled([1, 1, 1, 2]));
    const pass = await evalRun(input, "--fail-under-accuracy", "70%");
    assert.equal(pass.code, 0, pass.stderr);
    assert.match(lastLines(pass.stderr), /^brrm: Accuracy 75\.0% \(95% CI 30\.1%–95\.4%, n = 4\) meets --fail-under-accuracy 70\.0%\.$/);
    const fail = await evalRun(input, "--fail-under-accuracy", "0.8");
    assert.equal(fail.code, 6, fail.stderr);
    assert.match(lastLines(fail.stderr), /^brrm: Accuracy 75\.0% \(95% CI 30\.1%–95\.4%, n = 4\) is under --fail-under-accuracy 80\.0%\. Failing\.$/);
  });

  it("a gate that cannot be measured fails (no labels), and a gate outranks skipped lines", async () => {
    const unlabelled = await evalRun(write("nolabel.jsonl", [{ prompt: "Question 9?", response1: "a", response2: "b" }]), "--fail-under-accuracy", "0.5");
    assert.equal(unlabelled.code, 6, unlabelled.stderr);
    assert.match(lastLines(unlabelled.stderr), /--fail-under-accuracy 50\.0% cannot be checked: no pair in the results has a label\. Failing\./);
    const both = await evalRun(write("both.jsonl", [...labelled([2, 2]), "{"]), "--fail-under-accuracy", "0.9");
    assert.equal(both.code, 6, both.stderr);
    assert.match(lastLines(both.stderr), /is under --fail-under-accuracy[\s\S]*1 bad line was skipped/, "both reasons are given");
  });

  it("failed pairs exit 1 and say how to retry; that outranks a gate; a resume with nothing left exits 0", async () => {
    const input = write("fails.jsonl", [...labelled([1, 1]), { id: "f", prompt: "Question fail?", response1: "a", response2: "b", label: 1 }]);
    const file = out();
    const r = await runCli(CLI, ["eval", input, "--out", file, "--quiet", ...endpoint(), "--fail-under-accuracy", "0.99"]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /line 3: failed, .*server error \(500: CUDA error: out of memory\)/);
    assert.match(lastLines(r.stderr), /^brrm: 1 pair failed \(listed above\); run again with --resume to retry them\./);
    const done = await runCli(CLI, ["eval", write("fine.jsonl", labelled([1, 1])), "--out", file, "--resume", "--quiet", ...endpoint()]);
    assert.equal(done.code, 0, done.stderr);
  });

  it("a threshold that is not a share is a usage error (exit 2)", async () => {
    const r = await evalRun(write("u.jsonl", labelled([1])), "--fail-under-accuracy", "80");
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--fail-under-accuracy must be a fraction from 0 to 1 \(0\.8\) or a percentage \(80%\), got "80"/);
  });

  describe("brrm variants", () => {
    // B wins v0-v2 in both orders; v3's B output is unmarked, so A wins it in both: B's win rate 75%.
    const rows = [0, 1, 2, 3].map((i) => ({ id: `v${i}`, prompt: `Question ${i}?`, output_a: `A: answer ${i}.`, output_b: i < 3 ? `B: answer ${i}.` : `answer ${i}.` }));

    it("prints B's win rate over A as Markdown; --fail-under-win-rate passes at 70% and fails at 80% (exit 6)", async () => {
      const file = write("variants.jsonl", rows);
      const pass = await runCli(CLI, ["variants", file, "--quiet", ...endpoint(), "--fail-under-win-rate", "0.7"]);
      assert.equal(pass.code, 0, pass.stderr);
      assert.match(pass.stdout, /^# Prompt variants: output\\_b \(B\) over output\\_a \(A\) in variants\.jsonl\n/, "Markdown, with the field names escaped");
      assert.match(pass.stdout, /\*\*B's win rate over A: 75\.0% \(95% CI 30\.1%–95\.4%, n = 4\)\*\*/);
      assert.match(lastLines(pass.stderr), /^brrm: B's win rate over A 75\.0% .* meets --fail-under-win-rate 70\.0%\.$/);
      const fail = await runCli(CLI, ["variants", file, "--quiet", ...endpoint(), "--fail-under-win-rate", "80%", "--json"]);
      assert.equal(fail.code, 6, fail.stderr);
      const figures = JSON.parse(fail.stdout) as { summary: { bWinRate: { rate: number }; wins: { a: number; b: number } }; run: RunStats };
      assert.deepEqual([figures.summary.bWinRate.rate, figures.summary.wins.b, figures.summary.wins.a, figures.run.judgments], [0.75, 3, 1, 8]);
    });

    it("two files joined by id; unmatched lines exit 4 unless --allow-bad-lines; named fields", async () => {
      const a = write("a.jsonl", rows.map((r) => ({ id: r.id, prompt: r.prompt, output: r.output_a })));
      const b = write("b.jsonl", [...rows.slice(0, 3).map((r) => ({ id: r.id, prompt: r.prompt, output: r.output_b })), { id: "extra", prompt: "?", output: "x" }]);
      const joined = await runCli(CLI, ["variants", "--a", a, "--b", b, "--quiet", ...endpoint()]);
      assert.equal(joined.code, 4, joined.stderr);
      assert.match(joined.stderr, /a\.jsonl, line 4: not compared, id v3 is not in b\.jsonl/);
      assert.match(joined.stdout, /B's win rate over A: 100\.0%/);
      const allowed = await runCli(CLI, ["variants", "--a", a, "--b", b, "--quiet", ...endpoint(), "--allow-bad-lines"]);
      assert.equal(allowed.code, 0, allowed.stderr);
      const odd = write("odd.jsonl", rows.map((r) => ({ q: r.prompt, left: r.output_a, right: r.output_b })));
      const unnamed = await runCli(CLI, ["variants", odd, ...endpoint()]);
      assert.equal(unnamed.code, 2);
      assert.match(unnamed.stderr, /cannot tell which fields hold the input and the two outputs \(the lines have: q, left, right\)\. Name them with --prompt-field, --a-field and --b-field\./);
      const named = await runCli(CLI, ["variants", odd, "--prompt-field", "q", "--a-field", "left", "--b-field", "right", "--quiet", ...endpoint()]);
      assert.equal(named.code, 0, named.stderr);
    });

    it("nothing to compare exits 5 without starting a backend", async () => {
      const r = await runCli(CLI, ["variants", write("novariants.jsonl", [{ prompt: "x", output_a: "a", output_b: "" }]), "--endpoint", "http://127.0.0.1:9/v1", "--backend", "openai"]);
      assert.equal(r.code, 5, r.stderr);
      assert.match(r.stderr, /No pair was judged: the input's only line is bad/);
    });
  });
});
