import type { ConnectionSnapshot } from '../../../../shared/endpoints';
import { formatTime } from '../../lib/format';
import { selectShownConversation } from '../../store/display-slice';
import { useStore } from '../../store/store';
import { ThroughputPanel } from '../charts/throughput-panel';
import { SavedMessagesPanel } from '../saved-messages/saved-messages-panel';
import { GeneratorPanel } from '../scripts/generator-panel';
import { ScriptPanel } from '../scripts/script-panel';
import { StartTlsControl } from '../tls/start-tls';
import { TlsSession } from '../tls/tls-session';
import { ConversationView } from './conversation-view';
import { ErrorAlert } from './error-alert';
import { RecordingControls } from './recording-controls';
import type { PanelTab } from './side-panel';
import { Timeline } from './timeline';
import { WorkspaceLayout } from './workspace-layout';

export function ConnectionWorkspace({ endpoint }: { endpoint: ConnectionSnapshot }) {
  const conversation = useStore(selectShownConversation(endpoint.conversationId));
  const error = endpoint.error ?? conversation?.error ?? null;
  // Offered only after a person has seen why the certificate was refused, and only while it is on.
  const canSkipVerification = endpoint.state === 'closed' && endpoint.tlsFailure?.problem != null && endpoint.request.tls?.verify !== false;
  const tabs: PanelTab[] = [
    { id: 'calls', label: 'Socket calls', render: () => <ConnectCalls endpoint={endpoint} /> },
    { id: 'charts', label: 'Charts', render: () => (conversation ? <ThroughputPanel key={conversation.id} seriesId={conversation.id} /> : <NotYet />) },
    {
      id: 'recording',
      label: 'Recording',
      render: () =>
        conversation ? (
          <RecordingControls conversationId={conversation.id} recording={conversation.recording} canRecord={conversation.state !== 'closed'} pcapng={conversation.local?.kind === 'inet'} />
        ) : (
          <NotYet />
        ),
    },
    { id: 'saved', label: 'Saved', render: () => <SavedMessagesPanel conversation={conversation?.id ?? null} /> },
    { id: 'script', label: 'Script', render: () => (conversation ? <ScriptPanel conversationId={conversation.id} canRun={conversation.state !== 'closed'} /> : <NotYet />) },
    {
      id: 'generator',
      label: 'Generator',
      render: () =>
        conversation ? (
          <GeneratorPanel target={{ conversationId: conversation.id }} targetKey={`c:${conversation.id}`} canRun={conversation.state === 'established' || conversation.state === 'peer-closed'} />
        ) : (
          <NotYet />
        ),
    },
  ];
  return (
    <WorkspaceLayout endpointId={endpoint.id} tabs={tabs}>
      <ErrorAlert error={error}>{canSkipVerification && <ReconnectUnverified endpointId={endpoint.id} />}</ErrorAlert>
      {endpoint.tlsFailure && endpoint.state === 'closed' && <TlsSession tls={endpoint.tlsFailure} conversationId={null} role="client" />}
      {conversation ? (
        <ConversationView
          conversation={conversation}
          showState={false}
          showError={false}
          headExtra={conversation.state === 'established' && !conversation.tls && !endpoint.request.tls ? <StartTlsControl endpointId={endpoint.id} /> : undefined}
        />
      ) : (
        <p className="muted placeholder">{endpoint.state === 'closed' ? 'Not connected.' : 'Connecting…'}</p>
      )}
    </WorkspaceLayout>
  );
}

const NotYet = () => <p className="muted">Once connected.</p>;

function ReconnectUnverified({ endpointId }: { endpointId: string }) {
  const reconnect = useStore((s) => s.reconnectWithoutVerification);
  return (
    <button type="button" className="inline-action" onClick={() => void reconnect(endpointId)} title="Connect again, this time without checking the certificate: the connection is then not protected against an attacker on the path">
      Reconnect without verification
    </button>
  );
}

/** getaddrinfo's answers, each connect() attempt and its outcome, then every socket call. */
function ConnectCalls({ endpoint }: { endpoint: ConnectionSnapshot }) {
  return (
    <div className="connect-calls">
      <div className="resolution">
        {endpoint.resolved.length > 0 && (
          <p>
            <span className="muted">getaddrinfo → </span>
            {endpoint.resolved.map((r, i) => (
              <span key={i} className="chip">
                {r.address} <span className="muted">({r.family})</span>
              </span>
            ))}
          </p>
        )}
        {endpoint.attemptMode && (
          <p className="attempt-mode">
            <span className="muted">Attempts: </span>
            <strong>{endpoint.attemptMode.happyEyeballs ? `Happy Eyeballs (${endpoint.attemptMode.attemptTimeoutMs} ms attempt timeout)` : 'one at a time'}</strong>
            <span className="muted"> — {endpoint.attemptMode.note}</span>
          </p>
        )}
        {endpoint.attempts.length > 0 && (
          <ol className="attempts" aria-label="Connection attempts">
            {endpoint.attempts.map((a, i) => (
              <li key={i} className={a.result === 'ok' ? 'ok' : a.result === 'pending' ? 'pending' : 'failed'}>
                connect({a.address}:{a.port}) → <strong>{a.result}</strong>
                {a.endedAt !== null && <span className="muted"> in {a.endedAt - a.startedAt} ms</span>}
                {a.result === 'attempted' && <span className="muted"> (Node reported the attempt but not its outcome)</span>}
                <span className="muted"> at {formatTime(a.startedAt)}</span>
              </li>
            ))}
          </ol>
        )}
      </div>
      <Timeline entries={endpoint.timeline} />
    </div>
  );
}
