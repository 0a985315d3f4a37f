import { net, protocol } from 'electron';
import { stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { contentSecurityPolicy } from '../web/csp';
import { APP_HOST, APP_SCHEME } from './app-origin';

export { APP_ORIGIN } from './app-origin';

/** Must run before the app is ready: app:// behaves like https (secure, standard origin). */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

/**
 * The file a request path names inside the renderer folder, or the status that refuses it. Only
 * the root means index.html; anything else must name a file strictly inside the folder: no escaped
 * `/` or backslash (no built file name has one, and they are how `..` slips past the URL parser's
 * own dot folding), no NUL, no `.`/`..` or empty segment left after decoding.
 */
export function rendererPath(root: string, pathname: string): { file: string } | { status: 400 | 403 | 404 } {
  if (pathname === '' || pathname === '/') return { file: resolve(root, 'index.html') };
  if (/%2f|%5c|\\/i.test(pathname)) return { status: 403 };
  let rel: string;
  try {
    rel = decodeURIComponent(pathname);
  } catch {
    return { status: 400 }; // malformed %-escape
  }
  if (rel.includes('\0')) return { status: 400 };
  const segments = rel.slice(1).split('/');
  if (segments.some((s) => s === '.' || s === '..')) return { status: 403 };
  // A trailing "/" or "//" names a folder, never a file we serve.
  if (segments.some((s) => s === '')) return { status: 404 };
  const file = resolve(root, ...segments);
  if (!file.startsWith(root + sep)) return { status: 403 };
  return { file };
}

async function isRegularFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Serves the built renderer from app://sockscope/, never anything outside its folder, never a folder. */
export function registerAppProtocol(rendererDir: string): void {
  const root = resolve(rendererDir);
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST) return new Response('not found', { status: 404 });
    if (request.method !== 'GET' && request.method !== 'HEAD') return new Response('method not allowed', { status: 405 });
    const target = rendererPath(root, url.pathname);
    if ('status' in target) return new Response('refused', { status: target.status });
    // A folder (the renderer folder itself, assets/…) would come back from file:// as a listing.
    if (!(await isRegularFile(target.file))) return new Response('not found', { status: 404 });
    const response = await net.fetch(pathToFileURL(target.file).toString());
    const headers = new Headers(response.headers);
    headers.set('Content-Security-Policy', contentSecurityPolicy(null));
    headers.set('X-Content-Type-Options', 'nosniff');
    return new Response(response.body, { status: response.status, headers });
  });
}
