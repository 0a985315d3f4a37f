import { memo } from 'react';
import type { EndpointSnapshot } from '../../../shared/endpoints';
import { formatSockAddr } from '../../../shared/primitives';
import { conversationStateLabel, endpointStateLabel, endpointTitle, formatRate, UNKNOWN_STATE_SHORT } from '../lib/format';
import { selectEngineLive } from '../store/connection-slice';
import { selectShownConversation, selectShownEndpoint } from '../store/display-slice';
import { useStore } from '../store/store';
import { AppThroughput } from './charts/throughput-panel';

/** Clients listed under a listener in the tree; the Clients table in its workspace has them all. */
export const TREE_CLIENTS = 25;

/**
 * The sidebar: every endpoint as a tree — each listener with its clients under it, each
 * connection and UDP endpoint — with its state and live rates. Selecting an item shows its
 * workspace; a client item selects that client's conversation in its listener's workspace.
 */
export function EndpointList() {
  const order = useStore((s) => s.endpointOrder);
  return (
    <nav className="sidebar" aria-label="Open endpoints">
      <h2>Endpoints</h2>
      {order.length === 0 && <p className="muted">None yet. Open a listener, a connection or a UDP endpoint.</p>}
      <ul className="tree">
        {order.map((id) => (
          <EndpointItem key={id} id={id} />
        ))}
      </ul>
      <AppThroughput />
    </nav>
  );
}

const rates = (s: { rateIn: number; rateOut: number }) => `↓${formatRate(s.rateIn)} ↑${formatRate(s.rateOut)}`;

const EndpointItem = memo(function EndpointItem({ id }: { id: string }) {
  const e = useStore(selectShownEndpoint(id));
  // A connection's counters are its conversation's.
  const conversation = useStore(selectShownConversation(e?.kind === 'tcp-connection' ? e.conversationId : null));
  const live = useStore(selectEngineLive);
  const selected = useStore((s) => s.selectedEndpointId === id || (s.selectedEndpointId === null && s.endpointOrder[0] === id));
  const focusEndpoint = useStore((s) => s.focusEndpoint);
  const panel = `clients:${id}`;
  const expanded = useStore((s) => !s.collapsedPanels.includes(panel));
  const setPanelCollapsed = useStore((s) => s.setPanelCollapsed);
  if (!e) return null;
  const clients = e.kind === 'tcp-listener' ? e.clientIds : [];
  const stats = e.kind === 'tcp-connection' ? conversation?.stats : e.stats;
  return (
    <li className={`tree-node kind-${e.kind}`}>
      <div className="tree-row">
        {clients.length > 0 ? (
          <button
            type="button"
            className="twisty"
            aria-expanded={expanded}
            aria-label={expanded ? 'Hide clients' : 'Show clients'}
            title={`${expanded ? 'Hide' : 'Show'} the ${clients.length} clients`}
            onClick={() => setPanelCollapsed(panel, expanded)}
          >
            {expanded ? '▾' : '▸'}
          </button>
        ) : (
          <span className="twisty-space" />
        )}
        <button type="button" className="tree-item endpoint-link" aria-current={selected ? 'true' : undefined} onClick={() => focusEndpoint(id)}>
          <span className="title">{endpointTitle(e)}</span>
          <span className="item-meta">
            <span className={`state state-${live ? e.state : 'unknown'}`}>{live ? endpointStateLabel(e) : UNKNOWN_STATE_SHORT}</span>
            {clients.length > 0 && !expanded && <span className="muted"> · {clients.length} {clients.length === 1 ? 'client' : 'clients'}</span>}
            {stats && live && <span className="rates muted"> {rates(stats)}</span>}
          </span>
        </button>
      </div>
      {expanded && e.kind === 'tcp-listener' && clients.length > 0 && <ClientItems listener={e} clients={clients} />}
    </li>
  );
});

function ClientItems({ listener, clients }: { listener: Extract<EndpointSnapshot, { kind: 'tcp-listener' }>; clients: string[] }) {
  const focusEndpoint = useStore((s) => s.focusEndpoint);
  const shown = clients.slice(0, TREE_CLIENTS);
  return (
    <ul className="tree-children" aria-label={`Clients of ${endpointTitle(listener)}`}>
      {shown.map((cid) => (
        <ClientItem key={cid} listenerId={listener.id} id={cid} />
      ))}
      {clients.length > shown.length && (
        <li>
          <button type="button" className="tree-item more" onClick={() => focusEndpoint(listener.id)}>
            {clients.length - shown.length} more in the Clients table
          </button>
        </li>
      )}
    </ul>
  );
}

const ClientItem = memo(function ClientItem({ listenerId, id }: { listenerId: string; id: string }) {
  const c = useStore(selectShownConversation(id));
  const live = useStore(selectEngineLive);
  const selected = useStore((s) => s.selectedClient[listenerId] === id && s.selectedEndpointId === listenerId);
  if (!c) return null;
  const select = () => {
    const s = useStore.getState();
    s.selectClient(listenerId, id);
    s.focusEndpoint(listenerId);
  };
  return (
    <li>
      <button type="button" className="tree-item client-link" aria-current={selected ? 'true' : undefined} onClick={select}>
        <span className="title">Client {c.remote ? formatSockAddr(c.remote) : id}</span>
        <span className="item-meta">
          <span className={`state state-${live ? c.state : 'unknown'}`}>{live ? conversationStateLabel(c.state) : UNKNOWN_STATE_SHORT}</span>
          {live && <span className="rates muted"> {rates(c.stats)}</span>}
        </span>
      </button>
    </li>
  );
});
