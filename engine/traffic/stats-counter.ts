import type { TrafficStats } from '../../shared/endpoints';
import { RateHistory } from './rate-history';

/**
 * Counters for one conversation or endpoint. Rates are bytes over the last full second,
 * advanced by the engine's one-second tick (`tick()`), so an idle stream decays to 0.
 */
export class StatsCounter {
  bytesIn = 0;
  bytesOut = 0;
  chunksIn = 0;
  chunksOut = 0;
  queuedOut = 0;
  dropped = 0;
  private windowIn = 0;
  private windowOut = 0;
  private rateIn = 0;
  private rateOut = 0;
  /** The last minute of per-second rates, for the live charts (sent once a second, not per change). */
  readonly history = new RateHistory();

  received(bytes: number): void {
    this.bytesIn += bytes;
    this.chunksIn++;
    this.windowIn += bytes;
  }

  sent(bytes: number): void {
    this.bytesOut += bytes;
    this.chunksOut++;
    this.windowOut += bytes;
  }

  /** Called once a second; returns true when the visible rate changed. */
  tick(): boolean {
    const changed = this.rateIn !== this.windowIn || this.rateOut !== this.windowOut;
    this.rateIn = this.windowIn;
    this.rateOut = this.windowOut;
    this.history.push(this.windowIn, this.windowOut);
    this.windowIn = 0;
    this.windowOut = 0;
    return changed;
  }

  snapshot(): TrafficStats {
    return {
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      chunksIn: this.chunksIn,
      chunksOut: this.chunksOut,
      rateIn: this.rateIn,
      rateOut: this.rateOut,
      queuedOut: this.queuedOut,
      dropped: this.dropped,
    };
  }
}
