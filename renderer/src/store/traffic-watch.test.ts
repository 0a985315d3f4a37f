import { describe, expect, it } from 'vitest';
import type { EventBatch } from '../../../shared/contract';
import type { TrafficChunk } from '../../../shared/endpoints';
import { reduceBatch } from './apply-batch';
import { plugEngine, type EngineCall } from './engine-port';
import { useStore, type State } from './store';

const chunk = (seq: number): TrafficChunk => ({ seq, ts: 0, dir: 'in', size: 1, data: 'eA==', truncated: false, peer: null });
const appended = (conversationId: string, ...seqs: number[]): EventBatch => ({
  seq: 0,
  events: [{ type: 'traffic:appended', conversationId, chunks: seqs.map(chunk), skipped: { chunks: 0, bytes: 0 } }],
});
const tick = () => new Promise<void>((r) => queueMicrotask(r));

describe('which traffic the renderer asks for (ui:watch)', () => {
  it('tells the engine the mounted logs once per burst, keeps only their traffic, and ignores late previews of others', async () => {
    const calls: unknown[] = [];
    const call = ((command: string, request: unknown) => {
      calls.push([command, request]);
      return Promise.resolve({ ok: true });
    }) as unknown as EngineCall;
    plugEngine(call);
    // Before any log mounts nothing is narrowed: every conversation's traffic is kept.
    const before = reduceBatch(useStore.getState(), appended('l1.c2', 1));
    expect(before.traffic?.['l1.c2']?.chunks).toHaveLength(1);
    useStore.setState({ traffic: { 'l1.c1': before.traffic?.['l1.c2'] as State['traffic'][string], 'l1.c2': before.traffic?.['l1.c2'] as State['traffic'][string] } });

    const unwatch1 = useStore.getState().watchTraffic('l1.c1');
    // A log unmounted and mounted again in one go (React's strict mode does this) changes nothing.
    const again = useStore.getState().watchTraffic('l1.c3');
    again();
    const unwatch3 = useStore.getState().watchTraffic('l1.c3');
    await tick();
    expect(calls).toEqual([['ui:watch', { conversationIds: ['l1.c1', 'l1.c3'] }]]);
    // The traffic of l1.c2, no longer on screen, is gone; l1.c1's stays.
    expect(Object.keys(useStore.getState().traffic)).toEqual(['l1.c1']);
    // A batch the engine flushed before it heard: l1.c2's previews are not stored again.
    expect(reduceBatch(useStore.getState(), appended('l1.c2', 2)).traffic?.['l1.c2']).toBeUndefined();
    expect(reduceBatch(useStore.getState(), appended('l1.c3', 5)).traffic?.['l1.c3']?.chunks).toHaveLength(1);

    unwatch1();
    unwatch1(); // idempotent
    await tick();
    expect(calls.at(-1)).toEqual(['ui:watch', { conversationIds: ['l1.c3'] }]);
    // After a reconnect the new session is told again.
    useStore.getState().resendTrafficWatch();
    await tick();
    expect(calls.at(-1)).toEqual(['ui:watch', { conversationIds: ['l1.c3'] }]);
    expect(calls).toHaveLength(3);
    unwatch3();
    await tick();
    expect(calls.at(-1)).toEqual(['ui:watch', { conversationIds: [] }]);
  });
});
