// The judge panel: one webview panel, created on demand. The extension owns its state (a
// PanelSnapshot) and sends it whole whenever a webview starts, because with
// retainContextWhenHidden off the webview is torn down while hidden and misses updates.

import * as crypto from "node:crypto";
import * as vscode from "vscode";
import { applyUpdate, emptySnapshot, type FormState, type PanelSnapshot, type PanelUpdate, type ToExtension, type ToWebview } from "../../media/src/protocol";
import type { PairSource } from "./pairSource";
import { PANEL_TITLE, panelHtml } from "./panelHtml";

export const PANEL_VIEW_TYPE = "brrm.judgePanel";

export interface PanelHandlers {
  /** Run the form; with the document source and data label when the form still shows them. */
  run(form: FormState, context: { source?: PairSource; origin: string | null; label: 1 | 2 | null }): void;
  cancel(): void;
}

export class JudgePanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private panelSubscriptions: vscode.Disposable[] = [];
  private snapshot: PanelSnapshot = emptySnapshot();
  /** Where the form's texts are in documents (for diagnostics), while the form still matches. */
  private source: PairSource | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly handlers: PanelHandlers,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  get current(): PanelSnapshot {
    return this.snapshot;
  }

  /** Opens the panel (or brings it forward) beside the editor, keeping the editor focused. */
  reveal(preserveFocus = true): void {
    if (this.panel) {
      this.panel.reveal(undefined, preserveFocus);
      return;
    }
    const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, PANEL_TITLE, { viewColumn: vscode.ViewColumn.Beside, preserveFocus }, this.webviewOptions());
    this.adopt(panel);
  }

  /** A panel VS Code restored after a reload (WebviewPanelSerializer). */
  restore(panel: vscode.WebviewPanel, state: unknown): void {
    if (this.panel) {
      // Only one judge panel: a second restored one is closed.
      panel.dispose();
      return;
    }
    if (this.snapshot.judgment === null && this.snapshot.run === null && isSnapshot(state)) {
      // A comparison that was running when the window went away did not survive it.
      const interrupted = state.run !== null && state.run !== undefined;
      this.snapshot = {
        ...state,
        run: null,
        backend: this.snapshot.backend,
        outcome: interrupted ? { kind: "cancelled", message: "The window reloaded while this comparison ran. Run it again." } : state.outcome,
      };
    }
    panel.webview.options = this.webviewOptions();
    this.adopt(panel);
  }

  /** Shows a finished judgment with its inputs (the quick fix "Show BR-RM analysis"). */
  showJudgment(entry: { form: FormState; origin: string | null; label: 1 | 2 | null; judgment: PanelSnapshot["judgment"]; source?: PairSource }): void {
    if (this.snapshot.run) this.handlers.cancel();
    this.source = entry.source;
    this.set({ ...this.snapshot, form: entry.form, judged: entry.form, origin: entry.origin, label: entry.label, judgment: entry.judgment, run: null, outcome: null });
    this.reveal(false);
  }

  /** Applies an update to the state and sends it to the webview, if there is one. */
  update(update: PanelUpdate, source?: PairSource): void {
    if (update.type === "runStarted") this.source = source;
    this.snapshot = applyUpdate(this.snapshot, update);
    this.post(update);
  }

  notice(text: string): void {
    this.post({ type: "notice", text });
  }

  private set(snapshot: PanelSnapshot): void {
    this.snapshot = snapshot;
    this.post({ type: "snapshot", snapshot });
  }

  private post(message: ToWebview): void {
    // A hidden webview does not exist: it gets the whole snapshot when it starts again.
    if (this.panel?.visible) void this.panel.webview.postMessage(message);
  }

  private webviewOptions(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, "media")],
      retainContextWhenHidden: false,
      enableFindWidget: true,
    };
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, "media", "icon.svg");
    panel.webview.html = this.html(panel.webview);
    this.panelSubscriptions = [
      panel.webview.onDidReceiveMessage((m: ToExtension) => this.onMessage(m)),
      panel.onDidDispose(() => {
        for (const s of this.panelSubscriptions) s.dispose();
        this.panelSubscriptions = [];
        this.panel = undefined;
      }),
    ];
  }

  private onMessage(message: ToExtension): void {
    switch (message.type) {
      case "ready":
        void this.panel?.webview.postMessage({ type: "snapshot", snapshot: this.snapshot } satisfies ToWebview);
        break;
      case "formChanged":
        this.snapshot = { ...this.snapshot, form: message.form };
        break;
      case "run":
        this.snapshot = { ...this.snapshot, form: message.form };
        this.handlers.run(message.form, this.matchingContext(message.form));
        break;
      case "cancel":
        this.handlers.cancel();
        break;
      case "copyJson":
        void this.copyJson();
        break;
      default:
        this.log.warn(`Judge panel: unknown message ${JSON.stringify((message as { type?: unknown }).type)}`);
    }
  }

  /**
   * The document source and data label of the form's texts (swapped if the user swapped the
   * responses), or none once the user typed something else.
   */
  private matchingContext(form: FormState): { source?: PairSource; origin: string | null; label: 1 | 2 | null } {
    const s = this.source;
    const { origin, label } = this.snapshot;
    if (!s || form.prompt !== s.form.prompt) return { origin: null, label: null };
    if (form.response1 === s.form.response1 && form.response2 === s.form.response2) return { source: s, origin, label };
    if (form.response1 === s.form.response2 && form.response2 === s.form.response1) {
      const swapped = { ...s, form, response1: s.response2, response2: s.response1 };
      return { source: swapped, origin, label: label === null ? null : label === 1 ? 2 : 1 };
    }
    return { origin: null, label: null };
  }

  private async copyJson(): Promise<void> {
    const j = this.snapshot.judgment;
    if (!j) return;
    await vscode.env.clipboard.writeText(JSON.stringify(j, null, 2));
    this.notice("Judgment copied as JSON.");
  }

  private html(webview: vscode.Webview): string {
    return panelHtml({
      cspSource: webview.cspSource,
      nonce: crypto.randomBytes(16).toString("base64"),
      media: (file) => webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, "media", file)).toString(),
    });
  }

  dispose(): void {
    this.panel?.dispose();
  }
}

function isSnapshot(v: unknown): v is PanelSnapshot {
  if (typeof v !== "object" || v === null) return false;
  const s = v as Partial<PanelSnapshot>;
  return typeof s.form === "object" && s.form !== null && typeof s.form.prompt === "string" && "judgment" in s;
}
