// `brrm eval` and `brrm report` as users run them: dist/cli.js in a subprocess on the tiny model
// (constrained, so every comparison ends with a verdict). A comparison takes about ten seconds
// here, so the tests share one result cache: pairs judged by an earlier test come back from it,
// and each test pays only for the comparisons it is about.

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import { seededOrder, type PairResult } from "../../src/core/dataset";
import type { RunStats } from "../../src/core/evaluate";
import type { Summary } from "../../src/core/stats";
import { CLI, tempDir, tinyModel } from "../support/fixtures";

const TINY_FLAGS = ["--threads", "1", "--context-size", "4096", "--gpu", "off", "--constrained", "--seed", "11"];

const P1 = { id: "p1", prompt: `Is <script>alert("x")</script> safe & "fine"?`, response1: "No: it runs code.", response2: "Yes.", label: 1, source: "handwritten", difficulty: 3 };
const SHAPES = [
  JSON.stringify(P1),
  JSON.stringify({ prompt: "Capital of France?", chosen: "Paris.", rejected: "Lyon." }),
  "{not json",
  JSON.stringify({ id: 7, question: "Say hi politely.", response_a: "Go away.", response_b: "Hello!", winner: "model_b" }),
  "",
  JSON.stringify({ prompt: "Name a colour.", response1: "Blue" }),
  JSON.stringify({ messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "2+2?" }], response1: "5", response2: "4", label: "2" }),
  JSON.stringify({ prompt: "x", response1: "   ", response2: "y" }),
  JSON.stringify({ conversations: [{ from: "human", value: "Largest planet?" }], chosen: "Jupiter.", rejected: "Mars." }),
  JSON.stringify({ prompt: "x", response1: 3, response2: "y" }),
  JSON.stringify({ id: "p1", prompt: "again", response1: "a", response2: "b" }),
];
/** Line numbers and reasons of the bad lines above. */
const BAD = [
  [3, /not valid JSON/],
  [6, /missing "response2"/],
  [8, /"response1" is empty/],
  [10, /"response1" must be text or a list of messages, got number/],
  [11, /duplicate id "p1" \(first on line 1\)/],
] as const;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function brrm(args: string[]): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const readResults = (file: string): PairResult[] =>
  fs.readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as PairResult);

const byKey = (results: PairResult[]) => new Map(results.map((r) => [r.key, r]));

const samplesOf = (r: PairResult) => r.orders.flatMap((o) => o.samples);

function summaryOf(run: Run): { summary: Summary; run: RunStats; resumed: number; modelLoaded: boolean } {
  assert.ok(run.stdout.trim().startsWith("{"), `expected a JSON summary, got:\n${run.stdout}\n${run.stderr}`);
  return JSON.parse(run.stdout) as { summary: Summary; run: RunStats; resumed: number; modelLoaded: boolean };
}

/**
 * Starts `brrm` and, once `file` holds `lines` complete lines (and stderr passes `ready`), sends
 * `signal`; resolves when it exits, with the time from the signal to the exit.
 */
function runUntilLines(
  args: string[],
  file: string,
  lines: number,
  signal: NodeJS.Signals,
  ready: (stderr: string) => boolean = () => true,
): Promise<Run & { linesAtSignal: string; signal: NodeJS.Signals | null; exitMs: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let linesAtSignal = "";
    let signalled = 0;
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const poll = setInterval(() => {
      const text = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
      if (text.split("\n").length - 1 >= lines && ready(stderr)) {
        clearInterval(poll);
        linesAtSignal = text;
        signalled = Date.now();
        child.kill(signal);
      }
    }, 20);
    const timer = setTimeout(() => child.kill("SIGKILL"), 300_000);
    child.on("error", reject);
    child.on("close", (code, sig) => {
      clearInterval(poll);
      clearTimeout(timer);
      resolve({ code, signal: sig, stdout, stderr, linesAtSignal, exitMs: Date.now() - signalled });
    });
  });
}

describe("brrm eval and brrm report on the tiny model", () => {
  const dir = tempDir();
  const cache = path.join(dir, "cache");
  const file = (name: string, lines?: string[]) => {
    const f = path.join(dir, name);
    if (lines) fs.writeFileSync(f, `${lines.join("\n")}\n`);
    return f;
  };
  let flags: string[];
  before(async () => {
    flags = ["--model", await tinyModel(), ...TINY_FLAGS, "--cache-dir", cache];
  });

  const shapesFile = () => file("shapes.jsonl", SHAPES);
  let first: PairResult[];

  it("reads every record shape, reports bad lines by number and skips them, writes one result per pair", () => {
    const out = file("shapes.out.jsonl");
    const r = brrm(["eval", shapesFile(), "--out", out, "--concurrency", "3", "--json-summary", ...flags]);
    assert.equal(r.code, 4, `bad lines were skipped: exit 4 without --allow-bad-lines\n${r.stderr}`);
    assert.match(r.stderr, /brrm: 5 bad lines were skipped \(listed above\)\. Fix them, or pass --allow-bad-lines/);
    for (const [line, reason] of BAD) {
      const l = r.stderr.split("\n").find((s) => s.startsWith(`line ${line}: skipped, `));
      assert.ok(l, `no report of bad line ${line} in:\n${r.stderr}`);
      assert.match(l, reason);
    }
    const { summary, run, modelLoaded } = summaryOf(r);
    assert.deepEqual([run.finished, run.badLines, run.judgments, run.cachedJudgments, run.failed, modelLoaded], [5, 5, 5, 0, 0, true]);

    first = readResults(out);
    const got = byKey(first);
    assert.deepEqual([...got.keys()].sort(), ["id:7", "id:p1", "line:2", "line:7", "line:9"]);
    const p1 = got.get("id:p1")!;
    assert.deepEqual([p1.line, p1.id, p1.label, p1.preference, p1.prompt, p1.responses], [1, "p1", 1, false, P1.prompt, [P1.response1, P1.response2]]);
    assert.deepEqual(p1.fields, { source: "handwritten", difficulty: 3 }, "other fields are carried");
    assert.deepEqual([got.get("id:7")!.label, got.get("id:7")!.responses], [2, ["Go away.", "Hello!"]]);
    assert.deepEqual(got.get("line:7")!.prompt, [{ role: "system", content: "Be brief." }, { role: "user", content: "2+2?" }]);
    for (const key of ["line:2", "line:9"]) {
      const pref = got.get(key)!;
      assert.deepEqual([pref.preference, pref.label], [true, 1], "chosen is response 1 and the label");
      assert.equal(pref.orders[0].order, seededOrder(key, 0), "shown in the seeded order, which is recorded");
    }
    for (const res of first) {
      assert.equal(res.orders.length, 1);
      const [s] = samplesOf(res);
      assert.ok(s.judgment.verdict === 1 || s.judgment.verdict === 2, "constrained mode always yields a verdict");
      assert.equal(s.cached, false);
      const shownFirstIsRecord1 = res.orders[0].order === "AB";
      assert.equal(res.preferred, shownFirstIsRecord1 ? s.judgment.verdict : 3 - s.judgment.verdict!);
      assert.equal(res.correct, res.preferred === res.label);
    }
    assert.equal(summary.pairs, 5);
    assert.equal(summary.labeled, 5);
    assert.equal(summary.correct, first.filter((x) => x.correct).length);
    assert.equal(summary.wins.response1, first.filter((x) => x.preferred === 1).length);
    assert.equal(summary.judgments, 5);
  });

  let extended: string;
  it("answers identical requests from the cache (and says so); adding pairs costs only the new ones", () => {
    const again = brrm(["eval", shapesFile(), "--out", file("again.out.jsonl"), "--concurrency", "3", "--json-summary", "--allow-bad-lines", ...flags]);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual([summaryOf(again).run.judgments, summaryOf(again).run.cachedJudgments], [0, 5]);
    assert.equal(summaryOf(again).modelLoaded, false, "nothing to judge: the model is never loaded");
    const before = byKey(first);
    for (const r of readResults(file("again.out.jsonl"))) {
      const [s] = samplesOf(r);
      assert.equal(s.cached, true);
      assert.deepEqual(s.judgment, samplesOf(before.get(r.key)!)[0].judgment);
    }

    // The same pair under another id and label, and one new pair.
    const copy = { ...P1, id: "p1-copy", label: 2 };
    extended = file("extended.jsonl", [...SHAPES, JSON.stringify(copy), JSON.stringify({ id: "new", prompt: "Spell 'cat'.", response1: "c-a-t", response2: "k-a-t", label: 1 })]);
    const more = brrm(["eval", extended, "--out", file("extended.out.jsonl"), "--concurrency", "2", "--json-summary", "--allow-bad-lines", ...flags]);
    assert.equal(more.code, 0, more.stderr);
    const { run } = summaryOf(more);
    assert.deepEqual([run.finished, run.judgments, run.cachedJudgments], [7, 1, 6]);
    const results = byKey(readResults(file("extended.out.jsonl")));
    assert.equal(samplesOf(results.get("id:new")!)[0].cached, false);
    assert.equal(samplesOf(results.get("id:p1-copy")!)[0].cached, true);
  });

  it("--strict stops at the first bad line and keeps what finished before it", () => {
    const data = file("strict.jsonl", [JSON.stringify(P1), "{not json", JSON.stringify({ prompt: "p", response1: "a", response2: "b" })]);
    const out = file("strict.out.jsonl");
    const r = brrm(["eval", data, "--out", out, "--strict", ...flags]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /Line 2: not valid JSON .*run without --strict/);
    assert.deepEqual(readResults(out).map((x) => x.key), ["id:p1"]);
  });

  it("a model that cannot load stops the run with its own message", () => {
    const data = file("nomodel.jsonl", [JSON.stringify(P1), JSON.stringify({ prompt: "p", response1: "a", response2: "b" })]);
    const out = file("nomodel.out.jsonl");
    const missing = path.join(dir, "missing.gguf");
    const r = brrm(["eval", data, "--out", out, ...flags, "--model", missing]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /Model file not found: .*missing\.gguf/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    assert.equal(fs.readFileSync(out, "utf8"), "");
  });

  it("--swap --samples 3: both orders, three samples each, a majority with the split kept", () => {
    const pair = { prompt: "Which is heavier, a kilo of iron or a kilo of feathers?", response1: "They weigh the same.", response2: "Iron.", label: 1 };
    const out = file("swap.out.jsonl");
    const r = brrm(["eval", file("swap.jsonl", [JSON.stringify(pair)]), "--out", out, "--swap", "--samples", "3", "--concurrency", "3", "--json-summary", ...flags]);
    assert.equal(r.code, 0, r.stderr);
    const [res] = readResults(out);
    assert.deepEqual(res.orders.map((o) => [o.order, o.samples.length]), [["AB", 3], ["BA", 3]]);
    const recordSide = (order: string, v: number) => (order === "AB" ? v : 3 - v);
    for (const o of res.orders) {
      const sides = o.samples.map((s) => recordSide(o.order, s.judgment.verdict!));
      const votes = { response1: sides.filter((s) => s === 1).length, response2: sides.filter((s) => s === 2).length, none: 0 };
      assert.deepEqual(o.votes, votes);
      assert.equal(o.preferred, votes.response1 > votes.response2 ? 1 : 2);
      assert.ok(new Set(o.samples.map((s) => s.judgment.raw.turn1)).size > 1, "each sample has its own seed");
    }
    const [ab, ba] = res.orders.map((o) => o.preferred);
    assert.equal(res.consistent, ab === ba);
    assert.equal(res.preferred, ab === ba ? ab : null);
    assert.equal(res.correct, res.preferred === 1);
    const { summary, run } = summaryOf(r);
    assert.deepEqual([run.judgments, summary.swapped, summary.consistent + summary.inconsistent], [6, 1, 1]);
    assert.match(brrm(["report", out]).stdout, new RegExp(`Consistency after swap: ${res.consistent ? "100\\.0" : "0\\.0"}%`));

    // The swapped order is the reversed pair, sample for sample: judging the reversed pair is answered from the cache.
    const reversed = { ...pair, response1: pair.response2, response2: pair.response1 };
    const rev = brrm(["eval", file("reversed.jsonl", [JSON.stringify(reversed)]), "--out", file("reversed.out.jsonl"), "--samples", "3", "--json-summary", ...flags]);
    assert.deepEqual([summaryOf(rev).run.judgments, summaryOf(rev).run.cachedJudgments], [0, 3]);
    const [revResult] = readResults(file("reversed.out.jsonl"));
    assert.deepEqual(revResult.orders[0].samples.map((s) => s.judgment.verdict), res.orders[1].samples.map((s) => s.judgment.verdict));
  });

  it("resumes after the process is killed mid-run: no duplicates, nothing finished lost", async () => {
    // p1 and the arena pair come from the cache; the middle one is judged, and the kill lands there.
    const data = file("resume.jsonl", [JSON.stringify(P1), JSON.stringify({ id: "slow", prompt: "Name a prime.", response1: "9", response2: "7", label: 2 }), SHAPES[3]]);
    const out = file("resume.out.jsonl");
    const args = ["eval", data, "--out", out, "--concurrency", "1", ...flags];
    const killed = await runUntilLines(args, out, 1, "SIGKILL");
    assert.equal(killed.signal, "SIGKILL");
    const kept = fs.readFileSync(out, "utf8");
    assert.equal(kept.split("\n").length - 1, 1, "killed while the second pair was being judged");
    // A write cut short is what a crash can leave: the resume must drop it, not choke on it.
    fs.appendFileSync(out, '{"key":"id:slow","id":"slow","li');

    const refused = brrm(args);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /already holds results\. Use --resume .* or --overwrite/);

    const resumed = brrm([...args, "--resume", "--json-summary"]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stderr, /removing a last line cut short by an earlier crash/);
    const { run, resumed: already } = summaryOf(resumed);
    assert.deepEqual([already, run.skipped, run.finished, run.judgments, run.cachedJudgments], [1, 1, 2, 1, 1]);
    const text = fs.readFileSync(out, "utf8");
    assert.ok(text.startsWith(kept), "the results written before the kill are untouched");
    const keys = readResults(out).map((r) => r.key);
    assert.deepEqual(keys.slice().sort(), ["id:7", "id:p1", "id:slow"]);

    const noop = brrm([...args, "--resume", "--json-summary"]);
    assert.deepEqual([summaryOf(noop).run.skipped, summaryOf(noop).run.finished], [3, 0]);
    assert.equal(fs.readFileSync(out, "utf8"), text, "a finished file is left as it is");
    const changed = brrm([...args, "--resume", "--swap"]);
    assert.equal(changed.code, 0, changed.stderr);
    assert.match(changed.stderr, /earlier results were judged with other --swap\/--samples settings \(1x1 orders x samples, now 2x1\)/);
  });

  it("Ctrl-C stops at once, keeps the finished pairs and says how to finish", async () => {
    const data = file("interrupt.jsonl", [JSON.stringify(P1), JSON.stringify({ id: "cut", prompt: "Name an even prime.", response1: "2", response2: "4", label: 1 })]);
    const out = file("interrupt.out.jsonl");
    // p1 comes from the cache at once; the model loads for the second pair, and the signal comes
    // a second into that comparison (the model is loaded only when a pair needs it).
    let loadedAt = 0;
    const generating = (stderr: string) => {
      if (!/Loading model: 100%/.test(stderr)) return false;
      loadedAt ||= Date.now();
      return Date.now() - loadedAt > 1000;
    };
    const r = await runUntilLines(["eval", data, "--out", out, ...flags], out, 1, "SIGINT", generating);
    assert.equal(r.code, 130, r.stderr);
    assert.ok(r.exitMs < 3000, `the comparison in flight was stopped, not waited for (exit ${r.exitMs} ms after the signal)`);
    assert.match(r.stderr, /stopped\. The 1 pairs finished in this run are in .*interrupt\.out\.jsonl; run the same command with --resume/);
    assert.deepEqual(readResults(out).map((x) => x.key), ["id:p1"]);
    assert.match(r.stdout, /This run: 1 pairs judged.*stopped before the end/);
  });

  it("brrm report: Markdown, HTML and CSV agree with the results file", () => {
    const results = file("extended.out.jsonl");
    const lines = readResults(results);
    const review = lines.filter((x) => x.correct === false || x.consistent === false);
    // p1 and its copy got the same verdict against opposite labels: one of them is to review.
    assert.notEqual(lines.find((x) => x.key === "id:p1")!.correct, lines.find((x) => x.key === "id:p1-copy")!.correct);

    const md = brrm(["report", results]);
    assert.equal(md.code, 0, md.stderr);
    assert.match(md.stdout, /- Pairs: 7 \(7 with a label\)/);
    const wins = [1, 2].map((n) => lines.filter((x) => x.preferred === n).length);
    assert.match(md.stdout, new RegExp(`- Wins: response 1 ${wins[0]}, response 2 ${wins[1]}, ties 0, no verdict 0`));
    assert.match(md.stdout, new RegExp(`- Accuracy against labels: [\\d.]+% .*; ${lines.filter((x) => x.correct).length} of 7 right`));
    assert.match(md.stdout, new RegExp(`## For review \\(${review.length}\\)`));
    assert.equal(md.stdout.match(/^### line /gm)?.length, review.length);

    const htmlFile = file("report.html");
    const html = brrm(["report", results, "--format", "html", "--out", htmlFile]);
    assert.equal(html.code, 0, html.stderr);
    assert.equal(html.stdout, "");
    const page = fs.readFileSync(htmlFile, "utf8");
    assert.doesNotMatch(page, /<script/i);
    assert.match(page, /Is &lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt; safe &amp; &quot;fine&quot;\?/);
    assert.equal(page.match(/<section>/g)?.length, review.length);

    const csv = brrm(["report", results, "--format", "csv"]);
    assert.equal(csv.code, 0, csv.stderr);
    const rows = csv.stdout.split("\r\n").filter(Boolean);
    assert.match(rows[0], /^key,id,line,label,preferred,correct,consistent,/);
    assert.deepEqual(rows.slice(1).map((row) => row.split(",")[0]).sort(), lines.map((x) => x.key).sort());

    const bad = brrm(["report", results, "--format", "pdf"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--format must be one of md, html, csv/);
  });
});
