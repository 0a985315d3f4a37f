import { useState } from 'react';
import { unknownServiceMessage } from '../../lib/validate-fields';
import type { OpenResult } from '../../store/endpoints-slice';
import { useStore } from '../../store/store';

/** Runs a create command; `action` answers the engine's own refusal (e.g. VALIDATION) to show in the form, or null. */
export function useSubmit() {
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const run = async (action: () => Promise<string | null>) => {
    setBusy(true);
    setFormError(null);
    try {
      setFormError(await action());
    } catch (err) {
      setFormError(String(err));
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
  const isUnknownService = useStore((s) => s.isUnknownService);
  const create = (
    port: { value: number | string | undefined; proto: 'tcp' | 'udp'; onError(message: string): void },
    command: () => Promise<OpenResult>,
  ) =>
    run(async () => {
      // A service name is checked against the services database first, so an unknown one is said at the field.
      if (typeof port.value === 'string' && (await isUnknownService(port.value, port.proto))) {
        port.onError(unknownServiceMessage(port.value, port.proto));
        return null;
      }
      const opened = await command();
      if (!opened.ok) return opened.message;
      focusEndpoint(opened.endpointId);
      onDone();
      return null;
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
