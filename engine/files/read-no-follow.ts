/**
 * Reads a file a person named (a certificate, a key, a CA bundle) without following a symbolic link
 * planted at its name and without reading more than `maxBytes`: a FIFO or /dev/zero at the path
 * would otherwise hang or fill the engine. Windows has no O_NOFOLLOW (symlinks need privileges there).
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

const READ_NO_FOLLOW = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

export async function readFileNoFollow(path: string, maxBytes: number): Promise<Buffer> {
  const file = await open(path, READ_NO_FOLLOW);
  try {
    const st = await file.stat();
    if (!st.isFile()) throw Object.assign(new Error(`${path} is not a regular file`), { code: 'EUNSAFE_PATH', path });
    if (st.size > maxBytes) throw Object.assign(new Error(`${path} is larger than ${maxBytes} bytes`), { code: 'EFBIG', path });
    const buf = Buffer.alloc(st.size);
    const { bytesRead } = await file.read(buf, 0, st.size, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}
