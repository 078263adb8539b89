// One abort signal for several, given back when the work is done. Not AbortSignal.any: in Node
// 20 each call leaves a WeakRef in every source signal for good, and a combined signal that has
// an abort listener (the `openai` package adds one per request) is kept alive until it aborts.
// With the run's and the backend's signals as sources, 10,000 comparisons grew the heap by about
// 4.5 KB each (`npm run bench -- load`); this one adds a listener per source and removes it.

export interface LinkedSignal {
  signal: AbortSignal;
  /** Stops following the sources; call it when the work that used `signal` has ended. */
  dispose(): void;
}

export function linkedSignal(sources: (AbortSignal | undefined)[]): LinkedSignal {
  const controller = new AbortController();
  const live = sources.filter((s): s is AbortSignal => s !== undefined);
  const onAbort = () => {
    dispose();
    controller.abort();
  };
  const dispose = () => {
    for (const s of live) s.removeEventListener("abort", onAbort);
  };
  if (live.some((s) => s.aborted)) controller.abort();
  else for (const s of live) s.addEventListener("abort", onAbort, { once: true });
  return { signal: controller.signal, dispose };
}
