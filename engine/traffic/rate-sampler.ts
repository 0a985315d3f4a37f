/**
 * Once a second, after every endpoint and conversation has ticked, gathers each series' newest
 * sample into one `rates:sampled` event (coalesced like any state: a slow UI gets the latest) and
 * keeps the app-wide total. Idle series are left out of the event, so 10,000 quiet clients cost
 * nothing on the wire; a snapshot carries the full minute of every series that was not idle.
 */
import type { EngineEvent } from '../../shared/contract';
import type { RateSample, RateSeries, RatesSnapshot } from '../../shared/rates';
import { RateHistory, type ConnectionHistory } from './rate-history';

export interface RateSource {
  id: string;
  history: RateHistory;
  connections?: ConnectionHistory;
  /** Counted in the app's total (listeners, UDP endpoints, connections' own streams — not a listener's clients twice). */
  inTotal: boolean;
}

type Sampled = Extract<EngineEvent, { type: 'rates:sampled' }>;

export class RateSampler {
  readonly total = new RateHistory();
  private seen = new Map<string, { pushes: number; ts: number }>();
  private lastTs: number | null = null;
  private last: Sampled | null = null;

  sample(ts: number, sources: Iterable<RateSource>): Sampled {
    let totalIn = 0;
    let totalOut = 0;
    const samples: RateSample[] = [];
    const seen = new Map<string, { pushes: number; ts: number }>();
    for (const s of sources) {
      const pushes = s.history.pushes;
      const prev = this.seen.get(s.id);
      const fresh = pushes > 0 && pushes !== prev?.pushes;
      if (pushes > 0) seen.set(s.id, { pushes, ts: fresh ? ts : (prev?.ts ?? ts) });
      if (!fresh) continue;
      const r = s.history.latest();
      if (s.inTotal) {
        totalIn += r.in;
        totalOut += r.out;
      }
      const c = s.connections?.latest();
      if (c) samples.push({ id: s.id, in: r.in, out: r.out, accepts: c.accepts, open: c.open });
      else if (r.in > 0 || r.out > 0) samples.push({ id: s.id, in: r.in, out: r.out });
    }
    this.seen = seen;
    this.total.push(totalIn, totalOut);
    this.lastTs = ts;
    this.last = { type: 'rates:sampled', ts, total: { in: totalIn, out: totalOut }, samples };
    return this.last;
  }

  latest(): Sampled | null {
    return this.last;
  }

  snapshot(sources: Iterable<RateSource>): RatesSnapshot {
    const series: RateSeries[] = [];
    for (const s of sources) {
      const seen = this.seen.get(s.id);
      if (!seen) continue;
      const h = s.history.snapshot();
      const c = s.connections?.snapshot();
      const busy = h.in.some((x) => x > 0) || h.out.some((x) => x > 0) || (c !== undefined && (c.accepts.some((x) => x > 0) || c.open.some((x) => x > 0)));
      if (!busy) continue;
      series.push(c ? { id: s.id, ts: seen.ts, ...h, accepts: c.accepts, open: c.open } : { id: s.id, ts: seen.ts, ...h });
    }
    return { ts: this.lastTs, total: this.total.snapshot(), series };
  }
}
