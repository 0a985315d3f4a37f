import type { TimelineEntry } from '../../shared/endpoints';
import type { Clock } from '../clock';

export const TIMELINE_MAX = 500;
/** The first calls (socket, bind, listen…) are what teach the most: they are never dropped. */
export const TIMELINE_PINNED = 8;

/** An entry whose result is not known yet (a connect() in flight); settle it when it is. */
export interface PendingEntry {
  settle(result: string, ok: boolean): void;
}

/**
 * An endpoint's socket calls in BSD terms, bounded: past `max` entries the oldest unpinned ones are
 * dropped and the snapshot says how many with an "… N earlier calls not kept" line.
 */
export class Timeline {
  private readonly pinned: TimelineEntry[] = [];
  private recent: TimelineEntry[] = [];
  private dropped = 0;

  constructor(
    private readonly clock: Clock,
    private readonly onChange: () => void = () => {},
    private readonly max = TIMELINE_MAX,
    private readonly pinnedMax = Math.min(TIMELINE_PINNED, Math.floor(max / 2)),
  ) {}

  add(call: string, result = 'ok', ok = true): TimelineEntry {
    const entry: TimelineEntry = { ts: this.clock.now(), call, result, ok };
    if (this.pinned.length < this.pinnedMax) {
      this.pinned.push(entry);
    } else {
      this.recent.push(entry);
      const room = this.max - this.pinnedMax;
      if (this.recent.length > room * 2) this.compact(room);
    }
    this.onChange();
    return entry;
  }

  /** Adds `call` with result `pending`; the returned handle fills the result in later. */
  begin(call: string): PendingEntry {
    const entry = this.add(call, 'pending', true);
    return {
      settle: (result, ok) => {
        entry.result = result;
        entry.ok = ok;
        this.onChange();
      },
    };
  }

  /** Amortised: the array is trimmed once it holds twice its room, not on every add. */
  private compact(room: number): void {
    const excess = this.recent.length - room;
    if (excess <= 0) return;
    this.recent = this.recent.slice(excess);
    this.dropped += excess;
  }

  get length(): number {
    return this.pinned.length + Math.min(this.recent.length, this.max - this.pinnedMax);
  }

  snapshot(): TimelineEntry[] {
    const room = this.max - this.pinnedMax;
    const extra = Math.max(0, this.recent.length - room);
    const dropped = this.dropped + extra;
    const recent = extra > 0 ? this.recent.slice(extra) : this.recent;
    const out = this.pinned.map((e) => ({ ...e }));
    if (dropped > 0) {
      const first = recent[0];
      out.push({
        ts: first ? first.ts : this.clock.now(),
        call: `… ${dropped} earlier call${dropped === 1 ? '' : 's'} not kept`,
        result: '',
        ok: true,
      });
    }
    for (const e of recent) out.push({ ...e });
    return out;
  }
}
