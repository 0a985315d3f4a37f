import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { NotKept } from '../../../../shared/endpoints';
import type { SockAddr } from '../../../../shared/primitives';
import { formatBytes } from '../../lib/format';
import { useThrottled } from '../../lib/use-throttled';
import { DISPLAY_REFRESH_MS } from '../../store/display-slice';
import { compileSearch, findMatches, stepMatch, type SearchMatch } from '../../lib/traffic-search';
import { formatTrafficTime } from '../../lib/traffic-time';
import { selectTraffic } from '../../store/traffic-slice';
import { useStore } from '../../store/store';
import type { TrafficViewMode } from '../../store/ui-slice';
import { ChunkDetails } from './chunk-details';
import { saveConversation, type SaveWhat } from './save-conversation';
import { TrafficToolbar, type DirectionFilter } from './traffic-toolbar';
import { rowHeight, TrafficRow } from './traffic-row';
import { filterDirection, LineAssembler, rowsFor, type DataRow, type LogRow } from './traffic-rows';

const NO_MARKS: readonly SearchMatch[] = [];
const NO_MATCHES: SearchMatch[] = [];
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
  notKept: NotKept;
  datagrams?: boolean;
  onReply?(peer: SockAddr): void;
  /** The conversation's chunks so far (in + out): the Lines view knows from it that the newest were not sent live. */
  chunkCount?: number;
}) {
  const traffic = useStore(selectTraffic(conversationId));
  // Only logs on screen get previews from the engine (store action → ui:watch).
  const watchTraffic = useStore((s) => s.watchTraffic);
  useEffect(() => watchTraffic(conversationId), [watchTraffic, conversationId]);
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
  // No search: the same empty list every time, so nothing downstream changes with traffic.
  const matches = useMemo(() => (search.ok && search.re ? findMatches(rows.map((r) => r.text), search.re) : NO_MATCHES), [rows, search]);
  const currentMatch = current >= 0 && current < matches.length ? (matches[current] as SearchMatch) : null;

  const scrollRef = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => rowHeight(rows[i] as LogRow),
    overscan: 8,
    getItemKey: (i) => (rows[i] as LogRow).key,
    // A scroll (following the newest row is one per batch) re-renders with the next frame's
    // update, not synchronously inside the scroll event: that was a second full render per batch.
    useFlushSync: false,
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

  // The toolbar's handlers keep their identity while traffic flows (see TrafficToolbar).
  const onStep = useCallback(
    (by: 1 | -1) => {
      const index = stepMatch(current, matches.length, by);
      setCurrent(index);
      const m = matches[index];
      if (!m) return;
      stickToBottom.current = false;
      virtualizer.scrollToIndex(m.row, { align: 'center' });
    },
    [current, matches, virtualizer],
  );
  const onDirection = useCallback((d: DirectionFilter) => {
    setDirection(d);
    setCurrent(-1);
  }, []);
  const onQuery = useCallback((q: string) => {
    setQuery(q);
    setCurrent(-1);
  }, []);
  const onRegex = useCallback((on: boolean) => {
    setRegex(on);
    setCurrent(-1);
  }, []);
  const lastSeq = traffic.chunks.at(-1)?.seq;
  const lastSeqRef = useRef(lastSeq);
  useEffect(() => {
    lastSeqRef.current = lastSeq;
  }, [lastSeq]);
  const onClear = useCallback(() => {
    if (lastSeqRef.current !== undefined) clearView(conversationId, lastSeqRef.current);
    setSelectedKey(null);
  }, [clearView, conversationId]);
  const onShowCleared = useCallback(() => clearView(conversationId, -1), [clearView, conversationId]);

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

  const onSave = useCallback(
    async (what: SaveWhat) => {
      setStatus('Saving…');
      try {
        setStatus(await saveConversation(conversationId, what, { mode, decoding: view.decoding, time: view.time }));
      } catch (err) {
        setStatus(`Not saved: ${err instanceof Error ? err.message : String(err)}`);
      }
    },
    [conversationId, mode, view.decoding, view.time],
  );

  const items = virtualizer.getVirtualItems();
  const firstData = rows.find((r): r is DataRow => r.kind === 'data');
  const lost = notKept.in + notKept.out;
  // Counted with every batch under load: shown once a second, like the other counters (each change
  // repainted the workspace around the log).
  const skipped = useThrottled(`${traffic.skippedChunks} ${traffic.skippedBytes}`, DISPLAY_REFRESH_MS);
  const [skippedChunks, skippedBytes] = skipped.split(' ').map(Number) as [number, number];

  return (
    <div className="traffic">
      <TrafficToolbar
        mode={mode}
        datagrams={datagrams}
        decoding={view.decoding}
        time={view.time}
        direction={direction}
        query={query}
        regex={regex}
        searchError={search.ok ? null : search.error}
        matchCount={matches.length}
        canClear={lastSeq !== undefined && lastSeq > (clearedThrough ?? -1)}
        cleared={clearedThrough !== undefined && clearedThrough >= 0}
        onView={setView}
        onDirection={onDirection}
        onQuery={onQuery}
        onRegex={onRegex}
        onStep={onStep}
        onClear={onClear}
        onShowCleared={onShowCleared}
        onSave={onSave}
      />
      {(lost > 0 || skippedChunks > 0 || status) && (
        <div className="traffic-notes">
          {lost > 0 && (
            <span
              className="marker"
              title={
                notKept.memoryFull
                  ? 'The traffic of all conversations together has filled the memory Sockscope keeps for it, so this one keeps less than usual; removing closed endpoints gives it back'
                  : 'The engine keeps a bounded history per direction'
              }
            >
              {formatBytes(lost)} not kept ({notKept.in} B in, {notKept.out} B out){notKept.memoryFull ? ' — traffic memory full' : ''}
            </span>
          )}
          {skippedChunks > 0 && (
            <span className="marker" title="The UI was behind; these are still in the engine's history while it keeps them">
              {skippedChunks} {datagrams ? 'datagrams' : 'chunks'} ({formatBytes(skippedBytes)}) not shown live
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
