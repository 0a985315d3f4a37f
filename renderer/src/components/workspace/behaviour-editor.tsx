import { useState } from 'react';
import type { Behaviour } from '../../../../shared/endpoints';
import { behaviourOf, BehaviourFields, draftOf, type BehaviourDraft, type BehaviourErrors } from '../forms/behaviour-fields';

const same = (a: BehaviourDraft, b: BehaviourDraft) =>
  a.mode === b.mode && a.reply === b.reply && a.banner === b.banner && a.trigger === b.trigger && a.closeAfter === b.closeAfter;

/**
 * A running server's behaviour, changed live. A new mode without text to type (manual, echo,
 * discard) applies at once; typed text (Reply, Banner) applies on Enter or Apply, so a half-typed
 * reply is never sent and a typed one is never lost by not leaving the field. A change made
 * elsewhere (another window, a restored session) shows here unless this editor has unapplied edits.
 */
export function BehaviourEditor({
  behaviour,
  onApply,
  allowBanner,
}: {
  behaviour: Behaviour;
  onApply(b: Behaviour): void;
  allowBanner: boolean;
}) {
  const engine = draftOf(behaviour);
  const [applied, setApplied] = useState(engine);
  const [draft, setDraft] = useState(engine);
  const [errors, setErrors] = useState<BehaviourErrors>({});
  // The engine's behaviour moved (our Apply coming back, or someone else's): follow it, keeping
  // the focus where it is — no remount.
  const [seen, setSeen] = useState(engine);
  if (!same(seen, engine)) {
    setSeen(engine);
    if (same(draft, applied)) setDraft(engine);
    setApplied(engine);
  }

  const apply = (next: BehaviourDraft) => {
    const result = behaviourOf(next, allowBanner);
    if ('errors' in result) {
      setErrors(result.errors);
      return;
    }
    setErrors({});
    setApplied(next);
    onApply(result.behaviour);
  };

  const change = (next: BehaviourDraft) => {
    setDraft(next);
    setErrors({});
    const onlyChoices = next.reply === applied.reply && next.banner === applied.banner;
    if (onlyChoices && (next.mode !== 'auto-reply' || applied.mode === 'auto-reply')) apply(next);
  };

  const pending = !same(draft, applied);
  return (
    <div className="behaviour" role="group" aria-label="Behaviour settings">
      <BehaviourFields draft={draft} onChange={change} allowBanner={allowBanner} errors={errors} onEnter={() => apply(draft)} />
      <button type="button" disabled={!pending} onClick={() => apply(draft)} title="Use these settings for what arrives from now on">
        Apply
      </button>
      {pending && <span className="muted pending-note">not applied yet</span>}
    </div>
  );
}
