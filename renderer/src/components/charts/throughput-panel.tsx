import { useState } from 'react';
import { rates } from '../../store/rates-store';
import { axes, compactBytes } from './chart-theme';
import { LiveChart } from './live-chart';

const BYTES = axes(compactBytes);
const COUNTS = axes((v) => String(Math.round(v)), true);

/**
 * Throughput over the last 60 s (bytes/s in and out, 1 s resolution), pausable; for a listener also
 * connections accepted per second and clients open. `seriesId` is an endpoint or conversation id,
 * or `total` for the whole app.
 */
export function ThroughputPanel({ seriesId, connections = false, title = 'Throughput' }: { seriesId: string; connections?: boolean; title?: string }) {
  const [paused, setPaused] = useState(false);
  const get = () => (seriesId === 'total' ? rates.total : rates.get(seriesId));
  return (
    // A group, not a <section>: named sections are regions, and regions are the workspaces (ui-contract).
    <div className="throughput-panel" role="group" aria-label={`${title} chart`}>
      <div className="chart-head">
        <span className="chart-title">{title} · bytes/s, last 60 s</span>
        <button type="button" className="link" aria-pressed={paused} onClick={() => setPaused(!paused)}>
          {paused ? 'Resume chart' : 'Pause chart'}
        </button>
      </div>
      <div className={connections ? 'chart-row two' : 'chart-row'}>
        <LiveChart
          key={`${seriesId}-bytes`}
          label={`${title}: bytes per second in and out`}
          paused={paused}
          axes={BYTES}
          series={[
            { label: 'In', color: 'in', values: () => get()?.in ?? null },
            { label: 'Out', color: 'out', values: () => get()?.out ?? null },
          ]}
        />
        {connections && (
          <LiveChart
            key={`${seriesId}-conns`}
            label={`${title}: connections accepted per second and open`}
            paused={paused}
            axes={COUNTS}
            series={[
              { label: 'Accepted/s', color: 'accepts', values: () => get()?.accepts ?? null, bars: true },
              { label: 'Open', color: 'open', values: () => get()?.open ?? null },
            ]}
          />
        )}
      </div>
    </div>
  );
}

/** The whole app's throughput, for the sidebar; collapsible. */
export function AppThroughput() {
  return (
    <details className="app-throughput" open>
      <summary>All traffic</summary>
      <ThroughputPanel seriesId="total" title="All endpoints" />
    </details>
  );
}
