import { useStore } from '../../store/store';
import { Workspace } from './workspace';

/** Every open endpoint's workspace, oldest first; each is a labelled region. */
export function Workspaces() {
  const order = useStore((s) => s.endpointOrder);
  if (order.length === 0) {
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
  return (
    <div className="workspaces">
      {order.map((id) => (
        <Workspace key={id} id={id} />
      ))}
    </div>
  );
}
