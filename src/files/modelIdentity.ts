// The model's identity in result-cache keys. A file name alone is not enough (a re-quantized
// file keeps its name), so a local file is its path, size and modification time; an endpoint is
// its URL and the model the server named (the caller passes it in, having asked the server),
// since two servers may serve different weights under one model name. A local model's identity
// needs no loaded model, so that a run answered wholly from the cache never loads one.

import * as fs from "node:fs";
import * as path from "node:path";

export async function modelIdentity(config: { kind: string; model?: string; baseURL?: string }, servedModel?: string): Promise<string> {
  const parts = [config.kind];
  if (config.baseURL) parts.push(config.baseURL.replace(/\/+$/, ""));
  if (servedModel) parts.push(servedModel);
  else if (config.model) {
    const remote = /^(hf:|huggingface:|https?:)/i.test(config.model);
    const stat = remote ? undefined : await fs.promises.stat(config.model).catch(() => undefined);
    parts.push(stat ? `${path.resolve(config.model)}:${stat.size}:${Math.round(stat.mtimeMs)}` : config.model);
  }
  return parts.join("|");
}
