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
