// The judge panel's webview: a form, the live run, and the judgment. Every text from a model
// or a file goes into the page through textContent / value, never as HTML, so a response
// holding `<script>` or `<img onerror>` shows as the characters it is; the model's issues and
// analyses, which are markdown, go through markdown.ts (rendered, then sanitized). No inline
// handlers (the CSP forbids them); listeners are attached here.

import type { Judgment, TurnUsage } from "../../src/core/judgment";
import { markdownBlock, markdownInline } from "./markdown";
import { applyUpdate, emptySnapshot, type FormState, type PanelSnapshot, type ToExtension, type ToWebview } from "./protocol";

interface VsCodeApi {
  postMessage(message: ToExtension): void;
  getState(): unknown;
  setState(state: PanelSnapshot): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();

// ------------------------------------------------------------------ tiny DOM helpers

type Attrs = Record<string, string | boolean | undefined>;

function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Node | string | null | undefined)[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k === "class") el.className = String(v);
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c !== null && c !== undefined) el.append(typeof c === "string" ? document.createTextNode(c) : c);
  return el;
}

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing`);
  return el as T;
};

// ------------------------------------------------------------------ static layout

function textField(id: string, label: string, rows: number): HTMLElement {
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    h("textarea", { id, rows: String(rows), spellcheck: "false", "data-field": id }),
  );
}

function turnBlock(n: 1 | 2, title: string): HTMLElement {
  return h(
    "section",
    { class: "turn", id: `turn${n}`, "aria-label": `Turn ${n}` },
    h("h3", {}, title, " ", h("span", { class: "turn-stats", id: `turn${n}-stats` })),
    h("details", { class: "thinking", id: `turn${n}-thinking` }, h("summary", { id: `turn${n}-thinking-summary` }, "Thinking"), h("pre", { id: `turn${n}-thought` })),
    h("pre", { class: "stream", id: `turn${n}-answer`, "aria-label": `Turn ${n} output` }),
  );
}

document.body.append(
  h(
    "main",
    { id: "app" },
    h("header", {}, h("h1", {}, "BR-RM Judge"), h("span", { id: "backend", class: "backend", title: "Backend and model" })),
    h("p", { id: "origin", class: "origin", hidden: true }),
    h(
      "section",
      { class: "form", "aria-label": "Inputs" },
      textField("prompt", "Prompt", 2),
      h("div", { class: "pair" }, textField("response1", "Response 1", 5), textField("response2", "Response 2", 5)),
      h(
        "div",
        { class: "toolbar", role: "toolbar", "aria-label": "Actions" },
        h("button", { id: "run", class: "primary", title: "Run the comparison (Ctrl+Enter)" }, "Run"),
        h("button", { id: "cancel", title: "Stop the running comparison (Escape)" }, "Cancel"),
        h("button", { id: "swap", title: "Swap Response 1 and Response 2 (judges are sensitive to order)" }, "Swap"),
        h("button", { id: "copy", title: "Copy the judgment as JSON" }, "Copy JSON"),
        h("span", { id: "notice", class: "notice", role: "status", "aria-live": "polite" }),
      ),
    ),
    h("div", { id: "status", class: "status", role: "status", "aria-live": "polite" }),
    h("section", { id: "live", class: "live", hidden: true, "aria-label": "Live output" }, turnBlock(1, "Turn 1: focus and issues"), turnBlock(2, "Turn 2: rethinking and verdict")),
    h("div", { id: "outcome", class: "outcome", role: "alert", hidden: true }),
    h("section", { id: "result", class: "result", hidden: true, "aria-label": "Judgment", "aria-live": "polite" }),
  ),
);

const fields = {
  prompt: $<HTMLTextAreaElement>("prompt"),
  response1: $<HTMLTextAreaElement>("response1"),
  response2: $<HTMLTextAreaElement>("response2"),
};
const buttons = { run: $<HTMLButtonElement>("run"), cancel: $<HTMLButtonElement>("cancel"), swap: $<HTMLButtonElement>("swap"), copy: $<HTMLButtonElement>("copy") };

// ------------------------------------------------------------------ state

function isSnapshot(v: unknown): v is PanelSnapshot {
  if (typeof v !== "object" || v === null) return false;
  const s = v as Partial<PanelSnapshot>;
  return typeof s.form === "object" && s.form !== null && typeof s.form.prompt === "string" && "judgment" in s && "run" in s;
}

const saved = vscode.getState();
let state: PanelSnapshot = isSnapshot(saved) ? saved : emptySnapshot();
/** Local clock at which the running comparison started (elapsed time ticks between updates). */
let runStartedAt = 0;
let ticker: ReturnType<typeof setInterval> | undefined;

function readForm(): FormState {
  return { prompt: fields.prompt.value, response1: fields.response1.value, response2: fields.response2.value };
}

let formTimer: ReturnType<typeof setTimeout> | undefined;
function formEdited(): void {
  state = { ...state, form: readForm() };
  vscode.setState(state);
  clearTimeout(formTimer);
  formTimer = setTimeout(sendForm, 250);
}

/**
 * Tells the extension the form now. Typing is batched, but an edit is sent the moment focus
 * leaves the field: the panel may be hidden right after (its webview then goes away, and the
 * extension's copy of the form is what comes back).
 */
function sendForm(): void {
  if (formTimer === undefined) return;
  clearTimeout(formTimer);
  formTimer = undefined;
  vscode.postMessage({ type: "formChanged", form: state.form });
}

// ------------------------------------------------------------------ rendering

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const rate = (tokens: number, ms: number) => (ms > 0 ? `${((tokens / ms) * 1000).toFixed(1)} tok/s` : "");

function renderForm(): void {
  for (const key of ["prompt", "response1", "response2"] as const) {
    // Only touch a field whose text differs: rewriting it would move the caret while typing.
    if (fields[key].value !== state.form[key]) fields[key].value = state.form[key];
  }
}

function renderControls(): void {
  const running = state.run !== null;
  buttons.run.disabled = running;
  buttons.cancel.disabled = !running;
  buttons.swap.disabled = running;
  buttons.copy.disabled = state.judgment === null;
  for (const f of Object.values(fields)) f.readOnly = running;
  $("backend").textContent = state.backend;
  const origin = $("origin");
  origin.hidden = !state.origin;
  origin.textContent = state.origin ? `From ${state.origin}` : "";
}

function renderStatus(): void {
  const status = $("status");
  const run = state.run;
  if (!run) {
    status.textContent = "";
    status.hidden = true;
    return;
  }
  status.hidden = false;
  const elapsed = runStartedAt ? Date.now() - runStartedAt : run.elapsedMs;
  const parts = [run.phase, `elapsed ${seconds(elapsed)}`];
  if (run.turn) {
    const t = run.turns[run.turn];
    parts.push(`${t.tokens} tokens`);
    const r = rate(t.tokens, t.ms);
    if (r) parts.push(r);
  }
  status.textContent = parts.join(" · ");
}

function followTail(el: HTMLElement, text: string): void {
  const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
  if (el.textContent !== text) el.textContent = text;
  if (atBottom) el.scrollTop = el.scrollHeight;
}

function renderLive(): void {
  const live = $("live");
  const run = state.run;
  live.hidden = !run || run.status === "loading";
  if (!run) return;
  for (const n of [1, 2] as const) {
    const t = run.turns[n];
    const started = run.turn !== null && run.turn >= n;
    $(`turn${n}`).hidden = !started;
    followTail($(`turn${n}-answer`), t.answer);
    followTail($(`turn${n}-thought`), t.thought);
    $(`turn${n}-thinking`).hidden = t.thought === "";
    $(`turn${n}-thinking-summary`).textContent = `Thinking (${t.thought.length} characters)`;
    $(`turn${n}-stats`).textContent = t.usage ? `done, ${t.tokens} tokens in ${seconds(t.ms)}` : started ? `${t.tokens} tokens` : "";
  }
}

function renderOutcome(): void {
  const el = $("outcome");
  el.hidden = !state.outcome;
  el.className = `outcome ${state.outcome?.kind ?? ""}`;
  el.textContent = state.outcome ? (state.outcome.kind === "cancelled" ? state.outcome.message : `The comparison failed: ${state.outcome.message}`) : "";
}

function usageRow(turn: string, u: TurnUsage | null): HTMLTableRowElement {
  if (!u) return h("tr", {}, h("th", { scope: "row" }, turn), h("td", { colspan: "6" }, "not run"));
  return h(
    "tr",
    {},
    h("th", { scope: "row" }, turn),
    h("td", {}, String(u.promptTokens)),
    h("td", {}, String(u.cachedTokens)),
    h("td", {}, String(u.generatedTokens)),
    h("td", {}, seconds(u.ms)),
    h("td", {}, rate(u.generatedTokens, u.ms)),
    h("td", {}, u.stopReason),
  );
}

function responseColumn(j: Judgment, n: 1 | 2, text: string): HTMLElement {
  const preferred = j.verdict === n;
  const issues = j.issues[`response${n}`];
  const analysis = j.analysis[`response${n}`];
  return h(
    "article",
    { class: `response${preferred ? " preferred" : j.verdict !== null ? " other" : ""}`, "aria-label": `Response ${n}` },
    h("h3", {}, `Response ${n}`, preferred ? h("span", { class: "badge" }, "preferred") : null),
    h("details", { class: "response-text" }, h("summary", {}, "Response text"), h("pre", { class: "response-body" }, text)),
    h("h4", {}, "Critical issues"),
    issues.length > 0 ? h("ul", { class: "issues" }, ...issues.map((i) => h("li", {}, markdownInline(i)))) : h("p", { class: "none" }, "None identified."),
    h("h4", {}, "Analysis"),
    analysis ? h("div", { class: "analysis markdown" }, markdownBlock(analysis)) : h("p", { class: "none" }, "No analysis given."),
  );
}

function renderResult(): void {
  const el = $("result");
  const j = state.judgment;
  el.hidden = !j;
  el.replaceChildren();
  if (!j) return;
  const verdict =
    j.verdict !== null
      ? h("div", { class: "verdict", id: "verdict" }, h("span", { class: "verdict-label" }, "Verdict"), h("strong", {}, `Response ${j.verdict} is better`))
      : h("div", { class: "verdict none", id: "verdict" }, h("span", { class: "verdict-label" }, "Verdict"), h("strong", {}, "No verdict"));
  const label =
    state.label !== null
      ? h(
          "p",
          { class: `label ${j.verdict === null ? "" : j.verdict === state.label ? "agrees" : "disagrees"}` },
          `The data prefers Response ${state.label}`,
          j.verdict === null ? "." : j.verdict === state.label ? ": BR-RM agrees." : ": BR-RM disagrees.",
        )
      : null;
  const dims = h(
    "div",
    { class: "dimensions" },
    h("span", { class: "dimensions-label", id: "dimensions-label" }, "Focus"),
    j.dimensions.length > 0
      ? h("ul", { class: "chips", "aria-labelledby": "dimensions-label" }, ...j.dimensions.map((d) => h("li", { class: "chip" }, d)))
      : h("span", { class: "none" }, "no dimension chosen"),
  );
  const problems: HTMLElement[] = [];
  if (j.error) problems.push(h("div", { class: "error", role: "alert" }, h("strong", {}, "Error: "), j.error.message));
  if (j.warnings.length > 0) problems.push(h("div", { class: "warnings" }, h("strong", {}, "Warnings"), h("ul", {}, ...j.warnings.map((w) => h("li", {}, w)))));
  const form = state.judged ?? state.form;
  el.append(
    h("div", { class: "verdict-row" }, verdict, dims),
    ...(label ? [label] : []),
    ...problems,
    h("div", { class: "columns" }, responseColumn(j, 1, form.response1), responseColumn(j, 2, form.response2)),
    h(
      "details",
      { class: "usage" },
      h("summary", {}, `Usage · ${j.model || "unknown model"}${j.backend ? ` (${j.backend})` : ""}`),
      h(
        "table",
        {},
        h("thead", {}, h("tr", {}, ...["Turn", "Prompt", "Cached", "Generated", "Time", "Speed", "Stop"].map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", {}, usageRow("1", j.usage.turn1), usageRow("2", j.usage.turn2)),
      ),
    ),
    h(
      "details",
      { class: "raw" },
      h("summary", {}, "Raw model output"),
      ...(j.thinking.turn1 ? [h("h4", {}, "Turn 1 thinking"), h("pre", {}, j.thinking.turn1)] : []),
      h("h4", {}, "Turn 1"),
      h("pre", {}, j.raw.turn1),
      ...(j.thinking.turn2 ? [h("h4", {}, "Turn 2 thinking"), h("pre", {}, j.thinking.turn2)] : []),
      h("h4", {}, "Turn 2"),
      h("pre", {}, j.raw.turn2),
    ),
  );
}

function render(): void {
  renderForm();
  renderControls();
  renderStatus();
  renderLive();
  renderOutcome();
  renderResult();
}

function syncTicker(): void {
  if (state.run && !ticker) ticker = setInterval(renderStatus, 250);
  if (!state.run && ticker) {
    clearInterval(ticker);
    ticker = undefined;
  }
}

// ------------------------------------------------------------------ messages

let noticeTimer: ReturnType<typeof setTimeout> | undefined;

window.addEventListener("message", (event: MessageEvent<ToWebview>) => {
  const message = event.data;
  if (message.type === "notice") {
    const el = $("notice");
    el.textContent = message.text;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(() => (el.textContent = ""), 3000);
    return;
  }
  state = applyUpdate(state, message);
  vscode.setState(state);
  if (state.run && "elapsedMs" in message) runStartedAt = Date.now() - message.elapsedMs;
  if (message.type === "snapshot" || message.type === "runStarted") runStartedAt = state.run ? Date.now() - state.run.elapsedMs : 0;
  syncTicker();
  switch (message.type) {
    case "delta":
    case "turnStarted":
    case "turnFinished":
    case "phase":
      renderStatus();
      renderLive();
      break;
    case "backend":
      renderControls();
      break;
    default:
      render();
      // A new result is below the form: bring it into view (without taking focus from the editor).
      if (message.type === "judgment") $("result").scrollIntoView({ block: "start" });
  }
});

// ------------------------------------------------------------------ user input

for (const f of Object.values(fields)) {
  f.addEventListener("input", formEdited);
  f.addEventListener("blur", sendForm);
  f.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      run();
    }
  });
}

function run(): void {
  if (state.run) return;
  clearTimeout(formTimer);
  formTimer = undefined;
  vscode.postMessage({ type: "run", form: readForm() });
}

buttons.run.addEventListener("click", run);
buttons.cancel.addEventListener("click", () => vscode.postMessage({ type: "cancel" }));
buttons.copy.addEventListener("click", () => vscode.postMessage({ type: "copyJson" }));
buttons.swap.addEventListener("click", () => {
  fields.response1.value = state.form.response2;
  fields.response2.value = state.form.response1;
  formEdited();
});
document.addEventListener("keydown", (e) => {
  if (e.key === "Escape" && state.run) vscode.postMessage({ type: "cancel" });
});

render();
syncTicker();
vscode.postMessage({ type: "ready" });
