/**
 * Collects items until the next animation frame and hands them over together: the store applies
 * every engine batch that arrived within one frame as one update, so React renders (and the
 * browser lays out) at most once per frame however fast batches come. A hidden tab gets no frames,
 * so a timer flushes too: the queue never grows without bound.
 */
export class FrameQueue<T> {
  private items: T[] = [];
  private flushFn: ((items: T[]) => void) | null = null;
  private frame: number | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly maxWaitMs = 100) {}

  push(item: T, flush: (items: T[]) => void): void {
    this.items.push(item);
    this.flushFn = flush;
    if (this.frame !== null || this.timer !== null) return;
    if (typeof requestAnimationFrame === 'function') this.frame = requestAnimationFrame(() => this.flush());
    this.timer = setTimeout(() => this.flush(), this.maxWaitMs);
  }

  discard(): void {
    this.cancel();
    this.items = [];
  }

  private cancel(): void {
    if (this.frame !== null) cancelAnimationFrame(this.frame);
    if (this.timer !== null) clearTimeout(this.timer);
    this.frame = null;
    this.timer = null;
  }

  private flush(): void {
    this.cancel();
    const items = this.items;
    const flush = this.flushFn;
    this.items = [];
    if (items.length > 0 && flush) flush(items);
  }
}
