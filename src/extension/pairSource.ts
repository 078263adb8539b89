// Where a pair's texts are in documents: what lets a judgment come back as diagnostics on the
// text it is about. Offsets, not ranges, are kept with the document version they belong to,
// so a document edited while the model ran is noticed instead of getting misplaced squiggles.

import * as vscode from "vscode";
import type { FormState } from "../../media/src/protocol";
import type { Span } from "./issueSpans";
import type { TextRegion } from "./jsonRecords";

export interface SourceRegion extends TextRegion {
  uri: vscode.Uri;
  /** The document version the offsets belong to. */
  version: number;
}

export interface PairSource {
  /** The form as gathered from the documents (the panel reuses the source only while it matches). */
  form: FormState;
  prompt?: SourceRegion;
  response1: SourceRegion;
  response2: SourceRegion;
}

export function region(document: vscode.TextDocument, r: TextRegion | vscode.Range): SourceRegion {
  const base = { uri: document.uri, version: document.version };
  if (r instanceof vscode.Range) return { ...base, start: document.offsetAt(r.start), end: document.offsetAt(r.end) };
  return { ...base, ...r };
}

/** The document range of a span of the region's (decoded) text. */
export function spanRange(document: vscode.TextDocument, r: SourceRegion, span: Span): vscode.Range {
  const at = (i: number) => (r.offsets ? r.offsets[Math.min(i, r.offsets.length - 1)] : r.start + i);
  return new vscode.Range(document.positionAt(at(span.start)), document.positionAt(at(span.end)));
}

export function regionRange(document: vscode.TextDocument, r: SourceRegion): vscode.Range {
  return new vscode.Range(document.positionAt(r.start), document.positionAt(r.end));
}
