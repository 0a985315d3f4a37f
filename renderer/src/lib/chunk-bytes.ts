import { base64ToBytes } from '../../../shared/bytes';
import type { TrafficChunk } from '../../../shared/endpoints';

const cache = new WeakMap<TrafficChunk, Uint8Array>();

/** Decoded preview bytes of a chunk, decoded once (chunks are immutable once received). */
export function chunkBytes(c: TrafficChunk): Uint8Array {
  let b = cache.get(c);
  if (!b) {
    b = base64ToBytes(c.data);
    cache.set(c, b);
  }
  return b;
}
