// The messages between the extension and the judge panel's webview, and the state they
// describe. The webview bundle and the extension bundle each include their own copy of this
// file (no `vscode` import, no DOM): the webview can't load code from the extension host.
//
// The extension owns the panel's state (a PanelSnapshot) and sends it whole when a webview
// (re)starts; afterwards it sends small updates that both sides apply the same way
// (applyUpdate). The webview keeps the snapshot with setState, so a panel restored after a
// reload shows its last result before the extension answers.

import type { Judgment, TurnUsage } from "../../src/core/judgment";

export interface FormState {
  prompt: string;
  response1: string;
  response2: string;
}

export interface TurnView {
  answer: string;
  thought: string;
  tokens: number;
  /** Time spent in this turn so far. */
  ms: number;
  usage: TurnUsage | null;
}

export interface RunView {
  /** "loading": the backend is starting (download, model load); "running": the turns stream. */
  status: "loading" | "running";
  /** What is happening, in words ("Loading model 40%", "Turn 1: choosing dimensions…"). */
  phase: string;
  turn: 1 | 2 | null;
  turns: { 1: TurnView; 2: TurnView };
  /** Time since the run started, as of the last update. */
  elapsedMs: number;
}

export interface PanelSnapshot {
  form: FormState;
  /** Where the inputs came from ("pairs.jsonl, line 3"), null for typed-in text. */
  origin: string | null;
  /** Which response the data set says is better, when the record says. */
  label: 1 | 2 | null;
  /** The backend and its state ("local · Qwen3-Nemotron-8B-BRRM Q4_K_M · ready"). */
  backend: string;
  run: RunView | null;
  /** The inputs the judgment (or the running comparison) is about; the form may have changed since. */
  judged: FormState | null;
  judgment: Judgment | null;
  /** How the last run ended when it produced no judgment. */
  outcome: { kind: "cancelled" | "failed"; message: string } | null;
}

export type PanelUpdate =
  | { type: "snapshot"; snapshot: PanelSnapshot }
  | { type: "backend"; text: string }
  | { type: "runStarted"; form: FormState; origin: string | null; label: 1 | 2 | null }
  | { type: "phase"; status: RunView["status"]; phase: string; elapsedMs: number }
  | { type: "turnStarted"; turn: 1 | 2; phase: string; elapsedMs: number }
  | { type: "delta"; turn: 1 | 2; answer: string; thought: string; tokens: number; turnMs: number; elapsedMs: number }
  | { type: "turnFinished"; turn: 1 | 2; usage: TurnUsage; elapsedMs: number }
  | { type: "judgment"; judgment: Judgment }
  | { type: "runEnded"; outcome: NonNullable<PanelSnapshot["outcome"]> };

export type ToExtension =
  | { type: "ready" }
  | { type: "run"; form: FormState }
  | { type: "cancel" }
  | { type: "copyJson" }
  | { type: "formChanged"; form: FormState };

/** A message the webview shows briefly (e.g. "Copied"). Sent besides the updates. */
export type Notice = { type: "notice"; text: string };

export type ToWebview = PanelUpdate | Notice;

export const EMPTY_FORM: FormState = { prompt: "", response1: "", response2: "" };

const emptyTurn = (): TurnView => ({ answer: "", thought: "", tokens: 0, ms: 0, usage: null });

export function emptySnapshot(backend = ""): PanelSnapshot {
  return { form: { ...EMPTY_FORM }, origin: null, label: null, backend, run: null, judged: null, judgment: null, outcome: null };
}

/** The one state transition both sides use, so the webview and the extension never disagree. */
export function applyUpdate(s: PanelSnapshot, u: PanelUpdate): PanelSnapshot {
  switch (u.type) {
    case "snapshot":
      return u.snapshot;
    case "backend":
      return { ...s, backend: u.text };
    case "runStarted":
      return {
        ...s,
        form: u.form,
        origin: u.origin,
        label: u.label,
        judged: u.form,
        judgment: null,
        outcome: null,
        run: { status: "loading", phase: "Starting…", turn: null, turns: { 1: emptyTurn(), 2: emptyTurn() }, elapsedMs: 0 },
      };
    case "phase":
      return s.run ? { ...s, run: { ...s.run, status: u.status, phase: u.phase, elapsedMs: u.elapsedMs } } : s;
    case "turnStarted":
      return s.run ? { ...s, run: { ...s.run, status: "running", turn: u.turn, phase: u.phase, elapsedMs: u.elapsedMs } } : s;
    case "delta": {
      if (!s.run) return s;
      const t = s.run.turns[u.turn];
      const turn: TurnView = { ...t, answer: t.answer + u.answer, thought: t.thought + u.thought, tokens: t.tokens + u.tokens, ms: u.turnMs };
      return { ...s, run: { ...s.run, elapsedMs: u.elapsedMs, turns: { ...s.run.turns, [u.turn]: turn } } };
    }
    case "turnFinished": {
      if (!s.run) return s;
      const turn: TurnView = { ...s.run.turns[u.turn], usage: u.usage, ms: u.usage.ms, tokens: u.usage.generatedTokens };
      return { ...s, run: { ...s.run, elapsedMs: u.elapsedMs, turns: { ...s.run.turns, [u.turn]: turn } } };
    }
    case "judgment":
      return { ...s, run: null, judgment: u.judgment, outcome: null };
    case "runEnded":
      return { ...s, run: null, outcome: u.outcome };
  }
}
