import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useRef } from 'react';
import { formatSockAddr } from '../../../../shared/primitives';
import { conversationStateLabel, formatBytes, formatRate, formatTime } from '../../lib/format';
import { selectConversation } from '../../store/endpoints-slice';
import { useStore } from '../../store/store';
import { Sparkline } from '../charts/sparkline';

const ROW_HEIGHT = 30;

/**
 * One row per accepted connection; selecting a row shows that client's conversation. The table
 * subscribes to the client list only; each visible row subscribes to its own conversation, so a
 * batch of counter updates re-renders the rows whose client changed and nothing else (mapping a
 * thousand ids through one selector ran, and compared, on every store update).
 */
export const ClientsTable = memo(function ClientsTable({ listenerId, clientIds }: { listenerId: string; clientIds: string[] }) {
  const selected = useStore((s) => s.selectedClient[listenerId]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: clientIds.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
  });
  const items = virtualizer.getVirtualItems();
  const padTop = items[0]?.start ?? 0;
  const padBottom = virtualizer.getTotalSize() - (items.at(-1)?.end ?? 0);

  return (
    <div ref={scrollRef} className="clients-scroll">
      <table aria-label="Clients" className="grid">
        <thead>
          <tr>
            <th scope="col">Peer</th>
            <th scope="col">Local</th>
            <th scope="col">State</th>
            <th scope="col">Connected</th>
            <th scope="col">Bytes in</th>
            <th scope="col">Bytes out</th>
            <th scope="col">Rate</th>
            <th scope="col">Last 60 s</th>
          </tr>
        </thead>
        <tbody>
          {padTop > 0 && (
            <tr aria-hidden="true">
              <td colSpan={8} style={{ height: padTop, padding: 0 }} />
            </tr>
          )}
          {items.map((item) => {
            const id = clientIds[item.index] as string;
            return <ClientRow key={id} listenerId={listenerId} id={id} selected={selected === id} />;
          })}
          {padBottom > 0 && (
            <tr aria-hidden="true">
              <td colSpan={8} style={{ height: padBottom, padding: 0 }} />
            </tr>
          )}
        </tbody>
      </table>
      {/* Outside the table: its rows are exactly the header and one per client. */}
      {clientIds.length === 0 && <p className="muted empty-note">No clients yet.</p>}
    </div>
  );
});

const ClientRow = memo(function ClientRow({ listenerId, id, selected }: { listenerId: string; id: string; selected: boolean }) {
  const c = useStore(selectConversation(id));
  const selectClient = useStore((s) => s.selectClient);
  if (!c) return null;
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
      <td>{c.remote ? formatSockAddr(c.remote) : '—'}</td>
      <td>{c.local ? formatSockAddr(c.local) : '—'}</td>
      <td>{conversationStateLabel(c.state)}</td>
      <td>{c.connectedAt !== null ? formatTime(c.connectedAt) : '—'}</td>
      <td>{formatBytes(c.stats.bytesIn)}</td>
      <td>{formatBytes(c.stats.bytesOut)}</td>
      <td>
        ↓{formatRate(c.stats.rateIn)} ↑{formatRate(c.stats.rateOut)}
      </td>
      <td>
        <Sparkline seriesId={id} />
      </td>
    </tr>
  );
});
