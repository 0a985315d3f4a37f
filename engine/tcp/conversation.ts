/**
 * One TCP (or Unix stream) byte stream — a connection's own socket or a client accepted by a
 * listener — wrapped as a ManagedConversation: counters, a bounded traffic log, the half-close
 * state machine (established → peer-closed / local-closed → closed), who closed first, and sends
 * that respect backpressure instead of queueing without bound.
 */
import type { Socket } from 'node:net';
import type { ErrorInfo } from '../../shared/errors';
import type { ClosedBy, ConversationSnapshot, ConversationState } from '../../shared/endpoints';
import { formatSockAddr, type SockAddr } from '../../shared/primitives';
import { invalidState } from '../command-error';
import type { Engine, ManagedConversation } from '../engine';
import { errorCodeOf, explainError } from '../errors/explain-error';
import { guarded, type FaultHandler } from '../fault-barrier';
import type { RecordingMeta } from '../recording/recorder';
import type { RateSource } from '../traffic/rate-sampler';
import { StatsCounter } from '../traffic/stats-counter';
import { TrafficLog } from '../traffic/traffic-log';
import { BehaviourRunner, type BehaviourActions, type CompiledBehaviour } from './behaviours';
import type { Timeline } from './timeline';

/**
 * Past this many bytes waiting in Node's write queue, a send is refused: the peer is not reading,
 * and queueing more would only grow memory. (A single message may itself be up to LIMITS.messageBytes.)
 */
export const SEND_BUFFER_LIMIT = 8 * 1024 * 1024;

/** What a conversation reports to the endpoint that owns it. */
export interface ConversationHost {
  readonly engine: Engine;
  readonly endpointId: string;
  readonly timeline: Timeline;
  /** Server behaviour, read on every chunk so a change applies live; absent for a connection. */
  readonly behaviour?: () => CompiledBehaviour;
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

export class TcpConversation implements ManagedConversation {
  readonly id: string;
  readonly endpointId: string;
  readonly role: 'client' | 'accepted';
  readonly socket: Socket;
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
  private readonly runner: BehaviourRunner | null;
  private readonly tag: string;
  private readonly unix: boolean;
  private readonly closeWaiters: (() => void)[] = [];
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
  };

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
    this.traffic = new TrafficLog(host.engine.ringBytes);
    this.connectedAt = host.engine.clock.now();
    this.runner = host.behaviour ? new BehaviourRunner(host.behaviour) : null;
    host.engine.connectionOpened();

    const s = this.socket;
    const guard = <A extends unknown[]>(where: string, fn: (...args: A) => void) => guarded(host.onFault, `${this.id} ${where}`, fn);
    s.on('data', guard('recv', (buf: Buffer) => this.onData(buf)));
    s.on('end', guard('end of stream', () => this.onPeerEnd()));
    s.on('finish', guard('shutdown', () => this.onShutdownDone()));
    s.on('error', guard('socket error', (err: Error) => this.onError(err)));
    s.on('close', guard('close', () => this.onClose()));
    s.on('drain', guard('drain', () => this.onDrain()));
    this.untick = host.engine.everySecond(guard('clock', () => this.tick()));
    if (s.destroyed) queueMicrotask(guard('close', () => this.onClose()));
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
      notKept: { ...this.traffic.notKept },
      error: this.error,
      recording: this.host.engine.recordings.info(this.id),
    };
  }

  rateSource(): RateSource {
    // A listener's clients are already in the listener's own total.
    return { id: this.id, history: this.stats.history, inTotal: this.role === 'client' };
  }

  recordingMeta(): RecordingMeta | null {
    if (this.socketClosed) return null;
    return { conversationId: this.id, endpointId: this.endpointId, kind: this.unix ? 'unix' : 'tcp', role: this.role, local: this.local, remote: this.remote };
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
      this.socket.once('finish', guarded(this.host.onFault, `${this.id} reset`, () => void this.socket.resetAndDestroy()));
    } else {
      this.socket.resetAndDestroy();
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
    const chunk = this.traffic.append('in', buf, this.host.engine.clock.now());
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
    this.stats.queuedOut = 0;
    this.setState('closed');
    void this.host.engine.recordings.closed(this.id);
    this.host.onClosed?.(this);
    for (const w of this.closeWaiters.splice(0)) w();
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
