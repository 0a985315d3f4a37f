/**
 * Recording: every chunk to a JSON Lines file beyond the ring buffer's limit, stopped cleanly on
 * close, bounded when the disk is slow, and a failing disk stops the recording — never the
 * conversation. Then the pcapng export, checked block by block (and with tshark when installed).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandName, CommandRequest, CommandResponse } from '../../shared/contract';
import { createEngineHost, type EngineHost } from '../index';
import { waitFor } from '../testing/wait';
import { parsePcapng, reassemble } from './pcapng-reader';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Host extends EngineHost {
  dir: string;
  call<N extends CommandName>(name: N, payload: CommandRequest<N>): Promise<CommandResponse<N>>;
}

function host(ringBytes = 4096): Host {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-rec-'));
  const h = createEngineHost({ mode: 'browser', version: 'test', dataDir: dir, ringBytes });
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }), () => h.engine.shutdown());
  return {
    ...h,
    dir,
    async call(name, payload) {
      const r = await h.dispatch(name, payload);
      if (!r.ok) throw new Error(`${name}: ${r.error.code} ${r.error.message}`);
      return r.value as never;
    },
  };
}

/** A listener and one raw client; returns the accepted conversation's id. */
async function listenerWithClient(h: Host): Promise<{ cid: string; client: Socket; listenerId: string }> {
  const { endpointId } = await h.call('tcp:listen', { bindAddress: '127.0.0.1', port: 0 });
  const snap = h.engine.requireEndpoint(endpointId).snapshot();
  const port = snap.local?.kind === 'inet' ? snap.local.port : 0;
  const client = connect(port, '127.0.0.1');
  client.on('error', () => {});
  cleanups.push(() => client.destroy());
  const cid = await waitFor(() => (snap.kind === 'tcp-listener' ? (h.engine.requireEndpoint(endpointId).snapshot() as typeof snap).clientIds[0] : null), 'client');
  return { cid, client, listenerId: endpointId };
}

interface Line {
  type: string;
  dir?: 'in' | 'out';
  data?: string;
  size?: number;
  us?: number;
  reason?: string;
  peer?: string;
  datagrams?: number;
}
const readLines = (path: string): Line[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line);
const bytesOf = (lines: Line[], dir: 'in' | 'out') => Buffer.concat(lines.filter((l) => l.type === 'data' && l.dir === dir).map((l) => Buffer.from(l.data as string, 'base64')));

const conv = (h: Host, id: string) => h.engine.requireConversation(id).snapshot()!;

describe('recording', () => {
  it('records both directions beyond the ring buffer, with timestamps, and stops on request', async () => {
    const h = host(4096);
    const { cid, client } = await listenerWithClient(h);
    const { path } = await h.call('recording:start', { conversationId: cid });
    expect(path.startsWith(join(h.dir, 'recordings'))).toBe(true);
    expect(conv(h, cid).recording).toMatchObject({ state: 'recording', path });

    const sent = Buffer.alloc(100_000).map((_, i) => i % 251);
    client.write(sent);
    await waitFor(() => conv(h, cid).stats.bytesIn === sent.length, 'all bytes in');
    await h.call('conversation:send', { conversationId: cid, data: Buffer.from('hello\n').toString('base64') });
    await waitFor(() => conv(h, cid).stats.bytesOut === 6, 'sent');
    expect(conv(h, cid).notKept.in).toBeGreaterThan(90_000); // the ring kept only 4 KiB…

    await h.call('recording:stop', { conversationId: cid });
    const lines = readLines(path);
    expect(lines[0]).toMatchObject({ type: 'header', format: 'sockscope-recording', version: 1, kind: 'tcp', role: 'accepted' });
    expect(bytesOf(lines, 'in').equals(sent)).toBe(true); // …the recording kept everything
    expect(bytesOf(lines, 'out').toString()).toBe('hello\n');
    const data = lines.filter((l) => l.type === 'data');
    expect(data.every((l, i) => i === 0 || (l.us as number) >= (data[i - 1]?.us as number))).toBe(true);
    expect(lines.at(-1)).toMatchObject({ type: 'end', reason: 'stopped' });
    expect(conv(h, cid).recording).toMatchObject({ state: 'stopped', records: data.length, payloadBytes: 100_006, pendingBytes: 0 });

    // After stop, nothing more is written.
    client.write('later');
    await waitFor(() => conv(h, cid).stats.bytesIn === sent.length + 5, 'later bytes');
    expect(readLines(path)).toHaveLength(lines.length);
  });

  it('stops cleanly when the conversation closes', async () => {
    const h = host();
    const { cid, client } = await listenerWithClient(h);
    const { path } = await h.call('recording:start', { conversationId: cid });
    client.end('bye');
    await waitFor(() => conv(h, cid).state === 'peer-closed' || conv(h, cid).state === 'closed', 'peer closed');
    await h.call('conversation:shutdown', { conversationId: cid });
    await waitFor(() => conv(h, cid).recording?.state === 'stopped', 'recording stopped');
    await waitFor(() => readLines(path).at(-1)?.type === 'end', 'end line');
    expect(readLines(path).at(-1)).toMatchObject({ type: 'end', reason: 'closed' });
    const r = await h.dispatch('recording:start', { conversationId: cid });
    expect(r.ok).toBe(false);
  });

  it('a disk error (ENOSPC) stops the recording with the error; the conversation keeps working', async () => {
    const h = host();
    h.engine.recordings.deps = {
      open: () =>
        new Writable({
          write(_chunk, _enc, cb) {
            cb(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }));
          },
        }),
    };
    const { cid, client } = await listenerWithClient(h);
    await h.call('recording:start', { conversationId: cid });
    client.write('data that cannot be written');
    await waitFor(() => conv(h, cid).recording?.state === 'failed', 'recording failed');
    expect(conv(h, cid).recording?.error).toMatchObject({ code: 'ENOSPC', message: expect.stringMatching(/No space left.*connection goes on/) });
    // The conversation is untouched: it still receives and sends.
    const got = new Promise<Buffer>((r) => client.once('data', r));
    await h.call('conversation:send', { conversationId: cid, data: Buffer.from('still here').toString('base64') });
    expect((await got).toString()).toBe('still here');
    client.write('more');
    await waitFor(() => conv(h, cid).stats.bytesIn === 27 + 4, 'still receiving');
    expect(conv(h, cid).state).toBe('established');
    expect(h.engine.requireConversation(cid).traffic.tap).toBeNull();
  });

  it('a disk that cannot keep up: the queue stays bounded and the recording stops, not the conversation', async () => {
    const h = host();
    const maxPendingBytes = 256 * 1024;
    // Accepts one write and never completes it: every later line must wait in our queue.
    h.engine.recordings.deps = { maxPendingBytes, open: () => new Writable({ highWaterMark: 1024, write() {} }) };
    const { cid, client } = await listenerWithClient(h);
    await h.call('recording:start', { conversationId: cid });
    let maxPending = 0;
    for (let i = 0; i < 64; i++) {
      client.write(Buffer.alloc(16 * 1024, 1));
      await new Promise((r) => setTimeout(r, 2));
      maxPending = Math.max(maxPending, conv(h, cid).recording?.pendingBytes ?? 0);
    }
    await waitFor(() => conv(h, cid).recording?.state === 'failed', 'recording gave up');
    expect(maxPending).toBeLessThanOrEqual(maxPendingBytes + 64 * 1024);
    expect(conv(h, cid).recording?.error?.code).toBe('ERECORDING_BEHIND');
    await waitFor(() => conv(h, cid).stats.bytesIn === 64 * 16 * 1024, 'every byte still received');
  });

  it('a file that cannot be created (EACCES) is reported by recording:start and in the state', async () => {
    const h = host();
    h.engine.recordings.deps = {
      open: () => {
        const w = new Writable({ write: (_c, _e, cb) => cb() });
        setImmediate(() => w.destroy(Object.assign(new Error('permission denied'), { code: 'EACCES' })));
        Object.assign(w, { pending: true });
        return w;
      },
    };
    const { cid } = await listenerWithClient(h);
    const r = await h.dispatch('recording:start', { conversationId: cid });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.message).toMatch(/^EACCES: Permission denied/);
    expect(conv(h, cid).recording).toMatchObject({ state: 'failed', error: { code: 'EACCES' } });
  });

  it('records a UDP endpoint: datagrams with their peers', async () => {
    const h = host();
    const { endpointId } = await h.call('udp:bind', { bindAddress: '127.0.0.1', port: 0 });
    const snap = h.engine.requireEndpoint(endpointId).snapshot();
    const port = snap.local?.kind === 'inet' ? snap.local.port : 0;
    const { path } = await h.call('recording:start', { conversationId: endpointId });
    const peer = createSocket('udp4');
    cleanups.push(() => peer.close());
    await new Promise<void>((r) => peer.bind(0, '127.0.0.1', r));
    for (let i = 0; i < 5; i++) peer.send(`dgram ${i}`, port, '127.0.0.1');
    await waitFor(() => {
      const s = h.engine.requireEndpoint(endpointId).snapshot();
      return s.kind === 'udp' && s.stats.chunksIn === 5;
    }, 'five datagrams');
    await h.call('recording:stop', { conversationId: endpointId });
    const data = readLines(path).filter((l) => l.type === 'data');
    expect(data.map((l) => Buffer.from(l.data as string, 'base64').toString())).toEqual([0, 1, 2, 3, 4].map((i) => `dgram ${i}`));
    expect(data[0]?.peer).toBe(`127.0.0.1:${peer.address().port}`);
  });
});

describe('pcapng export', () => {
  it('writes SHB, IDB (Ethernet) and EPBs with consistent TCP sequence numbers over the recorded stream', async () => {
    const h = host();
    const { cid, client } = await listenerWithClient(h);
    await h.call('recording:start', { conversationId: cid });
    const up = Buffer.alloc(200_000).map((_, i) => (i * 7) % 256); // > one 65,000-byte segment
    client.write(up);
    await waitFor(() => conv(h, cid).stats.bytesIn === up.length, 'bytes in');
    await h.call('conversation:send', { conversationId: cid, data: Buffer.from('reply one\n').toString('base64') });
    await h.call('conversation:send', { conversationId: cid, data: Buffer.from('reply two\n').toString('base64') });
    await waitFor(() => conv(h, cid).stats.bytesOut === 20, 'sent');
    await h.call('recording:stop', { conversationId: cid });
    const { path } = await h.call('recording:export-pcapng', { conversationId: cid });
    expect(path.endsWith('.pcapng')).toBe(true);
    expect(conv(h, cid).recording?.exportedPath).toBe(path);

    const file = parsePcapng(readFileSync(path));
    expect(file.linktype).toBe(1);
    expect(file.tsresol).toBe(6);
    const c = conv(h, cid);
    const local = c.local?.kind === 'inet' ? c.local : null;
    const remote = c.remote?.kind === 'inet' ? c.remote : null;
    // The peer connected to us: its SYN first.
    expect(file.packets[0]).toMatchObject({ flags: 0x02, srcPort: remote?.port, dstPort: local?.port });
    expect(file.packets[1]).toMatchObject({ flags: 0x12 });
    expect(file.packets[2]).toMatchObject({ flags: 0x10 });
    expect(file.packets.every((p) => p.ipChecksumOk && p.tcpChecksumOk)).toBe(true);
    const streams = reassemble(file.packets, local?.port as number);
    expect(streams.fromPeer.equals(up)).toBe(true);
    expect(streams.fromLocal.toString()).toBe('reply one\nreply two\n');
    expect(streams.seqErrors).toEqual([]);
    expect(file.packets.every((p) => p.tsUs > 1.5e15)).toBe(true); // µs since the epoch
  });

  const tshark = spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status === 0;
  it.skipIf(!tshark)('opens in tshark with the stream intact', async () => {
    const h = host();
    const { cid, client } = await listenerWithClient(h);
    await h.call('recording:start', { conversationId: cid });
    client.write('GET / HTTP/1.0\r\n\r\n');
    await waitFor(() => conv(h, cid).stats.bytesIn === 18, 'request');
    await h.call('conversation:send', { conversationId: cid, data: Buffer.from('HTTP/1.0 200 OK\r\n\r\nhi').toString('base64') });
    await waitFor(() => conv(h, cid).stats.bytesOut === 21, 'response');
    const { path } = await h.call('recording:export-pcapng', { conversationId: cid });
    const fields = execFileSync('tshark', ['-r', path, '-T', 'fields', '-e', 'tcp.flags.str', '-e', 'tcp.len', '-e', '_ws.expert.message'], { encoding: 'utf8' });
    const rows = fields.trim().split('\n').map((l) => l.split('\t'));
    expect(rows).toHaveLength(5);
    expect(rows.map((r) => r[1])).toEqual(['0', '0', '0', '18', '21']);
    expect(rows.map((r) => r[2] ?? '').join('')).not.toMatch(/previous segment not captured|retransmission|out-of-order/i);
    const follow = execFileSync('tshark', ['-r', path, '-q', '-z', 'follow,tcp,ascii,0'], { encoding: 'utf8' });
    expect(follow).toContain('GET / HTTP/1.0');
    expect(follow).toContain('HTTP/1.0 200 OK');
  });
});
