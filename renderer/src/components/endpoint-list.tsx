import { endpointStateLabel, endpointTitle } from '../lib/format';
import { useStore } from '../store/store';
import { AppThroughput } from './charts/throughput-panel';

/** The sidebar: every endpoint, its state; a click brings its workspace into view. */
export function EndpointList() {
  const order = useStore((s) => s.endpointOrder);
  const endpoints = useStore((s) => s.endpoints);
  const focusEndpoint = useStore((s) => s.focusEndpoint);
  return (
    <nav className="sidebar" aria-label="Open endpoints">
      <h2>Endpoints</h2>
      {order.length === 0 && <p className="muted">None yet. Open a listener, a connection or a UDP endpoint.</p>}
      <ul>
        {order.map((id) => {
          const e = endpoints[id];
          if (!e) return null;
          return (
            <li key={id}>
              <button type="button" className={`endpoint-link kind-${e.kind}`} onClick={() => focusEndpoint(id)}>
                <span className="title">{endpointTitle(e)}</span>
                <span className={`state state-${e.state}`}>{endpointStateLabel(e)}</span>
              </button>
            </li>
          );
        })}
      </ul>
      <AppThroughput />
    </nav>
  );
}
