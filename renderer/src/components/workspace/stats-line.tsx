import { memo } from 'react';
import type { TrafficStats } from '../../../../shared/endpoints';
import { formatBytes, formatRate } from '../../lib/format';

export const StatsLine = memo(function StatsLine({ stats, unit = 'chunks' }: { stats: TrafficStats; unit?: 'chunks' | 'datagrams' }) {
  return (
    <dl className="stats" aria-label="Counters">
      <div>
        <dt>In</dt>
        <dd>
          {formatBytes(stats.bytesIn)} · {stats.chunksIn} {unit} · {formatRate(stats.rateIn)}
        </dd>
      </div>
      <div>
        <dt>Out</dt>
        <dd>
          {formatBytes(stats.bytesOut)} · {stats.chunksOut} {unit} · {formatRate(stats.rateOut)}
        </dd>
      </div>
      {stats.queuedOut > 0 && (
        <div>
          <dt>Queued</dt>
          <dd>{formatBytes(stats.queuedOut)} (peer is slow to read)</dd>
        </div>
      )}
      {stats.dropped > 0 && (
        <div>
          <dt>Dropped</dt>
          <dd>{stats.dropped} datagrams (the engine could not keep up)</dd>
        </div>
      )}
    </dl>
  );
});
