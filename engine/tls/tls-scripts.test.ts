/**
 * TLS from scripts and the CLI: a script over TLS against `openssl s_server -rev` (it answers each
 * line reversed), the same script refused when the server's certificate is not trusted, a
 * `starttls` step against an SMTP-shaped server, and `sockscope connect --tls` as a process.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext, TLSSocket } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, killLeftovers, removeBundle, startCli } from '../../cli/cli-test-helpers';
import { runScriptText } from '../testing/script-test-helpers';
import { freePort } from '../testing/tcp-peers';
import { useTestHosts } from '../testing/test-host';
import { waitFor } from '../testing/wait';

const hasOpenssl = !spawnSync('openssl', ['version']).error;
const dir = mkdtempSync(join(tmpdir(), 'sockscope-tls-scripts-'));
const children: ChildProcess[] = [];
const servers: Server[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const s of servers.splice(0)) s.close();
  killLeftovers();
});
afterAll(() => {
  removeBundle();
  rmSync(dir, { recursive: true, force: true });
});
const host = useTestHosts();

/** `openssl s_server -rev`: every line it gets comes back reversed, over TLS. */
async function reversingServer(): Promise<number> {
  const port = await freePort();
  const child = spawn('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, '-cert', 'c.pem', '-key', 'k.pem', '-rev'], { cwd: dir });
  children.push(child);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await waitFor(() => out.includes('ACCEPT'), 's_server ready');
  return port;
}

describe.runIf(hasOpenssl)('TLS in scripts and the CLI', () => {
  beforeAll(() => {
    spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'k.pem', '-out', 'c.pem', '-days', '3', '-subj', '/CN=script server', '-addext', 'subjectAltName=IP:127.0.0.1'], { cwd: dir });
  });

  it('a script over TLS: trusted with the CA file, refused without it, and with verify off it runs', async () => {
    const h = host();
    const steps = (tls: string) => `{ "connect": { "host": "127.0.0.1", "port": PORT, "tls": ${tls} }, "steps": [ { "send": "hello\\n" }, { "expect": "olleh" }, { "close": true } ] }`;
    let port = await reversingServer();
    const trusted = await runScriptText(h, steps(JSON.stringify({ caFile: join(dir, 'c.pem') })).replace('PORT', String(port)));
    expect(trusted.end.outcome).toBe('passed');

    port = await reversingServer();
    const refused = await runScriptText(h, steps('true').replace('PORT', String(port)));
    expect(refused.end.outcome).not.toBe('passed');
    expect(JSON.stringify(refused)).toMatch(/DEPTH_ZERO_SELF_SIGNED_CERT|self-signed/);

    port = await reversingServer();
    const insecure = await runScriptText(h, steps('{ "verify": false }').replace('PORT', String(port)));
    expect(insecure.end.outcome).toBe('passed');
  });

  it('a starttls step: banner, STARTTLS, 220, then the expects run over TLS', async () => {
    const context = createSecureContext({ cert: readFileSync(join(dir, 'c.pem')), key: readFileSync(join(dir, 'k.pem')) });
    const server = createServer((plain: Socket) => {
      plain.on('error', () => {});
      plain.write('220 mail.test ESMTP\r\n');
      plain.once('data', () => {
        plain.write('220 Ready to start TLS\r\n', () => {
          const tls = new TLSSocket(plain, { isServer: true, secureContext: context });
          tls.on('error', () => {});
          tls.on('data', (d: Buffer) => tls.write(`250 secure ${d.toString().trim()}\r\n`));
        });
      });
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const script = {
      connect: { host: '127.0.0.1', port },
      steps: [{ expect: '220 mail.test' }, { send: 'STARTTLS\r\n' }, { expect: '220 Ready' }, { starttls: { verify: false } }, { send: 'EHLO sockscope\r\n' }, { expect: '250 secure EHLO sockscope' }, { close: true }],
    };
    const run = await runScriptText(host(), JSON.stringify(script));
    expect(run.end.outcome).toBe('passed');
    expect(run.steps.find((s) => s.kind === 'starttls')?.detail).toMatch(/^secure: TLSv1\.3, /);
  });

  it('sockscope connect --tls --insecure: lines go over TLS, the session is printed; without --insecure it exits 1 saying why', async () => {
    const bundle = await bundleCli();
    let port = await reversingServer();
    const cli = startCli(process.execPath, [bundle, 'connect', '--tls', '--insecure', '--host', '127.0.0.1', '--port', String(port)]);
    cli.child.stdin.write('sockscope\n');
    await cli.line(/epocskcos/);
    expect(cli.stderr()).toMatch(/tls TLSv1\.3 \S+ NOT verified subject "CN=script server" sha256 ([0-9A-F]{2}:){31}[0-9A-F]{2}/);
    cli.child.kill('SIGINT');

    port = await reversingServer();
    const strict = startCli(process.execPath, [bundle, 'connect', '--tls', '--host', '127.0.0.1', '--port', String(port)]);
    const code = await new Promise<number | null>((r) => strict.child.once('exit', r));
    expect(code).toBe(1);
    expect(strict.stderr()).toMatch(/DEPTH_ZERO_SELF_SIGNED_CERT/);
  }, 60_000);

  it('sockscope listen --tls --echo: openssl s_client gets its line back over TLS; the fingerprint is printed', async () => {
    const bundle = await bundleCli();
    const cli = startCli(process.execPath, [bundle, 'listen', '--tls', '--echo', '--host', '127.0.0.1', '--port', '0']);
    const port = Number(/listening 127\.0\.0\.1:(\d+)/.exec(await cli.line(/^listening /))?.[1]);
    await waitFor(() => /tls certificate sha256 ([0-9A-F]{2}:){31}[0-9A-F]{2} \(self-signed by Sockscope\)/.test(cli.stderr()), 'the fingerprint');
    const client = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-quiet'], { stdio: ['pipe', 'pipe', 'ignore'] });
    children.push(client);
    let got = '';
    client.stdout.on('data', (d: Buffer) => (got += d.toString()));
    client.stdin.write('echo me over tls\n');
    await waitFor(() => got.includes('echo me over tls'), 'the echo');
    cli.child.kill('SIGINT');
    expect(await new Promise<number | null>((r) => cli.child.once('exit', r))).toBe(0);
  }, 60_000);
});
