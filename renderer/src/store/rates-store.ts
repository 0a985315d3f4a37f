/**
 * The live charts' data, kept outside the React store on purpose: rates change every second for
 * every busy conversation, and putting them in the store would re-render every list that reads
 * it. Charts and sparklines subscribe here and redraw themselves directly (uPlot's setData, SVG points),
 * at most once per animation frame; nothing else re-renders.
 *
 * Every series shares one time axis: the last 60 one-second samples, newest last. Series that
 * are missing from a `rates:sampled` event were idle that second (0).
 */
import type { EngineEvent } from '../../../shared/contract';
import { RATE_HISTORY_SECONDS, type RatesSnapshot } from '../../../shared/rates';

const N = RATE_HISTORY_SECONDS;

export interface RateSeriesData {
  in: Float64Array;
  out: Float64Array;
  /** Listeners only. */
  accepts: Float64Array | null;
  open: Float64Array | null;
}

type Sampled = Extract<EngineEvent, { type: 'rates:sampled' }>;

function newSeries(connections: boolean): RateSeriesData {
  return {
    in: new Float64Array(N),
    out: new Float64Array(N),
    accepts: connections ? new Float64Array(N) : null,
    open: connections ? new Float64Array(N) : null,
  };
}

function shift(a: Float64Array | null, k: number): void {
  if (!a) return;
  if (k >= N) a.fill(0);
  else {
    a.copyWithin(0, k);
    a.fill(0, N - k);
  }
}

/** Right-aligns `values` so that its last element lands `lag` slots before the newest. */
function place(target: Float64Array, values: readonly number[], lag: number): void {
  const end = N - lag;
  for (let i = values.length - 1, j = end - 1; i >= 0 && j >= 0; i--, j--) target[j] = values[i] as number;
}

export class RatesStore {
  /** Newest sample's time (ms), null before the first. */
  headTs: number | null = null;
  readonly total = newSeries(false);
  private readonly series = new Map<string, RateSeriesData>();
  private readonly listeners = new Set<() => void>();
  private frame: number | null = null;

  get(id: string): RateSeriesData | undefined {
    return this.series.get(id);
  }

  /** The x axis in seconds (uPlot's time scale), oldest first. */
  times(): number[] {
    const head = (this.headTs ?? Date.now()) / 1000;
    return Array.from({ length: N }, (_, i) => Math.round(head - (N - 1 - i)));
  }

  applySnapshot(snap: RatesSnapshot): void {
    this.series.clear();
    this.total.in.fill(0);
    this.total.out.fill(0);
    this.headTs = snap.ts;
    place(this.total.in, snap.total.in, 0);
    place(this.total.out, snap.total.out, 0);
    for (const s of snap.series) {
      const d = newSeries(s.accepts !== undefined);
      const lag = snap.ts === null ? 0 : Math.max(0, Math.round((snap.ts - s.ts) / 1000));
      place(d.in, s.in, lag);
      place(d.out, s.out, lag);
      if (d.accepts && s.accepts) place(d.accepts, s.accepts, lag);
      if (d.open && s.open) place(d.open, s.open, lag);
      this.series.set(s.id, d);
    }
    this.notify();
  }

  applySample(e: Sampled): void {
    if (this.headTs !== null && e.ts <= this.headTs) return;
    const k = this.headTs === null ? 1 : Math.max(1, Math.round((e.ts - this.headTs) / 1000));
    this.headTs = e.ts;
    for (const d of [this.total, ...this.series.values()]) {
      shift(d.in, k);
      shift(d.out, k);
      shift(d.accepts, k);
      shift(d.open, k);
    }
    this.total.in[N - 1] = e.total.in;
    this.total.out[N - 1] = e.total.out;
    for (const s of e.samples) {
      let d = this.series.get(s.id);
      if (!d) {
        d = newSeries(s.accepts !== undefined);
        this.series.set(s.id, d);
      }
      d.in[N - 1] = s.in;
      d.out[N - 1] = s.out;
      if (d.accepts) d.accepts[N - 1] = s.accepts ?? 0;
      if (d.open) d.open[N - 1] = s.open ?? 0;
    }
    this.notify();
  }

  /** An endpoint went away: its series and its conversations' (`l1`, `l1.c3`). */
  forget(endpointId: string): void {
    for (const id of this.series.keys()) if (id === endpointId || id.startsWith(`${endpointId}.`)) this.series.delete(id);
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Listeners run once per animation frame at most, never inside the transport's message handler. */
  private notify(): void {
    if (this.frame !== null) return;
    const run = () => {
      this.frame = null;
      for (const l of this.listeners) l();
    };
    this.frame = typeof requestAnimationFrame === 'function' ? requestAnimationFrame(run) : (setTimeout(run, 0) as unknown as number);
  }
}

export const rates = new RatesStore();
