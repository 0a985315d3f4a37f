/**
 * The IPC port of the UI session (engine/ui-session): one session per window, carried on one
 * channel each way, kept free of 'electron' so it runs under plain Node against an IPC fake
 * (ipc-bridge.ts hands it ipcMain's messages). Electron's structured clone does the framing.
 */
import type { EngineHost } from '../../engine';
import { runUiSession, type EnginePort } from '../../engine/ui-session/ui-session';
import { IPC_CHANNELS } from '../../shared/preload-api';
import { isAppUrl } from './app-origin';
import { isTrustedSender, type SenderFrame } from './trusted-sender';

/** The part of Electron's WebContents a session uses. */
export interface SessionContents {
  readonly id: number;
  isDestroyed(): boolean;
  getURL(): string;
  send(channel: string, message: unknown): void;
  on(event: 'destroyed' | 'did-navigate' | 'render-process-gone', listener: () => void): unknown;
  removeListener(event: 'destroyed' | 'did-navigate' | 'render-process-gone', listener: () => void): unknown;
}

/**
 * A session lasts as long as the page that opened it. A reloaded page starts a new one: results
 * still on their way to the old page must not reach the new one, whose invoke ids start over.
 */
const PAGE_ENDS = ['destroyed', 'did-navigate', 'render-process-gone'] as const;

export interface IpcSessions {
  /** One message on the session channel, from `contents`' frame `frame`. */
  receive(contents: SessionContents, frame: SenderFrame | null | undefined, message: unknown): void;
}

export function createIpcSessions(host: EngineHost, log: (line: string) => void = (line) => console.error(line)): IpcSessions {
  const ports = new Map<number, (message: unknown) => void>();

  const open = (contents: SessionContents): ((message: unknown) => void) => {
    let deliver: (message: unknown) => void = () => undefined;
    let closed: () => void = () => undefined;
    let isOpen = true;
    const end = () => {
      if (!isOpen) return;
      isOpen = false;
      ports.delete(contents.id);
      for (const e of PAGE_ENDS) contents.removeListener(e, end);
      closed();
    };
    const port: EnginePort = {
      // Only a page of ours receives engine messages (navigation elsewhere is denied anyway).
      send(message) {
        if (isOpen && !contents.isDestroyed() && isAppUrl(contents.getURL())) contents.send(IPC_CHANNELS.session, message);
      },
      onMessage(listener) {
        deliver = listener;
      },
      onClose(listener) {
        closed = listener;
      },
      close: end,
    };
    runUiSession(port, host);
    for (const e of PAGE_ENDS) contents.on(e, end);
    const receive = (message: unknown) => {
      if (isOpen) deliver(message);
    };
    ports.set(contents.id, receive);
    return receive;
  };

  return {
    receive(contents, frame, message) {
      // Not answered: a reply goes to the window's page, which did not send this and could mistake
      // it for the answer to one of its own invokes.
      if (!isTrustedSender(frame)) {
        log('sockscope: refused an IPC message from a frame that is not the app');
        return;
      }
      (ports.get(contents.id) ?? open(contents))(message);
    },
  };
}
