import { z } from 'zod';
import { ErrorInfo } from './errors';
import { Base64, Family, Id, SockAddr } from './primitives';
import { RecordingInfo } from './recording';
import { ExecInfo, ExecSettings } from './exec';
import { RuleHits, RuleSet } from './rules';
import { ConversationTls, ListenerTls, TlsClientOptions, TlsSessionInfo } from './tls';

/** One BSD call as it really happened, e.g. `bind(0.0.0.0:5000)` → `ok`. */
export const TimelineEntry = z.strictObject({
  ts: z.number(),
  call: z.string(),
  result: z.string(),
  ok: z.boolean(),
});
export type TimelineEntry = z.infer<typeof TimelineEntry>;

export const TrafficStats = z.strictObject({
  bytesIn: z.number(),
  bytesOut: z.number(),
  chunksIn: z.number(),
  chunksOut: z.number(),
  /** Bytes per second over the last second. */
  rateIn: z.number(),
  rateOut: z.number(),
  /** Bytes written but not yet handed to the kernel (backpressure). */
  queuedOut: z.number(),
  /** UDP: datagrams the engine dropped instead of queueing. */
  dropped: z.number(),
});
export type TrafficStats = z.infer<typeof TrafficStats>;

export const emptyStats = (): TrafficStats => ({
  bytesIn: 0,
  bytesOut: 0,
  chunksIn: 0,
  chunksOut: 0,
  rateIn: 0,
  rateOut: 0,
  queuedOut: 0,
  dropped: 0,
});

/**
 * What a server does with what it receives. `auto-reply` with trigger `line` and `closeAfter`
 * mimics whois-style protocols: read one line, answer, close.
 */
export const Behaviour = z.strictObject({
  mode: z.enum(['manual', 'echo', 'auto-reply', 'discard']),
  reply: Base64.optional(),
  trigger: z.enum(['chunk', 'line']).optional(),
  closeAfterReply: z.boolean().optional(),
  /** Sent to every client as soon as it is accepted (TCP only). */
  banner: Base64.optional(),
});
export type Behaviour = z.infer<typeof Behaviour>;

export const ConversationState = z.enum([
  'resolving',
  'connecting',
  'established',
  /** We received the peer's FIN; we may still send. */
  'peer-closed',
  /** We sent our FIN (shutdown(SHUT_WR)); we may still receive. */
  'local-closed',
  'closed',
]);
export type ConversationState = z.infer<typeof ConversationState>;

export const ClosedBy = z.enum(['local', 'peer', 'local-reset', 'peer-reset', 'error']);
export type ClosedBy = z.infer<typeof ClosedBy>;

/** One TCP byte stream: a connection's own, or a client accepted by a listener. */
/**
 * Bytes of each direction dropped from the engine's ring ("N bytes not kept"). `memoryFull`: the
 * ring could not grow to its usual size because every conversation's traffic together has used the
 * engine's traffic memory, so it keeps less history than it otherwise would.
 */
export const NotKept = z.strictObject({ in: z.number(), out: z.number(), memoryFull: z.literal(true).optional() });
export type NotKept = z.infer<typeof NotKept>;

export const ConversationSnapshot = z.strictObject({
  id: Id,
  endpointId: Id,
  role: z.enum(['client', 'accepted']),
  state: ConversationState,
  local: SockAddr.nullable(),
  remote: SockAddr.nullable(),
  connectedAt: z.number().nullable(),
  closedAt: z.number().nullable(),
  /** Who moved first to end the conversation (their FIN or RST came first). */
  firstToClose: ClosedBy.nullable(),
  stats: TrafficStats,
  /** Bytes dropped from the engine's ring buffer (per direction): "N bytes not kept". */
  notKept: NotKept,
  error: ErrorInfo.nullable(),
  /** The current (or last) recording of this stream to a file; null when never recorded. */
  recording: RecordingInfo.nullable(),
  /** Set once TLS is spoken on this stream (from connect, accept or STARTTLS). */
  tls: ConversationTls.nullable().optional(),
  /** An exec listener's client: its process (waiting for a slot, running, exited). */
  exec: ExecInfo.optional(),
});
export type ConversationSnapshot = z.infer<typeof ConversationSnapshot>;

const EndpointBase = {
  id: Id,
  /** Creation order, for a stable workspace list. */
  createdAt: z.number(),
  local: SockAddr.nullable(),
  error: ErrorInfo.nullable(),
  timeline: z.array(TimelineEntry),
  /** e.g. `whois → 43/tcp` when the port was given as a service name. */
  portNote: z.string().nullable(),
};

export const ListenerSnapshot = z.strictObject({
  ...EndpointBase,
  kind: z.literal('tcp-listener'),
  state: z.enum(['opening', 'listening', 'not-accepting', 'closed']),
  request: z.strictObject({
    bindAddress: z.string().nullable(),
    port: z.union([z.number(), z.string()]).nullable(),
    path: z.string().nullable(),
    backlog: z.number(),
    ipv6Only: z.boolean(),
  }),
  behaviour: Behaviour,
  /** Its rules (absent: none were ever set) and their hit counters. */
  rules: RuleSet.optional(),
  ruleHits: RuleHits.optional(),
  /** An exec listener's command (docs/exec.md) and its processes now. */
  exec: ExecSettings.optional(),
  execProcesses: z.strictObject({ running: z.number(), waiting: z.number() }).optional(),
  maxClients: z.number().nullable(),
  clientIds: z.array(Id),
  /** Clients refused because of maxClients. */
  refused: z.number(),
  acceptedTotal: z.number(),
  stats: TrafficStats,
  /** Its TLS (absent: plain TCP). */
  tls: ListenerTls.optional(),
});
export type ListenerSnapshot = z.infer<typeof ListenerSnapshot>;

export const ResolvedAddress = z.strictObject({ address: z.string(), family: Family });

export const ConnectAttempt = z.strictObject({
  address: z.string(),
  port: z.number(),
  family: Family,
  startedAt: z.number(),
  endedAt: z.number().nullable(),
  /** `ok`, an error code such as `ECONNREFUSED`, or `pending`. */
  result: z.string(),
});
export type ConnectAttempt = z.infer<typeof ConnectAttempt>;

export const AttemptMode = z.strictObject({
  /** True when Node's autoSelectFamily (Happy Eyeballs) made the attempts, false for our own loop. */
  happyEyeballs: z.boolean(),
  /** Node's per-attempt timeout (autoSelectFamilyAttemptTimeout) when Happy Eyeballs applied. */
  attemptTimeoutMs: z.number().nullable(),
  /** In plain words, including why Happy Eyeballs did not apply when it was asked for. */
  note: z.string(),
});
export type AttemptMode = z.infer<typeof AttemptMode>;

export const ConnectionSnapshot = z.strictObject({
  ...EndpointBase,
  kind: z.literal('tcp-connection'),
  state: ConversationState,
  request: z.strictObject({
    host: z.string().nullable(),
    port: z.union([z.number(), z.string()]).nullable(),
    path: z.string().nullable(),
    timeoutMs: z.number(),
    localAddress: z.string().nullable(),
    localPort: z.number().nullable(),
    noDelay: z.boolean(),
    keepAlive: z.boolean(),
    happyEyeballs: z.boolean(),
    /** TLS after connect (absent: plain TCP); `verify: false` shows as a warning. */
    tls: TlsClientOptions.optional(),
  }),
  /** The last TLS handshake that failed, with the chain it saw (null when none failed). */
  tlsFailure: TlsSessionInfo.nullable().optional(),
  /** What getaddrinfo returned, in its order. */
  resolved: z.array(ResolvedAddress),
  /** How the attempts below were made; null until the addresses are known (and for Unix paths). */
  attemptMode: AttemptMode.nullable(),
  attempts: z.array(ConnectAttempt),
  conversationId: Id.nullable(),
  remote: SockAddr.nullable(),
});
export type ConnectionSnapshot = z.infer<typeof ConnectionSnapshot>;

export const UdpSnapshot = z.strictObject({
  ...EndpointBase,
  kind: z.literal('udp'),
  state: z.enum(['binding', 'bound', 'closed']),
  request: z.strictObject({
    bindAddress: z.string(),
    port: z.union([z.number(), z.string()]),
    type: z.enum(['udp4', 'udp6']),
    reuseAddr: z.boolean(),
    ipv6Only: z.boolean(),
    /** SO_RCVBUF asked for at bind, when not the engine's default (what was granted is in the timeline). */
    receiveBufferBytes: z.number().optional(),
  }),
  /** Set after connect(): datagrams go there and only its datagrams are received. */
  connectedTo: SockAddr.nullable(),
  behaviour: Behaviour,
  rules: RuleSet.optional(),
  ruleHits: RuleHits.optional(),
  broadcast: z.boolean(),
  multicastTtl: z.number(),
  multicastLoopback: z.boolean(),
  ttl: z.number(),
  memberships: z.array(z.strictObject({ group: z.string(), iface: z.string().nullable() })),
  repeating: z.strictObject({ sent: z.number(), total: z.number() }).nullable(),
  stats: TrafficStats,
  notKept: NotKept,
  recording: RecordingInfo.nullable(),
});
export type UdpSnapshot = z.infer<typeof UdpSnapshot>;

export const EndpointSnapshot = z.discriminatedUnion('kind', [
  ListenerSnapshot,
  ConnectionSnapshot,
  UdpSnapshot,
]);
export type EndpointSnapshot = z.infer<typeof EndpointSnapshot>;
export type EndpointKind = EndpointSnapshot['kind'];

/**
 * One recv()/send() (TCP) or one datagram (UDP). `data` is a preview that may be shorter than
 * `size`; the full bytes stay engine-side and are fetched with `traffic:page`.
 */
export const TrafficChunk = z.strictObject({
  seq: z.number(),
  ts: z.number(),
  dir: z.enum(['in', 'out']),
  size: z.number(),
  data: z.string(),
  /** The preview holds fewer bytes than `size`. */
  truncated: z.boolean(),
  /** UDP: the sender (in) or destination (out). */
  peer: SockAddr.nullable(),
});
export type TrafficChunk = z.infer<typeof TrafficChunk>;
