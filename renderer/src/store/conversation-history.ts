/**
 * Everything the engine still keeps of a conversation, whole (not previews): for saving its bytes
 * to a file, for copying a chunk the log shows only in part, and the engine's recording files.
 * Paged backwards with `traffic:page`, bounded in pages and bytes whatever the engine answers.
 * Reached through store actions (traffic-slice.ts, recording-slice.ts), never from components.
 */
import { base64ToBytes } from '../../../shared/bytes';
import { LIMITS } from '../../../shared/primitives';
import type { TrafficChunk } from '../../../shared/endpoints';
import { engineCall } from './engine-port';

export interface FullChunk {
  seq: number;
  ts: number;
  dir: 'in' | 'out';
  bytes: Uint8Array;
  /** The engine had more of this chunk than one page carries (a chunk over 4 MiB). */
  partial: boolean;
  peer: TrafficChunk['peer'];
}

export interface History {
  chunks: FullChunk[];
  /** Bytes per direction the engine no longer kept (its history is bounded). */
  notKept: { in: number; out: number };
}

const MAX_PAGES = 1000;
const MAX_BYTES = 512 * 1024 * 1024;

export async function fetchHistory(conversationId: string): Promise<History> {
  const pages: TrafficChunk[][] = [];
  let beforeSeq: number | undefined;
  let bytes = 0;
  let notKept = { in: 0, out: 0 };
  for (let i = 0; i < MAX_PAGES && bytes < MAX_BYTES; i++) {
    const page = await engineCall('traffic:page', { conversationId, limit: LIMITS.trafficPage, full: true, ...(beforeSeq === undefined ? {} : { beforeSeq }) });
    notKept = page.notKept;
    if (page.chunks.length === 0) break;
    pages.push(page.chunks);
    for (const c of page.chunks) bytes += c.size;
    const first = page.chunks[0] as TrafficChunk;
    if (first.seq <= page.firstKeptSeq) break;
    beforeSeq = first.seq;
  }
  const chunks = pages.reverse().flat().map((c) => {
    const b = base64ToBytes(c.data);
    return { seq: c.seq, ts: c.ts, dir: c.dir, bytes: b, partial: b.length < c.size, peer: c.peer };
  });
  return { chunks, notKept };
}

/** One chunk as the engine keeps it (as far as one page carries it); null when it no longer does. */
export async function fetchWholeChunk(conversationId: string, seq: number): Promise<TrafficChunk | null> {
  const page = await engineCall('traffic:page', { conversationId, beforeSeq: seq + 1, limit: 1, full: true });
  return page.chunks.find((c) => c.seq === seq) ?? null;
}

/** A file the engine wrote for this conversation (its recording, its pcapng export), read page by page. */
export async function fetchRecordingFile(conversationId: string, file: 'recording' | 'pcapng'): Promise<{ name: string; parts: Uint8Array[] }> {
  const parts: Uint8Array[] = [];
  let offset = 0;
  let name = '';
  for (let i = 0; i < 10_000; i++) {
    const page = await engineCall('recording:read', { conversationId, file, offset });
    name = page.name;
    const data = base64ToBytes(page.data);
    if (data.length === 0) break;
    parts.push(data);
    offset += data.length;
    if (offset >= page.size) break;
  }
  return { name, parts };
}
