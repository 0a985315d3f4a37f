/**
 * One UDP socket, bound by a person: sendto/recvfrom with every datagram kept whole, optional
 * connect(), broadcast and multicast options, behaviours, counters and a BSD-style timeline.
 *
 * UDP has no flow control, so nothing here may queue without bound: received datagrams go into the
 * bounded traffic log and the hub (whose batchers cap previews) up to a per-endpoint budget per
 * second, and beyond it they are counted in `dropped` and forgotten; sends refuse (or, for a repeat,
 * wait) while the socket's send queue is long.
 */
import dgram from 'node:dgram';
import type { Behaviour, UdpSnapshot } from '../../shared/endpoints';
import type { ErrorInfo } from '../../shared/errors';
import type { RuleSet } from '../../shared/rules';
import { formatHostPort, LIMITS, type Family, type InetAddress, type PortSpec } from '../../shared/primitives';
import { CommandError, invalidState } from '../command-error';
import type { ManagedConversation, ManagedEndpoint, UdpContext } from '../contexts';
import { engineError, errorCodeOf, explainError, type ErrorContext } from '../errors/explain-error';
import { guarded, internalErrorMessage, type FaultHandler } from '../fault-barrier';
import { parseAddressLiteral, stripBrackets } from '../net/resolve-host';
import type { RateSource } from '../traffic/rate-sampler';
import { StatsCounter } from '../traffic/stats-counter';
import { TrafficLog } from '../traffic/traffic-log';
import { UdpRules } from '../rules/udp-rules';
import { KernelDropWatcher } from './kernel-drops';
import { RepeatSender, type RepeatEnd } from './repeat-sender';
import { afOf, maxDatagramTo, resolveUdpHost, resolveUdpPort, type UdpType } from './udp-address';
import { compileUdpBehaviour, udpReply, type CompiledBehaviour } from './udp-behaviours';
import { UdpSocketOptions, type OptionChanges } from './udp-options';
import type { UdpLimits } from './udp-limits';
import { ReceiveBudget } from './udp-receive-budget';
import { UdpTimeline } from './udp-timeline';

export interface UdpBindOptions {
  bindAddress: string;
  port: PortSpec;
  type?: UdpType;
  reuseAddr?: boolean;
  ipv6Only?: boolean;
  /** SO_RCVBUF to ask for; omitted: LIMITS.udpReceiveBuffer.default. */
  receiveBufferBytes?: number;
  behaviour?: Behaviour;
  rules?: RuleSet;
}

/** Where a datagram goes: an address the socket can use, and how to show it. */
interface Destination {
  address: string;
  port: number;
  family: Family;
}

type State = UdpSnapshot['state'];

const fmt = (x: number) => x.toLocaleString('en-US');

export class UdpEndpoint implements ManagedEndpoint {
  readonly kind = 'udp' as const;
  readonly createdAt: number;
  readonly log: TrafficLog;
  /** The endpoint's datagram log, registered so the generic `traffic:page` works on it. */
  readonly conversation: ManagedConversation;
  private readonly stats = new StatsCounter();
  private readonly timeline: UdpTimeline;
  private readonly limits: UdpLimits;

  private state: State = 'binding';
  private type: UdpType;
  private socket: dgram.Socket | null = null;
  private local: InetAddress | null = null;
  private error: ErrorInfo | null = null;
  private portNote: string | null = null;
  private connectedTo: InetAddress | null = null;
  private behaviour: CompiledBehaviour;
  /** While active, rules answer datagrams instead of the behaviour mode (engine/rules/udp-rules.ts). */
  private rules: UdpRules | null;
  private readonly ruleTimers = new Set<NodeJS.Timeout>();
  private readonly options: UdpSocketOptions;
  private readonly budget: ReceiveBudget;
  private readonly kernelDrops: KernelDropWatcher;
  private chunksInAtLastCheck = 0;
  private repeater: RepeatSender | null = null;
  private untick: (() => void) | null = null;
  private closing: Promise<void> | null = null;
  private settleBind: (() => void) | null = null;
  private changePending = false;
  private readonly onFault: FaultHandler;
  private readonly announce: () => void;

  constructor(
    private readonly engine: UdpContext,
    readonly id: string,
    private readonly request: UdpBindOptions,
  ) {
    this.limits = engine.udpLimits;
    this.onFault = engine.faultHandler(id);
    this.announce = guarded(this.onFault, 'announcing a change', () => {
      this.changePending = false;
      this.engine.endpointChanged(this);
    });
    // Refuse a bad behaviour before the endpoint exists (a VALIDATION error, not an alert).
    this.behaviour = compileUdpBehaviour(request.behaviour);
    this.rules = request.rules ? this.compileRules(request.rules) : null;
    this.createdAt = engine.clock.now();
    this.timeline = new UdpTimeline(engine.clock);
    this.log = new TrafficLog(engine.ringBytes, undefined, engine.trafficMemory);
    this.options = new UdpSocketOptions(this.timeline, (err, ctx, call) => this.fail(err, ctx, call));
    this.budget = new ReceiveBudget(this.limits.keepPerSecond);
    this.kernelDrops = new KernelDropWatcher((added) => {
      this.timeline.add(
        `recvfrom() × ${fmt(added)}`,
        'dropped by the kernel before Sockscope could read them: the socket’s receive buffer (SO_RCVBUF) was full',
        false,
      );
      this.changed();
    });
    this.type = request.type ?? (parseLiteralFamily(request.bindAddress) === 'IPv6' ? 'udp6' : 'udp4');
    this.conversation = {
      id,
      endpointId: id,
      kind: 'datagrams',
      traffic: this.log,
      snapshot: () => null,
      note: (call, result, ok) => {
        this.timeline.add(call, result, ok);
        this.changed();
      },
      recordingMeta: () =>
        this.state === 'closed'
          ? null
          : { conversationId: id, endpointId: id, kind: 'udp', role: 'udp', local: this.local, remote: this.connectedTo },
    };
  }

  // ---------------------------------------------------------------------------------------------
  // bind / close

  /** Resolves once bound or failed; a failure leaves the endpoint `closed` with its `error`. */
  async bind(): Promise<void> {
    const req = this.request;
    let port = typeof req.port === 'number' ? req.port : 0;
    let target = formatHostPort(stripBrackets(req.bindAddress), port);
    try {
      const resolvedPort = await resolveUdpPort(req.port, this.timeline);
      port = resolvedPort.port;
      this.portNote = resolvedPort.note;
      target = formatHostPort(stripBrackets(req.bindAddress), port);
      const addr = await resolveUdpHost(req.bindAddress, req.type ?? null, req.ipv6Only ?? false, this.timeline);
      if (this.state !== 'binding') return;
      this.type = addr.type;
      target = formatHostPort(addr.address, port);
      const ipv6Only = this.type === 'udp6' && (req.ipv6Only ?? false);
      const socket = dgram.createSocket({ type: this.type, reuseAddr: req.reuseAddr ?? false, ipv6Only });
      this.socket = socket;
      socket.on('error', guarded(this.onFault, 'socket error', (err: Error) => this.onSocketError(err, port, target)));
      socket.on('message', guarded(this.onFault, 'recvfrom', (msg: Buffer, rinfo: dgram.RemoteInfo) => this.onMessage(msg, rinfo)));
      this.timeline.add(`socket(${afOf(this.type)}, SOCK_DGRAM)`);
      if (req.reuseAddr) this.timeline.add('setsockopt(SO_REUSEADDR, 1)');
      if (ipv6Only) this.timeline.add('setsockopt(IPV6_V6ONLY, 1)');
      await new Promise<void>((resolve) => {
        this.settleBind = resolve;
        socket.once('listening', () => {
          this.settleBind = null;
          this.bound(socket, target);
          resolve();
        });
        try {
          socket.bind({ port, address: addr.address });
        } catch (err) {
          // ERR_SOCKET_BAD_PORT and friends are thrown synchronously.
          this.settleBind = null;
          void this.bindFailed(err, port, target).then(resolve);
        }
      });
    } catch (err) {
      await this.bindFailed(err, port, target);
    }
  }

  private bound(socket: dgram.Socket, target: string): void {
    if (this.state !== 'binding') return;
    const a = socket.address();
    this.local = { kind: 'inet', host: a.address, port: a.port, family: a.family === 'IPv6' ? 'IPv6' : 'IPv4' };
    this.state = 'bound';
    const local = formatHostPort(a.address, a.port);
    this.timeline.add(`bind(${target})`, local === target ? 'ok' : `ok: bound to ${local}`);
    this.askReceiveBuffer(socket);
    this.untick = this.engine.everySecond(guarded(this.onFault, 'the endpoint clock', () => this.tick()));
    this.changed();
  }

  /**
   * A large receive buffer: the kernel queues a burst while the engine is busy for a moment (a
   * batch to the UI, a garbage collection). With the default (208 KiB on Linux, ≈ 270 small
   * datagrams, a few milliseconds at 50,000 datagrams a second) a busy moment lost thousands.
   * The kernel may grant less than asked (Linux: net.core.rmem_max) — the timeline says what it did.
   */
  private askReceiveBuffer(socket: dgram.Socket): void {
    const asked = this.request.receiveBufferBytes ?? LIMITS.udpReceiveBuffer.default;
    const call = `setsockopt(SO_RCVBUF, ${asked})`;
    try {
      socket.setRecvBufferSize(asked);
    } catch (err) {
      // macOS refuses more than kern.ipc.maxsockbuf outright (ENOBUFS) instead of capping.
      this.timeline.add(call, `${errorCodeOf(err) ?? 'refused'}: the system's default of ${safeRecvBufferSize(socket)} bytes stays`, false);
      return;
    }
    const got = safeRecvBufferSize(socket);
    this.timeline.add(call, got >= asked ? `ok: ${got} bytes` : `ok, but the system granted ${got} bytes (raise net.core.rmem_max for more)`);
  }

  private async bindFailed(err: unknown, port: number, target: string): Promise<void> {
    if (this.state !== 'binding') return;
    let holder: string | null = null;
    // Answers within PORT_HOLDER_TIMEOUT_MS (system-sockets-service.ts) and never rejects.
    if (errorCodeOf(err) === 'EADDRINUSE') holder = await this.engine.portHolder(port, 'udp').catch(() => null);
    if (this.state !== 'binding') return;
    const socket = this.socket;
    // Failures before the socket existed (service name, address) are already in the timeline.
    this.error = explainError(err, { ...(socket ? { syscall: 'bind' } : {}), target, port, ...(holder ? { holder } : {}) });
    if (socket) this.timeline.add(`bind(${target})`, this.error.code, false);
    this.state = 'closed';
    this.socket = null;
    if (socket) await closeQuietly(socket);
    this.changed();
  }

  /**
   * Binds again with the same request after a failed bind (a port taken when a session was
   * restored…): same id, same workspace. Only an endpoint that never bound and was not closed.
   */
  async retry(): Promise<void> {
    if (this.engine.isShuttingDown) throw invalidState('the engine is shutting down');
    if (this.state !== 'closed' || this.local !== null || this.closing) {
      throw invalidState(`UDP endpoint ${this.id} did not fail to bind: only an endpoint that failed to bind can be retried`);
    }
    this.state = 'binding';
    this.error = null;
    this.changed();
    await this.bind();
  }

  close(): Promise<void> {
    this.closing ??= this.closeNow();
    return this.closing;
  }

  private async closeNow(): Promise<void> {
    this.repeater?.stop();
    for (const t of this.ruleTimers) clearTimeout(t);
    this.ruleTimers.clear();
    this.untick?.();
    this.untick = null;
    const wasOpen = this.socket !== null;
    this.state = 'closed';
    this.settleBind?.();
    this.settleBind = null;
    // The socket's kernel counters vanish with it: read them one last time.
    await this.kernelDrops.settled();
    await this.checkKernelDrops();
    const socket = this.socket;
    this.socket = null;
    if (socket) await closeQuietly(socket);
    this.timeline.flush(true);
    this.budget.report(this.timeline);
    if (wasOpen) this.timeline.add('close()');
    this.connectedTo = null;
    this.options.socketClosed();
    await this.engine.recordings.closed(this.id);
    this.changed();
  }

  rateSource(): RateSource {
    return { id: this.id, history: this.stats.history, inTotal: true };
  }

  // ---------------------------------------------------------------------------------------------
  // receiving

  private onMessage(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    if (this.state !== 'bound') return;
    const now = this.engine.clock.now();
    this.stats.received(msg.length);
    if (!this.budget.keep(now, msg.length)) {
      this.stats.dropped++;
      this.engine.recordings.droppedDatagram(this.id, msg.length);
      this.changed();
      return;
    }
    const peer: InetAddress = { kind: 'inet', host: rinfo.address, port: rinfo.port, family: rinfo.family };
    this.engine.hub.traffic(this.id, this.log.append('in', msg, now, peer));
    this.timeline.frequent('recvfrom', 'recvfrom()', () => `${formatHostPort(rinfo.address, rinfo.port)}, ${msg.length} bytes`, msg.length);
    if (this.rules?.book.active) this.answerByRules(this.rules, msg, peer);
    else {
      const reply = udpReply(this.behaviour, msg);
      if (reply) this.answer(reply, peer);
    }
    this.changed();
  }

  private answerByRules(rules: UdpRules, msg: Buffer, peer: InetAddress): void {
    const a = rules.answer(msg);
    if (a.kind === 'skipped') {
      this.timeline.frequent('rules:skipped', 'rules', `not answered: ${a.why}`, msg.length, false);
      return;
    }
    if (a.kind === 'none') return;
    if (a.delayMs === 0) {
      this.answer(a.bytes, peer);
      return;
    }
    rules.delayStarted();
    const timer = setTimeout(
      guarded(this.onFault, 'a delayed rule reply', () => {
        this.ruleTimers.delete(timer);
        rules.delayEnded();
        if (this.state === 'bound') this.answer(a.bytes, peer);
      }),
      a.delayMs,
    );
    this.ruleTimers.add(timer);
  }

  private compileRules(rules: RuleSet): UdpRules {
    return UdpRules.compile(rules, () => this.changed());
  }

  /** A behaviour's reply to one datagram: never queued past the send-queue bound. */
  private answer(reply: Uint8Array, peer: InetAddress): void {
    if (this.sendQueueFull()) {
      this.stats.dropped++;
      this.budget.replyDropped(reply.length);
      return;
    }
    const dest = this.connectedTo ? null : { address: peer.host, port: peer.port, family: peer.family };
    this.transmit(Buffer.from(reply.buffer, reply.byteOffset, reply.length), dest).catch((err: unknown) => {
      if (this.state === 'bound') this.setError(err, { syscall: 'sendto', target: formatHostPort(peer.host, peer.port) });
    });
  }

  private onSocketError(err: Error, port: number, target: string): void {
    if (this.state === 'binding') {
      const settle = this.settleBind;
      this.settleBind = null;
      void this.bindFailed(err, port, target).then(() => settle?.());
      return;
    }
    if (this.state !== 'bound') return;
    // On a connected socket an ICMP port-unreachable comes back as ECONNREFUSED on the next recv.
    const peer = this.connectedTo ? formatHostPort(this.connectedTo.host, this.connectedTo.port) : undefined;
    const syscall = (err as NodeJS.ErrnoException).syscall ?? 'recvmsg';
    const call = syscall === 'recvmsg' ? 'recvfrom' : syscall;
    this.timeline.frequent(`${call}:error`, `${call}()`, errorCodeOf(err), 0, false);
    this.setError(err, { syscall, ...(peer ? { target: peer } : {}) });
    // A refused peer will refuse the rest of a repeat too: stop it, the way a failed send does.
    this.repeater?.fail(err);
  }

  private tick(): void {
    // Datagrams arrived, so the receive buffer may have overflowed: ask the kernel (Linux).
    void this.checkKernelDrops();
    const rates = this.stats.tick();
    const summaries = this.timeline.flush();
    const drops = this.budget.report(this.timeline);
    if (rates || summaries || drops) this.changed();
  }

  /** Asks the kernel for this socket's drop counter (Linux), when datagrams arrived since last time. */
  private checkKernelDrops(): Promise<void> {
    const local = this.local;
    if (!local || local.kind !== 'inet' || this.stats.chunksIn === this.chunksInAtLastCheck) return Promise.resolve();
    this.chunksInAtLastCheck = this.stats.chunksIn;
    return this.kernelDrops.check(local);
  }

  // ---------------------------------------------------------------------------------------------
  // sending

  /** One udp:send: exactly one datagram to `host:port`, or to the connected peer. */
  async send(host: string | undefined, portSpec: PortSpec | undefined, data: Buffer): Promise<{ bytes: number; to: string }> {
    this.requireBound();
    const dest = await this.destination(host, portSpec);
    this.requireBound();
    const to = this.describe(dest);
    this.checkOutgoing(data, dest, to);
    if (this.sendQueueFull()) {
      this.fail(engineError('ESENDQUEUE', 'send queue full'), { syscall: 'sendto', target: to }, `sendto(${to}, ${data.length} bytes)`);
    }
    try {
      await this.transmit(data, dest);
    } catch (err) {
      this.fail(err, { syscall: dest ? 'sendto' : 'send', target: to });
    }
    if (host !== undefined && portSpec !== undefined) this.rememberHost(host, portSpec);
    this.clearError();
    return { bytes: data.length, to };
  }

  /** udp:repeat: the same datagram `count` times, `intervalMs` apart; progress in `repeating`. */
  async repeat(host: string | undefined, portSpec: PortSpec | undefined, data: Buffer, count: number, intervalMs: number): Promise<void> {
    this.requireBound();
    if (this.repeater) throw invalidState('a repeat is already running on this endpoint: stop it first');
    const dest = await this.destination(host, portSpec);
    this.requireBound();
    if (this.repeater) throw invalidState('a repeat is already running on this endpoint: stop it first');
    const to = this.describe(dest);
    this.checkOutgoing(data, dest, to);
    this.clearError();
    const every = intervalMs === 0 ? 'back to back' : `every ${fmt(intervalMs)} ms`;
    this.timeline.add(`repeat ${fmt(count)} × ${dest ? `sendto(${to}` : `send(`}, ${data.length} bytes), ${every}`, 'started');
    const repeater = new RepeatSender({
      total: count,
      intervalMs,
      sendOne: () => this.transmit(data, dest),
      canSend: () => !this.sendQueueFull(),
      onProgress: guarded(this.onFault, 'repeat', () => this.changed()),
      onEnd: guarded(this.onFault, 'repeat', (end: RepeatEnd) => this.repeatEnded(repeater, end, to)),
    });
    this.repeater = repeater;
    repeater.start();
    if (host !== undefined && portSpec !== undefined) this.rememberHost(host, portSpec);
    this.changed();
  }

  stopRepeat(): void {
    if (!this.repeater) throw invalidState('no repeat is running on this endpoint');
    this.repeater.stop();
  }

  private repeatEnded(repeater: RepeatSender, end: RepeatEnd, to: string): void {
    if (this.repeater === repeater) this.repeater = null;
    const progress = `${fmt(end.sent)} of ${fmt(end.total)} sent`;
    if (end.reason === 'failed') {
      this.timeline.add('repeat', `stopped by ${errorCodeOf(end.error)} after ${progress}`, false);
      // An ECONNREFUSED from the socket's error event is already the alert.
      if (this.state === 'bound' && this.error?.code !== errorCodeOf(end.error)) {
        this.setError(end.error, { syscall: 'sendto', target: to });
      }
    } else {
      this.timeline.add('repeat', end.reason === 'done' ? `done: ${progress}` : `stopped: ${progress}`);
    }
    this.changed();
  }

  /**
   * Sends one datagram and records it once the kernel took it. Rejects with the raw error; the
   * caller decides whether it becomes the endpoint's alert.
   */
  private transmit(data: Buffer, dest: Destination | null): Promise<void> {
    const socket = this.socket;
    const call = dest ? `sendto(${formatHostPort(dest.address, dest.port)}, ${data.length} bytes)` : `send(${data.length} bytes)`;
    if (!socket || this.state !== 'bound') return Promise.reject(engineError('ERR_SOCKET_CLOSED', 'the socket is closed'));
    return new Promise<void>((resolve, reject) => {
      const done = (err: Error | null) => {
        if (err) {
          if (this.state === 'bound') this.timeline.add(call, errorCodeOf(err), false);
          reject(err);
          return;
        }
        this.sent(data, dest, call);
        resolve();
      };
      try {
        if (dest) socket.send(data, dest.port, dest.address, done);
        else socket.send(data, done);
      } catch (err) {
        // ERR_SOCKET_BAD_PORT (port 0), ERR_SOCKET_DGRAM_NOT_CONNECTED… are thrown synchronously.
        this.timeline.add(call, errorCodeOf(err), false);
        reject(err);
      }
    });
  }

  private sent(data: Buffer, dest: Destination | null, call: string): void {
    this.stats.sent(data.length);
    const peer: InetAddress | null = dest
      ? { kind: 'inet', host: dest.address, port: dest.port, family: dest.family }
      : this.connectedTo;
    this.engine.hub.traffic(this.id, this.log.append('out', data, this.engine.clock.now(), peer));
    this.timeline.frequent(dest ? 'sendto' : 'send', call, 'ok', data.length);
    this.changed();
  }

  /** Where a send goes: null means "the connected peer". */
  private async destination(host: string | undefined, portSpec: PortSpec | undefined): Promise<Destination | null> {
    if (host === undefined && portSpec === undefined) {
      if (this.connectedTo) return null;
      this.fail(engineError('ERR_SOCKET_DGRAM_NOT_CONNECTED', 'no destination'), { syscall: 'sendto' });
    }
    if (host === undefined || portSpec === undefined) {
      const path = host === undefined ? 'host' : 'port';
      throw new CommandError('VALIDATION', 'give both a remote host and a remote port', [{ path, message: 'required with the other' }]);
    }
    const dest = await this.resolveDestination(host, portSpec);
    const c = this.connectedTo;
    if (c) {
      if (c.host === dest.address && c.port === dest.port) return null;
      this.fail(engineError('ERR_SOCKET_DGRAM_IS_CONNECTED', 'connected'), { syscall: 'sendto', target: this.describe(dest) });
    }
    return dest;
  }

  private async resolveDestination(typedHost: string, portSpec: PortSpec): Promise<Destination> {
    let port: number;
    try {
      port = (await resolveUdpPort(portSpec, this.timeline)).port;
    } catch (err) {
      this.fail(err, { target: String(portSpec) });
    }
    try {
      const { address, family } = await resolveUdpHost(typedHost, this.type, this.request.ipv6Only ?? false, this.timeline);
      return { address, family, port };
    } catch (err) {
      this.fail(err, { target: stripBrackets(typedHost) });
    }
  }

  private checkOutgoing(data: Buffer, dest: Destination | null, to: string): void {
    const family = dest?.family ?? this.connectedTo?.family ?? (this.type === 'udp6' ? 'IPv6' : 'IPv4');
    const address = dest?.address ?? this.connectedTo?.host ?? '';
    const max = maxDatagramTo(address, family);
    if (data.length > max) {
      const e = engineError('EMSGSIZE', `a datagram of ${data.length} bytes is over the ${max}-byte limit`);
      this.fail(e, { syscall: 'sendto', target: to }, `${dest ? `sendto(${to}` : 'send('}, ${fmt(data.length)} bytes)`);
    }
  }

  private sendQueueFull(): boolean {
    const s = this.socket;
    if (!s) return false;
    const q = this.limits.sendQueue;
    return s.getSendQueueSize() >= q.bytes || s.getSendQueueCount() >= q.datagrams;
  }

  private describe(dest: Destination | null): string {
    if (dest) return formatHostPort(dest.address, dest.port);
    return this.connectedTo ? formatHostPort(this.connectedTo.host, this.connectedTo.port) : '(not connected)';
  }

  private rememberHost(host: string, port: PortSpec): void {
    const entry = formatHostPort(stripBrackets(host), port as number);
    this.engine.recentHosts.add('udp', entry);
  }

  // ---------------------------------------------------------------------------------------------
  // connect, options, multicast

  async connect(host: string, portSpec: PortSpec): Promise<void> {
    this.requireBound();
    const dest = await this.resolveDestination(host, portSpec);
    const socket = this.requireBound();
    const target = formatHostPort(dest.address, dest.port);
    this.stopRepeatFor('the destination changed');
    if (this.connectedTo) this.dropPeer(socket);
    try {
      await new Promise<void>((resolve, reject) => {
        try {
          socket.connect(dest.port, dest.address, (err?: Error) => (err ? reject(err) : resolve()));
        } catch (err) {
          reject(err);
        }
      });
    } catch (err) {
      this.fail(err, { syscall: 'connect', target }, `connect(${target})`);
    }
    const r = socket.remoteAddress();
    this.connectedTo = { kind: 'inet', host: r.address, port: r.port, family: r.family === 'IPv6' ? 'IPv6' : 'IPv4' };
    this.timeline.add(`connect(${target})`);
    this.rememberHost(host, portSpec);
    this.clearError();
  }

  disconnect(): void {
    const socket = this.requireBound();
    if (!this.connectedTo) throw invalidState('this UDP socket is not connected');
    this.stopRepeatFor('the destination changed');
    this.dropPeer(socket);
    this.changed();
  }

  /** connect(AF_UNSPEC): the BSD way to forget a UDP socket's peer. */
  private dropPeer(socket: dgram.Socket): void {
    try {
      socket.disconnect();
      this.timeline.add('connect(AF_UNSPEC)', 'ok: peer forgotten');
    } catch (err) {
      this.timeline.add('connect(AF_UNSPEC)', errorCodeOf(err), false);
    }
    this.connectedTo = null;
  }

  private stopRepeatFor(why: string): void {
    if (!this.repeater) return;
    this.timeline.add('repeat', `stopping: ${why}`);
    this.repeater.stop();
  }

  configure(o: OptionChanges & { behaviour?: Behaviour; rules?: RuleSet }): void {
    // Validate everything before changing anything.
    const behaviour = o.behaviour ? compileUdpBehaviour(o.behaviour) : null;
    const rules = o.rules ? this.compileRules(o.rules) : null;
    const socket = UdpSocketOptions.touchesSocket(o) ? this.requireBound() : null;
    if (behaviour) this.behaviour = behaviour;
    if (rules) this.rules = rules;
    if (socket) {
      this.options.apply(socket, this.type, o);
      this.clearError();
    }
    this.changed();
  }

  membership(action: 'join' | 'leave', group: string, iface: string | undefined): void {
    this.options.membership(this.requireBound(), action, group, iface);
    this.clearError();
    this.changed();
  }

  // ---------------------------------------------------------------------------------------------
  // state

  snapshot(): UdpSnapshot {
    const socket = this.socket;
    return {
      id: this.id,
      kind: 'udp',
      createdAt: this.createdAt,
      local: this.local,
      error: this.error,
      timeline: this.timeline.entries(),
      portNote: this.portNote,
      state: this.state,
      request: {
        bindAddress: this.request.bindAddress,
        port: this.request.port,
        type: this.type,
        reuseAddr: this.request.reuseAddr ?? false,
        ipv6Only: this.request.ipv6Only ?? false,
        ...(this.request.receiveBufferBytes !== undefined ? { receiveBufferBytes: this.request.receiveBufferBytes } : {}),
      },
      connectedTo: this.connectedTo,
      behaviour: this.behaviour.source,
      ...(this.rules ? { rules: this.rules.book.source, ruleHits: this.rules.book.hitCounts() } : {}),
      ...this.options.snapshot(),
      repeating: this.repeater ? { sent: this.repeater.sent, total: this.repeater.total } : null,
      stats: { ...this.stats.snapshot(), queuedOut: socket && this.state === 'bound' ? socket.getSendQueueSize() : 0 },
      notKept: this.log.notKeptSnapshot(),
      recording: this.engine.recordings.info(this.id),
    };
  }

  private requireBound(): dgram.Socket {
    if (this.state !== 'bound' || !this.socket) {
      throw invalidState(`UDP endpoint ${this.id} is ${this.state === 'closed' ? 'closed' : 'not bound yet'}`);
    }
    return this.socket;
  }

  private setError(err: unknown, ctx: ErrorContext): ErrorInfo {
    this.error = explainError(err, { ...ctx, transport: 'udp' });
    this.changed();
    return this.error;
  }

  private clearError(): void {
    if (this.error && this.state === 'bound') {
      this.error = null;
      this.changed();
    }
  }

  /**
   * The failure becomes the workspace's alert (the endpoint's `error`, with its timeline entry
   * when `call` is given) and the command's answer.
   */
  private fail(err: unknown, ctx: ErrorContext, call?: string): never {
    const info = this.setError(err, ctx);
    if (call) this.timeline.add(call, info.code, false);
    throw new CommandError('INVALID_STATE', `${info.code}: ${info.message}`);
  }

  /** Coalesced: one endpoint:changed per turn of the event loop, however many datagrams came. */
  private changed(): void {
    if (this.changePending) return;
    this.changePending = true;
    setImmediate(this.announce);
  }

  faulted(where: string, err: unknown): void {
    this.error = { code: 'INTERNAL', message: internalErrorMessage(where, err) };
    this.changed();
    void this.close();
  }
}

function parseLiteralFamily(typed: string): Family | null {
  try {
    return parseAddressLiteral(typed)?.family ?? null;
  } catch {
    return 'IPv6'; // an IPv6 literal with an unknown zone: bind() will explain it
  }
}

function closeQuietly(socket: dgram.Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve(); // already closed
    }
  });
}

/** The receive buffer the kernel reports (Linux: twice what was granted, as getsockopt says), or 0. */
function safeRecvBufferSize(socket: dgram.Socket): number {
  try {
    return socket.getRecvBufferSize();
  } catch {
    return 0;
  }
}
