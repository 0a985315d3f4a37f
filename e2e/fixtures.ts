import { _electron, chromium, test as base, expect, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error — plain ESM helper without types, shared with scripts/start-electron.mjs
import { ELECTRON_MISSING_REASON, electronBinaryPath } from '../scripts/electron-binary.mjs';

export type AppMode = 'browser' | 'electron';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Debian's Chromium (never a Playwright-downloaded browser); override with CHROMIUM_PATH. */
export function chromiumPath(): string | undefined {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((p): p is string => !!p && existsSync(p));
}

export interface WebHost {
  url: string;
  origin: string;
  token: string;
  process: ChildProcess;
}

/** Starts `web-host` as `npm run web` does, on any free loopback port, and waits for its line. */
export async function startWebHost(dataDir: string): Promise<WebHost> {
  const child = spawn(process.execPath, ['out/web/web-host.cjs', '--port', '0', '--no-open', '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`web host did not print its URL: ${out}`)), 15_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^Sockscope UI: (\S+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    });
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`web host exited (${code}): ${out}`)));
  });
  const u = new URL(url);
  return { url, origin: u.origin, token: u.searchParams.get('token') ?? '', process: child };
}

export async function stopWebHost(host: WebHost): Promise<number | null> {
  if (host.process.exitCode !== null || host.process.signalCode !== null) return host.process.exitCode;
  const exited = new Promise<number | null>((r) => host.process.once('exit', (code) => r(code)));
  host.process.kill('SIGINT');
  const timer = setTimeout(() => host.process.kill('SIGKILL'), 5000);
  const code = await exited;
  clearTimeout(timer);
  return code;
}

type Fixtures = { page: Page; webHost: WebHost | null };
type Options = { appMode: AppMode };

export const test = base.extend<Fixtures & Options>({
  appMode: ['browser', { option: true }],
  webHost: async ({ appMode }, use) => {
    if (appMode !== 'browser') {
      await use(null);
      return;
    }
    const dataDir = mkdtempSync(join(tmpdir(), 'sockscope-e2e-'));
    const host = await startWebHost(dataDir);
    await use(host);
    await stopWebHost(host);
    rmSync(dataDir, { recursive: true, force: true });
  },
  page: async ({ appMode, webHost }, use, testInfo) => {
    if (appMode === 'electron') {
      const binary = electronBinaryPath() as string | null;
      testInfo.skip(!binary, ELECTRON_MISSING_REASON);
      const userData = mkdtempSync(join(tmpdir(), 'sockscope-e2e-electron-'));
      const app = await _electron.launch({
        executablePath: binary as string,
        args: ['.', `--user-data-dir=${userData}`, ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])],
      });
      const page = await app.firstWindow();
      await expect(page.locator('html')).toHaveAttribute('data-app-state', 'ready');
      await use(page);
      await app.close();
      rmSync(userData, { recursive: true, force: true });
      return;
    }
    const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // The CSP allows only what the UI needs: anything it blocks is a bug (or an attack) — report it.
    await page.exposeFunction('__sockscopeCspViolation', (v: string) => errors.push(`CSP violation: ${v}`));
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        void (window as unknown as { __sockscopeCspViolation(v: string): Promise<void> }).__sockscopeCspViolation(
          `${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`,
        );
      });
    });
    await page.goto((webHost as WebHost).url);
    await expect(page.locator('html')).toHaveAttribute('data-app-state', 'ready');
    await use(page);
    await browser.close();
    expect(errors, 'uncaught errors and CSP violations in the page').toEqual([]);
  },
});

export { expect };
