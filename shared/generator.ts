/**
 * The traffic generator: messages to a conversation, to every client of a listener, or datagrams
 * from a UDP endpoint (or over N new connections), at a rate or as fast as the peer reads, for a
 * count or a duration. Always bounded: a count, a duration, or both.
 */
import { z } from 'zod';
import { Host, Id, PortSpec, UnixPath } from './primitives';

export const GENERATOR_LIMITS = {
  /** One message's bytes (text after macros, hex, or random). */
  messageBytes: 1024 * 1024,
  templateChars: 64 * 1024,
  count: 1_000_000_000,
  durationMs: 24 * 3600 * 1000,
  connections: 1_000,
  messagesPerSecond: 10_000_000,
  bytesPerSecond: 10 * 1024 * 1024 * 1024,
  /** Generators running at once in one engine. */
  running: 64,
} as const;

export const GeneratorTarget = z.union([
  /** A TCP stream: a connection's, or one client of a listener. */
  z.strictObject({ conversationId: Id }),
  /** Every client of a listener, including those that arrive while it runs. */
  z.strictObject({ listenerId: Id }),
  /** Datagrams; host and port omitted when the endpoint is connected. */
  z.strictObject({ udpEndpointId: Id, host: Host.optional(), port: PortSpec.optional() }),
  /** N new TCP (or Unix) connections, each sent the same stream. */
  z.strictObject({
    connect: z.union([z.strictObject({ host: Host, port: PortSpec }), z.strictObject({ path: UnixPath })]),
    connections: z.number().int().min(1).max(GENERATOR_LIMITS.connections),
  }),
]);
export type GeneratorTarget = z.infer<typeof GeneratorTarget>;

export const GeneratorPayload = z.union([
  /** Text with escapes and macros (`{{counter}}` counts this generator's messages), or hex. */
  z.strictObject({ text: z.string().min(1).max(GENERATOR_LIMITS.templateChars), hex: z.boolean().optional() }),
  /** Fresh random bytes for every message. */
  z.strictObject({ random: z.number().int().min(1).max(GENERATOR_LIMITS.messageBytes) }),
]);
export type GeneratorPayload = z.infer<typeof GeneratorPayload>;

export const GeneratorRate = z.union([
  z.strictObject({ messagesPerSecond: z.number().positive().max(GENERATOR_LIMITS.messagesPerSecond) }),
  z.strictObject({ bytesPerSecond: z.number().positive().max(GENERATOR_LIMITS.bytesPerSecond) }),
]);
export type GeneratorRate = z.infer<typeof GeneratorRate>;

export const GeneratorStartRequest = z
  .strictObject({
    target: GeneratorTarget,
    payload: GeneratorPayload,
    /** Omitted: as fast as the peer (and the kernel) take them, backpressure respected. */
    rate: GeneratorRate.optional(),
    /** Messages in all (across every target). */
    count: z.number().int().min(1).max(GENERATOR_LIMITS.count).optional(),
    durationMs: z.number().int().min(1).max(GENERATOR_LIMITS.durationMs).optional(),
  })
  .refine((r) => r.count !== undefined || r.durationMs !== undefined, { message: 'give a count, a duration, or both', path: ['count'] });
export type GeneratorStartRequest = z.infer<typeof GeneratorStartRequest>;

export const GeneratorSnapshot = z.strictObject({
  id: Id,
  state: z.enum(['starting', 'running', 'done', 'stopped', 'failed']),
  messages: z.number(),
  bytes: z.number(),
  /** Achieved over the last second. */
  messagesPerSecond: z.number(),
  bytesPerSecond: z.number(),
  /** Streams (or the UDP endpoint) it is sending to now. */
  targets: z.number(),
  /** Time spent waiting for a peer to read (backpressure), in ms, so far. */
  blockedMs: z.number(),
  /** Endpoints it opened itself (the `connect` target). */
  endpointIds: z.array(Id),
  error: z.string().nullable(),
  startedAt: z.number(),
  endedAt: z.number().nullable(),
});
export type GeneratorSnapshot = z.infer<typeof GeneratorSnapshot>;
