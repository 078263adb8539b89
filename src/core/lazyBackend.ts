// A backend that is created on the first comparison. A dataset run that has nothing left to
// judge (everything resumed or answered from the cache) then never loads the model, which for
// an 8B model saves seconds to minutes and gigabytes of memory.

import type { Conversation, JudgeBackend } from "./backend";
import { BrrmError, errorMessage } from "./errors";
import type { BackendKind } from "./judgment";

/** The backend could not be created: no comparison can run, so the whole run stops. */
export class BackendUnavailableError extends BrrmError {
  constructor(readonly reason: unknown) {
    super(reason instanceof BrrmError ? reason.code : "BACKEND_UNAVAILABLE", errorMessage(reason), { cause: reason });
    this.name = "BackendUnavailableError";
  }
}

export class LazyBackend implements JudgeBackend {
  private real: Promise<JudgeBackend> | undefined;
  private resolved: JudgeBackend | undefined;

  /** `modelName` is shown until the backend exists; judgments read the real one. */
  constructor(
    readonly kind: BackendKind,
    private readonly placeholderName: string,
    private readonly create: () => Promise<JudgeBackend>,
  ) {}

  get modelName(): string {
    return this.resolved?.modelName ?? this.placeholderName;
  }

  /** Whether the backend was ever asked for (and so created, or tried). */
  get started(): boolean {
    return this.real !== undefined;
  }

  async startConversation(signal?: AbortSignal): Promise<Conversation> {
    this.real ??= this.create().then(
      (b) => (this.resolved = b),
      (e: unknown) => {
        throw new BackendUnavailableError(e);
      },
    );
    const backend = await this.real;
    return backend.startConversation(signal);
  }

  async dispose(): Promise<void> {
    const backend = await this.real?.catch(() => undefined);
    await backend?.dispose();
  }
}
