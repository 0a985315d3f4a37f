import type { Socket } from 'node:net';
import type { ErrorInfo } from '../../../shared/errors';
import type { SockAddr } from '../../../shared/primitives';
import type { FaultHandler } from '../../fault-barrier';
import type { AttemptRecorder } from './attempt-recorder';

/** What a connect strategy gets: where to record, how long to wait, and the signal that cancels it. */
export interface ConnectRun {
  readonly recorder: AttemptRecorder;
  /** Our own connect timeout (the whole attempt; Happy Eyeballs' last address). */
  readonly timeoutMs: number;
  /** Aborted by a reconnect or close: the strategy stops and closes what it opened. */
  readonly signal: AbortSignal;
  readonly onFault: FaultHandler;
}

/** How a strategy ended. Aborted: it was cancelled, nothing is left open. */
export type ConnectResult =
  | { kind: 'connected'; socket: Socket; local: SockAddr | null; remote: SockAddr }
  | { kind: 'failed'; error: ErrorInfo }
  | { kind: 'aborted' };
