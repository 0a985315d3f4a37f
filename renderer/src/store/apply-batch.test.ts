import { describe, expect, it } from 'vitest';
import { EventBatch } from '../../../shared/contract';
import { emptyStats, ListenerSnapshot, type TimelineEntry } from '../../../shared/endpoints';
import { isEventBatchShape } from '../bridge/batch-shape';
import { keepUnchanged, reduceBatch } from './apply-batch';
import { useStore, type State } from './store';

describe('keepUnchanged', () => {
  it('returns the previous object when nothing differs, so memoized views skip it', () => {
    const prev = { id: 'l1', timeline: [{ ts: 1, call: 'listen(511)' }], clientIds: ['a', 'b'], error: null };
    const next = structuredClone(prev);
    expect(keepUnchanged(prev, next)).toBe(prev);
  });

  it('keeps the unchanged parts and takes the changed ones', () => {
    const prev = { stats: { bytesIn: 1 }, timeline: [{ ts: 1 }], clientIds: ['a'] };
    const next = { stats: { bytesIn: 2 }, timeline: [{ ts: 1 }], clientIds: ['a', 'b'] };
    const out = keepUnchanged(prev, next);
    expect(out).toEqual(next);
    expect(out).not.toBe(prev);
    expect(out.timeline).toBe(prev.timeline);
    expect(out.stats).toEqual({ bytesIn: 2 });
    expect(out.clientIds).toEqual(['a', 'b']);
  });

  it('notices added, removed and null-vs-object fields', () => {
    expect(keepUnchanged<Record<string, unknown>>({ a: 1 }, { a: 1, b: undefined })).toEqual({ a: 1, b: undefined });
    expect(keepUnchanged<Record<string, unknown>>({ a: 1, b: 2 }, { a: 1 })).toEqual({ a: 1 });
    expect(keepUnchanged<{ e: { code: string } | null }>({ e: null }, { e: { code: 'X' } })).toEqual({ e: { code: 'X' } });
    expect(keepUnchanged<unknown[]>([1, 2], [1])).toEqual([1]);
  });
});

describe("a listener's timeline sent as appends (listener:changed)", () => {
  const entry = (i: number): TimelineEntry => ({ ts: i, call: `accept() 127.0.0.1:${40000 + i}`, result: 'ok', ok: true });
  const listener = (timeline: TimelineEntry[], clientIds: string[]): ListenerSnapshot =>
    ListenerSnapshot.parse({
      id: 'l1',
      kind: 'tcp-listener',
      createdAt: 1,
      local: { kind: 'inet', host: '127.0.0.1', port: 5000, family: 'IPv4' },
      error: null,
      timeline,
      portNote: null,
      state: 'listening',
      request: { bindAddress: '127.0.0.1', port: 0, path: null, backlog: 511, ipv6Only: false },
      behaviour: { mode: 'discard' },
      maxClients: null,
      clientIds,
      refused: 0,
      acceptedTotal: clientIds.length,
      stats: emptyStats(),
    });
  const apply = (s: State, events: EventBatch['events']): State => {
    const batch = EventBatch.parse({ seq: 0, events });
    expect(isEventBatchShape(batch)).toBe(true);
    return { ...s, ...reduceBatch(s, batch) };
  };

  it('ends with the same listener as whole snapshots would, past the "not kept" line, and keeps the pinned calls', () => {
    const calls = Array.from({ length: 520 }, (_, i) => entry(i));
    let s = apply(useStore.getState(), [{ type: 'endpoint:changed', endpoint: listener(calls.slice(0, 490), ['l1.c1']) }]);
    const { timeline: _whole, ...rest } = listener([], ['l1.c1', 'l1.c2']);
    s = apply(s, [{ type: 'listener:changed', endpoint: rest, timeline: { total: 520, added: calls.slice(490) } }]);
    const expected = [...calls.slice(0, 8), { ts: 28, call: '… 20 earlier calls not kept', result: '', ok: true }, ...calls.slice(28)];
    expect(s.endpoints.l1).toEqual(listener(expected, ['l1.c1', 'l1.c2']));
    // Nothing appended, nothing else changed: the same object, so memoized views skip it.
    const before = s.endpoints.l1;
    s = apply(s, [{ type: 'listener:changed', endpoint: rest, timeline: { total: 520, added: [] } }]);
    expect(s.endpoints.l1).toBe(before);
  });

  it('ignores appends for a listener it does not hold (removed meanwhile)', () => {
    const { timeline: _t, ...rest } = listener([], []);
    const s = apply(useStore.getState(), [{ type: 'listener:changed', endpoint: { ...rest, id: 'l9' }, timeline: { total: 3, added: [entry(2)] } }]);
    expect(s.endpoints.l9).toBeUndefined();
  });
});
