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
import { delayingRelay, runTool, stepMs } from './tls-test-helpers';

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
  return runTool('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-ign_eof', ...args], input);
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
    expect(secured.info.problem?.kind).toBe('self-signed');
    expect(l.calls.join('\n')).toMatch(/^client certificate: \+\d+\.\d ms: CN=the client, not trusted: /m);

    await run('curl', ['-s', '--max-time', '3', `http://127.0.0.1:${l.port}/`]);
    await expect.poll(() => l.results.length, { timeout: 5000 }).toBe(2);
    expect(l.results[1]).toBeInstanceOf(TlsHandshakeError);
    expect((l.results[1] as TlsHandshakeError).message).toMatch(/plain text/);
    expect(l.calls.join('\n')).toMatch(/^first bytes received: \d+ bytes, [\d.]+ ms after accept\(\): not a TLS handshake record$/m);
  });

  it('required client certificates are checked against the client CA file: one it signed is trusted, a self-signed one is refused', async () => {
    const ssl = (...args: string[]) => expect(spawnSync('openssl', args, { cwd: dir }).status).toBe(0);
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
    ssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '3', '-subj', '/CN=client CA');
    ssl('req', ...ec, '-keyout', 'member.key', '-out', 'member.csr', '-subj', '/CN=member');
    ssl('x509', '-req', '-in', 'member.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'member.pem', '-days', '2');
    ssl('req', '-x509', ...ec, '-keyout', 'intruder.key', '-out', 'intruder.pem', '-days', '3', '-subj', '/CN=intruder');
    const l = await tlsListener({ clientCertificates: 'required', clientCaFile: join(dir, 'ca.pem') }, new SelfSignedStore(null), (s) => s.socket.end('ok\n'));

    expect(await sClient(l.port, ['-cert', join(dir, 'member.pem'), '-key', join(dir, 'member.key')], '')).toContain('ok');
    expect((l.results[0] as SecuredSocket).info).toMatchObject({ verified: true, problem: null, verifyEnabled: true });
    expect(l.calls.join('\n')).toMatch(/^client certificate: \+\d+\.\d ms: CN=member, trusted$/m);

    // Node checks a client's chain only on sockets a tls.Server made: without our own check this one got in.
    expect(await sClient(l.port, ['-cert', join(dir, 'intruder.pem'), '-key', join(dir, 'intruder.key')], '')).not.toMatch(/^ok$/m);
    await expect.poll(() => l.results.length, { timeout: 5000 }).toBe(2);
    expect(l.results[1]).toBeInstanceOf(TlsHandshakeError);
    expect((l.results[1] as TlsHandshakeError).problem?.kind).toBe('self-signed');
    expect((l.results[1] as TlsHandshakeError).message).toMatch(/client's certificate is not trusted/);
  });

  it('timings are measured: through a relay holding the client’s bytes 150 ms, the ClientHello, the client certificate and secure come that much later', async () => {
    spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 't.key', '-out', 't.pem', '-days', '3', '-subj', '/CN=timed'], { cwd: dir });
    const l = await tlsListener({ clientCertificates: 'optional' }, new SelfSignedStore(null), (s) => s.socket.end('ok\n'));
    const relay = await delayingRelay(l.port, { toServerMs: 150 });
    try {
      await sClient(relay.port, ['-cert', join(dir, 't.pem'), '-key', join(dir, 't.key'), '-tls1_3'], '');
      await expect.poll(() => l.results.length, { timeout: 5000 }).toBe(1);
      const secured = l.results[0] as SecuredSocket;
      const steps = new Map(l.calls.map((c) => [c.slice(0, c.indexOf(': ')), c.slice(c.indexOf(': ') + 2)]));
      expect([...steps.keys()]).toEqual(['ClientHello received', 'certificate sent', 'client certificate', 'secure']);
      // The relay connects to us at once and passes the ClientHello on 150 ms later.
      expect(Number(/, ([\d.]+) ms after accept\(\)/.exec(steps.get('ClientHello received') ?? '')?.[1])).toBeGreaterThanOrEqual(150);
      // TLS 1.3: our flight leaves at once; the client's certificate and Finished come one held round later.
      expect(stepMs(steps.get('certificate sent') ?? '')).toBeLessThan(100);
      expect(stepMs(steps.get('client certificate') ?? '')).toBeGreaterThanOrEqual(150);
      expect(stepMs(steps.get('secure') ?? '')).toBeGreaterThanOrEqual(150);
      expect(secured.info.handshakeMs).toBe(stepMs(steps.get('secure') ?? ''));
    } finally {
      await relay.close();
    }
  });
});
