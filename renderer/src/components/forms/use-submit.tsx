import { useState } from 'react';
import { BridgeFailure } from '../../bridge/bridge';
import { unknownServiceError } from '../../lib/validate-fields';
import { useStore } from '../../store/store';

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

/**
 * Every creation form's last step: a service-name port is checked at the Port field first, then
 * the create command runs, its workspace is brought into view, and the form closes.
 */
export function useCreateEndpoint(onDone: () => void) {
  const { busy, formError, run } = useSubmit();
  const focusEndpoint = useStore((s) => s.focusEndpoint);
  const create = (
    port: { value: number | string | undefined; proto: 'tcp' | 'udp'; onError(message: string): void },
    command: () => Promise<{ endpointId: string }>,
  ) =>
    run(async () => {
      const unknown = port.value === undefined ? null : await unknownServiceError(port.value, port.proto);
      if (unknown) {
        port.onError(unknown);
        return;
      }
      const { endpointId } = await command();
      focusEndpoint(endpointId);
      onDone();
    });
  return { busy, formError, create };
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
