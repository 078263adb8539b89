// Model sources given as a URL are downloaded with progress into the models folder, and the
// download can be cancelled. A local HTTP server stands in for the model host (no network here).

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { disposeLocalEngine, LocalBackend, type LoadProgress } from "../../src/backends/llamaCpp";
import { CancelledError } from "../../src/core/errors";
import { tempDir, TINY, tinyModel } from "../support/fixtures";

describe("model download", () => {
  let server: http.Server;
  let base: string;
  const modelsDir = tempDir();
  before(async () => {
    const model = fs.readFileSync(await tinyModel());
    server = http.createServer((req, res) => {
      res.writeHead(200, { "content-length": model.length, "content-type": "application/octet-stream" });
      if (req.url?.startsWith("/slow/")) {
        // 64 KiB every 50 ms: a download that takes minutes unless cancelled.
        let offset = 0;
        const timer = setInterval(() => {
          if (offset >= model.length || res.destroyed) return clearInterval(timer);
          res.write(model.subarray(offset, (offset += 65536)));
        }, 50);
        res.on("close", () => clearInterval(timer));
      } else res.end(model);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    server.close();
    await disposeLocalEngine();
  });

  it("downloads a URL into the models folder with progress, then loads it", async () => {
    const progress: LoadProgress[] = [];
    const backend = await LocalBackend.create({ model: `${base}/brrm-tiny.gguf`, modelsDir, ...TINY, onProgress: (p) => progress.push(p) });
    await backend.dispose();
    assert.ok(fs.existsSync(path.join(modelsDir, "brrm-tiny.gguf")));
    const downloads = progress.filter((p) => p.phase === "download");
    assert.ok(downloads.length > 1);
    const last = downloads[downloads.length - 1];
    assert.equal(last.phase === "download" && last.downloadedBytes, fs.statSync(path.join(modelsDir, "brrm-tiny.gguf")).size);
    assert.ok(progress.some((p) => p.phase === "load"));
    assert.equal(backend.modelName, "brrm-tiny");
  });

  it("cancelling a download stops it and leaves no model file behind", async () => {
    const controller = new AbortController();
    const started = LocalBackend.create({
      model: `${base}/slow/cancelled.gguf`,
      modelsDir,
      ...TINY,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.phase === "download" && p.downloadedBytes > 0) controller.abort();
      },
    });
    await assert.rejects(started, CancelledError);
    assert.ok(!fs.existsSync(path.join(modelsDir, "cancelled.gguf")));
  });
});
