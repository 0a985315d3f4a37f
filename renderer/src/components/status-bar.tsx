import { useStore } from '../store/store';
import { SessionControls } from './session/session-controls';

const STATUS_TEXT = { connecting: 'Engine connecting…', connected: 'Engine connected', disconnected: 'Engine disconnected' } as const;

export function StatusBar() {
  const status = useStore((s) => s.engineStatus);
  const message = useStore((s) => s.engineMessage);
  const info = useStore((s) => s.appInfo);
  const lastError = useStore((s) => s.lastError);
  const reportError = useStore((s) => s.reportError);
  return (
    <footer className="status-bar" aria-label="Status">
      <span role="status" className={`engine-status ${status}`}>
        {STATUS_TEXT[status]}
        {message ? ` — ${message}` : ''}
      </span>
      {info && (
        <>
          <span title="This machine">Host: {info.hostname}</span>
          <span>
            {info.mode === 'electron' ? `Electron ${info.versions.electron ?? ''}` : 'Browser mode'} · Node {info.versions.node} ·{' '}
            {info.platform}/{info.arch}
          </span>
          {!info.isRoot && info.platform !== 'win32' && <span title="Ports below 1024 need root">unprivileged</span>}
        </>
      )}
      {lastError && (
        <span className="last-error">
          {lastError}{' '}
          <button type="button" className="link" onClick={() => reportError(null)} aria-label="Dismiss error">
            ×
          </button>
        </span>
      )}
      <SessionControls />
    </footer>
  );
}
