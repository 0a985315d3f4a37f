import { useState } from 'react';
import { bytesToBase64 } from '../../../../shared/bytes';
import type { ListenerSnapshot } from '../../../../shared/endpoints';
import { tryCall } from '../../bridge/bridge';
import { selectConversation } from '../../store/endpoints-slice';
import { useStore } from '../../store/store';
import { Checkbox, TextField } from '../forms/fields';
import { BehaviourEditor } from './behaviour-editor';
import { ClientsTable } from './clients-table';
import { Composer } from './composer';
import { ConversationView } from './conversation-view';
import { ErrorAlert } from './error-alert';
import { ThroughputPanel } from '../charts/throughput-panel';
import { StatsLine } from './stats-line';
import { Timeline } from './timeline';

export function ListenerWorkspace({ endpoint }: { endpoint: ListenerSnapshot }) {
  const selectedId = useStore((s) => s.selectedClient[endpoint.id]);
  const selected = useStore(selectConversation(selectedId));
  const [broadcast, setBroadcast] = useState(false);
  const [maxClients, setMaxClients] = useState(endpoint.maxClients === null ? '' : String(endpoint.maxClients));
  const listening = endpoint.state === 'listening';
  const liveClients = endpoint.clientIds.length;

  return (
    <div className="workspace-body">
      <ErrorAlert error={endpoint.error} />
      <div className="toolbar">
        <button type="button" disabled={!listening} onClick={() => void tryCall('listener:stop-accepting', { endpointId: endpoint.id })} title="Close the listening socket; keep the clients">
          Stop accepting
        </button>
        <button type="button" disabled={liveClients === 0} onClick={() => void tryCall('listener:close-clients', { endpointId: endpoint.id })}>
          Close all clients
        </button>
        <TextField
          label="Max clients"
          value={maxClients}
          onChange={setMaxClients}
          className="narrow"
          placeholder="no limit"
          onBlur={() => {
            const n = maxClients.trim() === '' ? null : Number(maxClients);
            if (n === null || (Number.isInteger(n) && n >= 1)) void tryCall('listener:configure', { endpointId: endpoint.id, maxClients: n });
          }}
        />
        <span className="muted">
          {endpoint.acceptedTotal} accepted{endpoint.refused > 0 ? ` · ${endpoint.refused} refused (max clients)` : ''}
        </span>
      </div>
      <BehaviourEditor
          key={endpoint.behaviour.mode}
        behaviour={endpoint.behaviour}
        allowBanner
        onApply={(behaviour) => void tryCall('listener:configure', { endpointId: endpoint.id, behaviour })}
      />
      <StatsLine stats={endpoint.stats} />
      <ThroughputPanel seriesId={endpoint.id} connections />
      <ClientsTable listenerId={endpoint.id} clientIds={endpoint.clientIds} />
      <Checkbox label="Send to all clients" checked={broadcast} onChange={setBroadcast} />
      {broadcast ? (
        <Composer
          sendLabel="Send to all"
          disabled={liveClients === 0}
          onSend={async (bytes) => {
            await tryCall('listener:broadcast', { endpointId: endpoint.id, data: bytesToBase64(bytes) });
          }}
        />
      ) : selected ? (
        <ConversationView conversation={selected} />
      ) : (
        <p className="muted">Select a client to see its conversation.</p>
      )}
      <Timeline entries={endpoint.timeline} />
    </div>
  );
}
