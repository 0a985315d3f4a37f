/**
 * Opening the UI in the default browser without putting the token on any command line: every
 * local user can read the argv of xdg-open and of the browser it starts (/proc/<pid>/cmdline).
 * As Jupyter Server does (jpserver-<pid>-open.html), the opener gets the file:// URL of a page in
 * the data folder that only we can read, and that page redirects to the real URL.
 */
import { closeSync, constants, mkdirSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface OpenerCommand {
  command: string;
  args: string[];
}

/** The platform's "open this with the default application" program, for `target`. */
export function openerCommand(platform: NodeJS.Platform, target: string): OpenerCommand {
  if (platform === 'darwin') return { command: 'open', args: [target] };
  if (platform === 'win32') return { command: 'rundll32', args: ['url.dll,FileProtocolHandler', target] };
  return { command: 'xdg-open', args: [target] };
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/** A page that sends the browser on to `url` at once, with a link should refresh be off. */
export function redirectPage(url: string): string {
  const u = escapeHtml(url);
  return `<!doctype html>
<html><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${u}"><title>Opening Sockscope</title></head>
<body><p>Opening <a href="${u}">Sockscope</a>…</p></body></html>
`;
}

export function redirectFilePath(dataDir: string, pid = process.pid): string {
  return join(dataDir, `sockscope-${pid}-open.html`);
}

/**
 * The data folder, created 0700 if missing. An existing one must be ours and not writable by
 * others, or someone else could swap the page for one that sends the browser elsewhere.
 */
function ensurePrivateDir(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const st = statSync(dataDir);
  const uid = process.getuid?.();
  if (uid !== undefined && (st.uid !== uid || (st.mode & 0o022) !== 0)) {
    throw new Error(`${dataDir} is not a folder only you can write to`);
  }
}

/**
 * Writes the redirect page, mode 0600, as a new file: O_EXCL refuses anything already at that
 * path, and O_NOFOLLOW a symlink in particular (where the platform has it), so nothing planted
 * there is ever followed or overwritten.
 */
export function writeRedirectFile(dataDir: string, url: string): string {
  ensurePrivateDir(dataDir);
  const file = redirectFilePath(dataDir);
  const fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o600);
  try {
    writeSync(fd, redirectPage(url));
  } catch (err) {
    removeRedirectFile(file);
    throw err;
  } finally {
    closeSync(fd);
  }
  return file;
}

export interface BrowserLaunch extends OpenerCommand {
  /** The redirect page: remove it when the host stops. */
  redirectFile: string;
}

/** Everything needed to open `url` in the browser; nothing in `command`/`args` carries the token. */
export function prepareBrowserOpen(dataDir: string, url: string, platform: NodeJS.Platform = process.platform): BrowserLaunch {
  const redirectFile = writeRedirectFile(dataDir, url);
  return { ...openerCommand(platform, pathToFileURL(redirectFile).href), redirectFile };
}

/** Cleanup on exit: never throws (a file someone else removed, or a read-only folder, is fine). */
export function removeRedirectFile(file: string): void {
  try {
    rmSync(file, { force: true });
  } catch {
    // Nothing left to do: the page only ever redirects to a URL that dies with this host.
  }
}
