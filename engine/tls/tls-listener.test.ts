/**
 * A TLS listener through the engine's own commands, with real clients nobody here wrote:
 * `openssl s_client` and `curl` speak TLS to it, the Clients table shows each client's TLS session,
 * the traffic log shows plaintext while the counters tell wire bytes apart, behaviours answer over
 * TLS as over TCP, the key log can be exported, a bad certificate file fails the open in plain
 * words, and a client that never finishes its handshake does not become a client.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SockAddr } from '../../shared/primitives';
import { useTestHosts } from '../testing/test-host';
import { waitFor } from '../testing/wait';
import { runTool } from './tls-test-helpers';

const hasOpenssl = !spawnSync('openssl', ['version']).error;
const hasCurl = !spawnSync('curl', ['--version']).error;
const dir = mkdtempSync(join(tmpdir(), 'sockscope-tls-listener-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const host = useTestHosts();

function portOf(local: SockAddr | null): number {
  if (local?.kind !== 'inet') throw new Error('not bound');
  return local.port;
}

describe.runIf(hasOpenssl)('TLS listener (engine commands, real clients)', () => {
  it('openssl s_client: TLS 1.3 session in the client row, plaintext in the log, wire bytes counted apart, echo over TLS, key log', async () => {
    const h = host();
    const { endpointId } = await h.call('tcp:listen', { bindAddress: '127.0.0.1', port: 0, tls: {}, behaviour: { mode: 'echo' } as never });
    const listener = await waitFor(() => (h.listener(endpointId).state === 'listening' ? h.listener(endpointId) : undefined), 'listening');
    expect(listener.tls).toMatchObject({ selfSigned: true, fingerprint: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/) });
    expect(listener.timeline.map((t) => t.call)).toContain('SSL_CTX_use_certificate()');

    const out = await runTool('openssl', ['s_client', '-connect', `127.0.0.1:${portOf(listener.local)}`, '-tls1_3', '-quiet'], 'hello over tls\n', 'hello over tls');
    expect(out).toContain('hello over tls'); // echoed back through TLS
    const clientId = await waitFor(() => h.listener(endpointId).clientIds[0], 'a client');
    const conv = await waitFor(() => (h.conversation(clientId).stats.bytesIn > 0 ? h.conversation(clientId) : undefined), 'bytes in');
    expect(conv.tls).toMatchObject({ version: 'TLSv1.3', verified: false, chain: [] });
    expect(conv.tls?.wireBytesIn).toBeGreaterThan(conv.stats.bytesIn);
    // The listener's timeline has the client's handshake, each step timed since its ClientHello.
    const handshake = h.listener(endpointId).timeline.filter((t) => t.call.startsWith(`[${clientId}] `) && !/accept|close/.test(t.call)).map((t) => `${t.call} → ${t.result}`);
    expect(handshake.slice(0, 3)).toEqual([
      expect.stringMatching(/ClientHello received → \d+ bytes, [\d.]+ ms after accept\(\)$/),
      expect.stringMatching(/certificate sent → \+[\d.]+ ms: SHA-256 [0-9A-F:]{95} \(self-signed by Sockscope\)$/),
      expect.stringMatching(/secure → \+[\d.]+ ms, handshake done: TLSv1\.3, /),
    ]);
    const page = await h.call('traffic:page', { conversationId: clientId, limit: 10, full: true });
    expect(Buffer.from(page.chunks[0]?.data ?? '', 'base64').toString()).toBe('hello over tls\n');
    const keys = await h.call('tls:key-log', { conversationId: clientId });
    expect(keys.text).toMatch(/^SERVER_HANDSHAKE_TRAFFIC_SECRET [0-9a-f]{64} /m);
    expect(keys.lines).toBeGreaterThanOrEqual(4);
  });

  it('Reset on a TLS client sends RST on the TCP socket under it, and the engine keeps running (also when the peer dies at once)', async () => {
    const h = host();
    const { endpointId } = await h.call('tcp:listen', { bindAddress: '127.0.0.1', port: 0, tls: {} });
    const listener = await waitFor(() => (h.listener(endpointId).state === 'listening' ? h.listener(endpointId) : undefined), 'listening');
    for (const dies of [false, true]) {
      const peer = tlsConnect({ host: '127.0.0.1', port: portOf(listener.local), rejectUnauthorized: false });
      const ended = new Promise<string>((resolve) => {
        peer.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
        peer.once('close', () => resolve('close'));
      });
      await new Promise((r) => peer.once('secureConnect', r));
      const clientId = await waitFor(() => h.listener(endpointId).clientIds.find((id) => !h.conversation(id).closedAt && h.conversation(id).tls), 'a TLS client');
      if (dies) peer.destroy();
      await h.call('conversation:reset', { conversationId: clientId });
      if (!dies) expect(await ended).toBe('ECONNRESET');
      await waitFor(() => h.conversation(clientId).closedAt, 'closed');
    }
    expect((await h.call('app:info', {})).name).toBe('Sockscope');
  });

  it.runIf(!spawnSync('tshark', ['--version']).error)('a recorded TLS conversation exports as pcapng of its plaintext, and the file says it is decrypted TLS', async () => {
    const h = host({ dataDir: join(dir, 'rec-data') });
    const { endpointId } = await h.call('tcp:listen', { bindAddress: '127.0.0.1', port: 0, tls: {} });
    const listener = await waitFor(() => (h.listener(endpointId).state === 'listening' ? h.listener(endpointId) : undefined), 'listening');
    const peer = tlsConnect({ host: '127.0.0.1', port: portOf(listener.local), rejectUnauthorized: false });
    peer.on('error', () => {});
    await new Promise((r) => peer.once('secureConnect', r));
    const clientId = await waitFor(() => h.listener(endpointId).clientIds[0], 'a client');
    await h.call('recording:start', { conversationId: clientId });
    peer.write('GET /over-tls HTTP/1.0\r\n\r\n');
    await waitFor(() => h.conversation(clientId).stats.bytesIn > 0, 'the request');
    const { path } = await h.call('recording:export-pcapng', { conversationId: clientId });
    expect(readFileSync(path).toString('latin1')).toContain('Decrypted TLS: the payload is the plaintext of a TLS stream (TLSv1.3');
    const follow = spawnSync('tshark', ['-r', path, '-q', '-z', 'follow,tcp,ascii,0'], { encoding: 'utf8' }).stdout;
    expect(follow).toContain('GET /over-tls HTTP/1.0');
    peer.destroy();
  });

  it.runIf(hasCurl)('curl -k to a TLS listener with an auto-reply: the canned reply arrives over TLS', async () => {
    const h = host();
    const reply = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 11\r\nConnection: close\r\n\r\ncanned body').toString('base64');
    const { endpointId } = await h.call('tcp:listen', { bindAddress: '127.0.0.1', port: 0, tls: { alpn: ['http/1.1'] }, behaviour: { mode: 'auto-reply', reply, closeAfterReply: true } as never });
    const listener = await waitFor(() => (h.listener(endpointId).state === 'listening' ? h.listener(endpointId) : undefined), 'listening');
    expect(await runTool('curl', ['-sk', '--max-time', '5', `https://127.0.0.1:${portOf(listener.local)}/`])).toBe('canned body');
  });

  it('a certificate file that is missing or a symbolic link fails the open in plain words; a stalled handshake never becomes a client', async () => {
    const h = host();
    const missing = await h.call('tcp:listen', { bindAddress: '127.0.0.1', port: 0, tls: { certFile: join(dir, 'none.pem'), keyFile: join(dir, 'none.key') } });
    const failed = await waitFor(() => h.listener(missing.endpointId).error, 'an error');
    expect(failed.code).toBe('ENOENT');
    writeFileSync(join(dir, 'real.pem'), 'x');
    symlinkSync(join(dir, 'real.pem'), join(dir, 'link.pem'));
    const linked = await h.call('tcp:listen', { bindAddress: '127.0.0.1', port: 0, tls: { certFile: join(dir, 'link.pem'), keyFile: join(dir, 'real.pem') } });
    expect((await waitFor(() => h.listener(linked.endpointId).error, 'an error')).code).toBe('ELOOP');

    const { endpointId } = await h.call('tcp:listen', { bindAddress: '127.0.0.1', port: 0, tls: {} });
    const listener = await waitFor(() => (h.listener(endpointId).state === 'listening' ? h.listener(endpointId) : undefined), 'listening');
    const silent = createConnection({ host: '127.0.0.1', port: portOf(listener.local) });
    silent.on('error', () => {});
    await new Promise((r) => silent.once('connect', r));
    await new Promise((r) => setTimeout(r, 200));
    expect(h.listener(endpointId).clientIds).toEqual([]);
    await h.call('endpoint:close', { endpointId });
    await new Promise((r) => silent.once('close', r));
  });
});
