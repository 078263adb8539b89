// The extension from source in code-server, driven like a user would: three selections in a
// Markdown file, cancelling a run from the panel, a response full of HTML typed into the
// panel with the keyboard (it must show as text), and the panel keeping its state while hidden.

import assert from "node:assert/strict";
import { after, before, describe } from "node:test";
import type { Page } from "playwright-core";
import { codeServerHarness, compareJsonFile, uiTest, judgePanel, openFile, problems, shot, startWorkbench, tinyModelSettings, VERDICT_TIMEOUT, workspace, type Workbench } from "./support/workbench";

const NOTES = `# Notes

Q: What is the boiling point of water at sea level, in degrees Celsius?
A1: Water boils at 100 degrees Celsius at sea level.
A2: Water boils at 90 degrees Celsius at sea level.
`;

const PAIR = { prompt: "Name a prime number greater than 10.", response1: "11 is prime.", response2: "12 is prime." };

const XSS = {
  prompt: "Say hello <b>in bold</b>",
  response1: `<img src=x onerror="document.body.dataset.pwned='img'">Hello`,
  response2: `<script>document.body.dataset.pwned='script'</script>Hi`,
};

let wb: Workbench;
let page: Page;

before(
  async () => {
    const folder = workspace({
      "notes.md": NOTES,
      "pair.json": `${JSON.stringify(PAIR, null, 2)}\n`,
      "answer-a.txt": "Mount Everest, at 8,849 metres.\n",
      "answer-b.txt": "K2 is the highest mountain on Earth.\n",
    });
    wb = await startWorkbench({ folder, settings: await tinyModelSettings() });
    page = wb.page;
    // A dialog would mean some text ran as script.
    page.on("dialog", (d) => assert.fail(`unexpected dialog: ${d.message()}`));
  },
  { timeout: 20 * 60_000 },
);
after(async () => wb?.close());

/** Selects every match of a regex in the active editor with the find widget (Alt+Enter). */
async function selectMatches(regex: string, count: number): Promise<void> {
  await page.keyboard.press("Control+F");
  const find = page.locator(".find-widget .input").first();
  await find.waitFor();
  if ((await page.locator(".find-widget .codicon-regex[aria-checked='true']").count()) === 0) await page.keyboard.press("Alt+R");
  await find.fill(regex);
  await page.locator(".find-widget .matchesCount", { hasText: `of ${count}` }).waitFor();
  await page.keyboard.press("Alt+Enter");
  await page.keyboard.press("Escape");
  await page.locator(".statusbar-item", { hasText: `${count} selections` }).waitFor();
}

/** Answers the prompt box "Compare Responses" opens for two responses. */
async function answerPrompt(prompt: string): Promise<void> {
  const input = page.locator(".quick-input-widget .quick-input-box input");
  await page.locator(".quick-input-widget", { hasText: "the prompt both responses answer" }).waitFor();
  await input.fill(prompt);
  await page.keyboard.press("Enter");
}

const statusBarSays = (state: string) => page.locator(`[aria-label^="BR-RM local backend"][aria-label$="${state}"]`).first();

describe("judge panel in code-server", () => {
  uiTest("three selections (prompt, response 1, response 2) from the palette", { timeout: 240_000 }, () => wb?.page, async () => {
    const h = await codeServerHarness();
    await openFile(page, "notes.md");
    await page.locator(".editor-instance .view-line").nth(2).click();
    // Three selections the way a user makes them: find with a regex, Alt+Enter selects every match.
    await selectMatches("(?<=^\\w+: ).+", 3);

    await h.runCommand(page, "BR-RM: Compare Responses");
    const panel = judgePanel(page);
    await panel.locator("#verdict").waitFor({ timeout: VERDICT_TIMEOUT });
    assert.equal(await panel.locator("#prompt").inputValue(), "What is the boiling point of water at sea level, in degrees Celsius?");
    assert.equal(await panel.locator("#response1").inputValue(), "Water boils at 100 degrees Celsius at sea level.");
    assert.equal(await panel.locator("#response2").inputValue(), "Water boils at 90 degrees Celsius at sea level.");
    assert.equal(await panel.locator("#origin").innerText(), "From 3 selections in notes.md");
    const verdict = await panel.locator("#verdict strong").innerText();
    assert.match(verdict, /^Response [12] is better$/);

    const rows = await problems(page);
    assert.ok(
      rows.some((r) => r.includes(`BR-RM prefers ${verdict.slice(0, 10)}`) && r.includes("[Ln 3, Col 4]")),
      `the verdict should sit on the prompt (line 3): ${JSON.stringify(rows)}`,
    );
    await page.keyboard.press("Control+Shift+M");
    await shot(page, "three-selections");
  });

  uiTest("two selections: the prompt is asked (and remembered)", { timeout: 240_000 }, () => wb?.page, async () => {
    const h = await codeServerHarness();
    await openFile(page, "notes.md");
    await page.locator(".editor-instance .view-line").nth(2).click();
    await selectMatches("(?<=^A\\d: ).+", 2);
    await h.runCommand(page, "BR-RM: Compare Responses");
    await answerPrompt("At what temperature does water boil at sea level?");
    const panel = judgePanel(page);
    await panel.locator("#origin", { hasText: "2 selections" }).waitFor();
    await panel.locator("#verdict").waitFor({ timeout: VERDICT_TIMEOUT });
    assert.equal(await panel.locator("#origin").innerText(), "From 2 selections in notes.md");
    assert.equal(await panel.locator("#prompt").inputValue(), "At what temperature does water boil at sea level?");
    assert.equal(await panel.locator("#response2").inputValue(), "Water boils at 90 degrees Celsius at sea level.");

    // The next time, the box offers the last prompt; Escape leaves everything as it was.
    await openFile(page, "notes.md");
    await selectMatches("(?<=^A\\d: ).+", 2);
    await h.runCommand(page, "BR-RM: Compare Responses");
    const input = page.locator(".quick-input-widget .quick-input-box input");
    await page.locator(".quick-input-widget", { hasText: "the prompt both responses answer" }).waitFor();
    assert.equal(await input.inputValue(), "At what temperature does water boil at sea level?");
    await page.keyboard.press("Escape");
    assert.equal(await panel.locator("#run").isEnabled(), true, "dismissing the prompt starts nothing");
  });

  uiTest("two files from the explorer's context menu", { timeout: 240_000 }, () => wb?.page, async () => {
    const rows = page.locator(".explorer-folders-view .monaco-list-row");
    await rows.filter({ hasText: "answer-a.txt" }).click();
    await rows.filter({ hasText: "answer-b.txt" }).click({ modifiers: ["Control"] });
    await rows.filter({ hasText: "answer-b.txt" }).click({ button: "right" });
    const item = page.locator(".monaco-menu .action-item", { hasText: "Compare Two Files…" });
    await item.waitFor();
    await shot(page, "explorer-context-menu");
    await item.click();
    await answerPrompt("What is the highest mountain on Earth?");
    const panel = judgePanel(page);
    await panel.locator("#origin", { hasText: "answer-a.txt and answer-b.txt" }).waitFor();
    await panel.locator("#verdict").waitFor({ timeout: VERDICT_TIMEOUT });
    assert.equal(await panel.locator("#response1").inputValue(), "Mount Everest, at 8,849 metres.\n");
    assert.equal(await panel.locator("#response2").inputValue(), "K2 is the highest mountain on Earth.\n");
    const verdict = await panel.locator("#verdict strong").innerText();
    // No prompt in a document: the verdict goes on the preferred file's first line.
    const rowsText = await problems(page);
    const winner = verdict.startsWith("Response 1") ? "answer-a.txt" : "answer-b.txt";
    const i = rowsText.findIndex((r) => r.includes(winner));
    assert.ok(i >= 0 && rowsText.slice(i).some((r) => r.includes(`BR-RM prefers ${verdict.slice(0, 10)}`)), JSON.stringify(rowsText));
    await page.keyboard.press("Control+Shift+M");
  });

  uiTest("Cancel in the panel stops a running comparison", { timeout: 240_000 }, () => wb?.page, async () => {
    const panel = await compareJsonFile(page);
    // Wait until the model is generating turn 1, then cancel.
    await panel.locator("#status", { hasText: "Turn 1" }).waitFor({ timeout: 60_000 });
    // Streamed text is on screen: the thinking block or the answer.
    await panel.locator("#turn1-thinking:not([hidden]), #turn1-answer").first().waitFor({ state: "visible" });
    await statusBarSays("running").waitFor();
    await shot(page, "running");
    await panel.locator("#cancel").click();
    await panel.locator("#outcome.cancelled").waitFor({ timeout: 15_000 });
    assert.match(await panel.locator("#outcome").innerText(), /Cancelled/);
    assert.equal(await panel.locator("#verdict").count(), 0, "a cancelled run shows no verdict");
    assert.equal(await panel.locator("#cancel").isDisabled(), true);
    assert.equal(await panel.locator("#run").isEnabled(), true);
    await statusBarSays("ready").waitFor();
    await shot(page, "cancelled");
  });

  uiTest("HTML in the responses shows as text; the form runs with the keyboard", { timeout: 240_000 }, () => wb?.page, async () => {
    const panel = judgePanel(page);
    await panel.locator("#prompt").fill(XSS.prompt);
    await panel.locator("#response1").fill(XSS.response1);
    await panel.locator("#response2").fill(XSS.response2);
    // Keyboard only from here: Tab walks prompt -> response 1 -> response 2 -> Run; Ctrl+Enter runs.
    await panel.locator("#prompt").focus();
    for (const next of ["response1", "response2", "run"]) {
      await page.keyboard.press("Tab");
      assert.equal(await panel.locator(":focus").getAttribute("id"), next);
    }
    await panel.locator("#response2").focus();
    await page.keyboard.press("Control+Enter");
    await panel.locator("#verdict").waitFor({ timeout: VERDICT_TIMEOUT });

    assert.equal(await panel.locator("#origin").isHidden(), true, "typed text has no document origin");
    const bodies = await panel.locator(".response-body").allTextContents();
    assert.deepEqual(bodies, [XSS.response1, XSS.response2]);
    assert.equal(await panel.locator("img").count(), 0, "an <img> from a response reached the DOM");
    assert.equal(await panel.locator("b").count(), 0, "a <b> from the prompt reached the DOM");
    const injected = await panel.locator("body").evaluate(() => Array.from(document.scripts).filter((s) => s.textContent?.includes("pwned")).length);
    assert.equal(injected, 0, "a <script> from a response reached the DOM");
    assert.equal(await panel.locator("body").getAttribute("data-pwned"), null);
    // Copy JSON puts the judgment on the clipboard.
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
    await panel.locator("#copy").click();
    await panel.locator("#notice", { hasText: "Judgment copied as JSON." }).waitFor();
    const copied = JSON.parse(await page.evaluate(() => navigator.clipboard.readText())) as { verdict: number; backend: string };
    assert.equal(`Response ${copied.verdict} is better`, await panel.locator("#verdict strong").innerText());
    assert.equal(copied.backend, "local");
    await panel.locator(".response-text summary").first().click();
    await panel.locator(".response-text summary").nth(1).click();
    await shot(page, "xss-as-text");
  });

  uiTest("the panel keeps its result and unsent edits while hidden", { timeout: 120_000 }, () => wb?.page, async () => {
    const h = await codeServerHarness();
    const panel = judgePanel(page);
    const verdict = await panel.locator("#verdict strong").innerText();
    await panel.locator("#prompt").fill("An edit that was never run");
    // Clicking into the editor takes the focus from the field, which sends the edit to the extension.
    await page.locator(".editor-instance .view-line").first().click();
    // Move the editor into the panel's group: it covers the panel, whose webview is torn down.
    await h.runCommand(page, "View: Move Editor into Next Group");
    await page.locator("iframe.webview").waitFor({ state: "detached" });
    await page.locator(".tab", { hasText: "BR-RM Judge" }).click();
    await judgePanel(page).locator("#verdict").waitFor();
    assert.equal(await judgePanel(page).locator("#verdict strong").innerText(), verdict);
    assert.equal(await judgePanel(page).locator("#prompt").inputValue(), "An edit that was never run");
    assert.deepEqual(await judgePanel(page).locator(".response-body").allTextContents(), [XSS.response1, XSS.response2]);
  });

  uiTest("after a reload the panel comes back with its last result", { timeout: 120_000 }, () => wb?.page, async () => {
    const verdict = await judgePanel(page).locator("#verdict strong").innerText();
    const h = await codeServerHarness();
    // The window's own reload: VS Code saves the webview's state on the way out and hands it to
    // the extension's serializer on the way back.
    await h.runCommand(page, "Developer: Reload Window");
    await page.waitForEvent("load");
    await page.locator(".monaco-workbench").waitFor();
    await judgePanel(page).locator("#verdict").waitFor({ timeout: 60_000 });
    assert.equal(await judgePanel(page).locator("#verdict strong").innerText(), verdict);
    assert.deepEqual(await judgePanel(page).locator(".response-body").allTextContents(), [XSS.response1, XSS.response2]);
  });
});
