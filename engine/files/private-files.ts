/**
 * How the engine writes files (recordings, pcapng exports; the session file's atomic write uses the
 * same flags): never through a symbolic link planted at the path, never into an existing file, mode
 * 0600 (what they hold is captured traffic), and into folders only this user can write.
 */
import { randomBytes } from 'node:crypto';
import { constants, createWriteStream, type WriteStream } from 'node:fs';
import { lstat, mkdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * open(2) flags for a new file: O_EXCL makes an existing path (also a symlink, dangling or not) an
 * EEXIST error instead of a file we write into; O_NOFOLLOW says the same about a final symlink even
 * where O_EXCL is ignored. Windows has no O_NOFOLLOW (its symlinks need privileges to create).
 */
export const CREATE_NEW_FILE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);
export const PRIVATE_FILE_MODE = 0o600;

/**
 * A write stream on a new private file (CREATE_NEW_FILE, 0600). Node hands `flags` to open(2), which
 * takes the numeric form; @types/node only names the string forms, which cannot say O_NOFOLLOW.
 */
export function createNewFileStream(path: string): WriteStream {
  return createWriteStream(path, { flags: CREATE_NEW_FILE as unknown as string, mode: PRIVATE_FILE_MODE });
}

/** Our own refusal: the path is there but writing it would not be safe. */
function unsafePath(message: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code: 'EUNSAFE_PATH', path });
}

/** A name next to `path` that nobody else can have chosen: the temp file of an atomic replace. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
}

/**
 * Creates `dir` (0700) if missing and checks that it is a real folder of this user that nobody else
 * can write: otherwise another local user could have prepared it (e.g. in the shared temp folder)
 * to watch or swap what we write there.
 */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const st = await lstat(dir);
  if (st.isSymbolicLink() || !st.isDirectory()) {
    throw unsafePath(`${dir} is not a folder (a symbolic link or a file is in its place)`, dir);
  }
  if (process.platform === 'win32') return;
  const foreign = typeof process.getuid === 'function' && st.uid !== process.getuid();
  if (foreign || (st.mode & 0o022) !== 0) {
    throw unsafePath(`${dir} belongs to another user or others may write to it`, dir);
  }
}

/**
 * Replaces `path` with a file written by `write(tempPath)`: the temp file is created with
 * CREATE_NEW_FILE in the same folder, then renamed over `path` (rename never follows a symlink and
 * never writes into the file it replaces). Only a missing path or a regular file is replaced:
 * anything else there (symlink, folder, FIFO…) is refused, and left as it is.
 */
export async function replaceFile(path: string, write: (tempPath: string) => Promise<void>): Promise<void> {
  await refuseUnlessRegularOrMissing(path);
  const temp = tempPathFor(path);
  try {
    await write(temp);
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => {}); // never created, or already renamed: nothing to clean
    throw err;
  }
}

async function refuseUnlessRegularOrMissing(path: string): Promise<void> {
  try {
    const st = await lstat(path);
    if (st.isFile()) return;
    const what = st.isSymbolicLink() ? 'a symbolic link' : st.isDirectory() ? 'a folder' : 'not a regular file';
    throw unsafePath(`${path} exists and is ${what}; refusing to replace it`, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
