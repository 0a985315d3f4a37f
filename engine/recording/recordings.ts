/**
 * The engine's recordings, one per conversation (a TCP stream or a UDP endpoint's datagram log) at
 * a time. A recording taps the conversation's traffic log, so it sees every chunk with its full
 * bytes — including those the ring buffer later forgets — and is stopped when the conversation
 * closes, the endpoint is removed, or the engine shuts down.
 */
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import type { RecordingInfo } from '../../shared/recording';
import { invalidState } from '../command-error';
import type { RecordingsContext } from '../contexts';
import { ensurePrivateDir, replaceFile } from '../files/private-files';
import type { StoredChunk } from '../traffic/traffic-log';
import { exportPcapng, ExportError } from './pcapng';
import { explainFileError, Recorder } from './recorder';

export interface RecordingsDeps {
  open?: (path: string) => Writable;
  maxPendingBytes?: number;
}

export class Recordings {
  private readonly recorders = new Map<string, Recorder>();
  deps: RecordingsDeps = {};

  constructor(private readonly engine: RecordingsContext) {}

  /** `<data folder>/recordings`, or the OS temp folder when settings live in memory only. */
  get dir(): string {
    const base = this.engine.options.dataDir;
    return base ? join(base, 'recordings') : join(tmpdir(), 'sockscope-recordings');
  }

  info(conversationId: string): RecordingInfo | null {
    return this.recorders.get(conversationId)?.info() ?? null;
  }

  isRecording(conversationId: string): boolean {
    return this.recorders.get(conversationId)?.active ?? false;
  }

  async start(conversationId: string): Promise<{ path: string }> {
    const conv = this.engine.requireConversation(conversationId);
    if (this.isRecording(conversationId)) throw invalidState('this conversation is already being recorded');
    const meta = conv.recordingMeta?.();
    if (!meta) throw invalidState('this conversation is closed (or cannot be recorded): nothing more to record');
    const dir = this.dir;
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const path = join(dir, `${conversationId}-${stamp}.jsonl`);
    try {
      await ensurePrivateDir(dir);
    } catch (err) {
      const info = explainFileError(err as Error, dir);
      throw invalidState(`${info.code}: ${info.message}`);
    }
    // Closed (or removed) while the folder was made: nothing would ever stop this recording.
    if (!conv.recordingMeta?.()) throw invalidState('this conversation closed while its recording was starting: nothing more to record');
    const tap = (c: StoredChunk) => recorder.chunk(c);
    const recorder: Recorder = new Recorder(path, meta, {
      ...this.deps,
      onChange: () => {
        if (!recorder.active && conv.traffic.tap === tap) conv.traffic.tap = null;
        this.engine.conversationChanged(conv);
      },
    });
    this.recorders.set(conversationId, recorder);
    try {
      await recorder.opened();
    } catch (err) {
      // The failure stays visible in the conversation's recording state.
      this.engine.conversationChanged(conv);
      const info = recorder.info().error ?? explainFileError(err as Error, path);
      throw invalidState(`${info.code}: ${info.message}`);
    }
    if (recorder.active) conv.traffic.tap = tap;
    this.engine.conversationChanged(conv);
    return { path };
  }

  async stop(conversationId: string): Promise<{ path: string }> {
    this.engine.requireConversation(conversationId);
    const r = this.recorders.get(conversationId);
    if (!r?.active) throw invalidState('this conversation is not being recorded');
    await r.stop('stopped');
    return { path: r.path };
  }

  /** Exports the conversation's current or last recording (what has reached the file so far). */
  async exportPcapng(conversationId: string): Promise<{ path: string }> {
    const conv = this.engine.requireConversation(conversationId);
    const r = this.recorders.get(conversationId);
    if (!r) throw invalidState('record this conversation first: the export reads its recording');
    if (r.meta.kind === 'unix') throw invalidState('a Unix domain socket has no TCP/IP headers to export as pcapng');
    const out = r.path.replace(/\.jsonl$/, '.pcapng');
    await r.settled();
    try {
      await ensurePrivateDir(dirname(out));
      // Exporting again refreshes the same file: written aside, then renamed over the last export.
      await replaceFile(out, async (temp) => {
        await exportPcapng(r.path, temp);
      });
    } catch (err) {
      if (err instanceof ExportError) throw invalidState(err.message);
      const info = explainFileError(err as Error, out);
      throw invalidState(`${info.code}: ${info.message.replace(/ The recording stopped; the connection goes on\./, '')}`);
    }
    r.exportedPath = out;
    this.engine.conversationChanged(conv);
    return { path: out };
  }

  /** The conversation closed (or its endpoint went away): the recording ends cleanly. */
  closed(conversationId: string): Promise<void> {
    const r = this.recorders.get(conversationId);
    return r?.active ? r.stop('closed') : Promise.resolve();
  }

  droppedDatagram(conversationId: string, bytes: number): void {
    this.recorders.get(conversationId)?.droppedDatagram(bytes);
  }

  forget(conversationId: string): void {
    void this.closed(conversationId);
    this.recorders.delete(conversationId);
  }

  async stopAll(): Promise<void> {
    await Promise.allSettled([...this.recorders.values()].map((r) => (r.active ? r.stop('closed') : Promise.resolve())));
  }
}
