export type RepeatEnd =
  | { reason: 'done'; sent: number; total: number }
  | { reason: 'stopped'; sent: number; total: number }
  | { reason: 'failed'; sent: number; total: number; error: unknown };

export interface RepeatSenderOptions {
  total: number;
  intervalMs: number;
  /** Sends one datagram; resolves once the kernel took it, rejects on failure (which ends the run). */
  sendOne: () => Promise<void>;
  /** False while the socket's send queue is too long: the sender waits instead of queueing more. */
  canSend: () => boolean;
  onProgress: (sent: number) => void;
  onEnd: (end: RepeatEnd) => void;
}

/** How often a paced sender looks again at a full send queue. */
const PACE_MS = 5;

/**
 * Sends the same datagram `total` times, `intervalMs` apart. One datagram is in flight at a time
 * (the next waits for the previous send's callback), so a repeat never fills the send queue by
 * itself; with interval 0 it yields to the event loop between datagrams so receiving and commands
 * go on. `stop()` takes effect at once: no further datagram is handed to the socket.
 */
export class RepeatSender {
  private sentCount = 0;
  private ended = false;
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;

  constructor(private readonly o: RepeatSenderOptions) {}

  get sent(): number {
    return this.sentCount;
  }

  get total(): number {
    return this.o.total;
  }

  start(): void {
    this.schedule(0);
  }

  /** Stops now; `onEnd` reports `stopped` (unless the run had already ended). */
  stop(): void {
    this.end({ reason: 'stopped', sent: this.sentCount, total: this.o.total });
  }

  /** Ends the run as failed from outside (e.g. the socket reported ECONNREFUSED). */
  fail(error: unknown): void {
    this.end({ reason: 'failed', sent: this.sentCount, total: this.o.total, error });
  }

  private schedule(delayMs: number): void {
    if (this.ended) return;
    if (delayMs > 0) this.timer = setTimeout(() => this.step(), delayMs);
    else this.immediate = setImmediate(() => this.step());
  }

  private step(): void {
    this.timer = null;
    this.immediate = null;
    if (this.ended) return;
    if (!this.o.canSend()) {
      this.timer = setTimeout(() => this.step(), PACE_MS);
      return;
    }
    let sending: Promise<void>;
    try {
      sending = this.o.sendOne();
    } catch (error) {
      this.end({ reason: 'failed', sent: this.sentCount, total: this.o.total, error });
      return;
    }
    sending
      .then(
        () => {
          // A datagram already handed to the kernel when stop() came still counts as sent.
          this.sentCount++;
          if (this.ended) return;
          this.o.onProgress(this.sentCount);
          if (this.sentCount >= this.o.total) this.end({ reason: 'done', sent: this.sentCount, total: this.o.total });
          else this.schedule(this.o.intervalMs);
        },
        (error: unknown) => this.end({ reason: 'failed', sent: this.sentCount, total: this.o.total, error }),
      )
      // A throwing callback must end the run, never become an unhandled rejection.
      .catch((error: unknown) => this.end({ reason: 'failed', sent: this.sentCount, total: this.o.total, error }));
  }

  private end(e: RepeatEnd): void {
    if (this.ended) return;
    this.ended = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
    this.o.onEnd(e);
  }
}
