import type { ErrorInfo } from '../../../../shared/errors';

/** A failure, in the workspace: the OS code and what it means in plain words. */
export function ErrorAlert({ error, children }: { error: ErrorInfo | null; children?: React.ReactNode }) {
  if (!error) return null;
  return (
    <div role="alert" className="alert">
      <strong className="code">{error.code}</strong>
      {error.syscall && <span className="muted"> ({error.syscall})</span>}
      <span> — {error.message}</span>
      {error.detail && <span className="muted"> [{error.detail}]</span>}
      {children}
    </div>
  );
}
