/**
 * The last line of defence. An exception thrown from a socket's event handler or a timer has no
 * caller to catch it: Node would end the whole process, and with it every other endpoint (and, in
 * browser mode, leave Unix socket files behind). Code that runs from such callbacks is wrapped here
 * so that a bug fails only the endpoint it belongs to — logged, and shown in that endpoint's
 * workspace — and the rest keeps running. It never replaces handling an expected error.
 */

/** Receives a fault: where it happened (for the log and the person), and what was thrown. */
export type FaultHandler = (where: string, err: unknown) => void;

export function logInternalError(where: string, err: unknown): void {
  console.error(`sockscope: internal error in ${where} (this is a bug; please report it):`, err);
}

/** `fn`, with anything it throws handed to `onFault` instead of to the event loop. */
export function guarded<A extends unknown[]>(onFault: FaultHandler, where: string, fn: (...args: A) => void): (...args: A) => void {
  return (...args: A) => {
    try {
      fn(...args);
    } catch (err) {
      try {
        onFault(where, err);
      } catch (again) {
        // The fault handler itself failed: log both, never rethrow into the event loop.
        logInternalError(where, err);
        logInternalError(`the fault handler for ${where}`, again);
      }
    }
  };
}

/** What a person reads in the failed endpoint's alert. */
export function internalErrorMessage(where: string, err: unknown): string {
  const what = err instanceof Error ? err.message : String(err);
  return (
    `Sockscope hit an internal error (${where}: ${what.slice(0, 200)}) and closed this endpoint so that the others ` +
    'keep running. This is a bug in Sockscope, not in your network; the details are in the log.'
  );
}
