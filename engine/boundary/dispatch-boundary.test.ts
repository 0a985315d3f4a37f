/**
 * Every hostile command through the one dispatcher (`createEngineHost(...).dispatch`), the path both
 * IPC and the WebSocket take: each is refused with a typed error and nothing happens — the engine
 * snapshot is byte-for-byte the same, no endpoint is created, no datagram is sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandResult } from '../../shared/contract';
import { createEngineHost, type EngineHost } from '../index';
import { boundaryCases, prototypeIsClean, sideEffectView } from './boundary-cases';

let host: EngineHost;
let snapshotBefore = '';

const snapshot = async () => {
  const r = await host.dispatch('app:snapshot', {});
  if (!r.ok) throw new Error(r.error.message);
  return sideEffectView(r.value);
};

beforeAll(async () => {
  host = createEngineHost({ mode: 'browser', version: 'test', dataDir: null });
  const u = await host.dispatch('udp:bind', { bindAddress: '127.0.0.1', port: 0 });
  const l = await host.dispatch('tcp:listen', { bindAddress: '127.0.0.1', port: 0 });
  expect(u).toEqual({ ok: true, value: { endpointId: 'u1' } });
  expect(l).toEqual({ ok: true, value: { endpointId: 'l1' } });
  // Let the creation events settle so that only a refused command could change the snapshot.
  await new Promise((r) => setTimeout(r, 20));
  snapshotBefore = await snapshot();
});

afterAll(async () => {
  await host.engine.shutdown();
});

describe('the dispatcher refuses hostile input with a typed error and no side effect', () => {
  for (const c of boundaryCases()) {
    it(c.name, async () => {
      const r: CommandResult = await host.dispatch(JSON.parse(c.command), JSON.parse(c.payload));
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.error.code).toBe(c.code);
      expect(r.error.message.length).toBeGreaterThan(0);
      if (c.code === 'VALIDATION') expect(r.error.issues?.length ?? 0, 'VALIDATION names the field').toBeGreaterThan(0);
      if (c.path !== undefined) expect(r.error.issues?.[0]?.path).toBe(c.path);
      expect(host.engine.listEndpoints().map((e) => e.id)).toEqual(['u1', 'l1']);
      expect(await snapshot()).toBe(snapshotBefore);
      expect(prototypeIsClean()).toBe(true);
    });
  }

  it('a valid command does change the snapshot (the comparison above can see a side effect)', async () => {
    const r = await host.dispatch('udp:send', { endpointId: 'u1', host: '127.0.0.1', port: 9, data: 'aGk=' });
    expect(r.ok).toBe(true);
    expect(await snapshot()).not.toBe(snapshotBefore);
  });
});
