/**
 * A TCP (or Unix stream) listener: socket → bind → listen → accept, each accepted client a
 * conversation (`l1.c3`). A failed bind still leaves the endpoint, closed with its error, so its
 * workspace can explain what went wrong.
 */
import { stat } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import type { ErrorInfo } from '../../shared/errors';
import type { ListenerSnapshot } from '../../shared/endpoints';
import type { EngineEvent, InetListenRequest, ListenRequest, UnixListenRequest } from '../../shared/contract';
import type { RuleSet } from '../../shared/rules';
import { formatHostPort, type SockAddr } from '../../shared/primitives';
import { invalidState } from '../command-error';
import type { ManagedEndpoint, TcpContext } from '../contexts';
import { errorCodeOf, explainError } from '../errors/explain-error';
import { guarded, internalErrorMessage, type FaultHandler } from '../fault-barrier';
import { resolveHost } from '../net/resolve-host';
import { resolvePortSpec } from '../net/resolve-port';
import { ConnectionHistory } from '../traffic/rate-history';
import type { RateSource } from '../traffic/rate-sampler';
import { StatsCounter } from '../traffic/stats-counter';
import { ExecPool } from '../exec/exec-pool';
import type { ExecPlan } from '../exec/exec-session';
import { RuleBook } from '../rules/rule-book';
import { namesFor } from '../tls/self-signed-store';
import { TlsHandshakeError } from '../tls/tls-client';
import { prepareServerTls, secureAccepted, type ServerTls } from '../tls/tls-server';
import { compileBehaviour, type CompiledBehaviour } from './behaviours';
import { inetSockAddr, TcpConversation, type ConversationHost } from './conversation';
import { Timeline, type TimelineMark } from './timeline';
import { probeUnixPath, staleSocketError, tooLongDetail, unixPathTooLong } from './unix-socket';
import { UnixSocketFile } from './unix-socket-file';

export /** TLS handshakes in progress at once per listener; real clients finish theirs in milliseconds. */
const MAX_PENDING_HANDSHAKES = 256;
const DEFAULT_BACKLOG = 511;
export const DEFAULT_BIND_ADDRESS = '0.0.0.0';
/** Closed clients kept listed (and readable) per listener; older closed ones leave the table. */
export const MAX_CLOSED_CLIENTS = 1000;
const CLOSE_WAIT_MS = 2000;

/** Errors that the kernel returns from bind(2); libuv reports some of them only at listen time. */
const BIND_ERRORS = new Set(['EADDRINUSE', 'EADDRNOTAVAIL', 'EACCES', 'EAFNOSUPPORT', 'EINVAL', 'ENOENT', 'ENOTDIR', 'EROFS', 'ENAMETOOLONG', 'EPERM']);

type ListenerState = ListenerSnapshot['state'];

export class TcpListener implements ManagedEndpoint {
  readonly kind = 'tcp-listener' as const;
  readonly createdAt: number;
  readonly timeline: Timeline;
  private state: ListenerState = 'opening';
  private local: SockAddr | null = null;
  private error: ErrorInfo | null = null;
  private portNote: string | null = null;
  private behaviour: CompiledBehaviour;
  private rules: RuleBook | null;
  private maxClients: number | null;
  private readonly clients = new Map<string, TcpConversation>();
  private readonly closedOrder: string[] = [];
  private refused = 0;
  private acceptedTotal = 0;
  private readonly stats = new StatsCounter();
  private readonly connections = new ConnectionHistory();
  private server: Server | null = null;
  private untick: (() => void) | null = null;
  private closing: Promise<void> | null = null;
  private unixFile: UnixSocketFile | null = null;
  /** Set once a TLS listener's certificate and context are ready (before it listens). */
  private serverTls: ServerTls | null = null;
  /** Accepted sockets still in their TLS handshake: not clients yet, but closed with the listener. */
  private readonly handshakes = new Set<Socket>();
  private readonly clientHost: ConversationHost;
  private readonly onFault: FaultHandler;
  private readonly exec: ExecPool | null;

  /** The request as one record: `path` for a Unix listener, the address fields otherwise (never both: see ListenRequest). */
  private readonly request: Partial<UnixListenRequest> & InetListenRequest;

  constructor(
    private readonly engine: TcpContext,
    readonly id: string,
    request: ListenRequest,
    /** An exec listener's checked plan (engine/exec/exec-plan.ts): each client runs the program. */
    exec: ExecPlan | null = null,
  ) {
    this.request = request;
    this.createdAt = engine.clock.now();
    this.onFault = engine.faultHandler(id);
    this.exec = exec ? new ExecPool(exec, this.onFault, () => this.changed()) : null;
    this.timeline = new Timeline(engine.clock, () => this.changed());
    this.behaviour = compileBehaviour(request.behaviour);
    this.rules = request.rules ? this.compileRules(request.rules) : null;
    this.maxClients = request.maxClients ?? null;
    this.clientHost = {
      engine,
      endpointId: id,
      timeline: this.timeline,
      behaviour: () => this.behaviour,
      rules: () => this.rules,
      ...(this.exec ? { server: (c: { id: string; local: SockAddr | null; remote: SockAddr | null }) => this.exec?.session(c) ?? null } : {}),
      onTraffic: (dir, n) => (dir === 'in' ? this.stats.received(n) : this.stats.sent(n)),
      onChanged: (counters) => this.changed(counters),
      onClosed: (c) => this.clientClosed(c),
      onFault: this.onFault,
    };
  }

  get currentState(): ListenerState {
    return this.state;
  }

  snapshot(): ListenerSnapshot {
    return { ...this.snapshotWithoutTimeline(), timeline: this.timeline.snapshot() };
  }

  /**
   * This listener's change for a client whose copy of its timeline was made at `mark`: the calls
   * added since then only, or the whole snapshot (and the mark it is at) when appending cannot do.
   */
  changeSince(mark: TimelineMark | undefined): { event: EngineEvent; mark: TimelineMark } {
    const now = this.timeline.mark;
    const added = mark ? this.timeline.since(mark) : null;
    if (!added) return { event: { type: 'endpoint:changed', endpoint: this.snapshot() }, mark: now };
    return { event: { type: 'listener:changed', endpoint: this.snapshotWithoutTimeline(), timeline: { total: now.total, added } }, mark: now };
  }

  private snapshotWithoutTimeline(): Omit<ListenerSnapshot, 'timeline'> {
    let queued = 0;
    for (const c of this.clients.values()) if (!c.isClosed) queued += c.socket.writableLength;
    this.stats.queuedOut = queued;
    return {
      id: this.id,
      kind: 'tcp-listener',
      createdAt: this.createdAt,
      local: this.local,
      error: this.error,
      portNote: this.portNote,
      state: this.state,
      request: {
        bindAddress: this.request.path ? null : (this.request.bindAddress ?? DEFAULT_BIND_ADDRESS),
        port: this.request.path ? null : (this.request.port ?? 0),
        path: this.request.path ?? null,
        backlog: this.request.backlog ?? DEFAULT_BACKLOG,
        ipv6Only: this.request.ipv6Only ?? false,
      },
      behaviour: this.behaviour.source,
      ...(this.rules ? { rules: this.rules.source, ruleHits: this.rules.hitCounts() } : {}),
      ...(this.request.exec && this.exec ? { exec: this.request.exec, execProcesses: this.exec.counts() } : {}),
      maxClients: this.maxClients,
      clientIds: [...this.clients.keys()],
      refused: this.refused,
      acceptedTotal: this.acceptedTotal,
      stats: this.stats.snapshot(),
      ...(this.request.tls ? { tls: this.tlsSnapshot(this.request.tls) } : {}),
    };
  }

  private tlsSnapshot(tls: NonNullable<ListenRequest['tls']>): NonNullable<ListenerSnapshot['tls']> {
    const { passphrase: _secret, ...options } = tls;
    return {
      options,
      fingerprint: this.serverTls?.fingerprint ?? null,
      selfSigned: this.serverTls?.selfSigned ?? options.certFile === undefined,
      certificatePem: this.serverTls?.certificatePem ?? null,
    };
  }

  /** Resolves once listening or failed (the failure is in the snapshot, never thrown). */
  async open(): Promise<void> {
    try {
      if (this.request.tls && !this.serverTls) await this.prepareTls(this.request.tls);
      if (this.request.path !== undefined) await this.listenUnix(this.request.path);
      else await this.listenInet();
    } catch (err) {
      // Failures before any socket exists (unknown service, lookup failure, bad zone).
      if (this.state === 'opening') this.fail(explainError(err, { target: this.describeTarget() }));
    }
  }

  /**
   * Opens again with the same request after a failed open (a port taken when a session was
   * restored…): same id, same workspace, its timeline carrying on. Only a listener that never
   * listened and was not closed can retry; the failure, if it fails again, is in the snapshot.
   */
  async retry(): Promise<void> {
    if (this.engine.isShuttingDown) throw invalidState('the engine is shutting down');
    if (this.state !== 'closed' || this.local !== null || this.closing) {
      throw invalidState(`listener ${this.id} did not fail to open: only a listener that failed to open can be retried`);
    }
    this.state = 'opening';
    this.error = null;
    this.changed();
    await this.open();
  }

  configure(opts: { behaviour?: CompiledBehaviour; rules?: RuleSet; maxClients?: number | null }): void {
    // Compiled before anything changes, so a refused rule set leaves the listener as it was.
    const rules = opts.rules ? this.compileRules(opts.rules) : undefined;
    if (opts.behaviour) this.behaviour = opts.behaviour;
    if (rules) this.rules = rules;
    if (opts.maxClients !== undefined) this.maxClients = opts.maxClients;
    this.changed();
  }

  /** Sends to every client that can still receive; returns how many got it. */
  broadcast(bytes: Uint8Array): number {
    let n = 0;
    for (const c of this.clients.values()) {
      if (!c.canSend) continue;
      try {
        c.send(bytes);
        n++;
      } catch {
        // This client's send buffer is full: the others still get the message.
      }
    }
    return n;
  }

  /** close() on every open client; the listening socket stays. */
  closeClients(): number {
    let n = 0;
    for (const c of this.clients.values()) {
      if (c.isClosed) continue;
      void c.destroy();
      n++;
    }
    return n;
  }

  /** Closes the listening socket but keeps the clients: state `not-accepting`. */
  stopAccepting(): void {
    if (this.state !== 'listening' || !this.server) return;
    this.state = 'not-accepting';
    this.timeline.add('close()', 'ok (listening socket; clients kept)');
    const server = this.server;
    this.unixFile?.beforeClose();
    server.close(() => void this.removeSocketFile());
    this.changed();
  }

  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    const wasOpen = this.state === 'listening' || this.state === 'opening';
    this.state = 'closed';
    const server = this.server;
    const waits: Promise<void>[] = [];
    if (server && wasOpen) {
      this.timeline.add('close()', 'ok (listening socket)');
      this.unixFile?.beforeClose();
      waits.push(new Promise<void>((resolve) => server.close(() => resolve())));
    }
    this.exec?.close();
    for (const c of this.clients.values()) waits.push(c.destroy());
    for (const socket of this.handshakes) socket.destroy();
    this.handshakes.clear();
    await Promise.race([Promise.allSettled(waits), delay(CLOSE_WAIT_MS)]);
    await this.removeSocketFile();
    this.untick?.();
    this.untick = null;
    this.changed();
  }

  /** Certificate files read (or the self-signed certificate made) before socket(): a bad file fails the open. */
  private async prepareTls(tls: NonNullable<ListenRequest['tls']>): Promise<void> {
    const bindAddress = this.request.path !== undefined ? null : (this.request.bindAddress ?? DEFAULT_BIND_ADDRESS);
    try {
      this.serverTls = await prepareServerTls(tls, () => this.engine.tlsCertificates.certificateFor(namesFor(bindAddress)));
    } catch (err) {
      this.timeline.add('SSL_CTX_use_certificate()', errorCodeOf(err), false);
      throw err;
    }
    this.timeline.add('SSL_CTX_use_certificate()', `${this.serverTls.selfSigned ? 'self-signed, made by Sockscope' : 'from file'}, SHA-256 ${this.serverTls.fingerprint}`);
  }

  private async listenInet(): Promise<void> {
    const { port, note } = await resolvePortSpec(this.request.port ?? 0, 'tcp');
    this.portNote = note;
    const typed = this.request.bindAddress ?? DEFAULT_BIND_ADDRESS;
    const resolved = await resolveHost(typed).catch((err: unknown) => {
      this.timeline.add(`getaddrinfo("${typed}")`, errorCodeOf(err), false);
      throw err;
    });
    if (!resolved.literal) {
      this.timeline.add(`getaddrinfo("${resolved.host}")`, resolved.addresses.map((a) => a.address).join(', '));
    }
    if (this.closing) return;
    // Node binds the first address getaddrinfo returned; we do the same and show it.
    const addr = resolved.addresses[0]!;
    const v6 = addr.family === 'IPv6';
    const backlog = this.request.backlog ?? DEFAULT_BACKLOG;
    const ipv6Only = v6 && (this.request.ipv6Only ?? false);
    const target = formatHostPort(addr.address, port);
    // libuv (uv__tcp_bind): socket(), SO_REUSEADDR on Unix, IPV6_V6ONLY set either way for AF_INET6,
    // then bind(); listen() only if bind succeeded. Windows sets no SO_REUSEADDR.
    const steps = [`socket(${v6 ? 'AF_INET6' : 'AF_INET'}, SOCK_STREAM)`];
    if (process.platform !== 'win32') steps.push('setsockopt(SO_REUSEADDR, 1)');
    if (v6) steps.push(`setsockopt(IPV6_V6ONLY, ${ipv6Only ? 1 : 0})`);
    await this.listenWith({ host: addr.address, port, backlog, ipv6Only }, steps, `bind(${target})`, backlog, port);
  }

  private async listenUnix(path: string): Promise<void> {
    const tooLong = unixPathTooLong(path);
    if (tooLong) {
      // Refused before socket(): libuv would cut the path short and bind another file.
      this.timeline.add(`bind(${path})`, 'ENAMETOOLONG (refused before socket())', false);
      this.fail({ ...explainError(tooLong, { target: path, syscall: 'bind' }), detail: tooLongDetail(path) });
      return;
    }
    const file = await UnixSocketFile.prepare(path);
    if (this.closing) {
      await file.release();
      return;
    }
    this.unixFile = file;
    const backlog = this.request.backlog ?? DEFAULT_BACKLOG;
    const steps = ['socket(AF_UNIX, SOCK_STREAM)', ...(file.aliasStep ? [file.aliasStep] : [])];
    await this.listenWith({ path: file.bindPath, backlog }, steps, `bind(${file.bindPath})`, backlog, undefined);
    if (this.state === 'listening') file.remember();
    else await file.release();
  }

  /** The name the kernel knows the socket by (`ss -xl`, lsof): the alias when bound through one. */
  get unixKernelPath(): string | null {
    return this.unixFile?.bindPath ?? null;
  }

  private listenWith(
    options: { host?: string; port?: number; path?: string; backlog: number; ipv6Only?: boolean },
    setupSteps: string[],
    bindCall: string,
    backlog: number,
    port: number | undefined,
  ): Promise<void> {
    const server = createServer({ allowHalfOpen: true });
    this.server = server;
    server.on('connection', guarded(this.onFault, 'accept', (socket: Socket) => this.accepted(socket)));
    return new Promise<void>((resolve) => {
      const onError = (err: NodeJS.ErrnoException) => {
        server.removeListener('listening', onListening);
        server.on('error', () => {}); // the failed server is done; nothing it emits may crash the engine
        this.listenFailed(err, setupSteps, bindCall, backlog, port)
          .catch((e: unknown) => this.fail(explainError(e, { target: this.describeTarget(port) })))
          .finally(resolve);
      };
      const onListening = () => {
        server.removeListener('error', onError);
        // Later errors on the listening socket (rare: EMFILE on accept) must never crash the engine.
        server.on('error', (err) => this.acceptError(err));
        for (const s of setupSteps) this.timeline.add(s);
        this.timeline.add(bindCall);
        this.timeline.add(`listen(${backlog})`);
        this.local = this.boundAddress(server);
        this.state = this.closing ? 'closed' : 'listening';
        if (this.closing) server.close();
        else this.untick = this.engine.everySecond(guarded(this.onFault, 'the listener clock', () => this.tick()));
        this.changed();
        resolve();
      };
      server.once('error', onError);
      server.once('listening', onListening);
      // Closed before it listened (engine shutdown mid-open): nothing more will come.
      server.once('close', () => resolve());
      try {
        server.listen(options);
      } catch (err) {
        // Synchronous throws (ERR_SOCKET_BAD_PORT and the like).
        server.removeAllListeners('listening');
        onError(err as NodeJS.ErrnoException);
      }
    });
  }

  private async listenFailed(
    err: NodeJS.ErrnoException,
    setupSteps: string[],
    bindCall: string,
    backlog: number,
    port: number | undefined,
  ): Promise<void> {
    const code = errorCodeOf(err);
    const atBind = BIND_ERRORS.has(code);
    for (const s of setupSteps) this.timeline.add(s);
    if (atBind) {
      this.timeline.add(bindCall, code, false);
    } else {
      this.timeline.add(bindCall);
      this.timeline.add(`listen(${backlog})`, code, false);
    }
    this.timeline.add('close()');
    const target = this.describeTarget(port);
    const path = this.request.path;
    if (path !== undefined && code === 'EADDRINUSE') {
      const state = await probeUnixPath(path);
      if (state === 'stale') {
        this.fail(explainError(staleSocketError(path), { target: path, syscall: 'bind' }));
        this.error = { ...(this.error as ErrorInfo), detail: path };
        this.changed();
        return;
      }
      if (state === 'not-socket') {
        this.fail({ ...explainError(err, { target: path, syscall: 'bind' }), detail: 'the path exists and is not a socket file' });
        return;
      }
    }
    if (path !== undefined && (code === 'ENOENT' || code === 'EACCES') && !(await directoryExists(dirname(path)))) {
      // Linux says ENOENT; some kernels (gVisor) say EACCES. Either way the folder is missing.
      const folder = explainError(Object.assign(new Error(code), { code: 'ENOENT' }), { target: path, syscall: 'bind' });
      this.fail({ code, message: folder.message, syscall: 'bind', detail: `${dirname(path)} does not exist` });
      return;
    }
    this.fail(explainError(err, { syscall: atBind ? 'bind' : 'listen', target, port }));
    if (code === 'EADDRINUSE' && port !== undefined && port > 0) void this.explainHolder(err, target, port);
  }

  /**
   * Who holds the port: one of our own listeners, or whatever the OS socket table says (that may be
   * slow, so the explanation is completed when it arrives rather than delaying tcp:listen).
   */
  private async explainHolder(err: NodeJS.ErrnoException, target: string, port: number): Promise<void> {
    const own = this.engine
      .listEndpoints()
      .find((e): e is TcpListener => e instanceof TcpListener && e !== this && e.boundPort === port);
    let holder: string | null = own ? `Sockscope's own listener ${own.id}` : null;
    // Answers within PORT_HOLDER_TIMEOUT_MS (system-sockets-service.ts); null: the explanation names no holder.
    holder ??= await this.engine.portHolder(port, 'tcp').catch(() => null);
    if (holder && this.error?.code === 'EADDRINUSE') {
      this.error = explainError(err, { syscall: 'bind', target, port, holder });
      this.changed();
    }
  }

  /** The TCP port this listener is bound to, while it holds one. */
  get boundPort(): number | null {
    return this.local?.kind === 'inet' && this.state !== 'closed' ? this.local.port : null;
  }

  private acceptError(err: Error): void {
    this.timeline.add('accept()', errorCodeOf(err), false);
    this.error = explainError(err, { syscall: 'accept', target: this.describeTarget() });
    this.changed();
  }

  private accepted(socket: Socket): void {
    const remote = this.request.path !== undefined ? ({ kind: 'unix', path: '' } as const) : inetSockAddr(socket.remoteAddress, socket.remotePort, socket.remoteFamily);
    const peer = remote?.kind === 'inet' ? formatHostPort(remote.host, remote.port) : '(unnamed)';
    const open = this.openClients();
    const full = this.maxClients !== null && open >= this.maxClients;
    if (this.state !== 'listening' || full || this.engine.atConnectionCap) {
      this.refused++;
      socket.on('error', () => {});
      this.timeline.add('accept()', peer);
      const why = full || this.state !== 'listening'
        ? `${open} of ${this.maxClients ?? '∞'} clients connected`
        : `Sockscope holds ${this.engine.connectionCap.toLocaleString('en-US')} connections, its cap, keeping descriptors for everything else`;
      this.timeline.add('close()', `ok (refused: ${why})`);
      socket.destroy();
      this.changed();
      return;
    }
    this.acceptedTotal++;
    const id = this.engine.nextId(`${this.id}.c`);
    const local =
      this.request.path !== undefined
        ? ({ kind: 'unix', path: this.request.path } as const)
        : inetSockAddr(socket.localAddress, socket.localPort, socket.localFamily);
    this.timeline.add('accept()', `${peer} (${id})`);
    if (this.serverTls) {
      this.handshake(socket, this.serverTls, { id, local, remote });
      return;
    }
    this.startClient(new TcpConversation({ id, role: 'accepted', socket, local, remote, tag: id, unix: this.request.path !== undefined }, this.clientHost));
  }

  /**
   * The client becomes a conversation once its TLS handshake is done; until then its socket is
   * held here (bounded: a flood of clients that never finish the handshake is refused past it).
   */
  private handshake(socket: Socket, tls: ServerTls, who: { id: string; local: SockAddr | null; remote: SockAddr | null }): void {
    socket.on('error', () => {}); // the TLS socket reports errors; the plain one must never throw
    if (this.handshakes.size >= MAX_PENDING_HANDSHAKES) {
      this.timeline.add(`[${who.id}] close()`, `ok (refused: ${MAX_PENDING_HANDSHAKES} TLS handshakes already in progress)`);
      socket.destroy();
      this.changed();
      return;
    }
    this.handshakes.add(socket);
    const steps = { now: () => this.engine.clock.now(), note: (call: string, result: string, ok = true) => this.timeline.add(`[${who.id}] ${call}`, result, ok) };
    secureAccepted(socket, tls, steps).then(
      guarded(this.onFault, `${who.id} TLS`, (secured) => {
        this.handshakes.delete(socket);
        if (this.state === 'closed' || this.closing) {
          secured.socket.destroy();
          return;
        }
        const unix = this.request.path !== undefined;
        this.startClient(new TcpConversation({ id: who.id, role: 'accepted', socket: secured.socket, local: who.local, remote: who.remote, tag: who.id, unix, tls: secured, wire: socket }, this.clientHost));
      }),
      guarded(this.onFault, `${who.id} TLS`, (err: unknown) => {
        this.handshakes.delete(socket);
        socket.destroy();
        this.timeline.add(`[${who.id}] SSL_accept()`, err instanceof TlsHandshakeError ? `${err.code}: ${err.message}` : errorCodeOf(err), false);
        this.changed();
      }),
    );
    this.changed();
  }

  private startClient(conv: TcpConversation): void {
    const id = conv.id;
    this.clients.set(id, conv);
    this.engine.addConversation(conv);
    conv.start();
    this.changed();
  }

  private openClients(): number {
    let n = 0;
    for (const c of this.clients.values()) if (!c.isClosed) n++;
    return n;
  }

  private clientClosed(c: TcpConversation): void {
    this.closedOrder.push(c.id);
    // Bounded: the oldest closed clients leave the Clients table (the engine still holds them
    // until the endpoint is removed).
    while (this.closedOrder.length > MAX_CLOSED_CLIENTS) {
      const gone = this.closedOrder.shift() as string;
      this.clients.delete(gone);
      // Without this the engine would keep every finished client's traffic until the listener goes.
      this.engine.removeConversation(gone);
    }
    this.changed();
  }

  private tick(): void {
    this.connections.push(this.acceptedTotal, this.openClients());
    if (this.stats.tick()) this.changed();
  }

  rateSource(): RateSource {
    return { id: this.id, history: this.stats.history, connections: this.connections, inTotal: true };
  }

  private boundAddress(server: Server): SockAddr | null {
    const a = server.address();
    // A Unix server reports the alias it was bound through; the socket file is at the requested path.
    if (typeof a === 'string') return { kind: 'unix', path: this.request.path ?? a };
    return a ? inetSockAddr(a.address, a.port, a.family) : null;
  }

  private describeTarget(port?: number): string {
    if (this.request.path !== undefined) return this.request.path;
    const host = this.request.bindAddress ?? DEFAULT_BIND_ADDRESS;
    const p = port ?? this.request.port ?? 0;
    return typeof p === 'number' ? formatHostPort(host, p) : `${host} port ${p}`;
  }

  private fail(info: ErrorInfo): void {
    this.error = info;
    this.state = 'closed';
    this.server = null;
    this.changed();
  }

  faulted(where: string, err: unknown): void {
    this.error = { code: 'INTERNAL', message: internalErrorMessage(where, err) };
    this.changed();
    void this.close();
  }

  private async removeSocketFile(): Promise<void> {
    await this.unixFile?.release();
  }

  private changed(counters = false): void {
    this.engine.endpointChanged(this, counters);
  }

  /** A hit is a counter change: the batcher coalesces those, so a flood of hits is one update per flush. */
  private compileRules(rules: RuleSet): RuleBook {
    return RuleBook.compile(rules, { onHit: () => this.changed(true) });
  }
}

async function directoryExists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
