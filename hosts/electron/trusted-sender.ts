/**
 * The IPC sender check (Electron security checklist #17), kept free of 'electron' so it is tested
 * under plain Node with frame-like objects. Electron's WebFrameMain satisfies `SenderFrame`.
 */
import { isAppUrl } from './app-origin';

/** The part of Electron's WebFrameMain the check reads. */
export interface SenderFrame {
  readonly url: string;
  /** null for a top-level frame; a subframe's parent otherwise. */
  readonly parent: unknown;
}

/**
 * Only the app's own page, in its top-level frame, may talk to the engine. A null frame (it
 * navigated away or was destroyed before the message was handled) is refused too.
 */
export function isTrustedSender(frame: SenderFrame | null | undefined): boolean {
  if (!frame) return false;
  if (frame.parent !== null) return false;
  return isAppUrl(frame.url);
}
