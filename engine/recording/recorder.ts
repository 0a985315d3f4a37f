/**
 * Streams one conversation's (or UDP endpoint's) traffic to a JSON Lines file, beyond the ring
 * buffer's limit. Format: docs/recording.md.
 *
 * Memory stays bounded whatever the disk does: lines go into our own queue and are handed to the
 * file stream only while it accepts more (`write()` → `drain`). If the queue outgrows its bound
 * (the disk cannot keep up) or the file fails (ENOSPC, EACCES, EIO…), the recording stops with the
 * error and the conversation carries on untouched.
 */
import type { WriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import type { ErrorInfo } from '../../shared/errors';
import { formatSockAddr, type SockAddr } from '../../shared/primitives';
import type { RecordingInfo } from '../../shared/recording';
import { createNewFileStream } from '../files/private-files';
import type { StoredChunk } from '../traffic/traffic-log';

export const RECORDING_FORMAT = 'sockscope-recording';
export const RECORDING_VERSION = 1;
/** Bytes of JSON waiting for the disk before a recording gives up ("the disk can't keep up"). */
export const DEFAULT_MAX_PENDING_BYTES = 16 * 1024 * 1024;
/** Lines are gathered and written together: fewer, larger writes. */
const WRITE_BATCH_BYTES = 256 * 1024;

export interface RecordingMeta {
  conversationId: string;
  endpointId: string;
  kind: 'tcp' | 'udp' | 'unix';
  role: 'client' | 'accepted' | 'udp';
  local: SockAddr | null;
  remote: SockAddr | null;
  /** Set for a TLS stream (`TLSv1.3, TLS_AES_256_GCM_SHA384`): what is recorded is its plaintext. */
  tls?: string;
}

export interface RecorderDeps {
  /** Opens the file; a test injects a slow or failing stream. */
  open?: (path: string) => Writable;
  maxPendingBytes?: number;
  /** Wall-clock time in microseconds since the epoch (pcapng resolution). */
  nowUs?: () => number;
  onChange?: () => void;
}

export const wallClockUs = (): number => Math.round((performance.timeOrigin + performance.now()) * 1000);

type EndReason = 'stopped' | 'closed' | 'error';

export class Recorder {
  private readonly stream: Writable;
  private readonly maxPending: number;
  private readonly nowUs: () => number;
  private readonly onChange: () => void;
  private state: RecordingInfo['state'] = 'recording';
  private readonly startedAt: number;
  private stoppedAt: number | null = null;
  private records = 0;
  private payloadBytes = 0;
  private error: ErrorInfo | null = null;
  private queue: string[] = [];
  private queueBytes = 0;
  private waitingDrain = false;
  private flushScheduled = false;
  private ended: Promise<void> | null = null;
  private dropped = { datagrams: 0, bytes: 0 };
  exportedPath: string | null = null;

  constructor(
    readonly path: string,
    readonly meta: RecordingMeta,
    deps: RecorderDeps = {},
  ) {
    this.maxPending = deps.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES;
    this.nowUs = deps.nowUs ?? wallClockUs;
    this.onChange = deps.onChange ?? (() => {});
    this.startedAt = Math.floor(this.nowUs() / 1000);
    this.stream = (deps.open ?? createNewFileStream)(path);
    this.stream.on('error', (err) => this.fail(err));
    this.stream.on('drain', () => {
      this.waitingDrain = false;
      this.flush();
    });
    this.line({
      type: 'header',
      format: RECORDING_FORMAT,
      version: RECORDING_VERSION,
      conversationId: meta.conversationId,
      endpointId: meta.endpointId,
      kind: meta.kind,
      role: meta.role,
      local: meta.local ? formatSockAddr(meta.local) : null,
      remote: meta.remote ? formatSockAddr(meta.remote) : null,
      localAddr: meta.local,
      remoteAddr: meta.remote,
      ...(meta.tls ? { tls: meta.tls } : {}),
      startedUs: this.nowUs(),
    });
  }

  /** Resolves once the file is open (rejects with the open error: EACCES, ENOENT…). */
  opened(): Promise<void> {
    const s = this.stream as WriteStream;
    if (this.state === 'failed') return Promise.reject(new Error(this.error?.message ?? 'recording failed'));
    if (typeof s.pending !== 'boolean' || !s.pending) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onOpen = () => {
        s.off('error', onError);
        resolve();
      };
      const onError = (err: Error) => {
        s.off('ready', onOpen);
        reject(err);
      };
      s.once('ready', onOpen);
      s.once('error', onError);
    });
  }

  get active(): boolean {
    return this.state === 'recording';
  }

  /** One chunk or datagram, as the traffic log received it (full bytes, before any ring trimming). */
  chunk(c: StoredChunk): void {
    if (this.state !== 'recording') return;
    if (this.dropped.datagrams > 0) this.flushDropped();
    const bytes = c.bytes;
    const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64');
    const peer = c.peer ? `,"peer":${JSON.stringify(formatSockAddr(c.peer))}` : '';
    // Built by hand: the base64 needs no escaping, and this runs for every chunk.
    this.push(`{"type":"data","seq":${c.seq},"ts":${c.ts},"us":${this.nowUs()},"dir":"${c.dir}","size":${bytes.length}${peer},"data":"${data}"}\n`);
    this.records++;
    this.payloadBytes += bytes.length;
  }

  /** UDP datagrams the engine dropped instead of keeping (its receive budget): noted, not recorded. */
  droppedDatagram(bytes: number): void {
    if (this.state !== 'recording') return;
    this.dropped.datagrams++;
    this.dropped.bytes += bytes;
  }

  info(): RecordingInfo {
    return {
      state: this.state,
      path: this.path,
      startedAt: this.startedAt,
      stoppedAt: this.stoppedAt,
      records: this.records,
      payloadBytes: this.payloadBytes,
      pendingBytes: this.queueBytes + this.stream.writableLength,
      error: this.error,
      exportedPath: this.exportedPath,
    };
  }

  /** Writes the end line and closes the file; idempotent. */
  /**
   * Resolves once everything recorded so far has reached the file (an export reads the file while
   * the recording goes on). Stopped or failed recordings resolve when their file is closed.
   */
  settled(): Promise<void> {
    if (this.state !== 'recording') return this.ended ?? Promise.resolve();
    return new Promise<void>((resolve) => {
      const writeOut = () => {
        if (this.state !== 'recording') {
          resolve();
          return;
        }
        this.flush();
        if (this.waitingDrain) {
          this.stream.once('drain', writeOut);
          return;
        }
        // Writes complete in order: the callback of an empty write comes after every earlier one.
        this.stream.write('', () => resolve());
      };
      writeOut();
    });
  }

  stop(reason: Exclude<EndReason, 'error'> = 'stopped'): Promise<void> {
    if (this.ended) return this.ended;
    if (this.state === 'recording') {
      if (this.dropped.datagrams > 0) this.flushDropped();
      this.line({ type: 'end', reason, us: this.nowUs(), records: this.records, payloadBytes: this.payloadBytes });
      this.state = 'stopped';
      this.stoppedAt = Math.floor(this.nowUs() / 1000);
    }
    this.ended = this.finish();
    this.onChange();
    return this.ended;
  }

  private async finish(): Promise<void> {
    if (this.state === 'failed') return;
    // Everything queued goes out, then end(): 'finish' means the data reached the file.
    await new Promise<void>((resolve) => {
      const done = () => resolve();
      this.stream.once('close', done);
      this.stream.once('error', done);
      const endNow = () => {
        if (this.state === 'failed') return;
        this.flush();
        if (this.waitingDrain) {
          this.stream.once('drain', endNow);
          return;
        }
        this.stream.end();
      };
      this.flushScheduled = false;
      endNow();
    });
  }

  private flushDropped(): void {
    this.line({ type: 'dropped', us: this.nowUs(), datagrams: this.dropped.datagrams, bytes: this.dropped.bytes });
    this.dropped = { datagrams: 0, bytes: 0 };
  }

  private line(obj: Record<string, unknown>): void {
    this.push(`${JSON.stringify(obj)}\n`);
  }

  private push(text: string): void {
    if (this.state === 'failed') return;
    this.queue.push(text);
    this.queueBytes += text.length;
    if (this.queueBytes + this.stream.writableLength > this.maxPending) {
      this.fail(
        Object.assign(new Error('the disk could not keep up'), { code: 'ERECORDING_BEHIND' }),
        `The disk could not keep up with the traffic: more than ${Math.round(this.maxPending / (1024 * 1024))} MiB waited to be written. The recording stopped; the connection goes on.`,
      );
      return;
    }
    if (this.queueBytes >= WRITE_BATCH_BYTES) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.flush();
      });
    }
  }

  /** Hands the queue to the file stream, unless it asked us to wait for `drain`. */
  private flush(): void {
    if (this.waitingDrain || this.queueBytes === 0 || this.state === 'failed' || this.stream.writableEnded) return;
    const text = this.queue.length === 1 ? (this.queue[0] as string) : this.queue.join('');
    this.queue = [];
    this.queueBytes = 0;
    if (!this.stream.write(text)) this.waitingDrain = true;
  }

  private fail(err: Error, message?: string): void {
    if (this.state === 'failed') return;
    this.state = 'failed';
    this.stoppedAt = Math.floor(this.nowUs() / 1000);
    this.error = explainFileError(err, this.path, message);
    this.queue = [];
    this.queueBytes = 0;
    this.stream.destroy();
    this.ended ??= Promise.resolve();
    this.onChange();
  }
}

export function explainFileError(err: Error, path: string, message?: string): ErrorInfo {
  const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
  const tail = 'The recording stopped; the connection goes on.';
  const explained: Record<string, string> = {
    ENOSPC: `No space left on the device holding ${path}. ${tail}`,
    EDQUOT: `Disk quota exceeded writing ${path}. ${tail}`,
    EACCES: `Permission denied: this user may not write ${path}. ${tail}`,
    EPERM: `Operation not permitted writing ${path}. ${tail}`,
    EROFS: `The file system holding ${path} is read-only. ${tail}`,
    ENOENT: `The folder for ${path} does not exist. ${tail}`,
    EEXIST: `${path} already exists; recordings never overwrite a file. ${tail}`,
    EIO: `An I/O error occurred writing ${path}. ${tail}`,
  };
  return { code, message: message ?? explained[code] ?? `${err.message} (writing ${path}). ${tail}`, syscall: 'write', detail: path };
}
