// The one place that reads `brrm.*` settings. Everything else gets a typed Settings value.
//
// Workspace trust: an untrusted folder must not choose where data is sent (endpoint), which
// model file is loaded or which prompts are used. VS Code already hides workspace values of
// `restrictedConfigurations` in restricted mode; we read those keys from the user scope
// ourselves as well, so the guarantee does not rest on one mechanism.

import * as vscode from "vscode";
import { z } from "zod";
import { DEFAULT_REGISTRY } from "../backends/cudaInstaller";
import { DEFAULT_MODEL } from "../backends/llamaCpp";
import { PROMPT_SETS, SCORINGS, type Scoring } from "../core/benchmark/benchmarks";
import type { GpuSetting } from "../core/gpuChoice";
import type { BackendKind } from "../core/judgment";
import { DEFAULT_TEMPLATES, validateTemplates, type PromptTemplates } from "../core/prompts";
import { DEFAULT_SAMPLING, type Sampling } from "../core/sampling";

export const SECTION = "brrm";

/** Keys an untrusted workspace may not set (mirrors `capabilities.untrustedWorkspaces` in package.json). */
export const RESTRICTED_KEYS = [
  "backend",
  "local.model",
  "openai.baseUrl",
  "openai.model",
  "openai.extraBody",
  "promptTemplates",
] as const;

/** Keys whose change means a different backend (the backend manager recreates it). */
const BACKEND_KEYS = ["backend", "local", "openai"] as const;

export const DEFAULT_CONTEXT_SIZE = 16384;

export interface LocalSettings {
  /** A `.gguf` path, an `hf:` URI or an https URL. */
  model: string;
  gpu: GpuSetting;
  /** undefined: the physical cores. */
  threads: number | undefined;
  contextSize: number;
}

export interface OpenAISettings {
  baseUrl: string;
  model: string;
  extraBody: Record<string, unknown>;
}

/** How notebooks, "Evaluate Dataset…" and "Compare Prompt Variants…" run many pairs. */
export interface EvaluationSettings {
  /** Comparisons at once (local: parallel sequences of one context; endpoint: requests in flight). */
  concurrency: number;
  /** Judge each pair in both orders. */
  swap: boolean;
  /** Samples per order, decided by majority vote. */
  samples: number;
  /** Reuse judgments of identical requests from the result cache the CLI shares. */
  cache: boolean;
}

/** How "Run Benchmark…" judges and scores. */
export interface BenchmarkSettings {
  prompts: (typeof PROMPT_SETS)[number];
  scoring: Scoring;
}

export interface Settings {
  backend: BackendKind;
  local: LocalSettings;
  /** The npm registry "Install CUDA Acceleration" downloads from (machine-scoped: user settings only). */
  cudaRegistry: string;
  openai: OpenAISettings;
  sampling: Sampling;
  constrained: boolean;
  templates: PromptTemplates;
  evaluation: EvaluationSettings;
  benchmark: BenchmarkSettings;
  /** Values that were invalid and replaced by their defaults, in words (shown and logged). */
  problems: string[];
}

type Inspected<T> = ReturnType<vscode.WorkspaceConfiguration["inspect"]> & { defaultValue?: T };

/**
 * The value a restricted key may take: in an untrusted workspace only what the user set in
 * their own settings (or the default), never the folder's.
 */
export function restrictedValue<T>(inspected: Inspected<T> | undefined, trusted: boolean): T | undefined {
  if (!inspected) return undefined;
  if (trusted) {
    return (inspected.workspaceFolderValue ?? inspected.workspaceValue ?? inspected.globalValue ?? inspected.defaultValue) as T | undefined;
  }
  return (inspected.globalValue ?? inspected.defaultValue) as T | undefined;
}

const schemas = {
  backend: z.enum(["local", "openai"]),
  "local.model": z.string().trim().min(1),
  "local.gpu": z.enum(["auto", "cuda", "vulkan", "metal", "off"]),
  "local.threads": z.number().int().min(0).max(1024),
  "local.contextSize": z.number().int().min(512).max(1 << 20),
  "cuda.registry": z.string().trim().url(),
  "openai.baseUrl": z.string().trim(),
  "openai.model": z.string().trim(),
  "openai.extraBody": z.record(z.string(), z.unknown()),
  "sampling.temperature": z.number().min(0).max(5),
  "sampling.topP": z.number().min(0).max(1),
  "sampling.topK": z.number().int().min(0),
  "sampling.maxTokens": z.number().int().min(16),
  "sampling.seed": z.number().int().min(0).nullable(),
  constrained: z.boolean(),
  promptTemplates: z.object({ turn1: z.string().optional(), turn2: z.string().optional() }),
  "evaluation.concurrency": z.number().int().min(1).max(64),
  "evaluation.swap": z.boolean(),
  "evaluation.samples": z.number().int().min(1).max(32),
  "evaluation.cache": z.boolean(),
  "benchmark.prompts": z.enum(PROMPT_SETS),
  "benchmark.scoring": z.enum(SCORINGS),
} as const;

type Key = keyof typeof schemas;

/** Every key this module reads (package.json must contribute exactly these). */
export const SETTING_KEYS = Object.keys(schemas) as Key[];
type Value<K extends Key> = z.infer<(typeof schemas)[K]>;

/** What each setting is when unset; package.json's `default`s must say the same. */
export const SETTING_DEFAULTS: { readonly [K in Key]: Value<K> } = {
  backend: "local",
  "local.model": DEFAULT_MODEL,
  "local.gpu": "auto",
  "local.threads": 0,
  "local.contextSize": DEFAULT_CONTEXT_SIZE,
  "cuda.registry": DEFAULT_REGISTRY,
  "openai.baseUrl": "",
  "openai.model": "",
  "openai.extraBody": {},
  "sampling.temperature": DEFAULT_SAMPLING.temperature,
  "sampling.topP": DEFAULT_SAMPLING.topP,
  "sampling.topK": DEFAULT_SAMPLING.topK,
  "sampling.maxTokens": DEFAULT_SAMPLING.maxTokens,
  "sampling.seed": null,
  constrained: false,
  promptTemplates: {},
  "evaluation.concurrency": 1,
  "evaluation.swap": false,
  "evaluation.samples": 1,
  "evaluation.cache": true,
  "benchmark.prompts": "card",
  "benchmark.scoring": "official",
};

/** Reads every setting; `trusted` defaults to the workspace's trust (a parameter for tests). */
export function readSettings(trusted: boolean = vscode.workspace.isTrusted): Settings {
  const config = vscode.workspace.getConfiguration(SECTION);
  const problems: string[] = [];
  const read = <K extends Key>(key: K): Value<K> => {
    const raw = (RESTRICTED_KEYS as readonly string[]).includes(key)
      ? restrictedValue(config.inspect(key), trusted)
      : config.get(key);
    if (raw === undefined) return SETTING_DEFAULTS[key];
    const parsed = schemas[key].safeParse(raw);
    if (parsed.success) return parsed.data as Value<K>;
    problems.push(`brrm.${key}: ${JSON.stringify(raw)} is not valid (${parsed.error.issues[0]?.message ?? "wrong type"}); using ${JSON.stringify(SETTING_DEFAULTS[key])}.`);
    return SETTING_DEFAULTS[key];
  };

  const threads = read("local.threads");
  const seed = read("sampling.seed");
  const custom = read("promptTemplates");
  const templates: PromptTemplates = {
    turn1: custom.turn1?.trim() ? custom.turn1 : DEFAULT_TEMPLATES.turn1,
    turn2: custom.turn2?.trim() ? custom.turn2 : DEFAULT_TEMPLATES.turn2,
  };
  const templateProblems = validateTemplates(templates);
  if (templateProblems.length > 0) problems.push(...templateProblems.map((p) => `brrm.promptTemplates: ${p} Using the model card's templates.`));

  return {
    backend: read("backend"),
    local: {
      model: read("local.model"),
      gpu: read("local.gpu"),
      threads: threads === 0 ? undefined : threads,
      contextSize: read("local.contextSize"),
    },
    cudaRegistry: read("cuda.registry"),
    openai: {
      baseUrl: read("openai.baseUrl"),
      model: read("openai.model"),
      extraBody: read("openai.extraBody"),
    },
    sampling: {
      temperature: read("sampling.temperature"),
      topP: read("sampling.topP"),
      topK: read("sampling.topK"),
      maxTokens: read("sampling.maxTokens"),
      ...(seed === null ? {} : { seed }),
    },
    constrained: read("constrained"),
    templates: templateProblems.length > 0 ? { ...DEFAULT_TEMPLATES } : templates,
    evaluation: {
      concurrency: read("evaluation.concurrency"),
      swap: read("evaluation.swap"),
      samples: read("evaluation.samples"),
      cache: read("evaluation.cache"),
    },
    benchmark: { prompts: read("benchmark.prompts"), scoring: read("benchmark.scoring") },
    problems,
  };
}

export function affectsSettings(e: vscode.ConfigurationChangeEvent): boolean {
  return e.affectsConfiguration(SECTION);
}

export function affectsBackend(e: vscode.ConfigurationChangeEvent): boolean {
  return BACKEND_KEYS.some((k) => e.affectsConfiguration(`${SECTION}.${k}`));
}

/**
 * Writes settings the user picked (backend picker). Always to the user scope: restricted keys
 * are read from there in untrusted folders, and a choice of model follows the user.
 */
export async function updateUserSettings(values: Partial<Record<"backend" | "local.model" | "openai.baseUrl" | "openai.model", string>>): Promise<void> {
  const config = vscode.workspace.getConfiguration(SECTION);
  for (const [key, value] of Object.entries(values)) await config.update(key, value, vscode.ConfigurationTarget.Global);
}

/** Keys whose folder value hides the user value we just wrote (so the picker can say so). */
export function shadowedByWorkspace(keys: readonly string[]): string[] {
  const config = vscode.workspace.getConfiguration(SECTION);
  return keys.filter((k) => {
    const i = config.inspect(k);
    return i?.workspaceValue !== undefined || i?.workspaceFolderValue !== undefined;
  });
}
