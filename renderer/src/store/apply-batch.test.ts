import { describe, expect, it } from 'vitest';
import { keepUnchanged } from './apply-batch';

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
