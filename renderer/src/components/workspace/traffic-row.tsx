import { memo, type ReactNode } from 'react';
import type { VisibleSegment } from '../../../../shared/bytes';
import { formatSockAddr, type SockAddr } from '../../../../shared/primitives';
import { formatBytes } from '../../lib/format';
import type { SearchMatch } from '../../lib/traffic-search';
import type { LogRow } from './traffic-rows';

/** Pixel heights the virtualizer uses: rows have a known size, so nothing is measured (no forced layouts). */
export const ROW_LINE_HEIGHT = 18;
export const ROW_PADDING = 4;

export function rowHeight(row: LogRow): number {
  return (row.kind === 'data' ? row.lineCount : 1) * ROW_LINE_HEIGHT + ROW_PADDING;
}

/** Control Pictures (U+2400…U+2421) and what they stand for, drawn as a small label ("CR", "LF"). */
const CONTROL_NAMES = [
  'NUL', 'SOH', 'STX', 'ETX', 'EOT', 'ENQ', 'ACK', 'BEL', 'BS', 'TAB', 'LF', 'VT', 'FF', 'CR', 'SO', 'SI',
  'DLE', 'DC1', 'DC2', 'DC3', 'DC4', 'NAK', 'SYN', 'ETB', 'CAN', 'EM', 'SUB', 'ESC', 'FS', 'GS', 'RS', 'US',
];

function controlName(ch: string): string | undefined {
  const cp = ch.codePointAt(0) as number;
  if (cp === 0x2421) return 'DEL';
  return cp >= 0x2400 && cp < 0x2420 ? CONTROL_NAMES[cp - 0x2400] : undefined;
}

/**
 * A control segment, one span per picture: the picture stays the text (what search, copy and
 * tests read), and CSS draws its name from `data-cc` instead — the pictures' own glyphs are too
 * small to read at text size. Real newlines (after ␊ in multi-line views) stay as they are.
 */
function controlSpans(text: string, key: string): ReactNode[] {
  const out: ReactNode[] = [];
  let i = 0;
  for (const ch of text) {
    const name = controlName(ch);
    out.push(
      name ? (
        <span key={`${key}.${i++}`} className="cc" data-cc={name}>
          {ch}
        </span>
      ) : (
        ch
      ),
    );
  }
  return out;
}

/**
 * Text segments as spans — control pictures and escapes styled apart from the peer's own text —
 * with the search matches that fall in them marked. Always text nodes: bytes are never markup.
 */
export function renderSegments(segments: readonly VisibleSegment[], marks: readonly SearchMatch[] = [], current: SearchMatch | null = null): ReactNode[] {
  const out: ReactNode[] = [];
  let offset = 0;
  let m = 0;
  let k = 0;
  for (const seg of segments) {
    const end = offset + seg.text.length;
    let at = offset;
    const cls = seg.kind === 'text' ? undefined : `seg-${seg.kind}`;
    while (at < end) {
      while (m < marks.length && (marks[m] as SearchMatch).end <= at) m++;
      const mark = marks[m];
      if (mark && mark.start <= at) {
        const stop = Math.min(end, mark.end);
        const text = seg.text.slice(at - offset, stop - offset);
        out.push(
          <mark key={k++} className={mark === current ? 'current' : undefined}>
            {seg.kind === 'control' ? controlSpans(text, `m${k}`) : cls ? <span className={cls}>{text}</span> : text}
          </mark>,
        );
        at = stop;
      } else {
        const stop = Math.min(end, mark ? mark.start : end);
        const text = seg.text.slice(at - offset, stop - offset);
        if (seg.kind === 'control') out.push(...controlSpans(text, `c${k++}`));
        else out.push(cls ? <span key={k++} className={cls}>{text}</span> : text);
        at = stop;
      }
    }
    offset = end;
  }
  return out;
}

export interface RowProps {
  row: LogRow;
  top: number;
  time: string;
  selected: boolean;
  marks: readonly SearchMatch[];
  current: SearchMatch | null;
  onSelect(key: string): void;
  onShowAll(seq: number): void;
  onReply?: ((peer: SockAddr) => void) | undefined;
}

/** One Traffic log row: direction, time, size, (UDP) peer, and the bytes as one line or a hex dump. */
export const TrafficRow = memo(function TrafficRow({ row, top, time, selected, marks, current, onSelect, onShowAll, onReply }: RowProps) {
  // `top`, not a transform: a row never moves, and transformed rows in a composited scroller were
  // candidates for layers of their own (layerization cost every frame).
  const style = { top, height: rowHeight(row) };
  if (row.kind === 'gap') {
    return (
      <div className="traffic-row gap-row" style={style}>
        <span className="gap-mark" title="These bytes were not sent to this view; the engine may still have them (Save, or show all)">
          ⋯ {row.text}
        </span>
      </div>
    );
  }
  return (
    <div
      className={`traffic-row dir-${row.dir}${selected ? ' selected' : ''}${current ? ' current-match' : ''}${row.lineCount > 1 ? ' multi' : ''}`}
      style={style}
      onClick={() => onSelect(row.key)}
    >
      <span className="dir" aria-label={row.dir === 'in' ? 'received' : 'sent'}>
        {row.dir === 'in' ? '← in' : '→ out'}
      </span>
      <time className="ts">{time}</time>
      <span className="size">{formatBytes(row.size)}</span>
      {row.peer && (
        <span className="peer">
          {row.dir === 'in' ? 'from' : 'to'} {formatSockAddr(row.peer)}
        </span>
      )}
      <span className="payload">{renderSegments(row.segments, marks, current)}</span>
      {row.cut && (
        <span className="cut-mark" title="The bytes after this point were not shown live: the line is not complete here">
          cut
        </span>
      )}
      {row.tail && <span className="tail-mark">(no newline yet)</span>}
      {row.truncated && row.seq >= 0 && (
        <button
          type="button"
          className="link"
          onClick={(e) => {
            e.stopPropagation();
            onShowAll(row.seq);
          }}
        >
          show all {formatBytes(row.size)}
        </button>
      )}
      {onReply && row.peer && row.dir === 'in' && (
        <button
          type="button"
          className="link"
          title="Fill Remote host and Remote port with this datagram's source"
          onClick={(e) => {
            e.stopPropagation();
            onReply(row.peer as SockAddr);
          }}
        >
          Reply
        </button>
      )}
    </div>
  );
});
