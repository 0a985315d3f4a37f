import type { KeyboardEvent } from 'react';
import { base64ToBytes, bytesToBase64, parseEscapedText, toEscapedText } from '../../../../shared/bytes';
import type { Behaviour } from '../../../../shared/endpoints';
import { Checkbox, Select, TextField } from './fields';

/** A behaviour as its fields hold it: reply and banner as text with escapes. */
export interface BehaviourDraft {
  mode: Behaviour['mode'];
  reply: string;
  banner: string;
  trigger: 'chunk' | 'line';
  closeAfter: boolean;
}

export type BehaviourErrors = Partial<Record<'reply' | 'banner', string>>;

// A reply is sent as typed, macros are not expanded in it: its braces need no escape.
const asText = (b64: string | undefined) => (b64 ? toEscapedText(base64ToBytes(b64), { macros: false }) : '');

export function draftOf(b: Behaviour): BehaviourDraft {
  return {
    mode: b.mode,
    reply: asText(b.reply),
    banner: asText(b.banner),
    trigger: b.trigger ?? 'chunk',
    closeAfter: b.closeAfterReply ?? false,
  };
}

export const DEFAULT_BEHAVIOUR: BehaviourDraft = draftOf({ mode: 'manual' });

/** The behaviour the engine takes, or what is wrong with which field. Banners are TCP-only. */
export function behaviourOf(d: BehaviourDraft, allowBanner: boolean): { behaviour: Behaviour } | { errors: BehaviourErrors } {
  const errors: BehaviourErrors = {};
  const reply = parseEscapedText(d.mode === 'auto-reply' ? d.reply : '');
  const banner = parseEscapedText(allowBanner ? d.banner : '');
  if (!reply.ok) errors.reply = `Bad escape at position ${reply.position}: ${reply.error}`;
  else if (d.mode === 'auto-reply' && reply.bytes.length === 0) errors.reply = 'Type the reply to send (e.g. "200 OK\\r\\n").';
  if (!banner.ok) errors.banner = `Bad escape at position ${banner.position}: ${banner.error}`;
  if (!reply.ok || !banner.ok || errors.reply) return { errors };
  const behaviour: Behaviour = { mode: d.mode };
  if (d.mode === 'auto-reply') {
    behaviour.reply = bytesToBase64(reply.bytes);
    if (allowBanner) {
      behaviour.trigger = d.trigger;
      behaviour.closeAfterReply = d.closeAfter;
    }
  }
  if (allowBanner && banner.bytes.length > 0) behaviour.banner = bytesToBase64(banner.bytes);
  return { behaviour };
}

/**
 * How a server answers: manual, echo, auto-reply (per chunk or per line, optionally closing —
 * whois-style), discard; for TCP also a banner on accept. Controlled: the creation dialogs send
 * it with the create command, a workspace applies it live (behaviour-editor.tsx).
 */
export function BehaviourFields({
  draft,
  onChange,
  allowBanner,
  errors = {},
  onEnter,
  runCommand,
}: {
  draft: BehaviourDraft;
  onChange(next: BehaviourDraft): void;
  allowBanner: boolean;
  errors?: BehaviourErrors;
  /** Enter in a text field (a workspace applies; a form submits by itself). */
  onEnter?(): void;
  /** The listener dialog's extra choice `Run a command` (the exec listener; its fields are the caller's). */
  runCommand?: { chosen: boolean; onChoose(chosen: boolean): void };
}) {
  const set = (patch: Partial<BehaviourDraft>) => onChange({ ...draft, ...patch });
  const enter = onEnter
    ? (e: KeyboardEvent<HTMLInputElement>) => {
        if (e.key === 'Enter') {
          e.preventDefault();
          onEnter();
        }
      }
    : undefined;
  return (
    <>
      <Select<Behaviour['mode'] | 'exec'>
        label="Behaviour"
        value={runCommand?.chosen ? 'exec' : draft.mode}
        onChange={(mode) => {
          runCommand?.onChoose(mode === 'exec');
          if (mode !== 'exec') set({ mode });
        }}
        options={[
          { value: 'manual', label: 'Manual' },
          { value: 'echo', label: 'Echo' },
          { value: 'auto-reply', label: 'Auto-reply' },
          { value: 'discard', label: 'Discard (sink)' },
          ...(runCommand ? [{ value: 'exec' as const, label: 'Run a command' }] : []),
        ]}
      />
      {runCommand?.chosen ? null : draft.mode === 'auto-reply' && (
        <>
          <TextField
            label="Reply"
            className="reply-field"
            value={draft.reply}
            onChange={(reply) => set({ reply })}
            onKeyDown={enter}
            error={errors.reply}
            placeholder="e.g. 200 OK\r\n"
          />
          {allowBanner && (
            <Select
              label="Reply on"
              value={draft.trigger}
              onChange={(trigger) => set({ trigger })}
              options={[
                { value: 'chunk', label: 'each chunk' },
                { value: 'line', label: 'each line' },
              ]}
            />
          )}
          {allowBanner && <Checkbox label="Close after reply" checked={draft.closeAfter} onChange={(closeAfter) => set({ closeAfter })} />}
        </>
      )}
      {allowBanner && !runCommand?.chosen && (
        <TextField
          label="Banner on connect"
          className="reply-field"
          value={draft.banner}
          onChange={(banner) => set({ banner })}
          onKeyDown={enter}
          error={errors.banner}
          placeholder="sent to each new client"
        />
      )}
    </>
  );
}
