import { useState } from 'react';
import { bytesToBase64 } from '../../../../shared/bytes';
import type { ListenerSnapshot } from '../../../../shared/endpoints';
import { selectShownConversation } from '../../store/display-slice';
import { useStore } from '../../store/store';
import { ThroughputPanel } from '../charts/throughput-panel';
import { Checkbox, TextField } from '../forms/fields';
import { ExecStatus, ExecSummary } from '../exec/exec-status';
import { RulesEditor } from '../rules/rules-editor';
import { SavedMessagesPanel } from '../saved-messages/saved-messages-panel';
import { GeneratorPanel } from '../scripts/generator-panel';
import { ScriptPanel } from '../scripts/script-panel';
import { ListenerTlsLine } from '../tls/tls-session';
import { BehaviourEditor } from './behaviour-editor';
import { ClientsTable } from './clients-table';
import { Composer } from './composer';
import { ConversationView } from './conversation-view';
import { ErrorAlert } from './error-alert';
import { RecordingControls } from './recording-controls';
import type { PanelTab } from './side-panel';
import { StatsLine } from './stats-line';
import { Timeline } from './timeline';
import { WorkspaceLayout } from './workspace-layout';

/** In the workspace header: accept counts and the listening socket's controls. */
export function ListenerHeaderControls({ endpoint }: { endpoint: ListenerSnapshot }) {
  const [maxClients, setMaxClients] = useState(endpoint.maxClients === null ? '' : String(endpoint.maxClients));
  const configureListener = useStore((s) => s.configureListener);
  const stopAccepting = useStore((s) => s.stopAccepting);
  const closeAllClients = useStore((s) => s.closeAllClients);
  const listening = endpoint.state === 'listening';
  const commitMax = () => {
    const n = maxClients.trim() === '' ? null : Number(maxClients);
    if (n === null || (Number.isInteger(n) && n >= 1)) void configureListener(endpoint.id, { maxClients: n });
  };
  return (
    <div className="header-controls">
      <span className="muted accepted">
        {endpoint.acceptedTotal} accepted{endpoint.refused > 0 ? ` · ${endpoint.refused} refused (max clients)` : ''}
      </span>
      <button type="button" disabled={!listening} onClick={() => void stopAccepting(endpoint.id)} title="Close the listening socket; keep the clients">
        Stop accepting
      </button>
      <button type="button" disabled={endpoint.clientIds.length === 0} onClick={() => void closeAllClients(endpoint.id)}>
        Close all clients
      </button>
      <TextField
        label="Max clients"
        value={maxClients}
        onChange={setMaxClients}
        className="inline narrow"
        placeholder="no limit"
        onBlur={commitMax}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commitMax();
        }}
      />
    </div>
  );
}

/**
 * A listener: its clients (a compact table; a row's conversation below it, as in the sidebar
 * tree), the selected client's traffic and composer — or one composer for all clients.
 */
export function ListenerWorkspace({ endpoint }: { endpoint: ListenerSnapshot }) {
  const selectedId = useStore((s) => s.selectedClient[endpoint.id]);
  const selected = useStore(selectShownConversation(selectedId));
  const [broadcast, setBroadcast] = useState(false);
  const sendToAll = useStore((s) => s.broadcast);
  const sendToConversation = useStore((s) => s.sendToConversation);
  const configureListener = useStore((s) => s.configureListener);
  const liveClients = endpoint.clientIds.length;
  const canSend = selected ? selected.state === 'established' || selected.state === 'peer-closed' : false;
  const sendKey = broadcast ? `${endpoint.id}:all` : (selected?.id ?? `${endpoint.id}:none`);

  const composer = (
    <Composer
      conversationKey={sendKey}
      sendLabel={broadcast ? 'Send to all' : 'Send'}
      disabled={broadcast ? liveClients === 0 : !canSend}
      onSend={async (bytes) => {
        const data = bytesToBase64(bytes);
        if (broadcast) await sendToAll(endpoint.id, data);
        else if (selected) await sendToConversation(selected.id, data);
      }}
    />
  );
  const toAll = <Checkbox label="Send to all clients" checked={broadcast} onChange={setBroadcast} />;

  const tabs: PanelTab[] = [
    { id: 'calls', label: 'Socket calls', render: () => <Timeline entries={endpoint.timeline} /> },
    {
      id: 'charts',
      label: 'Charts',
      render: () => (
        <>
          <StatsLine stats={endpoint.stats} />
          <ThroughputPanel seriesId={endpoint.id} connections />
          {selected && <ThroughputPanel key={selected.id} seriesId={selected.id} title="Selected client" />}
        </>
      ),
    },
    {
      id: 'behaviour',
      label: 'Behaviour',
      render: () => (
        <BehaviourEditor
          behaviour={endpoint.behaviour}
          allowBanner
          onApply={(behaviour) => void configureListener(endpoint.id, { behaviour })}
        />
      ),
    },
    {
      id: 'recording',
      label: 'Recording',
      render: () =>
        selected ? (
          <RecordingControls conversationId={selected.id} recording={selected.recording} canRecord={selected.state !== 'closed'} pcapng={selected.local?.kind === 'inet'} />
        ) : (
          <p className="muted">Select a client to record its conversation.</p>
        ),
    },
    { id: 'saved', label: 'Saved', render: () => <SavedMessagesPanel conversation={sendKey} /> },
    {
      id: 'script',
      label: 'Script',
      render: () =>
        selected ? <ScriptPanel conversationId={selected.id} canRun={selected.state !== 'closed'} /> : <p className="muted">Select a client to run a script over its conversation.</p>,
    },
    {
      id: 'generator',
      label: 'Generator',
      render: () => <GeneratorPanel target={{ listenerId: endpoint.id }} targetKey={`l:${endpoint.id}`} canRun={endpoint.state !== 'closed'} />,
    },
  ];

  return (
    <WorkspaceLayout endpointId={endpoint.id} tabs={tabs}>
      <ErrorAlert error={endpoint.error} />
      {endpoint.tls && <ListenerTlsLine tls={endpoint.tls} />}
      <ClientsTable listenerId={endpoint.id} clientIds={endpoint.clientIds} showLocal={isWildcardListener(endpoint)} />
      {endpoint.exec ? (
        <ExecSummary exec={endpoint.exec} processes={endpoint.execProcesses} />
      ) : (
        <RulesEditor endpointId={endpoint.id} kind="tcp-listener" rules={endpoint.rules} hits={endpoint.ruleHits} />
      )}
      {selected?.exec && <ExecStatus exec={selected.exec} />}
      {selected ? (
        <ConversationView conversation={selected} composer={composer} headExtra={toAll} />
      ) : (
        <div className="conversation">
          <p className="muted placeholder">{liveClients === 0 ? connectHint(endpoint) : 'Select a client to see its conversation.'}</p>
          <div className="spacer" />
          {toAll}
          {composer}
        </div>
      )}
    </WorkspaceLayout>
  );
}

/** What to type to try the listener: `nc 127.0.0.1 43521` (or `nc -U path`). */
function connectHint(endpoint: ListenerSnapshot): string {
  const l = endpoint.local;
  if (!l) return 'Once it listens, its clients show here.';
  const cmd = l.kind === 'unix' ? `nc -U ${l.path}` : `nc ${l.host} ${l.port}`;
  return `Connect a client (for example ${cmd}) and its conversation shows here.`;
}

/** Bound to every address (`0.0.0.0`, `::`): its clients' local addresses tell the interfaces apart. */
function isWildcardListener(endpoint: ListenerSnapshot): boolean {
  const l = endpoint.local;
  return l?.kind === 'inet' && (l.host === '0.0.0.0' || l.host === '::');
}
