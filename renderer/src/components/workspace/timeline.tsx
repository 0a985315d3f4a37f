import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useRef } from 'react';
import type { TimelineEntry } from '../../../../shared/endpoints';
import { formatTime } from '../../lib/format';

const ROW_HEIGHT = 18;

/**
 * Keys that stay with an entry while the engine's bounded window slides (oldest out, newest in):
 * by index, every one of up to 500 rows changed its text on each new call. Equal entries get a
 * running number.
 */
export function timelineKeys(entries: readonly TimelineEntry[]): string[] {
  const seen = new Map<string, number>();
  return entries.map((t) => {
    const base = `${t.ts}|${t.call}|${t.result}`;
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return n === 0 ? base : `${base}#${n}`;
  });
}

/**
 * What the endpoint did, in BSD socket calls, with each call's result: one line each (the whole
 * call in its title), in a list of its own that draws only the lines in view. A listener accepting
 * a thousand clients changes this list several times a second; drawing all 500 lines each time was
 * the heaviest paint of a busy frame. Memoized: the store keeps `entries` while they are unchanged.
 */
export const Timeline = memo(function Timeline({ entries }: { entries: TimelineEntry[] }) {
  const keys = timelineKeys(entries);
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: entries.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
    getItemKey: (i) => keys[i] ?? i,
    // A scroll (following the newest row is one per batch) re-renders with the next frame's
    // update, not synchronously inside the scroll event: that was a second full render per batch.
    useFlushSync: false,
  });
  return (
    <div className="timeline">
      <p className="muted timeline-count">{entries.length === 1 ? '1 socket call' : `${entries.length} socket calls`}</p>
      <div ref={scrollRef} className="timeline-scroll">
        <ol aria-label="Socket calls" style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((item) => {
            const t = entries[item.index] as TimelineEntry;
            return (
              <li
                key={item.key}
                className={t.ok ? 'ok' : 'failed'}
                style={{ top: item.start, height: ROW_HEIGHT }}
                title={`${formatTime(t.ts)} ${t.call} → ${t.result}`}
              >
                <time className="muted">{formatTime(t.ts)}</time> <code>{t.call}</code> <span className="arrow">→</span>{' '}
                <code className="result">{t.result}</code>
              </li>
            );
          })}
        </ol>
      </div>
    </div>
  );
});
