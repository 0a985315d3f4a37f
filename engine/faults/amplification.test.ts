/**
 * Behaviour output against peers that send a lot and read nothing. Before the fix an auto-reply per
 * line answered each newline with one write and never looked at the send queue: 64 KiB of newlines
 * from a non-reader queued gigabytes, and 8 MiB of newlines kept the host busy for a minute.
 * The peers are separate processes, so the host's own event loop is what is measured.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import type { Behaviour } from '../../shared/endpoints';
import { b64 } from '../testing/bytes';
import { MiB, nodeChild, settledMemory, useFaultHarness } from '../testing/faults';
import type { TestHost } from '../testing/test-host';
import { sleep, waitFor } from '../testing/wait';

/** Connects, writes `bytes` of `fill`, reads nothing until it gets "read" on stdin, then counts. */
const NON_READER = `
const net = require('node:net');
const [port, size, fill] = process.argv.slice(1);
const s = net.connect({ port: Number(port), host: '127.0.0.1', allowHalfOpen: true });
s.on('error', () => {});
s.pause();
s.on('connect', () => {
  console.log('connected');
  s.write(Buffer.alloc(Number(size), Number(fill)));
});
let got = 0;
s.on('data', (d) => { got += d.length; });
process.stdin.on('data', (d) => {
  const cmd = d.toString().trim();
  if (cmd === 'read') s.resume();
  if (cmd === 'count') console.log('got ' + got);
});
`;

async function listenerWith(h: TestHost, behaviour: Behaviour): Promise<{ id: string; port: number }> {
  const { endpointId } = await h.call('tcp:listen', { bindAddress: '127.0.0.1', port: 0, behaviour });
  const l = h.listener(endpointId);
  if (l.local?.kind !== 'inet') throw new Error('listener did not bind');
  return { id: endpointId, port: l.local.port };
}

/** Round trips of `app:info` while the load runs: the slowest one. */
async function slowestCommand(h: TestHost, n: number): Promise<number> {
  let worst = 0;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const r = await h.dispatch('app:info', {});
    expect(r.ok).toBe(true);
    worst = Math.max(worst, performance.now() - t);
    await sleep(20);
  }
  return worst;
}

describe('behaviours facing a peer that never reads', () => {
  const harness = useFaultHarness();

  const cases: [string, Behaviour, number][] = [
    ['a 64 KiB auto-reply per line, 64 KiB of newlines', { mode: 'auto-reply', trigger: 'line', reply: b64(Buffer.alloc(64 * 1024, 0x41)) }, 64 * 1024],
    ['a 4-byte auto-reply per line, 8 MiB of newlines', { mode: 'auto-reply', trigger: 'line', reply: b64('ok\r\n') }, 8 * MiB],
    ['an auto-reply per chunk, 8 MiB in', { mode: 'auto-reply', reply: b64(Buffer.alloc(16 * 1024, 0x42)) }, 8 * MiB],
    ['echo, 32 MiB in', { mode: 'echo' }, 32 * MiB],
  ];

  it.each(cases)('%s: the send queue stays bounded and commands stay fast', async (_name, behaviour, size) => {
    const { h } = harness;
    const before = await settledMemory();
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const { id, port } = await listenerWith(h, behaviour);
    const peer = await nodeChild(NON_READER, [String(port), String(size), '10']);
    expect(peer.line).toBe('connected');
    const clientId = await waitFor(() => h.listener(id).clientIds[0], 'client accepted');
    await sleep(300);
    const worst = await slowestCommand(h, 25);
    loop.disable();
    const conv = h.engine.requireConversation(clientId) as unknown as { socket: { writableLength: number } };
    // Node's own queue: one reply batch past the high-water mark, never the gigabytes owed.
    expect(conv.socket.writableLength).toBeLessThan(1 * MiB);
    expect(worst, 'slowest app:info while the peer floods and reads nothing (ms)').toBeLessThan(250);
    expect(loop.max / 1e6, 'longest event-loop stall from accept on (ms)').toBeLessThan(250);
    const after = await settledMemory();
    expect(after.rss - before.rss, 'RSS growth').toBeLessThan(96 * MiB);
    expect(h.listener(id).state).toBe('listening');
  });

  it('what is owed is sent once the peer reads: every reply, exactly', async () => {
    const { h } = harness;
    const lines = 1024 * 1024;
    const { id, port } = await listenerWith(h, { mode: 'auto-reply', trigger: 'line', reply: b64('ok\r\n') });
    const peer = await nodeChild(NON_READER, [String(port), String(lines), '10']);
    const clientId = await waitFor(() => h.listener(id).clientIds[0], 'client accepted');
    await sleep(300);
    peer.child.stdin.write('read\n');
    await waitFor(() => h.conversation(clientId).stats.bytesOut === lines * 4, 'every reply sent', 20_000);
    await waitFor(() => h.conversation(clientId).stats.bytesIn === lines, 'every line read', 5_000);
  });
});
