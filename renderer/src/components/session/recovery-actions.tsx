import { useState } from 'react';
import type { EndpointSnapshot } from '../../../../shared/endpoints';
import { selectEngineLive } from '../../store/connection-slice';
import { useStore } from '../../store/store';

/**
 * In the workspace header: `Retry` for a listener or UDP endpoint that failed to open (a port taken
 * after a restart…), with the same settings; `Reconnect` for a closed connection (restored ones
 * come back closed). Nothing while the engine is unreachable: what is shown may be stale.
 */
export function RecoveryActions({ endpoint }: { endpoint: EndpointSnapshot }) {
  const live = useStore(selectEngineLive);
  const [busy, setBusy] = useState(false);
  const retryEndpoint = useStore((s) => s.retryEndpoint);
  const reconnectConnection = useStore((s) => s.reconnectConnection);
  if (!live) return null;
  const run = (action: (endpointId: string) => Promise<void>) => {
    setBusy(true);
    void action(endpoint.id).finally(() => setBusy(false));
  };
  if (endpoint.kind === 'tcp-connection') {
    if (endpoint.state !== 'closed') return null;
    return (
      <button type="button" className="recovery-action" disabled={busy} onClick={() => run(reconnectConnection)}>
        Reconnect
      </button>
    );
  }
  if (!canRetry(endpoint)) return null;
  return (
    <button type="button" className="recovery-action" disabled={busy} onClick={() => run(retryEndpoint)} title="Open it again with the same settings">
      Retry
    </button>
  );
}

/** What the engine accepts for endpoint:retry: closed without ever opening, with its failure shown. */
export function canRetry(e: EndpointSnapshot): boolean {
  return e.kind !== 'tcp-connection' && e.state === 'closed' && e.local === null && e.error !== null && e.error.code !== 'INTERNAL';
}
