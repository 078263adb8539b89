// The model's markdown, rendered in real Chromium by the real bundles (media/dist/panel.js in
// the panel's own page and CSP, media/dist/renderer.js as VS Code's notebook loads it), fed an
// XSS corpus as issues, analyses, warnings and raw output. Nothing may run, nothing remote may
// be fetched, no dangerous element, attribute or link may reach the DOM; the markdown itself
// (bold, lists, code) must render. The renderer's page has no CSP at all, so any hole in the
// sanitizer would show as script that ran, not be hidden by the browser.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Frame, Page } from "playwright-core";
import { emptySnapshot, type PanelSnapshot } from "../../media/src/protocol";
import { JUDGMENT_MIME, type ResultOutput } from "../../media/src/notebookProtocol";
import type { Judgment } from "../../src/core/judgment";
import { parseJudgment } from "../../src/core/parse";
import { panelHtml } from "../../src/extension/panelHtml";
import { storedResult } from "../../src/extension/notebook/pairLines";
import { REPO_ROOT } from "../support/fixtures";
import { judgmentOf, resultOf } from "../support/judgments";
import { MARKDOWN_TURN1, MARKDOWN_TURN2 } from "../support/transcripts";
import { XSS_CORPUS } from "../support/xssCorpus";
import { codeServerHarness } from "./support/workbench";

const ORIGIN = "http://brrm.test";
const MARKDOWN = parseJudgment(MARKDOWN_TURN1, MARKDOWN_TURN2);

/** Every text a view shows from a judgment, full of the corpus, with real markdown first. */
function hostileJudgment(): Judgment {
  return judgmentOf(1, ["Safety Awareness"], {
    issues: { response1: [...MARKDOWN.issues.response2, ...XSS_CORPUS], response2: XSS_CORPUS.map((x) => `Quotes ${x} inline`) },
    analysis: { response1: `${MARKDOWN.analysis.response1}\n\n${XSS_CORPUS.join("\n\n")}`, response2: XSS_CORPUS.join("\n") },
    thinking: { turn1: XSS_CORPUS.join("\n"), turn2: XSS_CORPUS.join(" ") },
    raw: { turn1: XSS_CORPUS.join("\n"), turn2: XSS_CORPUS.join("\n") },
    warnings: XSS_CORPUS.map((x) => `Unknown quality dimension dropped: "${x}".`),
    model: XSS_CORPUS[1],
  });
}

interface Findings {
  ran: unknown;
  elements: string[];
  attributes: string[];
  links: string[];
  violations: string[];
}

/** What reached the DOM under `root`: elements that can load or run something, attributes outside the markdown's, links. */
function inspect(frame: Page | Frame, root: string, markdown: string): Promise<Findings> {
  return frame.evaluate(
    ({ root, markdown }) => {
      const w = window as unknown as { __xss?: unknown; __violations: string[] };
      const scope = document.querySelector(root)!;
      Array.from(scope.querySelectorAll("details")).forEach((d) => (d.open = true));
      const dangerous = "script, img, iframe, frame, object, embed, svg, math, style, link, meta, base, form, input, video, audio, source, template, picture";
      return {
        ran: w.__xss ?? document.body.dataset.pwned,
        elements: Array.from(scope.querySelectorAll(dangerous)).map((e) => e.outerHTML.slice(0, 80)),
        attributes: Array.from(scope.querySelectorAll(markdown)).flatMap((e) => Array.from(e.attributes).filter((a) => !["href", "start"].includes(a.name)).map((a) => `${e.tagName} ${a.name}`)),
        // An <a> whose href the sanitizer removed is text, not a link.
        links: Array.from(scope.querySelectorAll("a[href]")).map((a) => a.getAttribute("href") ?? ""),
        violations: w.__violations,
      };
    },
    { root, markdown },
  );
}

function assertSafe(f: Findings): void {
  assert.equal(f.ran, undefined, "script from the corpus ran");
  assert.deepEqual(f.elements, [], "elements that load or run something reached the DOM");
  assert.deepEqual(f.attributes, [], "attributes beyond href/start in rendered markdown");
  for (const href of f.links) assert.match(href, /^(https?:|mailto:)/i, `a link to ${href}`);
}

describe("the model's markdown under an XSS corpus, in Chromium", () => {
  let close: () => Promise<void>;
  let page: Page;
  const external: string[] = [];
  const dialogs: string[] = [];

  before(async () => {
    const browser = await (await codeServerHarness()).launchBrowser({ viewport: { width: 1200, height: 900 } });
    close = browser.close;
    page = browser.page;
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.addInitScript(() => {
      const w = window as unknown as { __violations: string[]; acquireVsCodeApi: () => unknown; __posted: unknown[] };
      w.__violations = [];
      document.addEventListener("securitypolicyviolation", (e) => w.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
      w.__posted = [];
      w.acquireVsCodeApi = () => ({ postMessage: (m: unknown) => w.__posted.push(m), getState: () => undefined, setState: () => {} });
    });
    const nonce = "bnJybS10ZXN0LW5vbmNl";
    const pages: Record<string, string> = {
      "/panel.html": panelHtml({ cspSource: ORIGIN, nonce, media: (f) => `${ORIGIN}/media/${f}` }),
      "/renderer.html": `<!DOCTYPE html><html><head><meta charset="UTF-8"></head><body><div id="out"></div><script type="module">
import { activate } from "/media/dist/renderer.js";
const api = activate();
window.__render = (data) => api.renderOutputItem({ id: "1", mime: "${JUDGMENT_MIME}", json: () => data }, document.getElementById("out"), new AbortController().signal);
</script></body></html>`,
    };
    await page.route("**/*", async (route) => {
      const url = new URL(route.request().url());
      if (url.origin !== ORIGIN) {
        external.push(url.href);
        return route.abort();
      }
      if (pages[url.pathname]) return route.fulfill({ contentType: "text/html", body: pages[url.pathname] });
      const file = path.join(REPO_ROOT, url.pathname);
      if (!url.pathname.startsWith("/media/") || !fs.existsSync(file)) return route.fulfill({ status: 404, body: "" });
      return route.fulfill({ contentType: file.endsWith(".css") ? "text/css" : "text/javascript", body: fs.readFileSync(file) });
    });
  });
  after(async () => close?.());

  it("the judge panel (its own page and CSP): markdown rendered, nothing run, fetched or linked badly", async () => {
    await page.goto(`${ORIGIN}/panel.html`);
    await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === "ready"));
    const form = { prompt: XSS_CORPUS[0], response1: XSS_CORPUS[1], response2: XSS_CORPUS[19] };
    const snapshot: PanelSnapshot = { ...emptySnapshot(XSS_CORPUS[2]), form, judged: form, judgment: hostileJudgment(), origin: XSS_CORPUS[3] };
    await page.evaluate((s) => window.postMessage({ type: "snapshot", snapshot: s }, "*"), snapshot);
    await page.locator("#verdict").waitFor();
    const found = await inspect(page, "#app", ".issues li *, .analysis *");
    assertSafe(found);
    assert.deepEqual(found.violations, [], "rendering needs nothing the panel's CSP forbids");

    // Markdown renders: bold labels, the numbered list, inline code; HTML stays characters.
    const issues = page.locator('.response[aria-label="Response 1"] .issues li');
    assert.equal(await issues.first().locator("strong").innerText(), "Wrong arithmetic");
    assert.equal(await issues.first().innerText(), "Wrong arithmetic: states that 2+2=5.");
    assert.equal(await issues.nth(1).locator("code").innerText(), "5");
    assert.deepEqual(await page.locator('.response[aria-label="Response 1"] .analysis ol').first().locator("li").allInnerTexts(), [
      "Correctness: 2+2=4 is checked and right.",
      "Process: direct.",
      "Presentation: one clear line.",
    ]);
    const texts = await issues.allTextContents();
    XSS_CORPUS.forEach((x, i) => {
      if (x.startsWith("<") && !x.startsWith("<https:")) assert.equal(texts[i + MARKDOWN.issues.response2.length], x, "raw HTML shows as the characters it is");
    });
    assert.ok((await page.locator(".analysis a").evaluateAll((as) => as.map((a) => a.getAttribute("href")))).includes("https://example.com/safe-autolink"));
    assert.equal(await page.locator(".warnings li").first().textContent(), `Unknown quality dimension dropped: "${XSS_CORPUS[0]}".`);
    await page.locator(".columns").scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(REPO_ROOT, "test", "e2e", "screenshots", "xss-corpus-panel.png") });
  });

  it("the notebook renderer (ES module, no CSP on its page): the same corpus in every field", async () => {
    await page.goto(`${ORIGIN}/renderer.html`);
    await page.waitForFunction(() => "__render" in window);
    const result = resultOf({ prompt: XSS_CORPUS[0], responses: [XSS_CORPUS[1], XSS_CORPUS[2]], dims: ["Safety Awareness"] }, [["AB", [1]], ["BA", [2]]]);
    for (const o of result.orders) o.samples[0].judgment = hostileJudgment();
    const output: ResultOutput = { kind: "result", result: storedResult(result), pairHash: "x", titles: [XSS_CORPUS[5], XSS_CORPUS[6]] };
    await page.evaluate((o) => (window as unknown as { __render(d: unknown): void }).__render(o), output);
    await page.locator(".brrm-verdict").waitFor();
    assertSafe(await inspect(page, "#out", ".brrm-issues li *, .brrm-analysis *"));
    const first = page.locator(".brrm-order").first();
    assert.equal(await first.locator(".brrm-issues li strong").first().innerText(), "Wrong arithmetic");
    assert.equal(await first.locator(".brrm-analysis ol").first().locator("li").count(), 3);
    assert.equal(await first.locator(".brrm-warn").count(), XSS_CORPUS.length);
  });

  it("no dialog opened and nothing was requested outside the page's own origin", () => {
    assert.deepEqual(dialogs, []);
    assert.deepEqual(external, []);
  });
});
