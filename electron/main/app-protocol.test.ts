/**
 * The app:// protocol (Electron security checklist #18: a custom protocol instead of file://),
 * with 'electron' replaced by a fake that captures the handler: it serves only files inside the
 * renderer folder, never the rest of the disk, and every response carries the CSP.
 */
import { mkdtempSync, rmSync } from 'node:fs';
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
      // folded the dots and what is read is a path inside the folder (missing there: a 404).
      if (r.status !== 403) {
        expect(fake.fetched.length, url).toBe(before + 1);
        expect(fileURLToPath(fake.fetched.at(-1)!).startsWith(root + sep), url).toBe(true);
      }
    }
    expect(fake.fetched.filter((u) => !fileURLToPath(u).startsWith(root + sep))).toEqual([]);
    // The escaped-slash forms are the ones only the folder check stops.
    expect((await get('app://sockscope/..%2f..%2f..%2fetc%2fpasswd')).status).toBe(403);
  });

  it('refuses other hosts, other methods and malformed escapes', async () => {
    expect((await get('app://evil/index.html')).status).toBe(404);
    expect((await get('app://sockscope/index.html', 'POST')).status).toBe(405);
    expect((await get('app://sockscope/%E0%A4%A')).status).toBe(400);
  });
});
