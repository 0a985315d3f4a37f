/**
 * Where the desktop renderer lives: `app://sockscope/`. Pure (no 'electron' import) so the checks
 * built on it are unit-tested under plain Node.
 *
 * Node's WHATWG URL gives every non-special scheme the opaque origin "null", so `new URL(u).origin`
 * can never equal `app://sockscope`: compare scheme and host instead.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'sockscope';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** True only for `app://sockscope/…`: no other host, no port, no credentials. */
export function isAppUrl(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && u.username === '' && u.password === '';
}

/**
 * A `blob:` URL our own page made (`URL.createObjectURL` in the renderer: an exported session,
 * saved bytes, a recording): the only thing the app lets Chromium download, and only to where the
 * person picks in the save dialog.
 */
export function isOwnBlobUrl(url: string): boolean {
  return url.startsWith('blob:') && isAppUrl(url.slice('blob:'.length));
}
