import { useEffect, useRef } from 'react';
import { focusFirstField } from '../../lib/focus-first-field';
import { useStore } from '../../store/store';
import { ConnectionForm } from './connection-form';
import { ListenerForm } from './listener-form';
import { UdpForm } from './udp-form';

const TITLES = { listener: 'New listener', connection: 'New connection', udp: 'New UDP endpoint' } as const;

/**
 * The one creation form on screen, as a modal dialog: while it is open the rest of the app is
 * inert, so the form's names (Port, Host, Listen, Connect) are the only ones in reach.
 */
export function CreationDialog() {
  const form = useStore((s) => s.form);
  const openForm = useStore((s) => s.openForm);
  const ref = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (form && !d.open) {
      d.showModal();
      focusFirstField(d);
    }
    if (!form && d.open) d.close();
  }, [form]);

  const close = () => openForm(null);
  return (
    <dialog ref={ref} aria-label={form ? TITLES[form] : undefined} className="creation-panel" onClose={close} onCancel={close}>
      {form && (
        <>
          <header>
            <h2>{TITLES[form]}</h2>
            <button type="button" className="link" onClick={close}>
              Cancel
            </button>
          </header>
          {form === 'listener' && <ListenerForm onDone={close} />}
          {form === 'connection' && <ConnectionForm onDone={close} />}
          {form === 'udp' && <UdpForm onDone={close} />}
        </>
      )}
    </dialog>
  );
}
