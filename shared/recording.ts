import { z } from 'zod';
import { ErrorInfo } from './errors';

/**
 * A conversation's (or UDP endpoint's) recording to a JSON Lines file in the data folder: every
 * chunk or datagram with its timestamp and direction, beyond the ring buffer's limit. Format:
 * docs/recording.md.
 */
export const RecordingInfo = z.strictObject({
  /** `failed`: the disk could not keep up or a write failed; `error` says why. The endpoint kept working. */
  state: z.enum(['recording', 'stopped', 'failed']),
  path: z.string(),
  startedAt: z.number(),
  stoppedAt: z.number().nullable(),
  /** Chunks or datagrams written. */
  records: z.number(),
  /** Payload bytes recorded (before base64). */
  payloadBytes: z.number(),
  /** Bytes waiting to be written, bounded by the recorder's queue. */
  pendingBytes: z.number(),
  error: ErrorInfo.nullable(),
  /** The last `.pcapng` exported from this recording. */
  exportedPath: z.string().nullable(),
});
export type RecordingInfo = z.infer<typeof RecordingInfo>;
