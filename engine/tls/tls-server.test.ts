/**
 * The TLS listener side against `openssl s_client` and `curl` (programs nobody here wrote): a
 * self-signed certificate made for the listener's names and kept across restarts (same
 * fingerprint), client certificates asked for and shown, ALPN chosen, a plain-text client explained.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { TlsServerOptions } from '../../shared/tls';
import { namesFor, SelfSignedStore } from './self-signed-store';
import { TlsHandshakeError, type HandshakeSteps, type SecuredSocket } from './tls-client';
import { prepareServerTls, secureAccepted } from './tls-server';

const hasOpenssl = !spawnSync('openssl', ['version']).error;
const hasCurl = !spawnSync('curl', ['--version']).error;
const dir = mkdtempSync(join(tmpdir(), 'sockscope-tls-server-'));
const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const steps = (calls: string[]): HandshakeSteps => ({ now: () => Date.now(), note: (c, r) => calls.push(`${c}: ${r}`) });

/** A plain listener whose accepted sockets are secured, each result (or handshake error) kept. */
async function tlsListener(options: TlsServerOptions, store: SelfSignedStore, onSecure: (s: SecuredSocket) => void = (s) => void s.socket.end('bye\n')) {
  const tls = await prepareServerTls(options, () => store.certificateFor(namesFor('127.0.0.1')));
  const results: Array<SecuredSocket | TlsHandshakeError> = [];
  const calls: string[] = [];
  const server = createServer((plain: Socket) => {
    plain.on('error', () => {});
    secureAccepted(plain, tls, steps(calls)).then(
      (s) => {
        results.push(s);
        onSecure(s);
      },
      (e: TlsHandshakeError) => results.push(e),
    );
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { tls, results, calls, port: (server.address() as { port: number }).port };
}

/** Runs a client program without blocking this process (the listener under test lives in it). */
function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('latin1')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 8000);
    child.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

function sClient(port: number, args: string[], input: string): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-ign_eof', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('latin1')));
    child.stderr.on('data', (d: Buffer) => (out += d.toString('latin1')));
    child.stdin.end(input);
    const timer = setTimeout(() => child.kill('SIGKILL'), 8000);
    child.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

describe.runIf(hasOpenssl)('TLS listener side', () => {
  it('a self-signed certificate for the listener’s names, kept in the data folder and the same after a restart', async () => {
    const dataDir = join(dir, 'data');
    const first = await tlsListener({}, new SelfSignedStore(dataDir), (s) => s.socket.end('hi from sockscope\n'));
    const out = await sClient(first.port, ['-tls1_3', '-alpn', 'h2', '-servername', 'localhost'], '');
    expect(out).toContain('hi from sockscope');
    expect(out).toMatch(/subject=CN ?= ?Sockscope listener/);
    const result = first.results[0] as SecuredSocket;
    expect(result.info).toMatchObject({ version: 'TLSv1.3', serverName: 'localhost', chain: [] });
    expect(first.tls.selfSigned).toBe(true);
    expect(statSync(join(dataDir, 'tls', 'self-signed-listener.json')).mode & 0o777).toBe(0o600);

    const again = await tlsListener({}, new SelfSignedStore(dataDir));
    expect(again.tls.fingerprint).toBe(first.tls.fingerprint);
    // The certificate verifies for 127.0.0.1 and ::1 against itself (it is its own CA).
    const verified = await sClient(again.port, ['-verify_return_error', '-verify_ip', '127.0.0.1', '-CAfile', join(dataDir, 'tls', 'self-signed-listener.cert.pem')], '');
    expect(verified).toMatch(/CONNECTED/);
  });

  it.runIf(hasCurl)('curl over TLS to a listener answering HTTP: the reply arrives, ALPN http/1.1 chosen', async () => {
    const l = await tlsListener({ alpn: ['http/1.1'] }, new SelfSignedStore(null), (s) => {
      s.socket.once('data', () => s.socket.end('HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\ncanned'));
    });
    expect(await run('curl', ['-sk', '--max-time', '5', `https://127.0.0.1:${l.port}/`])).toBe('canned');
    expect((l.results[0] as SecuredSocket).info.alpn).toBe('http/1.1');
  });

  it('asks for a client certificate and shows it; a plain-text client is explained', async () => {
    spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'c.key', '-out', 'c.pem', '-days', '3', '-subj', '/CN=the client'], { cwd: dir });
    const l = await tlsListener({ clientCertificates: 'optional' }, new SelfSignedStore(null), (s) => s.socket.end('ok\n'));
    await sClient(l.port, ['-cert', join(dir, 'c.pem'), '-key', join(dir, 'c.key')], '');
    const secured = l.results[0] as SecuredSocket;
    expect(secured.info.chain[0]).toMatchObject({ subject: 'CN=the client', selfSigned: true });
    expect(secured.info.verified).toBe(false);
    expect(l.calls.join('\n')).toMatch(/client certificate CN=the client \(not trusted/);

    await run('curl', ['-s', '--max-time', '3', `http://127.0.0.1:${l.port}/`]);
    await expect.poll(() => l.results.length, { timeout: 5000 }).toBe(2);
    expect(l.results[1]).toBeInstanceOf(TlsHandshakeError);
    expect((l.results[1] as TlsHandshakeError).message).toMatch(/plain text/);
  });
});
