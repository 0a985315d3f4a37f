import { afterEach, describe, expect, it, vi } from 'vitest';
import { FrameQueue } from './frame-queue';

describe('FrameQueue', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('hands every item pushed within one frame over in one call, in order', () => {
    const frames: FrameRequestCallback[] = [];
    vi.stubGlobal('requestAnimationFrame', (cb: FrameRequestCallback) => frames.push(cb));
    vi.stubGlobal('cancelAnimationFrame', () => {});
    const q = new FrameQueue<number>();
    const calls: number[][] = [];
    for (const n of [1, 2, 3]) q.push(n, (items) => calls.push(items));
    expect(calls).toEqual([]);
    expect(frames).toHaveLength(1);
    frames[0]?.(0);
    expect(calls).toEqual([[1, 2, 3]]);
    q.push(4, (items) => calls.push(items));
    frames[1]?.(16);
    expect(calls).toEqual([[1, 2, 3], [4]]);
  });

  it('flushes on a timer when no frame comes (a hidden tab), and discard drops what waits', () => {
    vi.useFakeTimers();
    vi.stubGlobal('requestAnimationFrame', () => 1);
    vi.stubGlobal('cancelAnimationFrame', () => {});
    const q = new FrameQueue<string>(50);
    const calls: string[][] = [];
    q.push('a', (items) => calls.push(items));
    vi.advanceTimersByTime(50);
    expect(calls).toEqual([['a']]);
    q.push('b', (items) => calls.push(items));
    q.discard();
    vi.advanceTimersByTime(100);
    expect(calls).toEqual([['a']]);
  });
});
