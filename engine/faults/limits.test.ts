/**
 * Caps that a person never meets and a runaway script always does, each refused with a clear
 * error while the engine keeps answering: endpoints, payload fields, snapshot size, open
 * connections (descriptor headroom).
 */
import { connect } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_PAYLOAD_FIELDS } from '../dispatcher';
import { ENGINE_LIMITS } from '../engine';
import { connectionCapFor, MAX_OPEN_CONNECTIONS, RESERVED_DESCRIPTORS } from '../net/descriptor-budget';
import { cleanupPeers, track } from '../testing/cleanup';
import { TestHost } from '../testing/test-host';
import { waitFor } from '../testing/wait';

let h: TestHost;
beforeEach(() => {
  h = new TestHost();
});
afterEach(async () => {
  await cleanupPeers();
  await h.engine.shutdown();
});

async function listener(): Promise<{ id: string; port: number }> {
  const { endpointId } = await h.call('tcp:listen', { bindAddress: '127.0.0.1', port: 0 });
  const l = h.listener(endpointId);
  if (l.local?.kind !== 'inet') throw new Error('no bind');
  return { id: endpointId, port: l.local.port };
}

function client(port: number, send?: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1' }, () => {
      if (send) s.write(send);
      resolve();
    });
    s.on('error', reject);
    s.on('data', () => {});
    track(() => void s.destroy());
  });
}

describe('engine limits', () => {
  it(`refuses endpoint number ${ENGINE_LIMITS.endpoints + 1} with LIMIT, and accepts again once one is removed`, async () => {
    for (let i = 0; i < ENGINE_LIMITS.endpoints; i++) {
      const r = await h.dispatch('udp:bind', { bindAddress: '127.0.0.1', port: 0 });
      expect(r.ok).toBe(true);
    }
    const refused = await h.dispatch('udp:bind', { bindAddress: '127.0.0.1', port: 0 });
    expect(refused).toMatchObject({ ok: false, error: { code: 'LIMIT', message: expect.stringMatching(/at most 1,000 endpoints.*remove some/) } });
    const refusedTcp = await h.dispatch('tcp:listen', { bindAddress: '127.0.0.1', port: 0 });
    expect(refusedTcp).toMatchObject({ ok: false, error: { code: 'LIMIT' } });
    expect(h.engine.listEndpoints()).toHaveLength(ENGINE_LIMITS.endpoints);
    const t = performance.now();
    expect((await h.dispatch('app:info', {})).ok).toBe(true);
    expect(performance.now() - t).toBeLessThan(100);
    await h.call('endpoint:remove', { endpointId: 'u1' });
    expect((await h.dispatch('udp:bind', { bindAddress: '127.0.0.1', port: 0 })).ok).toBe(true);
  }, 30_000);

  it('refuses a payload with more fields than any request has, quickly, before the schema sees it', async () => {
    const wide = Object.fromEntries(Array.from({ length: 200_000 }, (_, i) => [`k${i}`, i]));
    let t = performance.now();
    const r = await h.dispatch('tcp:listen', wide);
    expect(performance.now() - t).toBeLessThan(1000);
    expect(r).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: `payload: more than ${MAX_PAYLOAD_FIELDS} fields` } });
    const bindAddress = Array.from({ length: 2_000_000 }, () => 0);
    t = performance.now();
    const long = await h.dispatch('tcp:listen', { bindAddress });
    expect(performance.now() - t).toBeLessThan(100);
    expect(long).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: `bindAddress: more than ${MAX_PAYLOAD_FIELDS} fields` } });
    expect(h.engine.listEndpoints()).toHaveLength(0);
  });

  it('keeps a snapshot within its traffic budget however many conversations hold traffic', async () => {
    const { id, port } = await listener();
    const clients = 400;
    for (let i = 0; i < clients; i++) await client(port, Buffer.alloc(100 * 1024, 0x61 + (i % 26)));
    await waitFor(() => h.listener(id).stats.bytesIn === clients * 100 * 1024, 'all bytes in', 10_000);
    // A session-less snapshot carries no traffic at all; one watching every conversation stays in budget.
    expect((await h.call('app:snapshot', {})).traffic).toEqual([]);
    const snap = h.engine.snapshot(new Set(h.engine.listConversations().map((c) => c.id)));
    expect(snap.traffic).toHaveLength(clients);
    const preview = snap.traffic.reduce((n, t) => n + t.chunks.reduce((m, c) => m + Buffer.from(c.data, 'base64').length, 0), 0);
    expect(preview).toBeLessThanOrEqual(ENGINE_LIMITS.snapshotTrafficBytes + 16 * 1024);
    // The newest conversations are the ones that keep their chunks.
    expect(snap.traffic.at(-1)!.chunks.length).toBeGreaterThan(0);
    expect(snap.traffic[0]!.chunks).toHaveLength(0);
  }, 30_000);

  it('refuses clients past the open-connection cap, saying why, and accepts again below it', async () => {
    Object.defineProperty(h.engine, 'connectionCap', { value: 3 });
    const { id, port } = await listener();
    for (let i = 0; i < 5; i++) await client(port);
    await waitFor(() => h.listener(id).refused === 2, 'two refused');
    expect(h.listener(id).clientIds).toHaveLength(3);
    expect(h.listener(id).timeline.map((e) => e.result).join('\n')).toMatch(/refused: Sockscope holds 3 connections, its cap/);
    await h.call('listener:close-clients', { endpointId: id });
    await waitFor(() => !h.engine.atConnectionCap, 'below the cap again');
    await client(port);
    await waitFor(() => h.listener(id).clientIds.length === 4, 'accepted again');
  });

  it('derives the connection cap from the descriptor limit, keeping a reserve', () => {
    expect(connectionCapFor(20_000)).toBe(Math.min(MAX_OPEN_CONNECTIONS, 20_000 - RESERVED_DESCRIPTORS));
    expect(connectionCapFor(1_024)).toBe(64);
    expect(connectionCapFor(4_096)).toBe(4_096 - RESERVED_DESCRIPTORS);
    expect(connectionCapFor(null)).toBe(MAX_OPEN_CONNECTIONS);
    expect(h.engine.connectionCap).toBeLessThanOrEqual(MAX_OPEN_CONNECTIONS);
  });
});
