import { useEffect, useRef, type FormEvent, type ReactNode } from 'react';
import { focusFirstField } from '../../lib/focus-first-field';

/**
 * A modal dialog holding one form: opened on mount with the focus in its first field, named by its
 * title (the dialog's accessible name and its heading are the same words), closed by Escape.
 */
export function DialogShell({
  title,
  className,
  onClose,
  onSubmit,
  children,
}: {
  title: string;
  /** Classes beside `creation-panel`, which every such dialog is styled as. */
  className: string;
  onClose(): void;
  onSubmit(e: FormEvent): Promise<void> | void;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) {
      d.showModal();
      focusFirstField(d);
    }
  }, []);

  return (
    <dialog ref={ref} className={`creation-panel ${className}`} aria-label={title} onClose={onClose} onCancel={onClose}>
      <header>
        <h2>{title}</h2>
      </header>
      <form onSubmit={(e) => void onSubmit(e)} noValidate>
        {children}
      </form>
    </dialog>
  );
}
