import { useStore } from '../store/store';

/**
 * Said in the main pane while the engine is unreachable: what happened, what the states shown
 * mean now, and what happens next. (The workspaces say `Unknown (engine disconnected)` meanwhile;
 * once the engine answers again, its fresh snapshot replaces everything shown.)
 */
export function EngineAlert() {
  const status = useStore((s) => s.engineStatus);
  const message = useStore((s) => s.engineMessage);
  const mode = useStore((s) => s.appInfo?.mode);
  const hasEndpoints = useStore((s) => s.endpointOrder.length > 0);
  if (status !== 'disconnected') return null;
  return (
    <div role="alert" className="alert engine-alert">
      <p>
        <strong>Engine disconnected.</strong> {message}
      </p>
      {hasEndpoints && (
        <p>
          The states shown are unknown until it answers again: sockets may still be open in the engine, or gone. Then its current
          state replaces what is shown here.
        </p>
      )}
      {mode === 'browser' && (
        <p className="muted">If the browser-mode host was restarted, open the new URL it printed: this page’s access token was for the old one.</p>
      )}
    </div>
  );
}
