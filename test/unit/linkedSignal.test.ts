// One signal for several: it follows its sources until disposed, and leaves nothing on them.

import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { describe, it } from "node:test";
import { linkedSignal } from "../../src/backends/linkedSignal";

describe("linked signal", () => {
  it("aborts when any source aborts, and at once when one already has", () => {
    const [a, b] = [new AbortController(), new AbortController()];
    const linked = linkedSignal([a.signal, undefined, b.signal]);
    assert.equal(linked.signal.aborted, false);
    b.abort();
    assert.equal(linked.signal.aborted, true);
    assert.equal(getEventListeners(a.signal, "abort").length, 0, "an aborted link lets go of the other sources");
    assert.equal(linkedSignal([a.signal, AbortSignal.abort()]).signal.aborted, true);
  });

  it("after dispose, a long-lived source holds no listener and no longer aborts it", () => {
    const run = new AbortController();
    const links = Array.from({ length: 1000 }, () => linkedSignal([run.signal]));
    assert.equal(getEventListeners(run.signal, "abort").length, 1000);
    for (const l of links) l.dispose();
    assert.equal(getEventListeners(run.signal, "abort").length, 0);
    run.abort();
    assert.ok(links.every((l) => !l.signal.aborted));
  });
});
