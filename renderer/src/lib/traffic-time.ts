/**
 * The Traffic log's time column: absolute (wall clock), relative (since the first row shown) or
 * delta (since the row before), as Wireshark offers.
 */
import type { TrafficTimeMode } from '../store/ui-slice';
import { formatTime } from './format';

export const TIME_MODES: readonly { value: TrafficTimeMode; label: string }[] = [
  { value: 'absolute', label: 'Absolute' },
  { value: 'relative', label: 'Relative' },
  { value: 'delta', label: 'Delta' },
];

/** `+1.250`, `+0.003`, `+125.000`: seconds with milliseconds, never negative (clocks are per chunk, monotonic enough). */
export function formatSeconds(ms: number): string {
  return `+${(Math.max(0, ms) / 1000).toFixed(3)}`;
}

/**
 * `base` is the first shown row's time (relative), `prev` the time of the row before this one
 * (delta; null for the first row, which shows +0.000).
 */
export function formatTrafficTime(mode: TrafficTimeMode, ts: number, base: number | null, prev: number | null): string {
  switch (mode) {
    case 'absolute':
      return formatTime(ts);
    case 'relative':
      return formatSeconds(ts - (base ?? ts));
    case 'delta':
      return formatSeconds(ts - (prev ?? ts));
  }
}
