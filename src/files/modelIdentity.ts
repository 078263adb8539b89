// The model's identity in result-cache keys. A file name alone is not enough (a re-quantized
// file keeps its name), so a local file adds its size and modification time; an endpoint adds
// its URL, since two servers may serve different weights under one model name.

import * as fs from "node:fs";
import * as path from "node:path";
import type { JudgeBackend } from "../core/backend";

export async function modelIdentity(backend: JudgeBackend, config: { kind: string; model?: string; baseURL?: string }): Promise<string> {
  const parts = [backend.kind, backend.modelName];
  if (config.baseURL) parts.push(config.baseURL.replace(/\/+$/, ""));
  if (config.model) {
    const remote = /^(hf:|huggingface:|https?:)/i.test(config.model);
    const stat = remote ? undefined : await fs.promises.stat(config.model).catch(() => undefined);
    parts.push(stat ? `${path.resolve(config.model)}:${stat.size}:${Math.round(stat.mtimeMs)}` : config.model);
  }
  return parts.join("|");
}
