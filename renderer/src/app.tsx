import { CreationDialog } from './components/forms/creation-panel';
import { EndpointList } from './components/endpoint-list';
import { EngineAlert } from './components/engine-alert';
import { SessionNotice } from './components/session/session-notice';
import { StatusBar } from './components/status-bar';
import { SystemSocketsView } from './components/system-sockets/system-sockets-view';
import { TopBar } from './components/top-bar';
import { Workspaces } from './components/workspace/workspaces';
import { useStore } from './store/store';

export function App() {
  const view = useStore((s) => s.view);
  const formOpen = useStore((s) => s.form !== null);
  return (
    <>
      {/* While the creation dialog is open, the app behind it is out of reach (and of the a11y tree). */}
      <div className="app" aria-hidden={formOpen || undefined} inert={formOpen || undefined}>
        <TopBar />
        <div className="body">
          <EndpointList />
          <main className="main" id="main">
            <EngineAlert />
            <SessionNotice />
            {view === 'endpoints' ? (
              <div role="tabpanel" aria-label="Endpoints" className="endpoints-view">
                <Workspaces />
              </div>
            ) : (
              <div role="tabpanel" aria-label="System sockets" className="system-view">
                <SystemSocketsView />
              </div>
            )}
          </main>
        </div>
        <StatusBar />
      </div>
      <CreationDialog />
    </>
  );
}
