// The endpoint's API key lives only in SecretStorage (the OS keychain where there is one).
// It is never written to settings, logs or the webview; code outside this file only gets the
// value to hand to the backend, or whether one is set.

import * as vscode from "vscode";

const KEY = "brrm.openai.apiKey";

export class ApiKeyStore implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly secrets: vscode.SecretStorage) {
    // Another window of the same user may change it too.
    this.subscription = secrets.onDidChange((e) => {
      if (e.key === KEY) this.changed.fire();
    });
  }

  async get(): Promise<string | undefined> {
    return (await this.secrets.get(KEY)) || undefined;
  }

  async set(value: string): Promise<void> {
    await this.secrets.store(KEY, value);
  }

  async clear(): Promise<void> {
    await this.secrets.delete(KEY);
  }

  /** Asks for the key in a password box. Returns false when the user dismissed it. */
  async prompt(): Promise<boolean> {
    const hasKey = (await this.get()) !== undefined;
    const value = await vscode.window.showInputBox({
      title: "BR-RM: Set API Key",
      prompt: hasKey
        ? "A key is stored. Enter a new key to replace it, or leave the box empty to remove it."
        : "The API key of your OpenAI-compatible endpoint. It is kept in VS Code's secret storage, never in settings.",
      password: true,
      ignoreFocusOut: true,
      placeHolder: "sk-…",
    });
    if (value === undefined) return false;
    if (value.trim() === "") {
      await this.clear();
      void vscode.window.showInformationMessage("BR-RM: the API key was removed.");
    } else {
      await this.set(value.trim());
      void vscode.window.showInformationMessage("BR-RM: the API key was stored in secret storage.");
    }
    return true;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
