/**
 * An endpoint's socket-call timeline as every side keeps it, and how a copy of it follows the
 * engine's from appended entries alone (`listener:changed` in contract.ts): a listener with a
 * thousand clients holds 500 entries, and each accept used to send all of them again.
 *
 * The engine's list (engine/tcp/timeline.ts): the first TIMELINE_PINNED calls, kept for good; once
 * more than TIMELINE_MAX were made, a line "… N earlier calls not kept"; then the newest ones.
 */
import type { TimelineEntry } from './endpoints';

export const TIMELINE_MAX = 500;
/** The first calls (socket, bind, listen…) are what teach the most: they are never dropped. */
export const TIMELINE_PINNED = 8;

/** Entries appended to a timeline: `total` is how many calls it has seen in all, these included. */
interface TimelineAppend {
  total: number;
  added: TimelineEntry[];
}

/** The line that stands for the calls no longer kept (its time: the oldest kept call's). */
export function droppedLine(dropped: number, ts: number): TimelineEntry {
  return { ts, call: `… ${dropped} earlier call${dropped === 1 ? '' : 's'} not kept`, result: '', ok: true };
}

/**
 * The timeline after `append`, from the copy a client holds of it before (`prev`, with
 * `append.total - append.added.length` calls seen): the same list the engine's own snapshot gives.
 */
export function appendTimeline(prev: readonly TimelineEntry[], append: TimelineAppend): TimelineEntry[] {
  const before = append.total - append.added.length;
  const pinnedCount = Math.min(TIMELINE_PINNED, before);
  const hadDroppedLine = before > TIMELINE_MAX;
  const all = [...prev.slice(0, pinnedCount), ...prev.slice(pinnedCount + (hadDroppedLine ? 1 : 0)), ...append.added];
  const pinned = all.slice(0, Math.min(TIMELINE_PINNED, all.length));
  const room = TIMELINE_MAX - TIMELINE_PINNED;
  const recent = all.slice(pinned.length);
  if (append.total <= TIMELINE_MAX) return [...pinned, ...recent];
  const kept = recent.slice(Math.max(0, recent.length - room));
  const first = kept[0];
  return [...pinned, droppedLine(append.total - TIMELINE_PINNED - kept.length, first ? first.ts : 0), ...kept];
}
