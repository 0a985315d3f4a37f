/**
 * Saved messages: a person's library of named messages (Packet Sender's saved packets, Hercules'
 * macros), sendable from any conversation. Kept in the session file (shared/session.ts) and in the
 * renderer's store; this file is only their shape.
 */
import { z } from 'zod';

export const SAVED_MESSAGE_LIMITS = {
  count: 2_000,
  nameLength: 100,
  groupLength: 100,
  /** Characters of the message as typed (text with escapes and macros, or hex). */
  contentLength: 64 * 1024,
} as const;

export const SavedMessageId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

export const SavedMessage = z.strictObject({
  id: SavedMessageId,
  name: z.string().trim().min(1, 'a saved message needs a name').max(SAVED_MESSAGE_LIMITS.nameLength),
  /** Shown as a heading in the list; '' = no group. */
  group: z.string().max(SAVED_MESSAGE_LIMITS.groupLength),
  /** `text`: escapes (\n, \x00, \u{…}) and macros ({{counter}}) expanded at send time; `hex`: bytes. */
  format: z.enum(['text', 'hex']),
  content: z.string().max(SAVED_MESSAGE_LIMITS.contentLength),
  lineEnding: z.enum(['none', 'lf', 'crlf']),
});
export type SavedMessage = z.infer<typeof SavedMessage>;

export const SavedMessages = z.array(SavedMessage).max(SAVED_MESSAGE_LIMITS.count);
