// The report of a benchmark run in a webview beside the editor: the same HTML page as `brrm
// report --format html` (tables, the SVG chart beside the published figures), with no script at
// all and a policy that allows only its own nonce-marked style. Everything from the data is
// escaped by core/benchmark/report.ts.

import * as crypto from "node:crypto";
import * as vscode from "vscode";
import { renderBenchmarkHtml, type BenchmarkReport } from "../../core/benchmark/report";

const VIEW_TYPE = "brrm.benchmarkReport";

export class BenchmarkReportView implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private html = "";

  /** Shows the report (replacing the one shown before); returns the page, for tests. */
  show(title: string, report: BenchmarkReport): string {
    this.html = renderBenchmarkHtml(report, title, { nonce: crypto.randomBytes(16).toString("base64") });
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel(VIEW_TYPE, title, { viewColumn: vscode.ViewColumn.Active, preserveFocus: false }, { enableScripts: false, localResourceRoots: [], enableFindWidget: true });
      this.panel.onDidDispose(() => (this.panel = undefined));
    }
    this.panel.title = title;
    this.panel.webview.html = this.html;
    this.panel.reveal();
    return this.html;
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
