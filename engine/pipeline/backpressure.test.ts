/**
 * Backpressure end to end, on real loopback sockets: a peer that never reads cannot make the engine
 * queue past its bound (sends beyond it are refused, not queued), and a flooded endpoint does not
 * starve another one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LIMITS } from '../../shared/primitives';
import { SEND_BUFFER_LIMIT, type TcpConversation } from '../tcp/conversation';
import { TestHost } from '../testing/test-host';
import { waitFor } from '../testing/wait';

const MiB = 1024 * 1024;
const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function host(): TestHost {
  const h = new TestHost();
  cleanups.push(() => h.engine.shutdown());
  return h;
}

async function listenRaw(onConnection: (s: Socket) => void): Promise<{ server: Server; port: number }> {
  const server = createServer(onConnection);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('error', () => {});
  });
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  );
  const a = server.address();
  return { server, port: typeof a === 'object' && a ? a.port : 0 };
}

const portOf = (h: TestHost, id: string) => {
  const l = h.listener(id).local;
  return l?.kind === 'inet' ? l.port : 0;
};

describe('backpressure', () => {
  it('refuses sends to a peer that never reads once the bound is reached, instead of queueing', async () => {
    const h = host();
    const peer = await listenRaw((s) => s.pause()); // accepts, never reads
    const { endpointId } = await h.call('tcp:connect', { host: '127.0.0.1', port: peer.port });
    const cid = await waitFor(() => h.connection(endpointId).state === 'established' && h.connection(endpointId).conversationId, 'established');
    const conv = h.engine.requireConversation(cid) as TcpConversation;
    const message = Buffer.alloc(MiB, 0x61).toString('base64');

    let refused: { code: string; message: string } | null = null;
    let accepted = 0;
    // Bounded: kernel buffers (a few MiB) + the 8 MiB send bound are far below 200 MiB.
    for (let i = 0; i < 200 && !refused; i++) {
      const r = await h.dispatch('conversation:send', { conversationId: cid, data: message });
      if (r.ok) accepted++;
      else refused = r.error;
      await new Promise<void>((res) => setImmediate(res));
    }
    expect(refused?.code).toBe('INVALID_STATE');
    expect(refused?.message).toMatch(/send buffer full, peer is not reading/);
    const queued = conv.socket.writableLength;
    expect(queued).toBeGreaterThanOrEqual(SEND_BUFFER_LIMIT);
    expect(queued).toBeLessThanOrEqual(SEND_BUFFER_LIMIT + MiB);
    expect(h.conversation(cid).stats.queuedOut).toBeLessThanOrEqual(SEND_BUFFER_LIMIT + LIMITS.messageBytes);

    // Beyond the bound nothing more is queued or counted as sent.
    const bytesOut = h.conversation(cid).stats.bytesOut;
    for (let i = 0; i < 20; i++) {
      const r = await h.dispatch('conversation:send', { conversationId: cid, data: message });
      expect(r.ok).toBe(false);
    }
    expect(conv.socket.writableLength).toBe(queued);
    expect(h.conversation(cid).stats.bytesOut).toBe(bytesOut);
    expect(bytesOut).toBe(accepted * MiB);
  });

  it('pauses an echo that the peer does not read (no unbounded echo queue)', async () => {
    const h = host();
    const { endpointId } = await h.call('tcp:listen', { bindAddress: '127.0.0.1', port: 0, behaviour: { mode: 'echo' } });
    // A child process writes 64 MiB and never reads the echo.
    const child = spawn(
      process.execPath,
      [
        '-e',
        `const s=require('net').connect(${portOf(h, endpointId)},'127.0.0.1');s.pause();const b=Buffer.alloc(65536);let n=0;` +
          `const go=()=>{while(n<1024){n++;if(!s.write(b))return s.once('drain',go)}};s.on('connect',go);s.on('error',()=>{});`,
      ],
      { stdio: 'ignore' },
    );
    cleanups.push(() => {
      child.kill('SIGKILL');
    });
    const cid = await waitFor(() => h.listener(endpointId).clientIds[0], 'the client');
    const conv = h.engine.requireConversation(cid) as TcpConversation;
    let maxQueued = 0;
    const start = Date.now();
    while (Date.now() - start < 1500) {
      maxQueued = Math.max(maxQueued, conv.socket.writableLength);
      await new Promise((r) => setTimeout(r, 20));
    }
    const inBytes = h.conversation(cid).stats.bytesIn;
    // The echo stopped reading: far less than the 64 MiB came in, and the queue stayed near the high-water mark.
    expect(inBytes).toBeLessThan(48 * MiB);
    expect(maxQueued).toBeLessThanOrEqual(SEND_BUFFER_LIMIT);
  });

  it("keeps another connection's echo prompt while a third floods the engine", async () => {
    const h = host();
    // A UI client is attached, so the flood also goes through the batcher.
    let batches = 0;
    cleanups.push(h.engine.attachClient({ send: () => void batches++ }));
    const sink = await h.call('tcp:listen', { bindAddress: '127.0.0.1', port: 0, behaviour: { mode: 'discard' } });
    const echo = await h.call('tcp:listen', { bindAddress: '127.0.0.1', port: 0, behaviour: { mode: 'echo' } });

    const flooder: ChildProcess = spawn(
      process.execPath,
      [
        '-e',
        `const s=require('net').connect(${portOf(h, sink.endpointId)},'127.0.0.1');const b=Buffer.alloc(65536,1);` +
          `const go=()=>{while(s.write(b));s.once('drain',go)};s.on('connect',go);s.on('error',()=>process.exit(0));setTimeout(()=>process.exit(0),20000);`,
      ],
      { stdio: 'ignore' },
    );
    cleanups.push(() => {
      flooder.kill('SIGKILL');
    });
    const floodId = await waitFor(() => h.listener(sink.endpointId).clientIds[0], 'the flooder');
    await waitFor(() => h.conversation(floodId).stats.bytesIn > 16 * MiB, 'the flood under way');

    const client = connect(portOf(h, echo.endpointId), '127.0.0.1');
    cleanups.push(() => {
      client.destroy();
    });
    await new Promise<void>((r) => client.once('connect', () => r()));
    const floodedBefore = h.conversation(floodId).stats.bytesIn;
    const rtts: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      const got = new Promise<void>((r) => client.once('data', () => r()));
      client.write(`ping ${i}\n`);
      await got;
      rtts.push(performance.now() - t0);
    }
    // The flood went on while the pings were timed (how much depends on the machine's speed).
    const floodedDuring = h.conversation(floodId).stats.bytesIn - floodedBefore;
    rtts.sort((a, b) => a - b);
    expect(floodedDuring).toBeGreaterThan(1 * MiB);
    // Prompt despite the flood: every round trip well under a frame budget on a loaded 2-core runner.
    expect(rtts[Math.floor(rtts.length / 2)]).toBeLessThan(50);
    expect(rtts.at(-1)).toBeLessThan(250);
    expect(batches).toBeGreaterThan(0);
  });
});
