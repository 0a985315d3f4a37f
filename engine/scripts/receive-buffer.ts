/**
 * The bytes received and not yet consumed by an expect, bounded: past the cap the oldest are
 * dropped (and counted, so a failure can say so). `changed()` waits for the next arrival, the end
 * of the stream, a timeout or Stop, whichever comes first.
 */
export class ReceiveBuffer {
  private data: Buffer = Buffer.alloc(0);
  private waiters = new Set<() => void>();
  /** Bytes dropped unread because the buffer was full. */
  dropped = 0;
  /** How the stream ended (`the peer closed its side (FIN)`), or null while it may still deliver. */
  ended: string | null = null;

  constructor(private readonly capacity: number) {}

  view(): Uint8Array {
    return this.data;
  }

  append(bytes: Uint8Array): void {
    let next = this.data.length === 0 ? Buffer.from(bytes) : Buffer.concat([this.data, bytes]);
    if (next.length > this.capacity) {
      const over = next.length - this.capacity;
      this.dropped += over;
      next = Buffer.from(next.subarray(over));
    }
    this.data = next;
    this.wake();
  }

  consume(n: number): void {
    this.data = this.data.subarray(n);
  }

  end(how: string): void {
    this.ended ??= how;
    this.wake();
  }

  /** Resolves at the next change, after `ms`, or when `signal` aborts. Never rejects. */
  changed(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal.addEventListener('abort', done, { once: true });
      this.waiters.add(done);
    });
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}
