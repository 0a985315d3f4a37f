import { app, session, type WebContents } from 'electron';
import { APP_ORIGIN } from './app-protocol';

/** Permission requests (camera, notifications, …) and checks are all denied: we need none. */
export function hardenSessions(): void {
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  app.on('web-contents-created', (_event, contents) => lockDownContents(contents));
}

/** No navigation away from the app, no new windows, no <webview>. */
export function lockDownContents(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (!url.startsWith(`${APP_ORIGIN}/`)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/** Only the app's own page, in its top-level frame, may talk to the engine. */
export function isTrustedSender(frame: Electron.WebFrameMain | null): boolean {
  if (!frame) return false;
  if (frame.parent !== null) return false;
  try {
    return new URL(frame.url).origin === APP_ORIGIN;
  } catch {
    return false;
  }
}
