/**
 * Session and webContents lock-down (Electron security checklist #5, #11–#15). The decisions are
 * pure functions in app-origin.ts, trusted-sender.ts and external-links.ts, tested without Electron;
 * this module only wires them to Electron's events.
 */
import { app, session, shell, type Session, type WebContents } from 'electron';
import { isAppUrl, isOwnBlobUrl } from './app-origin';
import { isAllowedExternalUrl } from './external-links';

const hardened = new WeakSet<Session>();

/** Every permission request and check (camera, notifications, HID, serial, USB, …) is denied and every download but our own page's files cancelled. */
function hardenSession(ses: Session): void {
  if (hardened.has(ses)) return;
  hardened.add(ses);
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
  // getDisplayMedia: no handler is set, which Electron answers with a refusal.
  // The only downloads are files our own page produced (Export session, saved bytes): a blob: URL of
  // app://sockscope, from our own page, saved where the person picks in the save dialog. Anything
  // else that would start one — a link, a navigation, a Content-Disposition response — is cancelled
  // before it writes a byte.
  ses.on('will-download', (event, item, contents) => {
    if (isOwnBlobUrl(item.getURL()) && isAppUrl(contents.getURL())) {
      item.setSaveDialogOptions({ title: 'Save file', defaultPath: item.getFilename() });
      return;
    }
    event.preventDefault();
  });
}

/** Applies to the default session, every session created later, and every webContents. */
export function hardenSessions(): void {
  hardenSession(session.defaultSession);
  app.on('session-created', hardenSession);
  app.on('web-contents-created', (_event, contents) => lockDownContents(contents));
}

/**
 * Opens one of the allow-listed https pages in the user's browser; anything else is dropped.
 * Never call it with text from a peer or from an OS command.
 */
export function openExternalSafely(url: string): boolean {
  if (!isAllowedExternalUrl(url)) return false;
  // The URL passed the allow-list just above (https, fixed hosts and paths): external-links.ts.
  void shell.openExternal(url); // eng-disable OPEN_EXTERNAL_JS_CHECK -- url passed isAllowedExternalUrl(), a fixed https allow-list
  return true;
}

/** No navigation away from the app, no new windows, no <webview>, no redirects. */
export function lockDownContents(contents: WebContents): void {
  const denyNavigation = (event: Electron.Event, url: string) => {
    if (isAppUrl(url)) return;
    event.preventDefault();
    openExternalSafely(url);
  };
  contents.on('will-navigate', denyNavigation);
  contents.on('will-frame-navigate', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    openExternalSafely(url);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}
