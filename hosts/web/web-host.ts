/**
 * Browser mode: the same engine as the desktop app, behind a loopback web server.
 * `npm run web -- --port 0 --no-open` prints `Sockscope UI: <url>` once ready.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createEngineHost } from '../../engine';
import { exposureWarning, parseWebHostArgs } from './args';
import { prepareBrowserOpen, removeRedirectFile, type BrowserLaunch } from './browser-open';
import { startWebServer } from './web-server';

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

/** Opens the UI through a private redirect page (browser-open.ts): the token stays off every argv. */
function openBrowser(url: string, dataDir: string): void {
  let launch: BrowserLaunch;
  try {
    launch = prepareBrowserOpen(dataDir, url);
  } catch (err) {
    console.log(`(could not open a browser: ${(err as Error).message}; open the URL above yourself)`);
    return;
  }
  process.on('exit', () => removeRedirectFile(launch.redirectFile));
  execFile(launch.command, launch.args, (err) => {
    if (err) console.log(`(could not open a browser: ${err.message}; open the URL above yourself)`);
  });
}

async function main(): Promise<void> {
  const args = parseWebHostArgs(process.argv.slice(2));
  if ('error' in args) {
    console.error(args.error);
    process.exit(2);
  }
  const warning = exposureWarning(args.host);
  if (warning) console.warn(warning);
  const dataDir = args.dataDir ?? join(homedir(), '.config', 'sockscope');
  const engineHost = createEngineHost({ mode: 'browser', version: packageVersion(), dataDir });
  const server = await startWebServer({
    host: args.host,
    port: args.port,
    rendererDir: join(__dirname, '..', 'renderer'),
    engineHost,
  });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void Promise.allSettled([engineHost.engine.shutdown(), server.close()]).then(() => process.exit(0));
    setTimeout(() => process.exit(0), 3000).unref();
  };
  // Before the URL goes out: whoever reads it may send Ctrl-C at once.
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  console.log(`Sockscope UI: ${server.url}`);
  if (args.open) openBrowser(server.url, dataDir);
}

main().catch((err: unknown) => {
  console.error(`sockscope: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
