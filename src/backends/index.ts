// Makes the backend a configuration asks for. The one place that knows every engine.

import type { JudgeBackend } from "../core/backend";
import { LocalBackend, type LocalBackendOptions } from "./llamaCpp";
import { OpenAIBackend, type OpenAIBackendOptions } from "./openai";

/**
 * Every backend takes the same cancellation and progress callback, so that callers need not
 * know which one they create (an endpoint has nothing to download or load: it reports none).
 */
type CreateOptions = Pick<LocalBackendOptions, "signal" | "onProgress" | "onLog">;

export type BackendConfig = ({ kind: "local" } & LocalBackendOptions) | ({ kind: "openai" } & OpenAIBackendOptions & CreateOptions);

export async function createBackend(config: BackendConfig): Promise<JudgeBackend> {
  switch (config.kind) {
    case "local":
      return LocalBackend.create(config);
    case "openai":
      return OpenAIBackend.create(config);
  }
}
