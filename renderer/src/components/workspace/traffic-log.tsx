import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useId, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { SockAddr } from '../../../../shared/primitives';
import { formatBytes } from '../../lib/format';
import { compileSearch, findMatches, matchCountText, stepMatch, type SearchMatch } from '../../lib/traffic-search';
import { formatTrafficTime, TIME_MODES } from '../../lib/traffic-time';
import { selectTraffic } from '../../store/traffic-slice';
import { useStore } from '../../store/store';
import type { TrafficViewMode } from '../../store/ui-slice';
import { ChunkDetails } from './chunk-details';
import { InlineSelect } from './inline-select';
import { SAVE_CHOICES, saveConversation, type SaveWhat } from './save-conversation';
import { rowHeight, TrafficRow } from './traffic-row';
import { filterDirection, LineAssembler, rowsFor, type DataRow, type LogRow } from './traffic-rows';

type DirectionFilter = 'both' | 'in' | 'out';
const NO_MARKS: readonly SearchMatch[] = [];
const NO_FULL: Readonly<Record<number, Uint8Array>> = {};

/**
 * The Traffic log: every chunk (TCP) or datagram (UDP) in order, as one line of text with control
 * characters made visible, as a hex dump, or reassembled into lines; a row's bytes open below it.
 * Search, a direction filter, Clear view, time as absolute / relative / delta, and Save. Rows have
 * known heights and only those on screen are in the DOM; following the newest row costs one
 * scroll per frame (the store applies batches once per frame).
 */
export function TrafficLog({
  conversationId,
  notKept,
  datagrams = false,
  onReply,
  chunkCount = 0,
}: {
  conversationId: string;
  notKept: { in: number; out: number };
  datagrams?: boolean;
  onReply?(peer: SockAddr): void;
  /** The conversation's chunks so far (in + out): the Lines view knows from it that the newest were not sent live. */
  chunkCount?: number;
}) {
  const traffic = useStore(selectTraffic(conversationId));
  const view = useStore((s) => s.trafficView);
  const setView = useStore((s) => s.setTrafficView);
  const clearedThrough = useStore((s) => s.trafficClearedThrough[conversationId]);
  const clearView = useStore((s) => s.clearTrafficView);
  const mode: TrafficViewMode = datagrams && view.mode === 'lines' ? 'chunks' : view.mode;
  const startSeq = clearedThrough === undefined ? 0 : clearedThrough + 1;

  /** The row whose "show all" opened it: its pane fetches the whole chunk at once. */
  const [loadAllKey, setLoadAllKey] = useState<string | null>(null);
  const [direction, setDirection] = useState<DirectionFilter>('both');
  const [query, setQuery] = useState('');
  const [regex, setRegex] = useState(false);
  const [current, setCurrent] = useState(-1);
  const [selectedKey, setSelectedKey] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);

  // The Lines view is built incrementally; a new assembler only when what it assembles changes
  // (parents key the log by conversation, so another conversation starts afresh).
  const assembler = useMemo(() => (mode === 'lines' ? new LineAssembler(view.decoding, startSeq) : null), [mode, view.decoding, startSeq]);
  const allRows = useMemo(
    () => rowsFor(mode, traffic.chunks, view.decoding, NO_FULL, startSeq, assembler, chunkCount),
    [mode, traffic.chunks, view.decoding, startSeq, assembler, chunkCount],
  );
  const rows = useMemo(() => filterDirection(allRows, direction), [allRows, direction]);

  const search = useMemo(() => compileSearch(query, regex), [query, regex]);
  const matches = useMemo(() => (search.ok ? findMatches(rows.map((r) => r.text), search.re) : []), [rows, search]);
  const currentMatch = current >= 0 && current < matches.length ? (matches[current] as SearchMatch) : null;

  const scrollRef = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => rowHeight(rows[i] as LogRow),
    overscan: 8,
    getItemKey: (i) => (rows[i] as LogRow).key,
  });

  // Row heights are known from the rows themselves: tell the virtualizer when they change kind (view switch).
  useLayoutEffect(() => {
    virtualizer.measure();
  }, [mode, virtualizer]);

  // Follow the newest row unless the person scrolled up. A ResizeObserver on the sizer runs after
  // the frame's layout, when reading and setting the scroll position forces no second layout (a
  // write right after each commit did, and was most of a busy frame).
  const sizerRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = scrollRef.current;
    const sizer = sizerRef.current;
    if (!el || !sizer) return;
    const follow = new ResizeObserver(() => {
      if (stickToBottom.current) el.scrollTop = el.scrollHeight;
    });
    follow.observe(sizer);
    // The log itself shrinking (a chunk's pane opened) keeps the newest row in view too.
    follow.observe(el);
    return () => follow.disconnect();
  }, []);

  const goTo = (index: number) => {
    setCurrent(index);
    const m = matches[index];
    if (!m) return;
    stickToBottom.current = false;
    virtualizer.scrollToIndex(m.row, { align: 'center' });
  };

  // A row shows at most 1 KiB: "show all" opens the chunk's pane, which fetches every byte.
  const showAll = useCallback((seq: number) => {
    setSelectedKey(`c${seq}`);
    setLoadAllKey(`c${seq}`);
  }, []);
  const select = useCallback((key: string) => setSelectedKey((k) => (k === key ? null : key)), []);

  const selectedRow = useMemo(() => {
    const r = selectedKey ? rows.find((x) => x.key === selectedKey) : undefined;
    return r?.kind === 'data' ? r : null;
  }, [rows, selectedKey]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'Escape') {
      setSelectedKey(null);
      return;
    }
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    e.preventDefault();
    const data = rows.filter((r): r is DataRow => r.kind === 'data');
    if (data.length === 0) return;
    const at = data.findIndex((r) => r.key === selectedKey);
    const next = at < 0 ? (e.key === 'ArrowDown' ? 0 : data.length - 1) : Math.max(0, Math.min(data.length - 1, at + (e.key === 'ArrowDown' ? 1 : -1)));
    const row = data[next] as DataRow;
    setSelectedKey(row.key);
    stickToBottom.current = false;
    virtualizer.scrollToIndex(rows.indexOf(row), { align: 'auto' });
  };

  const save = async (what: SaveWhat) => {
    setStatus('Saving…');
    try {
      setStatus(await saveConversation(conversationId, what, { mode, decoding: view.decoding, time: view.time }));
    } catch (err) {
      setStatus(`Not saved: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  const lastSeq = traffic.chunks.at(-1)?.seq;
  const items = virtualizer.getVirtualItems();
  const firstData = rows.find((r): r is DataRow => r.kind === 'data');
  const searchId = useId();
  const lost = notKept.in + notKept.out;

  return (
    <div className="traffic">
      <div className="traffic-toolbar" role="toolbar" aria-label="Traffic log tools">
        <InlineSelect
          label="View"
          value={mode}
          onChange={(m) => setView({ mode: m })}
          options={[
            { value: 'chunks', label: datagrams ? 'Datagrams' : 'Chunks' },
            ...(datagrams ? [] : [{ value: 'lines' as const, label: 'Lines' }]),
            { value: 'hex', label: 'Hex dump' },
          ]}
        />
        <InlineSelect
          label="Decoding"
          value={view.decoding}
          onChange={(decoding) => setView({ decoding })}
          options={[
            { value: 'utf-8', label: 'UTF-8' },
            { value: 'latin1', label: 'Latin-1' },
          ]}
        />
        <InlineSelect label="Time" value={view.time} onChange={(time) => setView({ time })} options={TIME_MODES} />
        <InlineSelect
          label="Direction"
          value={direction}
          onChange={(d) => {
            setDirection(d);
            setCurrent(-1);
          }}
          options={[
            { value: 'both', label: 'Both' },
            { value: 'in', label: '← In' },
            { value: 'out', label: '→ Out' },
          ]}
        />
        <div className="search-box">
          <input
            id={searchId}
            type="text"
            aria-label="Search traffic"
            placeholder="Search traffic"
            value={query}
            onChange={(e) => {
              setQuery(e.target.value);
              setCurrent(-1);
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                goTo(stepMatch(current, matches.length, e.shiftKey ? -1 : 1));
              }
            }}
            aria-invalid={search.ok ? undefined : true}
            spellCheck={false}
            autoComplete="off"
          />
          <label className="regex-toggle" title="Search with a regular expression">
            <input
              type="checkbox"
              checked={regex}
              onChange={(e) => {
                setRegex(e.target.checked);
                setCurrent(-1);
              }}
            />{' '}
            Regex
          </label>
          {query !== '' && (
            <span className={search.ok ? 'match-count' : 'match-count bad'} aria-live="polite">
              {search.ok ? matchCountText(matches.length) : `Bad regex: ${search.error}`}
            </span>
          )}
          <button type="button" aria-label="Previous match" title="Previous match (Shift+Enter)" disabled={matches.length === 0} onClick={() => goTo(stepMatch(current, matches.length, -1))}>
            ↑
          </button>
          <button type="button" aria-label="Next match" title="Next match (Enter)" disabled={matches.length === 0} onClick={() => goTo(stepMatch(current, matches.length, 1))}>
            ↓
          </button>
        </div>
        <div className="spacer" />
        {clearedThrough !== undefined && clearedThrough >= 0 ? (
          <button type="button" className="link" onClick={() => clearView(conversationId, -1)} title="Show the chunks Clear view hid">
            Show cleared
          </button>
        ) : null}
        <button
          type="button"
          disabled={lastSeq === undefined || lastSeq <= (clearedThrough ?? -1)}
          title="Hide what is shown so far (the counters and the engine's history stay)"
          onClick={() => {
            if (lastSeq !== undefined) clearView(conversationId, lastSeq);
            setSelectedKey(null);
          }}
        >
          Clear view
        </button>
        <details className="menu save-menu">
          <summary>Save…</summary>
          <div className="menu-items">
            {SAVE_CHOICES.map(({ what, label }) => (
              <button
                key={what}
                type="button"
                onClick={(e) => {
                  e.currentTarget.closest('details')?.removeAttribute('open');
                  void save(what);
                }}
              >
                {label}
              </button>
            ))}
          </div>
        </details>
      </div>
      {(lost > 0 || traffic.skippedChunks > 0 || status) && (
        <div className="traffic-notes">
          {lost > 0 && (
            <span className="marker" title="The engine keeps a bounded history per direction">
              {formatBytes(lost)} not kept ({notKept.in} B in, {notKept.out} B out)
            </span>
          )}
          {traffic.skippedChunks > 0 && (
            <span className="marker" title="The UI was behind; these are still in the engine's history while it keeps them">
              {traffic.skippedChunks} {datagrams ? 'datagrams' : 'chunks'} ({formatBytes(traffic.skippedBytes)}) not shown live
            </span>
          )}
          {status && (
            <span role="status" className="muted save-status">
              {status}
            </span>
          )}
        </div>
      )}
      <div
        ref={scrollRef}
        className="traffic-scroll"
        role="log"
        aria-label="Traffic"
        aria-live="off"
        tabIndex={0}
        onKeyDown={onKeyDown}
        onScroll={(e) => {
          const el = e.currentTarget;
          stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
        }}
      >
        {rows.length === 0 && (
          <p className="muted empty">{startSeq > 0 ? 'View cleared: new traffic appears here.' : 'Nothing sent or received yet.'}</p>
        )}
        {/* The sizer gives the scroll height; the rows sit in a box whose size never changes, so a new
            row lays out itself, not every row on screen (a growing containing block relaid them all). */}
        <div ref={sizerRef} className="traffic-sizer" style={{ height: virtualizer.getTotalSize() }} />
        <div className="traffic-rows">
          {items.map((item) => {
            const row = rows[item.index] as LogRow;
            const marks = matches.length > 0 ? marksOf(matches, item.index) : NO_MARKS;
            return (
              <TrafficRow
                key={item.key}
                row={row}
                top={item.start}
                time={row.kind === 'data' ? formatTrafficTime(view.time, row.ts, firstData?.ts ?? null, previousTs(rows, item.index)) : ''}
                selected={row.key === selectedKey}
                marks={marks}
                current={currentMatch && currentMatch.row === item.index ? currentMatch : null}
                onSelect={select}
                onShowAll={showAll}
                onReply={onReply}
              />
            );
          })}
        </div>
      </div>
      {selectedRow && (
        <ChunkDetails
          key={selectedRow.key}
          conversationId={conversationId}
          row={selectedRow}
          decoding={view.decoding}
          loadAll={loadAllKey === selectedRow.key}
          onClose={() => setSelectedKey(null)}
        />
      )}
    </div>
  );
}

/** The matches in one row (matches are sorted by row: binary search for the first). */
function marksOf(matches: readonly SearchMatch[], row: number): readonly SearchMatch[] {
  let lo = 0;
  let hi = matches.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((matches[mid] as SearchMatch).row < row) lo = mid + 1;
    else hi = mid;
  }
  let end = lo;
  while (end < matches.length && (matches[end] as SearchMatch).row === row) end++;
  return end === lo ? NO_MARKS : matches.slice(lo, end);
}

function previousTs(rows: readonly LogRow[], index: number): number | null {
  for (let i = index - 1; i >= 0; i--) {
    const r = rows[i] as LogRow;
    if (r.kind === 'data') return r.ts;
  }
  return null;
}
