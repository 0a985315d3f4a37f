/**
 * Everything a conversation sends from its composer or its saved messages goes through here: the
 * macros are expanded with that conversation's counter, and the bytes go to the composer that
 * registered for it (which knows how: a TCP write, a datagram to the Remote host, all clients).
 */
import { useEffect, useRef } from 'react';
import { create } from 'zustand';
import { LIMITS } from '../../../../shared/primitives';
import { composeTemplate, describeTemplateError } from '../../../../shared/macros';
import type { SavedMessage } from '../../../../shared/saved-messages';

/** Per conversation: how many sends so far; `{{counter}}` is the next one's number. */
const counters = new Map<string, number>();

export type Composed = { ok: true; bytes: Uint8Array } | { ok: false; error: string; position: number | null };

/** The bytes of one send, with `{{counter}}` taking this conversation's next number. */
export function composeForSend(
  conversationKey: string,
  m: Pick<SavedMessage, 'format' | 'content' | 'lineEnding'>,
  now: number = Date.now(),
): Composed {
  const counter = (counters.get(conversationKey) ?? 0) + 1;
  const r = composeTemplate(m.content, { hex: m.format === 'hex', lineEnding: m.lineEnding, macros: { counter, now } });
  if (!r.ok) return { ok: false, error: describeTemplateError(r), position: r.position };
  if (r.bytes.length > LIMITS.messageBytes) {
    return { ok: false, error: `That is ${r.bytes.length.toLocaleString('en-US')} bytes; one send is at most ${LIMITS.messageBytes.toLocaleString('en-US')}.`, position: null };
  }
  counters.set(conversationKey, counter);
  return r;
}

export interface SendTarget {
  /** Sends bytes as the composer's Send does; reports its own failures where they belong. */
  send(bytes: Uint8Array): Promise<void> | void;
  disabled: boolean;
}

/** The composers on screen, by conversation key (a TCP conversation's id, a UDP endpoint's id). */
export const useSendTargets = create<{ targets: Readonly<Record<string, SendTarget>> }>()(() => ({ targets: {} }));

/** Registers a composer as the way to send on its conversation while it is mounted. */
export function useRegisterSendTarget(conversationKey: string, send: SendTarget['send'], disabled: boolean): void {
  const latest = useRef(send);
  useEffect(() => {
    latest.current = send;
  });
  useEffect(() => {
    const target: SendTarget = { send: (bytes) => latest.current(bytes), disabled };
    useSendTargets.setState((s) => ({ targets: { ...s.targets, [conversationKey]: target } }));
    return () =>
      useSendTargets.setState((s) => {
        if (s.targets[conversationKey] !== target) return s;
        const { [conversationKey]: _gone, ...rest } = s.targets;
        return { targets: rest };
      });
  }, [conversationKey, disabled]);
}

/** Sends a saved message on a conversation; the error to show, or null when it went. */
export async function sendSavedMessage(conversationKey: string, m: SavedMessage): Promise<string | null> {
  const target = useSendTargets.getState().targets[conversationKey];
  if (!target || target.disabled) return 'This conversation cannot send now.';
  const composed = composeForSend(conversationKey, m);
  if (!composed.ok) return composed.error;
  await target.send(composed.bytes);
  return null;
}
