import { useState } from 'react';
import { BridgeFailure } from '../../bridge/bridge';

/** Runs a create command, keeping the bridge's own refusal (e.g. VALIDATION) to show in the form. */
export function useSubmit() {
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setFormError(null);
    try {
      await action();
    } catch (err) {
      setFormError(err instanceof BridgeFailure ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return { busy, formError, run };
}

/** The refusal (if any) and the one submit button every creation form ends with. */
export function FormFooter({ error, busy, submitLabel }: { error: string | null; busy: boolean; submitLabel: string }) {
  return (
    <>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="primary" disabled={busy}>
        {submitLabel}
      </button>
    </>
  );
}
