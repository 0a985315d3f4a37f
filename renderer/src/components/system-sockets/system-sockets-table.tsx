import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef } from 'react';
import { formatSocketEndpoint, type SystemSocketOwner, type SystemSocketsRowView } from '../../../../shared/system-sockets';
import { visibleName } from '../../../../shared/visible-name';
import { formatBytes } from '../../lib/format';
import { useStore } from '../../store/store';
import {
  formatLocal,
  formatPids,
  formatProcesses,
  formatRemote,
  formatRtt,
  isWildcard,
  type DisplayRow,
  type SocketColumn,
  type SocketSort,
  visibleRemoteName,
} from './socket-rows';
import { stateHelp } from './tcp-states';
import { FarEndClose } from './far-end-close';
import { ownSocketName } from './own-sockets';

const ROW_HEIGHT = 27;

export interface RowActions {
  /** Show the endpoint's workspace. */
  focus(endpointId: string): void;
  copy(text: string): void;
  connect(host: string, port: number): void;
  listen(port: number): void;
  close(own: SystemSocketOwner, kind: 'endpoint' | 'client'): void;
}

const COLUMNS: ReadonlyArray<{ id: SocketColumn | null; title: string; className: string }> = [
  { id: 'proto', title: 'Proto', className: 'c-proto' },
  { id: 'local', title: 'Local', className: 'c-addr' },
  { id: 'remote', title: 'Remote', className: 'c-addr' },
  { id: 'state', title: 'State', className: 'c-state' },
  { id: 'pid', title: 'PID', className: 'c-pid' },
  { id: 'process', title: 'Process', className: 'c-process' },
  { id: 'recvQ', title: 'Recv-Q', className: 'c-num' },
  { id: 'sendQ', title: 'Send-Q', className: 'c-num' },
  { id: 'bytesSent', title: 'Sent', className: 'c-bytes' },
  { id: 'bytesReceived', title: 'Received', className: 'c-bytes' },
  { id: 'rtt', title: 'RTT', className: 'c-rtt' },
  { id: null, title: 'Actions', className: 'c-actions' },
];

const COLUMN_HINTS: Partial<Record<SocketColumn, string>> = {
  recvQ: 'Bytes received but not yet read by the application (LISTEN: connections waiting for accept())',
  sendQ: 'Bytes sent but not yet acknowledged by the peer (LISTEN: the backlog)',
  bytesSent: 'Bytes this socket sent (where the OS reports it)',
  bytesReceived: 'Bytes this socket received (where the OS reports it)',
  rtt: 'Smoothed round-trip time the kernel measured',
};

const NO_PORTS: ReadonlySet<number> = new Set();

function isConnected(r: SystemSocketsRowView): boolean {
  return r.remotePort !== null && r.remotePort !== 0 && r.remoteAddress !== null && !isWildcard(r.remoteAddress);
}

/** A connection a local listener accepted: its local port is one something listens on. */
function isAccepted(r: SystemSocketsRowView, listeningPorts: ReadonlySet<number>): boolean {
  return r.proto === 'tcp' && r.state !== 'LISTEN' && r.localPort !== null && listeningPorts.has(r.localPort);
}

/**
 * Where "copy address" and "connect to this" point: the server end. That is the peer of an
 * outgoing connection, and the local side of a listener, an unconnected socket or an accepted
 * connection (a wildcard address becomes the loopback address of its family).
 */
export function rowTarget(r: SystemSocketsRowView, listeningPorts: ReadonlySet<number> = NO_PORTS): { host: string; port: number } | null {
  if (r.proto === 'unix') return null;
  if (isConnected(r) && !isAccepted(r, listeningPorts)) return { host: r.remoteAddress as string, port: r.remotePort as number };
  if (r.localPort === null || r.localPort === 0) return null;
  const host = isWildcard(r.localAddress) ? (r.family === 'inet6' ? '::1' : '127.0.0.1') : r.localAddress;
  return { host, port: r.localPort };
}

/**
 * The port "listen on this port" offers, when nothing listens on it: an outgoing connection's
 * remote (server) port, or the local port of a socket that is not a listener's.
 */
export function rowListenPort(r: SystemSocketsRowView, listeningPorts: ReadonlySet<number> = NO_PORTS): number | null {
  if (r.proto !== 'tcp' || isAccepted(r, listeningPorts)) return null;
  const port = isConnected(r) ? r.remotePort : r.localPort;
  return port === null || port === 0 || listeningPorts.has(port) ? null : port;
}

export function SystemSocketsTable({
  rows,
  sort,
  onSort,
  names,
  actions,
  listeningPorts,
}: {
  rows: readonly DisplayRow[];
  sort: SocketSort;
  onSort(column: SocketColumn): void;
  names: Readonly<Record<string, string | null>>;
  actions: RowActions;
  /** TCP ports something listens on: "listen on this port" is offered only for others. */
  listeningPorts: ReadonlySet<number>;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    getItemKey: (i) => rows[i]?.row.key ?? i,
  });
  const items = virtualizer.getVirtualItems();
  const padTop = items[0]?.start ?? 0;
  const padBottom = virtualizer.getTotalSize() - (items.at(-1)?.end ?? 0);
  const span = COLUMNS.length;

  return (
    <div ref={scrollRef} className="sys-scroll">
      <table aria-label="System sockets" aria-rowcount={rows.length + 1} className="grid sys-table">
        <colgroup>
          {COLUMNS.map((c) => (
            <col key={c.title} className={c.className} />
          ))}
        </colgroup>
        <thead>
          <tr aria-rowindex={1}>
            {COLUMNS.map((c) => {
              if (!c.id) {
                return (
                  <th key={c.title} scope="col">
                    {c.title}
                  </th>
                );
              }
              const id = c.id;
              const sorted = sort.column === id;
              return (
                <th key={c.title} scope="col" aria-sort={sorted ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}>
                  <button type="button" className="sort" title={COLUMN_HINTS[id]} onClick={() => onSort(id)}>
                    {c.title}
                    <span aria-hidden="true" className="sort-arrow">
                      {sorted ? (sort.dir === 'asc' ? '▲' : '▼') : ''}
                    </span>
                  </button>
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr>
              <td colSpan={span} className="muted empty">
                No sockets match.
              </td>
            </tr>
          )}
          {padTop > 0 && (
            <tr aria-hidden="true" className="spacer-row">
              <td colSpan={span} style={{ height: padTop, padding: 0 }} />
            </tr>
          )}
          {items.map((item) => {
            const d = rows[item.index];
            if (!d) return null;
            return (
              <SocketRow
                key={d.row.key}
                d={d}
                rowIndex={item.index + 2}
                name={visibleRemoteName(d.row, names)}
                actions={actions}
                listeningPorts={listeningPorts}
              />
            );
          })}
          {padBottom > 0 && (
            <tr aria-hidden="true" className="spacer-row">
              <td colSpan={span} style={{ height: padBottom, padding: 0 }} />
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

const MARK_WORDS = { new: 'new', changed: 'changed', closed: 'gone' } as const;

/** One socket. Everything the OS printed is rendered as text (React escapes it), never as markup. */
export function SocketRow({
  d,
  rowIndex,
  name,
  actions,
  listeningPorts,
}: {
  d: DisplayRow;
  rowIndex: number;
  name: string | null;
  actions: RowActions;
  /** TCP ports something listens on (decides where the row's actions point). */
  listeningPorts: ReadonlySet<number>;
}) {
  const r = d.row;
  const local = formatLocal(r);
  const remote = formatRemote(r);
  const processes = formatProcesses(r);
  const target = rowTarget(r, listeningPorts);
  const listenPort = rowListenPort(r, listeningPorts);
  const copyable = target ? formatSocketEndpoint(target.host, target.port) : isWildcard(r.localAddress) ? null : r.localAddress;
  const classes = [d.mark ? `row-${d.mark}` : '', r.own ? 'row-own' : ''].filter(Boolean).join(' ');
  const help = stateHelp(r.state, r.proto);
  return (
    <tr className={classes || undefined} aria-rowindex={rowIndex} style={{ height: ROW_HEIGHT }}>
      <td>{r.proto}</td>
      <td title={local}>{local}</td>
      <td title={name ? `${remote} — ${name}` : remote}>
        {remote}
        {name && <span className="rdns"> {name}</span>}
      </td>
      <td title={help}>
        <span className={`sock-state sock-${r.state.toLowerCase()}`}>{r.state}</span>
        {d.mark && <span className="sr-only"> ({MARK_WORDS[d.mark]})</span>}
      </td>
      <td title={formatPids(r)}>{formatPids(r)}</td>
      <td title={processes}>
        {r.own && <OwnMarker own={r.own} onFocus={actions.focus} />}
        {processes}
      </td>
      <td className="num">{r.recvQ ?? ''}</td>
      <td className="num">{r.sendQ ?? ''}</td>
      <td className="num">{r.bytesSent === null ? '' : formatBytes(r.bytesSent)}</td>
      <td className="num">{r.bytesReceived === null ? '' : formatBytes(r.bytesReceived)}</td>
      <td className="num">{formatRtt(r.rttMs)}</td>
      <td>
        {d.mark !== 'closed' && (
          <div className="sys-actions">
            {copyable && (
              <button type="button" aria-label="Copy address" title={`Copy ${visibleName(copyable)}`} onClick={() => actions.copy(copyable)}>
                Copy
              </button>
            )}
            {r.proto === 'tcp' && target && (
              <button
                type="button"
                aria-label="Connect to this"
                title={`New connection to ${formatSocketEndpoint(target.host, target.port)}`}
                onClick={() => actions.connect(target.host, target.port)}
              >
                Connect
              </button>
            )}
            {listenPort !== null && (
              <button
                type="button"
                aria-label="Listen on this port"
                title={`New listener on port ${listenPort} (nothing listens on it now)`}
                onClick={() => actions.listen(listenPort)}
              >
                Listen
              </button>
            )}
            {r.own && r.state !== 'TIME_WAIT' && <OwnClose own={r.own} onClose={actions.close} />}
            {!r.own && <FarEndClose row={r} />}
          </div>
        )}
      </td>
    </tr>
  );
}

function OwnMarker({ own, onFocus }: { own: SystemSocketOwner; onFocus(endpointId: string): void }) {
  // Named as the sidebar names it (`Listener 127.0.0.1:43521`), not by internal id.
  const name = useStore((s) => ownSocketName(own, s));
  return (
    <button
      type="button"
      className="own-marker"
      aria-label="Sockscope endpoint"
      title={name ? `Sockscope endpoint ${name}: show its workspace` : 'Sockscope endpoint (removed)'}
      disabled={name === null}
      onClick={() => onFocus(own.endpointId)}
    >
      ◆ {name ?? 'removed endpoint'}
    </button>
  );
}

/** Close, for a socket of ours that is still open: the endpoint, or one client of a listener. */
function OwnClose({ own, onClose }: { own: SystemSocketOwner; onClose: RowActions['close'] }) {
  const endpoint = useStore((s) => s.endpoints[own.endpointId]);
  const conversation = useStore((s) => (own.conversationId ? s.conversations[own.conversationId] : undefined));
  if (!endpoint || endpoint.state === 'closed') return null;
  const client = endpoint.kind === 'tcp-listener' && own.conversationId !== null;
  if (client && (!conversation || conversation.state === 'closed' || conversation.state === 'local-closed')) return null;
  return (
    <button
      type="button"
      aria-label="Close"
      className="danger"
      title={client ? `Shut down our side of ${own.conversationId} (send FIN)` : `Close ${own.endpointId}`}
      onClick={() => onClose(own, client ? 'client' : 'endpoint')}
    >
      Close
    </button>
  );
}
