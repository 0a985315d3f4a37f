// What `npm start` runs, decided without side effects (unit-tested in launch-plan.test.ts):
// the desktop app where the Electron binary is installed, browser mode where it is not, so
// `npm install && npm start` always opens the app.

/** The browser-mode host's options that take a value, and the one that does not. */
const WEB_HOST_VALUE_OPTIONS = new Set(['--port', '--host', '--data-dir']);
const WEB_HOST_FLAGS = new Set(['--no-open']);

export const BROWSER_MODE_NOTICE =
  'sockscope: the Electron binary is not installed, so the app opens in your default browser instead ' +
  '(browser mode; Ctrl-C stops it). For the desktop app: node node_modules/electron/install.js';

/**
 * The browser-mode host's share of `npm start -- ARGS`: its own options with their values.
 * Electron/Chromium switches (--no-sandbox …) mean nothing to it and are left out.
 */
export const ELECTRON_JS_FLAGS = '--js-flags=--single-threaded-gc';

export function webHostArgs(argv) {
  const out = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (WEB_HOST_FLAGS.has(a)) out.push(a);
    else if (WEB_HOST_VALUE_OPTIONS.has(a) && i + 1 < argv.length) out.push(a, argv[++i]);
  }
  return out;
}

/**
 * @param {{ binary: string | null, hasDesktopBuild: boolean, hasWebBuild: boolean, argv: string[],
 *           platform: string, isRoot: boolean }} o
 * @returns {{ mode: 'electron', command: string, args: string[], warning: string | null }
 *         | { mode: 'browser', args: string[], notice: string }
 *         | { mode: 'fail', message: string }}
 */
export function launchPlan(o) {
  if (o.binary === null) {
    if (!o.hasWebBuild) {
      return { mode: 'fail', message: 'sockscope: no Electron binary, and out/web/web-host.cjs is missing; run "npm run build" first (or use "npm start").' };
    }
    return { mode: 'browser', args: webHostArgs(o.argv), notice: BROWSER_MODE_NOTICE };
  }
  if (!o.hasDesktopBuild) {
    return { mode: 'fail', message: 'sockscope: out/main/main.cjs is missing; run "npm run build" first (or use "npm start").' };
  }
  // Chromium refuses to run as root with its sandbox on; we won't switch it off silently.
  const warning =
    o.platform === 'linux' && o.isRoot && !o.argv.includes('--no-sandbox')
      ? 'sockscope: running as root; Electron will refuse to start unless you pass --no-sandbox (npm start -- --no-sandbox).'
      : null;
  // The main process owns the sockets: V8's parallel GC helpers took a core from line-rate reads
  // (docs/benchmarks.md). Electron reads --js-flags for the main process only from its command line.
  return { mode: 'electron', command: o.binary, args: [ELECTRON_JS_FLAGS, '.', ...o.argv], warning };
}
