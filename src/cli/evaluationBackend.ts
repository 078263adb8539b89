// The backend of a dataset run and the model's identity for the result cache, from the CLI's
// backend options. A local model is loaded on the first comparison that needs it, so a run
// answered wholly from the cache never loads one; an endpoint is asked at once (cheap), since
// its identity includes the model the server names.

import * as path from "node:path";
import { createBackend, type BackendConfig } from "../backends";
import type { JudgeBackend } from "../core/backend";
import { LazyBackend } from "../core/lazyBackend";
import { modelIdentity } from "../files/modelIdentity";

export async function evaluationBackend(config: BackendConfig): Promise<{ backend: JudgeBackend; modelIdentity: string; modelLoaded: () => boolean }> {
  if (config.kind === "local") {
    const backend = new LazyBackend("local", path.basename(config.model).replace(/\.gguf$/i, ""), () => createBackend(config));
    return { backend, modelIdentity: await modelIdentity(config), modelLoaded: () => backend.started };
  }
  const backend = await createBackend(config);
  return { backend, modelIdentity: await modelIdentity(config, backend.modelName), modelLoaded: () => true };
}
