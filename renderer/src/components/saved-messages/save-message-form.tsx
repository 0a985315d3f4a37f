import { useEffect, useRef, useState, type FormEvent } from 'react';
import { TextField } from '../forms/fields';
import { library, useSavedMessages } from './library';
import { draftErrors, messageSummary, type DraftErrors } from './message-list';
import type { ContentDraft } from './save-drafts';

/**
 * Asks for a Name (and a group) and saves what the composer holds, or a chunk from the log. Its
 * submit button is named `Save message` like the button that opened it, which it replaces while
 * open: pressing Save message (or Mod+S) twice saves, whichever way a person goes.
 */
export function SaveMessageForm({ content, onDone }: { content: ContentDraft; onDone(): void }) {
  const saved = useSavedMessages();
  const [name, setName] = useState('');
  const [group, setGroup] = useState('');
  const [errors, setErrors] = useState<DraftErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  useEffect(() => {
    formRef.current?.querySelector<HTMLInputElement>('input')?.focus();
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const draft = { ...content, name: name.trim(), group: group.trim() };
    const errs = draftErrors(draft, saved);
    setErrors(errs);
    if (Object.keys(errs).length > 0) return;
    setBusy(true);
    try {
      await library.save(draft);
      onDone();
    } catch (err) {
      setFailure(`Not saved: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      ref={formRef}
      className="save-message-form"
      aria-label="Save as a saved message"
      onSubmit={(e) => void submit(e)}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          onDone();
        }
      }}
      noValidate
    >
      <TextField label="Name" value={name} onChange={setName} error={errors.name} placeholder="e.g. HTTP GET" maxLength={200} />
      <TextField label="Group" value={group} onChange={setGroup} error={errors.group} placeholder="none" className="narrow-group" />
      <span className="save-preview muted" title={content.content}>
        {messageSummary(content, 40) || '(empty)'}
      </span>
      <button type="submit" className="primary" disabled={busy}>
        Save message
      </button>
      <button type="button" onClick={onDone}>
        Cancel
      </button>
      {(errors.content || failure) && (
        <p className="field-error" role="alert">
          {errors.content ?? failure}
        </p>
      )}
    </form>
  );
}
