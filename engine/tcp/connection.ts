/**
 * A TCP (or Unix stream) connection: getaddrinfo, then one of three connect strategies (connect/),
 * each attempt recorded with its result, then one conversation.
 *
 *   sequential.ts      our own loop (the default): addresses one after the other, each with the full
 *                      connect timeout, in getaddrinfo's order, so every attempt is seen and timed exactly
 *   happy-eyeballs.ts  with `happyEyeballs`, a name that resolved to both families and no local bind:
 *                      Node's autoSelectFamily makes the attempts, fed exactly the addresses we showed
 *   unix.ts            a Unix stream socket by path
 *
 * Each (re)connect gets an AbortController; a reconnect or close aborts it, and the strategy stops
 * and closes whatever it opened.
 */
import { invalidState } from '../command-error';
import type { Socket } from 'node:net';
import type { ConnectRequest, InetConnectRequest } from '../../shared/contract';
import type { AttemptMode, ConnectAttempt, ConnectionSnapshot, ConversationState } from '../../shared/endpoints';
import type { ErrorInfo } from '../../shared/errors';
import { formatHostPort, type SockAddr } from '../../shared/primitives';
import type { ManagedEndpoint, TcpContext } from '../contexts';
import { errorCodeOf, explainError } from '../errors/explain-error';
import { internalErrorMessage, type FaultHandler } from '../fault-barrier';
import { resolveHost, stripBrackets, type HostResolver, type ResolvedHost } from '../net/resolve-host';
import { resolvePortSpec } from '../net/resolve-port';
import { AttemptRecorder } from './connect/attempt-recorder';
import type { ConnectResult, ConnectRun } from './connect/connect-run';
import { connectHappyEyeballs, HAPPY_EYEBALLS_ATTEMPT_TIMEOUT_MS } from './connect/happy-eyeballs';
import { connectSequential } from './connect/sequential';
import { connectUnix } from './connect/unix';
import { secureClient, TlsHandshakeError } from '../tls/tls-client';
import { clientOptionsWithoutSecrets, type TlsClientOptions, type TlsSessionInfo } from '../../shared/tls';
import { TcpConversation, type ConversationHost, type ConversationInit } from './conversation';
import { Timeline } from './timeline';

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const CLOSE_WAIT_MS = 2000;

export interface ConnectionDeps {
  resolveHost: HostResolver;
}

export class TcpConnection implements ManagedEndpoint {
  readonly kind = 'tcp-connection' as const;
  readonly createdAt: number;
  readonly timeline: Timeline;
  private state: ConversationState = 'resolving';
  private error: ErrorInfo | null = null;
  private portNote: string | null = null;
  private resolved: ResolvedHost['addresses'] = [];
  private recorder: AttemptRecorder;
  private attemptMode: AttemptMode | null = null;
  private conversation: TcpConversation | null = null;
  /** Which run the conversation belongs to: its state and error show only while it is current. */
  private conversationRun = -1;
  /** Increments on each (re)connect. */
  private run = 0;
  /** The current (re)connect's: aborted by the next reconnect or by close. */
  private controller = new AbortController();
  /** The request's network target; null for a Unix socket (`unixPath`). */
  private readonly inet: InetConnectRequest | null;
  private readonly unixPath: string | null;
  private readonly deps: ConnectionDeps;
  private readonly conversationHost: ConversationHost;
  private readonly onFault: FaultHandler;
  /** STARTTLS on the current conversation; its TLS session then shows in the conversation's snapshot. */
  async startTls(options: TlsClientOptions): Promise<void> {
    const conv = this.conversation;
    if (!conv || this.conversationRun !== this.run || conv.isClosed) throw invalidState(`${this.id} is not connected`);
    await conv.startTls(this.inet ? stripBrackets(this.inet.host) : 'localhost', options).catch((err: unknown) => {
      if (err instanceof TlsHandshakeError) return; // the conversation closed with the reason, shown in its snapshot
      throw err;
    });
  }

  /** TLS after connect; `verify` turns off only when a person asks (Reconnect without verification). */
  private tls: NonNullable<ConnectRequest['tls']> | null;
  /** The last handshake that failed, with the chain it saw: the UI shows the certificate at fault. */
  private tlsFailure: TlsSessionInfo | null = null;

  constructor(
    private readonly engine: TcpContext,
    readonly id: string,
    private readonly request: ConnectRequest,
    deps: Partial<ConnectionDeps> = {},
  ) {
    this.createdAt = engine.clock.now();
    this.inet = 'path' in request ? null : request;
    this.unixPath = 'path' in request ? request.path : null;
    this.deps = { resolveHost, ...deps };
    this.tls = request.tls ?? null;
    this.onFault = engine.faultHandler(id);
    this.timeline = new Timeline(engine.clock, () => this.changed());
    this.recorder = new AttemptRecorder(this.timeline, engine.clock, () => this.changed());
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
        host: this.inet?.host ?? null,
        port: this.inet?.port ?? null,
        path: this.unixPath,
        timeoutMs: this.timeoutMs,
        localAddress: this.inet?.localAddress ?? null,
        localPort: this.inet?.localPort ?? null,
        noDelay: this.inet?.noDelay ?? false,
        keepAlive: this.inet?.keepAlive ?? false,
        happyEyeballs: this.inet?.happyEyeballs ?? false,
        ...(this.tls ? { tls: clientOptionsWithoutSecrets(this.tls) } : {}),
      },
      ...(this.tls ? { tlsFailure: this.tlsFailure } : {}),
      resolved: this.resolved.map((a) => ({ ...a })),
      attemptMode: this.attemptMode ? { ...this.attemptMode } : null,
      attempts: this.recorder.attempts.map((a: ConnectAttempt) => ({ ...a })),
      conversationId: conv?.id ?? null,
      remote: current?.remote ?? null,
    };
  }

  /** Starts connecting in the background; progress and failure land in the snapshot. */
  start(): void {
    this.run++;
    this.controller.abort();
    const controller = new AbortController();
    this.controller = controller;
    this.state = 'resolving';
    this.error = null;
    this.tlsFailure = null;
    this.resolved = [];
    this.recorder = new AttemptRecorder(this.timeline, this.engine.clock, () => this.changed());
    this.attemptMode = null;
    this.changed();
    const { signal } = controller;
    void this.connect(signal)
      .then((result) => this.settle(result, signal))
      .catch((err: unknown) => {
        if (!signal.aborted) this.fail(explainError(err, { target: this.describeTarget() }));
      });
  }

  /** The same request again on the same endpoint; the previous conversation stays readable. */
  async reconnect(options: { tlsVerify?: false } = {}): Promise<void> {
    if (options.tlsVerify === false) {
      if (!this.tls) throw invalidState(`${this.id} does not use TLS: there is no certificate verification to turn off`);
      this.tls = { ...this.tls, verify: false };
      this.timeline.add('verify certificate', 'turned off by you for this connection', false);
    }
    // Quitting closes every socket: a reconnect racing it must not open a new one.
    if (this.engine.isShuttingDown) throw invalidState('the engine is shutting down');
    this.controller.abort();
    const old = this.conversation;
    if (old && !old.isClosed) await Promise.race([old.destroy(), delay(CLOSE_WAIT_MS)]);
    this.start();
  }

  async close(): Promise<void> {
    this.controller.abort();
    if (this.state !== 'closed') this.state = 'closed';
    const conv = this.conversation;
    if (conv && !conv.isClosed) await Promise.race([conv.destroy(), delay(CLOSE_WAIT_MS)]);
    this.changed();
  }

  /** Resolves the target, picks the strategy and runs it. */
  private async connect(signal: AbortSignal): Promise<ConnectResult> {
    const run = (): ConnectRun => ({ recorder: this.recorder, timeoutMs: this.timeoutMs, signal, onFault: this.onFault });
    const inet = this.inet;
    if (!inet) {
      this.state = 'connecting';
      this.changed();
      return connectUnix(run(), this.unixPath ?? '');
    }
    const { port, note } = await resolvePortSpec(inet.port, 'tcp');
    this.portNote = note;
    if (signal.aborted) return { kind: 'aborted' };
    const host = stripBrackets(inet.host);
    const resolved = await this.deps.resolveHost(host).catch((err: unknown) => {
      if (!signal.aborted && errorCodeOf(err) !== 'EUNKNOWN_ZONE') {
        this.timeline.add(`getaddrinfo("${host}")`, errorCodeOf(err), false);
      }
      throw err;
    });
    if (signal.aborted) return { kind: 'aborted' };
    if (!resolved.literal) {
      this.timeline.add(`getaddrinfo("${host}")`, resolved.addresses.map((a) => a.address).join(', '));
    }
    this.resolved = resolved.addresses;
    const { mode, notApplied } = this.chooseAttemptMode(inet, resolved);
    this.attemptMode = mode;
    this.recorder = new AttemptRecorder(this.timeline, this.engine.clock, () => this.changed(), notApplied);
    this.state = 'connecting';
    this.changed();
    return mode.happyEyeballs
      ? connectHappyEyeballs(run(), host, resolved.addresses, port)
      : connectSequential(run(), host, resolved.addresses, port, inet);
  }

  /** A strategy's result, unless a reconnect or close made it stale. */
  private settle(result: ConnectResult, signal: AbortSignal): void {
    if (result.kind === 'connected') {
      if (signal.aborted) {
        result.socket.destroy();
        return;
      }
      this.engine.recentHosts.add(result.remote.kind === 'unix' ? 'unix' : 'tcp', this.describeTarget());
      if (this.tls) void this.secure(result.socket, result.local, result.remote, this.tls, signal);
      else this.established(result.socket, result.local, result.remote);
    } else if (result.kind === 'failed' && !signal.aborted) {
      this.fail(result.error);
    }
  }

  /** Our loop, or Node's Happy Eyeballs: the latter only when asked for and when it can apply. */
  private chooseAttemptMode(inet: InetConnectRequest, resolved: ResolvedHost): { mode: AttemptMode; notApplied: string | null } {
    const sequential = `one address at a time, in getaddrinfo order, each with the full ${this.timeoutMs} ms connect timeout`;
    if (!inet.happyEyeballs) return { mode: { happyEyeballs: false, attemptTimeoutMs: null, note: sequential }, notApplied: null };
    const families = [...new Set(resolved.addresses.map((a) => a.family))];
    let why: string | null = null;
    if (resolved.literal) why = `${resolved.host} is an address literal (no getaddrinfo, one address)`;
    else if (families.length < 2) why = `getaddrinfo returned only ${families[0] ?? 'no'} addresses, no second family to fall back to`;
    else if (inet.localAddress !== undefined || inet.localPort !== undefined) {
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

  /** The TLS handshake on the connected socket; the conversation starts once it is secure. */
  private async secure(socket: Socket, local: SockAddr | null, remote: SockAddr, tls: NonNullable<ConnectRequest['tls']>, signal: AbortSignal): Promise<void> {
    const host = this.inet ? stripBrackets(this.inet.host) : 'localhost';
    const steps = { now: () => this.engine.clock.now(), note: (call: string, result: string, ok = true) => this.timeline.add(call, result, ok) };
    try {
      const secured = await secureClient(socket, host, tls, steps);
      if (signal.aborted) {
        secured.socket.destroy();
        return;
      }
      this.established(secured.socket, local, remote, { tls: secured, wire: socket });
    } catch (err) {
      if (signal.aborted) return;
      if (err instanceof TlsHandshakeError) {
        this.tlsFailure = err.info;
        this.fail({ code: err.code, message: err.message, syscall: 'SSL_connect', ...(err.problem ? { detail: err.problem.kind } : {}) });
      } else {
        this.timeline.add('SSL_connect()', errorCodeOf(err), false);
        this.fail(explainError(err, { target: this.describeTarget() }));
      }
    }
  }

  private established(socket: Socket, local: SockAddr | null, remote: SockAddr, tls?: Pick<ConversationInit, 'tls' | 'wire'>): void {
    if (local?.kind === 'inet') this.timeline.add('getsockname()', formatHostPort(local.host, local.port));
    if (this.inet?.noDelay) {
      socket.setNoDelay(true);
      this.timeline.add('setsockopt(TCP_NODELAY, 1)');
    }
    if (this.inet?.keepAlive) {
      socket.setKeepAlive(true);
      this.timeline.add('setsockopt(SO_KEEPALIVE, 1)');
    }
    const id = this.engine.nextId(`${this.id}.s`);
    const conv = new TcpConversation(
      { id, role: 'client', socket, local, remote, unix: remote.kind === 'unix', ...tls },
      this.conversationHost,
    );
    this.conversation = conv;
    this.conversationRun = this.run;
    this.state = 'established';
    this.engine.addConversation(conv);
    conv.start();
    this.changed();
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
    if (!this.inet) return this.unixPath ?? '';
    const host = stripBrackets(this.inet.host);
    return `${host.includes(':') ? `[${host}]` : host}:${this.inet.port}`;
  }

  private changed(): void {
    this.engine.endpointChanged(this);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
