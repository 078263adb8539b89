// A backend that lets at most N conversations run at once, whoever starts them. A notebook
// runs each cell as its own evaluation (so each cell can be stopped alone), and the cells
// share this one limit, so `brrm.evaluation.concurrency` means the same as `brrm eval
// --concurrency`: N comparisons in flight, taken in the order they were asked for.

import type { Conversation, JudgeBackend } from "../../core/backend";
import { CancelledError } from "../../core/errors";

export class LimitedBackend implements JudgeBackend {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly inner: JudgeBackend,
    limit: number,
  ) {
    this.free = Math.max(1, limit);
  }

  get kind() {
    return this.inner.kind;
  }

  get modelName(): string {
    return this.inner.modelName;
  }

  async startConversation(signal?: AbortSignal): Promise<Conversation> {
    await this.acquire(signal);
    let conversation: Conversation;
    try {
      conversation = await this.inner.startConversation(signal);
    } catch (e) {
      this.release();
      throw e;
    }
    let released = false;
    return {
      turn: (request) => conversation.turn(request),
      dispose: () => {
        conversation.dispose();
        if (released) return;
        released = true;
        this.release();
      },
    };
  }

  private acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(new CancelledError());
    if (this.free > 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(grant);
        if (i !== -1) this.waiting.splice(i, 1);
        reject(new CancelledError());
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiting.push(grant);
    });
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }

  /** The wrapped backend belongs to its owner (the backend manager): nothing to free here. */
  async dispose(): Promise<void> {}
}
