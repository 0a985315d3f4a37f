/**
 * What a UI session is sent at attach, over the in-process port (the same session module as the
 * WebSocket and IPC), with real loopback peers: the hello's snapshot carries no traffic, the
 * batches after it bring every conversation's recent traffic a few at a time (or only the watched
 * ones' once the session said which), and a listener's timeline sent as appends ends up exactly
 * the list a session sent whole snapshots holds. Every batch is parsed with the full contract.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBatch, type EngineEvent, type EngineSnapshot } from '../../shared/contract';
import type { ListenerSnapshot, TimelineEntry } from '../../shared/endpoints';
import { createSessionClient, type SessionClient } from '../../shared/session-client';
import { appendTimeline } from '../../shared/timeline';
import { BATCH_DEFAULTS } from '../batcher';
import { createEngineHost, type StartedEngineHost } from '../index';
import { inProcessPortPair } from './in-process-port';
import { runUiSession } from './ui-session';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function until(what: string, ok: () => boolean, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

function engineHost(): StartedEngineHost {
  const host = createEngineHost({ mode: 'browser', version: 'test', dataDir: null });
  cleanups.push(() => host.engine.shutdown());
  return host;
}

function session(host: StartedEngineHost, options: { timelineAppends?: boolean } = {}): { client: SessionClient; batches: EventBatch[] } {
  const { engineSide, clientSide } = inProcessPortPair();
  runUiSession(engineSide, host);
  const client = createSessionClient(clientSide, options);
  cleanups.push(() => client.close());
  const batches: EventBatch[] = [];
  client.onBatch((b) => batches.push(EventBatch.parse(b)));
  return { client, batches };
}

async function invoke<T>(client: SessionClient, command: string, payload: unknown): Promise<T> {
  const r = await client.invoke(command, payload);
  if (!r.ok) throw new Error(`${command}: ${r.error.message}`);
  return r.value as T;
}

async function listen(host: StartedEngineHost): Promise<{ id: string; port: number }> {
  const r = await host.dispatch('tcp:listen', { bindAddress: '127.0.0.1', port: 0 });
  if (!r.ok) throw new Error(r.error.message);
  const id = (r.value as { endpointId: string }).endpointId;
  const local = host.engine.requireEndpoint(id).snapshot().local;
  return { id, port: local?.kind === 'inet' ? local.port : 0 };
}

async function peer(port: number): Promise<Socket> {
  const s = connect(port, '127.0.0.1');
  s.on('error', () => undefined);
  cleanups.push(() => void s.destroy());
  await new Promise<void>((resolve) => s.once('connect', () => resolve()));
  return s;
}

const traffic = (batches: EventBatch[]) =>
  batches.flatMap((b) => b.events).filter((e): e is Extract<EngineEvent, { type: 'traffic:appended' }> => e.type === 'traffic:appended');
const textOf = (batches: EventBatch[], id: string) =>
  traffic(batches)
    .filter((e) => e.conversationId === id)
    .flatMap((e) => e.chunks.map((c) => Buffer.from(c.data, 'base64').toString()))
    .join('');

/** `n` clients of one listener, each having sent its own line before any session attached. */
async function conversationsWithTraffic(host: StartedEngineHost, n: number): Promise<{ listenerId: string; sent: Map<string, string>; peers: Socket[] }> {
  const l = await listen(host);
  const peers: Socket[] = [];
  for (let i = 0; i < n; i++) peers.push(await peer(l.port));
  await until(`${n} accepted`, () => host.engine.listConversations().length === n);
  const sent = new Map<string, string>();
  // Accept order is conversation order: the i-th peer is the i-th conversation.
  host.engine.listConversations().forEach((c, i) => sent.set(c.id, `line from peer ${i}\n`));
  const ids = [...sent.keys()];
  peers.forEach((p, i) => p.write(sent.get(ids[i] as string) as string));
  await until('every line in', () => host.engine.listConversations().every((c) => c.snapshot()?.stats.bytesIn === (sent.get(c.id) as string).length));
  return { listenerId: l.id, sent, peers };
}

describe('attaching a UI session', () => {
  it("answers hello with no traffic, then brings every conversation's recent traffic a few per batch, once", async () => {
    const host = engineHost();
    const n = BATCH_DEFAULTS.catchUpPerFlush * 2 + 10;
    const { sent } = await conversationsWithTraffic(host, n);
    const s = session(host);
    const { snapshot } = await s.client.attach();
    expect(snapshot.conversations).toHaveLength(n);
    expect(snapshot.traffic).toEqual([]);
    await until('every conversation caught up', () => [...sent].every(([id, line]) => textOf(s.batches, id) === line));
    // Each exactly once, and never all of them in one task: at least three batches carried them.
    for (const [id, line] of sent) expect(textOf(s.batches, id)).toBe(line);
    const perBatch = s.batches.map((b) => b.events.filter((e) => e.type === 'traffic:appended').length).filter((k) => k > 0);
    expect(Math.max(...perBatch)).toBeLessThanOrEqual(BATCH_DEFAULTS.catchUpPerFlush);
    expect(perBatch.length).toBeGreaterThanOrEqual(3);
  });

  it('gives a session that watches its watched conversations only: in app:snapshot, and as catch-up', async () => {
    const host = engineHost();
    const { sent } = await conversationsWithTraffic(host, 6);
    const ids = [...sent.keys()];
    const [oldest, second] = ids as [string, string];
    const s = session(host);
    await s.client.attach();
    // Said at once, as a page mounting its logs does: the oldest conversation is caught up last otherwise.
    await invoke(s.client, 'ui:watch', { conversationIds: [oldest] });
    await until('the watched conversation caught up', () => textOf(s.batches, oldest) === sent.get(oldest));
    const snap = await invoke<EngineSnapshot>(s.client, 'app:snapshot', {});
    expect(snap.traffic.map((t) => t.conversationId)).toEqual([oldest]);
    expect(snap.traffic[0]?.chunks.map((c) => Buffer.from(c.data, 'base64').toString()).join('')).toBe(sent.get(oldest));
    // A session-less caller (a script, the CLI's control) gets none.
    const direct = await host.dispatch('app:snapshot', {});
    expect(direct.ok && (direct.value as EngineSnapshot).traffic).toEqual([]);
    // Watched later: its recent traffic follows, once.
    await invoke(s.client, 'ui:watch', { conversationIds: [oldest, second] });
    await until('the second one caught up', () => textOf(s.batches, second) === sent.get(second));
    await sleep(3 * BATCH_DEFAULTS.intervalMs);
    expect(textOf(s.batches, oldest)).toBe(sent.get(oldest));
    expect(textOf(s.batches, second)).toBe(sent.get(second));
  });

  it('keeps live traffic after the catch-up in order, with none lost between the snapshot and the first batch', async () => {
    const host = engineHost();
    const { sent, peers } = await conversationsWithTraffic(host, 3);
    const ids = [...sent.keys()];
    const s = session(host);
    const attached = s.client.attach();
    // Written while the hello is being answered: before, between and after the snapshot.
    peers.forEach((p) => p.write('during\n'));
    await attached;
    peers.forEach((p) => p.write('after\n'));
    for (const id of ids) await until(`${id} complete`, () => textOf(s.batches, id) === `${sent.get(id)}during\nafter\n`);
    const seqs = traffic(s.batches).flatMap((e) => e.chunks.map((c) => `${e.conversationId}:${c.seq}`));
    expect(new Set(seqs).size).toBe(seqs.length);
  });

  it("sends a listener's timeline as appends to a session that takes them, ending with the very list a whole snapshot holds", async () => {
    const host = engineHost();
    const l = await listen(host);
    const appends = session(host, { timelineAppends: true });
    const whole = session(host);
    await Promise.all([appends.client.attach(), whole.client.attach()]);
    // Accepts and closes: well past the 500 calls a timeline keeps, so the "not kept" line comes too.
    for (let round = 0; round < 5; round++) {
      const peers = await Promise.all(Array.from({ length: 60 }, () => peer(l.port)));
      await sleep(40);
      for (const p of peers) p.end();
      // FIN from every peer: each adds its `recv() 0` to the listener's timeline.
      await until(`round ${round} FINs seen`, () => host.engine.listConversations().every((c) => ['peer-closed', 'closed'].includes(c.snapshot()?.state ?? '')));
    }
    const final = (host.engine.requireEndpoint(l.id).snapshot() as ListenerSnapshot).timeline;
    expect(final[8]?.call).toMatch(/earlier calls not kept/);

    /** The listener's timeline as a client applying its batches holds it. */
    const follow = (batches: EventBatch[]): { timeline: TimelineEntry[]; appended: number; bytes: number } => {
      let timeline: TimelineEntry[] = [];
      let appended = 0;
      let bytes = 0;
      for (const e of batches.flatMap((b) => b.events)) {
        if (e.type === 'endpoint:changed' && e.endpoint.id === l.id) {
          timeline = e.endpoint.timeline;
          bytes += JSON.stringify(e).length;
        } else if (e.type === 'listener:changed' && e.endpoint.id === l.id) {
          timeline = appendTimeline(timeline, e.timeline);
          appended++;
          bytes += JSON.stringify(e).length;
        }
      }
      return { timeline, appended, bytes };
    };
    await until('both sessions up to date', () => {
      const a = follow(appends.batches).timeline;
      const w = follow(whole.batches).timeline;
      return JSON.stringify(a) === JSON.stringify(final) && JSON.stringify(w) === JSON.stringify(final);
    });
    const a = follow(appends.batches);
    const w = follow(whole.batches);
    expect(a.timeline).toEqual(final);
    // Five rounds, each waited for: at least one batch of appends each (more when the loop is idle).
    expect(a.appended).toBeGreaterThanOrEqual(5);
    // The session that takes appends never got a listener:changed it could not apply, nor the other one any.
    expect(follow(whole.batches).appended).toBe(0);
    // And it was sent far less of the listener.
    expect(a.bytes).toBeLessThan(w.bytes / 3);
  }, 30_000);
});
