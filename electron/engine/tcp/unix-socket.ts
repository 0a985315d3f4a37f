/**
 * Unix domain socket files: telling a live socket from a stale one (the file outlived its server),
 * and removing only a stale one. Windows named pipes have no file: nothing to detect or remove.
 */
import { lstat, unlink } from 'node:fs/promises';
import { connect } from 'node:net';
import { CommandError, invalidState, notFound } from '../command-error';
import { engineError } from '../errors/explain-error';

export type UnixPathState =
  | 'missing'
  /** Exists, but a regular file, directory, … — never ours to remove. */
  | 'not-socket'
  /** A socket file and a server accepts on it. */
  | 'listening'
  /** A socket file and connect() is refused: nothing listens. */
  | 'stale'
  /** A socket file we could not probe (permission denied, …). */
  | 'unknown';

const PROBE_TIMEOUT_MS = 1000;

export const isNamedPipe = (path: string) => process.platform === 'win32' || path.startsWith('\\\\');

/** Looks at the path and, for a socket file, tries to connect to it (and closes at once). */
export async function probeUnixPath(path: string): Promise<UnixPathState> {
  let isSocket: boolean;
  try {
    isSocket = (await lstat(path)).isSocket();
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'unknown';
  }
  if (!isSocket) return 'not-socket';
  return new Promise<UnixPathState>((resolve) => {
    const s = connect({ path });
    const done = (state: UnixPathState) => {
      clearTimeout(timer);
      s.removeAllListeners('connect');
      s.on('error', () => {});
      s.destroy();
      resolve(state);
    };
    // A full accept queue also looks like this; "unknown" keeps us from calling a busy server stale.
    const timer = setTimeout(() => done('unknown'), PROBE_TIMEOUT_MS);
    s.once('connect', () => done('listening'));
    s.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED') done('stale');
      else if (err.code === 'ENOENT') done('missing');
      else done('unknown');
    });
  });
}

/** The error a workspace shows for a stale path; the UI offers `unix:remove-stale` for it. */
export function staleSocketError(path: string): NodeJS.ErrnoException {
  const e = engineError('ESTALE_SOCKET', `stale socket file ${path}`);
  e.path = path;
  return e;
}

/**
 * `unix:remove-stale`: unlinks `path` only if it is a socket file with nothing listening.
 * Anything else is refused with the reason, and nothing is touched.
 */
export async function removeStaleUnixSocket(path: string): Promise<void> {
  if (isNamedPipe(path)) throw invalidState('named pipes have no file to remove');
  const state = await probeUnixPath(path);
  switch (state) {
    case 'missing':
      throw notFound('socket file', path);
    case 'not-socket':
      throw invalidState(`${path} is not a socket file; refusing to remove it`);
    case 'listening':
      throw invalidState(`a server is listening on ${path}; it is not stale`);
    case 'unknown':
      throw invalidState(`could not tell whether ${path} is stale (no answer or no permission); not removing it`);
    case 'stale':
      break;
  }
  try {
    // Check again right before unlinking: the path must still be a socket.
    if (!(await lstat(path)).isSocket()) throw invalidState(`${path} is no longer a socket file`);
    await unlink(path);
  } catch (err) {
    if (err instanceof CommandError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
    if (code === 'ENOENT') return; // Someone else removed it: the goal is reached.
    throw invalidState(`could not remove ${path}: ${code}`);
  }
}

/** After our own server closed: remove its file if it is still the very socket we created. */
export async function removeOwnSocketFile(path: string, ino: number | null): Promise<void> {
  if (isNamedPipe(path) || ino === null) return;
  try {
    const st = await lstat(path);
    if (st.isSocket() && st.ino === ino) await unlink(path);
  } catch {
    // Already gone (libuv unlinks it when the server closes): nothing to do.
  }
}

export async function socketInode(path: string): Promise<number | null> {
  if (isNamedPipe(path)) return null;
  try {
    const st = await lstat(path);
    return st.isSocket() ? st.ino : null;
  } catch {
    return null;
  }
}
