/**
 * STARTTLS on an established plain connection: after the protocol's own upgrade command (SMTP's
 * `STARTTLS`, IMAP's `a STARTTLS`, FTP's `AUTH TLS`…) has been answered, the same connection goes on
 * in TLS. Verification is on unless the person turns it off here, knowingly.
 */
import { useState } from 'react';
import { useStore } from '../../store/store';
import { Checkbox } from '../forms/fields';

export function StartTlsControl({ endpointId }: { endpointId: string }) {
  const startTls = useStore((s) => s.startTls);
  const [open, setOpen] = useState(false);
  const [verify, setVerify] = useState(true);
  const [busy, setBusy] = useState(false);
  if (!open) {
    return (
      <button type="button" onClick={() => setOpen(true)} title="STARTTLS: continue this connection in TLS (send the protocol's upgrade command first)">
        Upgrade to TLS
      </button>
    );
  }
  return (
    <span className="start-tls">
      <Checkbox label="Verify certificate" checked={verify} onChange={setVerify} />
      <button
        type="button"
        disabled={busy}
        onClick={() => {
          setBusy(true);
          void startTls(endpointId, { verify }).finally(() => {
            setBusy(false);
            setOpen(false);
          });
        }}
      >
        Start TLS
      </button>
      <button type="button" className="inline-action" onClick={() => setOpen(false)}>
        Cancel
      </button>
    </span>
  );
}
