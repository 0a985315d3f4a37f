/**
 * The real browser-mode host as a process: hosts/web/web-host.ts bundled exactly as
 * scripts/build.mjs bundles out/web/web-host.cjs, into a temporary folder (never a stale build).
 *  - The reported crash: `GET //[` with an Upgrade header, sent by ncat without any token, ended
 *    the host with `TypeError: Invalid URL`. It must answer, stay up and keep serving.
 *  - Without --no-open, the opener (a stand-in `xdg-open` first on PATH that records its argv) must
 *    get no token, only a file:// URL of a 0600 page that redirects to the URL; the page is
 *    removed when the host stops.
 */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bundleWebHost,
  expectHostServes,
  rawExchange,
  startWebHostProcess,
  stopWebHostProcess,
  type BundledWebHost,
  type WebHostProcess,
  type WebTestHost,
} from './web-test-support';

let bundle: BundledWebHost;
let work: string;

beforeAll(async () => {
  bundle = await bundleWebHost('sockscope-web-host-');
  work = bundle.work;
});

afterAll(() => {
  bundle.remove();
});

type HostProcess = WebHostProcess;
const startHost = (args: string[], env?: NodeJS.ProcessEnv) => startWebHostProcess(bundle, args, env);
const stop = stopWebHostProcess;

/** What expectHostServes needs of a host, for one running as a process. */
const asTestHost = (h: HostProcess) => ({ server: { port: Number(h.url.port), token: h.url.searchParams.get('token') ?? '' } }) as WebTestHost;

/** `printf '…' | ncat 127.0.0.1 PORT`, as in the report: resolves with what the server answered. */
function ncat(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('ncat', ['127.0.0.1', String(port)], { timeout: 5_000 }, (err, stdout) => (err && !stdout ? reject(err) : resolve(stdout)));
    child.stdin?.end(request);
  });
}

describe.skipIf(process.platform === 'win32')('the browser-mode host process', () => {
  it('answers GET //[ with an Upgrade header (no token) and stays up; so for other odd targets', { timeout: 30_000 }, async () => {
    const host = await startHost(['--no-open', '--data-dir', join(work, 'data-crash')]);
    try {
      const port = Number(host.url.port);
      const answer = await ncat(port, 'GET //[ HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
      expect(answer).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
      for (const target of ['//[', '//[/ws', 'http://[::1', '%', '/ws?token=%zz', '*', '/%00', `//[/ws?token=${host.url.searchParams.get('token')}`]) {
        await rawExchange(port, `GET ${target} HTTP/1.1\r\nHost: ${host.url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
        await rawExchange(port, `GET ${target} HTTP/1.1\r\nHost: ${host.url.host}\r\n\r\n`);
      }
      expect(host.child.exitCode, host.output()).toBeNull();
      await expectHostServes(asTestHost(host));
      expect(host.output()).not.toMatch(/TypeError|Invalid URL/);
    } finally {
      expect(await stop(host)).toBe(0);
    }
  });

  it('opens the browser without the token on any command line, through a 0600 page it removes on exit', { timeout: 30_000 }, async () => {
    const bin = join(work, 'bin');
    mkdirSync(bin, { recursive: true });
    const argvLog = join(work, 'xdg-open-argv');
    // The stand-in opener: one argument per line, plus its own command line as /proc shows it.
    writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s\\n' "$@" > "${argvLog}.tmp"\ntr '\\0' ' ' < /proc/$$/cmdline >> "${argvLog}.tmp"\nmv "${argvLog}.tmp" "${argvLog}"\n`);
    chmodSync(join(bin, 'xdg-open'), 0o755);
    const dataDir = join(work, 'data-open');
    const host = await startHost(['--data-dir', dataDir], { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` });
    let page = '';
    try {
      const token = host.url.searchParams.get('token') ?? '';
      expect(token).toMatch(/^[0-9a-f]{48}$/);
      for (let i = 0; i < 200 && !existsSync(argvLog); i++) await new Promise((r) => setTimeout(r, 25));
      const recorded = readFileSync(argvLog, 'utf8');
      expect(recorded).not.toContain(token);
      const [target] = recorded.split('\n');
      expect(target).toMatch(/^file:\/\//);
      page = fileURLToPath(target as string);
      expect(page.startsWith(dataDir)).toBe(true);
      expect(statSync(page).mode & 0o777).toBe(0o600);
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      expect(readFileSync(page, 'utf8')).toContain(`content="0;url=${host.url.href}"`);
      // The host's own command line has no token either (it makes it up itself).
      expect(readFileSync(`/proc/${host.child.pid}/cmdline`, 'utf8')).not.toContain(token);
    } finally {
      expect(await stop(host)).toBe(0);
    }
    expect(existsSync(page), 'the redirect page is removed on exit').toBe(false);
  });
});
