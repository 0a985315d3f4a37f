/**
 * `npm start`'s decision: Electron where its binary is installed, browser mode where it is not
 * (so `npm install && npm start` always runs the app), and a clear message when nothing is built.
 * The real run without a binary is e2e/desktop.spec.ts.
 */
import { describe, expect, it } from 'vitest';
// @ts-expect-error — plain ESM script without types
import { BROWSER_MODE_NOTICE, ELECTRON_JS_FLAGS, launchPlan, webHostArgs } from './launch-plan.mjs';

type Plan = { mode: 'electron'; command: string; args: string[]; warning: string | null } | { mode: 'browser'; args: string[]; notice: string } | { mode: 'fail'; message: string };
const plan = launchPlan as (o: { binary: string | null; hasDesktopBuild: boolean; hasWebBuild: boolean; argv: string[]; platform: string; isRoot: boolean }) => Plan;
const base = { binary: '/opt/electron/electron', hasDesktopBuild: true, hasWebBuild: true, argv: [], platform: 'linux', isRoot: false };

describe('launchPlan', () => {
  it('starts Electron on the built app where the binary is installed', () => {
    expect(plan({ ...base, argv: ['--no-sandbox'] })).toEqual({ mode: 'electron', command: base.binary, args: [ELECTRON_JS_FLAGS, '.', '--no-sandbox'], warning: null });
  });

  it('starts browser mode instead, saying so in one line, where there is no binary', () => {
    const p = plan({ ...base, binary: null });
    expect(p).toEqual({ mode: 'browser', args: [], notice: BROWSER_MODE_NOTICE });
    expect(BROWSER_MODE_NOTICE).not.toContain('\n');
    expect(BROWSER_MODE_NOTICE).toMatch(/default browser/);
    // Browser mode needs no desktop build.
    expect(plan({ ...base, binary: null, hasDesktopBuild: false }).mode).toBe('browser');
  });

  it('passes the host its own options and drops Electron switches', () => {
    const p = plan({ ...base, binary: null, argv: ['--no-sandbox', '--data-dir', '/tmp/d', '--port', '0', '--enable-logging'] });
    expect(p).toMatchObject({ mode: 'browser', args: ['--data-dir', '/tmp/d', '--port', '0'] });
    expect(webHostArgs(['--no-open', '--host'])).toEqual(['--no-open']);
  });

  it('fails with what to run when the needed build is missing', () => {
    expect(plan({ ...base, hasDesktopBuild: false })).toMatchObject({ mode: 'fail', message: expect.stringContaining('npm run build') });
    expect(plan({ ...base, binary: null, hasWebBuild: false })).toMatchObject({ mode: 'fail', message: expect.stringContaining('web-host.cjs') });
  });

  it('warns root on Linux that Electron needs --no-sandbox, unless it is given', () => {
    expect(plan({ ...base, isRoot: true })).toMatchObject({ mode: 'electron', warning: expect.stringContaining('--no-sandbox') });
    expect(plan({ ...base, isRoot: true, argv: ['--no-sandbox'] })).toMatchObject({ warning: null });
    expect(plan({ ...base, isRoot: true, platform: 'darwin' })).toMatchObject({ warning: null });
  });
});
