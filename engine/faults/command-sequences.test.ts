/**
 * Ordinary command sequences that once crashed the host from a timer: a change notice built at
 * flush time for an endpoint that had been removed in the meantime. The UI client attached here is
 * what makes the batcher build (and send) those notices, as a real window or tab does.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EngineEvent, EventBatch } from '../../shared/contract';
import { createEngineHost } from '../index';
import { b64 } from '../testing/bytes';
import { type ProcessWatch, watchProcess } from '../testing/faults';
import { TestHost } from '../testing/test-host';
import { sleep, waitFor } from '../testing/wait';

let h: TestHost;
let watch: ProcessWatch;
let events: EngineEvent[];
let detach: () => void;

beforeEach(() => {
  watch = watchProcess();
  h = new TestHost();
  events = [];
  detach = h.engine.attachClient({ send: (b: EventBatch) => void events.push(...b.events) });
});

afterEach(async () => {
  detach();
  await h.engine.shutdown();
  watch.dispose();
  expect(watch.events, 'nothing thrown from a timer or left unhandled').toEqual([]);
});

async function udpEndpoint(): Promise<string> {
  const { endpointId } = await h.call('udp:bind', { bindAddress: '127.0.0.1', port: 0 });
  await waitFor(() => h.engine.requireEndpoint(endpointId).snapshot().state === 'bound', 'bound');
  return endpointId;
}

const removed = (id: string) => events.some((e) => e.type === 'endpoint:removed' && e.endpointId === id);

describe('command sequences that must not crash the host', () => {
  it('bind UDP, start recording it, remove it: the next flush sends endpoint:removed', async () => {
    const id = await udpEndpoint();
    await h.call('recording:start', { conversationId: id });
    await h.call('endpoint:remove', { endpointId: id });
    await waitFor(() => removed(id), 'endpoint:removed sent');
    await sleep(100);
    expect((await h.dispatch('app:info', {})).ok).toBe(true);
  });

  it('bind UDP and remove it before the next flush', async () => {
    for (let i = 0; i < 20; i++) {
      const { endpointId } = await h.call('udp:bind', { bindAddress: '127.0.0.1', port: 0 });
      await h.call('endpoint:remove', { endpointId });
    }
    await sleep(100);
    expect((await h.dispatch('app:info', {})).ok).toBe(true);
  });

  it('a datagram arrives, then the endpoint is removed before its notice is flushed', async () => {
    const id = await udpEndpoint();
    const s = h.engine.requireEndpoint(id).snapshot();
    const port = s.local?.kind === 'inet' ? s.local.port : 0;
    await h.call('udp:send', { endpointId: id, host: '127.0.0.1', port, data: b64('to myself') });
    await waitFor(() => events.some((e) => e.type === 'traffic:appended'), 'traffic seen');
    await h.call('udp:send', { endpointId: id, host: '127.0.0.1', port, data: b64('again') });
    await sleep(1);
    await h.call('endpoint:remove', { endpointId: id });
    await waitFor(() => removed(id), 'endpoint:removed sent');
    await sleep(100);
  });

  it('listener with clients: record a client, remove the listener, reconnect a connection to it', async () => {
    const { endpointId: l } = await h.call('tcp:listen', { bindAddress: '127.0.0.1', port: 0, behaviour: { mode: 'echo' } });
    const local = h.listener(l).local;
    const port = local?.kind === 'inet' ? local.port : 0;
    const { endpointId: c } = await h.call('tcp:connect', { host: '127.0.0.1', port });
    const clientId = await waitFor(() => h.listener(l).clientIds[0], 'client accepted');
    await h.call('recording:start', { conversationId: clientId });
    await h.call('endpoint:remove', { endpointId: l });
    await h.call('tcp:reconnect', { endpointId: c });
    await waitFor(() => h.connection(c).state === 'closed', 'reconnect refused by the closed port');
    await sleep(100);
    expect((await h.dispatch('app:info', {})).ok).toBe(true);
  });
});

describe('the last line of defence', () => {
  it('a bug thrown from one endpoint’s socket callback fails that endpoint only, shown and logged', async () => {
    const victim = await udpEndpoint();
    const bystander = await udpEndpoint();
    const endpoint = h.engine.requireEndpoint(victim) as unknown as { onMessage: () => void };
    // Stand-in for a bug in the receive path: the real handler is replaced by one that throws.
    endpoint.onMessage = () => {
      throw new Error('planted bug');
    };
    const logged: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void logged.push(args);
    try {
      const s = h.engine.requireEndpoint(victim).snapshot();
      const port = s.local?.kind === 'inet' ? s.local.port : 0;
      await h.call('udp:send', { endpointId: bystander, host: '127.0.0.1', port, data: b64('trigger') });
      await waitFor(() => h.engine.requireEndpoint(victim).snapshot().state === 'closed', 'victim failed');
    } finally {
      console.error = original;
    }
    const failed = h.engine.requireEndpoint(victim).snapshot();
    expect(failed.error?.code).toBe('INTERNAL');
    expect(failed.error?.message).toMatch(/internal error .*planted bug.* closed this endpoint/);
    expect(logged.flat().map(String).join(' ')).toMatch(/internal error in u\d+: recvfrom .*planted bug/);
    // The other endpoint and the engine carry on.
    expect(h.engine.requireEndpoint(bystander).snapshot().state).toBe('bound');
    expect((await h.dispatch('app:info', {})).ok).toBe(true);
    await waitFor(() => events.some((e) => e.type === 'endpoint:changed' && e.endpoint.id === victim && e.endpoint.error?.code === 'INTERNAL'), 'UI told');
  });
});

/** Events about endpoint `id` (itself, its conversations, their traffic) after its endpoint:removed. */
function afterRemoval(list: EngineEvent[], id: string): EngineEvent[] {
  const at = list.findIndex((e) => e.type === 'endpoint:removed' && e.endpointId === id);
  const ofIt = (conversationId: string) => conversationId === id || conversationId.startsWith(`${id}.`);
  return list
    .slice(at + 1)
    .filter(
      (e) =>
        (e.type === 'endpoint:changed' && e.endpoint.id === id) ||
        (e.type === 'conversation:changed' && e.conversation.endpointId === id) ||
        (e.type === 'traffic:appended' && ofIt(e.conversationId)),
    );
}

// Found by the stateful fuzzer (stateful-fuzz.ts); each is its shrunk sequence.
describe('sequences found by the stateful fuzzer', () => {
  it('listen, a peer connects and sends, remove the listener: nothing about its client follows endpoint:removed', async () => {
    // A UI whose transport is busy gets everything in one batch: the order inside it is what matters.
    let busy = true;
    const got: EngineEvent[] = [];
    const detachBusy = h.engine.attachClient({ send: (b: EventBatch) => void got.push(...b.events), congested: () => busy });
    const { endpointId: l } = await h.call('tcp:listen', { bindAddress: '127.0.0.1', port: 0 });
    const local = h.listener(l).local;
    const peer = connect({ port: local?.kind === 'inet' ? local.port : 0, host: '127.0.0.1' });
    peer.on('error', () => {});
    try {
      await waitFor(() => h.listener(l).clientIds.length === 1, 'client accepted');
      peer.write('hi');
      await waitFor(() => h.listener(l).stats.bytesIn === 2, 'bytes received');
      await h.call('endpoint:remove', { endpointId: l });
      busy = false;
      await waitFor(() => got.some((e) => e.type === 'endpoint:removed' && e.endpointId === l), 'endpoint:removed sent');
      await sleep(400);
      // Before the fix the batch said endpoint:removed first, then the client's conversation and
      // traffic: a UI applying it in order kept them forever under no endpoint.
      expect(afterRemoval(got, l)).toEqual([]);
      expect(afterRemoval(events, l)).toEqual([]);
    } finally {
      peer.destroy();
      detachBusy();
    }
  });

  it('recording:start racing endpoint:remove or endpoint:close never leaves a recording running', async () => {
    const { endpointId: l } = await h.call('tcp:listen', { bindAddress: '127.0.0.1', port: 0, behaviour: { mode: 'echo' } });
    const local = h.listener(l).local;
    for (const end of ['endpoint:remove', 'endpoint:close'] as const) {
      const u = await udpEndpoint();
      const { endpointId: c } = await h.call('tcp:connect', { host: '127.0.0.1', port: local?.kind === 'inet' ? local.port : 0 });
      const stream = await waitFor(() => h.connection(c).conversationId, 'connected');
      for (const [conversationId, endpointId] of [[u, u], [stream, c]] as const) {
        // Both dispatched at once, as two clicks (or two tabs) would: the start waits for its folder.
        const [started, ended] = await Promise.all([h.dispatch('recording:start', { conversationId }), h.dispatch(end, { endpointId })]);
        expect(ended.ok).toBe(true);
        // Before the fix the start went on after the endpoint had closed (or gone): a recording
        // shown as running, its file open until quit.
        expect(h.engine.recordings.isRecording(conversationId), `${conversationId} after ${end}`).toBe(false);
        if (!started.ok) expect(started.error.code).toMatch(/^(NOT_FOUND|INVALID_STATE)$/);
      }
    }
  });

  it('a Unix listener that stopped accepting, with a client: its socket file is gone once remove (or shutdown) resolves', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sockscope-seq-'));
    const peers: ReturnType<typeof connect>[] = [];
    try {
      for (const end of ['remove', 'shutdown'] as const) {
        const path = join(dir, `${end}.sock`);
        const { endpointId: l } = await h.call('tcp:listen', { path });
        const peer = connect({ path });
        peer.on('error', () => {});
        peers.push(peer);
        await waitFor(() => h.listener(l).clientIds.length === 1, 'client accepted');
        await h.call('listener:stop-accepting', { endpointId: l });
        if (end === 'remove') await h.call('endpoint:remove', { endpointId: l });
        else await h.engine.shutdown();
        // Before the fix the last client's close started the file's removal, and the listener's own
        // close then returned at once without waiting for it: a host quitting there left the file.
        expect(existsSync(path), `${path} after ${end}`).toBe(false);
      }
    } finally {
      for (const p of peers) p.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an endpoint:remove that finishes after quitting began is refused: what it answers is what the next start restores', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sockscope-seq-'));
    try {
      for (const order of ['after', 'racing'] as const) {
        const first = createEngineHost({ mode: 'browser', version: 'test', dataDir });
        await first.restored;
        const listened = await first.dispatch('tcp:listen', { bindAddress: '127.0.0.1', port: 0 });
        if (!listened.ok) throw new Error(listened.error.message);
        const { endpointId } = listened.value as { endpointId: string };
        let removal;
        if (order === 'after') {
          await first.engine.shutdown();
          removal = await first.dispatch('endpoint:remove', { endpointId });
        } else {
          [removal] = await Promise.all([first.dispatch('endpoint:remove', { endpointId }), first.engine.shutdown()]);
        }
        await first.engine.shutdown();
        const next = createEngineHost({ mode: 'browser', version: 'test', dataDir });
        await next.restored;
        // Before the fix the removal answered ok after the session had been saved on quit: the
        // endpoint the person removed came back on the next start.
        expect(next.engine.listEndpoints().length, `remove ${order} quit answered ${JSON.stringify(removal)}`).toBe(removal.ok ? 0 : 1);
        for (const e of next.engine.listEndpoints()) await next.dispatch('endpoint:remove', { endpointId: e.id });
        await next.engine.shutdown();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('shut a connection down, then reset it: the RST goes out and the socket closes (it once stayed open forever)', async () => {
    const { endpointId: l } = await h.call('tcp:listen', { bindAddress: '127.0.0.1', port: 0 });
    const local = h.listener(l).local;
    const { endpointId: c } = await h.call('tcp:connect', { host: '127.0.0.1', port: local?.kind === 'inet' ? local.port : 0 });
    const stream = await waitFor(() => h.connection(c).conversationId, 'connected');
    const client = await waitFor(() => h.listener(l).clientIds[0], 'client accepted');
    await h.call('conversation:shutdown', { conversationId: stream });
    // At once, while the FIN may still be on its way: libuv refuses SO_LINGER 0 then (EINVAL), and
    // Node neither sent the RST nor ever closed the socket, so its descriptor (and its place under
    // the connection cap) was never given back.
    await h.call('conversation:reset', { conversationId: stream });
    await waitFor(() => h.conversation(stream).state === 'closed' && h.engine.listConversations().some((x) => x.id === stream && (x as { isClosed?: boolean }).isClosed), 'our socket closed');
    // The peer's read side had already ended (our FIN): its next send is what meets the RST.
    await h.call('conversation:send', { conversationId: client, data: b64('after the reset') });
    await waitFor(() => /^(ECONNRESET|EPIPE)$/.test(h.conversation(client).error?.code ?? ''), 'the peer met the RST');
  });
});
