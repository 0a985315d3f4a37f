/**
 * scripts/electronegativity.mjs is what makes Electronegativity fail `npm test`: prove that it
 * fails on a planted finding, on a suppression without a justification and on a file it cannot
 * parse; passes a justified suppression; and passes the repository as it is.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('./electronegativity.mjs', import.meta.url));
const root = fileURLToPath(new URL('..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'sockscope-eng-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function fixture(name: string, files: Record<string, string>): string {
  const dir = join(work, name);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

function runScript(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [script, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`electronegativity.mjs did not finish in 60 s: ${out}`));
    }, 60_000);
    p.on('error', reject);
    p.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

const window = (nodeIntegrationLine: string) => `const { BrowserWindow } = require('electron');
const win = new BrowserWindow({
  webPreferences: {
    ${nodeIntegrationLine}
    contextIsolation: true,
  },
});
win.loadURL('app://sockscope/index.html');
`;

const ONLY = ['--checks', 'NodeIntegrationJSCheck'];

/**
 * Until @doyensec/electronegativity is in devDependencies this test cannot run; `npm test` still
 * cannot pass without it, because `npm run security:electron` exits 2 when it is missing.
 */
const installed = (() => {
  try {
    createRequire(script).resolve('@doyensec/electronegativity');
    return true;
  } catch {
    console.warn('scripts/electronegativity.test.ts skipped: @doyensec/electronegativity is not installed');
    return false;
  }
})();

describe.runIf(installed)('scripts/electronegativity.mjs', { timeout: 120_000 }, () => {
  it('fails on planted findings, unjustified suppressions and unparseable files; passes justified ones and the repository', async () => {
    const planted = fixture('planted', { 'main.js': window('nodeIntegration: true,') });
    const unjustified = fixture('unjustified', { 'main.js': window('nodeIntegration: true, // eng-disable NODE_INTEGRATION_JS_CHECK') });
    const justified = fixture('justified', {
      'main.js': window('nodeIntegration: true, // eng-disable NODE_INTEGRATION_JS_CHECK -- fixture: this window only ever loads a bundled page'),
    });
    const broken = fixture('broken', { 'main.js': 'const x = {;\n' });

    const [p, u, j, b, repo] = await Promise.all([
      runScript(['--input', planted, ...ONLY]),
      runScript(['--input', unjustified, ...ONLY]),
      runScript(['--input', justified, ...ONLY]),
      runScript(['--input', broken, ...ONLY]),
      runScript([]),
    ]);

    expect(p.code, p.out).toBe(1);
    expect(p.out).toMatch(/warning\s+NODE_INTEGRATION_JS_CHECK\s+main\.js:4/);

    expect(u.code, u.out).toBe(1);
    expect(u.out).toMatch(/suppression without a justification at main\.js:4/);
    expect(u.out).not.toMatch(/warning\s+NODE_INTEGRATION_JS_CHECK/);

    expect(j.code, j.out).toBe(0);
    expect(j.out).toMatch(/0 finding\(s\) at warning level or above/);

    expect(b.code, b.out).toBe(1);
    expect(b.out).toMatch(/could not parse main\.js/);

    expect(repo.code, repo.out).toBe(0);
    expect(repo.out).toMatch(/0 finding\(s\) at warning level or above.*0 parse failure\(s\), 0 unjustified suppression\(s\)/);
  });
});
