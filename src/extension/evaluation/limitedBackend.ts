// A backend that lets at most N conversations run at once, whoever starts them. A notebook
// runs each cell as its own evaluation (so each cell can be stopped alone), and the cells
// share this one limit, so `brrm.evaluation.concurrency` means the same as `brrm eval
// --concurrency`: N comparisons in flight, taken in the order they were asked for.

import type { Conversation, JudgeBackend } from "../../core/backend";
import { Slots } from "../../core/slots";

export class LimitedBackend implements JudgeBackend {
  private readonly slots: Slots;

  constructor(
    private readonly inner: JudgeBackend,
    limit: number,
  ) {
    this.slots = new Slots(limit);
  }

  get kind() {
    return this.inner.kind;
  }

  get modelName(): string {
    return this.inner.modelName;
  }

  async startConversation(signal?: AbortSignal): Promise<Conversation> {
    await this.slots.acquire(signal);
    let conversation: Conversation;
    try {
      conversation = await this.inner.startConversation(signal);
    } catch (e) {
      this.slots.release();
      throw e;
    }
    let released = false;
    return {
      turn: (request) => conversation.turn(request),
      dispose: () => {
        conversation.dispose();
        if (released) return;
        released = true;
        this.slots.release();
      },
    };
  }

  /** The wrapped backend belongs to its owner (the backend manager): nothing to free here. */
  async dispose(): Promise<void> {}
}
