// What "Compare Responses" compares, taken from where the user is: three selections (prompt,
// response 1, response 2), two selections (the responses; the prompt is asked), the pair
// record under the cursor in a JSON/JSONL document, or two files.

import * as path from "node:path";
import * as vscode from "vscode";
import type { FormState } from "../../media/src/protocol";
import type { Pair } from "../core/judgment";
import { formatContext } from "../core/prompts";
import { recordAt } from "./jsonRecords";
import { region, type PairSource } from "./pairSource";

export interface ComparisonInput {
  pair: Pair;
  form: FormState;
  source?: PairSource;
  /** Where the inputs came from, in words, for the panel and the log. */
  origin: string | null;
  /** The response the data says is better, when a record says. */
  label: 1 | 2 | null;
}

/** An input, a reason the editor holds none ("no pair"), or the user dismissed a question. */
export type InputResult = { kind: "input"; input: ComparisonInput } | { kind: "none"; reason?: string } | { kind: "dismissed" };

const LAST_PROMPT = "brrm.lastPrompt";

export function formOf(pair: Pair): FormState {
  return { prompt: formatContext(pair.prompt), response1: pair.response1, response2: pair.response2 };
}

function jsonFormat(document: vscode.TextDocument): "json" | "jsonl" | undefined {
  const ext = path.extname(document.uri.path).toLowerCase();
  if (document.languageId === "jsonl" || ext === ".jsonl" || ext === ".ndjson") return "jsonl";
  if (["json", "jsonc"].includes(document.languageId) || ext === ".json") return "json";
  return undefined;
}

const fileName = (uri: vscode.Uri) => path.basename(uri.path);

/** Asks for the prompt, offering the last one. undefined when dismissed. */
export async function askPrompt(memento: vscode.Memento): Promise<string | undefined> {
  const prompt = await vscode.window.showInputBox({
    title: "BR-RM: the prompt both responses answer",
    prompt: "The prompt (or question) the two responses answer",
    value: memento.get<string>(LAST_PROMPT, ""),
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() ? undefined : "The judge needs the prompt to compare the responses."),
  });
  if (prompt === undefined) return undefined;
  await memento.update(LAST_PROMPT, prompt);
  return prompt;
}

export async function inputFromEditor(editor: vscode.TextEditor | undefined, memento: vscode.Memento): Promise<InputResult> {
  if (!editor) return { kind: "none" };
  const document = editor.document;
  const selections = editor.selections.filter((s) => !s.isEmpty).sort((a, b) => a.start.compareTo(b.start));
  const text = (r: vscode.Range) => document.getText(r);

  if (selections.length === 3) {
    const [p, r1, r2] = selections;
    const form = { prompt: text(p), response1: text(r1), response2: text(r2) };
    return {
      kind: "input",
      input: {
        pair: { ...form },
        form,
        source: { form, prompt: region(document, p), response1: region(document, r1), response2: region(document, r2) },
        origin: `3 selections in ${fileName(document.uri)}`,
        label: null,
      },
    };
  }
  if (selections.length === 2) {
    const [r1, r2] = selections;
    const prompt = await askPrompt(memento);
    if (prompt === undefined) return { kind: "dismissed" };
    const form = { prompt, response1: text(r1), response2: text(r2) };
    return {
      kind: "input",
      input: {
        pair: { ...form },
        form,
        source: { form, response1: region(document, r1), response2: region(document, r2) },
        origin: `2 selections in ${fileName(document.uri)}`,
        label: null,
      },
    };
  }
  if (selections.length > 3) return { kind: "none", reason: `${selections.length} passages are selected: select 3 (prompt, response 1, response 2) or 2 (the responses).` };

  const format = jsonFormat(document);
  if (!format) return { kind: "none" };
  const found = recordAt(document.getText(), document.offsetAt(editor.selection.active), format);
  if (!found.ok) return { kind: "none", reason: `No pair record under the cursor in ${fileName(document.uri)}: ${found.reason}.` };
  const { hit } = found;
  const form = formOf(hit.pair);
  const where = hit.where ? `, ${hit.where}` : "";
  return {
    kind: "input",
    input: {
      pair: hit.pair,
      form,
      source: {
        form,
        response1: region(document, hit.regions.response1),
        response2: region(document, hit.regions.response2),
        ...(hit.regions.prompt ? { prompt: region(document, hit.regions.prompt) } : {}),
      },
      origin: `${fileName(document.uri)}${where}`,
      // The panel compares its verdict with a preferred response; a tie label prefers none.
      label: hit.record.label === "tie" ? null : hit.record.label,
    },
  };
}

/** Two files as the two responses (whole documents); the prompt is asked. */
export async function inputFromFiles(uris: readonly vscode.Uri[], memento: vscode.Memento): Promise<InputResult> {
  const [a, b] = await Promise.all(uris.map((u) => vscode.workspace.openTextDocument(u)));
  const prompt = await askPrompt(memento);
  if (prompt === undefined) return { kind: "dismissed" };
  const whole = (d: vscode.TextDocument) => new vscode.Range(d.positionAt(0), d.positionAt(d.getText().length));
  const form = { prompt, response1: a.getText(), response2: b.getText() };
  return {
    kind: "input",
    input: {
      pair: { ...form },
      form,
      source: { form, response1: region(a, whole(a)), response2: region(b, whole(b)) },
      origin: `${fileName(a.uri)} and ${fileName(b.uri)}`,
      label: null,
    },
  };
}

/** The panel's form as an input, with the document source it still matches, if any. */
export function inputFromForm(form: FormState, context: { source?: PairSource; origin: string | null; label: 1 | 2 | null }): ComparisonInput {
  return { pair: { ...form }, form, ...(context.source ? { source: context.source } : {}), origin: context.origin, label: context.label };
}
