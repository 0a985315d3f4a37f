import { useId, useState, type FormEvent } from 'react';
import type { LineEnding } from '../../../../shared/bytes';
import type { SavedMessage } from '../../../../shared/saved-messages';
import { DialogShell } from '../forms/dialog-shell';
import { Select, TextField } from '../forms/fields';
import { library, useSavedMessages } from './library';
import { draftErrors, type DraftErrors } from './message-list';

/** Edit (and rename, regroup) one saved message, in a modal dialog so its fields stand alone. */
export function EditSavedMessageDialog({ message, onClose }: { message: SavedMessage; onClose(): void }) {
  const saved = useSavedMessages();
  const contentId = useId();
  const [name, setName] = useState(message.name);
  const [group, setGroup] = useState(message.group);
  const [content, setContent] = useState(message.content);
  const [format, setFormat] = useState<SavedMessage['format']>(message.format);
  const [lineEnding, setLineEnding] = useState<LineEnding>(message.lineEnding);
  const [errors, setErrors] = useState<DraftErrors>({});
  const [failure, setFailure] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const draft = { name: name.trim(), group: group.trim(), content, format, lineEnding: format === 'hex' ? 'none' : lineEnding };
    const errs = draftErrors(draft, saved, message.id);
    setErrors(errs);
    if (Object.keys(errs).length > 0) return;
    try {
      await library.save({ ...draft, id: message.id });
      onClose();
    } catch (err) {
      setFailure(`Not saved: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  return (
    <DialogShell title="Edit saved message" className="edit-saved" onClose={onClose} onSubmit={submit}>
      <div className="row">
        <TextField label="Name" value={name} onChange={setName} error={errors.name} maxLength={200} />
        <TextField label="Group" value={group} onChange={setGroup} error={errors.group} placeholder="none" />
      </div>
      <div className="field">
        <label htmlFor={contentId}>Content</label>
        <textarea
          id={contentId}
          className="saved-content"
          value={content}
          onChange={(e) => setContent(e.target.value)}
          rows={4}
          spellCheck={false}
          aria-invalid={errors.content ? true : undefined}
          aria-describedby={errors.content ? `${contentId}-err` : undefined}
        />
        {errors.content && (
          <span id={`${contentId}-err`} className="field-error" role="alert">
            {errors.content}
          </span>
        )}
      </div>
      <div className="row">
        <Select
          label="Format"
          value={format}
          onChange={setFormat}
          options={[
            { value: 'text', label: 'Text (escapes and macros)' },
            { value: 'hex', label: 'Hex bytes' },
          ]}
        />
        {format === 'text' && (
          <Select
            label="Ends with"
            value={lineEnding}
            onChange={setLineEnding}
            options={[
              { value: 'none', label: 'Nothing' },
              { value: 'lf', label: 'LF' },
              { value: 'crlf', label: 'CRLF' },
            ]}
          />
        )}
      </div>
      {failure && (
        <p className="form-error" role="alert">
          {failure}
        </p>
      )}
      <div className="row">
        <button type="submit" className="primary">
          Save changes
        </button>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </div>
    </DialogShell>
  );
}
