/**
 * The app:// protocol (Electron security checklist #18: a custom protocol instead of file://),
 * with 'electron' replaced by a fake that captures the handler: it serves only files inside the
 * renderer folder, never the rest of the disk, and every response carries the CSP.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { contentSecurityPolicy } from '../web/csp';

const fake = vi.hoisted(() => ({
  handlers: new Map<string, (request: Request) => Promise<Response>>(),
  fetched: [] as string[],
  privileged: [] as unknown[],
}));

vi.mock('electron', () => ({
  protocol: {
    handle: (scheme: string, h: (request: Request) => Promise<Response>) => fake.handlers.set(scheme, h),
    registerSchemesAsPrivileged: (schemes: unknown[]) => fake.privileged.push(...schemes),
  },
  net: {
    fetch: async (url: string) => {
      fake.fetched.push(url);
      return new Response('<!doctype html>', { status: 200, headers: { 'Content-Type': 'text/html' } });
    },
  },
}));

const { registerAppProtocol, registerAppScheme } = await import('./app-protocol');
const root = mkdtempSync(join(tmpdir(), 'sockscope-renderer-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
// A renderer build in miniature: index.html and a folder of assets.
writeFileSync(join(root, 'index.html'), '<!doctype html>');
mkdirSync(join(root, 'assets'));
writeFileSync(join(root, 'assets', 'app.js'), '');
registerAppScheme();
registerAppProtocol(root);
const handler = fake.handlers.get('app')!;

const get = (url: string, method = 'GET') => handler(new Request(url, { method }));

describe('app:// protocol', () => {
  it('is registered as a standard, secure scheme (not file://)', () => {
    expect(fake.privileged).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
  });

  it('serves files from the renderer folder with the CSP and nosniff', async () => {
    fake.fetched.length = 0;
    const r = await get('app://sockscope/index.html');
    expect(r.status).toBe(200);
    expect(r.headers.get('Content-Security-Policy')).toBe(contentSecurityPolicy(null));
    expect(r.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(fake.fetched.map((u) => fileURLToPath(u))).toEqual([join(root, 'index.html')]);
    await get('app://sockscope/');
    expect(fileURLToPath(fake.fetched.at(-1)!)).toBe(join(root, 'index.html'));
  });

  it('never reads outside the renderer folder', async () => {
    fake.fetched.length = 0;
    for (const url of [
      'app://sockscope/%2e%2e/%2e%2e/etc/passwd',
      'app://sockscope/..%2f..%2f..%2fetc%2fpasswd',
      'app://sockscope/assets/..%2F..%2F..%2Fetc%2Fshadow',
      'app://sockscope/%2E%2E%5C%2E%2E%5Cwindows%5Cwin.ini',
    ]) {
      const before = fake.fetched.length;
      const r = await get(url);
      // Either refused outright (an escaped "/" that would climb out), or the URL parser already
      // folded the dots and what is asked for is a path inside the folder, missing there: a 404.
      expect([403, 404], url).toContain(r.status);
      expect(fake.fetched.length, url).toBe(before);
    }
    expect(fake.fetched.filter((u) => !fileURLToPath(u).startsWith(root + sep))).toEqual([]);
    // The escaped-slash forms are the ones only the folder check stops.
    expect((await get('app://sockscope/..%2f..%2f..%2fetc%2fpasswd')).status).toBe(403);
  });

  it('serves index.html for the root only, and never a folder (the renderer folder itself included)', async () => {
    fake.fetched.length = 0;
    // Node's URL gives "app://sockscope" an empty path; "/." and "/%2e" are folded to "/".
    for (const url of ['app://sockscope', 'app://sockscope/', 'app://sockscope/.', 'app://sockscope/%2e', 'app://sockscope/%2E/']) {
      expect((await get(url)).status, url).toBe(200);
      expect(fileURLToPath(fake.fetched.at(-1)!), url).toBe(join(root, 'index.html'));
    }
    const served = fake.fetched.length;
    for (const url of ['app://sockscope/assets', 'app://sockscope/assets/', 'app://sockscope/assets/%2e', 'app://sockscope//', 'app://sockscope/assets//app.js', 'app://sockscope/missing.js']) {
      expect((await get(url)).status, url).toBe(404);
    }
    expect(fake.fetched.length).toBe(served);
    expect((await get('app://sockscope/assets/app.js')).status).toBe(200);
    expect(fileURLToPath(fake.fetched.at(-1)!)).toBe(join(root, 'assets', 'app.js'));
  });

  it('refuses escaped slashes and backslashes, raw backslashes and NUL, even when they would stay inside', async () => {
    fake.fetched.length = 0;
    for (const [url, status] of [
      ['app://sockscope/assets%2fapp.js', 403],
      ['app://sockscope/assets%2Fapp.js', 403],
      ['app://sockscope/assets%5capp.js', 403],
      ['app://sockscope/assets\\app.js', 403],
      ['app://sockscope/index.html%00.png', 400],
      ['app://sockscope/%00', 400],
    ] as const) {
      expect((await get(url)).status, url).toBe(status);
    }
    expect(fake.fetched).toEqual([]);
  });

  it('refuses other hosts, other methods and malformed escapes', async () => {
    expect((await get('app://evil/index.html')).status).toBe(404);
    expect((await get('app://sockscope/index.html', 'POST')).status).toBe(405);
    expect((await get('app://sockscope/%E0%A4%A')).status).toBe(400);
  });
});
