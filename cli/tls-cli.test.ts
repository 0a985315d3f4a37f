/**
 * `sockscope connect --tls` and `listen --tls` with client certificates, as processes, against
 * OpenSSL (a program nobody here wrote): mutual TLS to `openssl s_server -Verify 1` with a PEM
 * certificate whose key is encrypted (passphrase from --pass-file) and with a PKCS#12 file made by
 * `openssl pkcs12 -export` (passphrase from SOCKSCOPE_TLS_PASSPHRASE); a listener with
 * `--client-cert require` that `openssl s_client` without a certificate fails against and with one
 * gets through. The passphrase is never in any process's argv. Certificates are made by the test.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../engine/testing/tcp-peers';
import { bundleCli, killLeftovers, removeBundle, startCli, type CliProcess } from './cli-test-helpers';

const hasOpenssl = !spawnSync('openssl', ['version']).error;
const PASSPHRASE = 'correct horse battery staple';
let bundle = '';
let dir = '';
const children: ChildProcess[] = [];
const file = (name: string) => join(dir, name);
const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => startCli(process.execPath, [bundle, ...args], { env });

function openssl(args: string[], env: NodeJS.ProcessEnv = {}): void {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate it signed; the client key also encrypted and as PKCS#12. */
function makeCertificates(): void {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30', '-subj', '/CN=cli test CA']);
  for (const [name, ext] of [
    ['server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n'],
    ['client', 'extendedKeyUsage=clientAuth\n'],
  ] as const) {
    openssl(['req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=sockscope ${name}`]);
    writeFileSync(file(`${name}.ext`), ext);
    openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '10', '-extfile', `${name}.ext`]);
  }
  // The passphrase reaches openssl through its environment too (`env:`), never its argv.
  const env = { CLI_TEST_PASS: PASSPHRASE };
  openssl(['pkey', '-in', 'client.key', '-aes256', '-passout', 'env:CLI_TEST_PASS', '-out', 'client-encrypted.key'], env);
  openssl(['pkcs12', '-export', '-in', 'client.pem', '-inkey', 'client.key', '-out', 'client.p12', '-passout', 'env:CLI_TEST_PASS'], env);
  writeFileSync(file('pass.txt'), `${PASSPHRASE}\n`);
  openssl(['req', '-x509', ...ec, '-keyout', 'intruder.key', '-out', 'intruder.pem', '-days', '3', '-subj', '/CN=intruder']);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sockscope-cli-tls-'));
  if (hasOpenssl) makeCertificates();
  bundle = await bundleCli();
}, 60_000);
afterEach(() => {
  killLeftovers();
  for (const c of children.splice(0)) c.kill('SIGKILL');
});
afterAll(() => {
  removeBundle();
  rmSync(dir, { recursive: true, force: true });
});

async function until(what: string, ok: () => boolean, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** `openssl s_server` requiring a client certificate from our CA; its output (what it verified and received) collected. */
async function mtlsServer(): Promise<{ port: number; output: () => string }> {
  const port = await freePort();
  const args = ['s_server', '-accept', `127.0.0.1:${port}`, '-naccept', '1', '-cert', 'server.pem', '-key', 'server.key', '-Verify', '1', '-CAfile', 'ca.pem', '-verify_return_error', '-ign_eof'];
  const child = spawn('openssl', args, { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString('latin1')));
  child.stderr.on('data', (d: Buffer) => (out += d.toString('latin1')));
  await until('s_server to start', () => out.includes('ACCEPT'));
  return { port, output: () => out };
}

/** What a running process was started with (NUL-separated in /proc), as `ps` shows it. */
function argvOf(pid: number | undefined): string {
  return readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0/g, ' ');
}

/** Sends a line, waits for s_server to print it, then ends stdin and lets the server go. */
async function talk(p: CliProcess, server: { output: () => string }, line: string): Promise<void> {
  p.child.stdin.write(`${line}\n`);
  await until(`s_server to print "${line}"`, () => server.output().includes(line));
}

describe.runIf(hasOpenssl)('sockscope connect --tls with a client certificate (openssl s_server -Verify 1)', () => {
  it('PEM certificate and an encrypted key, its passphrase from --pass-file: the server verifies the client and gets the line', async () => {
    const server = await mtlsServer();
    const p = cli(['connect', '--tls', '--host', '127.0.0.1', '--port', String(server.port), '--cafile', file('ca.pem'), '--cert', file('client.pem'), '--key', file('client-encrypted.key'), '--pass-file', file('pass.txt')]);
    await p.line(/^connected 127\.0\.0\.1:/);
    await until('the session line', () => /^tls TLSv1\.3 \S+ verified subject "CN=sockscope server" sha256 [0-9A-F:]{95} handshake [\d.]+ ms$/m.test(p.stderr()));
    await talk(p, server, 'hello over mutual TLS');
    // s_server checked our certificate against its CA file (-verify_return_error would have refused it otherwise).
    expect(server.output()).toMatch(/depth=0 CN = sockscope client/);
    expect(argvOf(p.child.pid)).not.toContain(PASSPHRASE);
    p.child.stdin.end();
    p.child.kill('SIGINT');
    expect(await p.exit()).toBe(0);
  });

  it('PKCS#12 from openssl pkcs12 -export, its passphrase from SOCKSCOPE_TLS_PASSPHRASE (never in argv); a wrong one exits 1 saying so', async () => {
    const server = await mtlsServer();
    const args = ['connect', '--tls', '--host', '127.0.0.1', '--port', String(server.port), '--cafile', file('ca.pem'), '--pfx', file('client.p12')];
    const p = cli(args, { SOCKSCOPE_TLS_PASSPHRASE: PASSPHRASE });
    await p.line(/^connected 127\.0\.0\.1:/);
    await talk(p, server, 'hello from a PKCS#12 identity');
    expect(server.output()).toMatch(/depth=0 CN = sockscope client/);
    expect(argvOf(p.child.pid)).not.toContain(PASSPHRASE);
    expect(readFileSync(`/proc/${p.child.pid}/environ`, 'latin1')).toContain(`SOCKSCOPE_TLS_PASSPHRASE=${PASSPHRASE}`);
    p.child.kill('SIGINT');
    expect(await p.exit()).toBe(0);

    const again = await mtlsServer();
    const wrong = cli(['connect', '--tls', '--host', '127.0.0.1', '--port', String(again.port), '--cafile', file('ca.pem'), '--pfx', file('client.p12')], { SOCKSCOPE_TLS_PASSPHRASE: 'not it' });
    expect(await wrong.exit()).toBe(1);
    expect(wrong.stderr()).toMatch(/wrong passphrase/);
  });

  it('a passphrase on the command line, and contradictory TLS flags, are usage errors (exit 2) that never echo the secret', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--tls', '--cert', file('client.pem'), '--key', file('client-encrypted.key'), '--passphrase', PASSPHRASE], /never taken on the command line/],
      [['--tls', '--pfx', file('client.p12'), '--cert', file('client.pem'), '--key', file('client.key')], /either as --cert and --key \(PEM\) or as --pfx/],
      [['--tls', '--cert', file('client.pem')], /needs both --cert and --key/],
      [['--cert', file('client.pem'), '--key', file('client.key')], /go with --tls/],
      [['--tls', '--pass-file', file('pass.txt')], /--pass-file is the passphrase of --key or --pfx/],
      [['--tls', '--tls-min', '1.3', '--tls-max', '1.2'], /--tls-min 1\.3 is above --tls-max 1\.2/],
      [['--tls', '--tls-max', '2.0'], /not a TLS version/],
    ];
    const runs = cases.map(([flags]) => cli(['connect', '--host', '127.0.0.1', '--port', '9', ...flags]));
    for (const [i, p] of runs.entries()) {
      expect(await p.exit()).toBe(2);
      expect(p.stderr()).toMatch((cases[i] as [string[], RegExp])[1]);
      expect(p.stderr()).not.toContain(PASSPHRASE);
    }
  });
});

/** `openssl s_client` with or without a client certificate; its whole output once it ends. */
function sClient(port: number, extra: string[], input: string): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-CAfile', 'ca.pem', '-verify_return_error', ...extra], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('latin1')));
    child.stderr.on('data', (d: Buffer) => (out += d.toString('latin1')));
    // stdin stays open a moment: s_client quits at EOF, and TLS 1.3 tells it of a refusal after the handshake.
    child.stdin.write(input);
    const endInput = setTimeout(() => child.stdin.end(), 700);
    const timer = setTimeout(() => child.kill('SIGKILL'), 8000);
    child.on('close', () => {
      clearTimeout(timer);
      clearTimeout(endInput);
      resolve(out);
    });
  });
}

describe.runIf(hasOpenssl)('sockscope listen --tls --client-cert require (openssl s_client)', () => {
  it('refuses s_client without a certificate or with one from another CA; with ours, its accept line shows the client certificate, verified, and its bytes arrive', async () => {
    const p = cli(['listen', '--port', '0', '--tls', '--cert', file('server.pem'), '--key', file('server.key'), '--client-cert', 'require', '--client-ca', file('ca.pem')]);
    const port = Number(/:(\d+)$/.exec(await p.line(/^listening /))?.[1]);

    const refused = await sClient(port, [], 'no certificate here\n');
    expect(refused).toMatch(/certificate required|alert handshake failure/i);
    expect(p.stdout()).not.toMatch(/no certificate here/);
    expect(p.stdout()).not.toMatch(/^accepted /m);

    // A certificate from no CA the listener trusts is refused too (Node alone would let it through).
    await sClient(port, ['-cert', 'intruder.pem', '-key', 'intruder.key'], 'from an intruder\n');
    expect(p.stdout()).not.toMatch(/from an intruder|^accepted /m);

    const accepted = await sClient(port, ['-cert', 'client.pem', '-key', 'client.key'], 'with a certificate\n');
    expect(accepted).toMatch(/Verify return code: 0 \(ok\)/);
    await p.line(/recv 19 bytes: with a certificate␊$/);
    expect(p.stdout()).toMatch(/^accepted 127\.0\.0\.1:\d+ tls TLSv1\.3 client-cert "CN=sockscope client" verified$/m);
    p.child.kill('SIGINT');
    expect(await p.exit()).toBe(0);
  });

  it('listener flags that contradict each other are usage errors (exit 2)', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--tls', '--client-cert', 'require'], /require needs --client-ca/],
      [['--tls', '--client-cert', 'always'], /not request or require/],
      [['--tls', '--client-ca', file('ca.pem')], /--client-ca goes with --client-cert/],
      [['--client-cert', 'request'], /go with --tls/],
      [['--tls', '--key', file('server.key'), '--pass', PASSPHRASE], /never taken on the command line/],
    ];
    const runs = cases.map(([flags]) => cli(['listen', '--port', '0', ...flags]));
    for (const [i, p] of runs.entries()) {
      expect(await p.exit()).toBe(2);
      expect(p.stderr()).toMatch((cases[i] as [string[], RegExp])[1]);
      expect(p.stderr()).not.toContain(PASSPHRASE);
    }
  });
});
