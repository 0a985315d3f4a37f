/**
 * A TCP (or Unix stream) connection: getaddrinfo → for each address in turn socket → [bind] →
 * connect, each attempt recorded with its result, then one conversation. By default the address
 * loop is ours (not Node's autoSelectFamily) so every attempt is seen and timed exactly: it tries
 * addresses one after the other, each with the full connect timeout, in getaddrinfo's order.
 *
 * With `happyEyeballs` (and a name that resolved to both families, no local bind) Node's own
 * autoSelectFamily makes the attempts instead, fed exactly the addresses we resolved and showed.
 * What Node 20+ does there (lib/net.js `lookupAndConnectMultiple`): it interleaves the families,
 * starting with the family of the first address, and tries ONE address at a time; an attempt with no
 * answer within autoSelectFamilyAttemptTimeout is closed (Node records ETIMEDOUT) and the next one
 * started; the last address gets no attempt timeout. It reports each step with the socket events
 * `connectionAttempt`, `connectionAttemptFailed` and `connectionAttemptTimeout` (v20.12+) and lists
 * what it tried in `socket.autoSelectFamilyAttemptedAddresses`; total failure is an AggregateError
 * with one error per address. Attempts and timeline are built from those, nothing else.
 */
import { invalidState } from '../command-error';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { isIP, Socket } from 'node:net';
import type { ConnectRequest } from '../../shared/contract';
import type { AttemptMode, ConnectAttempt, ConnectionSnapshot, ConversationState } from '../../shared/endpoints';
import type { ErrorInfo } from '../../shared/errors';
import { formatHostPort, type SockAddr } from '../../shared/primitives';
import type { Engine, ManagedEndpoint } from '../engine';
import { engineError, errorCodeOf, explainError } from '../errors/explain-error';
import { guarded, internalErrorMessage, type FaultHandler } from '../fault-barrier';
import { resolveHost, stripBrackets, type HostResolver, type ResolvedAddress, type ResolvedHost } from '../net/resolve-host';
import { resolvePortSpec } from '../net/resolve-port';
import { inetSockAddr, TcpConversation, type ConversationHost } from './conversation';
import { Timeline, type PendingEntry } from './timeline';
import { probeUnixPath, staleSocketError, tooLongDetail, unixPathTooLong } from './unix-socket';

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** Node's autoSelectFamilyAttemptTimeout for Happy Eyeballs (also Node's own default). */
export const HAPPY_EYEBALLS_ATTEMPT_TIMEOUT_MS = 250;
const CLOSE_WAIT_MS = 2000;

export interface ConnectionDeps {
  resolveHost: HostResolver;
}

type Outcome = { kind: 'connected' } | { kind: 'failed'; error: NodeJS.ErrnoException } | { kind: 'aborted' };

interface Pending {
  socket: Socket;
  abort(): void;
}

export class TcpConnection implements ManagedEndpoint {
  readonly kind = 'tcp-connection' as const;
  readonly createdAt: number;
  readonly timeline: Timeline;
  private state: ConversationState = 'resolving';
  private error: ErrorInfo | null = null;
  private portNote: string | null = null;
  private resolved: ResolvedAddress[] = [];
  private attempts: ConnectAttempt[] = [];
  private attemptMode: AttemptMode | null = null;
  /** Why Happy Eyeballs was asked for but not used: said once, on the first attempt's result. */
  private notAppliedNote: string | null = null;
  private conversation: TcpConversation | null = null;
  /** Which run the conversation belongs to: its state and error show only while it is current. */
  private conversationRun = -1;
  /** Increments on each (re)connect. */
  private run = 0;
  /** Increments on each (re)connect and close: work of an older generation stops. */
  private generation = 0;
  private pending: Pending | null = null;
  private readonly deps: ConnectionDeps;
  private readonly conversationHost: ConversationHost;
  private readonly onFault: FaultHandler;

  constructor(
    private readonly engine: Engine,
    readonly id: string,
    private readonly request: ConnectRequest,
    deps: Partial<ConnectionDeps> = {},
  ) {
    this.createdAt = engine.clock.now();
    this.deps = { resolveHost, ...deps };
    this.onFault = engine.faultHandler(id);
    this.timeline = new Timeline(engine.clock, () => this.changed());
    this.conversationHost = {
      engine,
      endpointId: id,
      onFault: this.onFault,
      timeline: this.timeline,
      // Byte counts are not in a connection's own snapshot (its conversation carries them).
      onChanged: (counters) => {
        if (!counters) this.changed();
      },
    };
  }

  get timeoutMs(): number {
    return this.request.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  }

  get currentState(): ConversationState {
    return this.state === 'established' && this.conversation ? this.conversation.currentState : this.state;
  }

  get currentConversation(): TcpConversation | null {
    return this.conversation;
  }

  snapshot(): ConnectionSnapshot {
    const conv = this.conversation;
    const current = conv && this.conversationRun === this.run ? conv : null;
    return {
      id: this.id,
      kind: 'tcp-connection',
      createdAt: this.createdAt,
      local: current?.local ?? null,
      error: this.error ?? current?.errorInfo ?? null,
      timeline: this.timeline.snapshot(),
      portNote: this.portNote,
      state: this.currentState,
      request: {
        host: this.request.path !== undefined ? null : (this.request.host ?? null),
        port: this.request.path !== undefined ? null : (this.request.port ?? null),
        path: this.request.path ?? null,
        timeoutMs: this.timeoutMs,
        localAddress: this.request.localAddress ?? null,
        localPort: this.request.localPort ?? null,
        noDelay: this.request.noDelay ?? false,
        keepAlive: this.request.keepAlive ?? false,
        happyEyeballs: this.request.happyEyeballs ?? false,
      },
      resolved: this.resolved.map((a) => ({ ...a })),
      attemptMode: this.attemptMode ? { ...this.attemptMode } : null,
      attempts: this.attempts.map((a) => ({ ...a })),
      conversationId: conv?.id ?? null,
      remote: current?.remote ?? null,
    };
  }

  /** Starts connecting in the background; progress and failure land in the snapshot. */
  start(): void {
    this.run++;
    const gen = ++this.generation;
    this.state = 'resolving';
    this.error = null;
    this.resolved = [];
    this.attempts = [];
    this.attemptMode = null;
    this.notAppliedNote = null;
    this.changed();
    void this.connect(gen).catch((err: unknown) => {
      if (gen === this.generation) this.fail(explainError(err, { target: this.describeTarget() }));
    });
  }

  /** The same request again on the same endpoint; the previous conversation stays readable. */
  async reconnect(): Promise<void> {
    // Quitting closes every socket: a reconnect racing it must not open a new one.
    if (this.engine.isShuttingDown) throw invalidState('the engine is shutting down');
    this.generation++;
    this.abortPending();
    const old = this.conversation;
    if (old && !old.isClosed) await Promise.race([old.destroy(), delay(CLOSE_WAIT_MS)]);
    this.start();
  }

  async close(): Promise<void> {
    this.generation++;
    this.abortPending();
    if (this.state !== 'closed') this.state = 'closed';
    const conv = this.conversation;
    if (conv && !conv.isClosed) await Promise.race([conv.destroy(), delay(CLOSE_WAIT_MS)]);
    this.changed();
  }

  private async connect(gen: number): Promise<void> {
    if (this.request.path !== undefined) return this.connectUnix(gen, this.request.path);
    const typedHost = this.request.host as string;
    const { port, note } = await resolvePortSpec(this.request.port as number | string, 'tcp');
    this.portNote = note;
    if (gen !== this.generation) return;
    const host = stripBrackets(typedHost);
    const resolved = await this.deps.resolveHost(host).catch((err: unknown) => {
      if (gen === this.generation && errorCodeOf(err) !== 'EUNKNOWN_ZONE') {
        this.timeline.add(`getaddrinfo("${host}")`, errorCodeOf(err), false);
      }
      throw err;
    });
    if (gen !== this.generation) return;
    if (!resolved.literal) {
      this.timeline.add(`getaddrinfo("${host}")`, resolved.addresses.map((a) => a.address).join(', '));
    }
    this.resolved = resolved.addresses;
    const { mode, notApplied } = this.chooseAttemptMode(resolved);
    this.attemptMode = mode;
    this.notAppliedNote = notApplied;
    this.state = 'connecting';
    this.changed();
    if (this.attemptMode.happyEyeballs) return this.connectHappyEyeballs(gen, host, resolved.addresses, port);

    const failures: { target: string; error: NodeJS.ErrnoException }[] = [];
    for (const addr of resolved.addresses) {
      if (gen !== this.generation) return;
      const outcome = await this.attempt(gen, addr, port);
      if (outcome.kind === 'aborted') return;
      if (outcome.kind === 'connected') return;
      failures.push({ target: formatHostPort(addr.address, port), error: outcome.error });
    }
    if (gen !== this.generation) return;
    const last = failures.at(-1);
    if (!last) throw engineError('ENOTFOUND', `no address for ${host}`);
    const info = explainError(last.error, { target: last.target, port });
    if (failures.length > 1) {
      info.detail = `tried ${failures.map((f) => `${f.target} → ${errorCodeOf(f.error)}`).join(', ')}`;
    }
    this.fail(info);
  }

  /** One address: socket(), optional bind(), connect() with our own timeout. */
  private async attempt(gen: number, addr: ResolvedAddress, port: number): Promise<Outcome> {
    const target = formatHostPort(addr.address, port);
    const record: ConnectAttempt = {
      address: addr.address,
      port,
      family: addr.family,
      startedAt: this.engine.clock.now(),
      endedAt: null,
      result: 'pending',
    };
    this.attempts.push(record);
    const finish = (result: string) => {
      record.result = result;
      record.endedAt = this.engine.clock.now();
      this.changed();
    };
    this.timeline.add(`socket(${addr.family === 'IPv6' ? 'AF_INET6' : 'AF_INET'}, SOCK_STREAM)`);

    const socket = new Socket({ allowHalfOpen: true });
    const { outcome, abort } = this.watch(socket, this.timeoutMs);
    this.pending = { socket, abort };
    const local = this.request.localAddress !== undefined || this.request.localPort !== undefined;
    try {
      const localAddress = this.request.localAddress !== undefined ? stripBrackets(this.request.localAddress) : undefined;
      if (localAddress !== undefined && !isIP(localAddress.split('%')[0] ?? '')) {
        throw engineError('EINVAL', `local address "${localAddress}" is not an IP address`);
      }
      socket.connect({
        host: addr.address,
        port,
        family: addr.family === 'IPv6' ? 6 : 4,
        autoSelectFamily: false,
        ...(localAddress !== undefined ? { localAddress } : {}),
        ...(this.request.localPort !== undefined ? { localPort: this.request.localPort } : {}),
      });
    } catch (err) {
      abort();
      this.pending = null;
      this.timeline.add(local ? 'bind()' : `connect(${target})`, this.withNote(errorCodeOf(err)), false);
      finish(errorCodeOf(err));
      return { kind: 'failed', error: err as NodeJS.ErrnoException };
    }

    if (local) {
      // Node binds in the tick after connect() is called; a bind failure destroys the socket then.
      await new Promise<void>((r) => setImmediate(r));
      const early = socket.destroyed ? await outcome : null;
      const bindTarget = formatHostPort(this.request.localAddress ? stripBrackets(this.request.localAddress) : addr.family === 'IPv6' ? '::' : '0.0.0.0', this.request.localPort ?? 0);
      if (early && early.kind === 'failed' && early.error.syscall === 'bind') {
        this.pending = null;
        this.timeline.add(`bind(${bindTarget})`, this.withNote(errorCodeOf(early.error)), false);
        this.timeline.add('close()');
        finish(errorCodeOf(early.error));
        return early;
      }
      this.timeline.add(`bind(${bindTarget})`);
    }

    const entry = this.timeline.begin(`connect(${target})`);
    const result = await outcome;
    this.pending = null;
    if (result.kind === 'aborted') {
      entry.settle(this.withNote('aborted'), false);
      finish('aborted');
      this.timeline.add('close()');
      return result;
    }
    if (result.kind === 'failed') {
      const code = errorCodeOf(result.error);
      entry.settle(this.withNote(code === 'ETIMEDOUT' ? `ETIMEDOUT (no answer within ${this.timeoutMs} ms; gave up)` : code), false);
      socket.destroy();
      this.timeline.add('close()');
      finish(code);
      return result;
    }
    entry.settle(this.withNote('ok'), true);
    finish('ok');
    if (gen !== this.generation) {
      socket.destroy();
      return { kind: 'aborted' };
    }
    this.established(socket, inetSockAddr(socket.localAddress, socket.localPort, socket.localFamily), {
      kind: 'inet',
      host: addr.address,
      port,
      family: addr.family,
    });
    this.engine.recentHosts.add('tcp', this.describeTarget());
    return result;
  }

  /** Our loop, or Node's Happy Eyeballs: the latter only when asked for and when it can apply. */
  private chooseAttemptMode(resolved: ResolvedHost): { mode: AttemptMode; notApplied: string | null } {
    const sequential = `one address at a time, in getaddrinfo order, each with the full ${this.timeoutMs} ms connect timeout`;
    if (!this.request.happyEyeballs) return { mode: { happyEyeballs: false, attemptTimeoutMs: null, note: sequential }, notApplied: null };
    const families = [...new Set(resolved.addresses.map((a) => a.family))];
    let why: string | null = null;
    if (resolved.literal) why = `${resolved.host} is an address literal (no getaddrinfo, one address)`;
    else if (families.length < 2) why = `getaddrinfo returned only ${families[0] ?? 'no'} addresses, no second family to fall back to`;
    else if (this.request.localAddress !== undefined || this.request.localPort !== undefined) {
      why = 'a local address or port is set (Node skips autoSelectFamily when binding to a local address)';
    }
    if (why) {
      const notApplied = `Happy Eyeballs not applied: ${why}`;
      return { mode: { happyEyeballs: false, attemptTimeoutMs: null, note: `${notApplied}; ${sequential}` }, notApplied };
    }
    const t = HAPPY_EYEBALLS_ATTEMPT_TIMEOUT_MS;
    const note =
      `Node's autoSelectFamily (RFC 8305): families interleaved, ${resolved.addresses[0]!.family} first; ` +
      `one attempt at a time, one with no answer within ${t} ms is closed and the next address tried; ` +
      `the last one waits up to the ${this.timeoutMs} ms connect timeout`;
    return { mode: { happyEyeballs: true, attemptTimeoutMs: t, note }, notApplied: null };
  }

  /** `result`, plus — on the first attempt only — why Happy Eyeballs did not apply. */
  private withNote(result: string): string {
    const note = this.notAppliedNote;
    if (!note) return result;
    this.notAppliedNote = null;
    return `${result} (${note})`;
  }

  /**
   * Node's autoSelectFamily makes the attempts, fed by a lookup that answers with exactly the
   * addresses already resolved and shown. Each attempt is recorded from Node's own events as it
   * happens; `autoSelectFamilyAttemptedAddresses` and the AggregateError of a total failure fill in
   * anything the events did not report (older runtimes), as `attempted` when the outcome is unknown.
   */
  private async connectHappyEyeballs(gen: number, host: string, addresses: ResolvedAddress[], port: number): Promise<void> {
    const attemptTimeoutMs = HAPPY_EYEBALLS_ATTEMPT_TIMEOUT_MS;
    const socket = new Socket({ allowHalfOpen: true });
    const { outcome, abort } = this.watch(socket, this.timeoutMs);
    this.pending = { socket, abort };
    let done = false;
    const live = () => !done && gen === this.generation;
    let current: { record: ConnectAttempt; entry: PendingEntry } | null = null;
    const failures: { target: string; error: NodeJS.ErrnoException }[] = [];
    const endCurrent = (result: string, timelineResult: string, ok: boolean, error?: NodeJS.ErrnoException) => {
      const c = current;
      if (!c) return;
      current = null;
      c.record.result = result;
      c.record.endedAt = this.engine.clock.now();
      c.entry.settle(timelineResult, ok);
      if (error) failures.push({ target: formatHostPort(c.record.address, c.record.port), error });
      if (!ok) this.timeline.add('close()');
      this.changed();
    };

    socket.on('connectionAttempt', guarded(this.onFault, 'connect attempt', (ip: string, p: number, family: number) => {
      if (!live()) return;
      const record: ConnectAttempt = {
        address: ip,
        port: p,
        family: family === 6 ? 'IPv6' : 'IPv4',
        startedAt: this.engine.clock.now(),
        endedAt: null,
        result: 'pending',
      };
      this.attempts.push(record);
      this.timeline.add(`socket(${family === 6 ? 'AF_INET6' : 'AF_INET'}, SOCK_STREAM)`);
      current = { record, entry: this.timeline.begin(`connect(${formatHostPort(ip, p)})`) };
      this.changed();
    }));
    socket.on('connectionAttemptFailed', guarded(this.onFault, 'connect attempt', (_ip: string, _p: number, _family: number, error: Error) => {
      if (!live()) return;
      const code = errorCodeOf(error);
      endCurrent(code, code, false, error as NodeJS.ErrnoException);
    }));
    socket.on('connectionAttemptTimeout', guarded(this.onFault, 'connect attempt', (ip: string, p: number) => {
      if (!live()) return;
      const error = engineError('ETIMEDOUT', `connect ETIMEDOUT ${formatHostPort(ip, p)} (no answer within ${attemptTimeoutMs} ms)`);
      error.syscall = 'connect';
      endCurrent('ETIMEDOUT', `ETIMEDOUT (no answer within ${attemptTimeoutMs} ms: Node closed it and tried the next address)`, false, error);
    }));

    const list: LookupAddress[] = addresses.map((a) => ({ address: a.address, family: a.family === 'IPv6' ? 6 : 4 }));
    const lookup = (
      _name: string,
      options: LookupOptions,
      callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
    ) => {
      // Asynchronous like dns.lookup; no second getaddrinfo: the addresses shown are the ones used.
      process.nextTick(() => (options.all ? callback(null, list) : callback(null, list[0]!.address, list[0]!.family)));
    };
    try {
      socket.connect({ host, port, autoSelectFamily: true, autoSelectFamilyAttemptTimeout: attemptTimeoutMs, lookup });
    } catch (err) {
      abort();
      this.pending = null;
      throw err;
    }

    const result = await outcome;
    done = true;
    this.pending = null;
    this.addUnreportedAttempts(socket.autoSelectFamilyAttemptedAddresses ?? [], port);

    if (result.kind === 'aborted') {
      endCurrent('aborted', 'aborted', false);
      return;
    }
    if (result.kind === 'failed') {
      const code = errorCodeOf(result.error);
      // Still in flight: our own connect timeout (or an error Node gave for the socket as a whole).
      endCurrent(code, code === 'ETIMEDOUT' ? `ETIMEDOUT (no answer within ${this.timeoutMs} ms; gave up)` : code, false, result.error);
      const perAddress = (result.error as Partial<AggregateError>).errors;
      if (Array.isArray(perAddress)) this.fillFromAggregate(perAddress as NodeJS.ErrnoException[], failures);
      socket.destroy();
      if (gen !== this.generation) return;
      const last = failures.at(-1) ?? { target: this.describeTarget(), error: result.error };
      const info = explainError(last.error, { target: last.target, port });
      if (failures.length > 1) {
        info.detail = `tried ${failures.map((f) => `${f.target} → ${errorCodeOf(f.error)}`).join(', ')}`;
      }
      this.fail(info);
      return;
    }

    if (!current) {
      // No connectionAttempt events on this runtime: the connected address is the last one Node lists.
      const last = this.attempts.at(-1);
      if (last?.result === 'attempted') current = { record: last, entry: this.timeline.begin(`connect(${formatHostPort(last.address, last.port)})`) };
    }
    endCurrent('ok', `ok (Happy Eyeballs: Node's autoSelectFamily, ${attemptTimeoutMs} ms attempt timeout)`, true);
    if (gen !== this.generation) {
      socket.destroy();
      return;
    }
    const remoteHost = socket.remoteAddress ?? '';
    this.established(socket, inetSockAddr(socket.localAddress, socket.localPort, socket.localFamily), {
      kind: 'inet',
      host: remoteHost,
      port: socket.remotePort ?? port,
      family: isIP(remoteHost) === 6 ? 'IPv6' : 'IPv4',
    });
    this.engine.recentHosts.add('tcp', this.describeTarget());
  }

  /** Addresses Node lists as attempted (`ip:port`) that no event reported: outcome unknown. */
  private addUnreportedAttempts(tried: string[], port: number): void {
    for (const entry of tried.slice(this.attempts.length)) {
      const address = entry.slice(0, entry.lastIndexOf(':'));
      this.attempts.push({
        address,
        port: Number(entry.slice(entry.lastIndexOf(':') + 1)) || port,
        family: isIP(address) === 6 ? 'IPv6' : 'IPv4',
        startedAt: this.engine.clock.now(),
        endedAt: null,
        result: 'attempted',
      });
    }
  }

  /** Per-address errors of Node's AggregateError for attempts whose outcome no event reported. */
  private fillFromAggregate(errors: NodeJS.ErrnoException[], failures: { target: string; error: NodeJS.ErrnoException }[]): void {
    if (failures.length > 0) return;
    for (const e of errors) {
      const address = (e as { address?: string }).address;
      const ePort = (e as { port?: number }).port;
      const record = this.attempts.find((a) => a.result === 'attempted' && a.address === address && a.port === ePort);
      if (record) record.result = errorCodeOf(e);
      if (address !== undefined && ePort !== undefined) failures.push({ target: formatHostPort(address, ePort), error: e });
    }
  }

  private async connectUnix(gen: number, path: string): Promise<void> {
    const tooLong = unixPathTooLong(path);
    if (tooLong) {
      // Refused before socket(): libuv would cut the path short and reach another file.
      this.timeline.add(`connect(${path})`, 'ENAMETOOLONG (refused before socket())', false);
      this.fail({ ...explainError(tooLong, { target: path, syscall: 'connect' }), detail: tooLongDetail(path) });
      return;
    }
    this.state = 'connecting';
    this.changed();
    this.timeline.add('socket(AF_UNIX, SOCK_STREAM)');
    const socket = new Socket({ allowHalfOpen: true });
    const { outcome, abort } = this.watch(socket, this.timeoutMs);
    this.pending = { socket, abort };
    const entry = this.timeline.begin(`connect(${path})`);
    socket.connect({ path });
    const result = await outcome;
    this.pending = null;
    if (result.kind === 'aborted') {
      entry.settle('aborted', false);
      this.timeline.add('close()');
      return;
    }
    if (result.kind === 'failed') {
      const code = errorCodeOf(result.error);
      entry.settle(code, false);
      socket.destroy();
      this.timeline.add('close()');
      if (gen !== this.generation) return;
      if (code === 'ECONNREFUSED' && (await probeUnixPath(path)) === 'stale') {
        if (gen !== this.generation) return;
        this.fail({ ...explainError(staleSocketError(path), { target: path, syscall: 'connect' }), detail: path });
        return;
      }
      this.fail(explainError(result.error, { target: path, syscall: 'connect' }));
      return;
    }
    entry.settle('ok', true);
    if (gen !== this.generation) {
      socket.destroy();
      return;
    }
    this.established(socket, { kind: 'unix', path: '' }, { kind: 'unix', path });
    this.engine.recentHosts.add('unix', path);
  }

  /** Settles once: connected, failed (error or our timeout), or aborted. Errors are always handled. */
  private watch(socket: Socket, timeoutMs: number): { outcome: Promise<Outcome>; abort: () => void } {
    let settle: (o: Outcome) => void = () => {};
    const outcome = new Promise<Outcome>((resolve) => {
      let done = false;
      const timer = setTimeout(guarded(this.onFault, 'connect timeout', () => {
        const e = engineError('ETIMEDOUT', `connect ETIMEDOUT (no answer within ${timeoutMs} ms)`);
        e.syscall = 'connect';
        settle({ kind: 'failed', error: e });
        socket.destroy();
      }), timeoutMs);
      settle = (o) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve(o);
      };
      socket.once('connect', () => settle({ kind: 'connected' }));
      // Stays attached for the socket's whole life: an error is never unhandled. The conversation
      // adds its own listener once connected.
      socket.on('error', (error: NodeJS.ErrnoException) => settle({ kind: 'failed', error }));
    });
    return {
      outcome,
      abort: () => {
        settle({ kind: 'aborted' });
        socket.destroy();
      },
    };
  }

  private established(socket: Socket, local: SockAddr | null, remote: SockAddr): void {
    if (local?.kind === 'inet') this.timeline.add('getsockname()', formatHostPort(local.host, local.port));
    if (this.request.noDelay) {
      socket.setNoDelay(true);
      this.timeline.add('setsockopt(TCP_NODELAY, 1)');
    }
    if (this.request.keepAlive) {
      socket.setKeepAlive(true);
      this.timeline.add('setsockopt(SO_KEEPALIVE, 1)');
    }
    const id = this.engine.nextId(`${this.id}.s`);
    const conv = new TcpConversation(
      { id, role: 'client', socket, local, remote, unix: remote.kind === 'unix' },
      this.conversationHost,
    );
    this.conversation = conv;
    this.conversationRun = this.run;
    this.state = 'established';
    this.engine.addConversation(conv);
    conv.start();
    this.changed();
  }

  private abortPending(): void {
    const p = this.pending;
    this.pending = null;
    p?.abort();
  }

  private fail(info: ErrorInfo): void {
    this.error = info;
    this.state = 'closed';
    this.changed();
  }

  faulted(where: string, err: unknown): void {
    this.fail({ code: 'INTERNAL', message: internalErrorMessage(where, err) });
    void this.close();
  }

  private describeTarget(): string {
    if (this.request.path !== undefined) return this.request.path;
    const host = stripBrackets(this.request.host ?? '');
    return `${host.includes(':') ? `[${host}]` : host}:${this.request.port ?? ''}`;
  }

  private changed(): void {
    this.engine.endpointChanged(this);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
