/**
 * A client's copy of a timeline kept up to date from appended calls alone (`Timeline.since` on the
 * engine's side, `appendTimeline` on the client's) is the engine's own snapshot, call for call:
 * before and after the pinned calls fill, around TIMELINE_MAX where the "not kept" line appears,
 * and far past it, for every spacing of updates.
 */
import { describe, expect, it } from 'vitest';
import { appendTimeline, TIMELINE_MAX } from '../../shared/timeline';
import type { TimelineEntry } from '../../shared/endpoints';
import { Timeline, type TimelineMark } from './timeline';

/** Follows `tl` as a session would: a whole copy when `since` cannot do, appends otherwise. */
function follower(tl: Timeline) {
  let copy: TimelineEntry[] = tl.snapshot();
  let mark: TimelineMark = tl.mark;
  let appends = 0;
  return {
    update() {
      const added = tl.since(mark);
      const now = tl.mark;
      if (added) {
        copy = appendTimeline(copy, { total: now.total, added });
        appends++;
      } else copy = tl.snapshot();
      mark = now;
    },
    copy: () => copy,
    appends: () => appends,
  };
}

describe('timeline appends', () => {
  it.each([1, 3, 7, 64, 491, 492])('rebuild the snapshot exactly when updated every %i calls', (every) => {
    let t = 1000;
    const tl = new Timeline({ now: () => t++ });
    const f = follower(tl);
    for (let i = 0; i < 1_700; i++) {
      tl.add(`call(${i})`, i % 5 === 0 ? 'EAGAIN' : 'ok', i % 5 !== 0);
      if ((i + 1) % every === 0) {
        f.update();
        // As text: the same calls in the same order with the same fields (and fast enough for 1,700 checks).
        expect(JSON.stringify(f.copy())).toBe(JSON.stringify(tl.snapshot()));
      }
    }
    f.update();
    expect(f.copy()).toEqual(tl.snapshot());
    expect(tl.snapshot()).toHaveLength(TIMELINE_MAX + 1); // the "not kept" line, then 500 calls
    expect(f.appends()).toBeGreaterThan(0);
  });

  it('sends the whole list again when appending cannot do: a settled call, or calls already dropped', () => {
    const tl = new Timeline({ now: () => 1 });
    for (let i = 0; i < 20; i++) tl.add(`call(${i})`);
    const mark = tl.mark;
    const pending = tl.begin('connect(127.0.0.1:9)');
    expect(tl.since(mark)).toHaveLength(1);
    pending.settle('ECONNREFUSED', false);
    expect(tl.since(mark)).toBeNull();
    const later = tl.mark;
    for (let i = 0; i < 2_000; i++) tl.add(`more(${i})`);
    expect(tl.since(later)).toBeNull();
    // A copy made while the pinned calls were still being taken is not appended to either.
    const young = new Timeline({ now: () => 1 });
    young.add('socket()');
    const m = young.mark;
    young.add('bind()');
    expect(young.since(m)).toBeNull();
  });
});
