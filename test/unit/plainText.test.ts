import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { plainLine, plainText } from "../../src/core/plainText";

describe("the model's markdown as plain text (CLI, Problems view)", () => {
  it("drops emphasis and code marks, keeps every word", () => {
    assert.equal(plainLine("**Wrong arithmetic**: states that `2+2=5`, *twice*."), "Wrong arithmetic: states that 2+2=5, twice.");
    assert.equal(plainLine("__Unsafe__ advice: suggests `rm -rf /`"), "Unsafe advice: suggests rm -rf /");
  });
  it("keeps list items and their numbers on their own lines, nested lists indented", () => {
    assert.equal(plainText("**Accuracy-Critical**:\n1. **Correctness**: right.\n2. Process\n   continued\n\n- a\n  - nested *b*\n- c"), "Accuracy-Critical:\n1. Correctness: right.\n2. Process\n   continued\n- a\n  - nested b\n- c");
  });
  it("a link keeps its address, an image is not fetched but named, HTML stays as characters", () => {
    assert.equal(plainLine("See [the docs](https://example.com/x) and ![chart](https://evil.example/t.png)."), "See the docs (https://example.com/x) and !chart (https://evil.example/t.png).");
    assert.equal(plainLine("<b>bold?</b> <script>x()</script> &amp; 2\\*3"), "<b>bold?</b> <script>x()</script> & 2*3");
  });
  it("text without markdown comes back as it was; an empty text stays empty", () => {
    assert.equal(plainText("States that 2 + 2 = 5."), "States that 2 + 2 = 5.");
    assert.equal(plainText(""), "");
  });
});
