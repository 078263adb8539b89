// The flags every judging command shares (backend, model, sampling, templates) and their
// translation into a backend configuration and judge options.

import * as fs from "node:fs";
import type { ParseArgsConfig } from "node:util";
import type { JudgeOptions } from "../core/flow";
import { DEFAULT_TEMPLATES, validateTemplates, type PromptTemplates } from "../core/prompts";
import type { Sampling } from "../core/sampling";
import type { BackendConfig } from "../backends";
import { DEFAULT_MODEL, type GpuSetting, type LoadProgress } from "../backends/llamaCpp";
import { choiceArg, numberArg, UsageError } from "./args";

export const JUDGE_FLAGS = {
  backend: { type: "string" },
  model: { type: "string" },
  gpu: { type: "string" },
  threads: { type: "string" },
  "context-size": { type: "string" },
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
  --backend local             llama.cpp in this process (the default)
  --model <path|hf:uri|url>   GGUF model (default ${DEFAULT_MODEL})
  --gpu auto|cuda|vulkan|metal|off   (default auto)
  --threads N                 CPU threads (default: physical cores)
  --context-size N            tokens per comparison (default 16384)
Sampling (defaults from the model card):
  --temperature T (1.0)  --top-p P (0.95)  --top-k K (20)  --max-tokens N per turn (8192)
  --seed S                    reproducible sampling
  --constrained               force the output format with a grammar (any model yields a verdict)
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

export function backendConfigFrom(v: JudgeFlagValues, extra: { parallel?: number; onProgress?: (p: LoadProgress) => void; signal?: AbortSignal } = {}): BackendConfig {
  const backend = choiceArg("backend", v.backend, ["local"] as const) ?? "local";
  return {
    kind: backend,
    model: v.model ?? process.env.BRRM_MODEL ?? DEFAULT_MODEL,
    gpu: choiceArg<GpuSetting>("gpu", v.gpu, ["auto", "cuda", "vulkan", "metal", "off"]),
    threads: numberArg("threads", v.threads, { min: 1, integer: true }),
    contextSize: numberArg("context-size", v["context-size"], { min: 256, integer: true }),
    ...extra,
  };
}

export function judgeOptionsFrom(v: JudgeFlagValues): Omit<JudgeOptions, "signal" | "onEvent"> {
  return { sampling: samplingFrom(v), constrained: v.constrained ?? false, templates: templatesFrom(v) };
}
