import { useId, type ReactNode } from 'react';
import type { EndpointSnapshot } from '../../../../shared/endpoints';
import { endpointStateLabel, endpointTitle } from '../../lib/format';
import { selectEngineLive } from '../../store/connection-slice';
import { selectShownEndpoint } from '../../store/display-slice';
import { useStore } from '../../store/store';
import { ConnectionWorkspace } from './connection-workspace';
import { ListenerHeaderControls, ListenerWorkspace } from './listener-workspace';
import { UdpWorkspace } from './udp-workspace';
import { RecoveryActions } from '../session/recovery-actions';

/**
 * The selected endpoint's workspace, filling the main pane: a compact header (title, state, the
 * endpoint's controls), then the conversation with the side panel beside it.
 */
export function Workspace({ id }: { id: string }) {
  const endpoint = useStore(selectShownEndpoint(id));
  const live = useStore(selectEngineLive);
  const panelOpen = useStore((s) => s.sidePanelOpen);
  const setPanelOpen = useStore((s) => s.setSidePanelOpen);
  const titleId = useId();

  if (!endpoint) return null;
  return (
    <section className={`workspace kind-${endpoint.kind}`} role="region" aria-labelledby={titleId}>
      <header className="workspace-header">
        <h2 id={titleId}>{endpointTitle(endpoint)}</h2>
        <span className={`state-badge state-${live ? endpoint.state : 'unknown'}`}>{endpointStateLabel(endpoint, live)}</span>
        {endpoint.portNote && <span className="muted port-note">{endpoint.portNote}</span>}
        <HeaderControls endpoint={endpoint} />
        <RecoveryActions endpoint={endpoint} />
        <div className="spacer" />
        <EndpointActions endpoint={endpoint} />
        <button
          type="button"
          className="panel-toggle"
          aria-pressed={panelOpen}
          title={panelOpen ? 'Hide the side panel (socket calls, charts, behaviour, recording)' : 'Show the side panel'}
          onClick={() => setPanelOpen(!panelOpen)}
        >
          Panel
        </button>
      </header>
      <WorkspaceBody endpoint={endpoint} />
    </section>
  );
}

function HeaderControls({ endpoint }: { endpoint: EndpointSnapshot }): ReactNode {
  switch (endpoint.kind) {
    case 'tcp-listener':
      return <ListenerHeaderControls endpoint={endpoint} />;
    // A closed connection's Reconnect is in RecoveryActions (with a failed listener's Retry).
    case 'tcp-connection':
    case 'udp':
      return null;
  }
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
  const closeEndpoint = useStore((s) => s.closeEndpoint);
  const removeEndpoint = useStore((s) => s.removeEndpoint);
  const open = endpoint.state !== 'closed';
  return (
    <div className="actions">
      {open && (
        <button type="button" onClick={() => void closeEndpoint(endpoint.id)}>
          Close
        </button>
      )}
      <button type="button" onClick={() => void removeEndpoint(endpoint.id)}>
        Remove
      </button>
    </div>
  );
}
