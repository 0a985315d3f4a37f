import { useState } from 'react';
import type { ErrorInfo } from '../../../../shared/errors';
import { useStore } from '../../store/store';

/** A failure, in the workspace: the OS code and what it means in plain words. */
export function ErrorAlert({ error, children }: { error: ErrorInfo | null; children?: React.ReactNode }) {
  if (!error) return null;
  return (
    <div role="alert" className="alert">
      <strong className="code">{error.code}</strong>
      {error.syscall && <span className="muted"> ({error.syscall})</span>}
      <span> — {error.message}</span>
      {error.detail && <span className="muted"> [{error.detail}]</span>}
      {error.code === 'ESTALE_SOCKET' && error.detail && <RemoveStaleSocket path={error.detail} />}
      {children}
    </div>
  );
}

/** A socket file left behind by a server that exited: offer to remove it (the engine re-checks). */
function RemoveStaleSocket({ path }: { path: string }) {
  const [done, setDone] = useState(false);
  const removeStaleSocket = useStore((s) => s.removeStaleSocket);
  if (done) return <span className="muted"> Removed — try again.</span>;
  return (
    <button
      type="button"
      className="inline-action"
      onClick={() => void removeStaleSocket(path).then(setDone)}
    >
      Remove stale socket file
    </button>
  );
}
