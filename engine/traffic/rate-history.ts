/**
 * A fixed ring of one-second samples (60 by default), one value per channel: bytes in and out for
 * a conversation or endpoint, accepts and open connections for a listener. Advanced by the
 * engine's one-second tick, so memory per series is constant whatever the traffic.
 */
export const HISTORY_SECONDS = 60;

export class SampleRing {
  private readonly data: Float64Array;
  private next = 0;
  private filled = 0;
  /** Samples ever pushed: tells a sampler whether this ring advanced since it last looked. */
  pushes = 0;

  constructor(
    readonly channels: number,
    readonly capacity = HISTORY_SECONDS,
  ) {
    this.data = new Float64Array(channels * capacity);
  }

  push(...values: number[]): void {
    const base = this.next * this.channels;
    for (let ch = 0; ch < this.channels; ch++) this.data[base + ch] = values[ch] ?? 0;
    this.next = (this.next + 1) % this.capacity;
    this.pushes++;
    if (this.filled < this.capacity) this.filled++;
  }

  get length(): number {
    return this.filled;
  }

  /** The newest value of a channel (0 before the first sample). */
  latest(channel: number): number {
    if (this.filled === 0) return 0;
    const i = (this.next - 1 + this.capacity) % this.capacity;
    return this.data[i * this.channels + channel] as number;
  }

  /** Oldest → newest. */
  series(channel: number): number[] {
    const out: number[] = new Array<number>(this.filled);
    const start = (this.next - this.filled + this.capacity) % this.capacity;
    for (let k = 0; k < this.filled; k++) out[k] = this.data[((start + k) % this.capacity) * this.channels + channel] as number;
    return out;
  }
}

/** Bytes per second in and out over the last minute. */
export class RateHistory {
  private readonly ring = new SampleRing(2);

  push(bytesIn: number, bytesOut: number): void {
    this.ring.push(bytesIn, bytesOut);
  }

  get length(): number {
    return this.ring.length;
  }

  get pushes(): number {
    return this.ring.pushes;
  }

  latest(): { in: number; out: number } {
    return { in: this.ring.latest(0), out: this.ring.latest(1) };
  }

  snapshot(): { in: number[]; out: number[] } {
    return { in: this.ring.series(0), out: this.ring.series(1) };
  }
}

/** A listener's connection activity: accepts per second and clients open at each tick. */
export class ConnectionHistory {
  private readonly ring = new SampleRing(2);
  private acceptedAtLastTick = 0;

  /** `acceptedTotal` is the listener's running count; the delta since the last tick is stored. */
  push(acceptedTotal: number, open: number): void {
    this.ring.push(acceptedTotal - this.acceptedAtLastTick, open);
    this.acceptedAtLastTick = acceptedTotal;
  }

  latest(): { accepts: number; open: number } {
    return { accepts: this.ring.latest(0), open: this.ring.latest(1) };
  }

  snapshot(): { accepts: number[]; open: number[] } {
    return { accepts: this.ring.series(0), open: this.ring.series(1) };
  }
}
