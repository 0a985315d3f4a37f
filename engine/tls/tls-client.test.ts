/**
 * The TLS client against `openssl s_server` (a program nobody here wrote), on loopback: TLS 1.3
 * and 1.2, ALPN, a CA file, mutual TLS, and each kind of untrusted certificate (self-signed,
 * expired, not yet valid, wrong name, unknown CA, incomplete chain) explained and naming the
 * certificate at fault. Certificates are made by the test with openssl itself, and the ones
 * openssl 3.0 cannot date in the past with our own generator.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { TlsClientOptions } from '../../shared/tls';
import { freePort } from '../testing/tcp-peers';
import { secureClient, TlsHandshakeError, type HandshakeSteps } from './tls-client';
import { delayingRelay, stepMs } from './tls-test-helpers';
import { createSelfSignedCertificate } from './x509';

const hasOpenssl = !spawnSync('openssl', ['version']).error;
const dir = mkdtempSync(join(tmpdir(), 'sockscope-tls-client-'));
const children: ChildProcess[] = [];
const sockets: Socket[] = [];

afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  // TLS sockets before the TCP sockets under them (pushed later): the other order crashes Node 20.
  for (const s of sockets.splice(0).reverse()) s.destroy();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function openssl(...args: string[]): string {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const file = (name: string) => join(dir, name);

/** A CA, a server certificate it signed for `san`, and a chain file of both. */
function makeCaAndServer(prefix: string, san: string): void {
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${prefix}-ca.key`, '-out', `${prefix}-ca.pem`, '-days', '30', '-subj', `/CN=${prefix} test CA`);
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${prefix}.key`, '-out', `${prefix}.csr`, '-subj', `/CN=${prefix} server`);
  writeFileSync(file(`${prefix}.ext`), `subjectAltName=${san}\nextendedKeyUsage=serverAuth\n`);
  openssl('x509', '-req', '-in', `${prefix}.csr`, '-CA', `${prefix}-ca.pem`, '-CAkey', `${prefix}-ca.key`, '-CAcreateserial', '-out', `${prefix}.pem`, '-days', '10', '-extfile', `${prefix}.ext`);
  writeFileSync(file(`${prefix}-chain.pem`), readFileSync(file(`${prefix}.pem`), 'utf8') + readFileSync(file(`${prefix}-ca.pem`), 'utf8'));
}

/** `openssl s_server` on 127.0.0.1, ready once it prints ACCEPT; what it receives is collected from its stdout. */
async function sServer(args: string[]): Promise<{ port: number; received: () => string }> {
  const port = await freePort();
  const child = spawn('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, '-naccept', '1', '-ign_eof', ...args], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString('latin1')));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString('latin1')));
  const deadline = Date.now() + 10_000;
  while (!out.includes('ACCEPT')) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`s_server did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return { port, received: () => out };
}

async function tcp(port: number): Promise<Socket> {
  const s = createConnection({ host: '127.0.0.1', port });
  sockets.push(s);
  await new Promise<void>((resolve, reject) => s.once('connect', resolve).once('error', reject));
  return s;
}

function recorder(): HandshakeSteps & { calls: string[]; results: string[] } {
  const calls: string[] = [];
  const results: string[] = [];
  return {
    calls,
    results,
    now: () => Date.now(),
    note: (call, result, ok = true) => {
      calls.push(`${call}: ${result}${ok ? '' : ' ✗'}`);
      results.push(result);
    },
  };
}

async function handshake(port: number, options: TlsClientOptions, host = '127.0.0.1') {
  const steps = recorder();
  try {
    const secured = await secureClient(await tcp(port), host, options, steps);
    sockets.push(secured.socket);
    return { secured, steps, error: null };
  } catch (error) {
    if (!(error instanceof TlsHandshakeError)) throw error;
    return { secured: null, steps, error };
  }
}

describe.runIf(hasOpenssl)('TLS client against openssl s_server', () => {
  makeCaAndServer('good', 'IP:127.0.0.1,DNS:sockscope.invalid');
  makeCaAndServer('named', 'DNS:other.invalid');

  it('TLS 1.3 with a CA file: verified, version, cipher, ALPN, the chain with fingerprints as openssl prints them; bytes reach the server', async () => {
    const server = await sServer(['-cert', 'good.pem', '-key', 'good.key', '-cert_chain', 'good-ca.pem', '-tls1_3', '-alpn', 'h2,http/1.1']);
    const { secured, steps } = await handshake(server.port, { caFile: file('good-ca.pem'), alpn: ['http/1.1'] });
    expect(secured?.info).toMatchObject({ version: 'TLSv1.3', verified: true, problem: null, alpn: 'http/1.1', resumed: false, serverName: null });
    expect(secured?.info.cipherStandardName).toMatch(/^TLS_/);
    const leafFingerprint = openssl('x509', '-in', 'good.pem', '-noout', '-fingerprint', '-sha256').trim().split('=')[1];
    expect(secured?.info.chain[0]).toMatchObject({ subject: 'CN=good server', issuer: 'CN=good test CA', sha256: leafFingerprint, keyType: 'EC', curve: 'P-256', keyBits: 256, selfSigned: false, isCa: false });
    expect(secured?.info.chain[0]?.subjectAltNames).toEqual(['IP Address:127.0.0.1', 'DNS:sockscope.invalid']);
    expect(secured?.info.chain[0]?.signatureAlgorithm).toBe('ECDSA with SHA-256');
    expect(secured?.info.chain[0]?.daysLeft).toBeGreaterThanOrEqual(9);
    expect(secured?.info.chain[1]).toMatchObject({ subject: 'CN=good test CA', selfSigned: true, isCa: true });
    expect(steps.calls.map((c) => c.split(':')[0])).toEqual(['SSL_connect()', 'ServerHello received', 'certificate received', 'verify certificate', 'secure']);
    // Every step after the ClientHello says when, since it; `secure` is the handshake's total.
    const times = steps.results.slice(1).map(stepMs);
    expect(times.every((t) => t >= 0)).toBe(true);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(steps.results.at(-1)).toMatch(/^\+\d+\.\d ms, handshake done: TLSv1\.3, /);
    expect(times.at(-1)).toBe(secured?.info.handshakeMs);
    // Secrets for Wireshark: TLS 1.3 logs the handshake and traffic secrets.
    expect(secured?.keyLog.text()).toMatch(/^CLIENT_HANDSHAKE_TRAFFIC_SECRET [0-9a-f]{64} [0-9a-f]+$/m);
    secured?.socket.write('hello over tls\n');
    await expect.poll(() => server.received(), { timeout: 5000 }).toContain('hello over tls');
  });

  it('TLS 1.2 when the client caps the version; the key log has CLIENT_RANDOM', async () => {
    const server = await sServer(['-cert', 'good.pem', '-key', 'good.key']);
    const { secured } = await handshake(server.port, { caFile: file('good-ca.pem'), maxVersion: 'TLSv1.2' });
    expect(secured?.info.version).toBe('TLSv1.2');
    expect(secured?.keyLog.text()).toMatch(/^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}$/m);
  });

  it('timings are measured, not made up: through a relay that holds the server’s bytes 150 ms, TLS 1.2’s certificate arrives after one hold and the handshake ends after two', async () => {
    const server = await sServer(['-cert', 'good.pem', '-key', 'good.key', '-tls1_2']);
    const relay = await delayingRelay(server.port, { toClientMs: 150 });
    try {
      const { secured, steps } = await handshake(relay.port, { caFile: file('good-ca.pem') });
      const at = (name: string) => stepMs(steps.results[steps.calls.findIndex((c) => c.startsWith(`${name}:`))] ?? '');
      // TLS 1.2: ServerHello…ServerHelloDone in the first flight (no secret marks the ServerHello apart), Finished in the second.
      expect(steps.calls.map((c) => c.split(':')[0])).toEqual(['SSL_connect()', 'certificate received', 'verify certificate', 'secure']);
      expect(at('certificate received')).toBeGreaterThanOrEqual(150);
      expect(at('certificate received')).toBeLessThan(290);
      expect(at('secure')).toBeGreaterThanOrEqual(300);
      expect(secured?.info.handshakeMs).toBe(at('secure'));
    } finally {
      await relay.close();
    }
  });

  it('a self-signed server: refused with verification on, naming it; with verification off the handshake is kept and says it would fail', async () => {
    openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'self.key', '-out', 'self.pem', '-days', '5', '-subj', '/CN=lonely', '-addext', 'subjectAltName=IP:127.0.0.1');
    let server = await sServer(['-cert', 'self.pem', '-key', 'self.key']);
    const refused = await handshake(server.port, {});
    expect(refused.error?.problem).toMatchObject({ kind: 'self-signed', code: 'DEPTH_ZERO_SELF_SIGNED_CERT', certificateIndex: 0 });
    expect(refused.error?.message).toMatch(/server's certificate \(lonely\) is self-signed/);
    expect(refused.error?.info?.chain[0]?.subject).toBe('CN=lonely');
    expect(refused.steps.calls.at(-1)).toMatch(/✗$/);

    server = await sServer(['-cert', 'self.pem', '-key', 'self.key']);
    const kept = await handshake(server.port, { verify: false });
    expect(kept.secured?.info).toMatchObject({ verified: false, verifyEnabled: false, problem: { kind: 'self-signed' } });
    expect(kept.steps.calls.join('\n')).toMatch(/not checked \(verification off\); it would fail/);
  });

  it('a certificate for another name: hostname mismatch, listing the names it has', async () => {
    const server = await sServer(['-cert', 'named.pem', '-key', 'named.key']);
    const { error } = await handshake(server.port, { caFile: file('named-ca.pem'), serverName: 'sockscope.invalid' });
    expect(error?.problem).toMatchObject({ kind: 'hostname-mismatch', certificateIndex: 0 });
    expect(error?.message).toContain('is not for "sockscope.invalid": it names DNS:other.invalid');
  });

  it('an unknown CA, and an incomplete chain', async () => {
    let server = await sServer(['-cert', 'good.pem', '-key', 'good.key', '-cert_chain', 'good-ca.pem']);
    const unknown = await handshake(server.port, { caFile: file('named-ca.pem') });
    expect(unknown.error?.problem?.kind).toBe('unknown-ca');
    server = await sServer(['-cert', 'good.pem', '-key', 'good.key']);
    const incomplete = await handshake(server.port, { caFile: file('named-ca.pem') });
    expect(incomplete.error?.problem).toMatchObject({ kind: 'incomplete-chain', certificateIndex: 0 });
    expect(incomplete.error?.message).toMatch(/only its own certificate/);
  });

  it('expired and not yet valid certificates name their dates', async () => {
    const now = Date.now();
    const expired = await createSelfSignedCertificate({ commonName: 'expired', names: ['127.0.0.1'], notBefore: now - 40 * 86_400_000, notAfter: now - 3.5 * 86_400_000 });
    writeFileSync(file('expired.pem'), expired.certPem);
    writeFileSync(file('expired.key'), expired.keyPem);
    let server = await sServer(['-cert', 'expired.pem', '-key', 'expired.key']);
    const old = await handshake(server.port, { caFile: file('expired.pem') });
    expect(old.error?.problem).toMatchObject({ kind: 'expired', certificateIndex: 0 });
    expect(old.error?.message).toMatch(/expired on \d{4}-\d\d-\d\d, [34] days ago/);

    const future = await createSelfSignedCertificate({ commonName: 'future', names: ['127.0.0.1'], notBefore: now + 5 * 86_400_000, notAfter: now + 50 * 86_400_000 });
    writeFileSync(file('future.pem'), future.certPem);
    writeFileSync(file('future.key'), future.keyPem);
    server = await sServer(['-cert', 'future.pem', '-key', 'future.key']);
    const early = await handshake(server.port, { caFile: file('future.pem') });
    expect(early.error?.problem).toMatchObject({ kind: 'not-yet-valid', certificateIndex: 0 });
  });

  it('mutual TLS: the server requires a client certificate from its CA, and gets one', async () => {
    openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=sockscope client');
    openssl('x509', '-req', '-in', 'client.csr', '-CA', 'good-ca.pem', '-CAkey', 'good-ca.key', '-CAcreateserial', '-out', 'client.pem', '-days', '2');
    const server = await sServer(['-cert', 'good.pem', '-key', 'good.key', '-Verify', '1', '-CAfile', 'good-ca.pem', '-tls1_2']);
    const { secured } = await handshake(server.port, { caFile: file('good-ca.pem'), identity: { certFile: file('client.pem'), keyFile: file('client.key') } });
    expect(secured?.info.verified).toBe(true);
    secured?.socket.write('mtls ok\n');
    await expect.poll(() => server.received(), { timeout: 5000 }).toContain('mtls ok');
    expect(server.received()).toMatch(/subject=CN ?= ?sockscope client/);

    // The same identity as one PKCS#12 file with a passphrase.
    openssl('pkcs12', '-export', '-in', 'client.pem', '-inkey', 'client.key', '-out', 'client.p12', '-passout', 'pass:p12 secret');
    const again = await sServer(['-cert', 'good.pem', '-key', 'good.key', '-Verify', '1', '-CAfile', 'good-ca.pem', '-tls1_2']);
    const p12 = await handshake(again.port, { caFile: file('good-ca.pem'), identity: { pfxFile: file('client.p12'), passphrase: 'p12 secret' } });
    expect(p12.secured?.info.verified).toBe(true);
    p12.secured?.socket.write('p12 ok\n');
    await expect.poll(() => again.received(), { timeout: 5000 }).toContain('p12 ok');

    // A wrong passphrase is said in words (OpenSSL throws it from tls.connect itself, not as an event).
    const silent = createServer((s) => s.on('error', () => {}));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const wrong = await handshake((silent.address() as { port: number }).port, { identity: { pfxFile: file('client.p12'), passphrase: 'not it' } });
      expect(wrong.error?.message).toMatch(/wrong passphrase/);
    } finally {
      silent.close();
    }
  });

  it('a plain-text port: explained, not a crash', async () => {
    const plain = createServer((s) => s.end('220 hello, plain text here\r\n'));
    await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
    try {
      const { error } = await handshake((plain.address() as { port: number }).port, {});
      expect(error?.message).toMatch(/did not answer in TLS|closed the connection during the TLS handshake|closed during the TLS handshake/);
    } finally {
      plain.close();
    }
  });

  it('refuses a symbolic link given as the CA file, and options that contradict each other', async () => {
    const server = await sServer(['-cert', 'good.pem', '-key', 'good.key']);
    spawnSync('ln', ['-sf', file('good-ca.pem'), file('link-ca.pem')]);
    await expect(secureClient(await tcp(server.port), '127.0.0.1', { caFile: file('link-ca.pem') }, recorder())).rejects.toMatchObject({ code: 'ELOOP' });
    // s_server takes one connection (-naccept 1): the next check gets a server of its own.
    const next = await sServer(['-cert', 'good.pem', '-key', 'good.key']);
    await expect(secureClient(await tcp(next.port), '127.0.0.1', { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.2' }, recorder())).rejects.toThrow(/minVersion is above maxVersion/);
  });
});
