import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import type { EndpointSnapshot } from '../../../../shared/endpoints';
import { tryCall } from '../../bridge/bridge';
import { endpointStateLabel, endpointTitle } from '../../lib/format';
import { selectEndpoint } from '../../store/endpoints-slice';
import { useStore } from '../../store/store';
import { ConnectionWorkspace } from './connection-workspace';
import { ListenerWorkspace } from './listener-workspace';
import { UdpWorkspace } from './udp-workspace';

export function Workspace({ id }: { id: string }) {
  const endpoint = useStore(selectEndpoint(id));
  const focusId = useStore((s) => s.focusEndpointId);
  const focusEndpoint = useStore((s) => s.focusEndpoint);
  const ref = useRef<HTMLElement>(null);
  const titleId = useId();
  const [collapsed, setCollapsed] = useState(false);

  useEffect(() => {
    if (focusId === id && ref.current) {
      ref.current.scrollIntoView({ block: 'start', behavior: 'smooth' });
      setCollapsed(false);
      focusEndpoint(null);
    }
  }, [focusId, id, focusEndpoint]);

  if (!endpoint) return null;
  const title = endpointTitle(endpoint);
  return (
    <section ref={ref} className={`workspace kind-${endpoint.kind}`} role="region" aria-labelledby={titleId}>
      <header className="workspace-header">
        <h2 id={titleId}>{title}</h2>
        <span className={`state-badge state-${endpoint.state}`}>{endpointStateLabel(endpoint)}</span>
        {endpoint.portNote && <span className="muted port-note">{endpoint.portNote}</span>}
        <div className="spacer" />
        <EndpointActions endpoint={endpoint} />
        <button type="button" className="link" aria-expanded={!collapsed} onClick={() => setCollapsed(!collapsed)}>
          {collapsed ? 'Expand' : 'Collapse'}
        </button>
      </header>
      {!collapsed && <WorkspaceBody endpoint={endpoint} />}
    </section>
  );
}

function WorkspaceBody({ endpoint }: { endpoint: EndpointSnapshot }): ReactNode {
  switch (endpoint.kind) {
    case 'tcp-listener':
      return <ListenerWorkspace endpoint={endpoint} />;
    case 'tcp-connection':
      return <ConnectionWorkspace endpoint={endpoint} />;
    case 'udp':
      return <UdpWorkspace endpoint={endpoint} />;
  }
}

function EndpointActions({ endpoint }: { endpoint: EndpointSnapshot }) {
  const open = endpoint.state !== 'closed';
  return (
    <div className="actions">
      {open && (
        <button type="button" onClick={() => void tryCall('endpoint:close', { endpointId: endpoint.id })}>
          Close
        </button>
      )}
      <button type="button" onClick={() => void tryCall('endpoint:remove', { endpointId: endpoint.id })}>
        Remove
      </button>
    </div>
  );
}
