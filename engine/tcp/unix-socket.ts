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

/**
 * The longest socket path, in bytes: sun_path holds 108 bytes on Linux and 104 on macOS and the
 * BSDs, one of which is the terminating NUL that C peers (socat, Python's socket module…) expect.
 */
export function unixPathMaxBytes(platform: NodeJS.Platform = process.platform): number {
  return platform === 'linux' || platform === 'android' ? 107 : 103;
}

/**
 * ENAMETOOLONG for a path that does not fit in sun_path, checked before bind() or connect(): libuv
 * would silently cut it to 108 bytes and bind (or reach) another file. Bytes are counted in UTF-8,
 * as the kernel counts them, not characters.
 */
export function unixPathTooLong(path: string, platform: NodeJS.Platform = process.platform): NodeJS.ErrnoException | null {
  if (isNamedPipe(path)) return null;
  const bytes = Buffer.byteLength(path, 'utf8');
  const max = unixPathMaxBytes(platform);
  if (bytes <= max) return null;
  const e = engineError('ENAMETOOLONG', `socket path is ${bytes} bytes; at most ${max} fit`);
  e.path = path;
  return e;
}

/** The alert's detail for a path that is too long: the numbers, and where relative paths start. */
export function tooLongDetail(path: string): string {
  return `${Buffer.byteLength(path, 'utf8')} bytes (UTF-8); at most ${unixPathMaxBytes()} fit. A relative path counts from Sockscope's working folder, ${process.cwd()}`;
}

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
