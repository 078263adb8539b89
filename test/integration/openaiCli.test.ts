// `brrm compare --backend openai` and `brrm models` as users run them: dist/cli.js in a
// subprocess against a real llama-server. The CLI is run from a copy of dist/cli.js alone in an
// empty folder, as it will be on a machine without node_modules: the openai package must be in
// the bundle, and node-llama-cpp (not there) must never load for this backend.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Judgment } from "../../src/core/judgment";
import { CLI, tempDir } from "../support/fixtures";
import { PAIR, runCli, tinyServer, type LlamaServer } from "../support/openaiHelpers";
import { startProtocolServer, streamCompletion } from "../support/openaiProtocol";

const PAIR_FLAGS = ["--prompt", PAIR.prompt, "--response1", PAIR.response1, "--response2", PAIR.response2];
const KEY = "sk-cli-test-9d8c7b6a5f4e";

/** No stack traces: every line of a failure is a `brrm` message. */
function assertCleanFailure(stderr: string): void {
  assert.ok(!/^\s+at /m.test(stderr), `stack trace on stderr:\n${stderr}`);
}

describe("brrm with --backend openai", () => {
  let server: LlamaServer;
  let keyed: LlamaServer;
  let cli: string;
  let cwd: string;
  const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => {
    const e: NodeJS.ProcessEnv = { ...process.env, ...extra };
    if (!("OPENAI_API_KEY" in extra)) delete e.OPENAI_API_KEY;
    return e;
  };
  const brrm = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => runCli(cli, args, { env: env(extraEnv), cwd });

  before(async () => {
    cwd = tempDir("brrm-cli-alone-");
    cli = path.join(cwd, "cli.js");
    fs.copyFileSync(CLI, cli);
    [server, keyed] = await Promise.all([tinyServer(), tinyServer(["--api-key", KEY])]);
  });
  after(async () => {
    await Promise.all([server?.stop(), keyed?.stop()]);
  });

  it("the copied CLI has nothing to load from: no node_modules above it", () => {
    for (let dir = cwd; ; dir = path.dirname(dir)) {
      assert.ok(!fs.existsSync(path.join(dir, "node_modules", "node-llama-cpp")), `node-llama-cpp reachable from ${dir}`);
      assert.ok(!fs.existsSync(path.join(dir, "node_modules", "openai")), `openai reachable from ${dir}`);
      if (path.dirname(dir) === dir) break;
    }
  });

  it("compare --json prints the Judgment and exits 0 with a verdict; progress on stderr", async () => {
    const r = await brrm(["compare", ...PAIR_FLAGS, "--backend", "openai", "--endpoint", server.baseURL, "--constrained", "--seed", "5", "--max-tokens", "1024", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as Judgment;
    assert.ok(j.verdict === 1 || j.verdict === 2);
    assert.equal(j.backend, "openai");
    assert.match(j.model, /\.gguf$/, "the server's only model, found by asking it");
    assert.match(r.stderr, /Turn 1: \d+ prompt \+ \d+ generated tokens/);
    assert.match(r.stderr, /Turn 2: \d+ prompt \(\d+ cached\)/);
  });

  it("compare --no-stream prints the judgment for people; no verdict exits 3", async () => {
    const r = await brrm(["compare", ...PAIR_FLAGS, "--backend", "openai", "--endpoint", server.baseURL, "--model", "brrm", "--seed", "6", "--max-tokens", "6", "--no-stream"]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stdout, /^Verdict: none \(/);
    assert.match(r.stdout, /Turn 1: \d+ prompt (\(\d+ cached\) )?\+ 6 generated tokens .*, stopped at max tokens/);
    assert.match(r.stdout, /Model: brrm \(openai\)/);
  });

  it("merges --extra into the request", async () => {
    const r = await brrm(["compare", ...PAIR_FLAGS, "--backend", "openai", "--endpoint", server.baseURL, "--max-tokens", "6", "--extra", '{"top_k":1}', "--json"]);
    assert.equal(r.code, 3, r.stderr);
    const j = JSON.parse(r.stdout) as Judgment;
    assert.equal(j.verdict, null);
    // top_k 1 is greedy: the same text whatever the seed.
    const again = await brrm(["compare", ...PAIR_FLAGS, "--backend", "openai", "--endpoint", server.baseURL, "--max-tokens", "6", "--extra", '{"top_k":1}', "--seed", "99", "--json"]);
    assert.equal((JSON.parse(again.stdout) as Judgment).raw.turn1, j.raw.turn1);
  });

  it("models lists what the endpoint serves, as lines or JSON", async () => {
    const r = await brrm(["models", "--endpoint", server.baseURL]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^\S+\.gguf\n$/);
    const json = await brrm(["models", "--endpoint", server.baseURL, "--json"]);
    assert.deepEqual(JSON.parse(json.stdout), [r.stdout.trim()]);
  });

  it("a stopped server: exit 1, one line on stderr with the next step", async () => {
    const stopped = await tinyServer();
    await stopped.stop();
    const r = await brrm(["compare", ...PAIR_FLAGS, "--backend", "openai", "--endpoint", stopped.baseURL, "--model", "m"]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    // Progress lines may come first; the failure is one line, the last.
    const failureLines = r.stderr.trim().split("\n").filter((l) => l.startsWith("brrm"));
    assert.equal(failureLines.length, 1, r.stderr);
    assert.match(failureLines[0], /^brrm compare: Cannot connect to http:\/\/127\.0\.0\.1:\d+\/v1: connection refused\. Start the server/);
    const models = await brrm(["models", "--endpoint", stopped.baseURL]);
    assert.equal(models.code, 1);
    assert.match(models.stderr, /^brrm models: Cannot connect to .*connection refused/);
    assertCleanFailure(r.stderr + models.stderr);
  });

  it("usage errors exit 2 and say what to change", async () => {
    const cases: [string[], RegExp][] = [
      [["--backend", "openai"], /needs --endpoint <base-url>/],
      [["--backend", "openai", "--endpoint", server.baseURL, "--top-k", "20"], /--extra '\{"top_k":20\}'/],
      [["--backend", "openai", "--endpoint", server.baseURL, "--threads", "2"], /--threads applies to the local backend only/],
      [["--backend", "openai", "--endpoint", server.baseURL, "--extra", "{top_k:1}"], /--extra is not valid JSON/],
      [["--backend", "openai", "--endpoint", server.baseURL, "--extra", '{"messages":[]}'], /may not set messages/],
      [["--backend", "openai", "--endpoint", server.baseURL, "--api-key-env", "BRRM_TEST_UNSET_VAR"], /environment variable BRRM_TEST_UNSET_VAR is not set/],
      [["--backend", "openai", "--endpoint", server.baseURL, "--timeout", "0"], /--timeout must be a number >= 1/],
      [["--endpoint", server.baseURL], /--endpoint applies to --backend openai only/],
      [["--backend", "remote"], /--backend must be one of local, openai/],
    ];
    for (const [flags, re] of cases) {
      const r = await brrm(["compare", ...PAIR_FLAGS, ...flags]);
      assert.equal(r.code, 2, `${flags.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, re);
    }
  });

  it("a key pasted into --api-key-env is refused without being echoed", async () => {
    const r = await brrm(["compare", ...PAIR_FLAGS, "--backend", "openai", "--endpoint", keyed.baseURL, "--api-key-env", KEY]);
    assert.equal(r.code, 2);
    assert.ok(!r.stderr.includes(KEY), r.stderr);
    assert.match(r.stderr, /NAME of an environment variable/);
  });

  it("the API key comes from the environment and is never printed, even with the package's debug log on", async () => {
    const wrong = await brrm(["compare", ...PAIR_FLAGS, "--backend", "openai", "--endpoint", keyed.baseURL, "--model", "m"], { OPENAI_API_KEY: "sk-wrong-key-1234567", OPENAI_LOG: "debug" });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /rejected the API key \(401: Invalid API Key\)\. Put a valid key in the environment variable OPENAI_API_KEY\./);
    assert.ok(!(wrong.stdout + wrong.stderr).includes("sk-wrong-key-1234567"));
    assertCleanFailure(wrong.stderr);

    const missing = await brrm(["models", "--endpoint", keyed.baseURL]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /needs an API key .*OPENAI_API_KEY/);

    const right = await brrm(
      ["compare", ...PAIR_FLAGS, "--backend", "openai", "--endpoint", keyed.baseURL, "--api-key-env", "MY_BRRM_KEY", "--max-tokens", "8", "--json"],
      { MY_BRRM_KEY: KEY, OPENAI_LOG: "debug" },
    );
    assert.equal(right.code, 3, right.stderr);
    assert.ok(!(right.stdout + right.stderr).includes(KEY));
    assert.equal((JSON.parse(right.stdout) as Judgment).usage.turn1?.generatedTokens, 8);
  });

  it("Ctrl-C in the middle of a turn stops at once with exit 130", async () => {
    let interruptedAt = 0;
    const r = await runCli(cli, ["compare", ...PAIR_FLAGS, "--backend", "openai", "--endpoint", server.baseURL, "--max-tokens", "4000"], {
      env: env(),
      cwd,
      onStderr: (text, child) => {
        if (!interruptedAt && text.includes("Turn 1:")) {
          interruptedAt = Date.now();
          // Let a few tokens stream first.
          setTimeout(() => child.kill("SIGINT"), 200);
        }
      },
    });
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /brrm: cancelled\./);
    assert.ok(Date.now() - interruptedAt < 2000, `exited ${Date.now() - interruptedAt} ms after the first progress line`);
  });

  it("--constrained against a server that ignores the grammar warns on stderr; stdout stays JSON", async () => {
    const ignoring = await startProtocolServer((req, res) => {
      const turn2 = ((req.body?.messages ?? []) as unknown[]).length > 1;
      streamCompletion(res, turn2 ? "Response 1 is better. \\boxed{1}" : "Both give a time.");
    });
    try {
      const r = await brrm(["compare", ...PAIR_FLAGS, "--backend", "openai", "--endpoint", ignoring.baseURL, "--model", "m", "--constrained", "--json"]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal((JSON.parse(r.stdout) as Judgment).verdict, 1);
      assert.match(r.stderr, /^brrm: warning: http:\/\/127\.0\.0\.1:\d+\/v1 ignored the `grammar` field/m);
    } finally {
      await ignoring.close();
    }
  });

  it("help lists the endpoint flags", async () => {
    const r = await brrm(["compare", "--help"]);
    for (const flag of ["--endpoint", "--api-key-env", "--extra", "--timeout", "--retries", "--no-stream"]) assert.ok(r.stdout.includes(flag), flag);
    const top = await brrm(["--help"]);
    assert.match(top.stdout, /models\s+list the models an OpenAI-compatible endpoint serves/);
  });
});
