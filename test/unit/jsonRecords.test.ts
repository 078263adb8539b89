// "Compare Responses" on a record of a JSONL document, for every published shape: the record
// under the cursor gives the pair the judge sees, and each response's region in the document
// (where its diagnostics go) holds that response's text.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { recordAt, type TextRegion } from "../../src/extension/jsonRecords";
import { SHAPES } from "../support/publishedShapes";

/** The decoded text a region covers. */
function regionText(doc: string, r: TextRegion): string {
  return JSON.parse(`"${doc.slice(r.start, r.end)}"`) as string;
}

describe("Compare Responses on published records", () => {
  it("finds the pair under the cursor and puts each response's region on its text", () => {
    const cases = SHAPES.filter((s) => !s.map).flatMap((s) => s.cases.map((c) => ({ ...c, name: `${s.name}, ${c.what}` })));
    const doc = `${cases.map((c) => JSON.stringify(c.record)).join("\n")}\n`;
    let offset = 0;
    for (const c of cases) {
      const found = recordAt(doc, offset + 2, "jsonl");
      assert.ok(found.ok, `${c.name}: ${found.ok ? "" : found.reason}`);
      const { hit } = found;
      assert.deepEqual([hit.pair.prompt, hit.pair.response1, hit.pair.response2], [c.context, ...c.responses], c.name);
      for (const [i, region] of [hit.regions.response1, hit.regions.response2].entries()) {
        const text = regionText(doc, region);
        // A response of several turns is shown as User:/Assistant: lines; its region is its final answer.
        if (c.responses[i].startsWith("Assistant: ")) assert.ok(c.responses[i].endsWith(text), `${c.name}: response ${i + 1} region ${JSON.stringify(text)}`);
        else assert.equal(text, c.responses[i], `${c.name}: response ${i + 1} region`);
      }
      offset += JSON.stringify(c.record).length + 1;
    }
  });
});
