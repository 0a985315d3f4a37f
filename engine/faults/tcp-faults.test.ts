/**
 * The fault suite, TCP side (loopback only, bounded in time): peers that reset mid-transfer,
 * half-close, get SIGKILLed or never read; connects that are refused, unresolvable or time out.
 * After each fault: the engine still answers, the endpoint shows the right state and error, a
 * control pair of other endpoints still echoes, and nothing became an unhandled rejection, an
 * uncaught 'error' or a MaxListenersExceededWarning.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { beforeEach, describe, expect, it } from 'vitest';
import { SEND_BUFFER_LIMIT } from '../tcp/conversation';
import { b64 } from '../testing/bytes';
import { track } from '../testing/cleanup';
import { MiB, nodeChild, settledMemory, useFaultHarness } from '../testing/faults';
import { freePort, fullQueueListener, rawClient, trafficBytes } from '../testing/tcp-peers';
import type { TestHost } from '../testing/test-host';
import { sleep, waitFor } from '../testing/wait';

// After every fault: the engine is up and the other endpoints are untouched (see useFaultHarness).
const harness = useFaultHarness();
let h: TestHost;
beforeEach(() => {
  h = harness.h;
});

/** A loopback server owned by the test. */
async function server(onConnection: (s: Socket) => void, opts: { allowHalfOpen?: boolean; pauseOnConnect?: boolean } = {}): Promise<{ srv: Server; port: number }> {
  const srv = createServer({ allowHalfOpen: opts.allowHalfOpen ?? false, pauseOnConnect: opts.pauseOnConnect ?? false }, (s) => {
    s.on('error', () => {});
    track(() => {
      s.destroy();
    });
    onConnection(s);
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  track(() => new Promise<void>((resolve) => srv.close(() => resolve())));
  const a = srv.address();
  return { srv, port: typeof a === 'object' && a ? a.port : 0 };
}

async function connectTo(port: number, extra: object = {}) {
  const { endpointId } = await h.call('tcp:connect', { host: '127.0.0.1', port, ...extra });
  return endpointId;
}

async function establishedConversation(endpointId: string): Promise<string> {
  return waitFor(() => {
    const s = h.connection(endpointId);
    if (s.state === 'closed') throw new Error(`closed: ${JSON.stringify(s.error)}`);
    return s.conversationId ?? undefined;
  }, `${endpointId} established`);
}

const closedWithError = (endpointId: string, timeoutMs = 5000) =>
  waitFor(
    () => {
      const s = h.connection(endpointId);
      return s.state === 'closed' && s.error ? s : undefined;
    },
    `${endpointId} closed with an error`,
    timeoutMs,
  );

/** Sends `total` bytes in 256 KiB messages, waiting while the send buffer is full; stops once refused for being closed. */
async function sendTransfer(conversationId: string, total: number): Promise<number> {
  const piece = Buffer.alloc(256 * 1024, 0x61);
  let sent = 0;
  while (sent < total) {
    const r = await h.dispatch('conversation:send', { conversationId, data: b64(piece) });
    if (r.ok) {
      sent += piece.length;
      continue;
    }
    expect(r.error.code).toBe('INVALID_STATE');
    if (!/send buffer full/.test(r.error.message)) break; // closed (reset): the transfer ends here
    await sleep(5);
  }
  return sent;
}

const TRANSFER = 4 * MiB;

describe('peer resets (RST) during a transfer', () => {
  for (const fraction of [0, 0.01, 0.5]) {
    it(`our outgoing transfer, reset by the peer at ${fraction * 100} %`, async () => {
      let received = 0;
      const { port } = await server((s) => {
        if (fraction === 0) {
          s.resetAndDestroy();
          return;
        }
        s.on('data', (d: Buffer) => {
          received += d.length;
          if (received >= fraction * TRANSFER && !s.destroyed) s.resetAndDestroy();
        });
      });
      const c = await connectTo(port);
      if (fraction === 0) {
        // The RST can beat the connect's completion to the event loop: then it is the attempt's result.
        const s = await closedWithError(c);
        expect(s.error!.code).toBe('ECONNRESET');
        expect(s.error!.message).toMatch(/reset by peer/);
        if (s.conversationId === null) {
          expect(s.attempts.map((a) => a.result)).toEqual(['ECONNRESET']);
          return;
        }
      }
      const conv = await waitFor(() => h.connection(c).conversationId, 'established');
      const sent = fraction === 0 ? 0 : await sendTransfer(conv, TRANSFER);
      const s = await closedWithError(c);
      expect(['ECONNRESET', 'EPIPE']).toContain(s.error!.code);
      expect(s.error!.message.length).toBeGreaterThan(20);
      const cs = h.conversation(conv);
      expect(cs.state).toBe('closed');
      expect(['peer-reset', 'error']).toContain(cs.firstToClose);
      if (fraction > 0) {
        expect(received).toBeGreaterThanOrEqual(fraction * TRANSFER);
        expect(sent).toBeLessThan(TRANSFER + SEND_BUFFER_LIMIT);
      }
      // A send after the reset is refused with a typed error, not a crash.
      const after = await h.dispatch('conversation:send', { conversationId: conv, data: b64('late') });
      expect(after.ok ? 'ok' : after.error.code).toBe('INVALID_STATE');
    });

    it(`a client's incoming transfer to our listener, reset at ${fraction * 100} %`, async () => {
      const { endpointId: lid } = await h.call('tcp:listen', { bindAddress: '127.0.0.1', port: 0 });
      const l = h.listener(lid);
      const port = l.local?.kind === 'inet' ? l.local.port : 0;
      const client = await rawClient(port);
      client.socket.on('error', () => {});
      const cid = await waitFor(() => h.listener(lid).clientIds[0], 'accepted');
      const part = Buffer.alloc(Math.floor(fraction * TRANSFER), 0x62);
      if (part.length > 0) {
        client.socket.write(part);
        // Reset once we have read X %: an RST that arrives in the same poll as unread data is
        // reported by libuv as EOF (see docs/security.md, "What the fault suite cannot see").
        await waitFor(() => h.conversation(cid).stats.bytesIn === part.length, `${part.length} bytes received`);
      }
      client.socket.resetAndDestroy();
      const cs = await waitFor(() => (h.conversation(cid).state === 'closed' ? h.conversation(cid) : undefined), 'client closed');
      expect(cs.error?.code).toBe('ECONNRESET');
      expect(cs.firstToClose).toBe('peer-reset');
      expect(cs.stats.bytesIn).toBe(part.length);
      // The listener is unaffected and accepts the next client.
      expect(h.listener(lid).state).toBe('listening');
      expect(h.listener(lid).error).toBeNull();
      const next = await rawClient(port);
      await waitFor(() => h.listener(lid).clientIds.length === 2, 'next client accepted');
      next.socket.destroy();
    });
  }
});

describe('a reset that lands together with unread data', () => {
  it('is seen as EOF by libuv or as ECONNRESET; either way our next send closes the endpoint with the error', async () => {
    const { endpointId: lid } = await h.call('tcp:listen', { bindAddress: '127.0.0.1', port: 0 });
    const l = h.listener(lid);
    const client = await rawClient(l.local?.kind === 'inet' ? l.local.port : 0);
    client.socket.on('error', () => {});
    const cid = await waitFor(() => h.listener(lid).clientIds[0], 'accepted');
    client.socket.write(Buffer.alloc(40_000, 0x65), () => client.socket.resetAndDestroy());
    await waitFor(() => ['peer-closed', 'closed'].includes(h.conversation(cid).state), 'reset seen');
    for (let i = 0; i < 50 && h.conversation(cid).state !== 'closed'; i++) {
      await h.dispatch('conversation:send', { conversationId: cid, data: b64('still there?\n') });
      await sleep(20);
    }
    const cs = h.conversation(cid);
    expect(cs.state).toBe('closed');
    expect(['ECONNRESET', 'EPIPE']).toContain(cs.error?.code);
    expect(h.listener(lid).state).toBe('listening');
  });
});

describe('peer half-closes', () => {
  it('shows "peer-closed", keeps our direction open, and closes cleanly on our FIN', async () => {
    let peerGot = Buffer.alloc(0);
    let peerSawEnd = false;
    const { port } = await server(
      (s) => {
        s.on('data', (d: Buffer) => (peerGot = Buffer.concat([peerGot, d])));
        s.on('end', () => {
          peerSawEnd = true;
          s.end();
        });
        s.end('bye from the peer\n');
      },
      { allowHalfOpen: true },
    );
    const c = await connectTo(port);
    const conv = await establishedConversation(c);
    await waitFor(() => h.connection(c).state === 'peer-closed', 'peer-closed');
    expect((await trafficBytes(h, conv, 'in')).toString()).toBe('bye from the peer\n');
    expect(h.conversation(conv).firstToClose).toBe('peer');
    await h.call('conversation:send', { conversationId: conv, data: b64('still talking\n') });
    await waitFor(() => peerGot.toString() === 'still talking\n', 'the peer still receives');
    await h.call('conversation:shutdown', { conversationId: conv });
    await waitFor(() => h.connection(c).state === 'closed', 'closed');
    await waitFor(() => peerSawEnd, 'the peer sees our FIN');
    expect(h.connection(c).error).toBeNull();
    expect(h.conversation(conv).error).toBeNull();
  });
});

describe('peer killed with SIGKILL', () => {
  const ECHO_SERVER = `
    const s = require('net').createServer((c) => c.pipe(c));
    s.listen(0, '127.0.0.1', () => console.log(s.address().port));`;
  const SILENT_SERVER = `
    const s = require('net').createServer({ pauseOnConnect: true }, () => {});
    s.listen(0, '127.0.0.1', () => console.log(s.address().port));`;

  it('a server that had read everything: its kernel sends FIN, we see "peer-closed", then our next send fails cleanly', async () => {
    const peer = await nodeChild(ECHO_SERVER);
    const c = await connectTo(Number(peer.line));
    const conv = await establishedConversation(c);
    await h.call('conversation:send', { conversationId: conv, data: b64('ping\n') });
    await waitFor(async () => (await trafficBytes(h, conv, 'in')).toString() === 'ping\n', 'echo');
    peer.child.kill('SIGKILL');
    expect(await peer.exited).toBe('SIGKILL');
    await waitFor(() => h.connection(c).state === 'peer-closed', 'peer-closed after SIGKILL');
    // Writing to a dead peer: the kernel answers with RST; the endpoint closes with the error.
    for (let i = 0; i < 50 && h.connection(c).state !== 'closed'; i++) {
      await h.dispatch('conversation:send', { conversationId: conv, data: b64('anyone?\n') });
      await sleep(20);
    }
    const s = await closedWithError(c);
    expect(['ECONNRESET', 'EPIPE']).toContain(s.error!.code);
  });

  it('a server with unread data: its kernel sends RST, we see ECONNRESET', async () => {
    const peer = await nodeChild(SILENT_SERVER);
    const c = await connectTo(Number(peer.line));
    const conv = await establishedConversation(c);
    await h.call('conversation:send', { conversationId: conv, data: b64(Buffer.alloc(64 * 1024, 0x63)) });
    await sleep(50);
    peer.child.kill('SIGKILL');
    const s = await closedWithError(c);
    expect(s.error!.code).toBe('ECONNRESET');
    expect(h.conversation(conv).firstToClose).toBe('peer-reset');
  });

  it('a client of our listener: its end closes, the listener keeps listening', async () => {
    const { endpointId: lid } = await h.call('tcp:listen', { bindAddress: '127.0.0.1', port: 0 });
    const l = h.listener(lid);
    const port = l.local?.kind === 'inet' ? l.local.port : 0;
    const peer = await nodeChild(
      `const c = require('net').connect(${port}, '127.0.0.1', () => { c.write('hello\\n'); console.log('connected'); });`,
    );
    expect(peer.line).toBe('connected');
    const cid = await waitFor(() => h.listener(lid).clientIds[0], 'accepted');
    await waitFor(() => h.conversation(cid).stats.bytesIn === 6, 'hello');
    peer.child.kill('SIGKILL');
    await waitFor(() => h.conversation(cid).state === 'peer-closed', 'peer-closed');
    expect(h.listener(lid).state).toBe('listening');
    await h.call('conversation:shutdown', { conversationId: cid });
    await waitFor(() => h.conversation(cid).state === 'closed', 'closed');
  });
});

describe('connects that fail', () => {
  it('to a closed port: ECONNREFUSED', async () => {
    const c = await connectTo(await freePort());
    const s = await closedWithError(c);
    expect(s.error!.code).toBe('ECONNREFUSED');
    expect(s.attempts.map((a) => a.result)).toEqual(['ECONNREFUSED']);
  });

  it('to a name that cannot resolve (.invalid): ENOTFOUND, no attempt made', async () => {
    const { endpointId: c } = await h.call('tcp:connect', { host: 'sockscope-fault-suite.invalid', port: 80 });
    const s = await closedWithError(c, 15_000);
    expect(['ENOTFOUND', 'EAI_AGAIN']).toContain(s.error!.code);
    expect(s.attempts).toEqual([]);
  });

  it('to a listener whose accept queue is full: ETIMEDOUT after our timeout', async () => {
    const port = await fullQueueListener();
    const c = await connectTo(port, { timeoutMs: 500 });
    const s = await closedWithError(c, 5000);
    expect(s.error!.code).toBe('ETIMEDOUT');
    expect(s.attempts[0]!.result).toBe('ETIMEDOUT');
  });
});

describe('a peer that never reads', () => {
  it('256 MiB offered: queued bytes stay within the refusal bound, the rest is refused, memory stays flat', async () => {
    const { port } = await server(() => {}, { pauseOnConnect: true });
    const c = await connectTo(port);
    const conv = await establishedConversation(c);
    const before = await settledMemory();
    const piece = b64(Buffer.alloc(MiB, 0x64));
    let accepted = 0;
    let refused = 0;
    let maxQueued = 0;
    for (let i = 0; i < 256; i++) {
      const r = await h.dispatch('conversation:send', { conversationId: conv, data: piece });
      if (r.ok) accepted += MiB;
      else {
        expect(r.error.code).toBe('INVALID_STATE');
        expect(r.error.message).toMatch(/send buffer full, peer is not reading/);
        refused++;
      }
      maxQueued = Math.max(maxQueued, (h.engine.requireConversation(conv) as unknown as { socket: Socket }).socket.writableLength);
      if (i % 32 === 0) await sleep(1); // let the kernel take what it will
    }
    const after = await settledMemory();
    // Node's queue never passes the refusal bound by more than the one message that crossed it.
    expect(maxQueued).toBeLessThanOrEqual(SEND_BUFFER_LIMIT + MiB);
    expect(h.conversation(conv).stats.queuedOut).toBeLessThanOrEqual(SEND_BUFFER_LIMIT + MiB);
    // What was accepted: the bound plus what the kernel's socket buffers took, far from 256 MiB.
    expect(accepted).toBeLessThan(64 * MiB);
    expect(refused).toBeGreaterThan(192);
    expect(after.heap + after.buffers - (before.heap + before.buffers)).toBeLessThan(48 * MiB);
    expect(h.connection(c).state).toBe('established');
    // Closing releases the queue at once.
    await h.call('endpoint:close', { endpointId: c });
    expect(h.connection(c).state).toBe('closed');
    expect(h.conversation(conv).stats.queuedOut).toBe(0);
  });
});
