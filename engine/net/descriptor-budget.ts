/**
 * How many connections the engine may hold open at once, leaving descriptors for everything else
 * the process does: the UI's own connections, files (recordings, the session), and the OS commands
 * behind the System sockets table. Without it a flood of clients into one listener took every
 * descriptor, and then new UI clients, new listeners and `ss` all failed with EMFILE.
 */
import { readFileSync } from 'node:fs';

/** Descriptors kept for the rest of the process. */
export const RESERVED_DESCRIPTORS = 1024;
/** The cap where the limit cannot be read (and the most we ever allow). */
export const MAX_OPEN_CONNECTIONS = 16_384;

/** The soft RLIMIT_NOFILE as Linux reports it (Node raises the soft limit to the hard one at start). */
function openFilesLimit(): number | null {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    if (!soft || soft === 'unlimited') return null;
    const n = Number(soft);
    return Number.isInteger(n) && n > 0 ? n : null;
  } catch {
    return null; // not Linux, or /proc not mounted
  }
}

/** The cap for a given descriptor limit (null: unknown). */
export function connectionCapFor(limit: number | null): number {
  if (limit === null) return MAX_OPEN_CONNECTIONS;
  return Math.max(64, Math.min(MAX_OPEN_CONNECTIONS, limit - RESERVED_DESCRIPTORS));
}

export function openConnectionCap(): number {
  return connectionCapFor(openFilesLimit());
}
