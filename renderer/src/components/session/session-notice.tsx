import { useStore } from '../../store/store';

/**
 * One line in the main pane when the session store has something to say: the session file found
 * at start could not be used (it was kept aside as a backup, and the app started empty), or the
 * session could not be saved. Shown until dismissed (in every window: the engine keeps it).
 */
export function SessionNotice() {
  const notice = useStore((s) => s.sessionStatus?.notice ?? null);
  const dismiss = useStore((s) => s.dismissSessionNotice);
  if (!notice) return null;
  return (
    <div role="alert" className={`session-notice session-notice-${notice.kind}`}>
      <span className="session-notice-text">{notice.message}</span>
      <button type="button" className="link" onClick={() => void dismiss().catch(() => {})}>
        Dismiss
      </button>
    </div>
  );
}
