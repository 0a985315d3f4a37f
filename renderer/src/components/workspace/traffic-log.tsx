import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState } from 'react';
import { hexDumpLines, visibleText, type TextDecoding } from '../../../../shared/bytes';
import type { SockAddr } from '../../../../shared/primitives';
import { formatSockAddr } from '../../../../shared/primitives';
import type { TrafficChunk } from '../../../../shared/endpoints';
import { call } from '../../bridge/bridge';
import { chunkBytes } from '../../lib/chunk-bytes';
import { formatBytes, formatTime } from '../../lib/format';
import { selectTraffic } from '../../store/traffic-slice';
import { useStore } from '../../store/store';
import { Select } from '../forms/fields';

type ViewMode = 'chunks' | 'lines' | 'hex';

interface Row {
  key: string;
  dir: 'in' | 'out';
  ts: number;
  size: number;
  text: string;
  truncated: boolean;
  peer: SockAddr | null;
  seq: number;
}

/**
 * The Traffic log: every chunk (TCP) or datagram (UDP) in order, as text with control characters
 * made visible, or as a hex dump, or reassembled into lines. Rendered as text only, virtualized.
 */
export function TrafficLog({
  conversationId,
  notKept,
  datagrams = false,
  onReply,
}: {
  conversationId: string;
  notKept: { in: number; out: number };
  datagrams?: boolean;
  onReply?(peer: SockAddr): void;
}) {
  const traffic = useStore(selectTraffic(conversationId));
  const [mode, setMode] = useState<ViewMode>('chunks');
  const [decoding, setDecoding] = useState<TextDecoding>('utf-8');
  const [expanded, setExpanded] = useState<Record<number, string>>({});

  const rows = useMemo(() => buildRows(traffic.chunks, mode, decoding, expanded), [traffic.chunks, mode, decoding, expanded]);

  const scrollRef = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => 26,
    overscan: 12,
    getItemKey: (i) => rows[i]?.key ?? i,
  });

  useEffect(() => {
    if (stickToBottom.current && rows.length > 0) virtualizer.scrollToIndex(rows.length - 1, { align: 'end' });
  }, [rows.length, virtualizer]);

  const showAll = async (seq: number) => {
    const page = await call('traffic:page', { conversationId, beforeSeq: seq + 1, limit: 1, full: true });
    const chunk = page.chunks.find((c) => c.seq === seq);
    if (chunk) setExpanded((e) => ({ ...e, [seq]: chunk.data }));
  };

  const lost = notKept.in + notKept.out;
  return (
    <div className="traffic">
      <div className="traffic-toolbar">
        <Select
          label="View"
          value={mode}
          onChange={setMode}
          options={[
            { value: 'chunks', label: datagrams ? 'Datagrams' : 'Chunks (each recv/send)' },
            ...(datagrams ? [] : [{ value: 'lines' as const, label: 'Lines (stream reassembled)' }]),
            { value: 'hex', label: 'Hex dump' },
          ]}
        />
        <Select
          label="Decoding"
          value={decoding}
          onChange={setDecoding}
          options={[
            { value: 'utf-8', label: 'UTF-8' },
            { value: 'latin1', label: 'Latin-1' },
          ]}
        />
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
      </div>
      <div
        ref={scrollRef}
        className="traffic-scroll"
        role="log"
        aria-label="Traffic"
        aria-live="off"
        tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget;
          stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
        }}
      >
        {rows.length === 0 && <p className="muted empty">Nothing sent or received yet.</p>}
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index] as Row;
            return (
              <div
                key={item.key}
                data-index={item.index}
                ref={virtualizer.measureElement}
                className={`traffic-row dir-${row.dir}`}
                style={{ position: 'absolute', top: 0, left: 0, width: '100%', transform: `translateY(${item.start}px)` }}
              >
                <span className="dir" aria-label={row.dir === 'in' ? 'received' : 'sent'}>
                  {row.dir === 'in' ? '← in' : '→ out'}
                </span>
                <time className="ts">{formatTime(row.ts)}</time>
                <span className="size">{formatBytes(row.size)}</span>
                {row.peer && (
                  <span className="peer">
                    {row.dir === 'in' ? 'from' : 'to'} {formatSockAddr(row.peer)}
                  </span>
                )}
                <pre className="payload">{row.text}</pre>
                {row.truncated && (
                  <button type="button" className="link" onClick={() => void showAll(row.seq)}>
                    show all {formatBytes(row.size)}
                  </button>
                )}
                {onReply && row.peer && row.dir === 'in' && (
                  <button
                    type="button"
                    className="link"
                    title="Fill Remote host and Remote port with this datagram's source"
                    onClick={() => onReply(row.peer as SockAddr)}
                  >
                    Reply
                  </button>
                )}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

/**
 * Rows already built, per chunk object and view: a batch appends a few chunks to up to 2,000, and
 * only those are decoded (re-decoding every preview on each batch kept a core busy at line rate).
 */
const ROW_PREVIEW_BYTES = 1024;
const rowCache = new WeakMap<TrafficChunk, { view: string; row: Row }>();

function buildRows(chunks: TrafficChunk[], mode: ViewMode, decoding: TextDecoding, expanded: Record<number, string>): Row[] {
  if (mode === 'lines') return lineRows(chunks, decoding);
  return chunks.map((c) => {
    const full = expanded[c.seq];
    const view = `${mode}:${decoding}:${full ? 'full' : 'preview'}`;
    const cached = rowCache.get(c);
    if (cached?.view === view) return cached.row;
    // A row shows at most ROW_PREVIEW_BYTES until "show all": laying out 16 KiB of text per row, 30 times
    // a second, was most of the renderer's work at line rate.
    const preview = full ? chunkBytesOf(full) : chunkBytes(c);
    const bytes = full ? preview : preview.subarray(0, ROW_PREVIEW_BYTES);
    const text = mode === 'hex' ? hexDumpLines(bytes).join('\n') : visibleText(bytes, decoding);
    const truncated = !full && (c.truncated || bytes.length < preview.length);
    const row: Row = { key: `c${c.seq}`, dir: c.dir, ts: c.ts, size: c.size, text, truncated, peer: c.peer, seq: c.seq };
    rowCache.set(c, { view, row });
    return row;
  });
}

function chunkBytesOf(b64: string): Uint8Array {
  return chunkBytes({ data: b64 } as TrafficChunk);
}

/**
 * TCP is a byte stream: lines are reassembled per direction, whatever chunks carried them, and
 * listed in the order they completed.
 */
function lineRows(chunks: TrafficChunk[], decoding: TextDecoding): Row[] {
  const rows: Row[] = [];
  const pending: Record<'in' | 'out', number[]> = { in: [], out: [] };
  const lastTs = { in: 0, out: 0 };
  let n = 0;
  for (const c of chunks) {
    lastTs[c.dir] = c.ts;
    for (const b of chunkBytes(c)) {
      pending[c.dir].push(b);
      if (b === 0x0a) {
        const line = Uint8Array.from(pending[c.dir]);
        pending[c.dir] = [];
        rows.push({ key: `l${n++}`, dir: c.dir, ts: c.ts, size: line.length, text: visibleText(line, decoding), truncated: false, peer: null, seq: -1 });
      }
    }
  }
  for (const dir of ['in', 'out'] as const) {
    if (pending[dir].length === 0) continue;
    const tail = Uint8Array.from(pending[dir]);
    rows.push({ key: `${dir}-tail`, dir, ts: lastTs[dir], size: tail.length, text: `${visibleText(tail, decoding)}  (no newline yet)`, truncated: false, peer: null, seq: -1 });
  }
  return rows;
}
