/**
 * Save a conversation's bytes to a file: each direction raw (exactly the bytes, concatenated in
 * order), or the text view (one line per row as the log shows it). Whole chunks are fetched from
 * the engine, not the previews the log holds; what the engine no longer keeps is said, not hidden.
 */
import { bytesToBase64, type TextDecoding } from '../../../../shared/bytes';
import type { TrafficChunk } from '../../../../shared/endpoints';
import { formatSockAddr } from '../../../../shared/primitives';
import { concatBytes } from '../../lib/byte-formats';
import { downloadBlob, fileName } from '../../lib/download';
import { formatBytes } from '../../lib/format';
import { formatTrafficTime } from '../../lib/traffic-time';
import type { FullChunk } from '../../store/conversation-history';
import { useStore } from '../../store/store';
import type { TrafficTimeMode, TrafficViewMode } from '../../store/ui-slice';
import { LineAssembler, rowsFor, type LogRow } from './traffic-rows';

export type SaveWhat = 'in' | 'out' | 'text';

export const SAVE_CHOICES: readonly { what: SaveWhat; label: string }[] = [
  { what: 'in', label: 'Save received bytes' },
  { what: 'out', label: 'Save sent bytes' },
  { what: 'text', label: 'Save text view' },
];

/** The text view of whole chunks: `time  ← in  12 B  text`, hex dumps indented under their row. */
export function textView(chunks: readonly FullChunk[], mode: TrafficViewMode, decoding: TextDecoding, time: TrafficTimeMode): string {
  const wire: TrafficChunk[] = chunks.map((c) => ({ seq: c.seq, ts: c.ts, dir: c.dir, size: c.bytes.length, data: bytesToBase64(c.bytes), truncated: false, peer: c.peer }));
  const full = Object.fromEntries(chunks.map((c) => [c.seq, c.bytes]));
  const startSeq = chunks[0]?.seq ?? 0;
  const rows: LogRow[] = rowsFor(mode, wire, decoding, full, startSeq, mode === 'lines' ? new LineAssembler(decoding, startSeq) : null);
  const lines: string[] = [];
  let base: number | null = null;
  let prev: number | null = null;
  for (const r of rows) {
    if (r.kind === 'gap') {
      lines.push(`--- ${r.text} ---`);
      continue;
    }
    base ??= r.ts;
    const head = `${formatTrafficTime(time, r.ts, base, prev)}\t${r.dir === 'in' ? '← in' : '→ out'}\t${formatBytes(r.size)}${r.peer ? `\t${r.dir === 'in' ? 'from' : 'to'} ${formatSockAddr(r.peer)}` : ''}`;
    prev = r.ts;
    const [first, ...rest] = r.text.split('\n');
    lines.push(`${head}\t${first ?? ''}${r.tail ? '  (no newline yet)' : ''}${r.cut ? '  (cut)' : ''}`);
    for (const more of rest) lines.push(`\t${more}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Fetches and downloads; returns the line to show the person (what was saved, what was missing). */
export async function saveConversation(
  conversationId: string,
  what: SaveWhat,
  view: { mode: TrafficViewMode; decoding: TextDecoding; time: TrafficTimeMode },
): Promise<string> {
  const history = await useStore.getState().fetchHistory(conversationId);
  const missing = what === 'text' ? history.notKept.in + history.notKept.out : history.notKept[what];
  const note = missing > 0 ? ` The engine no longer kept the first ${formatBytes(missing)}.` : '';
  if (what === 'text') {
    const text = textView(history.chunks, view.mode, view.decoding, view.time);
    const name = fileName(conversationId, 'traffic', 'txt');
    downloadBlob(name, text, 'text/plain;charset=utf-8');
    return `Saved ${name}.${note}`;
  }
  const bytes = concatBytes(history.chunks.filter((c) => c.dir === what).map((c) => c.bytes));
  const name = fileName(conversationId, what === 'in' ? 'received' : 'sent', 'bin');
  downloadBlob(name, bytes as BlobPart);
  return `Saved ${formatBytes(bytes.length)} to ${name}.${note}`;
}
