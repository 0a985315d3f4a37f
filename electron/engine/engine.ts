import type { EngineSnapshot } from '../../shared/contract';
import type { ConversationSnapshot, EndpointKind, EndpointSnapshot } from '../../shared/endpoints';
import { EventBatcher, toWireChunk, type BatcherOptions, type BatchSink } from './batcher';
import { systemClock, type Clock } from './clock';
import { notFound, invalidState } from './command-error';
import { EventHub } from './event-hub';
import { RecentHosts } from './recent-hosts';
import { DEFAULT_RING_BYTES, type TrafficLog } from './traffic/traffic-log';

/** An open (or closed but not yet removed) endpoint: a listener, a connection, a UDP socket. */
export interface ManagedEndpoint {
  readonly id: string;
  readonly kind: EndpointKind;
  snapshot(): EndpointSnapshot;
  /** Closes every socket the endpoint holds. Idempotent; never rejects. */
  close(): Promise<void>;
}

/** One TCP byte stream (or a UDP endpoint's datagram log): what a `Traffic` log shows. */
export interface ManagedConversation {
  readonly id: string;
  readonly endpointId: string;
  readonly traffic: TrafficLog;
  /** UDP endpoints have a traffic log but no TCP conversation snapshot. */
  snapshot(): ConversationSnapshot | null;
  send(bytes: Uint8Array): number;
  shutdown(): void;
  reset(): void;
}

export interface EngineOptions {
  mode: 'electron' | 'browser';
  version: string;
  /** Where settings such as recent hosts persist; null keeps them in memory only. */
  dataDir: string | null;
  clock?: Clock;
  ringBytes?: number;
  /** Chunks of each conversation a reloaded UI receives in its snapshot. */
  snapshotChunks?: number;
}

/**
 * The source of truth: every endpoint and conversation, their state, counters and bounded traffic.
 * Protocol modules (tcp/, udp/) own their sockets and report changes through this object.
 */
export class Engine {
  readonly hub = new EventHub();
  readonly clock: Clock;
  readonly ringBytes: number;
  readonly recentHosts: RecentHosts;
  private readonly endpoints = new Map<string, ManagedEndpoint>();
  private readonly conversations = new Map<string, ManagedConversation>();
  private readonly counters = new Map<string, number>();
  private shuttingDown: Promise<void> | null = null;
  private readonly tickers = new Set<() => void>();
  private tickTimer: NodeJS.Timeout | null = null;
  /**
   * Who holds a local port, from the OS socket table when it can tell (e.g. `socat (pid 4242)`).
   * Set by the host once the system-sockets collector is available; used to explain EADDRINUSE.
   */
  portHolder: (port: number, proto: 'tcp' | 'udp') => Promise<string | null> = async () => null;

  constructor(readonly options: EngineOptions) {
    this.clock = options.clock ?? systemClock;
    this.ringBytes = options.ringBytes ?? DEFAULT_RING_BYTES;
    this.recentHosts = new RecentHosts(options.dataDir, (hosts) =>
      this.hub.changed('recent-hosts', () => ({ type: 'recent-hosts:changed', hosts })),
    );
  }

  /** Short, readable ids: `l1`, `c3`, `u2`, `l1.c7`. */
  nextId(prefix: string): string {
    const n = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, n);
    return `${prefix}${n}`;
  }

  addEndpoint(e: ManagedEndpoint): void {
    if (this.shuttingDown) throw invalidState('the engine is shutting down');
    this.endpoints.set(e.id, e);
    this.endpointChanged(e);
  }

  endpointChanged(e: ManagedEndpoint): void {
    if (!this.endpoints.has(e.id)) return;
    this.hub.changed(`endpoint:${e.id}`, () => ({ type: 'endpoint:changed', endpoint: e.snapshot() }));
  }

  addConversation(c: ManagedConversation): void {
    this.conversations.set(c.id, c);
    this.conversationChanged(c);
  }

  conversationChanged(c: ManagedConversation): void {
    if (!this.conversations.has(c.id)) return;
    this.hub.changed(`conversation:${c.id}`, () => {
      const conversation = c.snapshot();
      // UDP logs have no conversation snapshot; their endpoint snapshot carries the counters.
      return conversation
        ? { type: 'conversation:changed', conversation }
        : { type: 'endpoint:changed', endpoint: this.requireEndpoint(c.endpointId).snapshot() };
    });
  }

  /** Forgets a finished conversation (and its traffic) that its endpoint no longer lists. */
  removeConversation(id: string): void {
    this.conversations.delete(id);
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown !== null;
  }

  getEndpoint(id: string): ManagedEndpoint | undefined {
    return this.endpoints.get(id);
  }

  requireEndpoint<K extends EndpointKind>(id: string, kind?: K): ManagedEndpoint {
    const e = this.endpoints.get(id);
    if (!e) throw notFound('endpoint', id);
    if (kind && e.kind !== kind) throw invalidState(`endpoint ${id} is a ${e.kind}, not a ${kind}`);
    return e;
  }

  requireConversation(id: string): ManagedConversation {
    const c = this.conversations.get(id);
    if (!c) throw notFound('conversation', id);
    return c;
  }

  async closeEndpoint(id: string): Promise<void> {
    await this.requireEndpoint(id).close();
  }

  async removeEndpoint(id: string): Promise<void> {
    const e = this.requireEndpoint(id);
    await e.close();
    this.endpoints.delete(id);
    for (const [cid, c] of this.conversations) if (c.endpointId === id) this.conversations.delete(cid);
    this.hub.changed(`endpoint:${id}`, () => ({ type: 'endpoint:removed', endpointId: id }));
  }

  listEndpoints(): ManagedEndpoint[] {
    return [...this.endpoints.values()];
  }

  listConversations(): ManagedConversation[] {
    return [...this.conversations.values()];
  }

  /** Everything a freshly (re)loaded UI needs to carry on. */
  snapshot(): EngineSnapshot {
    const chunks = this.options.snapshotChunks ?? 200;
    return {
      endpoints: this.listEndpoints().map((e) => e.snapshot()),
      conversations: this.listConversations()
        .map((c) => c.snapshot())
        .filter((s): s is ConversationSnapshot => s !== null),
      traffic: this.listConversations().map((c) => ({
        conversationId: c.id,
        chunks: c.traffic.page(undefined, chunks, 256 * 1024).map((k) => toWireChunk(k, 16 * 1024)),
      })),
      recentHosts: this.recentHosts.list(),
    };
  }

  /** Runs `cb` once a second (rates, timeouts) until the returned function is called. */
  everySecond(cb: () => void): () => void {
    this.tickers.add(cb);
    if (!this.tickTimer) {
      this.tickTimer = setInterval(() => {
        for (const t of this.tickers) t();
      }, 1000);
      this.tickTimer.unref();
    }
    return () => {
      this.tickers.delete(cb);
      if (this.tickers.size === 0 && this.tickTimer) {
        clearInterval(this.tickTimer);
        this.tickTimer = null;
      }
    };
  }

  /** A UI client (a window or a browser tab) receives batched events until it detaches. */
  attachClient(sink: BatchSink, options?: BatcherOptions): () => void {
    const batcher = new EventBatcher(sink, options);
    const unsubscribe = this.hub.subscribe(batcher);
    return () => {
      unsubscribe();
      batcher.dispose();
    };
  }

  /** Closes every socket and removes socket files. Safe to call more than once. */
  shutdown(): Promise<void> {
    this.shuttingDown ??= Promise.allSettled(this.listEndpoints().map((e) => e.close())).then(() => undefined);
    return this.shuttingDown;
  }
}
