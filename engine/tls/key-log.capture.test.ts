/**
 * The key log decrypts a real capture: tshark captures a TLS 1.3 conversation between our client
 * and `openssl s_server` on the loopback interface, then reads the capture back with the exported
 * key log (SSLKEYLOGFILE format) and must show the request's plaintext. Capturing needs root (as CI
 * runs); elsewhere the test says why it is skipped.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../testing/tcp-peers';
import { secureClient } from './tls-client';

const hasTools = !spawnSync('tshark', ['--version']).error && !spawnSync('openssl', ['version']).error;
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const dir = mkdtempSync(join(tmpdir(), 'sockscope-keylog-'));
let captures = 0;
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function waitForText(get: () => string, text: string, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!get().includes(text)) {
    if (Date.now() > deadline) throw new Error(`${what}: ${get()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Captures one TLS 1.3 request from our client to `openssl s_server` on lo; the key log stays with the client. */
async function captureConversation(): Promise<{ capture: string; secured: Awaited<ReturnType<typeof secureClient>> }> {
  const port = await freePort();
  const capture = join(dir, `capture-${++captures}.pcapng`);
  let tsharkOut = '';
  const tshark = spawn('tshark', ['-i', 'lo', '-f', `tcp port ${port}`, '-w', capture], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(tshark);
  tshark.stderr?.on('data', (d: Buffer) => (tsharkOut += d.toString()));
  await waitForText(() => tsharkOut, 'Capturing on', 'tshark did not start');

  let serverOut = '';
  const server = spawn('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, '-naccept', '1', '-ign_eof', '-cert', 'c.pem', '-key', 'k.pem', '-tls1_3'], { cwd: dir });
  children.push(server);
  server.stdout?.on('data', (d: Buffer) => (serverOut += d.toString('latin1')));
  await waitForText(() => serverOut, 'ACCEPT', 's_server did not start');

  const plain = createConnection({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => plain.once('connect', resolve).once('error', reject));
  const secured = await secureClient(plain, '127.0.0.1', { verify: false }, { now: () => Date.now(), note: () => {} });
  secured.socket.write('GET /secret-path-over-tls HTTP/1.0\r\n\r\n');
  await waitForText(() => serverOut, 'secret-path-over-tls', 'the server did not get the request');
  secured.socket.end();
  await new Promise((r) => setTimeout(r, 300));
  tshark.kill('SIGINT');
  await new Promise((r) => tshark.once('close', r));

  return { capture, secured };
}

/** ClientHellos in a capture file (0 when tshark cannot read it): the capture saw the conversation from its start. */
function clientHellosIn(capture: string): number {
  const r = spawnSync('tshark', ['-r', capture, '-Y', 'tls.handshake.type == 1', '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8' });
  return r.stdout ? r.stdout.trim().split('\n').filter(Boolean).length : 0;
}

describe.runIf(hasTools)(isRoot ? 'key log with a real capture' : 'key log with a real capture (skipped: capturing on lo needs root)', () => {
  it.runIf(isRoot)('tshark decrypts a captured TLS 1.3 conversation with the exported key log', async () => {
    spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'k.pem', '-out', 'c.pem', '-days', '2', '-subj', '/CN=capture'], { cwd: dir });
    // tshark says "Capturing on" a moment before its capture child sees packets: on a loaded
    // machine the start of a short conversation can be missed. A capture without the ClientHello
    // is taken again (at most 3 times); one that has it must decrypt.
    let run = await captureConversation();
    for (let attempt = 1; attempt < 3 && clientHellosIn(run.capture) === 0; attempt++) run = await captureConversation();
    const { capture, secured } = run;
    expect(clientHellosIn(capture)).toBe(1);
    const keyLog = join(dir, 'keys.log');
    writeFileSync(keyLog, secured.keyLog.text(), { mode: 0o600 });
    const withoutKeys = spawnSync('tshark', ['-r', capture, '-q', '-z', 'follow,tls,ascii,0'], { encoding: 'utf8' });
    expect(withoutKeys.stdout).not.toContain('secret-path-over-tls');
    const decrypted = spawnSync('tshark', ['-r', capture, '-o', `tls.keylog_file:${keyLog}`, '-q', '-z', 'follow,tls,ascii,0'], { encoding: 'utf8' });
    expect(decrypted.stdout).toContain('GET /secret-path-over-tls HTTP/1.0');
  }, 30_000);
});
