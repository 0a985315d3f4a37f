/**
 * One place that records connect attempts, shared by every connect strategy (sequential.ts,
 * happy-eyeballs.ts, unix.ts): each attempt in the snapshot's `attempts` with its timing and
 * result, the timeline's calls, the failures so far, and the one summary of a failed connect.
 */
import type { ConnectAttempt } from '../../../shared/endpoints';
import type { Family } from '../../../shared/primitives';
import type { ErrorInfo } from '../../../shared/errors';
import { formatHostPort } from '../../../shared/primitives';
import type { Clock } from '../../clock';
import { errorCodeOf, explainError } from '../../errors/explain-error';
import type { Timeline } from '../timeline';

export interface ConnectFailure {
  target: string;
  error: NodeJS.ErrnoException;
}

export class AttemptRecorder {
  readonly attempts: ConnectAttempt[] = [];
  readonly failures: ConnectFailure[] = [];

  /**
   * @param notAppliedNote why Happy Eyeballs was asked for but not used: said once, on the first
   *   attempt's result (see `withNote`).
   */
  constructor(
    readonly timeline: Timeline,
    private readonly clock: Clock,
    private readonly changed: () => void,
    private notAppliedNote: string | null = null,
  ) {}

  /** A new attempt, `pending` (or `attempted` when only its address is known, not its outcome). */
  begin(address: string, port: number, family: Family, result: 'pending' | 'attempted' = 'pending'): ConnectAttempt {
    const record: ConnectAttempt = { address, port, family, startedAt: this.clock.now(), endedAt: null, result };
    this.attempts.push(record);
    this.changed();
    return record;
  }

  finish(record: ConnectAttempt, result: string): void {
    record.result = result;
    record.endedAt = this.clock.now();
    this.changed();
  }

  failed(target: string, error: NodeJS.ErrnoException): void {
    this.failures.push({ target, error });
  }

  /** `result`, plus — on the first attempt only — why Happy Eyeballs did not apply. */
  withNote(result: string): string {
    const note = this.notAppliedNote;
    if (!note) return result;
    this.notAppliedNote = null;
    return `${result} (${note})`;
  }

  /** The error a failed connect shows: the last failure explained, every address tried in its detail. */
  summary(port: number, fallback: ConnectFailure): ErrorInfo {
    const last = this.failures.at(-1) ?? fallback;
    const info = explainError(last.error, { target: last.target, port });
    if (this.failures.length > 1) {
      info.detail = `tried ${this.failures.map((f) => `${f.target} → ${errorCodeOf(f.error)}`).join(', ')}`;
    }
    return info;
  }
}

export const socketCall = (family: Family) => `socket(${family === 'IPv6' ? 'AF_INET6' : 'AF_INET'}, SOCK_STREAM)`;
export const targetOf = (address: string, port: number) => formatHostPort(address, port);
