/**
 * The saved messages as the list shows them: grouped, in the person's order. Pure, so the order
 * the shortcuts use (Alt+1 is the first message shown) is the order on screen, and tested.
 */
import { LINE_ENDING_BYTES, toEscapedText, type LineEnding } from '../../../../shared/bytes';
import { composeTemplate, describeTemplateError } from '../../../../shared/macros';
import { SAVED_MESSAGE_LIMITS, type SavedMessage } from '../../../../shared/saved-messages';

export interface MessageGroup {
  /** '' for the messages in no group. */
  name: string;
  messages: SavedMessage[];
}

/** Ungrouped messages first, then each group where its first message is; within one, as saved. */
export function groupMessages(list: readonly SavedMessage[]): MessageGroup[] {
  const groups = new Map<string, SavedMessage[]>([['', []]]);
  for (const m of list) {
    const group = groups.get(m.group) ?? [];
    group.push(m);
    groups.set(m.group, group);
  }
  return [...groups].filter(([, messages]) => messages.length > 0).map(([name, messages]) => ({ name, messages }));
}

/** Every message in the order shown: the nth one is what Alt+n sends. */
export function shownOrder(list: readonly SavedMessage[]): SavedMessage[] {
  return groupMessages(list).flatMap((g) => g.messages);
}

/**
 * The list with `id` moved one place up (-1) or down (+1) among the messages of its group, the
 * others keeping their places; null when it is already first or last there.
 */
export function moveWithinGroup(list: readonly SavedMessage[], id: string, delta: -1 | 1): SavedMessage[] | null {
  const from = list.findIndex((m) => m.id === id);
  const moving = list[from];
  if (!moving) return null;
  let to = from + delta;
  while (to >= 0 && to < list.length && list[to]?.group !== moving.group) to += delta;
  if (to < 0 || to >= list.length) return null;
  const next = [...list];
  next[from] = list[to] as SavedMessage;
  next[to] = moving;
  return next;
}

/** A saved message being written: everything but its id. */
export type MessageDraft = Omit<SavedMessage, 'id'>;

export type DraftErrors = Partial<Record<'name' | 'group' | 'content', string>>;

/**
 * What is wrong with a draft, at the field it concerns: no name, a name another message has (two
 * `Send <name>` buttons could not be told apart), too long, or content that could not be sent.
 */
export function draftErrors(draft: MessageDraft, existing: readonly SavedMessage[], editingId: string | null = null): DraftErrors {
  const errors: DraftErrors = {};
  const name = draft.name.trim();
  if (name === '') errors.name = 'Give the message a name.';
  else if (name.length > SAVED_MESSAGE_LIMITS.nameLength) errors.name = `A name is at most ${SAVED_MESSAGE_LIMITS.nameLength} characters.`;
  else if (existing.some((m) => m.id !== editingId && m.name.trim().toLowerCase() === name.toLowerCase())) {
    errors.name = `A saved message is already called "${name}": pick another name, or edit that one.`;
  }
  if (draft.group.length > SAVED_MESSAGE_LIMITS.groupLength) errors.group = `A group name is at most ${SAVED_MESSAGE_LIMITS.groupLength} characters.`;
  if (draft.content.length > SAVED_MESSAGE_LIMITS.contentLength) {
    errors.content = `A saved message is at most ${SAVED_MESSAGE_LIMITS.contentLength.toLocaleString('en-US')} characters.`;
  } else {
    const check = composeTemplate(draft.content, { hex: draft.format === 'hex', lineEnding: draft.lineEnding, macros: { counter: 1, now: 0 } });
    if (!check.ok) errors.content = describeTemplateError(check);
    else if (check.bytes.length === 0) errors.content = 'The message is empty.';
  }
  return errors;
}

/**
 * Received or sent bytes as a saved message: text with escapes when they read as text (a trailing
 * CRLF or LF becomes the line ending), else hex; null when too long for either.
 */
export function draftFromBytes(bytes: Uint8Array): Pick<MessageDraft, 'format' | 'content' | 'lineEnding'> | null {
  if (readsAsText(bytes)) {
    const lineEnding: LineEnding = endsWith(bytes, LINE_ENDING_BYTES.crlf) ? 'crlf' : endsWith(bytes, LINE_ENDING_BYTES.lf) ? 'lf' : 'none';
    const body = toEscapedText(bytes.subarray(0, bytes.length - LINE_ENDING_BYTES[lineEnding].length));
    if (body.length <= SAVED_MESSAGE_LIMITS.contentLength) return { format: 'text', content: body, lineEnding };
  }
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
  return hex.length <= SAVED_MESSAGE_LIMITS.contentLength ? { format: 'hex', content: hex, lineEnding: 'none' } : null;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

/**
 * UTF-8 whose control characters (other than tab, CR, LF) are few: a text protocol's line with an
 * odd `\x01` reads best as text with that escape; a binary frame reads best as hex.
 */
function readsAsText(bytes: Uint8Array): boolean {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    return false;
  }
  const controls = text.match(CONTROL)?.length ?? 0;
  return controls * 10 <= text.length;
}

function endsWith(bytes: Uint8Array, tail: readonly number[]): boolean {
  return tail.length > 0 && bytes.length >= tail.length && tail.every((b, k) => bytes[bytes.length - tail.length + k] === b);
}

const ENDING_WORDS: Record<LineEnding, string> = { none: '', lf: ' + LF', crlf: ' + CRLF' };

/** One line of what a message holds, for the list: `GET / HTTP/1.1 + CRLF`, `hex 01 02 03`. */
export function messageSummary(m: Pick<SavedMessage, 'format' | 'content' | 'lineEnding'>, max = 60): string {
  const body = m.format === 'hex' ? `hex ${m.content.trim()}` : m.content;
  const short = body.length > max ? `${body.slice(0, max - 1)}…` : body;
  return `${short}${m.format === 'hex' ? '' : ENDING_WORDS[m.lineEnding]}`;
}
