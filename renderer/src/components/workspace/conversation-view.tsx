import type { ConversationSnapshot } from '../../../../shared/endpoints';
import { formatSockAddr } from '../../../../shared/primitives';
import { tryCall } from '../../bridge/bridge';
import { conversationStateLabel, formatTime } from '../../lib/format';
import { bytesToBase64 } from '../../../../shared/bytes';
import { Composer } from './composer';
import { RecordingControls } from './recording-controls';
import { ErrorAlert } from './error-alert';
import { StatsLine } from './stats-line';
import { TrafficLog } from './traffic-log';

const CLOSED_BY: Record<string, string> = {
  local: 'we closed first (our FIN)',
  peer: 'the peer closed first (its FIN)',
  'local-reset': 'we aborted (RST)',
  'peer-reset': 'the peer aborted (RST)',
  error: 'ended by an error',
};

/** One TCP byte stream: state, counters, controls, the Traffic log and the Message box. */
export function ConversationView({
  conversation,
  showState = true,
  showError = true,
}: {
  conversation: ConversationSnapshot;
  showState?: boolean;
  showError?: boolean;
}) {
  const c = conversation;
  const canSend = c.state === 'established' || c.state === 'peer-closed';
  const canShutdown = c.state === 'established' || c.state === 'peer-closed';
  const open = c.state !== 'closed';
  return (
    <div className="conversation">
      <div className="conversation-head">
        {showState && <span className={`state-badge state-${c.state}`}>{conversationStateLabel(c.state)}</span>}
        <span className="muted">
          {c.local && `local ${formatSockAddr(c.local)}`}
          {c.remote && ` · peer ${formatSockAddr(c.remote)}`}
          {c.connectedAt !== null && ` · connected ${formatTime(c.connectedAt)}`}
          {c.closedAt !== null && ` · closed ${formatTime(c.closedAt)}`}
          {c.firstToClose && ` · ${CLOSED_BY[c.firstToClose] ?? c.firstToClose}`}
        </span>
        <div className="spacer" />
        <button type="button" disabled={!canShutdown} onClick={() => void tryCall('conversation:shutdown', { conversationId: c.id })} title="shutdown(SHUT_WR): send FIN, keep receiving">
          Close gracefully
        </button>
        <button type="button" disabled={!open} onClick={() => void tryCall('conversation:reset', { conversationId: c.id })} title="Abort with RST">
          Abort (RST)
        </button>
      </div>
      {showError && <ErrorAlert error={c.error} />}
      <StatsLine stats={c.stats} />
      <RecordingControls conversationId={c.id} recording={c.recording} canRecord={open} pcapng={c.local?.kind === 'inet'} />
      <TrafficLog conversationId={c.id} notKept={c.notKept} />
      <Composer
        disabled={!canSend}
        onSend={async (bytes) => {
          await tryCall('conversation:send', { conversationId: c.id, data: bytesToBase64(bytes) });
        }}
      />
    </div>
  );
}
