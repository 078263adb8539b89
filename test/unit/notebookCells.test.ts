// The pair-notebook cell format and line format, without an editor: every record shape reads
// into a cell and an unedited cell writes back the same bytes; edits land in the right field
// and nothing else moves; text that looks like the format's own headers survives.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mergeCell, parseCell, recordSections, recordToCell, responseTitles } from "../../src/extension/notebook/cellFormat";
import { carriedFields, NOTE_FIELD, pairFromRecord, RESULT_FIELD } from "../../src/core/records";
import { formatContext } from "../../src/core/prompts";
import { SHAPES } from "../support/publishedShapes";
import { cellPair, cellRecord, pairHash, readPairLines, writePairLines, type CellToWrite, type LineCell, type StoredOutcome } from "../../src/extension/notebook/pairLines";

/** The cells as the serializer would hand them back unedited. */
const unedited = (cells: LineCell[]): CellToWrite[] =>
  cells.map((c) => (c.kind === "pair" ? { kind: "pair", text: c.text, line: c.line, ...(c.outcome ? { outcome: c.outcome } : {}) } : c));

describe("notebook cell format", () => {
  it("shows a plain pair as three sections named after its fields", () => {
    const text = recordToCell({ prompt: "What is 17 * 24?", response1: "408.", response2: "418." });
    assert.equal(text, "## Prompt\nWhat is 17 * 24?\n\n## Response 1\n408.\n\n## Response 2\n418.");
    assert.deepEqual(parseCell(text), [
      { title: "Prompt", text: "What is 17 * 24?" },
      { title: "Response 1", text: "408." },
      { title: "Response 2", text: "418." },
    ]);
  });

  it("names preference and arena data by their own fields, and a chat context by role", () => {
    assert.deepEqual(recordSections({ prompt: "p", chosen: "c", rejected: "r" }).map((s) => s.title), ["Prompt", "Chosen", "Rejected"]);
    assert.deepEqual(recordSections({ question: "q", response_a: "a", response_b: "b" }).map((s) => s.title), ["Question", "Response A", "Response B"]);
    const chat = recordSections({ messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "2+2?" }], response1: "4", response2: "5" });
    assert.deepEqual(chat, [
      { title: "System", text: "Be brief." },
      { title: "User", text: "2+2?" },
      { title: "Response 1", text: "4" },
      { title: "Response 2", text: "5" },
    ]);
    assert.deepEqual(responseTitles(recordToCell({ prompt: "p", chosen: "c", rejected: "r" })), ["Chosen", "Rejected"]);
  });

  it("keeps text that looks like a header, backslashes, blank lines and trailing newlines", () => {
    const tricky = "Line one\n## Response 2\n\\## Response 1\n\n\nend\n";
    const record = { prompt: "## Prompt", response1: tricky, response2: "\n\nstarts blank" };
    const text = recordToCell(record);
    assert.match(text, /^\\## Response 2$/m, "a header line inside a text is escaped");
    const back = mergeCell(record, text);
    assert.deepEqual(back, record);
    // The same through a fresh record (a new cell typed by the user).
    assert.deepEqual(mergeCell({}, text), record);
  });

  it("writes an edit into its field only, keeping unknown fields and their order", () => {
    const original = { id: "x1", meta: { source: "arena", n: 3 }, prompt: "p", response1: "old", response2: "b", label: 2, extra: [1, 2] };
    const text = recordToCell(original).replace("old", "new text");
    const merged = mergeCell(original, text);
    assert.deepEqual(merged, { ...original, response1: "new text" });
    assert.deepEqual(Object.keys(merged), Object.keys(original));
  });

  it("edits chat contexts in their own spelling (OpenAI or ShareGPT) and responses given as conversations", () => {
    const sharegpt = { conversations: [{ from: "human", value: "2+2?", weight: 1 }], chosen: "4", rejected: "5" };
    const edited = mergeCell(sharegpt, recordToCell(sharegpt).replace("2+2?", "3+3?"));
    assert.deepEqual(edited.conversations, [{ from: "human", value: "3+3?", weight: 1 }]);

    const hh = {
      chosen: [{ role: "user", content: "2+2?" }, { role: "assistant", content: "4" }],
      rejected: [{ role: "user", content: "2+2?" }, { role: "assistant", content: "5" }],
    };
    const text = recordToCell(hh);
    assert.equal(text, "## User\n2+2?\n\n## Chosen\n4\n\n## Rejected\n5");
    const merged = mergeCell(hh, text.replace("2+2?", "1+1?").replace("## Chosen\n4", "## Chosen\n2"));
    assert.deepEqual(merged, {
      chosen: [{ role: "user", content: "1+1?" }, { role: "assistant", content: "2" }],
      rejected: [{ role: "user", content: "1+1?" }, { role: "assistant", content: "5" }],
    });
  });

  it("an edited response also changes a messages copy of it, which would otherwise read as context", () => {
    const record = { prompt: "2+2?", chosen: "4", rejected: "5", messages: [{ role: "user", content: "2+2?" }, { role: "assistant", content: "4" }] };
    const merged = mergeCell(record, recordToCell(record).replace("## Chosen\n4", "## Chosen\nFour."));
    assert.deepEqual(merged.messages, [{ role: "user", content: "2+2?" }, { role: "assistant", content: "Four." }]);
    const back = pairFromRecord(merged);
    assert.ok(back.ok);
    assert.deepEqual([back.record.prompt, back.record.responses], [[{ role: "user", content: "2+2?" }], ["Four.", "5"]]);
  });

  it("reads a pair typed from scratch, with or without the Prompt header", () => {
    assert.deepEqual(mergeCell({}, "Capital of France?\n\n## Response 1\nParis\n\n## Response 2\nLyon"), { prompt: "Capital of France?", response1: "Paris", response2: "Lyon" });
    assert.deepEqual(mergeCell({}, "## Prompt\np\n\n## Chosen\nc\n\n## Rejected\nr"), { prompt: "p", chosen: "c", rejected: "r" });
  });
});

describe("notebook cells of the published shapes", () => {
  const cases = SHAPES.filter((s) => !s.map).flatMap((s) => s.cases.map((c) => ({ ...c, name: `${s.name}, ${c.what}` })));
  const reread = (record: Record<string, unknown>) => {
    const r = pairFromRecord(record);
    assert.ok(r.ok, r.ok ? "" : r.reason);
    return r.record;
  };

  it("show the context turns and the two responses the judge sees", () => {
    for (const c of cases) {
      const sections = recordSections(c.record);
      const context = sections.slice(0, -2);
      assert.equal(typeof c.context === "string" ? context[0].text : formatContext(context.map((x) => ({ role: x.title.toLowerCase() as "user", content: x.text }))), formatContext(c.context), c.name);
      assert.deepEqual(sections.slice(-2).map((x) => x.text), c.responses, c.name);
    }
  });

  it("write untouched lines back byte for byte", () => {
    // Spaced like Python's json.dumps, so a re-serialized line would differ.
    const text = `${cases.map((c) => JSON.stringify(c.record).replace(/,"/g, ', "').replace(/":/g, '": ')).join("\n")}\n`;
    const cells = readPairLines(text);
    assert.deepEqual(cells.map((c) => c.kind), cases.map(() => "pair"));
    assert.equal(writePairLines(unedited(cells)), text);
  });

  it("write an edited response back into the record's own shape, keeping its other fields, its context and its label", () => {
    for (const c of cases) {
      const text = recordToCell(c.record);
      const edited = text.replace(`\n${c.responses[0]}`, "\nAn edited first answer.");
      assert.notEqual(edited, text, c.name);
      const merged = mergeCell(c.record, edited);
      const back = reread(merged);
      assert.deepEqual(back.responses, ["An edited first answer.", c.responses[1]], c.name);
      assert.deepEqual([back.prompt, back.label], [c.context, c.label], c.name);
      assert.deepEqual(carriedFields(merged), c.carried, c.name);
      for (const [k, v] of Object.entries(c.record)) assert.equal(typeof merged[k], typeof v, `${c.name}: ${k} keeps its type`);
      assert.deepEqual(Object.keys(merged), Object.keys(c.record), `${c.name}: no field added or dropped`);
    }
  });

  it("write an edited first turn into every place that holds it (both conversations, a prompt or messages restating it)", () => {
    for (const c of cases.filter((x) => Array.isArray(x.context))) {
      const first = (c.context as { content: string }[])[0].content;
      const merged = mergeCell(c.record, recordToCell(c.record).replace(`\n${first}\n`, "\nAn edited first turn.\n"));
      const back = reread(merged);
      assert.equal((back.prompt as { content: string }[])[0].content, "An edited first turn.", c.name);
      assert.deepEqual([back.responses, back.label], [c.responses, c.label], c.name);
      assert.ok(!JSON.stringify(merged).includes(JSON.stringify(first).slice(1, -1)) || first === "An edited first turn.", `${c.name}: no copy of the old turn is left`);
    }
  });
});

describe("notebook lines", () => {
  const outcome: StoredOutcome = {
    pairHash: "abc",
    result: { key: "id:1", id: "1", line: 1, label: 1, preference: false, orders: [{ order: "AB", preferred: 1, votes: { response1: 1, response2: 0, none: 0 }, samples: [] }], preferred: 1, consistent: null, correct: true },
  };

  it("writes an unedited file back byte for byte (numbers, escapes, unknown fields, bad lines)", () => {
    const text = [
      '{"id": 1, "prompt": "caf\\u00e9", "response1": "a", "response2": "b", "score": 1.0, "big": 12345678901234567890}',
      "not json at all",
      '{"unrelated": true}',
      '{"prompt": "p", "chosen": "c", "rejected": "r", "meta": {"k": [1, 2]}}',
      `{"${NOTE_FIELD}":"# Notes\\nabout the set"}`,
      "",
    ].join("\n");
    const cells = readPairLines(text);
    assert.deepEqual(cells.map((c) => c.kind), ["pair", "raw", "raw", "pair", "markdown"]);
    assert.equal(writePairLines(unedited(cells)), text);
  });

  it("keeps the judgment in the line under one key and reads it back", () => {
    const line = '{"id": "1", "prompt": "p", "response1": "a", "response2": "b", "label": 1}';
    const [cell] = readPairLines(line);
    assert.equal(cell.kind, "pair");
    const written = writePairLines([{ kind: "pair", text: cell.text, line, outcome }]);
    const value = JSON.parse(written) as Record<string, unknown>;
    assert.deepEqual(value[RESULT_FIELD], outcome);
    assert.deepEqual(Object.keys(value), ["id", "prompt", "response1", "response2", "label", RESULT_FIELD]);
    const [again] = readPairLines(written);
    assert.ok(again.kind === "pair");
    assert.deepEqual(again.outcome, outcome);
    assert.equal(again.text, cell.text, "the stored judgment is not part of the editable text");
    // Cleared outputs remove it again.
    assert.equal(writePairLines([{ kind: "pair", text: again.text, line: again.line }]).trim(), JSON.stringify(JSON.parse(line)));
  });

  it("a pair cell is a pair for the judge, with its hash changing when the text does", () => {
    const line = '{"id": 7, "prompt": "p", "response1": "a", "response2": "b", "tag": "t"}';
    const [cell] = readPairLines(line);
    assert.ok(cell.kind === "pair");
    const pair = cellPair(cell.text, line);
    assert.ok(pair.ok);
    assert.deepEqual(pair.record, { prompt: "p", responses: ["a", "b"], label: null, preference: false, id: "7" });
    assert.deepEqual(pair.fields, { tag: "t" });
    const edited = cellPair(cell.text.replace("\na\n", "\nA\n"), line);
    assert.ok(edited.ok);
    assert.notEqual(pairHash(edited.record), pairHash(pair.record));
    const empty = cellPair("## Prompt\np\n\n## Response 1\n\n\n## Response 2\nb", undefined);
    assert.ok(!empty.ok);
    assert.match(empty.reason, /"response1" is empty/);
    assert.deepEqual(cellRecord("", undefined), {});
  });

  it("drops empty new cells and joins a multi-line JSON cell onto one line", () => {
    assert.equal(writePairLines([{ kind: "pair", text: "" }, { kind: "raw", text: '{\n  "a": 1\n}' }, { kind: "markdown", text: "  " }]), '{"a":1}\n');
  });
});
