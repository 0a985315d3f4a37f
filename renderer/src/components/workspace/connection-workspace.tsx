import type { ConnectionSnapshot } from '../../../../shared/endpoints';
import { tryCall } from '../../bridge/bridge';
import { formatTime } from '../../lib/format';
import { selectConversation } from '../../store/endpoints-slice';
import { useStore } from '../../store/store';
import { ThroughputPanel } from '../charts/throughput-panel';
import { ConversationView } from './conversation-view';
import { ErrorAlert } from './error-alert';
import { Timeline } from './timeline';

export function ConnectionWorkspace({ endpoint }: { endpoint: ConnectionSnapshot }) {
  const conversation = useStore(selectConversation(endpoint.conversationId));
  const error = endpoint.error ?? conversation?.error ?? null;
  return (
    <div className="workspace-body">
      <ErrorAlert error={error} />
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
      <div className="toolbar">
        {endpoint.state === 'closed' && (
          <button type="button" onClick={() => void tryCall('tcp:reconnect', { endpointId: endpoint.id })}>
            Reconnect
          </button>
        )}
      </div>
      {conversation && <ThroughputPanel key={conversation.id} seriesId={conversation.id} />}
      {conversation && <ConversationView conversation={conversation} showState={false} showError={false} />}
      <Timeline entries={endpoint.timeline} />
    </div>
  );
}
