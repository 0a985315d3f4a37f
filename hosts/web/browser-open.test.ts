/**
 * The token must not reach any command line when the host opens the browser (finding: it was
 * passed to xdg-open, readable by every local user in /proc/<pid>/cmdline). Real files in a
 * temporary folder; the opener's argv is what prepareBrowserOpen hands to execFile.
 */
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openerCommand, prepareBrowserOpen, redirectFilePath, redirectPage, removeRedirectFile } from './browser-open';

const token = 'f'.repeat(48);
const url = `http://127.0.0.1:4567/?token=${token}`;
let work: string;

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'sockscope-open-'));
});
afterEach(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('opening the browser', () => {
  it.each(['linux', 'darwin', 'win32'] as const)('on %s hands the opener a file:// URL, never the token', (platform) => {
    const launch = prepareBrowserOpen(join(work, 'data'), url, platform);
    const argv = [launch.command, ...launch.args];
    expect(argv.join(' ')).not.toContain(token);
    expect(argv.join(' ')).not.toContain('token');
    const target = launch.args.at(-1) as string;
    expect(target.startsWith('file://')).toBe(true);
    expect(fileURLToPath(target)).toBe(launch.redirectFile);
    expect(launch.command).toBe(openerCommand(platform, target).command);
  });

  it('writes a 0600 page in a 0700 data folder that redirects to the URL, token included', () => {
    const dataDir = join(work, 'fresh', 'data');
    const { redirectFile } = prepareBrowserOpen(dataDir, url);
    expect(redirectFile).toBe(redirectFilePath(dataDir));
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(lstatSync(redirectFile).isFile()).toBe(true);
    expect(statSync(redirectFile).mode & 0o777).toBe(0o600);
    const html = readFileSync(redirectFile, 'utf8');
    expect(html).toContain(`<meta http-equiv="refresh" content="0;url=${url}">`);
    expect(html).toContain(`<a href="${url}">`);
    removeRedirectFile(redirectFile);
    expect(() => statSync(redirectFile)).toThrow(/ENOENT/);
    removeRedirectFile(redirectFile); // twice is fine: it runs on exit whatever happened before
  });

  it('does not follow a symlink planted at the page path, nor overwrite anything there', () => {
    const dataDir = join(work, 'data');
    mkdirSync(dataDir, { mode: 0o700 });
    const victim = join(work, 'victim.txt');
    writeFileSync(victim, 'precious');
    chmodSync(victim, 0o644);
    symlinkSync(victim, redirectFilePath(dataDir));
    expect(() => prepareBrowserOpen(dataDir, url)).toThrow(/EEXIST|ELOOP/);
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect(statSync(victim).mode & 0o777).toBe(0o644);
    expect(readlinkSync(redirectFilePath(dataDir))).toBe(victim);
    // A plain file left there is not overwritten either.
    rmSync(redirectFilePath(dataDir));
    writeFileSync(redirectFilePath(dataDir), 'left over');
    expect(() => prepareBrowserOpen(dataDir, url)).toThrow(/EEXIST/);
    expect(readFileSync(redirectFilePath(dataDir), 'utf8')).toBe('left over');
  });

  it('refuses a data folder that others can write to (they could swap the page)', () => {
    const dataDir = join(work, 'shared');
    mkdirSync(dataDir);
    chmodSync(dataDir, 0o777);
    expect(() => prepareBrowserOpen(dataDir, url)).toThrow(/not a folder only you can write to/);
    expect(() => statSync(redirectFilePath(dataDir))).toThrow(/ENOENT/);
  });

  it('escapes the URL in the page', () => {
    const page = redirectPage('http://127.0.0.1:1/?token=a"><script>x</script>&b=\'');
    expect(page).not.toContain('<script>');
    expect(page).toContain('&quot;&gt;&lt;script&gt;x&lt;/script&gt;&amp;b=&#39;');
  });
});
