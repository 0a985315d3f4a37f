import { memo } from 'react';
import { matchCountText } from '../../lib/traffic-search';
import { TIME_MODES } from '../../lib/traffic-time';
import type { TrafficTimeMode, TrafficViewMode } from '../../store/ui-slice';
import { InlineSelect } from './inline-select';
import { Menu } from './menu';
import { SAVE_CHOICES, type SaveWhat } from './save-conversation';

export type DirectionFilter = 'both' | 'in' | 'out';

export interface ToolbarProps {
  mode: TrafficViewMode;
  datagrams: boolean;
  decoding: 'utf-8' | 'latin1';
  time: TrafficTimeMode;
  direction: DirectionFilter;
  query: string;
  regex: boolean;
  /** The regex's error, or null. */
  searchError: string | null;
  matchCount: number;
  canClear: boolean;
  cleared: boolean;
  onView(patch: { mode?: TrafficViewMode; decoding?: 'utf-8' | 'latin1'; time?: TrafficTimeMode }): void;
  onDirection(d: DirectionFilter): void;
  onQuery(q: string): void;
  onRegex(on: boolean): void;
  onStep(by: 1 | -1): void;
  onClear(): void;
  onShowCleared(): void;
  onSave(what: SaveWhat): void;
}

/**
 * The Traffic log's tools: view, decoding, time, direction, search, Clear view, Save. Memoized
 * with stable handlers, so a batch of traffic re-renders the rows, not these controls (React
 * writes every input's attributes again on each render, and the page around them was repainted).
 */
export const TrafficToolbar = memo(function TrafficToolbar(p: ToolbarProps) {
  return (
    <div className="traffic-toolbar" role="toolbar" aria-label="Traffic log tools">
      <InlineSelect
        label="View"
        value={p.mode}
        onChange={(mode) => p.onView({ mode })}
        options={[
          { value: 'chunks', label: p.datagrams ? 'Datagrams' : 'Chunks' },
          ...(p.datagrams ? [] : [{ value: 'lines' as const, label: 'Lines' }]),
          { value: 'hex', label: 'Hex dump' },
        ]}
      />
      <InlineSelect
        label="Decoding"
        value={p.decoding}
        onChange={(decoding) => p.onView({ decoding })}
        options={[
          { value: 'utf-8', label: 'UTF-8' },
          { value: 'latin1', label: 'Latin-1' },
        ]}
      />
      <InlineSelect label="Time" value={p.time} onChange={(time) => p.onView({ time })} options={TIME_MODES} />
      <InlineSelect
        label="Direction"
        value={p.direction}
        onChange={p.onDirection}
        options={[
          { value: 'both', label: 'Both' },
          { value: 'in', label: '← In' },
          { value: 'out', label: '→ Out' },
        ]}
      />
      <div className="search-box">
        <input
          type="text"
          aria-label="Search traffic"
          placeholder="Search traffic"
          value={p.query}
          onChange={(e) => p.onQuery(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              p.onStep(e.shiftKey ? -1 : 1);
            }
          }}
          aria-invalid={p.searchError ? true : undefined}
          spellCheck={false}
          autoComplete="off"
        />
        <label className="regex-toggle" title="Search with a regular expression">
          <input type="checkbox" checked={p.regex} onChange={(e) => p.onRegex(e.target.checked)} /> Regex
        </label>
        {p.query !== '' && (
          <span className={p.searchError ? 'match-count bad' : 'match-count'} aria-live="polite">
            {p.searchError ? `Bad regex: ${p.searchError}` : matchCountText(p.matchCount)}
          </span>
        )}
        <button type="button" aria-label="Previous match" title="Previous match (Shift+Enter)" disabled={p.matchCount === 0} onClick={() => p.onStep(-1)}>
          ↑
        </button>
        <button type="button" aria-label="Next match" title="Next match (Enter)" disabled={p.matchCount === 0} onClick={() => p.onStep(1)}>
          ↓
        </button>
      </div>
      <div className="spacer" />
      {p.cleared && (
        <button type="button" className="link" onClick={p.onShowCleared} title="Show the chunks Clear view hid">
          Show cleared
        </button>
      )}
      <button type="button" disabled={!p.canClear} title="Hide what is shown so far (the counters and the engine's history stay)" onClick={p.onClear}>
        Clear view
      </button>
      <Menu label="Save…" className="save-menu">
        {SAVE_CHOICES.map(({ what, label }) => (
          <button key={what} type="button" onClick={() => p.onSave(what)}>
            {label}
          </button>
        ))}
      </Menu>
    </div>
  );
});
