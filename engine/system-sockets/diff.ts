/**
 * What changed between two snapshots, by row key: the UI highlights added rows, marks changed
 * ones and lets removed ones linger for a moment. Counters (queues, bytes, RTT) move on every
 * refresh of a busy connection, so they are reported apart from the changes worth a mark.
 */
import type {
  SystemSocketRow,
  SystemSocketsDiff,
  SystemSocketsSnapshot,
} from '../../shared/system-sockets';

type RowsOrSnapshot = SystemSocketsSnapshot | readonly SystemSocketRow[] | null | undefined;

function rowsOf(input: RowsOrSnapshot): readonly SystemSocketRow[] {
  if (!input) return [];
  return Array.isArray(input) ? input : (input as SystemSocketsSnapshot).rows;
}

export function diffSnapshots(prev: RowsOrSnapshot, next: RowsOrSnapshot): SystemSocketsDiff {
  const before = new Map<string, SystemSocketRow>();
  for (const row of rowsOf(prev)) before.set(row.key, row);
  const diff: SystemSocketsDiff = { added: [], removed: [], changed: [], countersChanged: [] };
  const seen = new Set<string>();
  for (const row of rowsOf(next)) {
    seen.add(row.key);
    const old = before.get(row.key);
    if (!old) diff.added.push(row.key);
    else if (identityChanged(old, row)) diff.changed.push(row.key);
    else if (countersChanged(old, row)) diff.countersChanged.push(row.key);
  }
  for (const key of before.keys()) if (!seen.has(key)) diff.removed.push(key);
  return diff;
}

function identityChanged(a: SystemSocketRow, b: SystemSocketRow): boolean {
  return (
    a.state !== b.state ||
    a.stateRaw !== b.stateRaw ||
    a.uid !== b.uid ||
    a.family !== b.family ||
    a.inode !== b.inode ||
    processesKey(a) !== processesKey(b)
  );
}

function countersChanged(a: SystemSocketRow, b: SystemSocketRow): boolean {
  return (
    a.recvQ !== b.recvQ ||
    a.sendQ !== b.sendQ ||
    a.bytesSent !== b.bytesSent ||
    a.bytesReceived !== b.bytesReceived ||
    a.rttMs !== b.rttMs
  );
}

function processesKey(row: SystemSocketRow): string {
  return row.processes
    .map((p) => `${p.pid}:${p.name ?? ''}`)
    .sort()
    .join('\u0000');
}
