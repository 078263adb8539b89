import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { csvCell, csvHeader, csvRow, CSV_COLUMNS, renderHtml, renderMarkdown, ReportBuilder } from "../../src/core/report";
import { csvRows } from "../support/csv";
import { resultOf } from "../support/judgments";

const EVIL = `<script>alert("x")</script> & <img src=x onerror=alert(1)> 'q' | **bold** [link](http://e)`;

function build(limit = 50) {
  const b = new ReportBuilder(limit);
  b.add(resultOf({ key: "id:ok", line: 1, label: 1, dims: ["Logical Reasoning"] }, [["AB", [1]], ["BA", [2]]]));
  b.add(resultOf({ key: "id:wrong", line: 2, label: 1, prompt: EVIL, responses: [EVIL, "=SUM(A1)"], dims: ["Safety Awareness"] }, [["AB", [2]], ["BA", [1]]]));
  b.add(resultOf({ key: "id:flip", line: 3, dims: ["Safety Awareness"] }, [["AB", [1]], ["BA", [1]]]));
  b.add(resultOf({ key: "id:ok", line: 4, label: 2 }, [["AB", [2]]])); // the same pair again: not counted twice
  b.addUnreadable(5, "not valid JSON <oops>");
  return b.build();
}

describe("report", () => {
  it("collects the pairs to review, in file order, up to the limit, and counts repeats and unreadable lines", () => {
    const r = build();
    assert.equal(r.summary.pairs, 3);
    assert.equal(r.duplicates, 1);
    assert.equal(r.unreadableTotal, 1);
    assert.deepEqual(r.review.map((x) => [x.key, x.reasons]), [["id:wrong", ["judged 2 against label 1"]], ["id:flip", ["inconsistent after swap"]]]);
    const limited = build(1);
    assert.equal(limited.reviewTotal, 2);
    assert.equal(limited.review.length, 1);
    assert.match(renderMarkdown(limited), /and 1 more \(raise --review-limit/);
  });

  it("Markdown: the summary numbers, a dimension table, and data that cannot become markup", () => {
    const md = renderMarkdown(build(), "My run");
    assert.match(md, /^# My run\n/);
    assert.match(md, /- Pairs: 3 \(2 with a label\)/);
    assert.match(md, /- Wins: response 1 1, response 2 1, ties 1, no verdict 0/);
    assert.match(md, /- Accuracy against labels: 50\.0% \(95% CI [\d.]+%–[\d.]+%, n = 2\)/);
    assert.match(md, /- Consistency after swap: 66\.7%/);
    assert.match(md, /\| Safety Awareness \| 4 \| 66\.7% \| 1 \| 3 \| 25\.0% /);
    assert.match(md, /## For review \(2\)/);
    assert.match(md, /### line 2: judged 2 against label 1/);
    assert.match(md, /- line 5: not valid JSON \\<oops\\>/);
    assert.doesNotMatch(md, /(?<!\\)<(script|img)|\*\*bold\*\*|\[link\]/, 'no unescaped markup');
    assert.match(md, /\\<script\\>alert\("x"\)\\<\/script\\>/);
  });

  it("subsets and tie labels in Markdown, HTML and CSV; subset names from the data are escaped", () => {
    const b = new ReportBuilder();
    b.add(resultOf({ key: "id:1", line: 1, label: 1, fields: { subset: "hep-<b>go</b>" } }, [["AB", [1]]]));
    b.add(resultOf({ key: "id:2", line: 2, label: "tie", fields: { subset: "mt-bench-easy" } }, [["AB", [2]]]));
    const report = b.build();
    const md = renderMarkdown(report);
    assert.match(md, /- Labelled as ties: 1 pairs, not counted in the accuracy; the judge preferred response 1 in 0, response 2 in 1, neither in 0, no verdict in 0/);
    assert.match(md, /## Subsets\n\n\| Subset \| Pairs \| Labelled \| Right \| Accuracy \|\n\| --- .*\n\| hep-\\<b\\>go\\<\/b\\> \| 1 \| 1 \| 1 \| 100\.0% .*\n\| mt-bench-easy \| 1 \| 0 \| 0 \| n\/a \|/);
    const html = renderHtml(report);
    assert.match(html, /<h2>Subsets<\/h2><table>.*<td>hep-&lt;b&gt;go&lt;\/b&gt;<\/td><td>1<\/td>/);
    const header = CSV_COLUMNS as readonly string[];
    const [row] = csvRows(csvRow(resultOf({ key: "id:2", line: 2, label: "tie", fields: { subset: "mt-bench-easy" } }, [["AB", [2]]])));
    assert.deepEqual([row[header.indexOf("label")], row[header.indexOf("subset")], row[header.indexOf("correct")]], ["tie", "mt-bench-easy", ""]);
  });

  it("HTML: one page, no script, every piece of data escaped", () => {
    const html = renderHtml(build(), `<b>title</b>`);
    assert.match(html, /^<!DOCTYPE html>/);
    assert.match(html, /Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"/);
    assert.doesNotMatch(html, /<script|<img|<b>title/);
    assert.match(html, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt; &amp; &lt;img src=x onerror=alert\(1\)&gt; &#39;q&#39;/);
    assert.match(html, /<title>&lt;b&gt;title&lt;\/b&gt;<\/title>/);
    assert.match(html, /not valid JSON &lt;oops&gt;/);
    assert.equal(html.match(/<section>/g)?.length, 2);
  });

  it("CSV: a header, one row per pair, RFC 4180 quoting, formulas disarmed", () => {
    assert.equal(csvCell('a "b", c'), '"a ""b"", c"');
    assert.equal(csvCell("line\nbreak"), '"line\nbreak"');
    assert.equal(csvCell("=1+1"), "'=1+1");
    assert.equal(csvCell(-3), "-3");
    assert.equal(csvCell(null), "");
    assert.equal(csvHeader(), `${CSV_COLUMNS.join(",")}\r\n`);
    const row = csvRow(resultOf({ key: "id:wrong", line: 2, label: 1, prompt: EVIL, responses: ["a,b", "=SUM(A1)"] }, [["AB", [2, 2, 1]], ["BA", [2, null, 2]]]));
    const [cells] = csvRows(row);
    assert.equal(cells.length, CSV_COLUMNS.length);
    const get = (c: (typeof CSV_COLUMNS)[number]) => cells[CSV_COLUMNS.indexOf(c)];
    assert.equal(get("orders"), "AB:2 (1-2); BA:1 (2-0 (1 without verdict))");
    assert.equal(get("preferred"), "");
    assert.equal(get("consistent"), "false");
    assert.equal(get("correct"), "false");
    assert.equal(get("judgments"), "6");
    assert.equal(get("parse_failures"), "1");
    assert.equal(get("review"), "no decision against label 1; inconsistent after swap");
    assert.equal(get("context"), EVIL);
    assert.equal(get("response1"), "a,b");
    assert.equal(get("response2"), "'=SUM(A1)");
  });
});
