// What the extension-host suites share: the extension, its documents, waits on its state, and two
// in-memory stand-ins for objects only VS Code can hand to an extension (its SecretStorage and
// Memento live in the ExtensionContext, which tests never get).

import * as fs from "node:fs";
import * as vscode from "vscode";
import type { BrrmApi } from "../../../src/extension/extension";

export const EXTENSION_ID = "brrm-judge.brrm-judge";

export function extension(): vscode.Extension<BrrmApi> {
  const ext = vscode.extensions.getExtension<BrrmApi>(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not loaded`);
  return ext;
}

/** Waits until the judge panel shows the running comparison's turn 1 streaming tokens (the model is generating). */
export function untilTurn1Streams(): Promise<unknown> {
  return until("turn 1 to stream tokens", () => {
    const run = extension().exports?.panelState().run;
    return run?.turn === 1 && run.turns[1].tokens > 0;
  }, 120_000);
}

export function workspaceUri(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error("the suite needs an open folder");
  return vscode.Uri.joinPath(folder.uri, name);
}

/** Opens a workspace file in an editor with the cursor at (line, character), 0-based. */
export async function openAt(name: string, line = 0, character = 0): Promise<vscode.TextEditor> {
  const editor = await vscode.window.showTextDocument(workspaceUri(name), { preview: false });
  const p = new vscode.Position(line, character);
  editor.selection = new vscode.Selection(p, p);
  return editor;
}

export function brrmDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === "BR-RM");
}

export async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The judge panel's tab, if open. */
export function panelTab(): vscode.Tab | undefined {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith("brrm.judgePanel"));
}

/** Whether this process has mapped a file whose path contains `part` (a loaded native library). */
export function mapped(part: string): boolean {
  return fs.readFileSync("/proc/self/maps", "utf8").includes(part);
}

export class MemorySecrets implements vscode.SecretStorage {
  private readonly values = new Map<string, string>();
  private readonly emitter = new vscode.EventEmitter<vscode.SecretStorageChangeEvent>();
  readonly onDidChange = this.emitter.event;
  async get(key: string) {
    return this.values.get(key);
  }
  async keys() {
    return [...this.values.keys()];
  }
  async store(key: string, value: string) {
    this.values.set(key, value);
    this.emitter.fire({ key });
  }
  async delete(key: string) {
    this.values.delete(key);
    this.emitter.fire({ key });
  }
}

export class MemoryMemento implements vscode.Memento {
  private readonly values = new Map<string, unknown>();
  keys() {
    return [...this.values.keys()];
  }
  get<T>(key: string, defaultValue?: T): T | undefined {
    return this.values.has(key) ? (this.values.get(key) as T) : defaultValue;
  }
  async update(key: string, value: unknown) {
    this.values.set(key, value);
  }
}
