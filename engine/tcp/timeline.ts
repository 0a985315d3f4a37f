import type { TimelineEntry } from '../../shared/endpoints';
import { droppedLine, TIMELINE_MAX, TIMELINE_PINNED } from '../../shared/timeline';
import type { Clock } from '../clock';

/**
 * What a copy of the timeline was made from: calls seen, and settles of pending calls (which change
 * an entry already sent, so a copy older than one cannot be brought up to date by appending).
 */
export interface TimelineMark {
  total: number;
  settles: number;
}

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
  private total = 0;
  private settles = 0;

  constructor(
    private readonly clock: Clock,
    private readonly onChange: () => void = () => {},
    private readonly max = TIMELINE_MAX,
    private readonly pinnedMax = Math.min(TIMELINE_PINNED, Math.floor(max / 2)),
  ) {}

  add(call: string, result = 'ok', ok = true): TimelineEntry {
    const entry: TimelineEntry = { ts: this.clock.now(), call, result, ok };
    this.total++;
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
        this.settles++;
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

  get mark(): TimelineMark {
    return { total: this.total, settles: this.settles };
  }

  /**
   * The calls made since `mark` (copies), for a client whose copy was made at `mark` to append
   * (shared/timeline.ts `appendTimeline`); null when appending cannot bring that copy up to date: a
   * call was settled since, or ones it would need were already dropped, or this timeline is not of
   * the shared shape (a test's smaller one).
   */
  since(mark: TimelineMark): TimelineEntry[] | null {
    if (mark.settles !== this.settles || mark.total > this.total) return null;
    if (this.max !== TIMELINE_MAX || this.pinnedMax !== TIMELINE_PINNED) return null;
    // Calls made while the pinned ones were still being taken: rare (a listener's first moments), sent whole.
    if (mark.total < this.pinnedMax) return mark.total === this.total ? [] : null;
    const first = this.recent.length - (this.total - mark.total);
    return first < 0 ? null : this.recent.slice(first).map((e) => ({ ...e }));
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
    if (dropped > 0) out.push(droppedLine(dropped, recent[0]?.ts ?? this.clock.now()));
    for (const e of recent) out.push({ ...e });
    return out;
  }
}
