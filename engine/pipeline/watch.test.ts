/**
 * `ui:watch` over a real UI session (the in-process port, the same session module as the WebSocket
 * and IPC): traffic previews reach a session only for the conversations it watches, counters for
 * every one, and a conversation watched later arrives with its recent traffic from the engine's log.
 * Real sockets on loopback as the peers.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBatch, UI_WATCH_MAX, type EngineEvent } from '../../shared/contract';
import type { SessionClient } from '../../shared/session-client';
import { createEngineHost, type StartedEngineHost } from '../index';
import { attachInProcess } from '../ui-session/in-process-port';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface Setup {
  host: StartedEngineHost;
  client: SessionClient;
  batches: EventBatch[];
  listenerId: string;
  port: number;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(): Promise<Setup> {
  const host = createEngineHost({ mode: 'browser', version: 'test', dataDir: null });
  cleanups.push(() => host.engine.shutdown());
  const client = attachInProcess(host);
  cleanups.push(() => client.close());
  const batches: EventBatch[] = [];
  // Every batch the session sends is parsed with the full contract schema.
  client.onBatch((b) => batches.push(EventBatch.parse(b)));
  await client.attach();
  const listen = await client.invoke('tcp:listen', { bindAddress: '127.0.0.1', port: 0 });
  if (!listen.ok) throw new Error(listen.error.message);
  const listenerId = (listen.value as { endpointId: string }).endpointId;
  const snap = await client.invoke('app:snapshot', {});
  if (!snap.ok) throw new Error(snap.error.message);
  const ep = (snap.value as { endpoints: { id: string; local: { port: number } | null }[] }).endpoints.find((e) => e.id === listenerId);
  return { host, client, batches, listenerId, port: ep?.local?.port ?? 0 };
}

async function peer(port: number): Promise<Socket> {
  const s = connect(port, '127.0.0.1');
  cleanups.push(() => void s.destroy());
  await new Promise<void>((resolve, reject) => {
    s.once('connect', resolve);
    s.once('error', reject);
  });
  return s;
}

const events = <T extends EngineEvent['type']>(batches: EventBatch[], type: T) =>
  batches.flatMap((b) => b.events).filter((e): e is Extract<EngineEvent, { type: T }> => e.type === type);

const text = (e: Extract<EngineEvent, { type: 'traffic:appended' }>) => e.chunks.map((c) => Buffer.from(c.data, 'base64').toString()).join('');

async function until(what: string, ok: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** The listener's clients, in accept order. */
async function clientIds(s: Setup, n: number): Promise<string[]> {
  let ids: string[] = [];
  await until(`${n} accepted clients`, () => {
    const ch = events(s.batches, 'endpoint:changed').filter((e) => e.endpoint.id === s.listenerId).at(-1);
    ids = ch && ch.endpoint.kind === 'tcp-listener' ? ch.endpoint.clientIds : [];
    return ids.length >= n;
  });
  return ids;
}

describe('ui:watch', () => {
  it('sends traffic previews only for watched conversations, counters for all, and the recent traffic of one watched later', async () => {
    const s = await setup();
    const a = await peer(s.port);
    const [idA] = await clientIds(s, 1);
    const b = await peer(s.port);
    const [, idB] = await clientIds(s, 2);
    expect(idA && idB).toBeTruthy();

    const watch = await s.client.invoke('ui:watch', { conversationIds: [idA] });
    expect(watch).toEqual({ ok: true, value: { ok: true } });
    const from = s.batches.length;
    a.write('to-A-1\n');
    b.write('to-B-1\n');
    b.write('to-B-2\n');
    const after = () => s.batches.slice(from);
    await until('A traffic and B counters', () => {
      const bCounted = events(after(), 'conversation:changed').some((e) => e.conversation.id === idB && e.conversation.stats.bytesIn === 14);
      return bCounted && events(after(), 'traffic:appended').some((e) => e.conversationId === idA);
    });
    await sleep(120); // a few more flushes: B's previews must never come
    const traffic = events(after(), 'traffic:appended');
    expect(traffic.filter((e) => e.conversationId === idB)).toEqual([]);
    expect(traffic.filter((e) => e.conversationId === idA).map(text).join('')).toBe('to-A-1\n');

    // B becomes watched: its traffic from before the watch arrives from the log, in order, once.
    const from2 = s.batches.length;
    expect((await s.client.invoke('ui:watch', { conversationIds: [idA, idB] })).ok).toBe(true);
    await until('B catch-up', () => events(s.batches.slice(from2), 'traffic:appended').some((e) => e.conversationId === idB));
    b.write('to-B-3\n');
    await until('B live', () => events(s.batches.slice(from2), 'traffic:appended').filter((e) => e.conversationId === idB).map(text).join('').includes('to-B-3'));
    const bTraffic = events(s.batches.slice(from2), 'traffic:appended').filter((e) => e.conversationId === idB);
    expect(bTraffic.map(text).join('')).toBe('to-B-1\nto-B-2\nto-B-3\n');
    const seqs = bTraffic.flatMap((e) => e.chunks.map((c) => c.seq));
    expect(seqs).toEqual([...new Set(seqs)].sort((x, y) => x - y));
    // A stays watched: no catch-up resend of what it was already sent.
    expect(events(s.batches.slice(from2), 'traffic:appended').filter((e) => e.conversationId === idA)).toEqual([]);
  });

  it('a session that never watched gets every conversation; an empty list stops all previews', async () => {
    const s = await setup();
    const a = await peer(s.port);
    const b = await peer(s.port);
    const [idA, idB] = await clientIds(s, 2);
    a.write('x');
    b.write('y');
    await until('both previews', () => {
      const ids = new Set(events(s.batches, 'traffic:appended').map((e) => e.conversationId));
      return ids.has(idA as string) && ids.has(idB as string);
    });
    expect((await s.client.invoke('ui:watch', { conversationIds: [] })).ok).toBe(true);
    const from = s.batches.length;
    a.write('more');
    await until('A counted', () => events(s.batches.slice(from), 'conversation:changed').some((e) => e.conversation.id === idA && e.conversation.stats.bytesIn === 5));
    await sleep(80);
    expect(events(s.batches.slice(from), 'traffic:appended')).toEqual([]);
  });

  it('sends counters of what the session does not watch once a second, of what it watches as before', async () => {
    const s = await setup();
    const a = await peer(s.port);
    const b = await peer(s.port);
    const [idA, idB] = await clientIds(s, 2);
    expect((await s.client.invoke('ui:watch', { conversationIds: [idA] })).ok).toBe(true);
    await sleep(1100); // both keys' last counters are over a second old
    const from = s.batches.length;
    for (let i = 0; i < 40; i++) {
      a.write('a');
      b.write('b');
      await sleep(50);
    }
    await until('B counted in full', () => events(s.batches.slice(from), 'conversation:changed').some((e) => e.conversation.id === idB && e.conversation.stats.bytesIn === 40), 3000);
    const changes = (id: string | undefined) => events(s.batches.slice(from), 'conversation:changed').filter((e) => e.conversation.id === id).length;
    // 2 s of traffic plus the last flush: a 250 ms spacing gives ~8, a 1 s spacing at most 3 or 4.
    expect(changes(idA)).toBeGreaterThanOrEqual(6);
    expect(changes(idB)).toBeLessThanOrEqual(4);
    expect(changes(idB)).toBeGreaterThanOrEqual(2);
  });

  it('is refused without a UI session, and past its cap, with clear errors', async () => {
    const s = await setup();
    const direct = await s.host.dispatch('ui:watch', { conversationIds: [] });
    expect(direct.ok).toBe(false);
    if (!direct.ok) expect(direct.error.message).toMatch(/UI session/);
    const tooMany = await s.client.invoke('ui:watch', { conversationIds: Array.from({ length: UI_WATCH_MAX + 1 }, (_, i) => `l1.c${i}`) });
    expect(tooMany.ok).toBe(false);
    if (!tooMany.ok) expect(tooMany.error.code).toBe('VALIDATION');
  });
});
