import type { TimelineEntry } from '../../shared/endpoints';
import type { Clock } from '../clock';
import { Timeline } from '../tcp/timeline';

/** Per-datagram calls listed one by one per kind in each one-second window; the rest are summarised. */
export const LISTED_PER_SECOND = 10;
const WINDOW_MS = 1000;

interface Window {
  start: number;
  more: number;
  listed: number;
  bytes: number;
  /** How the summary entry is named, e.g. `recvfrom()`. */
  call: string;
  /** A summary of failures (e.g. repeated ECONNREFUSED) rather than of datagrams. */
  failure: string | null;
}

const n = (x: number) => x.toLocaleString('en-US');

/**
 * A UDP endpoint's calls in BSD terms. Storage and bounds are the shared {@link Timeline}'s (pinned
 * first calls, newest calls, an "… N earlier calls not kept" line); on top, frequent per-datagram
 * calls (sendto, recvfrom) are listed one by one only up to {@link LISTED_PER_SECOND} per kind and
 * second, and the rest become one summary entry per second: a flood costs a few entries.
 */
export class UdpTimeline {
  private readonly timeline: Timeline;
  private readonly windows = new Map<string, Window>();

  constructor(private readonly clock: Clock) {
    this.timeline = new Timeline(clock);
  }

  add(call: string, result = 'ok', ok = true): void {
    this.timeline.add(call, result, ok);
  }

  /**
   * One datagram's call (or one failure of a per-datagram call, `ok` false). Returns true when it
   * was listed as its own entry, false when it was only counted into this second's summary for `kind`
   * (`sendto`, `recvfrom`, `recvfrom:error`: the part before `:` names the summary's call).
   * `result` may be a function: it is called only when the entry is listed (a flood is mostly counted).
   */
  frequent(kind: string, call: string, result: string | (() => string), bytes: number, ok = true): boolean {
    const now = this.clock.now();
    let w = this.windows.get(kind);
    if (w && now - w.start >= WINDOW_MS) {
      this.closeWindow(kind, w);
      w = undefined;
    }
    if (!w) {
      w = { start: now, more: 0, listed: 0, bytes: 0, call: `${kind.split(':')[0]}()`, failure: ok ? null : typeof result === 'string' ? result : result() };
      this.windows.set(kind, w);
    }
    if (w.listed < LISTED_PER_SECOND) {
      w.listed++;
      this.timeline.add(call, typeof result === 'string' ? result : result(), ok);
      return true;
    }
    w.more++;
    w.bytes += bytes;
    return false;
  }

  /** Writes the summaries of windows that ended (all of them when `force`); true if any was written. */
  flush(force = false): boolean {
    const now = this.clock.now();
    let wrote = false;
    for (const [kind, w] of this.windows) {
      if (force || now - w.start >= WINDOW_MS) wrote = this.closeWindow(kind, w) || wrote;
    }
    return wrote;
  }

  private closeWindow(kind: string, w: Window): boolean {
    this.windows.delete(kind);
    if (w.more === 0) return false;
    if (w.failure !== null) {
      this.timeline.add(`${w.call} × ${n(w.more)}`, `${w.failure} ${n(w.more)} more times within a second`, false);
      return true;
    }
    this.timeline.add(
      `${w.call} × ${n(w.more)}`,
      `${n(w.more)} more datagrams (${n(w.bytes)} bytes) within a second, not listed one by one`,
      true,
    );
    return true;
  }

  entries(): TimelineEntry[] {
    return this.timeline.snapshot();
  }
}
