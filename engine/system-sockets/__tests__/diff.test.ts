import { describe, expect, it } from 'vitest';
import type { SystemSocketRow } from '../../../shared/system-sockets';
import { diffSnapshots } from '../diff';
import { emptyRow, withKeys } from '../parse-common';
import { parseSs } from '../parse-ss';

function row(patch: Partial<SystemSocketRow>): SystemSocketRow {
  return { ...emptyRow('tcp', 'inet'), localAddress: '127.0.0.1', ...patch };
}

describe('diffSnapshots', () => {
  const listener = row({ localPort: 80, state: 'LISTEN', inode: 1, processes: [{ pid: 5, name: 'srv' }] });
  const conn = row({ localPort: 80, remoteAddress: '127.0.0.1', remotePort: 5555, state: 'ESTABLISHED', inode: 2, processes: [{ pid: 5, name: 'srv' }], bytesSent: 10 });

  it('reports everything as added when there was nothing before', () => {
    const next = withKeys([{ ...listener }, { ...conn }]);
    expect(diffSnapshots(null, next)).toEqual({ added: next.map((r) => r.key), removed: [], changed: [], countersChanged: [] });
  });

  it('tells new, closed, changed and merely counting rows apart', () => {
    const before = withKeys([{ ...listener }, { ...conn }, row({ localPort: 9000, state: 'LISTEN', inode: 3 })]);
    const after = withKeys([
      { ...listener, sendQ: 4 },
      { ...conn, state: 'TIME_WAIT', inode: null, processes: [] },
      row({ localPort: 9001, state: 'LISTEN', inode: 4 }),
    ]);
    const diff = diffSnapshots({ takenAt: 0, source: 'x', rows: before, skippedLines: 0, limitedVisibility: false, durationMs: 0 }, after);
    expect(diff.added).toEqual([after[2]?.key]);
    expect(diff.removed).toEqual([before[2]?.key]);
    expect(diff.changed).toEqual([after[1]?.key]);
    expect(diff.countersChanged).toEqual([after[0]?.key]);
  });

  it('sees a process change as a change, whatever the order pids were listed in', () => {
    const a = withKeys([{ ...conn, processes: [{ pid: 1, name: 'a' }, { pid: 2, name: 'b' }] }]);
    const reordered = withKeys([{ ...conn, processes: [{ pid: 2, name: 'b' }, { pid: 1, name: 'a' }] }]);
    const renamed = withKeys([{ ...conn, processes: [{ pid: 1, name: 'a' }, { pid: 2, name: 'c' }] }]);
    expect(diffSnapshots(a, reordered).changed).toEqual([]);
    expect(diffSnapshots(a, renamed).changed).toEqual([a[0]?.key]);
  });

  it('is empty for identical snapshots of real output', () => {
    const one = parseSs('tcp ESTAB 0 0 127.0.0.1:1 127.0.0.1:2 users:(("a",pid=5,fd=3)) ino:9\n').rows;
    const two = parseSs('tcp ESTAB 0 0 127.0.0.1:1 127.0.0.1:2 users:(("a",pid=5,fd=3)) ino:9\n').rows;
    expect(diffSnapshots(one, two)).toEqual({ added: [], removed: [], changed: [], countersChanged: [] });
  });
});
