/**
 * How the session file is written: whoever reads it next (the next start, after a crash, a kill or
 * a power cut mid-write) finds the old file or the new one, whole, never a mix of the two.
 */
import { constants } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CREATE_NEW_FILE, PRIVATE_FILE_MODE, tempPathFor } from '../files/private-files';

/**
 * Replaces `path` with `text`: a temp file in the same folder, created new (O_CREAT | O_EXCL |
 * O_NOFOLLOW, mode 0600: a planted file or symbolic link at its name is an error, never written
 * through) → write → fsync → rename over `path` (atomic within a file system; it replaces a
 * symbolic link at `path` itself, never its target) → fsync the folder, so the rename is on disk too.
 * `tempPath` names the temp file (tests choose it to plant something there).
 */
export async function writeFileAtomic(path: string, text: string, tempPath: (target: string) => string = tempPathFor): Promise<void> {
  const temp = tempPath(path);
  // Outside the try: when this fails, whatever is at `temp` is not ours to remove.
  const file = await open(temp, CREATE_NEW_FILE, PRIVATE_FILE_MODE);
  let renamed = false;
  try {
    try {
      await file.writeFile(text, 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, path);
    renamed = true;
  } finally {
    if (!renamed) await unlink(temp).catch(() => {});
  }
  await syncFolder(dirname(path));
}

/** fsync(2) on the folder: makes a rename in it durable. Windows has no such call for folders. */
async function syncFolder(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  let folder;
  try {
    folder = await open(dir, constants.O_RDONLY | (constants.O_DIRECTORY ?? 0));
    await folder.sync();
  } catch {
    // Some file systems refuse fsync on a folder (EINVAL): the new file is in place all the same.
  } finally {
    await folder?.close().catch(() => {});
  }
}
