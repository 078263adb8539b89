// The notebook output renderer for BR-RM cells (an ES module VS Code loads into the notebook's
// output webview). It draws a judged pair: the verdict, the label and swap consistency, and
// each judged order side by side with its focus dimensions as chips, the issues found in each
// response and, on demand (details/summary, reachable with the keyboard), the analysis and
// the raw output; or the live progress of a running pair. Every text from a model or a file
// goes in through textContent (a response holding `<img onerror>` shows as those characters),
// except the model's issues and analyses: markdown, rendered and sanitized by markdown.ts.
// Colours come from the theme's --vscode-* variables.

import type { Order } from "../../src/core/dataset";
import type { Judgment } from "../../src/core/judgment";
import { markdownBlock, markdownInline } from "./markdown";
import { JUDGMENT_MIME, type JobProgress, type NotebookOutput, type ProgressOutput, type ResultOutput } from "./notebookProtocol";

// The part of VS Code's renderer API this renderer uses (the `vscode-notebook-renderer` types).
interface OutputItem {
  readonly id: string;
  readonly mime: string;
  json(): unknown;
}
interface RendererApi {
  renderOutputItem(item: OutputItem, element: HTMLElement, signal: AbortSignal): void;
  disposeOutputItem?(id?: string): void;
}

type Attrs = Record<string, string | undefined>;

function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Node | string | null | undefined | false)[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) el.setAttribute(k, v);
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(typeof c === "string" ? document.createTextNode(c) : c);
  return el;
}

const STYLE = `
.brrm-out { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); line-height: 1.45; padding: 4px 0; overflow-wrap: anywhere; }
.brrm-out h3 { font-size: 1em; margin: 0 0 6px; font-weight: 600; }
.brrm-out h4 { font-size: .85em; text-transform: uppercase; letter-spacing: .04em; color: var(--vscode-descriptionForeground); margin: 8px 0 2px; font-weight: 600; }
.brrm-head { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; margin-bottom: 8px; }
.brrm-verdict { font-weight: 600; font-size: 1.05em; }
.brrm-tag { border: 1px solid var(--vscode-contrastBorder, var(--vscode-widget-border, rgba(128,128,128,.4))); border-radius: 999px; padding: 0 8px; font-size: .9em; color: var(--vscode-descriptionForeground); }
.brrm-tag.good { color: var(--vscode-testing-iconPassed, var(--vscode-charts-green)); border-color: currentColor; }
.brrm-tag.bad { color: var(--vscode-editorWarning-foreground, var(--vscode-charts-orange)); border-color: currentColor; }
.brrm-orders { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 12px; }
.brrm-order { border: 1px solid var(--vscode-widget-border, rgba(128,128,128,.35)); border-radius: 4px; padding: 8px 10px; min-width: 0; }
.brrm-chips { display: flex; flex-wrap: wrap; gap: 6px; list-style: none; margin: 0; padding: 0; }
.brrm-chip { color: var(--vscode-badge-foreground); background: var(--vscode-badge-background); border: 1px solid var(--vscode-contrastBorder, transparent); border-radius: 999px; padding: 1px 9px; font-size: .9em; }
.brrm-issues { margin: 2px 0 4px; padding-left: 20px; }
.brrm-none { color: var(--vscode-descriptionForeground); margin: 2px 0; }
.brrm-out details { margin-top: 6px; }
.brrm-out summary { cursor: pointer; color: var(--vscode-textLink-foreground); }
.brrm-out summary:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: 2px; }
.brrm-out pre { white-space: pre-wrap; word-break: break-word; font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size); background: var(--vscode-textCodeBlock-background); padding: 6px; border-radius: 3px; margin: 4px 0; max-height: 24em; overflow: auto; }
.brrm-analysis { margin: 2px 0 6px; }
.brrm-analysis p, .brrm-analysis ul, .brrm-analysis ol { margin: 2px 0 6px; }
.brrm-analysis ul, .brrm-analysis ol { padding-left: 20px; }
.brrm-out :not(pre) > code { font-family: var(--vscode-editor-font-family); font-size: .95em; background: var(--vscode-textCodeBlock-background); padding: 0 3px; border-radius: 3px; }
.brrm-out a { color: var(--vscode-textLink-foreground); }
.brrm-warn { color: var(--vscode-editorWarning-foreground); }
.brrm-error { color: var(--vscode-errorForeground); }
.brrm-progress table { border-collapse: collapse; }
.brrm-progress td, .brrm-progress th { text-align: left; padding: 1px 12px 1px 0; font-weight: normal; }
.brrm-progress th { color: var(--vscode-descriptionForeground); }
`;

function ensureStyle(): void {
  if (document.getElementById("brrm-renderer-style")) return;
  const style = h("style", { id: "brrm-renderer-style" });
  style.textContent = STYLE;
  document.head.append(style);
}

// ------------------------------------------------------------------ result

const orderName = (o: Order, titles: [string, string]) => (o === "AB" ? `As given (${titles[0]} shown first)` : `Swapped (${titles[1]} shown first)`);

/** A judgment's verdict in the record's terms: in the swapped order, "Response 1" was the record's second. */
function recordSide(verdict: 1 | 2 | null, order: Order): 1 | 2 | null {
  if (verdict === null || order === "AB") return verdict;
  return verdict === 1 ? 2 : 1;
}

/** The issues and analysis of the record's response `side` in a judgment made in `order`. */
function aboutSide(j: Judgment, order: Order, side: 1 | 2): { issues: string[]; analysis: string } {
  const shown = order === "AB" ? side : side === 1 ? 2 : 1;
  return { issues: j.issues[`response${shown}`] ?? [], analysis: j.analysis[`response${shown}`] ?? "" };
}

function chips(j: Judgment): HTMLElement {
  if (j.dimensions.length === 0) return h("p", { class: "brrm-none" }, "No dimension chosen.");
  return h("ul", { class: "brrm-chips", "aria-label": "Focus dimensions" }, ...j.dimensions.map((d) => h("li", { class: "brrm-chip" }, d)));
}

function judgmentBody(j: Judgment, order: Order, titles: [string, string]): HTMLElement[] {
  const out: HTMLElement[] = [h("h4", {}, "Focus"), chips(j)];
  for (const side of [1, 2] as const) {
    const { issues } = aboutSide(j, order, side);
    out.push(h("h4", {}, `Issues in ${titles[side - 1]}`));
    out.push(issues.length > 0 ? h("ul", { class: "brrm-issues" }, ...issues.map((i) => h("li", {}, markdownInline(i)))) : h("p", { class: "brrm-none" }, "None identified."));
  }
  if (j.error) out.push(h("p", { class: "brrm-error", role: "alert" }, `Error: ${j.error.message}`));
  for (const w of j.warnings) out.push(h("p", { class: "brrm-warn" }, `Warning: ${w}`));
  const analysis = h("details", {}, h("summary", {}, "Analysis"));
  for (const side of [1, 2] as const) {
    const { analysis: text } = aboutSide(j, order, side);
    analysis.append(h("h4", {}, titles[side - 1]), text ? h("div", { class: "brrm-analysis" }, markdownBlock(text)) : h("p", { class: "brrm-none" }, "No analysis given."));
  }
  const raw = h("details", {}, h("summary", {}, "Raw model output"));
  if (j.thinking.turn1) raw.append(h("h4", {}, "Turn 1 thinking"), h("pre", {}, j.thinking.turn1));
  raw.append(h("h4", {}, "Turn 1"), h("pre", {}, j.raw.turn1));
  if (j.thinking.turn2) raw.append(h("h4", {}, "Turn 2 thinking"), h("pre", {}, j.thinking.turn2));
  raw.append(h("h4", {}, "Turn 2"), h("pre", {}, j.raw.turn2));
  out.push(analysis, raw);
  return out;
}

function verdictText(side: 1 | 2 | null, titles: [string, string]): string {
  return side === null ? "no verdict" : `${titles[side - 1]} preferred`;
}

function renderResult(out: ResultOutput, root: HTMLElement): void {
  const { result: r, titles } = out;
  const swapped = r.orders.length > 1;
  const headline =
    r.preferred !== null
      ? `${titles[r.preferred - 1]} is better`
      : swapped && r.consistent === false
        ? "Tie: the two orders disagree"
        : r.orders.some((o) => o.votes.response1 + o.votes.response2 > 0)
          ? "Tie: the votes are split"
          : "No verdict";
  const head = h("div", { class: "brrm-head" }, h("span", { class: "brrm-verdict", role: "status" }, headline));
  if (swapped)
    head.append(
      r.consistent === true
        ? h("span", { class: "brrm-tag good" }, "consistent after swap")
        : r.consistent === false
          ? h("span", { class: "brrm-tag bad" }, "inconsistent after swap")
          : h("span", { class: "brrm-tag" }, "one order without a verdict"),
    );
  if (r.label === "tie") head.append(h("span", { class: "brrm-tag" }, "label: tie"));
  else if (r.label !== null)
    head.append(
      h("span", { class: `brrm-tag ${r.correct ? "good" : "bad"}` }, `label: ${titles[r.label - 1]}, ${r.correct ? "agrees" : "disagrees"}`),
    );
  const cached = r.orders.flatMap((o) => o.samples).filter((s) => s.cached).length;
  if (cached > 0) head.append(h("span", { class: "brrm-tag" }, cached === 1 ? "from the cache" : `${cached} from the cache`));
  root.append(head);
  if (out.stale) root.append(h("p", { class: "brrm-warn" }, "The pair was edited after this judgment; run the cell again to judge the new text."));

  const orders = h("div", { class: "brrm-orders" });
  for (const o of r.orders) {
    const samples = o.samples;
    const col = h("section", { class: "brrm-order", "aria-label": orderName(o.order, titles) }, h("h3", {}, orderName(o.order, titles)));
    const votes = samples.length > 1 ? ` (votes ${o.votes.response1}-${o.votes.response2}${o.votes.none > 0 ? `, ${o.votes.none} without verdict` : ""})` : "";
    col.append(h("p", {}, h("strong", {}, verdictText(o.preferred, titles)), votes));
    if (samples[0]) col.append(...judgmentBody(samples[0].judgment, o.order, titles));
    samples.slice(1).forEach((s, i) => {
      col.append(
        h(
          "details",
          {},
          h("summary", {}, `Sample ${i + 2}: ${verdictText(recordSide(s.judgment.verdict, o.order), titles)}`),
          ...judgmentBody(s.judgment, o.order, titles),
        ),
      );
    });
    orders.append(col);
  }
  root.append(orders);
}

// ------------------------------------------------------------------ progress

const STATE_TEXT: Record<JobProgress["state"], string> = {
  waiting: "waiting",
  turn1: "turn 1: focus and issues",
  turn2: "turn 2: rethinking",
  done: "done",
  cached: "from the cache",
  noVerdict: "done, no verdict",
};

function renderProgress(p: ProgressOutput, root: HTMLElement): void {
  root.classList.add("brrm-progress");
  root.append(h("p", { role: "status" }, `${p.phase} · ${(p.elapsedMs / 1000).toFixed(1)} s`));
  if (p.jobs.length === 0) return;
  const multiSample = p.jobs.some((j) => j.sample > 0);
  const rows = p.jobs.map((j) => {
    const detail =
      j.state === "turn1" || j.state === "turn2"
        ? `${j.tokens} tokens${j.rate > 0 ? `, ${j.rate.toFixed(1)} tok/s` : ""}`
        : j.state === "done" || j.state === "cached"
          ? verdictText(j.preferred, p.titles)
          : "";
    return h("tr", {}, h("td", {}, orderName(j.order, p.titles)), multiSample ? h("td", {}, `sample ${j.sample + 1}`) : null, h("td", {}, STATE_TEXT[j.state]), h("td", {}, detail));
  });
  root.append(h("table", { "aria-label": "Comparisons" }, h("tbody", {}, ...rows)));
}

// ------------------------------------------------------------------ entry point

function isOutput(v: unknown): v is NotebookOutput {
  if (typeof v !== "object" || v === null) return false;
  const o = v as Partial<NotebookOutput>;
  if (o.kind === "progress") return Array.isArray((o as ProgressOutput).jobs);
  return o.kind === "result" && typeof (o as ResultOutput).result === "object" && Array.isArray((o as ResultOutput).result?.orders);
}

export function activate(): RendererApi {
  ensureStyle();
  return {
    renderOutputItem(item, element) {
      const root = h("div", { class: "brrm-out", role: "group", "aria-label": "BR-RM judgment" });
      let data: unknown;
      try {
        data = item.mime === JUDGMENT_MIME ? item.json() : undefined;
      } catch {
        data = undefined;
      }
      if (!isOutput(data)) root.append(h("p", { class: "brrm-error" }, "This output is not a BR-RM judgment this version can show. Run the cell again."));
      else if (data.kind === "result") renderResult(data, root);
      else renderProgress(data, root);
      element.replaceChildren(root);
    },
  };
}
