import type { ReactNode } from 'react';
import { bytesToBase64 } from '../../../../shared/bytes';
import type { ConversationSnapshot } from '../../../../shared/endpoints';
import { formatSockAddr } from '../../../../shared/primitives';
import { conversationStateLabel, formatTime } from '../../lib/format';
import { selectEngineLive } from '../../store/connection-slice';
import { useStore } from '../../store/store';
import { TlsSession } from '../tls/tls-session';
import { Composer } from './composer';
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

/**
 * One TCP byte stream, as a chat or a terminal: a one-line head (state, addresses, counters, close
 * buttons), the Traffic log taking the height, the Message box docked under it. `composer`
 * replaces the Message box (a listener's "send to all clients").
 */
export function ConversationView({
  conversation,
  showState = true,
  showError = true,
  composer,
  headExtra,
}: {
  conversation: ConversationSnapshot;
  showState?: boolean;
  showError?: boolean;
  composer?: ReactNode;
  /** More controls in the head line (a listener's "Send to all clients"). */
  headExtra?: ReactNode;
}) {
  const c = conversation;
  const live = useStore(selectEngineLive);
  const shutdownConversation = useStore((s) => s.shutdownConversation);
  const resetConversation = useStore((s) => s.resetConversation);
  const sendToConversation = useStore((s) => s.sendToConversation);
  const canSend = c.state === 'established' || c.state === 'peer-closed';
  const canShutdown = c.state === 'established' || c.state === 'peer-closed';
  const open = c.state !== 'closed';
  return (
    <div className="conversation">
      <div className="conversation-head">
        {showState && <span className={`state-badge state-${live ? c.state : 'unknown'}`}>{conversationStateLabel(c.state, live)}</span>}
        <span className="muted addresses">
          {/* A listener's client: its local address is the listener's own (the header says it). */}
          {c.local && !showState && `local ${formatSockAddr(c.local)} · `}
          {c.remote && `peer ${formatSockAddr(c.remote)}`}
          {c.connectedAt !== null && ` · connected ${formatTime(c.connectedAt)}`}
          {c.closedAt !== null && ` · closed ${formatTime(c.closedAt)}`}
          {c.firstToClose && ` · ${CLOSED_BY[c.firstToClose] ?? c.firstToClose}`}
        </span>
        <div className="spacer" />
        <button type="button" disabled={!canShutdown} onClick={() => void shutdownConversation(c.id)} title="shutdown(SHUT_WR): send FIN, keep receiving">
          Close gracefully
        </button>
        <button type="button" disabled={!open} onClick={() => void resetConversation(c.id)} title="Abort with RST">
          Abort (RST)
        </button>
      </div>
      <div className="conversation-head">
        <StatsLine stats={c.stats} />
        <div className="spacer" />
        {headExtra}
      </div>
      {c.tls && <TlsSession tls={c.tls} conversationId={c.id} wire={{ in: c.tls.wireBytesIn, out: c.tls.wireBytesOut, keyLogLines: c.tls.keyLogLines }} role={c.role} />}
      {showError && <ErrorAlert error={c.error} />}
      <TrafficLog key={c.id} conversationId={c.id} notKept={c.notKept} chunkCount={c.stats.chunksIn + c.stats.chunksOut} />
      {composer ?? (
        <Composer
          conversationKey={c.id}
          disabled={!canSend}
          onSend={async (bytes) => {
            await sendToConversation(c.id, bytesToBase64(bytes));
          }}
        />
      )}
    </div>
  );
}
