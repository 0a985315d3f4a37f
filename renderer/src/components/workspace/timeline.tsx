import { memo } from 'react';
import type { TimelineEntry } from '../../../../shared/endpoints';
import { formatTime } from '../../lib/format';

/**
 * What the endpoint did, in BSD socket calls, with each call's result. Memoized: up to 500
 * entries, and the store keeps `entries` the same array while the calls did not change.
 */
export const Timeline = memo(function Timeline({ entries }: { entries: TimelineEntry[] }) {
  return (
    <details className="timeline" open>
      <summary>Socket calls ({entries.length})</summary>
      <ol aria-label="Socket calls">
        {entries.map((t, i) => (
          <li key={i} className={t.ok ? 'ok' : 'failed'}>
            <time className="muted">{formatTime(t.ts)}</time> <code>{t.call}</code> <span className="arrow">→</span>{' '}
            <code className="result">{t.result}</code>
          </li>
        ))}
      </ol>
    </details>
  );
});
