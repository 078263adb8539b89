// A judgment as diagnostics on the texts it judged: each critical issue on its response (on
// the quoted words when the issue quotes them; the model's markdown as plain text), Warning
// for the response that lost and Information for the winner, the verdict on the prompt, and
// a Warning on each place a text imitated the judge's delimiters (defused before judging). They go away when the text they
// point at is edited, and with "BR-RM: Clear Diagnostics".

import * as vscode from "vscode";
import { activeDelimiters, defusedNote, findDelimiters } from "../core/delimiters";
import type { Judgment } from "../core/judgment";
import { plainLine } from "../core/plainText";
import type { PromptTemplates } from "../core/prompts";
import { firstLineSpan, issueSpan } from "./issueSpans";
import { regionRange, spanRange, type PairSource, type SourceRegion } from "./pairSource";

export const DIAGNOSTIC_SOURCE = "BR-RM";

/**
 * The diagnostics of one judgment, per document, built from documents at the source's
 * versions; `templates` are the ones the judgment was made with (they say what a delimiter is).
 */
export function judgmentDiagnostics(
  judgment: Judgment,
  source: PairSource,
  documents: ReadonlyMap<string, vscode.TextDocument>,
  templates: PromptTemplates,
): Map<string, vscode.Diagnostic[]> {
  const out = new Map<string, vscode.Diagnostic[]>();
  const add = (uri: vscode.Uri, d: vscode.Diagnostic) => {
    const list = out.get(uri.toString()) ?? [];
    list.push(d);
    out.set(uri.toString(), list);
  };
  const doc = (r: SourceRegion) => documents.get(r.uri.toString());
  const firstLine = (r: SourceRegion, text: string) => {
    const d = doc(r);
    return d ? spanRange(d, r, firstLineSpan(text)) : undefined;
  };
  const location = (r: SourceRegion | undefined) => {
    const d = r && doc(r);
    return r && d ? new vscode.Location(r.uri, regionRange(d, r)) : undefined;
  };
  const code = judgment.dimensions[0];
  const texts = { 1: source.form.response1, 2: source.form.response2 };

  for (const n of [1, 2] as const) {
    const r = n === 1 ? source.response1 : source.response2;
    const d = doc(r);
    if (!d) continue;
    const other = (n === 1 ? 2 : 1) as 1 | 2;
    const related: vscode.DiagnosticRelatedInformation[] = [];
    const otherLoc = location(other === 1 ? source.response1 : source.response2);
    if (otherLoc) related.push(new vscode.DiagnosticRelatedInformation(otherLoc, `Response ${other}${judgment.verdict === other ? " (preferred)" : ""}`));
    const promptLoc = location(source.prompt);
    if (promptLoc) related.push(new vscode.DiagnosticRelatedInformation(promptLoc, "Prompt"));
    const severity = judgment.verdict === n ? vscode.DiagnosticSeverity.Information : vscode.DiagnosticSeverity.Warning;
    for (const issue of judgment.issues[`response${n}`]) {
      const span = issueSpan(issue, texts[n]);
      const range = span ? spanRange(d, r, span) : firstLine(r, texts[n]);
      if (!range) continue;
      const diagnostic = new vscode.Diagnostic(range, `Response ${n}: ${plainLine(issue)}`, severity);
      diagnostic.source = DIAGNOSTIC_SOURCE;
      if (code) diagnostic.code = code;
      diagnostic.relatedInformation = related;
      add(r.uri, diagnostic);
    }
  }

  const winner = judgment.verdict === 2 ? source.response2 : source.response1;
  const anchor = source.prompt && doc(source.prompt) ? source.prompt : winner;
  const anchorText = anchor === source.prompt ? source.form.prompt : anchor === source.response2 ? source.form.response2 : source.form.response1;
  const range = firstLine(anchor, anchorText);
  if (range) {
    const message =
      judgment.verdict !== null
        ? `BR-RM prefers Response ${judgment.verdict} — focus: ${judgment.dimensions.length > 0 ? judgment.dimensions.join(", ") : "none given"}`
        : `BR-RM gave no verdict: ${judgment.error?.message ?? "the model's answer had none"}`;
    const verdict = new vscode.Diagnostic(range, message, judgment.verdict !== null ? vscode.DiagnosticSeverity.Information : vscode.DiagnosticSeverity.Warning);
    verdict.source = DIAGNOSTIC_SOURCE;
    if (code) verdict.code = code;
    verdict.relatedInformation = [1, 2].flatMap((n) => {
      const loc = location(n === 1 ? source.response1 : source.response2);
      return loc ? [new vscode.DiagnosticRelatedInformation(loc, `Response ${n}${judgment.verdict === n ? " (preferred)" : ""}`)] : [];
    });
    add(anchor.uri, verdict);
  }

  const delimiters = activeDelimiters(templates);
  const regions: [string, SourceRegion | undefined, string][] = [
    ["The prompt", source.prompt, source.form.prompt],
    ["Response 1", source.response1, source.form.response1],
    ["Response 2", source.response2, source.form.response2],
  ];
  for (const [name, r, text] of regions) {
    const d = r && doc(r);
    if (!r || !d) continue;
    for (const found of findDelimiters(text, delimiters)) {
      const diagnostic = new vscode.Diagnostic(spanRange(d, r, found), `${name} imitates the judge's delimiter "${found.text}". ${defusedNote(1)}`, vscode.DiagnosticSeverity.Warning);
      diagnostic.source = DIAGNOSTIC_SOURCE;
      diagnostic.code = "delimiter";
      add(r.uri, diagnostic);
    }
  }
  return out;
}

interface Entry {
  judgmentId: string;
  /** The stretch of the document the judgment covers: an edit in or above it clears the entry. */
  span: vscode.Range;
  diagnostics: vscode.Diagnostic[];
}

export class JudgmentDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection("brrm");
  private readonly entries = new Map<string, Entry[]>();
  private readonly subscription: vscode.Disposable;

  constructor() {
    this.subscription = vscode.workspace.onDidChangeTextDocument((e) => this.onEdit(e));
  }

  /**
   * Shows a judgment's diagnostics. Returns the names of documents that changed while the
   * model ran (their diagnostics would be misplaced, so they get none).
   */
  async show(judgmentId: string, judgment: Judgment, source: PairSource, templates: PromptTemplates): Promise<string[]> {
    const regions = [source.prompt, source.response1, source.response2].filter((r): r is SourceRegion => r !== undefined);
    const documents = new Map<string, vscode.TextDocument>();
    const changed: string[] = [];
    for (const r of regions) {
      const key = r.uri.toString();
      if (documents.has(key) || changed.includes(key)) continue;
      const document = await vscode.workspace.openTextDocument(r.uri);
      if (document.version === r.version) documents.set(key, document);
      else changed.push(key);
    }
    const byUri = judgmentDiagnostics(judgment, source, documents, templates);
    for (const [key, document] of documents) {
      const ranges = regions.filter((r) => r.uri.toString() === key).map((r) => regionRange(document, r));
      const span = ranges.reduce((a, b) => a.union(b));
      // A new judgment of the same text replaces the old one's diagnostics.
      const kept = (this.entries.get(key) ?? []).filter((e) => !e.span.intersection(span));
      kept.push({ judgmentId, span, diagnostics: byUri.get(key) ?? [] });
      this.entries.set(key, kept);
      this.publish(document.uri);
    }
    return changed.map((k) => vscode.Uri.parse(k).path.split("/").pop() ?? k);
  }

  /** The judgment a diagnostic (as the Problems panel or a code action hands it back) belongs to. */
  judgmentOf(uri: vscode.Uri, diagnostic: vscode.Diagnostic): string | undefined {
    for (const e of this.entries.get(uri.toString()) ?? []) {
      if (e.diagnostics.some((d) => d.message === diagnostic.message && d.range.isEqual(diagnostic.range))) return e.judgmentId;
    }
    return undefined;
  }

  clear(): void {
    this.entries.clear();
    this.collection.clear();
  }

  private onEdit(e: vscode.TextDocumentChangeEvent): void {
    const key = e.document.uri.toString();
    const entries = this.entries.get(key);
    if (!entries || e.contentChanges.length === 0) return;
    // Diagnostics don't move with the text: an edit inside a judged range, or above it (which
    // shifts it), makes them point at the wrong words, so they go.
    const kept = entries.filter((entry) => !e.contentChanges.some((c) => c.range.start.isBeforeOrEqual(entry.span.end)));
    if (kept.length === entries.length) return;
    if (kept.length === 0) this.entries.delete(key);
    else this.entries.set(key, kept);
    this.publish(e.document.uri);
  }

  private publish(uri: vscode.Uri): void {
    const list = this.entries.get(uri.toString()) ?? [];
    this.collection.set(uri, list.length > 0 ? list.flatMap((e) => e.diagnostics) : undefined);
  }

  dispose(): void {
    this.subscription.dispose();
    this.collection.dispose();
  }
}

/** The quick fix on BR-RM diagnostics: "Show BR-RM analysis" opens the panel on that judgment. */
export class ShowAnalysisActionProvider implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  constructor(private readonly diagnostics: JudgmentDiagnostics) {}

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const actions: vscode.CodeAction[] = [];
    const seen = new Set<string>();
    for (const d of context.diagnostics) {
      if (d.source !== DIAGNOSTIC_SOURCE) continue;
      const id = this.diagnostics.judgmentOf(document.uri, d);
      if (!id || seen.has(id)) continue;
      seen.add(id);
      const action = new vscode.CodeAction("Show BR-RM analysis", vscode.CodeActionKind.QuickFix);
      action.diagnostics = [d];
      action.isPreferred = true;
      action.command = { command: "brrm.showAnalysis", title: "Show BR-RM analysis", arguments: [id] };
      actions.push(action);
    }
    return actions;
  }
}
