import type { Socket } from 'node:net';
import { engineError } from '../../errors/explain-error';
import { guarded, type FaultHandler } from '../../fault-barrier';

export type ConnectOutcome = { kind: 'connected' } | { kind: 'failed'; error: NodeJS.ErrnoException } | { kind: 'aborted' };

export interface ConnectWatch {
  readonly outcome: Promise<ConnectOutcome>;
  /** Settles the outcome as aborted and destroys the socket (also what `signal` does). */
  abort(): void;
}

/**
 * Settles once: connected, failed (an error, or no answer within `timeoutMs`), or aborted through
 * `signal` or `abort()` (which destroy the socket). Errors are always handled: the 'error' listener
 * stays for the socket's whole life, and the conversation adds its own once connected.
 */
export function watchConnect(socket: Socket, timeoutMs: number, signal: AbortSignal, onFault: FaultHandler): ConnectWatch {
  let onAbort = () => {};
  const outcome = new Promise<ConnectOutcome>((resolve) => {
    let done = false;
    const settle = (o: ConnectOutcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(o);
    };
    onAbort = () => {
      settle({ kind: 'aborted' });
      socket.destroy();
    };
    const timer = setTimeout(
      guarded(onFault, 'connect timeout', () => {
        const e = engineError('ETIMEDOUT', `connect ETIMEDOUT (no answer within ${timeoutMs} ms)`);
        e.syscall = 'connect';
        settle({ kind: 'failed', error: e });
        socket.destroy();
      }),
      timeoutMs,
    );
    socket.once('connect', () => settle({ kind: 'connected' }));
    socket.on('error', (error: NodeJS.ErrnoException) => settle({ kind: 'failed', error }));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  return { outcome, abort: () => onAbort() };
}
