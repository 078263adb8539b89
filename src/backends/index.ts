// Makes the backend a configuration asks for. The one place that knows every engine.

import type { JudgeBackend } from "../core/backend";
import { LocalBackend, type LocalBackendOptions } from "./llamaCpp";

export type BackendConfig = { kind: "local" } & LocalBackendOptions;

export async function createBackend(config: BackendConfig): Promise<JudgeBackend> {
  switch (config.kind) {
    case "local":
      return LocalBackend.create(config);
  }
}
