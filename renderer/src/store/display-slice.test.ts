import { describe, expect, it } from 'vitest';
import { DISPLAY_REFRESH_MS, displayUpdate, needsImmediate, onlyCountersDiffer } from './display-slice';

const stats = (n: number) => ({ bytesIn: n, bytesOut: 0, chunksIn: n, chunksOut: 0, rateIn: n, rateOut: 0, queuedOut: 0, dropped: 0 });
const conv = (state: string, n: number, extra: Record<string, unknown> = {}) => ({ id: 'c1', state, stats: stats(n), notKept: { in: 0, out: 0 }, recording: null, ...extra });

describe('display refresh', () => {
  it('counters alone are held; a state, an error or a new recording state is not', () => {
    const a = conv('established', 1);
    expect(onlyCountersDiffer(a, { ...a, stats: stats(2) })).toBe(true);
    expect(onlyCountersDiffer(a, { ...a, state: 'closed' })).toBe(false);
    expect(onlyCountersDiffer(a, { ...a, error: { code: 'ECONNRESET' } })).toBe(false);
    const rec = { state: 'recording', path: '/r', exportedPath: null, error: null, records: 1 };
    expect(onlyCountersDiffer({ ...a, recording: rec }, { ...a, recording: { ...rec, records: 9 } })).toBe(true);
    expect(onlyCountersDiffer({ ...a, recording: rec }, { ...a, recording: { ...rec, state: 'stopped' } })).toBe(false);
  });

  it('an entry that comes or goes is shown at once', () => {
    const a = conv('established', 1);
    expect(needsImmediate({ c1: a }, { c1: a, c2: a })).toBe(true);
    expect(needsImmediate({ c1: a }, {})).toBe(true);
    expect(needsImmediate({ c1: a }, { c1: { ...a, stats: stats(5) } })).toBe(false);
  });

  it('an entry checked once is not compared again, and its next real change still shows at once', () => {
    const a = conv('established', 1);
    const shown = { c1: a };
    const counted = { ...a, stats: stats(2) };
    expect(needsImmediate(shown, { c1: counted })).toBe(false);
    // The same object again (the next frame, nothing new for it): known, and still only counters.
    const getter = { ...counted };
    let reads = 0;
    Object.defineProperty(getter, 'state', { enumerable: true, get: () => (reads++, 'established') });
    expect(needsImmediate(shown, { c1: getter })).toBe(false);
    expect(reads).toBe(1);
    expect(needsImmediate(shown, { c1: getter })).toBe(false);
    expect(reads).toBe(1);
    // A later change beyond counters, against the same shown map, is not hidden by the memo.
    expect(needsImmediate(shown, { c1: { ...counted, state: 'closed' } })).toBe(true);
  });

  it('takes counters once the refresh interval has passed, both maps together', () => {
    const a = conv('established', 1);
    const b = { ...a, stats: stats(2) };
    const endpoints = { l1: { id: 'l1', stats: stats(1) } } as never;
    const base = { shownEndpoints: endpoints, endpoints, shownConversations: { c1: a } as never, shownAt: 1000 };
    const held = displayUpdate({ ...base, conversations: { c1: b } as never }, 1000 + DISPLAY_REFRESH_MS - 1);
    expect(held).toEqual({ update: null, pending: true });
    const taken = displayUpdate({ ...base, conversations: { c1: b } as never }, 1000 + DISPLAY_REFRESH_MS);
    expect(taken.update?.shownConversations).toEqual({ c1: b });
    expect(taken.update?.shownEndpoints).toBe(endpoints);
    const closed = displayUpdate({ ...base, conversations: { c1: { ...a, state: 'closed' } } as never }, 1001);
    expect(closed.update?.shownAt).toBe(1001);
    expect(displayUpdate({ ...base, conversations: base.shownConversations }, 5000)).toEqual({ update: null, pending: false });
  });
});

describe('a listener in an accept storm', () => {
  it('its client list and socket calls wait for the refresh like counters; its state does not', () => {
    const l = { id: 'l1', state: 'listening', clientIds: ['c1'], timeline: [{ ts: 1 }], stats: stats(1) };
    expect(onlyCountersDiffer(l, { ...l, clientIds: ['c1', 'c2'], timeline: [{ ts: 1 }, { ts: 2 }] })).toBe(true);
    expect(onlyCountersDiffer(l, { ...l, state: 'not-accepting' })).toBe(false);
  });
});

describe("a listener's clients coming and going", () => {
  it('wait for the refresh once the listener shows a client; a connection of its own does not', () => {
    const endpoints = { l1: { id: 'l1', kind: 'tcp-listener', clientIds: ['l1.c0'] }, c9: { id: 'c9', kind: 'tcp-connection' } } as never;
    const client = { ...conv('established', 1), id: 'l1.c1', endpointId: 'l1' };
    const own = { ...conv('connecting', 0), id: 'c9.c1', endpointId: 'c9' };
    const base = { shownEndpoints: endpoints, endpoints, shownConversations: {} as never, shownAt: 1000 };
    expect(displayUpdate({ ...base, conversations: { 'l1.c1': client } as never }, 1001)).toEqual({ update: null, pending: true });
    expect(displayUpdate({ ...base, conversations: { 'c9.c1': own } as never }, 1001).update).not.toBeNull();
    const gone = { ...base, shownConversations: { 'l1.c1': client } as never, conversations: {} as never };
    expect(displayUpdate(gone, 1001)).toEqual({ update: null, pending: true });
  });

  it("a listener's first client is shown at once (its conversation opens), the storm after it at the refresh", () => {
    const empty = { l1: { id: 'l1', kind: 'tcp-listener', clientIds: [] } } as never;
    const withOne = { l1: { id: 'l1', kind: 'tcp-listener', clientIds: ['l1.c1'] } } as never;
    const first = { ...conv('established', 1), id: 'l1.c1', endpointId: 'l1' };
    const taken = displayUpdate({ shownEndpoints: empty, endpoints: withOne, shownConversations: {} as never, conversations: { 'l1.c1': first } as never, shownAt: 1000 }, 1001);
    expect(taken.update?.shownConversations).toEqual({ 'l1.c1': first });
    expect(taken.update?.shownEndpoints).toBe(withOne);
    const second = { ...first, id: 'l1.c2' };
    const held = displayUpdate(
      { shownEndpoints: withOne, endpoints: withOne, shownConversations: { 'l1.c1': first } as never, conversations: { 'l1.c1': first, 'l1.c2': second } as never, shownAt: 1001 },
      1002,
    );
    expect(held).toEqual({ update: null, pending: true });
  });
});
