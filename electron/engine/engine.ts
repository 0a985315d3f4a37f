import type { EngineEvent, EngineSnapshot } from '../../shared/contract';
import type { ConversationSnapshot, EndpointKind, EndpointSnapshot } from '../../shared/endpoints';
import { EventBatcher, toWireChunk, type BatcherOptions, type BatchSink } from './batcher';
import { systemClock, type Clock } from './clock';
import { notFound, invalidState } from './command-error';
import { EventHub, type StateEvent } from './event-hub';
import { RecentHosts } from './recent-hosts';
import { SystemSocketsService } from './system-sockets/system-sockets-service';
import type { RecordingMeta } from './recording/recorder';
import { Recordings } from './recording/recordings';
import { RateSampler, type RateSource } from './traffic/rate-sampler';
import { DEFAULT_RING_BYTES, type TrafficLog } from './traffic/traffic-log';

/**
 * Counter-only snapshot changes (bytes moved) reach each UI at most this often per endpoint or
 * conversation: with a thousand busy clients, a snapshot of each in every 33 ms batch was most of
 * the pipeline's (and the renderer's) work. State changes and traffic are not held back.
 */
export const COUNTERS_MS = 250;

/** An open (or closed but not yet removed) endpoint: a listener, a connection, a UDP socket. */
export interface ManagedEndpoint {
  readonly id: string;
  readonly kind: EndpointKind;
  snapshot(): EndpointSnapshot;
  /** Closes every socket the endpoint holds. Idempotent; never rejects. */
  close(): Promise<void>;
  /** Its throughput series for the live charts (listeners and UDP endpoints). */
  rateSource?(): RateSource;
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
  /** Its throughput series (TCP streams; a UDP endpoint's is the endpoint's own). */
  rateSource?(): RateSource;
  /** What a recording's header says about it; null once it can no longer be recorded (closed). */
  recordingMeta?(): RecordingMeta | null;
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
  readonly recordings = new Recordings(this);
  readonly rates = new RateSampler();
  /** Set from the first endpoint on: the one-second clock keeps running for the charts. */
  private chartsClock = false;
  private readonly endpoints = new Map<string, ManagedEndpoint>();
  private readonly conversations = new Map<string, ManagedConversation>();
  private readonly counters = new Map<string, number>();
  /**
   * Each endpoint's and conversation's change events, made once: a change is announced on every
   * received chunk, and a fresh key string, builder closure and event per chunk were a good part
   * of the engine's garbage at line rate. (The same builder also lets a batcher see at once that
   * the change is already pending.)
   */
  private readonly notices = new WeakMap<ManagedEndpoint | ManagedConversation, { state: StateEvent; counters: StateEvent }>();
  private shuttingDown: Promise<void> | null = null;
  private readonly tickers = new Set<() => void>();
  private tickTimer: NodeJS.Timeout | null = null;
  /**
   * Who holds a local port, from the OS socket table when it can tell (e.g. `socat (pid 4242)`).
   * Used to explain EADDRINUSE; tests may replace it.
   */
  portHolder: (port: number, proto: 'tcp' | 'udp') => Promise<string | null> = (port, proto) =>
    this.systemSockets.portHolder(port, proto);
  private systemSocketsService: SystemSocketsService | null = null;

  constructor(readonly options: EngineOptions) {
    this.clock = options.clock ?? systemClock;
    this.ringBytes = options.ringBytes ?? DEFAULT_RING_BYTES;
    this.recentHosts = new RecentHosts(options.dataDir, (hosts) =>
      this.hub.changed('recent-hosts', () => ({ type: 'recent-hosts:changed', hosts })),
    );
  }

  /** The OS socket table ("System sockets"), created on first use: one collector per engine. */
  get systemSockets(): SystemSocketsService {
    this.systemSocketsService ??= new SystemSocketsService(this);
    return this.systemSocketsService;
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
    // The charts' clock runs from the first endpoint on, so rates decay to 0 after everything closed.
    this.chartsClock = true;
    this.startClock();
    this.endpointChanged(e);
  }

  /** `counters`: only byte counts moved (traffic): sent to UIs at most COUNTERS_MS apart per endpoint. */
  endpointChanged(e: ManagedEndpoint, counters = false): void {
    if (!this.endpoints.has(e.id)) return;
    let n = this.notices.get(e);
    if (!n) {
      n = changeNotices(`endpoint:${e.id}`, () => ({ type: 'endpoint:changed', endpoint: e.snapshot() }));
      this.notices.set(e, n);
    }
    this.hub.emitState(counters ? n.counters : n.state);
  }

  addConversation(c: ManagedConversation): void {
    this.conversations.set(c.id, c);
    this.conversationChanged(c);
  }

  conversationChanged(c: ManagedConversation, counters = false): void {
    if (!this.conversations.has(c.id)) return;
    let n = this.notices.get(c);
    if (!n) {
      n = changeNotices(`conversation:${c.id}`, () => {
        const conversation = c.snapshot();
        // UDP logs have no conversation snapshot; their endpoint snapshot carries the counters.
        return conversation
          ? { type: 'conversation:changed', conversation }
          : { type: 'endpoint:changed', endpoint: this.requireEndpoint(c.endpointId).snapshot() };
      });
      this.notices.set(c, n);
    }
    this.hub.emitState(counters ? n.counters : n.state);
  }

  /** Forgets a finished conversation (and its traffic) that its endpoint no longer lists. */
  removeConversation(id: string): void {
    this.conversations.delete(id);
    this.recordings.forget(id);
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
    for (const [cid, c] of this.conversations) {
      if (c.endpointId !== id) continue;
      this.conversations.delete(cid);
      this.recordings.forget(cid);
    }
    // Its sub-id counters (`c7.s`, `l1.c`) would otherwise stay forever: one per endpoint ever made.
    for (const prefix of this.counters.keys()) if (prefix.startsWith(`${id}.`)) this.counters.delete(prefix);
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
      rates: this.rates.snapshot(this.rateSources()),
    };
  }

  /** Every throughput series: endpoints' own, then each TCP stream's. */
  *rateSources(): Generator<RateSource> {
    for (const e of this.endpoints.values()) {
      const s = e.rateSource?.();
      if (s) yield s;
    }
    for (const c of this.conversations.values()) {
      const s = c.rateSource?.();
      if (s) yield s;
    }
  }

  /** After every ticker: one `rates:sampled` per second for the charts. */
  private sampleRates(): void {
    this.rates.sample(this.clock.now(), this.rateSources());
    this.hub.changed('rates', () => this.rates.latest() as EngineEvent);
  }

  /** Runs `cb` once a second (rates, timeouts) until the returned function is called. */
  everySecond(cb: () => void): () => void {
    this.tickers.add(cb);
    this.startClock();
    return () => {
      this.tickers.delete(cb);
      if (this.tickers.size === 0 && !this.chartsClock) this.stopClock();
    };
  }

  private startClock(): void {
    if (this.tickTimer) return;
    this.tickTimer = setInterval(() => this.tickNow(), 1000);
    this.tickTimer.unref();
  }

  /** One tick of the one-second clock: every ticker, then the rates sample (tests call it directly). */
  tickNow(): void {
    for (const t of this.tickers) t();
    this.sampleRates();
  }

  private stopClock(): void {
    if (this.tickTimer) clearInterval(this.tickTimer);
    this.tickTimer = null;
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
    this.systemSocketsService?.dispose();
    this.shuttingDown ??= Promise.allSettled(this.listEndpoints().map((e) => e.close()))
      .then(() => this.recordings.stopAll())
      .then(() => {
        this.chartsClock = false;
        if (this.tickers.size === 0) this.stopClock();
      });
    return this.shuttingDown;
  }
}

/** A key's two change events: a real state change, and a counters-only one (held to COUNTERS_MS). */
function changeNotices(key: string, build: () => EngineEvent): { state: StateEvent; counters: StateEvent } {
  return { state: { kind: 'state', key, build }, counters: { kind: 'state', key, build, throttleMs: COUNTERS_MS } };
}
