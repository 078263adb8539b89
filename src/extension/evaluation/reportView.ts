// Reports (a dataset run, prompt variants, a notebook's summary) shown as rendered Markdown.
// The Markdown lives in a read-only virtual document, so nothing is written next to the
// user's files and closing it asks nothing; the built-in Markdown preview renders it with the
// theme and its own strict content security policy, and "Save As" keeps a copy. Text from
// the data is already escaped by the report builders (core/report.ts), so it renders inert.

import * as vscode from "vscode";

export const REPORT_SCHEME = "brrm-report";

export class ReportView implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly reports = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private next = 1;
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, this);

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.reports.get(uri.toString()) ?? "# Report no longer available\n\nRun the evaluation again to see its report.\n";
  }

  /** Opens the Markdown as a preview (or as text when no Markdown preview is installed). */
  async show(title: string, markdown: string): Promise<vscode.Uri> {
    const slug = title.replace(/[^\w.-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 80) || "report";
    const uri = vscode.Uri.from({ scheme: REPORT_SCHEME, path: `/${slug}.md`, query: String(this.next++) });
    this.reports.set(uri.toString(), markdown);
    // Old reports are few and small, but a long session should not keep every one.
    if (this.reports.size > 20) this.reports.delete(this.reports.keys().next().value as string);
    const commands = await vscode.commands.getCommands(true);
    if (commands.includes("markdown.showPreview")) await vscode.commands.executeCommand("markdown.showPreview", uri);
    else await vscode.window.showTextDocument(uri, { preview: false });
    return uri;
  }

  /** The Markdown of a report this view showed (tests read it). */
  markdown(uri: vscode.Uri): string | undefined {
    return this.reports.get(uri.toString());
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
    this.reports.clear();
  }
}
