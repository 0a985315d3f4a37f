// Locates the Electron executable without side effects.
//
// We deliberately do not `require('electron')`: since Electron 42 its index.js starts a
// download when the binary is missing and throws when that fails, which is wrong for a
// probe used by the launcher and by the e2e fixture. This mirrors index.js (path.txt +
// dist/, ELECTRON_OVERRIDE_DIST_PATH) and install.js's "is it installed" check instead.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

export const ELECTRON_MISSING_REASON =
  'Electron binary is not installed (node_modules/electron/dist is missing or incomplete; ' +
  'the postinstall could not download it). Fetch it with "node node_modules/electron/install.js" ' +
  "where Electron's release host (GitHub) is reachable.";

/** Directory of the installed `electron` npm package, or null when it is not installed. */
export function electronPackageDir() {
  try {
    return path.dirname(require.resolve('electron/package.json'));
  } catch {
    return null;
  }
}

/** Absolute path of a present, executable Electron binary, or null. Never throws. */
export function electronBinaryPath() {
  try {
    const dir = electronPackageDir();
    if (dir === null) return null;

    const relative = readText(path.join(dir, 'path.txt'));
    const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
    if (override) return executable(path.join(override, relative ?? defaultRelativePath()));
    if (relative === null) return null;

    // A dist/ left by another Electron version (or a half-finished extraction) is not ours:
    // install.js would re-download in that case, so treat it as missing too.
    const { version } = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    const distVersion = readText(path.join(dir, 'dist', 'version'));
    if (distVersion !== null && distVersion.replace(/^v/, '') !== version) return null;

    return executable(path.join(dir, 'dist', relative));
  } catch {
    return null;
  }
}

function readText(file) {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return null;
  }
}

function executable(file) {
  try {
    if (!fs.statSync(file).isFile()) return null;
    // Windows has no execute bit; existence is all we can check cheaply there.
    if (process.platform !== 'win32') fs.accessSync(file, fs.constants.X_OK);
    return path.resolve(file);
  } catch {
    return null;
  }
}

function defaultRelativePath() {
  if (process.platform === 'darwin') return 'Electron.app/Contents/MacOS/Electron';
  if (process.platform === 'win32') return 'electron.exe';
  return 'electron';
}
