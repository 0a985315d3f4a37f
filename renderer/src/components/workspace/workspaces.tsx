import { useStore } from '../../store/store';
import { Workspace } from './workspace';

/**
 * The main pane shows one workspace: the endpoint selected in the sidebar (a newly created one is
 * selected). Only that one is rendered, so endpoints out of sight cost nothing.
 */
export function Workspaces() {
  const shown = useStore((s) => s.selectedEndpointId ?? s.endpointOrder[0] ?? null);
  const arrived = useStore((s) => (shown ? s.endpoints[shown] !== undefined : false));
  if (shown === null) {
    return (
      <div className="empty-state">
        <h2>No endpoints yet</h2>
        <p>
          Open a <strong>listener</strong> (socket → bind → listen → accept), a <strong>connection</strong> (socket → connect →
          send/recv), or a <strong>UDP endpoint</strong> (bind → sendto/recvfrom), and watch every call and byte.
        </p>
      </div>
    );
  }
  // Selected as it is created: its first snapshot is on its way.
  if (!arrived) return <p className="muted placeholder">Opening…</p>;
  return <Workspace key={shown} id={shown} />;
}
