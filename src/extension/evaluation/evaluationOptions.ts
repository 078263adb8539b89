// The options every evaluation in the editor runs with, from the settings: sampling,
// constrained mode, templates, swap, samples, and the result cache. The cache and the model
// identity are the CLI's, so a pair judged by `brrm eval` is not judged again in a notebook
// with the same model and settings, and the other way round.

import type { JudgeBackend } from "../../core/backend";
import type { EvaluateOptions } from "../../core/evaluate";
import { defaultCacheDir, DirectoryJudgmentCache } from "../../files/judgmentCache";
import { modelIdentity } from "../../files/modelIdentity";
import type { Settings } from "../settings";

export type EditorEvaluateOptions = Pick<EvaluateOptions, "sampling" | "constrained" | "templates" | "swap" | "samples" | "cache" | "modelIdentity">;

export async function evaluationOptions(settings: Settings, backend: JudgeBackend): Promise<EditorEvaluateOptions> {
  const identity =
    settings.backend === "local"
      ? await modelIdentity({ kind: "local", model: settings.local.model })
      : await modelIdentity({ kind: "openai", baseURL: settings.openai.baseUrl }, backend.modelName);
  return {
    sampling: settings.sampling,
    constrained: settings.constrained,
    templates: settings.templates,
    swap: settings.evaluation.swap,
    samples: settings.evaluation.samples,
    ...(settings.evaluation.cache ? { cache: new DirectoryJudgmentCache(defaultCacheDir()) } : {}),
    modelIdentity: identity,
  };
}
