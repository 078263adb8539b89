// Errors a user can meet. Each carries a stable code, a message that names the problem, and
// the next step; views print `message` and never a stack trace.

export class BrrmError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "BrrmError";
  }
}

/** The user stopped the work (Cancel, Ctrl-C). Not a failure: views report it quietly. */
export class CancelledError extends BrrmError {
  constructor(message = "Cancelled.") {
    super("CANCELLED", message);
    this.name = "CancelledError";
  }
}

export function isCancelled(e: unknown): boolean {
  return e instanceof CancelledError || (e instanceof Error && e.name === "AbortError");
}

/** The message to show for any thrown value. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
