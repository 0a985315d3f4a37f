import type { ConversationSnapshot } from '../../../../shared/endpoints';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useRef } from 'react';
import { formatSockAddr } from '../../../../shared/primitives';
import { conversationStateLabel, formatBytes, formatRate, formatTime, UNKNOWN_STATE_SHORT } from '../../lib/format';
import { selectEngineLive } from '../../store/connection-slice';
import { selectShownConversation } from '../../store/display-slice';
import { useStore } from '../../store/store';
import { Sparkline } from '../charts/sparkline';

const ROW_HEIGHT = 30;

/**
 * One row per accepted connection; selecting a row shows that client's conversation. `showLocal`:
 * a wildcard listener's clients differ in their local address (which interface they came in on);
 * a listener on one address would repeat it in every row. The Local column takes the Rate
 * column's place (the rate is in the sparkline's title and the sidebar tree). The table
 * subscribes to the client list only; each visible row subscribes to its own conversation, so a
 * batch of counter updates re-renders the rows whose client changed and nothing else (mapping a
 * thousand ids through one selector ran, and compared, on every store update).
 */
export const ClientsTable = memo(function ClientsTable({ listenerId, clientIds, showLocal }: { listenerId: string; clientIds: string[]; showLocal: boolean }) {
  const selected = useStore((s) => s.selectedClient[listenerId]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: clientIds.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
    // A scroll (following the newest row is one per batch) re-renders with the next frame's
    // update, not synchronously inside the scroll event: that was a second full render per batch.
    useFlushSync: false,
  });
  const items = virtualizer.getVirtualItems();
  const padTop = items[0]?.start ?? 0;
  const padBottom = virtualizer.getTotalSize() - (items.at(-1)?.end ?? 0);

  return (
    <div ref={scrollRef} className="clients-scroll">
      <table aria-label="Clients" className="grid clients-table">
        <colgroup>
          <col className="c-peer" />
          {showLocal && <col className="c-peer" />}
          <col className="c-state" />
          <col className="c-time" />
          <col className="c-bytes" />
          <col className="c-bytes" />
          {!showLocal && <col className="c-rate" />}
          <col className="c-spark" />
        </colgroup>
        <thead>
          <tr>
            <th scope="col">Peer</th>
            {showLocal && <th scope="col">Local</th>}
            <th scope="col">State</th>
            <th scope="col">Connected</th>
            <th scope="col">Bytes in</th>
            <th scope="col">Bytes out</th>
            {!showLocal && <th scope="col">Rate</th>}
            <th scope="col">Last 60 s</th>
          </tr>
        </thead>
        <tbody>
          {padTop > 0 && (
            <tr aria-hidden="true">
              <td colSpan={7} style={{ height: padTop, padding: 0 }} />
            </tr>
          )}
          {items.map((item) => {
            const id = clientIds[item.index] as string;
            return <ClientRow key={id} listenerId={listenerId} id={id} selected={selected === id} showLocal={showLocal} />;
          })}
          {padBottom > 0 && (
            <tr aria-hidden="true">
              <td colSpan={7} style={{ height: padBottom, padding: 0 }} />
            </tr>
          )}
        </tbody>
      </table>
      {/* Outside the table: its rows are exactly the header and one per client. */}
      {clientIds.length === 0 && <p className="muted empty-note">No clients yet.</p>}
    </div>
  );
});

const ClientRow = memo(function ClientRow({ listenerId, id, selected, showLocal }: { listenerId: string; id: string; selected: boolean; showLocal: boolean }) {
  const c = useStore(selectShownConversation(id));
  const selectClient = useStore((s) => s.selectClient);
  const live = useStore(selectEngineLive);
  if (!c) return null;
  const rate = `↓${formatRate(c.stats.rateIn)} ↑${formatRate(c.stats.rateOut)}`;
  return (
    <tr
      aria-selected={selected}
      tabIndex={0}
      className={selected ? 'selected' : undefined}
      onClick={() => selectClient(listenerId, id)}
      onKeyDown={(e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          selectClient(listenerId, id);
        }
      }}
    >
      <td title={c.remote ? formatSockAddr(c.remote) : undefined}>{c.remote ? formatSockAddr(c.remote) : '—'}</td>
      {showLocal && <td title={c.local ? formatSockAddr(c.local) : undefined}>{c.local ? formatSockAddr(c.local) : '—'}</td>}
      <td>
        {live ? conversationStateLabel(c.state) : UNKNOWN_STATE_SHORT}
        {c.exec?.state === 'waiting' && <span className="exec-waiting"> · waiting</span>}
        {c.tls && <ClientTls tls={c.tls} />}
      </td>
      <td title={c.connectedAt !== null ? formatTime(c.connectedAt) : undefined}>{c.connectedAt !== null ? formatTime(c.connectedAt).slice(0, 8) : '—'}</td>
      <td>{formatBytes(c.stats.bytesIn)}</td>
      <td>{formatBytes(c.stats.bytesOut)}</td>
      {!showLocal && <td>{rate}</td>}
      <td title={rate}>
        <Sparkline seriesId={id} />
      </td>
    </tr>
  );
});

/** A TLS client's session in its row: version, ALPN and its certificate's name; the cipher on hover. */
function ClientTls({ tls }: { tls: NonNullable<ConversationSnapshot['tls']> }) {
  const cert = tls.chain[0];
  const cn = cert ? (/(?:^|, )CN=([^,]+)/.exec(cert.subject)?.[1] ?? cert.subject) : null;
  const title = `${tls.version}, ${tls.cipher}${tls.alpn ? `, ALPN ${tls.alpn}` : ''}${cert ? `, client certificate ${cert.subject} (SHA-256 ${cert.sha256})${tls.verified ? ', trusted' : ', not trusted'}` : ', no client certificate'}`;
  return (
    <span className="muted client-tls" title={title}>
      {' · '}
      {tls.version}
      {tls.alpn && ` · ${tls.alpn}`}
      {cn && ` · ${cn}`}
    </span>
  );
}
