// postinstall: fetch the Electron binary.
//
// Since Electron 42 `npm install electron` no longer downloads the binary itself, so the
// project does it here by running Electron's own install.js (same mirrors, cache, checksums
// and ELECTRON_* variables as upstream). The download needs GitHub (or ELECTRON_MIRROR);
// where that is unreachable `npm install` must still succeed, because browser mode, the
// unit tests and browser e2e don't need Electron. So: bounded time, output captured, at
// most one line on failure, always exit 0.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { electronBinaryPath, electronPackageDir } from './electron-binary.mjs';

// A ~100 MB zip; a stalled connection must not hang `npm install` forever.
const timeoutSeconds = Number(process.env.SOCKSCOPE_ELECTRON_DOWNLOAD_TIMEOUT) || 120;
// Unreachable hosts fail in well under a second; only announce a real download.
const ANNOUNCE_AFTER_MS = 2000;

main().catch((error) => fail(`unexpected error: ${firstLine(String(error?.message ?? error))}`));

async function main() {
  for (const name of ['SOCKSCOPE_SKIP_ELECTRON_DOWNLOAD', 'ELECTRON_SKIP_BINARY_DOWNLOAD']) {
    if (isSet(process.env[name])) {
      console.log(`sockscope: ${name} is set, not downloading the Electron binary.`);
      return;
    }
  }

  if (electronBinaryPath() !== null) return; // already installed: nothing to say

  const dir = electronPackageDir();
  const installJs = dir && path.join(dir, 'install.js');
  if (!installJs || !fs.existsSync(installJs)) return fail('the electron package is not installed');
  const { version } = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));

  const announce = setTimeout(
    () => console.log(`sockscope: downloading the Electron ${version} binary (up to ${timeoutSeconds} s)...`),
    ANNOUNCE_AFTER_MS,
  );
  const result = await run(installJs);
  clearTimeout(announce);

  if (result.error) return fail(reasonFor(result));
  if (electronBinaryPath() === null) return fail('install.js finished but no executable was found in node_modules/electron/dist');
  console.log(`sockscope: Electron ${version} binary installed.`);
}

function run(installJs) {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [installJs],
      {
        cwd: path.dirname(installJs),
        timeout: timeoutSeconds * 1000,
        killSignal: 'SIGKILL', // a stuck download or extraction may not react to SIGTERM
        maxBuffer: 4 * 1024 * 1024,
        windowsHide: true,
        // The progress bar would only be noise in a captured pipe.
        env: { ...process.env, ELECTRON_GET_NO_PROGRESS: '1' },
      },
      (error, stdout, stderr) => resolve({ error, output: `${stderr}\n${stdout}` }),
    );
  });
}

// install.js prints a bare stack trace; turn it into a few words a person can act on.
function reasonFor({ error, output }) {
  if (error.killed || error.signal) return `timed out after ${timeoutSeconds} s; set SOCKSCOPE_ELECTRON_DOWNLOAD_TIMEOUT=<seconds> for slow links`;
  if (/\bCERT_|UNABLE_TO_(GET|VERIFY)|certificate|self[- ]signed/.test(output)) return 'TLS certificate error talking to its release host (proxy? see NODE_EXTRA_CA_CERTS)';
  if (/fetch failed|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|UND_ERR_CONNECT/.test(output)) {
    return 'no network access to its release host';
  }
  if (/ERR_REQUIRE_ESM|ERR_REQUIRE_ASYNC_MODULE/.test(output)) return `Node ${process.versions.node} cannot load @electron/get; use Node >= 20.19`;
  const http = output.match(/HTTPError: (Response code \d+[^\n]*?)(?: for |\n|$)/);
  if (http) return `release host answered ${http[1]}`;
  if (/checksum/i.test(output)) return 'checksum mismatch';
  const line = output.split('\n').map((l) => l.trim()).find(Boolean);
  return line ? firstLine(line) : `install.js exited with code ${error.code}`;
}

function fail(reason) {
  console.warn(
    `sockscope: Electron binary not downloaded (${reason}); the desktop app needs it — run ` +
      '"node node_modules/electron/install.js" later. Browser mode (npm run web), unit tests and ' +
      'browser e2e work without it.',
  );
  process.exitCode = 0; // never fail npm install over this
}

function firstLine(text) {
  const line = text.split('\n')[0].trim();
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

function isSet(value) {
  return value !== undefined && !['', '0', 'false', 'no'].includes(value.trim().toLowerCase());
}
