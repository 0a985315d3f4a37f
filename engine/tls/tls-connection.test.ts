/**
 * TLS connections through the engine's commands, against `openssl s_server`: an untrusted server
 * fails with the certificate at fault kept in the snapshot, Reconnect without verification is a
 * person's explicit choice (and says so), the conversation then carries its TLS session and the
 * server gets the plaintext; a Sockscope TLS listener and connection talk to each other; the
 * session file keeps TLS settings but never a key's passphrase.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { b64 } from '../testing/bytes';
import { useTestHosts } from '../testing/test-host';
import { waitFor } from '../testing/wait';
import { endpointEntry } from '../session/endpoint-entries';

const hasOpenssl = !spawnSync('openssl', ['version']).error;
const dir = mkdtempSync(join(tmpdir(), 'sockscope-tls-connection-'));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const host = useTestHosts();

async function sServer(args: string[]): Promise<{ port: number; received: () => string }> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const child = spawn('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, '-ign_eof', ...args], { cwd: dir });
  children.push(child);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString('latin1')));
  await waitFor(() => out.includes('ACCEPT'), 's_server ready');
  return { port, received: () => out };
}

describe.runIf(hasOpenssl)('TLS connections (engine commands)', () => {
  spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'k.pem', '-out', 'c.pem', '-days', '3', '-subj', '/CN=untrusted here', '-addext', 'subjectAltName=IP:127.0.0.1'], { cwd: dir });

  it('an untrusted server: closed with the reason and the chain; Reconnect without verification is explicit, then TLS carries the bytes', async () => {
    const server = await sServer(['-cert', 'c.pem', '-key', 'k.pem']);
    const h = host();
    const { endpointId } = await h.call('tcp:connect', { host: '127.0.0.1', port: server.port, tls: {} });
    const failed = await waitFor(() => (h.connection(endpointId).error ? h.connection(endpointId) : undefined), 'the failure');
    expect(failed.state).toBe('closed');
    expect(failed.error).toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT', syscall: 'SSL_connect', detail: 'self-signed' });
    expect(failed.error?.message).toMatch(/self-signed.*fingerprint/s);
    expect(failed.tlsFailure?.chain[0]).toMatchObject({ subject: 'CN=untrusted here', selfSigned: true });
    expect(failed.timeline.map((t) => t.call)).toEqual(expect.arrayContaining([expect.stringMatching(/^connect\(127/), 'SSL_connect()', 'certificate received', 'verify certificate']));

    await h.call('tcp:reconnect', { endpointId, tlsVerify: false });
    const up = await waitFor(() => (h.connection(endpointId).state === 'established' ? h.connection(endpointId) : undefined), 'established');
    expect(up.request.tls?.verify).toBe(false);
    expect(up.timeline.some((t) => t.call === 'verify certificate' && /turned off by you/.test(t.result))).toBe(true);
    expect(up.timeline.find((t) => t.call === 'secure')?.result).toMatch(/^\+\d+\.\d ms, handshake done: TLSv1\.3, /);
    const conv = h.conversation(up.conversationId as string);
    expect(conv.tls).toMatchObject({ version: 'TLSv1.3', verified: false, verifyEnabled: false, problem: { kind: 'self-signed' } });
    await h.call('conversation:send', { conversationId: conv.id, data: b64('over tls from the engine\n') });
    await waitFor(() => server.received().includes('over tls from the engine'), 'the server got it');

    // Plain TCP has nothing to turn off.
    const plain = await h.call('tcp:connect', { host: '127.0.0.1', port: server.port });
    expect((await h.fail('tcp:reconnect', { endpointId: plain.endpointId, tlsVerify: false })).message).toMatch(/does not use TLS/);
  });

  it('a Sockscope TLS listener and a Sockscope TLS connection: both sides show the session; the session file keeps TLS without the passphrase', async () => {
    const h = host();
    const { endpointId: l } = await h.call('tcp:listen', { bindAddress: '127.0.0.1', port: 0, tls: { alpn: ['sockscope-test'] } });
    const listener = await waitFor(() => (h.listener(l).state === 'listening' ? h.listener(l) : undefined), 'listening');
    const port = listener.local?.kind === 'inet' ? listener.local.port : 0;
    const { endpointId: c } = await h.call('tcp:connect', { host: '127.0.0.1', port, tls: { verify: false, alpn: ['sockscope-test'], serverName: 'localhost' } });
    const up = await waitFor(() => (h.connection(c).state === 'established' ? h.connection(c) : undefined), 'established');
    const ours = h.conversation(up.conversationId as string);
    expect(ours.tls).toMatchObject({ alpn: 'sockscope-test', serverName: 'localhost', chain: [{ sha256: listener.tls?.fingerprint }] });
    const accepted = await waitFor(() => h.listener(l).clientIds[0], 'accepted');
    expect(h.conversation(accepted).tls).toMatchObject({ alpn: 'sockscope-test', serverName: 'localhost' });

    const withKey = await h.call('tcp:connect', { host: '127.0.0.1', port, tls: { verify: false, identity: { certFile: join(dir, 'c.pem'), keyFile: join(dir, 'k.pem'), passphrase: 'not for disk' } } });
    const snap = await waitFor(() => (h.connection(withKey.endpointId).state === 'established' ? h.connection(withKey.endpointId) : undefined), 'established');
    expect(JSON.stringify(snap)).not.toContain('not for disk');
    const entry = endpointEntry(snap, undefined);
    expect(entry).toMatchObject({ kind: 'tcp-connection', tls: { verify: false, identity: { certFile: join(dir, 'c.pem') } } });
    expect(JSON.stringify(entry)).not.toContain('not for disk');
    expect(endpointEntry(h.listener(l), undefined)).toMatchObject({ kind: 'tcp-listener', tls: { alpn: ['sockscope-test'] } });
  });
});
