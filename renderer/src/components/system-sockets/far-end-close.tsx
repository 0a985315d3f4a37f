import { useEffect, useRef, useState, type ReactNode } from 'react';
import { createPortal } from 'react-dom';
import type { SystemSocketsRowView } from '../../../../shared/system-sockets';
import { useStore } from '../../store/store';
import { formatProcesses } from './socket-rows';
import { ourConversationAtFarEnd, ownSocketName } from './own-sockets';

/**
 * Close on a row that is not Sockscope's but whose far end is one of its connections: what it can
 * close is our end, which is not the socket the row shows, so it asks first and says what closes.
 */
export function FarEndClose({ row }: { row: SystemSocketsRowView }) {
  const conversationId = useStore((s) => ourConversationAtFarEnd(row, s.conversations));
  const ours = useStore((s) => {
    const c = conversationId ? s.conversations[conversationId] : undefined;
    return c ? ownSocketName({ endpointId: c.endpointId, conversationId: c.id }, s) : null;
  });
  const [asking, setAsking] = useState(false);
  if (!conversationId || !ours) return null;
  return (
    <>
      <button type="button" aria-label="Close" className="danger" title={`Not Sockscope's socket: close Sockscope's end (${ours})…`} onClick={() => setAsking(true)}>
        Close…
      </button>
      {asking && (
        <ConfirmDialog
          title="Close Sockscope's end of this connection?"
          confirmLabel="Close Sockscope's end"
          onCancel={() => setAsking(false)}
          onConfirm={() => {
            setAsking(false);
            // The table shows the change at its next refresh (the far end's row goes to FIN_WAIT, then away).
            void useStore.getState().shutdownConversation(conversationId);
          }}
        >
          <p>
            This row is {formatProcesses(row) || 'another process'}’s socket, not Sockscope’s: Sockscope cannot close it. Its peer is Sockscope’s{' '}
            <strong>{ours}</strong>.
          </p>
          <p>Closing sends FIN from Sockscope’s side (as Close gracefully does there); the other program sees the connection end.</p>
        </ConfirmDialog>
      )}
    </>
  );
}

function ConfirmDialog({
  title,
  confirmLabel,
  children,
  onConfirm,
  onCancel,
}: {
  title: string;
  confirmLabel: string;
  children: ReactNode;
  onConfirm(): void;
  onCancel(): void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    // Cancel is the first field: Enter alone never closes someone's connection.
    d?.querySelector<HTMLButtonElement>('button[data-cancel]')?.focus();
  }, []);
  // In the body, not in the table cell that opened it: the cell's one-line monospace would clip it.
  return createPortal(
    <dialog ref={ref} className="confirm-dialog" aria-label={title} onCancel={onCancel} onClose={onCancel}>
      <h2>{title}</h2>
      {children}
      <div className="row">
        <button type="button" data-cancel onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className="danger" onClick={onConfirm}>
          {confirmLabel}
        </button>
      </div>
    </dialog>,
    document.body,
  );
}
