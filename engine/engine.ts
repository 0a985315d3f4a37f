import { SelfSignedStore } from './tls/self-signed-store';
import type { EngineEvent, EngineSnapshot } from '../shared/contract';
import type { ConversationSnapshot, EndpointKind } from '../shared/endpoints';
import { EventBatcher, toWireChunk, type BatcherOptions, type BatchSink } from './batcher';
import { systemClock, type Clock } from './clock';
import type {
  ManagedConversation,
  StreamConversation,
  ManagedEndpoint,
  OwnSocketsContext,
  PortHolderLookup,
  RecordingsContext,
  TcpContext,
  UdpContext,
} from './contexts';
import { invalidState, limitReached, notFound } from './command-error';
import { EventHub, type StateEvent } from './event-hub';
import { logInternalError, type FaultHandler } from './fault-barrier';
import { openConnectionCap } from './net/descriptor-budget';
import { RecentHosts } from './recent-hosts';
import { endpointEntries } from './session/endpoint-entries';
import { SessionStore } from './session/session-store';
import { SystemSocketsService } from './system-sockets/system-sockets-service';
import { Recordings } from './recording/recordings';
import { RateSampler, type RateSource } from './traffic/rate-sampler';
import { DEFAULT_RING_BYTES, TrafficMemory } from './traffic/traffic-log';
import { UDP_LIMITS, type UdpLimits } from './udp/udp-limits';
import type { AttachedClient } from './ui-client';

/**
 * Counter-only snapshot changes (bytes moved) reach each UI at most this often per endpoint or
 * conversation: with a thousand busy clients, a snapshot of each in every 33 ms batch was most of
 * the pipeline's (and the renderer's) work. State changes and traffic are not held back.
 */
export const COUNTERS_MS = 250;

/**
 * Caps a person never meets and a runaway script always does. Each refusal is a LIMIT error that
 * says which cap and what to do.
 */
export const ENGINE_LIMITS = {
  /** Endpoints listed at once, open or closed (each holds a socket, a timeline and a traffic log). */
  endpoints: 1_000,
  /** Traffic bytes in one snapshot, across every conversation; the rest is fetched page by page. */
  snapshotTrafficBytes: 8 * 1024 * 1024,
  /** Traffic bytes of one conversation in a snapshot. */
  snapshotConversationBytes: 256 * 1024,
} as const;

export interface EngineOptions {
  mode: 'electron' | 'browser';
  version: string;
  /** Where the session file (endpoints, saved messages, recent hosts, UI state) persists; null keeps it in memory only. */
  dataDir: string | null;
  clock?: Clock;
  ringBytes?: number;
  /** What all traffic rings together may hold (default DEFAULT_TRAFFIC_MEMORY_BYTES). */
  trafficMemoryBytes?: number;
  /** Chunks of each conversation a reloaded UI receives in its snapshot. */
  snapshotChunks?: number;
  /** Over UDP_LIMITS (udp/udp-limits.ts): what each UDP endpoint keeps per second and queues. */
  udpLimits?: Partial<UdpLimits>;
}

/**
 * The source of truth: every endpoint and conversation, their state, counters and bounded traffic.
 * Protocol modules (tcp/, udp/) own their sockets and report changes through this object, each
 * seeing only its narrow context (contexts.ts).
 */
export class Engine implements TcpContext, UdpContext, RecordingsContext, OwnSocketsContext {
  readonly hub = new EventHub();
  readonly clock: Clock;
  readonly ringBytes: number;
  readonly trafficMemory: TrafficMemory;
  readonly udpLimits: UdpLimits;
  readonly recentHosts: RecentHosts;
  /** What a person set up, kept in the data folder's session file (session/session-store.ts). */
  readonly session: SessionStore;
  readonly recordings = new Recordings(this);
  /** TLS listeners without certificate files use one certificate, kept in the data folder. */
  readonly tlsCertificates: SelfSignedStore;
  readonly rates = new RateSampler();
  /** TCP and Unix stream sockets open at once (see net/descriptor-budget.ts). */
  readonly connectionCap = openConnectionCap();
  private openConnections = 0;
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
  private readonly stopping = new AbortController();
  private readonly tickers = new Set<() => void>();
  private tickTimer: NodeJS.Timeout | null = null;
  /**
   * Who holds a local port, from the OS socket table when it can tell (e.g. `socat (pid 4242)`).
   * Used to explain EADDRINUSE; answers within PORT_HOLDER_TIMEOUT_MS (system-sockets-service.ts).
   */
  readonly portHolder: PortHolderLookup = (port, proto) =>
    this.systemSockets.portHolder(port, proto);
  private systemSocketsService: SystemSocketsService | null = null;

  constructor(readonly options: EngineOptions) {
    this.tlsCertificates = new SelfSignedStore(options.dataDir);
    this.clock = options.clock ?? systemClock;
    this.ringBytes = options.ringBytes ?? DEFAULT_RING_BYTES;
    this.trafficMemory = new TrafficMemory(options.trafficMemoryBytes);
    this.udpLimits = { ...UDP_LIMITS, ...options.udpLimits };
    this.recentHosts = new RecentHosts((hosts) => {
      this.hub.changed('recent-hosts', () => ({ type: 'recent-hosts:changed', hosts }));
      this.session.changed();
    });
    this.session = new SessionStore({
      dataDir: options.dataDir,
      endpoints: (previous) => endpointEntries(this.listEndpoints().map((e) => e.snapshot()), previous),
      recentHosts: () => this.recentHosts.all(),
      onMessagesChanged: (messages) => this.hub.changed('saved-messages', () => ({ type: 'saved-messages:changed', messages })),
      onStatusChanged: (session) => this.hub.changed('session', () => ({ type: 'session:changed', session })),
    });
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
    if (this.endpoints.size >= ENGINE_LIMITS.endpoints) {
      throw limitReached(
        `Sockscope holds at most ${ENGINE_LIMITS.endpoints.toLocaleString('en-US')} endpoints at once (open or closed): remove some you no longer need first`,
      );
    }
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
      n = changeNotices(`endpoint:${e.id}`, () => ({ type: 'endpoint:changed', endpoint: e.snapshot() }), e.changeSince?.bind(e));
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
        if (conversation) return { type: 'conversation:changed', conversation };
        // UDP logs have no conversation snapshot; their endpoint snapshot carries the counters.
        // The notice may be flushed after the endpoint was removed: then there is nothing to say.
        const endpoint = this.endpoints.get(c.endpointId);
        return endpoint ? { type: 'endpoint:changed', endpoint: endpoint.snapshot() } : null;
      });
      this.notices.set(c, n);
    }
    this.hub.emitState(counters ? n.counters : n.state);
  }

  /**
   * The fault handler for code running on behalf of `endpointId` from event-loop callbacks: logs,
   * then fails that endpoint alone (it may already be gone: then the log is all).
   */
  faultHandler(endpointId: string): FaultHandler {
    return (where, err) => {
      logInternalError(`${endpointId}: ${where}`, err);
      this.endpoints.get(endpointId)?.faulted(where, err);
    };
  }

  /** A stream socket was opened (accepted or connected); `connectionClosed` when it is gone. */
  connectionOpened(): void {
    this.openConnections++;
  }

  connectionClosed(): void {
    this.openConnections--;
  }

  /** True once no more stream sockets should be accepted: descriptors are kept for everything else. */
  get atConnectionCap(): boolean {
    return this.openConnections >= this.connectionCap;
  }

  /** Forgets a finished conversation (and its traffic) that its endpoint no longer lists. */
  removeConversation(id: string): void {
    this.conversations.get(id)?.traffic.release();
    this.conversations.delete(id);
    this.recordings.forget(id);
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown !== null;
  }

  /** Aborted when shutdown begins: work that waits on a person (a paused script) ends with it. */
  get stopSignal(): AbortSignal {
    return this.stopping.signal;
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

  requireStream(id: string): StreamConversation {
    const c = this.requireConversation(id);
    if (c.kind !== 'stream') throw invalidState('a UDP endpoint sends datagrams: use udp:send');
    return c as StreamConversation;
  }

  async closeEndpoint(id: string): Promise<void> {
    await this.requireEndpoint(id).close();
  }

  async removeEndpoint(id: string): Promise<void> {
    const e = this.requireEndpoint(id);
    await e.close();
    // Quitting saved the session with this endpoint in it: forgetting it now would answer "removed"
    // for an endpoint the next start brings back.
    if (this.shuttingDown) throw invalidState('Sockscope is quitting: the endpoint stays in the saved session');
    this.endpoints.delete(id);
    for (const [cid, c] of this.conversations) if (c.endpointId === id) this.removeConversation(cid);
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

  /**
   * Everything a freshly (re)loaded UI needs to carry on, with the recent traffic of `watched`
   * conversations only: building and encoding every conversation's was one long task (544 ms with
   * a thousand), and a UI shows a few. The rest reach a session through its batches (batcher.ts).
   */
  snapshot(watched: ReadonlySet<string> | null = null): EngineSnapshot {
    const chunks = this.options.snapshotChunks ?? 200;
    return {
      endpoints: this.listEndpoints().map((e) => e.snapshot()),
      conversations: this.listConversations()
        .map((c) => c.snapshot())
        .filter((s): s is ConversationSnapshot => s !== null),
      traffic: watched ? this.snapshotTraffic(watched, chunks) : [],
      recentHosts: this.recentHosts.all(),
      savedMessages: this.session.savedMessages(),
      ui: this.session.uiState(),
      session: this.session.status(),
      rates: this.rates.snapshot(this.rateSources()),
    };
  }

  /**
   * The newest chunks of each watched conversation, newest conversations first, within one byte
   * budget (a watch list is short, but a client asking again and again must not cost gigabytes).
   * Conversations past the budget get no chunks; the UI pages them in when shown.
   */
  private snapshotTraffic(watched: ReadonlySet<string>, chunksEach: number): EngineSnapshot['traffic'] {
    let budget = ENGINE_LIMITS.snapshotTrafficBytes;
    const out: EngineSnapshot['traffic'] = [];
    for (const c of this.listConversations().reverse()) {
      if (!watched.has(c.id)) continue;
      const want = Math.min(ENGINE_LIMITS.snapshotConversationBytes, budget);
      const page = want > 0 ? c.traffic.page(undefined, chunksEach, want) : [];
      const chunks = page.map((k) => toWireChunk(k, 16 * 1024));
      for (const k of page) budget -= Math.min(k.bytes.length, 16 * 1024);
      out.push({ conversationId: c.id, chunks });
    }
    return out.reverse();
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
    // Owners guard their own tickers (failing their endpoint); this only keeps one from stopping the rest.
    for (const t of this.tickers) {
      try {
        t();
      } catch (err) {
        logInternalError('a once-a-second ticker', err);
      }
    }
    try {
      this.sampleRates();
    } catch (err) {
      logInternalError('sampling rates', err);
    }
  }

  private stopClock(): void {
    if (this.tickTimer) clearInterval(this.tickTimer);
    this.tickTimer = null;
  }

  /**
   * A UI client (a window or a browser tab) receives batched events until it detaches (calls the
   * returned function); its `watch` narrows the traffic previews to the logs it shows.
   */
  attachClient(sink: BatchSink, options?: BatcherOptions): AttachedClient {
    const batcher = new EventBatcher(sink, options, {
      log: (id) => this.conversations.get(id)?.traffic,
      conversationIds: () => [...this.conversations.keys()],
    });
    const unsubscribe = this.hub.subscribe(batcher);
    const detach = () => {
      unsubscribe();
      batcher.dispose();
    };
    return Object.assign(detach, {
      watch: (ids: readonly string[]) => batcher.watch(ids),
      watching: () => batcher.watching(),
      restart: (o: { timelineAppends: boolean }) => batcher.restart(o),
      synced: () => batcher.synced(),
    });
  }

  /**
   * Saves the session (while every endpoint still holds its settings), then closes every socket and
   * removes socket files. Safe to call more than once.
   */
  shutdown(): Promise<void> {
    this.stopping.abort();
    this.systemSocketsService?.dispose();
    this.shuttingDown ??= this.session
      .close()
      .catch((err: unknown) => logInternalError('saving the session on shutdown', err))
      .then(() => Promise.allSettled(this.listEndpoints().map((e) => e.close())))
      .then(() => this.recordings.stopAll())
      .then(() => {
        this.chartsClock = false;
        if (this.tickers.size === 0) this.stopClock();
      });
    return this.shuttingDown;
  }
}

/** A key's two change events: a real state change, and a counters-only one (held to COUNTERS_MS). */
function changeNotices(key: string, build: () => EngineEvent | null, since?: StateEvent['since']): { state: StateEvent; counters: StateEvent } {
  const incremental = since ? { since } : {};
  return { state: { kind: 'state', key, build, ...incremental }, counters: { kind: 'state', key, build, throttleMs: COUNTERS_MS, ...incremental } };
}
