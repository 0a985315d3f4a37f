/**
 * The fault suite, UDP side (loopback only, bounded in time): a flood from another process, and a
 * peer that answers every datagram with ICMP port-unreachable. After each: the endpoint is still
 * bound and shows the right error (or none), other endpoints carry on, the engine answers, and
 * nothing became an unhandled rejection or uncaught 'error'.
 */
import dgram from 'node:dgram';
import { spawn } from 'node:child_process';
import { beforeEach, describe, expect, it } from 'vitest';
import type { UdpSnapshot } from '../../shared/endpoints';
import { b64 } from '../testing/bytes';
import { track } from '../testing/cleanup';
import { MiB, settledMemory, useFaultHarness } from '../testing/faults';
import type { TestHost } from '../testing/test-host';
import { waitFor } from '../testing/wait';

// After every fault: the engine is up and the other endpoints are untouched (see useFaultHarness).
const harness = useFaultHarness();
let h: TestHost;
beforeEach(() => {
  h = harness.h;
});

const udp = (id: string): UdpSnapshot => {
  const s = h.engine.requireEndpoint(id).snapshot();
  if (s.kind !== 'udp') throw new Error(`${id} is ${s.kind}`);
  return s;
};

async function bind(): Promise<{ id: string; port: number }> {
  const { endpointId } = await h.call('udp:bind', { bindAddress: '127.0.0.1', port: 0 });
  const s = udp(endpointId);
  if (s.local?.kind !== 'inet') throw new Error(`bind failed: ${JSON.stringify(s.error)}`);
  return { id: endpointId, port: s.local.port };
}

/** Another process sends `count` datagrams of `size` bytes as fast as loopback takes them. */
function flood(port: number, count: number, size: number): Promise<void> {
  const SENDER = `
    const s = require('node:dgram').createSocket('udp4');
    const [port, count, size] = process.argv.slice(1).map(Number);
    const buf = Buffer.alloc(size, 0x66);
    let queued = 0, done = 0;
    const cb = () => { if (++done === count) s.close(); };
    function pump() {
      for (let b = 0; queued < count && b < 512 && s.getSendQueueCount() < 512; b++, queued++) s.send(buf, port, '127.0.0.1', cb);
      if (queued < count) setImmediate(pump);
    }
    s.bind(0, '127.0.0.1', pump);`;
  const child = spawn(process.execPath, ['-e', SENDER, String(port), String(count), String(size)], { stdio: 'ignore' });
  track(() => {
    child.kill('SIGKILL');
  });
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('flood sender did not finish in 20 s')), 20_000);
    child.on('exit', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

describe('UDP flood', () => {
  it('100,000 datagrams from another process: the endpoint stays bound and bounded, other endpoints carry on', async () => {
    const target = await bind();
    const bystander = await bind();
    const before = await settledMemory();
    const flooding = flood(target.port, 100_000, 1000);
    // While the flood runs, another endpoint still sends and receives.
    const { id: other } = await bind();
    await h.call('udp:send', { endpointId: other, host: '127.0.0.1', port: bystander.port, data: b64('during the flood') });
    await waitFor(() => udp(bystander.id).stats.chunksIn === 1, 'bystander datagram');
    await harness.control.check();
    await flooding;

    const s = await waitFor(() => {
      const snap = udp(target.id);
      return snap.stats.bytesIn > 0 ? snap : undefined;
    }, 'flood arrived');
    expect(s.state).toBe('bound');
    expect(s.error).toBeNull();
    // Everything the engine was handed is either kept or counted as dropped; nothing else grew.
    expect(s.stats.chunksIn + s.stats.dropped).toBeGreaterThan(0);
    const after = await settledMemory();
    expect(after.heap + after.buffers - (before.heap + before.buffers)).toBeLessThan(64 * MiB);

    // After the flood, datagrams are received and logged again. (The first ones may still meet a
    // full receive buffer or this second's spent receive budget: UDP may drop, so resend.)
    const marker = dgram.createSocket('udp4');
    track(() => new Promise<void>((r) => marker.close(() => r())));
    await waitFor(
      async () => {
        await new Promise<void>((r) => marker.send('after the flood', target.port, '127.0.0.1', () => r()));
        await new Promise((r) => setTimeout(r, 100));
        return h.engine
          .requireConversation(target.id)
          .traffic.page(undefined, 5)
          .some((c) => Buffer.from(c.bytes).toString() === 'after the flood');
      },
      'a datagram after the flood',
      10_000,
    );
  });
});

describe('ICMP port-unreachable on a connected socket', () => {
  it('a repeat towards a closed port stops with ECONNREFUSED in the endpoint, which stays bound', async () => {
    const { id } = await bind();
    const closed = dgram.createSocket('udp4');
    const port = await new Promise<number>((resolve) => closed.bind(0, '127.0.0.1', () => resolve(closed.address().port)));
    await new Promise<void>((r) => closed.close(() => r()));
    await h.call('udp:connect', { endpointId: id, host: '127.0.0.1', port });
    await h.call('udp:repeat', { endpointId: id, data: b64('ping'), count: 1000, intervalMs: 1 });
    const s = await waitFor(() => {
      const snap = udp(id);
      return snap.error && snap.repeating === null ? snap : undefined;
    }, 'repeat stopped by ECONNREFUSED');
    expect(s.error!.code).toBe('ECONNREFUSED');
    expect(s.state).toBe('bound');
    expect(s.stats.chunksOut).toBeLessThan(1000);
    // The endpoint is still usable: disconnect and send elsewhere.
    await h.call('udp:disconnect', { endpointId: id });
    const peer = await bind();
    await h.call('udp:send', { endpointId: id, host: '127.0.0.1', port: peer.port, data: b64('still usable') });
    await waitFor(() => udp(peer.id).stats.chunksIn === 1, 'datagram after the refusal');
  });
});
