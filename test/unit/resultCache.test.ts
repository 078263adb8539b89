import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { DEFAULT_TEMPLATES } from "../../src/core/prompts";
import { cacheKey, type CacheRequest } from "../../src/core/resultCache";
import { withSamplingDefaults } from "../../src/core/sampling";
import { DirectoryJudgmentCache } from "../../src/files/judgmentCache";
import { tempDir } from "../support/fixtures";
import { judgmentOf } from "../support/judgments";

const BASE: CacheRequest = {
  pair: { prompt: "p", response1: "a", response2: "b" },
  model: "local|m|/models/m.gguf:123:456",
  templates: DEFAULT_TEMPLATES,
  sampling: withSamplingDefaults({ seed: 1 }),
  constrained: "optional",
  sample: 0,
};

describe("result cache", () => {
  it("the key changes with every part of the request, and only with it", async () => {
    const base = await cacheKey(BASE);
    assert.match(base, /^[0-9a-f]{64}$/);
    assert.equal(await cacheKey({ ...BASE, sampling: { ...BASE.sampling } }), base, "an equal request, another object");
    const variants: Partial<CacheRequest>[] = [
      { pair: { prompt: "p", response1: "b", response2: "a" } }, // the order
      { pair: { prompt: [{ role: "user", content: "p" }], response1: "a", response2: "b" } },
      { model: "local|m|/models/m.gguf:123:457" },
      { templates: { ...DEFAULT_TEMPLATES, turn2: `${DEFAULT_TEMPLATES.turn2} ` } },
      { sampling: withSamplingDefaults({ seed: 2 }) },
      { sampling: withSamplingDefaults({ seed: 1, temperature: 0.7 }) },
      { sampling: withSamplingDefaults({ seed: 1, maxTokens: 100 }) },
      { sampling: withSamplingDefaults({}) },
      { constrained: false },
      { constrained: "none" },
      { sample: 1 },
    ];
    const keys = await Promise.all(variants.map((v) => cacheKey({ ...BASE, ...v })));
    for (const [i, k] of keys.entries()) assert.notEqual(k, base, `variant ${i} must not share the key`);
    assert.equal(new Set(keys).size, keys.length);
  });

  it("a folder cache: a miss, a hit, damaged and foreign entries are misses, concurrent writers are safe", async () => {
    const dir = tempDir();
    const cache = new DirectoryJudgmentCache(dir);
    const key = await cacheKey(BASE);
    assert.equal(await cache.get(key), undefined);
    const j = judgmentOf(2, ["Logical Reasoning"]);
    await Promise.all([cache.put(key, j), cache.put(key, j), new DirectoryJudgmentCache(dir).put(key, j)]);
    assert.deepEqual(await cache.get(key), j);
    const file = path.join(dir, key.slice(0, 2), `${key}.json`);
    assert.ok(fs.existsSync(file));
    assert.deepEqual(fs.readdirSync(path.dirname(file)), [`${key}.json`], "no temporary files left");
    fs.writeFileSync(file, '{"format":1,"judgment":');
    assert.equal(await cache.get(key), undefined);
    fs.writeFileSync(file, JSON.stringify({ format: 99, judgment: j }));
    assert.equal(await cache.get(key), undefined);
    await assert.rejects(cache.get("../../etc/passwd"), /Not a cache key/);
  });
});
