// The summary of a BR-RM notebook: a status bar entry while a `brrm-pairs` notebook is the
// active editor (pairs judged, wins per side, accuracy against labels, swap consistency,
// errors), and on click the full report (core/report.ts) of the notebook's judgments. It is
// computed from the cells' outputs, so it covers judgments saved in the file as well as those
// of this session, and follows every run and edit.

import * as vscode from "vscode";
import type { PairResult } from "../../core/dataset";
import { renderMarkdown, ReportBuilder, summaryLines } from "../../core/report";
import type { Summary } from "../../core/stats";
import { SummaryBuilder } from "../../core/stats";
import type { ReportView } from "../evaluation/reportView";
import { outcomeOf } from "./outputs";
import { cellPair, fullResult, jsonCellPair, pairHash } from "./pairLines";
import { cellLine, NOTEBOOK_TYPE, RAW_LANGUAGE } from "./serializer";

export const NOTEBOOK_REPORT_COMMAND = "brrm.notebookReport";

export interface NotebookTally {
  /** Code cells that are pairs (or try to be). */
  pairs: number;
  judged: number;
  /** Cells whose last run failed. */
  errors: number;
  /** Judged cells edited since their judgment. */
  stale: number;
  summary: Summary;
  results: PairResult[];
}

/** The judgments a notebook's outputs hold, as whole results (each with its cell's current pair). */
export function tallyNotebook(notebook: vscode.NotebookDocument): NotebookTally {
  const builder = new SummaryBuilder();
  const results: PairResult[] = [];
  let pairs = 0;
  let errors = 0;
  let stale = 0;
  for (const cell of notebook.getCells()) {
    if (cell.kind !== vscode.NotebookCellKind.Code) continue;
    const text = cell.document.getText();
    if (!text.trim()) continue;
    pairs++;
    const outcome = outcomeOf(cell.outputs);
    if (!outcome) continue;
    if ("error" in outcome) {
      errors++;
      continue;
    }
    const pair = cell.document.languageId === RAW_LANGUAGE ? jsonCellPair(text) : cellPair(text, cellLine(cell));
    if (!pair.ok) continue;
    if (pairHash(pair.record) !== outcome.pairHash) stale++;
    const result = fullResult(outcome.result, pair.record, pair.fields);
    builder.add(result);
    results.push(result);
  }
  return { pairs, judged: results.length, errors, stale, summary: builder.summary(), results };
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

export function tallyText(t: NotebookTally): string {
  const s = t.summary;
  const parts = [`${t.judged}/${t.pairs} judged`];
  if (t.judged > 0) {
    const ties = s.wins.ties + s.wins.noVerdict;
    parts.push(`wins ${s.wins.response1}–${s.wins.response2}${ties > 0 ? ` (${ties} tie${ties === 1 ? "" : "s"})` : ""}`);
  }
  if (s.accuracy) parts.push(`accuracy ${pct(s.accuracy.rate)}`);
  if (s.consistency) parts.push(`consistent ${pct(s.consistency.rate)}`);
  if (t.errors > 0) parts.push(`${t.errors} error${t.errors === 1 ? "" : "s"}`);
  return parts.join(" · ");
}

export class NotebookSummaryStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem("brrm.notebookSummary", vscode.StatusBarAlignment.Left, 50);
  private readonly subscriptions: vscode.Disposable[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly reports: ReportView) {
    this.item.name = "BR-RM notebook summary";
    this.item.command = NOTEBOOK_REPORT_COMMAND;
    this.subscriptions.push(
      vscode.window.onDidChangeActiveNotebookEditor(() => this.render()),
      vscode.workspace.onDidChangeNotebookDocument((e) => {
        if (e.notebook === vscode.window.activeNotebookEditor?.notebook) this.schedule();
      }),
      vscode.workspace.onDidCloseNotebookDocument(() => this.render()),
      vscode.commands.registerCommand(NOTEBOOK_REPORT_COMMAND, () => this.showReport()),
    );
    this.render();
  }

  /** Outputs change several times a second while cells run: redraw at most every 250 ms. */
  private schedule(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.render();
    }, 250);
  }

  private active(): vscode.NotebookDocument | undefined {
    const notebook = vscode.window.activeNotebookEditor?.notebook;
    return notebook?.notebookType === NOTEBOOK_TYPE ? notebook : undefined;
  }

  render(): void {
    const notebook = this.active();
    if (!notebook) {
      this.item.hide();
      return;
    }
    const t = tallyNotebook(notebook);
    this.item.text = `$(law) BR-RM: ${tallyText(t)}`;
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendText(t.judged > 0 ? summaryLines(t.summary).join("\n") : "No pair of this notebook is judged yet: Run All judges them.");
    if (t.stale > 0) tooltip.appendText(`\n${t.stale} judged pair(s) were edited since; run them again.`);
    if (t.errors > 0) tooltip.appendText(`\n${t.errors} pair(s) failed on their last run.`);
    tooltip.appendMarkdown("\n\nClick for the report.");
    this.item.tooltip = tooltip;
    this.item.accessibilityInformation = { label: `BR-RM notebook: ${tallyText(t)}` };
    this.item.backgroundColor = t.errors > 0 ? new vscode.ThemeColor("statusBarItem.warningBackground") : undefined;
    this.item.show();
  }

  /** The notebook's report (summary, dimensions, pairs to review) as a Markdown preview. */
  async showReport(notebook = this.active()): Promise<vscode.Uri | undefined> {
    if (!notebook) {
      void vscode.window.showInformationMessage("BR-RM: open a BR-RM notebook to see its summary.");
      return undefined;
    }
    const builder = new ReportBuilder();
    for (const r of tallyNotebook(notebook).results) builder.add(r);
    const name = notebook.uri.path.split("/").pop() ?? "notebook";
    return this.reports.show(`BR-RM notebook: ${name}`, renderMarkdown(builder.build(), `BR-RM notebook: ${name}`));
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const s of this.subscriptions) s.dispose();
    this.item.dispose();
  }
}
