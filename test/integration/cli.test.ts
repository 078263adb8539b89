// `brrm` as users run it: the built dist/cli.js in a subprocess.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import type { Judgment } from "../../src/core/judgment";
import { CLI, tempDir, tinyModel } from "../support/fixtures";
import { MARKDOWN_TURN1, MARKDOWN_TURN2 } from "../support/transcripts";

function brrm(args: string[], opts: { cli?: string; input?: string } = {}) {
  const r = spawnSync(process.execPath, [opts.cli ?? CLI, ...args], { encoding: "utf8", input: opts.input, timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const TINY_FLAGS = ["--threads", "1", "--context-size", "4096", "--gpu", "off"];
const PAIR_FLAGS = ["--prompt", "What is 2+2?", "--response1", "2+2=4", "--response2", "2+2=5"];

describe("brrm CLI", () => {
  let model: string;
  const dir = tempDir();
  before(async () => {
    model = await tinyModel();
  });

  it("compare --json prints the Judgment and exits 0 with a verdict; progress goes to stderr", () => {
    const r = brrm(["compare", ...PAIR_FLAGS, "--model", model, ...TINY_FLAGS, "--constrained", "--seed", "5", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as Judgment;
    assert.ok(j.verdict === 1 || j.verdict === 2);
    assert.equal(j.backend, "local");
    assert.ok(j.usage.turn1 && j.usage.turn2);
    assert.match(r.stderr, /Turn 1: \d+ prompt \+ \d+ generated tokens/);
    assert.match(r.stderr, /Turn 2: \d+ prompt \(\d+ cached\)/);
  });

  it("compare prints the judgment for people, reading @files", () => {
    const prompt = path.join(dir, "prompt.txt");
    fs.writeFileSync(prompt, "What is 2+2?");
    const r = brrm(["compare", "--prompt", `@${prompt}`, "--response1", "4", "--response2", "5", "--model", model, ...TINY_FLAGS, "--constrained", "--seed", "6"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Verdict: Response [12] is better\.\nFocus: /);
    assert.match(r.stdout, /Response 1.*\n Critical issues:/);
    assert.match(r.stdout, /Model: .* \(local\)/);
  });

  it("exits 3 when the model answers without a valid verdict, and still prints the JSON", () => {
    const r = brrm(["compare", ...PAIR_FLAGS, "--model", model, ...TINY_FLAGS, "--max-tokens", "6", "--seed", "1", "--json"]);
    assert.equal(r.code, 3, r.stderr);
    const j = JSON.parse(r.stdout) as Judgment;
    assert.equal(j.verdict, null);
    assert.ok(j.error?.code);
  });

  it("usage errors exit 2 with a message that names the problem", () => {
    const cases: [string[], RegExp][] = [
      [["compare", "--prompt", "p", "--response1", "a"], /--response2 is required/],
      [["compare", ...PAIR_FLAGS, "--temperature", "hot"], /--temperature must be a number, got "hot"/],
      [["compare", ...PAIR_FLAGS, "--gpu", "tpu"], /--gpu must be one of auto, cuda, vulkan, metal, off/],
      [["compare", "--prompt", "@/no/such/file", "--response1", "a", "--response2", "b"], /cannot read \/no\/such\/file \(ENOENT\)/],
      [["compare", "--nonsense"], /Unknown option '--nonsense'/],
      [["frobnicate"], /unknown command "frobnicate"/],
    ];
    for (const [args, message] of cases) {
      const r = brrm(args);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stdout, "");
    }
  });

  it("a missing model exits 1 with a clear message and no stack trace", () => {
    const r = brrm(["compare", ...PAIR_FLAGS, "--model", path.join(dir, "missing.gguf"), ...TINY_FLAGS]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Model file not found: .*missing\.gguf/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  it("parse reads saved transcripts without a model (exit 0), or exits 3 without a verdict", () => {
    const t1 = path.join(dir, "t1.txt");
    const t2 = path.join(dir, "t2.txt");
    fs.writeFileSync(t1, "[Quality Assessment Focus]\nLogical Reasoning\n[End of Quality Assessment Focus]\n[Quality Analysis for Response 1]\n- Critical Issues: None identified\n[End of Quality Analysis for Response 1]\n[Quality Analysis for Response 2]\n- Critical Issues: Wrong sum.\n[End of Quality Analysis for Response 2]");
    fs.writeFileSync(t2, "[The Begin of Ranking Score]\n\\boxed{1}\n[The End of Ranking Score]");
    const r = brrm(["parse", "--turn1", t1, "--turn2", t2, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as Judgment;
    assert.deepEqual([j.verdict, j.dimensions, j.issues.response2], [1, ["Logical Reasoning"], ["Wrong sum."]]);
    fs.writeFileSync(t2, "I cannot decide.");
    const none = brrm(["parse", "--turn1", t1, "--turn2", t2]);
    assert.equal(none.code, 3);
    assert.match(none.stdout, /^Verdict: none \(No \\boxed\{\.\.\.\} verdict in turn 2\.\)/);
  });

  it("the judgment for people shows the model's markdown as plain text; --json keeps it", () => {
    const t1 = path.join(dir, "md1.txt");
    const t2 = path.join(dir, "md2.txt");
    fs.writeFileSync(t1, MARKDOWN_TURN1);
    fs.writeFileSync(t2, MARKDOWN_TURN2);
    const r = brrm(["parse", "--turn1", t1, "--turn2", t2]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(
      r.stdout.includes(
        "Response 2\n Critical issues:\n  - Wrong arithmetic: states that 2+2=5.\n  - Gives no working, so the 5 cannot be checked.\n Analysis:\n  Accuracy-Critical hierarchy applied:\n  - Correctness: fails, 2+2=5 is false.\n  - Process: none shown.\n  The answer cannot be trusted.",
      ),
      r.stdout,
    );
    assert.ok(r.stdout.includes(" Analysis:\n  Accuracy-Critical hierarchy: Correctness > Process > Presentation.\n  1. Correctness: 2+2=4 is checked and right.\n  2. Process: direct."), r.stdout);
    assert.doesNotMatch(r.stdout, /\*\*|`/, "no markup left");
    const j = JSON.parse(brrm(["parse", "--turn1", t1, "--turn2", t2, "--json"]).stdout) as Judgment;
    assert.equal(j.issues.response2[0], "**Wrong arithmetic**: states that 2+2=5.");
  });

  it("--help, parse and usage errors never load the llama.cpp engine: they work from the bundle alone", () => {
    const alone = path.join(dir, "alone");
    fs.mkdirSync(alone);
    const cli = path.join(alone, "cli.js");
    fs.copyFileSync(CLI, cli);
    assert.equal(brrm(["--help"], { cli }).code, 0);
    assert.equal(brrm(["compare", "--help"], { cli }).code, 0);
    const t = path.join(dir, "t.txt");
    fs.writeFileSync(t, "[The Begin of Ranking Score]\n\\boxed{2}\n[The End of Ranking Score]");
    assert.equal(brrm(["parse", "--turn1", t, "--turn2", t], { cli }).code, 0);
    // The local backend itself needs the engine, and says how to get it.
    const r = brrm(["compare", ...PAIR_FLAGS, "--model", model], { cli });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /node-llama-cpp\) could not be loaded.*Run `npm install`/);
  });
});
