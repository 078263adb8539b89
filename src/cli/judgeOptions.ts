// The flags every judging command shares (backend, model, sampling, templates) and their
// translation into a backend configuration and judge options.

import * as fs from "node:fs";
import type { ParseArgsConfig } from "node:util";
import type { JudgeOptions } from "../core/flow";
import { DEFAULT_TEMPLATES, validateTemplates, type PromptTemplates } from "../core/prompts";
import type { Sampling } from "../core/sampling";
import type { BackendConfig } from "../backends";
import { DEFAULT_MODEL, type LoadProgress } from "../backends/llamaCpp";
import type { GpuSetting } from "../core/gpuChoice";
import { DEFAULT_RETRIES, DEFAULT_TIMEOUT_MS, extraBodyProblem } from "../backends/openai";
import { choiceArg, numberArg, UsageError } from "./args";

export const JUDGE_FLAGS = {
  backend: { type: "string" },
  model: { type: "string" },
  gpu: { type: "string" },
  threads: { type: "string" },
  "context-size": { type: "string" },
  endpoint: { type: "string" },
  "api-key-env": { type: "string" },
  extra: { type: "string" },
  timeout: { type: "string" },
  retries: { type: "string" },
  "no-stream": { type: "boolean" },
  constrained: { type: "boolean" },
  "max-tokens": { type: "string" },
  temperature: { type: "string" },
  "top-p": { type: "string" },
  "top-k": { type: "string" },
  seed: { type: "string" },
  "turn1-template": { type: "string" },
  "turn2-template": { type: "string" },
} as const satisfies ParseArgsConfig["options"];

export const JUDGE_FLAGS_HELP = `Backend and model:
  --backend local|openai      llama.cpp in this process (the default), or an OpenAI-compatible server
  --model <name>              local: GGUF path, hf: URI or URL (default ${DEFAULT_MODEL});
                              openai: the served model name (default: the server's only model)
Local backend:
  --gpu auto|cuda|vulkan|metal|off   (default auto)
  --threads N                 CPU threads (default: physical cores)
  --context-size N            tokens per comparison (default 16384)
OpenAI-compatible backend (vLLM, SGLang, llama-server, Ollama, NIM, ...):
  --endpoint <url>            base URL, e.g. http://127.0.0.1:8080/v1 (required)
  --api-key-env NAME          environment variable holding the API key (default OPENAI_API_KEY;
                              the key is never taken from a flag, printed or saved)
  --extra '<json>'            fields merged into each request, e.g. '{"top_k":20}'
  --timeout S                 seconds to wait for the server, per turn and between streamed
                              tokens (default ${DEFAULT_TIMEOUT_MS / 1000})
  --retries N                 retries after 429, 5xx or a dropped connection (default ${DEFAULT_RETRIES})
  --no-stream                 one response per turn instead of streamed tokens
Sampling (defaults from the model card):
  --temperature T (1.0)  --top-p P (0.95)  --top-k K (20, local only)  --max-tokens N per turn (8192)
  --seed S                    reproducible sampling
  --constrained               force the output format with a grammar (any model yields a verdict;
                              with --backend openai the server must apply a GBNF "grammar" field, as
                              llama-server does: brrm warns when a server ignores it)
Prompts:
  --turn1-template <file>  --turn2-template <file>
                              templates with {context}, {response1}, {response2}`;

type JudgeFlagValues = { [K in keyof typeof JUDGE_FLAGS]?: (typeof JUDGE_FLAGS)[K]["type"] extends "boolean" ? boolean : string };

function readTemplate(flag: string, file: string | undefined, fallback: string): string {
  if (file === undefined) return fallback;
  try {
    return fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new UsageError(`--${flag} ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
  }
}

export function templatesFrom(v: JudgeFlagValues): PromptTemplates {
  const templates = {
    turn1: readTemplate("turn1-template", v["turn1-template"], DEFAULT_TEMPLATES.turn1),
    turn2: readTemplate("turn2-template", v["turn2-template"], DEFAULT_TEMPLATES.turn2),
  };
  const problems = validateTemplates(templates);
  if (problems.length > 0) throw new UsageError(problems.join("\n"));
  return templates;
}

export function samplingFrom(v: JudgeFlagValues): Partial<Sampling> {
  return {
    temperature: numberArg("temperature", v.temperature, { min: 0, max: 5 }),
    topP: numberArg("top-p", v["top-p"], { min: 0, max: 1 }),
    topK: numberArg("top-k", v["top-k"], { min: 0, integer: true }),
    maxTokens: numberArg("max-tokens", v["max-tokens"], { min: 1, integer: true }),
    seed: numberArg("seed", v.seed, { min: 0, integer: true }),
  };
}

const LOCAL_ONLY = ["gpu", "threads", "context-size", "top-k"] as const;
const OPENAI_ONLY = ["endpoint", "api-key-env", "extra", "timeout", "retries", "no-stream"] as const;

/** `--extra '<json>'` as an object, or a usage error that says what is wrong with it. */
function extraBodyFrom(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--extra is not valid JSON (${(e as Error).message}). Give an object, e.g. --extra '{"top_k":20}'.`);
  }
  const problem = extraBodyProblem(value);
  if (problem) throw new UsageError(`--extra: ${problem}.`);
  return value as Record<string, unknown>;
}

/**
 * The API key from the environment variable `--api-key-env` names (default OPENAI_API_KEY).
 * Keys are never flags: flags land in shell history and process lists.
 */
export function apiKeyFrom(envFlag: string | undefined): { apiKey: string | undefined; keySource: string } {
  const name = envFlag ?? "OPENAI_API_KEY";
  // Someone who pasted the key itself must not see it echoed back: the message never shows it.
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || /^sk-/.test(name))
    throw new UsageError("--api-key-env takes the NAME of an environment variable (like MY_API_KEY), not the key itself.");
  const apiKey = process.env[name] || undefined;
  if (envFlag !== undefined && apiKey === undefined)
    throw new UsageError(`--api-key-env ${name}: the environment variable ${name} is not set. Export it with the API key first.`);
  return { apiKey, keySource: `the environment variable ${name}` };
}

function openaiConfigFrom(v: JudgeFlagValues, extra: { signal?: AbortSignal }): BackendConfig {
  for (const flag of LOCAL_ONLY)
    if (v[flag] !== undefined)
      throw new UsageError(
        flag === "top-k"
          ? `--top-k is not sent to OpenAI-compatible servers (strict ones reject it). Where the server accepts it, pass --extra '{"top_k":${v["top-k"]}}'.`
          : `--${flag} applies to the local backend only; the server decides it for --backend openai.`,
      );
  if (v.endpoint === undefined) throw new UsageError("--backend openai needs --endpoint <base-url>, e.g. --endpoint http://127.0.0.1:8080/v1.");
  const { apiKey, keySource } = apiKeyFrom(v["api-key-env"]);
  const timeout = numberArg("timeout", v.timeout, { min: 1 });
  return {
    kind: "openai",
    baseURL: v.endpoint,
    model: v.model,
    apiKey,
    keySource,
    timeoutMs: timeout === undefined ? undefined : Math.round(timeout * 1000),
    retries: numberArg("retries", v.retries, { min: 0, max: 10, integer: true }),
    extraBody: extraBodyFrom(v.extra),
    stream: !v["no-stream"],
    // Warnings go to stderr with progress, so that stdout stays the judgment (and --json parses).
    onWarning: (message) => process.stderr.write(`brrm: warning: ${message}\n`),
    signal: extra.signal,
  };
}

export function backendConfigFrom(v: JudgeFlagValues, extra: { parallel?: number; onProgress?: (p: LoadProgress) => void; signal?: AbortSignal } = {}): BackendConfig {
  const backend = choiceArg("backend", v.backend, ["local", "openai"] as const) ?? "local";
  if (backend === "openai") return openaiConfigFrom(v, extra);
  for (const flag of OPENAI_ONLY)
    if (v[flag] !== undefined) throw new UsageError(`--${flag} applies to --backend openai only.`);
  return {
    kind: backend,
    model: v.model ?? process.env.BRRM_MODEL ?? DEFAULT_MODEL,
    gpu: choiceArg<GpuSetting>("gpu", v.gpu, ["auto", "cuda", "vulkan", "metal", "off"]),
    threads: numberArg("threads", v.threads, { min: 1, integer: true }),
    contextSize: numberArg("context-size", v["context-size"], { min: 256, integer: true }),
    // Which llama.cpp build runs and why (stderr, with the progress: stdout stays the judgment).
    onLog: (message) => process.stderr.write(`brrm: ${message}\n`),
    ...extra,
  };
}

export function judgeOptionsFrom(v: JudgeFlagValues): Omit<JudgeOptions, "signal" | "onEvent"> {
  return { sampling: samplingFrom(v), constrained: v.constrained ?? false, templates: templatesFrom(v) };
}
