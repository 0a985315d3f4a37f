import type { Server } from 'node:http';
import type { Socket } from 'node:net';

export interface ConnectionLimits {
  /** Connections not (yet) an authenticated WebSocket: page loads, refused upgrades, half-open probes. */
  maxPendingConnections: number;
  /** Authenticated WebSocket sessions (browser tabs). */
  maxSessions: number;
}

const WARN_EVERY_MS = 10_000;

/**
 * Keeps any local process from taking the host's file descriptors (which the engine needs for its
 * own sockets): at most `maxPendingConnections` unauthenticated connections — beyond that the
 * oldest one not in the middle of a response is closed (a flood evicts itself, a fresh browser
 * connection still gets in) — and at most `maxSessions` authenticated WebSocket sessions.
 */
export class ConnectionGuard {
  /** Insertion order is age: the first entry is the oldest connection. */
  private readonly pending = new Set<Socket>();
  private readonly responding = new Set<Socket>();
  private sessions = 0;
  private lastEvictionLog = 0;

  constructor(
    server: Server,
    private readonly limits: ConnectionLimits,
    private readonly log: (line: string) => void,
  ) {
    server.on('connection', (socket: Socket) => this.admit(socket));
    server.on('request', (req, res) => {
      const socket = req.socket;
      this.responding.add(socket);
      res.once('close', () => this.responding.delete(socket));
    });
  }

  private admit(socket: Socket): void {
    this.pending.add(socket);
    socket.once('close', () => {
      this.pending.delete(socket);
      this.responding.delete(socket);
    });
    if (this.pending.size > this.limits.maxPendingConnections) this.evictOldest();
  }

  private evictOldest(): void {
    let victim: Socket | undefined;
    for (const s of this.pending) {
      victim ??= s;
      if (!this.responding.has(s)) {
        victim = s;
        break;
      }
    }
    if (!victim) return;
    this.pending.delete(victim);
    victim.destroy();
    // At most one line per WARN_EVERY_MS: a flood must not turn into a flood of log lines.
    const now = Date.now();
    if (now - this.lastEvictionLog < WARN_EVERY_MS) return;
    this.lastEvictionLog = now;
    this.log(`sockscope web: more than ${this.limits.maxPendingConnections} unauthenticated connections; closing the oldest`);
  }

  /**
   * Claims a session slot for an authenticated upgrade on `socket`; false when all are taken.
   * The socket no longer counts as pending; the slot is given back when it closes.
   */
  claimSession(socket: Socket): boolean {
    if (this.sessions >= this.limits.maxSessions) {
      this.log(`sockscope web: refused a WebSocket session: ${this.limits.maxSessions} are open already`);
      return false;
    }
    this.sessions++;
    this.pending.delete(socket);
    socket.once('close', () => this.sessions--);
    return true;
  }
}
