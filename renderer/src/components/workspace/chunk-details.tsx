import { useEffect, useState } from 'react';
import { base64ToBytes, bytesToBase64, hexDumpLines, visibleSegments, type TextDecoding } from '../../../../shared/bytes';
import { COPY_FORMATS, formatBytesAs, type CopyFormat } from '../../lib/byte-formats';
import { copyText } from '../../lib/clipboard';
import { formatBytes, formatTime } from '../../lib/format';
import { useStore } from '../../store/store';
import { saveChunkAsMessage } from '../saved-messages/save-drafts';
import { Menu } from './menu';
import { renderSegments } from './traffic-row';
import type { DataRow } from './traffic-rows';

/** The pane shows at most this much; Copy and Save as message always take every byte. */
const SHOWN_BYTES = 64 * 1024;

/** A chunk's every byte (as far as one page carries it); null when the engine no longer keeps it or cannot be asked. */
function wholeChunkBytes(conversationId: string, seq: number): Promise<Uint8Array | null> {
  return useStore
    .getState()
    .fetchWholeChunk(conversationId, seq)
    .then(
      (chunk) => (chunk ? base64ToBytes(chunk.data) : null),
      () => null,
    );
}

/**
 * The selected row's bytes, as DevTools shows a WebSocket frame and Wireshark its bytes pane: the
 * whole chunk (fetched from the engine when the log holds only its preview) as text or as a hex
 * dump, with Copy as text / hex / C array / base64 and Save as message.
 */
export function ChunkDetails({
  conversationId,
  row,
  decoding,
  loadAll = false,
  onClose,
}: {
  conversationId: string;
  row: DataRow;
  decoding: TextDecoding;
  /** Fetch the whole chunk at once (opened by the row's "show all"). */
  loadAll?: boolean;
  onClose(): void;
}) {
  const [as, setAs] = useState<'text' | 'hex'>('text');
  const [whole, setWhole] = useState<Uint8Array | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const bytes = whole ?? row.bytes;
  const incomplete = !whole && row.size > row.bytes.length;

  /** Every byte of the row: a cut chunk is fetched whole first (a line is what the log assembled). */
  const allBytes = async (): Promise<Uint8Array> => {
    if (!incomplete || row.seq < 0) return bytes;
    const fetched = await wholeChunkBytes(conversationId, row.seq);
    if (fetched) setWhole(fetched);
    return fetched ?? bytes;
  };

  const copy = async (format: CopyFormat, label: string) => {
    const b = await allBytes();
    const ok = await copyText(formatBytesAs(b, format, decoding));
    const partial = b.length < row.size ? ` (the first ${formatBytes(b.length)}: the rest is no longer kept)` : '';
    setStatus(ok ? `Copied ${formatBytes(b.length)} as ${label}${partial}` : 'Could not copy');
  };

  // Opened by "show all": fetch the rest now (the answer arrives later, so no render cascades).
  useEffect(() => {
    if (!loadAll || row.seq < 0 || row.size <= row.bytes.length) return;
    let live = true;
    void wholeChunkBytes(conversationId, row.seq).then((b) => {
      if (live && b) setWhole(b);
    });
    return () => {
      live = false;
    };
  }, [loadAll, conversationId, row.seq, row.size, row.bytes.length]);

  const shown = bytes.subarray(0, SHOWN_BYTES);
  return (
    <div className="chunk-details" role="group" aria-label="Selected chunk">
      <div className="chunk-details-head">
        <strong className={`dir-${row.dir}`}>{row.dir === 'in' ? '← received' : '→ sent'}</strong>
        <span className="muted">
          {formatBytes(row.size)} · {formatTime(row.ts)}
          {row.seq >= 0 ? ` · chunk #${row.seq}` : ' · line'}
        </span>
        <div className="segmented" role="group" aria-label="Show the bytes as">
          <button type="button" aria-pressed={as === 'text'} onClick={() => setAs('text')}>
            Text
          </button>
          <button type="button" aria-pressed={as === 'hex'} onClick={() => setAs('hex')}>
            Hex dump
          </button>
        </div>
        {incomplete && row.seq >= 0 && (
          <button type="button" className="link" onClick={() => void allBytes()}>
            Load all {formatBytes(row.size)}
          </button>
        )}
        <div className="spacer" />
        <Menu label="Copy as…" className="copy-menu">
          {COPY_FORMATS.map(({ format, label }) => (
            <button key={format} type="button" aria-label={`Copy as ${label}`} onClick={() => void copy(format, label)}>
              {label}
            </button>
          ))}
        </Menu>
        <button
          type="button"
          title="Keep these bytes in Saved messages"
          onClick={() =>
            void allBytes().then((b) =>
              saveChunkAsMessage(conversationId, { seq: row.seq, ts: row.ts, dir: row.dir, size: b.length, data: bytesToBase64(b), truncated: false, peer: row.peer }),
            )
          }
        >
          Save as message
        </button>
        <button type="button" className="link close-details" aria-label="Close chunk details" onClick={onClose}>
          ×
        </button>
      </div>
      {status && (
        <p role="status" className="muted copy-status">
          {status}
        </p>
      )}
      <pre className="chunk-bytes" tabIndex={0}>
        {as === 'hex' ? hexDumpLines(shown).join('\n') : renderSegments(visibleSegments(shown, decoding))}
      </pre>
      {bytes.length > SHOWN_BYTES && <p className="muted small">Showing the first {formatBytes(SHOWN_BYTES)}; Copy takes all {formatBytes(bytes.length)}.</p>}
    </div>
  );
}
