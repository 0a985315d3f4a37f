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
const { FuseV1Options } = (await import('@electron/fuses')) as unknown as { FuseV1Options: Record<string, number> & Record<number, string> };
/** Electron's fuse sentinel (@electron/fuses keeps it in a module it does not export). */
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const { Arch } = require('electron-builder') as { Arch: Record<string, number> };
const afterPack = (require('./after-pack.cjs') as { default: (ctx: unknown) => Promise<void> }).default;

const work = mkdtempSync(join(tmpdir(), 'sockscope-fuses-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Electron's own defaults, in wire order (RunAsNode … GrantFileProtocolExtraPrivileges, WasmTrapHandlers). */
const ELECTRON_DEFAULT_WIRE = '101100011';

function fakeElectron(file: string, wire = ELECTRON_DEFAULT_WIRE): void {
  const junk = Buffer.alloc(4096, 0x90);
  writeFileSync(file, Buffer.concat([junk, Buffer.from(SENTINEL), Buffer.from([1, wire.length]), Buffer.from(wire), junk]));
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
      WasmTrapHandlers: true,
    });
  });

  it('fails the build when Electron has a fuse the hook does not decide (strictlyRequireAllFuses)', async () => {
    const exe = join(work, 'sockscope-newer');
    // One fuse more than the hook sets, as a newer Electron's wire has (e.g. WasmTrapHandlers).
    fakeElectron(exe, `${ELECTRON_DEFAULT_WIRE}1`);
    const before = readFileSync(exe);
    await expect(
      afterPack({
        appOutDir: work,
        electronPlatformName: 'linux',
        arch: Arch.x64,
        packager: { executableName: 'sockscope-newer', appInfo: { productFilename: 'Sockscope' } },
      }),
    ).rejects.toThrow(/strictlyRequireAllFuses/);
    expect(readFileSync(exe).equals(before)).toBe(true); // nothing half-flipped
  });

  it('fails the build when the binary has no fuse wire', async () => {
    const exe = join(work, 'Sockscope.exe');
    writeFileSync(exe, Buffer.alloc(1024, 0x90));
    await expect(
      afterPack({ appOutDir: work, electronPlatformName: 'win32', arch: Arch.x64, packager: { appInfo: { productFilename: 'Sockscope' } } }),
    ).rejects.toThrow(/sentinel/);
  });
});
