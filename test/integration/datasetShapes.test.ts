// Public preference data, as it is published (JSONL, gzip, JSON arrays, parquet, a folder of
// them), through `brrm eval` (dist/cli.js, the shipped bundle) to a judge: the turn-1 prompt
// each comparison sent is read back where the judge received it, and its Context must hold the
// record's conversation and neither response. The judge is a protocol server whose received
// requests the test reads, and once a real llama-server (on the tiny model) behind a
// recording proxy.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import type { PairResult } from "../../src/core/dataset";
import type { Summary } from "../../src/core/stats";
import { formatContext } from "../../src/core/prompts";
import { csvRows } from "../support/csv";
import { CLI, tempDir } from "../support/fixtures";
import { runCli, tinyServer } from "../support/openaiHelpers";
import { startProtocolServer, startRecordingProxy, wellFormed, type Recorded, type TestServer } from "../support/openaiProtocol";
import { SHAPES, writeShapeFile, type PublishedShape } from "../support/publishedShapes";

interface Shown {
  context: string;
  response1: string;
  response2: string;
}

/** The parts of a turn-1 prompt (the model card's template) as the judge received them. */
function shownIn(request: Recorded): Shown {
  const messages = request.body?.messages as { role: string; content: string }[];
  assert.equal(messages.length, 1, "a turn-1 request is one user message");
  const text = messages[0].content;
  const between = (start: string, end: string) => {
    const from = text.indexOf(start);
    const to = text.indexOf(end, from + start.length);
    assert.ok(from >= 0 && to > from, `no ${JSON.stringify(start)} … ${JSON.stringify(end)} in the prompt`);
    return text.slice(from + start.length, to);
  };
  return {
    context: between("**Context:** \n", "\n\n**Responses:**\n"),
    response1: between("[The Begin of Response 1]\n", "\n[The End of Response 1]"),
    response2: between("[The Begin of Response 2]\n", "\n[The End of Response 2]"),
  };
}

const turn1Requests = (server: TestServer) => server.requests.filter((r) => r.path.endsWith("/chat/completions") && (r.body?.messages as unknown[]).length === 1);

/** Each case of the shapes was judged with exactly its conversation as the context, and no response in it. */
function assertContexts(shapes: PublishedShape[], shown: Shown[]): void {
  const cases = shapes.flatMap((s) => s.cases.map((c) => ({ ...c, shape: s.name })));
  assert.equal(shown.length, cases.length, "one turn-1 prompt per pair");
  for (const c of cases) {
    const mine = shown.filter((p) => new Set([p.response1, p.response2]).size === 2 && [p.response1, p.response2].sort().join("\u0000") === [...c.responses].sort().join("\u0000"));
    assert.equal(mine.length, 1, `${c.shape}, ${c.what}: its responses were shown once`);
    const [p] = mine;
    assert.equal(p.context, formatContext(c.context), `${c.shape}, ${c.what}: the Context is the conversation`);
    for (const r of c.responses) assert.ok(!p.context.includes(r), `${c.shape}, ${c.what}: a response is in the Context: ${JSON.stringify(r)}`);
  }
}

interface EvalOutput {
  summary: Summary;
  run: { finished: number; badLines: number };
  badLines: unknown[];
}

const readResults = (file: string): PairResult[] => fs.readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as PairResult);

describe("published dataset shapes through brrm eval: what the judge receives", () => {
  const dir = tempDir("brrm-shapes-");
  let server: TestServer;
  const judge = async () => (server ??= await startProtocolServer(wellFormed));
  after(async () => server?.close());
  const endpoint = (s: TestServer) => ["--backend", "openai", "--endpoint", s.baseURL, "--model", "brrm", "--no-cache", "--json-summary", "--quiet"];

  for (const shape of SHAPES) {
    it(`${shape.name} (${shape.file}): the Context holds the conversation and neither response; labels, ties and fields come through`, async () => {
      const s = await judge();
      s.requests.length = 0;
      const input = await writeShapeFile(path.join(dir, shape.name.replace(/\W+/g, "-")), shape);
      const out = `${input}.results.jsonl`;
      const r = await runCli(CLI, ["eval", input, "--out", out, ...(shape.map ? ["--map", Object.entries(shape.map).map(([k, v]) => `${k}=${v}`).join(",")] : []), ...endpoint(s)]);
      assert.equal(r.code, 0, r.stderr);
      const got = JSON.parse(r.stdout) as EvalOutput;
      assert.deepEqual([got.run.finished, got.run.badLines, got.badLines], [shape.cases.length, 0, []]);
      assertContexts([shape], turn1Requests(s).map(shownIn));

      const results = readResults(out);
      for (const c of shape.cases) {
        const res = results.find((x) => x.responses[0] === c.responses[0]);
        assert.ok(res, `${c.what}: a result`);
        assert.deepEqual([res.label, res.fields, res.prompt], [c.label, c.carried, c.context], `${c.what}: label, carried fields and context in the result`);
        assert.equal(res.correct, c.label === null || c.label === "tie" ? null : res.preferred === c.label);
      }
      const ties = shape.cases.filter((c) => c.label === "tie").length;
      assert.deepEqual([got.summary.pairs, got.summary.tieLabels, got.summary.labeled], [shape.cases.length, ties, shape.cases.filter((c) => c.label === 1 || c.label === 2).length]);
      assert.equal(got.summary.correct, results.filter((x) => x.correct === true).length);
    });
  }

  it("a folder of them all: sorted file order, keys naming the file, per-subset accuracy and tie counts, resume, and reports", async () => {
    const s = await judge();
    s.requests.length = 0;
    const folder = path.join(dir, "hub");
    const plain = SHAPES.filter((x) => !x.map);
    for (const shape of plain) await writeShapeFile(folder, shape, path.join("data", shape.file));
    fs.writeFileSync(path.join(folder, "README.md"), "# Dataset card\n");
    const out = path.join(dir, "hub.results.jsonl");
    const r = await runCli(CLI, ["eval", folder, "--out", out, ...endpoint(s)]);
    assert.equal(r.code, 0, r.stderr);
    const got = JSON.parse(r.stdout) as EvalOutput;
    const cases = plain.flatMap((x) => x.cases);
    assert.deepEqual([got.summary.pairs, got.run.badLines], [cases.length, 0]);
    assertContexts(plain, turn1Requests(s).map(shownIn));

    const results = readResults(out);
    const files = [...new Set(results.map((x) => x.file))].sort();
    assert.deepEqual(files, plain.map((x) => `data/${x.file}`).sort(), "every result names its file");
    assert.ok(results.every((x) => x.key.startsWith(`${x.file}:`)), "keys start with the file");
    assert.equal(new Set(results.map((x) => x.key)).size, results.length, "keys are unique across files");
    assert.ok(results.some((x) => x.key === "data/filtered-00000-of-00001.parquet:id:30"), "an id key");

    // The summary: tie labels judged but not counted; RewardBench's subsets each with their accuracy.
    const ties = results.filter((x) => x.label === "tie");
    assert.equal(got.summary.tieLabels, ties.length);
    assert.equal(got.summary.tieLabelSplit.response1 + got.summary.tieLabelSplit.response2 + got.summary.tieLabelSplit.tie + got.summary.tieLabelSplit.noVerdict, ties.length);
    assert.equal(got.summary.labeled, results.filter((x) => x.label === 1 || x.label === 2).length);
    const subsets = results.filter((x) => typeof x.fields.subset === "string");
    assert.deepEqual(
      got.summary.subsets.map((x) => [x.subset, x.labeled, x.correct]),
      [...new Set(subsets.map((x) => x.fields.subset as string))].sort().map((name) => [name, subsets.filter((x) => x.fields.subset === name).length, subsets.filter((x) => x.fields.subset === name && x.correct).length]),
    );

    // Resume: every key is found again, nothing is judged twice.
    const again = await runCli(CLI, ["eval", folder, "--out", out, "--resume", ...endpoint(s)]);
    assert.equal(again.code, 0, again.stderr);
    const resumed = JSON.parse(again.stdout) as EvalOutput & { resumed: number; run: { skipped: number; finished: number } };
    assert.deepEqual([resumed.resumed, resumed.run.skipped, resumed.run.finished], [cases.length, cases.length, 0]);

    const text = await runCli(CLI, ["eval", folder, "--out", path.join(dir, "hub2.results.jsonl"), "--quiet", ...endpoint(s).filter((a) => a !== "--json-summary")]);
    assert.match(text.stdout, new RegExp(`Labelled as ties: ${ties.length} pairs, not counted`));
    assert.match(text.stdout, /not counted in the accuracy; the judge preferred response 1 in \d+, response 2 in \d+, neither in \d+, no verdict in \d+/);
    assert.match(text.stdout, /Accuracy by subset:\n {2}alpacaeval-easy: [\d.]+% .*\n {2}math-prm: /);

    const md = await runCli(CLI, ["report", out]);
    assert.match(md.stdout, /## Subsets\n\n\| Subset \| Pairs \| Labelled \| Right \| Accuracy \|\n.*\n\| alpacaeval-easy \| 1 \| 1 \|/);
    assert.match(md.stdout, new RegExp(`- Labelled as ties: ${ties.length} pairs`));
    const html = await runCli(CLI, ["report", out, "--format", "html"]);
    assert.match(html.stdout, /<h2>Subsets<\/h2><table><thead><tr><th>Subset<\/th>/);
    const [header, ...rows] = csvRows((await runCli(CLI, ["report", out, "--format", "csv"])).stdout);
    assert.equal(rows.length, cases.length);
    const row = rows.find((r) => r[header.indexOf("subset")] === "math-prm");
    assert.equal(row?.[header.indexOf("file")], "data/filtered-00000-of-00001.parquet");
    assert.equal(rows.filter((r) => r[header.indexOf("label")] === "tie").length, ties.length, "tie labels in the CSV");
  });

  it("on a real llama-server (tiny model) behind a recording proxy: parquet and gzip conversations, the same Context", { timeout: 600_000 }, async () => {
    const picked = SHAPES.filter((x) => x.name === "UltraFeedback binarized" || x.name === "HH-RLHF" || x.name === "MT-Bench human judgments");
    const folder = path.join(dir, "real");
    for (const shape of picked) await writeShapeFile(folder, shape);
    const llama = await tinyServer();
    const proxy = await startRecordingProxy(llama.baseURL);
    try {
      const out = path.join(dir, "real.results.jsonl");
      const r = await runCli(CLI, ["eval", folder, "--out", out, "--backend", "openai", "--endpoint", proxy.baseURL, "--constrained", "--seed", "3", "--max-tokens", "1024", "--no-cache", "--json-summary", "--quiet"]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal((JSON.parse(r.stdout) as EvalOutput).run.finished, picked.flatMap((x) => x.cases).length);
      assertContexts(picked, turn1Requests(proxy).map(shownIn));
      assert.ok(readResults(out).every((x) => x.orders[0].samples[0].judgment.backend === "openai"));
    } finally {
      await proxy.close();
      await llama.stop();
    }
  });
});
