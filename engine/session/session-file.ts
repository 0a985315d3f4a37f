/**
 * Reading the session file at start. Whatever is found, the app starts: a session Sockscope can
 * read is loaded; anything else (not JSON, not a session, a newer version, fields the schema
 * refuses, a huge file, a symbolic link or a folder in its place) is moved aside under a name
 * that no earlier backup has, and the app starts empty with a one-line notice.
 */
import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseSessionText, SESSION_LIMITS, type SessionFile, type SessionProblem } from '../../shared/session';

export type LoadOutcome =
  | { kind: 'missing' }
  | { kind: 'loaded'; session: SessionFile }
  /** Not a session this build can use: kept at `backup` (null when even moving it failed). */
  | { kind: 'kept-aside'; reason: string; backup: string | null }
  /** The data folder itself is not safe to use (another user's, writable by others, a link). */
  | { kind: 'unsafe-folder'; reason: string };

const MIB = 1024 * 1024;

/** open(2) flags for reading: never through a symlink, and a FIFO put there cannot block the start. */
const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/**
 * `check` refuses what the schema lets through but the engine would not open (endpoint-checks.ts),
 * so that a file is loaded whole or kept aside whole.
 */
export function loadSessionFile(
  path: string,
  now: () => Date = () => new Date(),
  check: (s: SessionFile) => { path: string; message: string } | null = () => null,
): LoadOutcome {
  const unsafe = checkDataFolder(dirname(path));
  if (unsafe) return { kind: 'unsafe-folder', reason: unsafe };
  removeStaleTempFiles(path);
  let st;
  try {
    st = lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    return { kind: 'kept-aside', reason: `could not be read (${errorText(err)})`, backup: null };
  }
  if (st.isSymbolicLink()) return keepAside(path, 'was a symbolic link (it was not followed)', now);
  if (!st.isFile()) return keepAside(path, 'is not a regular file', now);
  if (st.size > SESSION_LIMITS.fileBytes) return keepAside(path, `is larger than ${SESSION_LIMITS.fileBytes / MIB} MiB (${(st.size / MIB).toFixed(1)} MiB)`, now);
  let text: string;
  try {
    text = readSmallFile(path);
  } catch (err) {
    return keepAside(path, `could not be read (${errorText(err)})`, now);
  }
  const parsed = parseSessionText(text);
  if (!parsed.ok) return keepAside(path, REASONS[parsed.problem](parsed.message), now);
  const problem = check(parsed.session);
  if (problem) return keepAside(path, REASONS.invalid(`${problem.path}: ${problem.message}`), now);
  return { kind: 'loaded', session: parsed.session };
}

const REASONS: Record<SessionProblem, (detail: string) => string> = {
  'not-json': (d) => `could not be read: ${d}`,
  'wrong-format': () => 'is not a Sockscope session file',
  'future-version': (d) => `was ${d}`,
  invalid: (d) => `does not match the session format (${d})`,
};

/**
 * Temp files of writes that a kill or a power cut interrupted (`.session.json.<12 hex>.tmp`, see
 * tempPathFor): never renamed, so never the session; only regular files of that exact name go.
 */
function removeStaleTempFiles(path: string): void {
  const name = basename(path).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`^\\.${name}\\.[0-9a-f]{12}\\.tmp$`);
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return;
  }
  for (const n of names) {
    if (!pattern.test(n)) continue;
    const p = join(dirname(path), n);
    try {
      if (lstatSync(p).isFile()) unlinkSync(p);
    } catch {
      // Gone already, or not ours to remove: the session does not depend on it.
    }
  }
}

function readSmallFile(path: string): string {
  const fd = openSync(path, READ_FLAGS);
  try {
    // Checked again on the open file: the path may have changed since lstat.
    const st = fstatSync(fd);
    if (!st.isFile()) throw new Error('not a regular file');
    if (st.size > SESSION_LIMITS.fileBytes) throw new Error(`larger than ${SESSION_LIMITS.fileBytes / MIB} MiB`);
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * Renames `path` to `<name>.corrupt-<timestamp>` (with `-2`, `-3`… when that name is taken: a
 * backup is never overwritten). rename(2) moves a symbolic link itself, not what it points to.
 */
export function keepAside(path: string, reason: string, now: () => Date = () => new Date()): LoadOutcome {
  const stamp = now().toISOString().replace(/[:.]/g, '-');
  for (let n = 1; n <= 100; n++) {
    const candidate = `${path}.corrupt-${stamp}${n > 1 ? `-${n}` : ''}`;
    if (exists(candidate)) continue;
    try {
      renameSync(path, candidate);
      return { kind: 'kept-aside', reason, backup: candidate };
    } catch (err) {
      return { kind: 'kept-aside', reason: `${reason}; moving it aside failed (${errorText(err)})`, backup: null };
    }
  }
  return { kind: 'kept-aside', reason: `${reason}; 100 backups of this second already exist`, backup: null };
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Creates the data folder (0700) if missing; null when it is ours alone. A folder another user
 * owns or others may write could have had the session swapped (or read) under us.
 */
export function checkDataFolder(dir: string): string | null {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // Followed if a link: dotfile managers link ~/.config folders; what counts is whose the folder is.
    const st = statSync(dir);
    if (!st.isDirectory()) return `${dir} is not a folder`;
    if (process.platform === 'win32') return null;
    if (typeof process.getuid === 'function' && st.uid !== process.getuid()) return `${dir} belongs to another user`;
    if ((st.mode & 0o022) !== 0) return `others may write to ${dir}`;
    return null;
  } catch (err) {
    return `${dir} cannot be used (${errorText(err)})`;
  }
}

export function errorText(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  return code && !message.startsWith(code) ? `${code}: ${message}` : message;
}

/** The backup's file name alone, for one-line notices. */
export const backupName = (backup: string): string => basename(backup);
