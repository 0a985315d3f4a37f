// Launches the built app (out/) with the local Electron binary.
//
// Not `npx electron .`: electron's cli.js goes through index.js, which since Electron 42
// tries to download the binary when it is missing and dies with a stack trace. Here a
// missing binary gets a short explanation instead.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronBinaryPath } from './electron-binary.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const binary = electronBinaryPath();

if (binary === null) {
  console.error(
    [
      'sockscope: the Electron binary is not installed, so the desktop app cannot start.',
      '  Fetch it (needs access to GitHub or ELECTRON_MIRROR):  node node_modules/electron/install.js',
      '  Or use the same UI in a browser, no Electron needed:   npm run web',
    ].join('\n'),
  );
  process.exit(1);
}

if (!fs.existsSync(path.join(root, 'out', 'main', 'main.cjs'))) {
  console.error('sockscope: out/main/main.cjs is missing; run "npm run build" first (or use "npm start").');
  process.exit(1);
}

if (process.platform === 'linux' && process.getuid?.() === 0 && !process.argv.includes('--no-sandbox')) {
  // Chromium refuses to run as root with its sandbox on; we won't switch it off silently.
  console.warn('sockscope: running as root; Electron will refuse to start unless you pass --no-sandbox (npm start -- --no-sandbox).');
}

// An inherited ELECTRON_RUN_AS_NODE (set by e.g. VS Code's integrated tooling) would make the
// binary behave as plain Node and try to execute "." as a script.
const env = { ...process.env };
delete env.ELECTRON_RUN_AS_NODE;

const child = spawn(binary, ['.', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit', env });

// Ctrl+C already reaches the whole process group; forwarding covers `kill <pid>` of this
// launcher (e.g. from a test runner) so Electron never outlives it.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  });
}

child.on('error', (error) => {
  console.error(`sockscope: could not start Electron (${binary}): ${error.message}`);
  process.exit(1);
});

child.on('exit', (code, signal) => {
  // Shell convention for "killed by a signal": 128 + its number.
  process.exit(code ?? 128 + (os.constants.signals[signal] ?? 0));
});
