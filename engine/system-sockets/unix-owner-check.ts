/**
 * Keeps only the Unix rows whose owners the kernel confirms. ss (and /proc/net/unix) print a Unix
 * socket's name raw, so a name of up to 108 bytes can spell whole extra rows, each on a line of its
 * own, with any process as their owner (`u_str LISTEN … users:(("sshd",pid=1,fd=3))`). Nothing in
 * the text tells such a line from a real row, but the kernel does: a process holds a socket exactly
 * when one of its descriptors reads `socket:[INODE]` in /proc/PID/fd. ss found the owners through
 * those same links with our permissions, so a claim we cannot confirm is made up (or the socket
 * closed since ss ran, and its row is gone a moment later anyway).
 *
 * Rows that claim no process stay: a made-up row without an owner can still appear (see
 * docs/security.md), but it can no longer blame a process.
 */
import { readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { SystemSocketRow } from '../../shared/system-sockets';

/**
 * Descriptors read per process. A process with more (a busy server) keeps its claims unchecked
 * rather than make every refresh read tens of thousands of links.
 */
const MAX_FDS_PER_PROCESS = 16_384;
/** Links read at once: enough to be quick, few enough to leave libuv's thread pool to others. */
const READ_CONCURRENCY = 32;

/** The socket inodes a process holds, `'unchecked'` when it holds too many to read, null when it can't be read. */
type HeldSockets = Set<number> | 'unchecked' | null;

export interface UnixOwnerCheckResult {
  rows: SystemSocketRow[];
  /** Rows dropped because no process they name holds their socket. */
  dropped: number;
}

/**
 * Removes from each Unix row the processes that do not hold its inode, and drops rows left with
 * none. Other rows (TCP/UDP, Unix rows without an inode or an owner) pass through untouched.
 */
export async function confirmUnixOwners(rows: readonly SystemSocketRow[], procRoot = '/proc'): Promise<UnixOwnerCheckResult> {
  const claimed = new Set<number>();
  for (const row of rows) if (needsCheck(row)) for (const p of row.processes) claimed.add(p.pid);
  if (claimed.size === 0) return { rows: [...rows], dropped: 0 };

  const held = new Map<number, HeldSockets>();
  for (const pid of claimed) held.set(pid, await socketsHeldBy(procRoot, pid));

  const kept: SystemSocketRow[] = [];
  let dropped = 0;
  for (const row of rows) {
    if (!needsCheck(row)) {
      kept.push(row);
      continue;
    }
    const processes = row.processes.filter((p) => {
      const sockets = held.get(p.pid);
      return sockets === 'unchecked' || (sockets instanceof Set && sockets.has(row.inode as number));
    });
    if (processes.length === 0) dropped++;
    else kept.push(processes.length === row.processes.length ? row : { ...row, processes });
  }
  return { rows: kept, dropped };
}

function needsCheck(row: SystemSocketRow): boolean {
  return row.proto === 'unix' && row.inode !== null && row.processes.length > 0;
}

async function socketsHeldBy(procRoot: string, pid: number): Promise<HeldSockets> {
  const dir = join(procRoot, String(pid), 'fd');
  let fds: string[];
  try {
    fds = await readdir(dir);
  } catch {
    return null;
  }
  if (fds.length > MAX_FDS_PER_PROCESS) return 'unchecked';
  const inodes = new Set<number>();
  for (let i = 0; i < fds.length; i += READ_CONCURRENCY) {
    const links = await Promise.all(fds.slice(i, i + READ_CONCURRENCY).map((fd) => readlink(join(dir, fd)).catch(() => null)));
    for (const link of links) {
      const m = link === null ? null : /^socket:\[(\d+)\]$/.exec(link);
      if (m) inodes.add(Number(m[1]));
    }
  }
  return inodes;
}
