/**
 * A WebSocket client that never reads: event batches already wait for it (CONGESTED_BYTES), but
 * command results cannot, and an authenticated client that kept asking for snapshots and never
 * read once grew the host to 1.5 GB. Now a session with more than 64 MiB unsent is terminated,
 * with a log line. Real server in process, real engine, a real `ws` client whose socket is paused,
 * a real TCP peer pouring data into a real listener (traffic events, and 1 MiB kept to page through).
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { EngineSnapshot } from '../../shared/contract';
import { DEFAULT_WEB_SERVER_LIMITS } from './web-server';
import { expectHostServes, startTestHost, wsClient, type WebTestHost } from './web-test-support';

let host: WebTestHost | undefined;
let peer: Socket | undefined;
let pour: NodeJS.Timeout | undefined;

afterEach(async () => {
  clearInterval(pour);
  peer?.destroy();
  await host?.close();
  host = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MiB = 1024 * 1024;

async function snapshot(h: WebTestHost): Promise<EngineSnapshot> {
  const r = await h.engineHost.dispatch('app:snapshot', {});
  if (!r.ok) throw new Error(r.error.message);
  return r.value as EngineSnapshot;
}

describe('a WebSocket client that never reads', () => {
  it('is terminated once 64 MiB wait unsent; the host stays bounded in memory and serves the next client', async () => {
    host = await startTestHost();
    const h = host;
    const listen = await h.engineHost.dispatch('tcp:listen', { bindAddress: '127.0.0.1', port: 0 });
    expect(listen.ok).toBe(true);
    const local = (await snapshot(h)).endpoints[0]?.local;
    if (local?.kind !== 'inet') throw new Error('listener has no port');

    // A peer that keeps pouring 64 KiB every 5 ms: events for every client, a full traffic log.
    peer = connect(local.port, '127.0.0.1');
    peer.on('error', () => {});
    const block = Buffer.alloc(64 * 1024, 0x41);
    pour = setInterval(() => peer?.write(block), 5);
    let conversationId = '';
    for (let i = 0; i < 200 && !conversationId; i++) {
      await sleep(10);
      conversationId = (await snapshot(h)).conversations[0]?.id ?? '';
    }
    await sleep(300);
    const pageRequest = { conversationId, limit: 2_000, full: true };
    const pageBytes = JSON.stringify(await h.engineHost.dispatch('traffic:page', pageRequest)).length;
    expect(pageBytes, 'a full page of the 1 MiB traffic log').toBeGreaterThan(MiB);

    const slow = await wsClient(h.server.port, h.server.token);
    slow.ws.pause();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    // ~1.4 MB per answer: 300 of them would be ~400 MB held for this one client without the cap.
    const page = JSON.stringify({ type: 'invoke', id: 1, command: 'traffic:page', payload: pageRequest });
    const cutOff = () => h.logs.some((l) => l.startsWith('sockscope web: closed a WebSocket session that does not read'));
    let sent = 0;
    for (; sent < 300 && !cutOff(); sent++) {
      slow.ws.send(page);
      await sleep(4);
    }
    clearInterval(sampler);

    expect(cutOff(), `terminated after ${sent} requests`).toBe(true);
    expect(h.logs.find((l) => l.includes('does not read'))).toMatch(/: \d+\.\d MiB unsent, over the 64\.0 MiB limit$/);
    expect(sent * pageBytes, 'enough was asked for to pass the cap').toBeGreaterThan(DEFAULT_WEB_SERVER_LIMITS.maxSessionBufferedBytes);
    expect(peak - baseline, 'the host grew by about the cap, not by everything asked for').toBeLessThan(200 * MiB);
    slow.ws.resume();
    expect(await slow.closed).toBe(1006);
    await expectHostServes(h);
  }, 30_000);
});
