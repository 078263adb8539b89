import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CancelledError } from "../../src/core/errors";
import { Slots } from "../../src/core/slots";

describe("slots", () => {
  it("grants at most N at once, then in the order asked", async () => {
    const slots = new Slots(2);
    const granted: string[] = [];
    await slots.acquire();
    await slots.acquire();
    const c = slots.acquire().then(() => granted.push("c"));
    const d = slots.acquire().then(() => granted.push("d"));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(granted, []);
    slots.release();
    await c;
    assert.deepEqual(granted, ["c"]);
    slots.release();
    await d;
    assert.deepEqual(granted, ["c", "d"]);
  });
  it("a cancelled wait gives up its place without taking a slot", async () => {
    const slots = new Slots(1);
    await slots.acquire();
    const controller = new AbortController();
    const cancelled = slots.acquire(controller.signal);
    const next = slots.acquire();
    controller.abort();
    await assert.rejects(cancelled, CancelledError);
    slots.release();
    await next;
    await assert.rejects(slots.acquire(AbortSignal.abort()), CancelledError);
  });
});
