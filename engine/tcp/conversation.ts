/**
 * One TCP (or Unix stream) byte stream — a connection's own socket or a client accepted by a
 * listener — wrapped as a StreamConversation: counters, a bounded traffic log, the half-close
 * state machine (established → peer-closed / local-closed → closed), who closed first, and sends
 * that respect backpressure instead of queueing without bound.
 */
import type { Socket } from 'node:net';
import type { ErrorInfo } from '../../shared/errors';
import type { ClosedBy, ConversationSnapshot, ConversationState } from '../../shared/endpoints';
import { formatSockAddr, type SockAddr } from '../../shared/primitives';
import { invalidState } from '../command-error';
import type { StreamConversation, TcpContext } from '../contexts';
import { errorCodeOf, explainError } from '../errors/explain-error';
import { guarded, type FaultHandler } from '../fault-barrier';
import type { RecordingMeta } from '../recording/recorder';
import type { RuleBook } from '../rules/rule-book';
import type { RateSource } from '../traffic/rate-sampler';
import { StatsCounter } from '../traffic/stats-counter';
import { TrafficLog } from '../traffic/traffic-log';
import { secureClient, TlsHandshakeError, type SecuredSocket } from '../tls/tls-client';
import type { TlsClientOptions } from '../../shared/tls';
import { BehaviourRunner, type BehaviourActions, type CompiledBehaviour, type ConversationServer } from './behaviours';
import type { Timeline } from './timeline';

/**
 * Past this many bytes waiting in Node's write queue, a send is refused: the peer is not reading,
 * and queueing more would only grow memory. (A single message may itself be up to LIMITS.messageBytes.)
 */
export const SEND_BUFFER_LIMIT = 8 * 1024 * 1024;

/** What a conversation reports to the endpoint that owns it. */
export interface ConversationHost {
  readonly engine: TcpContext;
  readonly endpointId: string;
  readonly timeline: Timeline;
  /** Server behaviour, read on every chunk so a change applies live; absent for a connection. */
  readonly behaviour?: () => CompiledBehaviour;
  /** The endpoint's rules (engine/rules/), read per frame so an edit applies to what arrives next. */
  readonly rules?: () => RuleBook | null;
  /** A server other than the behaviour for this conversation (an exec listener's process), if any. */
  readonly server?: (c: { id: string; local: SockAddr | null; remote: SockAddr | null }) => ConversationServer | null;
  /** Bytes through this conversation, for the endpoint's own totals. */
  onTraffic?(dir: 'in' | 'out', bytes: number): void;
  /** Anything in the conversation's snapshot changed (`counters`: only its byte counts). */
  onChanged?(counters: boolean): void;
  onClosed?(conversation: TcpConversation): void;
  /** Where a bug thrown from this socket's callbacks goes (fails the owning endpoint). */
  readonly onFault: FaultHandler;
}

export interface ConversationInit {
  id: string;
  role: 'client' | 'accepted';
  socket: Socket;
  local: SockAddr | null;
  remote: SockAddr | null;
  /** Timeline calls about this socket are prefixed with it when the timeline is shared (a listener's clients). */
  tag?: string;
  unix?: boolean;
  /** A TLS stream: `socket` is the TLS socket (plaintext), `wire` the TCP socket under it. */
  tls?: SecuredSocket;
  wire?: Socket;
}

export function inetSockAddr(address: string | undefined, port: number | undefined, family?: string): SockAddr | null {
  if (!address || port === undefined) return null;
  return { kind: 'inet', host: address, port, family: family === 'IPv6' || address.includes(':') ? 'IPv6' : 'IPv4' };
}

/** The BSD call behind a libuv syscall name in an error. */
export function bsdCall(syscall: string | undefined): string {
  switch (syscall) {
    case 'read':
      return 'recv()';
    case 'write':
    case 'writev':
      return 'send()';
    case 'shutdown':
      return 'shutdown(SHUT_WR)';
    case undefined:
    case '':
      return 'socket error';
    default:
      return `${syscall}()`;
  }
}

export class TcpConversation implements StreamConversation {
  readonly kind = 'stream';
  readonly id: string;
  readonly endpointId: string;
  readonly role: 'client' | 'accepted';
  /** The stream the bytes go through: the TCP socket, or the TLS socket on it once TLS is spoken. */
  socket: Socket;
  readonly traffic: TrafficLog;
  readonly stats = new StatsCounter();
  readonly local: SockAddr | null;
  readonly remote: SockAddr | null;
  readonly connectedAt: number;
  private state: ConversationState = 'established';
  private closedAt: number | null = null;
  private firstToClose: ClosedBy | null = null;
  private error: ErrorInfo | null = null;
  private peerEnded = false;
  private localEnded = false;
  private socketClosed = false;
  private resetSent = false;
  private untick: (() => void) | null;
  private readonly runner: ConversationServer | null;
  private readonly tag: string;
  private readonly unix: boolean;
  private readonly closeWaiters: (() => void)[] = [];
  private tls: SecuredSocket | null;
  /** The TCP socket itself: the TLS socket's own for TLS (RST and wire counters are its). */
  private wire: Socket;
  /** Takes our stream listeners (data, end, finish, drain) off the current socket: STARTTLS moves them. */
  private detachStream: () => void = () => {};
  private upgrading = false;
  private readonly actions: BehaviourActions = {
    send: (bytes) => {
      if (this.canSend) this.write(bytes);
    },
    shutdown: () => {
      if (!this.localEnded && !this.socketClosed) this.shutdown();
    },
    writable: () => this.canSend && !this.socket.writableNeedDrain && this.socket.writableLength < SEND_BUFFER_LIMIT,
    pauseReading: () => this.socket.pause(),
    resumeReading: () => this.socket.resume(),
    reset: () => {
      // Right after a write, Node's resetAndDestroy() sends FIN instead of RST (seen on Node 20):
      // let the write complete first, one turn of the loop.
      setImmediate(
        guarded(this.host.onFault, `${this.id} rule abort`, () => {
          if (!this.socketClosed) this.reset();
        }),
      );
    },
    schedule: (ms, fn) => this.schedule(ms, fn),
    timeline: (call, result, ok) => this.host.timeline.add(`${this.tag}${call}`, result, ok),
    changed: () => this.changed(),
  };
  /** Timers a rule set running here asked for; cleared when the socket closes. */
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    init: ConversationInit,
    private readonly host: ConversationHost,
  ) {
    this.id = init.id;
    this.endpointId = host.endpointId;
    this.role = init.role;
    this.socket = init.socket;
    this.local = init.local;
    this.remote = init.remote;
    this.tag = init.tag ? `[${init.tag}] ` : '';
    this.unix = init.unix ?? false;
    this.tls = init.tls ?? null;
    this.wire = init.wire ?? init.socket;
    this.traffic = new TrafficLog(host.engine.ringBytes, undefined, host.engine.trafficMemory);
    this.connectedAt = host.engine.clock.now();
    this.runner =
      host.server?.({ id: init.id, local: init.local, remote: init.remote }) ?? (host.behaviour ? new BehaviourRunner(host.behaviour, host.rules) : null);
    host.engine.connectionOpened();

    const s = this.socket;
    const guard = this.guard;
    this.detachStream = this.attachStream(s);
    s.on('error', guard('socket error', (err: Error) => this.onError(err)));
    s.on('close', guard('close', () => this.onClose()));
    this.untick = host.engine.everySecond(guard('clock', () => this.tick()));
    if (s.destroyed) queueMicrotask(guard('close', () => this.onClose()));
  }

  private readonly guard = <A extends unknown[]>(where: string, fn: (...args: A) => void) => guarded(this.host.onFault, `${this.id} ${where}`, fn);

  /** The listeners that follow the byte stream (they move to the TLS socket on STARTTLS); returns their removal. */
  private attachStream(s: Socket): () => void {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- EventEmitter listeners take any arguments
    const on: Array<[string, (...args: any[]) => void]> = [
      ['data', this.guard('recv', (buf: Buffer) => this.onData(buf))],
      ['end', this.guard('end of stream', () => this.onPeerEnd())],
      ['finish', this.guard('shutdown', () => this.onShutdownDone())],
      ['drain', this.guard('drain', () => this.onDrain())],
    ];
    for (const [event, fn] of on) s.on(event, fn);
    return () => {
      for (const [event, fn] of on) s.off(event, fn);
    };
  }

  /**
   * STARTTLS: the plain conversation goes on in TLS, as SMTP, IMAP, POP3, FTP and XMPP do after
   * their upgrade command. Only with nothing left to send (the server's "go ahead" has been read),
   * and only once. While the handshake runs, received bytes belong to TLS, not to the log. The TCP
   * socket's error and close listeners stay: if the handshake fails, its TLS socket closes it and
   * the conversation ends as any other would, with the reason.
   */
  async startTls(hostName: string, options: TlsClientOptions): Promise<void> {
    if (this.tls) throw invalidState('this conversation already speaks TLS');
    if (this.upgrading) throw invalidState('a TLS handshake is already in progress');
    if (!this.canSend || this.peerEnded) throw invalidState('cannot start TLS: the conversation is not open both ways');
    if (this.socket.writableLength > 0) throw invalidState('cannot start TLS while bytes are still waiting to be sent');
    this.upgrading = true;
    const plain = this.socket;
    this.detachStream();
    const steps = { now: () => this.host.engine.clock.now(), note: (call: string, result: string, ok = true) => this.host.timeline.add(`${this.tag}${call}`, result, ok) };
    try {
      const secured = await secureClient(plain, hostName, options, steps);
      if (this.socketClosed) {
        secured.socket.destroy();
        return;
      }
      this.tls = secured;
      this.wire = plain;
      this.socket = secured.socket;
      this.detachStream = this.attachStream(secured.socket);
      secured.socket.on('error', this.guard('socket error', (err: Error) => this.onError(err)));
      this.changed();
    } catch (err) {
      this.error = err instanceof TlsHandshakeError ? { code: err.code, message: err.message, syscall: 'SSL_connect' } : explainError(err, {});
      this.changed();
      throw err;
    } finally {
      this.upgrading = false;
    }
  }

  /** Runs the server behaviour's on-accept step (the banner). Call once the engine knows this conversation. */
  start(): void {
    this.runner?.accepted(this.actions);
  }

  get currentState(): ConversationState {
    return this.state;
  }

  get isClosed(): boolean {
    return this.socketClosed;
  }

  /** Still possible to send: not closed, and our side not shut down. */
  get canSend(): boolean {
    return !this.socketClosed && !this.socket.destroyed && !this.localEnded && this.state !== 'closed';
  }

  get errorInfo(): ErrorInfo | null {
    return this.error;
  }

  snapshot(): ConversationSnapshot {
    return {
      id: this.id,
      endpointId: this.endpointId,
      role: this.role,
      state: this.state,
      local: this.local,
      remote: this.remote,
      connectedAt: this.connectedAt,
      closedAt: this.closedAt,
      firstToClose: this.firstToClose,
      stats: this.stats.snapshot(),
      notKept: this.traffic.notKeptSnapshot(),
      error: this.error,
      recording: this.host.engine.recordings.info(this.id),
      ...(this.tls ? { tls: this.tlsSnapshot(this.tls) } : {}),
      ...(this.runner?.execInfo ? { exec: this.runner.execInfo() } : {}),
    };
  }

  private tlsSnapshot(tls: SecuredSocket): NonNullable<ConversationSnapshot['tls']> {
    return { ...tls.info, wireBytesIn: this.wire.bytesRead, wireBytesOut: this.wire.bytesWritten, keyLogLines: tls.keyLog.lineCount };
  }

  /** The TLS secrets of this stream in the SSLKEYLOGFILE format; null for plain TCP. */
  keyLogText(): string | null {
    return this.tls ? this.tls.keyLog.text() : null;
  }

  note(call: string, result: string, ok: boolean): void {
    this.host.timeline.add(`${this.tag}${call}`, result, ok);
  }

  rateSource(): RateSource {
    // A listener's clients are already in the listener's own total.
    return { id: this.id, history: this.stats.history, inTotal: this.role === 'client' };
  }

  recordingMeta(): RecordingMeta | null {
    if (this.socketClosed) return null;
    return {
      conversationId: this.id,
      endpointId: this.endpointId,
      kind: this.unix ? 'unix' : 'tcp',
      role: this.role,
      local: this.local,
      remote: this.remote,
      ...(this.tls ? { tls: `${this.tls.info.version}, ${this.tls.info.cipher}` } : {}),
    };
  }

  send(bytes: Uint8Array): number {
    if (this.socketClosed || this.socket.destroyed || this.state === 'closed') throw invalidState('cannot send: the connection is closed');
    if (this.localEnded) throw invalidState('cannot send: our side is shut down (FIN sent with shutdown(SHUT_WR))');
    const queued = this.socket.writableLength;
    if (queued >= SEND_BUFFER_LIMIT) {
      throw invalidState(`send buffer full, peer is not reading (${queued} bytes waiting to be sent)`);
    }
    return this.write(bytes);
  }

  /**
   * RST on the TCP socket itself (a TLS socket's handle can't send one); the TLS socket on it is
   * destroyed with it. Never destroy the TLS socket too: on Node 20, destroying the TCP socket and
   * then its TLS socket in the same tick crashes the process (SIGSEGV; tls-client.test.ts shows it).
   */
  private resetWire(): void {
    this.wire.resetAndDestroy();
  }

  /** Graceful half-close: shutdown(SHUT_WR) once queued data is sent, i.e. socket.end(). */
  shutdown(): void {
    if (this.socketClosed || this.state === 'closed') throw invalidState('cannot shut down: the connection is closed');
    if (this.localEnded) return;
    this.localEnded = true;
    this.firstToClose ??= 'local';
    this.setState(this.peerEnded ? 'closed' : 'local-closed');
    this.socket.end();
  }

  /** Abort: SO_LINGER 0 then close(), so the kernel sends RST instead of FIN. */
  reset(): void {
    if (this.socketClosed) throw invalidState('cannot reset: the connection is already closed');
    if (this.unix) throw invalidState('a Unix domain socket has no RST: close it instead');
    this.firstToClose ??= 'local-reset';
    this.resetSent = true;
    this.host.timeline.add(`${this.tag}setsockopt(SO_LINGER, {on, 0})`);
    this.host.timeline.add(`${this.tag}close()`, 'ok, RST sent');
    if (this.localEnded && !this.socket.writableFinished) {
      // libuv refuses SO_LINGER 0 while our FIN is still queued (uv_tcp_close_reset: EINVAL), and
      // Node then never closes the socket: the RST goes as soon as the FIN is out.
      this.socket.once('finish', guarded(this.host.onFault, `${this.id} reset`, () => this.resetWire()));
    } else {
      this.resetWire();
    }
    this.setState('closed');
  }

  /** Full close (close(2)): used by "close all clients" and when the endpoint closes. */
  destroy(): Promise<void> {
    if (this.socketClosed) return Promise.resolve();
    this.firstToClose ??= 'local';
    const done = new Promise<void>((resolve) => this.closeWaiters.push(resolve));
    this.socket.destroy();
    return done;
  }

  private write(bytes: Uint8Array): number {
    if (bytes.length === 0) return 0;
    // write() returning false only means Node now buffers beyond its high-water mark: the bytes
    // are kept (queuedOut shows them) and send() refuses more once SEND_BUFFER_LIMIT is reached.
    this.socket.write(bytes);
    this.stats.sent(bytes.length);
    this.host.onTraffic?.('out', bytes.length);
    const chunk = this.traffic.append('out', bytes, this.host.engine.clock.now());
    this.host.engine.hub.traffic(this.id, chunk);
    this.stats.queuedOut = this.socket.writableLength;
    this.changed(true);
    return bytes.length;
  }

  private onData(buf: Buffer): void {
    this.stats.received(buf.length);
    this.host.onTraffic?.('in', buf.length);
    // Node allocated `buf` for this read alone: the log may copy it at the end of the turn.
    const chunk = this.traffic.appendRead('in', buf, this.host.engine.clock.now());
    this.host.engine.hub.traffic(this.id, chunk);
    this.changed(true);
    this.runner?.received(buf, this.actions);
  }

  private onPeerEnd(): void {
    this.peerEnded = true;
    this.firstToClose ??= 'peer';
    this.host.timeline.add(`${this.tag}recv()`, '0 (peer sent FIN)');
    this.setState(this.localEnded ? 'closed' : 'peer-closed');
    this.runner?.peerEnded(this.actions);
    // Both directions done: release the descriptor (Node usually does this itself).
    if (this.socket.writableFinished) this.socket.destroy();
  }

  private onShutdownDone(): void {
    this.host.timeline.add(`${this.tag}shutdown(SHUT_WR)`);
    if (this.peerEnded) this.socket.destroy();
  }

  private onDrain(): void {
    this.runner?.drained(this.actions);
    this.stats.queuedOut = this.socket.writableLength;
    this.changed(true);
  }

  private onError(err: Error): void {
    const code = errorCodeOf(err);
    const syscall = (err as NodeJS.ErrnoException).syscall;
    this.error = explainError(err, { target: this.remote ? formatSockAddr(this.remote) : undefined });
    this.firstToClose ??= code === 'ECONNRESET' ? 'peer-reset' : 'error';
    this.host.timeline.add(`${this.tag}${bsdCall(syscall)}`, code, false);
    this.changed();
  }

  private onClose(): void {
    if (this.socketClosed) return;
    this.socketClosed = true;
    this.host.engine.connectionClosed();
    if (!this.resetSent) this.host.timeline.add(`${this.tag}close()`);
    this.untick?.();
    this.untick = null;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.runner?.closed?.();
    this.stats.queuedOut = 0;
    this.setState('closed');
    void this.host.engine.recordings.closed(this.id);
    this.host.onClosed?.(this);
    for (const w of this.closeWaiters.splice(0)) w();
  }

  private schedule(ms: number, fn: () => void): void {
    if (this.socketClosed) return;
    const timer = setTimeout(
      guarded(this.host.onFault, `${this.id} rules`, () => {
        this.timers.delete(timer);
        if (!this.socketClosed) fn();
      }),
      ms,
    );
    this.timers.add(timer);
  }

  private tick(): void {
    let changed = this.stats.tick();
    const queued = this.socketClosed ? 0 : this.socket.writableLength;
    if (queued !== this.stats.queuedOut) {
      this.stats.queuedOut = queued;
      changed = true;
    }
    if (changed) this.changed(true);
  }

  private setState(next: ConversationState): void {
    if (next === 'closed' && this.closedAt === null) this.closedAt = this.host.engine.clock.now();
    this.state = next;
    this.changed();
  }

  private changed(counters = false): void {
    this.host.engine.conversationChanged(this, counters);
    this.host.onChanged?.(counters);
  }
}
