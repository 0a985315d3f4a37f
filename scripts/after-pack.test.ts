/**
 * The fuses (issue 7): scripts/after-pack.cjs is run, as electron-builder runs it, on a stand-in
 * "Electron binary" — bytes around the fuse sentinel with Electron's default wire — and must leave
 * exactly the intended wire. A real packaged app is checked with `npx @electron/fuses read --app …`
 * (docs/packaging.md); here the hook's configuration is what is under test.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const { SENTINEL } = require('@electron/fuses/dist/constants') as { SENTINEL: string };
const { FuseV1Options } = require('@electron/fuses') as { FuseV1Options: Record<string, number> & Record<number, string> };
const { Arch } = require('electron-builder') as { Arch: Record<string, number> };
const afterPack = (require('./after-pack.cjs') as { default: (ctx: unknown) => Promise<void> }).default;

const work = mkdtempSync(join(tmpdir(), 'sockscope-fuses-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Electron's own defaults, in wire order (RunAsNode … GrantFileProtocolExtraPrivileges). */
const ELECTRON_DEFAULT_WIRE = '10110001';

function fakeElectron(file: string): void {
  const junk = Buffer.alloc(4096, 0x90);
  writeFileSync(file, Buffer.concat([junk, Buffer.from(SENTINEL), Buffer.from([1, ELECTRON_DEFAULT_WIRE.length]), Buffer.from(ELECTRON_DEFAULT_WIRE), junk]));
}

function readWire(file: string): Record<string, boolean> {
  const bin = readFileSync(file);
  const at = bin.indexOf(SENTINEL) + SENTINEL.length;
  const length = bin[at + 1]!;
  const out: Record<string, boolean> = {};
  for (let i = 0; i < length; i++) out[FuseV1Options[i]!] = bin[at + 2 + i] === 0x31;
  return out;
}

describe('scripts/after-pack.cjs', () => {
  it('flips the fuses the issue names, on the Linux executable electron-builder packed', async () => {
    const exe = join(work, 'sockscope');
    fakeElectron(exe);
    await afterPack({
      appOutDir: work,
      electronPlatformName: 'linux',
      arch: Arch.x64,
      packager: { executableName: 'sockscope', appInfo: { productFilename: 'Sockscope' } },
    });
    expect(readWire(exe)).toEqual({
      RunAsNode: false,
      EnableCookieEncryption: true,
      EnableNodeOptionsEnvironmentVariable: false,
      EnableNodeCliInspectArguments: false,
      EnableEmbeddedAsarIntegrityValidation: true,
      OnlyLoadAppFromAsar: true,
      LoadBrowserProcessSpecificV8Snapshot: false,
      GrantFileProtocolExtraPrivileges: false,
    });
  });

  it('fails the build when the binary has no fuse wire', async () => {
    const exe = join(work, 'Sockscope.exe');
    writeFileSync(exe, Buffer.alloc(1024, 0x90));
    await expect(
      afterPack({ appOutDir: work, electronPlatformName: 'win32', arch: Arch.x64, packager: { appInfo: { productFilename: 'Sockscope' } } }),
    ).rejects.toThrow(/sentinel/);
  });
});
