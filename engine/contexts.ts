/**
 * What each part of the engine needs from the engine, and nothing more. tcp/, udp/, recording/ and
 * system-sockets/ depend on these small interfaces, never on `Engine` itself: `Engine` (engine.ts)
 * implements all of them, so the dependency points one way (engine.ts → its parts → this leaf)
 * and a reader sees at a glance what a module may touch.
 *
 * This module imports only types from other leaves: keep it that way (`npm run lint` fails on a cycle).
 */
import type { EngineEvent } from '../shared/contract';
import type { ConversationSnapshot, EndpointKind, EndpointSnapshot } from '../shared/endpoints';
import type { RecordingInfo } from '../shared/recording';
import type { RecentHostProtocol } from '../shared/session-state';
import type { Clock } from './clock';
import type { FaultHandler } from './fault-barrier';
import type { RecordingMeta } from './recording/recorder';
import type { RateSource } from './traffic/rate-sampler';
import type { StoredChunk, TrafficLog, TrafficMemory } from './traffic/traffic-log';
import type { UdpLimits } from './udp/udp-limits';

/** An open (or closed but not yet removed) endpoint: a listener, a connection, a UDP socket. */
export interface ManagedEndpoint {
  readonly id: string;
  readonly kind: EndpointKind;
  snapshot(): EndpointSnapshot;
  /** Closes every socket the endpoint holds. Idempotent; never rejects. */
  close(): Promise<void>;
  /** Its throughput series for the live charts (listeners and UDP endpoints). */
  rateSource?(): RateSource;
  /**
   * A bug threw from one of its callbacks (see fault-barrier.ts): show it as the endpoint's error
   * and close the endpoint. Never throws.
   */
  faulted(where: string, err: unknown): void;
  /** Unix listeners: the path the kernel reports for the socket (the OS table shows that one). */
  readonly unixKernelPath?: string | null;
  /**
   * Listeners: the change for a UI session that was sent the copy at `mark` (opaque to the
   * batcher, which keeps one per session): only what was added since, when that is enough.
   */
  changeSince?(mark: object | undefined): { event: EngineEvent; mark: object };
}

/** One TCP byte stream (or a UDP endpoint's datagram log): what a `Traffic` log shows. */
export interface ManagedConversation {
  readonly id: string;
  readonly endpointId: string;
  /** `stream`: a TCP or Unix byte stream (a StreamConversation); `datagrams`: a UDP endpoint's log. */
  readonly kind: 'stream' | 'datagrams';
  readonly traffic: TrafficLog;
  /** UDP endpoints have a traffic log but no TCP conversation snapshot. */
  snapshot(): ConversationSnapshot | null;
  /** Its throughput series (TCP streams; a UDP endpoint's is the endpoint's own). */
  rateSource?(): RateSource;
  /** What a recording's header says about it; null once it can no longer be recorded (closed). */
  recordingMeta?(): RecordingMeta | null;
  /** TLS streams: their secrets in the SSLKEYLOGFILE format. */
  keyLogText?(): string | null;
  /** A line in its endpoint's socket-call timeline from outside the socket (a script's steps). */
  note?(call: string, result: string, ok: boolean): void;
}

/** A byte stream one sends on and closes (TCP, Unix): what `conversation:send/shutdown/reset` act on. */
export interface StreamConversation extends ManagedConversation {
  readonly kind: 'stream';
  send(bytes: Uint8Array): number;
  shutdown(): void;
  reset(): void;
}

/** Who holds a local port, from the OS socket table (e.g. `socat (pid 4242)`), to explain EADDRINUSE. */
export type PortHolderLookup = (port: number, proto: 'tcp' | 'udp') => Promise<string | null>;

/** The endpoint and conversation registry: ids, registration and change notices. */
export interface EndpointRegistry {
  readonly clock: Clock;
  /** Bytes each conversation's traffic ring keeps. */
  readonly ringBytes: number;
  /** What every traffic ring together may hold (traffic/traffic-log.ts). */
  readonly trafficMemory: TrafficMemory;
  readonly isShuttingDown: boolean;
  /** Short, readable ids: `l1`, `c3`, `u2`, `l1.c7`. */
  nextId(prefix: string): string;
  addEndpoint(e: ManagedEndpoint): void;
  /** `counters`: only byte counts moved (sent to UIs at a bounded rate). */
  endpointChanged(e: ManagedEndpoint, counters?: boolean): void;
  getEndpoint(id: string): ManagedEndpoint | undefined;
  requireEndpoint(id: string, kind?: EndpointKind): ManagedEndpoint;
  listEndpoints(): ManagedEndpoint[];
  addConversation(c: ManagedConversation): void;
  conversationChanged(c: ManagedConversation, counters?: boolean): void;
  requireConversation(id: string): ManagedConversation;
  /** The conversation if it is a byte stream; a UDP endpoint's log is refused (it sends datagrams). */
  requireStream(id: string): StreamConversation;
  listConversations(): ManagedConversation[];
  /** Forgets a finished conversation (and its traffic) that its endpoint no longer lists. */
  removeConversation(id: string): void;
  /** Fails `endpointId` alone when a callback running on its behalf throws. */
  faultHandler(endpointId: string): FaultHandler;
  /** Runs `cb` once a second until the returned function is called. */
  everySecond(cb: () => void): () => void;
}

/** What a protocol module tells the recordings about a conversation. */
export interface RecordingTap {
  info(conversationId: string): RecordingInfo | null;
  /** The conversation closed: its recording (if any) is finished. */
  closed(conversationId: string): Promise<void>;
  droppedDatagram(conversationId: string, bytes: number): void;
}

/** What tcp/ and udp/ need: the registry, the traffic stream to UIs, recordings, recent hosts, port holders. */
export interface ProtocolContext extends EndpointRegistry {
  readonly hub: { traffic(conversationId: string, chunk: StoredChunk): void };
  readonly recordings: RecordingTap;
  readonly recentHosts: { add(proto: RecentHostProtocol, entry: string): void };
  readonly portHolder: PortHolderLookup;
}

/** Stream sockets (TCP, Unix) open at once, against the descriptor budget (net/descriptor-budget.ts). */
export interface StreamBudget {
  readonly connectionCap: number;
  readonly atConnectionCap: boolean;
  connectionOpened(): void;
  connectionClosed(): void;
}

/** Where a TLS listener without certificate files gets its self-signed certificate (tls/self-signed-store.ts). */
export interface TlsCertificateSource {
  readonly tlsCertificates: { certificateFor(names: readonly string[]): Promise<{ certPem: string; keyPem: string }> };
}

export type TcpContext = ProtocolContext & StreamBudget & TlsCertificateSource;
export type UdpContext = ProtocolContext & { readonly udpLimits: UdpLimits };

/** What recordings/ needs: the conversations it records and where files go. */
export interface RecordingsContext {
  readonly options: { readonly dataDir: string | null };
  requireConversation(id: string): ManagedConversation;
  conversationChanged(c: ManagedConversation, counters?: boolean): void;
}

/** What system-sockets/ reads to mark Sockscope's own rows (snapshots only: no socket is touched). */
export interface OwnSocketsContext {
  readonly clock: Clock;
  getEndpoint(id: string): ManagedEndpoint | undefined;
  listEndpoints(): ManagedEndpoint[];
  listConversations(): ManagedConversation[];
}
