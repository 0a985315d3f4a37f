// `npm start`: launches the built app (out/) with the local Electron binary, or — where that
// binary cannot be had — browser mode, which opens the same UI in the default browser. The
// decision is launch-plan.mjs's.
//
// Not `npx electron .`: electron's cli.js goes through index.js, which since Electron 42
// tries to download the binary when it is missing and dies with a stack trace.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronBinaryPath } from './electron-binary.mjs';
import { launchPlan } from './launch-plan.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const built = (file) => fs.existsSync(path.join(root, 'out', ...file.split('/')));

const plan = launchPlan({
  binary: electronBinaryPath(),
  hasDesktopBuild: built('main/main.cjs'),
  hasWebBuild: built('web/web-host.cjs'),
  argv: process.argv.slice(2),
  platform: process.platform,
  isRoot: process.getuid?.() === 0,
});

if (plan.mode === 'fail') {
  console.error(plan.message);
  process.exit(1);
}

let child;
if (plan.mode === 'browser') {
  console.log(plan.notice);
  // The host prints its URL and opens the default browser itself.
  // GC on the main thread only, as `npm run web` starts it (docs/benchmarks.md, "Engine line rate").
  child = spawn(process.execPath, ['--single-threaded-gc', path.join(root, 'out', 'web', 'web-host.cjs'), ...plan.args], { cwd: root, stdio: 'inherit' });
} else {
  if (plan.warning) console.warn(plan.warning);
  // An inherited ELECTRON_RUN_AS_NODE (set by e.g. VS Code's integrated tooling) would make the
  // binary behave as plain Node and try to execute "." as a script.
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  child = spawn(plan.command, plan.args, { cwd: root, stdio: 'inherit', env });
}

// Ctrl+C already reaches the whole process group; forwarding covers `kill <pid>` of this
// launcher (e.g. from a test runner) so the app never outlives it.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  });
}

child.on('error', (error) => {
  console.error(`sockscope: could not start ${plan.mode === 'browser' ? 'browser mode' : `Electron (${plan.command})`}: ${error.message}`);
  process.exit(1);
});

child.on('exit', (code, signal) => {
  // Shell convention for "killed by a signal": 128 + its number.
  process.exit(code ?? 128 + (os.constants.signals[signal] ?? 0));
});
