// electron-builder afterPack hook: flip Electron fuses in the packed binary.
//
// afterPack runs after the app is copied into the unpacked Electron and before electron-builder
// signs it, which is where fuses must be flipped (changing the binary breaks a signature).
// Fuses are read-only switches compiled into Electron; once off, no env var or CLI flag turns
// the feature back on. See docs/packaging.md.
'use strict';

const path = require('node:path');
const { Arch } = require('electron-builder');

/** The fuses we set, by name: @electron/fuses 2 is ES modules only, so it is imported when the hook runs. */
const FUSE_SETTINGS = {
  // ELECTRON_RUN_AS_NODE would turn the shipped app into a general-purpose Node runtime.
  RunAsNode: false,
  // NODE_OPTIONS / --inspect would let anyone inject code into a signed app.
  EnableNodeOptionsEnvironmentVariable: false,
  EnableNodeCliInspectArguments: false,
  // The renderer is served from a custom protocol, so file:// needs no extra powers.
  GrantFileProtocolExtraPrivileges: false,
  // Only the integrity-checked app.asar is ever loaded (macOS and Windows check the hash).
  OnlyLoadAppFromAsar: true,
  EnableEmbeddedAsarIntegrityValidation: true,
  EnableCookieEncryption: true,
  // Left at Electron's default on purpose: we ship no custom V8 snapshot.
  LoadBrowserProcessSpecificV8Snapshot: false,
  // Electron's default (on): V8's WebAssembly trap handlers; we have no memory-constrained target.
  WasmTrapHandlers: true,
};

function fuseConfig(FuseV1Options) {
  return Object.fromEntries(Object.entries(FUSE_SETTINGS).map(([name, on]) => [FuseV1Options[name], on]));
}

/** Path of the packed executable, computed the way electron-builder's own fuse support does. */
function packedExecutable({ appOutDir, electronPlatformName, packager }) {
  switch (electronPlatformName) {
    case 'darwin':
    case 'mas':
      // @electron/fuses maps "X.app" to the Electron Framework binary inside it.
      return path.join(appOutDir, `${packager.appInfo.productFilename}.app`);
    case 'win32':
      return path.join(appOutDir, `${packager.appInfo.productFilename}.exe`);
    default:
      // Linux names the executable after linux.executableName (lower-case), not productName.
      return path.join(appOutDir, packager.executableName ?? packager.appInfo.productFilename);
  }
}

exports.default = async function afterPack(context) {
  const { flipFuses, getCurrentFuseWire, FuseVersion, FuseV1Options } = await import('@electron/fuses');
  const FUSES = fuseConfig(FuseV1Options);
  const file = packedExecutable(context);
  const isMac = context.electronPlatformName === 'darwin' || context.electronPlatformName === 'mas';
  // context.arch is electron-builder's numeric Arch enum; compare by name.
  const arch = Arch[context.arch];

  await flipFuses(file, {
    version: FuseVersion.V1,
    // Every fuse in the binary must be set above: a fuse a newer Electron adds fails the build until
    // it is decided here (and @electron/fuses knows it), instead of silently keeping its default.
    strictlyRequireAllFuses: true,
    // Apple Silicon refuses binaries whose ad-hoc signature no longer matches; re-sign ad hoc
    // (needs `codesign`, so only on a Mac). A real identity re-signs afterwards anyway.
    resetAdHocDarwinSignature: isMac && arch === 'arm64' && process.platform === 'darwin',
    ...FUSES,
  });

  // Read the wire back: a release with the wrong fuses should fail the build, not ship.
  const wire = await getCurrentFuseWire(file);
  const wrong = Object.entries(FUSES)
    .filter(([index, on]) => wire[index] !== (on ? 49 /* '1' */ : 48 /* '0' */))
    .map(([index]) => FuseV1Options[index]);
  if (wrong.length > 0) throw new Error(`fuses not set in ${file}: ${wrong.join(', ')}`);

  console.log(`  • fuses flipped  file=${path.relative(process.cwd(), file)}  arch=${arch}`);
};
