/**
 * The engine's "System sockets" service: one collector (so one `ss` at a time), its rows marked
 * with Sockscope's own endpoints and service names, who holds a port (to explain EADDRINUSE), and
 * optional reverse DNS. Created lazily by the Engine the first time anything asks.
 */
import type { ReverseDnsResult, SystemSocketRow, SystemSocketsRowView, SystemSocketsStatus, SystemSocketsView } from '../../shared/system-sockets';
import { visibleName } from '../../shared/visible-name';
import type { OwnSocketsContext } from '../contexts';
import { SystemSocketsCollector } from './collector';
import { canonicalAddress, markOwnRows, ownSocketsOf } from './ownership';
import { ReverseDnsCache, type ReverseDnsOptions } from './reverse-dns';
import { serviceNameForPort } from './services';

/** A request this soon after the last snapshot finished gets that snapshot (several windows polling). */
export const REUSE_SNAPSHOT_MS = 250;
/**
 * The one port-holder lookup policy: `portHolder` answers within this long and never rejects, and
 * callers add no timeout of their own. A TCP listener shows EADDRINUSE at once and names the holder
 * when this answers; a UDP bind waits for it (its command's answer carries the holder).
 */
export const PORT_HOLDER_TIMEOUT_MS = 2500;
/** Ports at or above this are ephemeral (client) ports on every OS we run on: no service name for them. */
const EPHEMERAL_FROM = 32_768;

export interface SystemSocketsServiceOptions {
  /** Builds the collector; tests inject one with a fake `run`. */
  createCollector?: (includeUnix: boolean) => SystemSocketsCollector;
  reverseDns?: ReverseDnsOptions;
  /** Our process id: Sockscope's sockets carry it. */
  pid?: number;
  platform?: NodeJS.Platform;
}

export class SystemSocketsService {
  private collector: SystemSocketsCollector | null = null;
  private collectorUnix = false;
  /** Refreshes running or queued, by kind (with Unix sockets or without). */
  private readonly pending = new Map<boolean, Promise<SystemSocketsStatus>>();
  /** The last refresh queued: the next one starts after it. */
  private tail: Promise<unknown> = Promise.resolve();
  private reverse: ReverseDnsCache | null = null;
  private readonly createCollector: (includeUnix: boolean) => SystemSocketsCollector;
  private readonly pid: number;
  private readonly platform: NodeJS.Platform;

  constructor(
    private readonly engine: OwnSocketsContext,
    private readonly options: SystemSocketsServiceOptions = {},
  ) {
    this.createCollector = options.createCollector ?? ((includeUnix) => new SystemSocketsCollector({ includeUnix }));
    this.pid = options.pid ?? process.pid;
    this.platform = options.platform ?? process.platform;
  }

  /** A fresh table (or the one just taken), rows marked. Never rejects: failures are `stale` + `error`. */
  async view(request: { includeUnix?: boolean } = {}): Promise<SystemSocketsView> {
    const includeUnix = request.includeUnix ?? false;
    const status = await this.refresh(includeUnix, REUSE_SNAPSHOT_MS);
    return this.toView(status);
  }

  /**
   * Who holds `port` according to a fresh snapshot: `socat (pid 4242)`, one of our own endpoints,
   * or null when the table does not say (or does not answer within PORT_HOLDER_TIMEOUT_MS).
   */
  async portHolder(port: number, proto: 'tcp' | 'udp'): Promise<string | null> {
    const askedAt = this.engine.clock.now();
    const lookup = async (): Promise<string | null> => {
      let status = await this.refresh(this.collectorUnix, 0);
      let rows = this.holderRows(status, port, proto);
      // A snapshot that started before the bind failed may predate the holder: look once more.
      if (rows.length === 0 && (status.snapshot?.takenAt ?? 0) < askedAt) {
        status = await this.refresh(this.collectorUnix, 0);
        rows = this.holderRows(status, port, proto);
      }
      return this.describeHolder(rows);
    };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), PORT_HOLDER_TIMEOUT_MS);
      timer.unref();
    });
    try {
      return await Promise.race([lookup().catch(() => null), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Reverse DNS for addresses the current table shows (anything else is skipped). */
  reverseDns(addresses: readonly string[]): ReverseDnsResult[] {
    this.reverse ??= new ReverseDnsCache(this.options.reverseDns);
    const shown = new Set<string>();
    for (const row of this.collector?.status().snapshot?.rows ?? []) {
      if (row.remoteAddress !== null) shown.add(row.remoteAddress);
      shown.add(row.localAddress);
    }
    return this.reverse.query(addresses, (a) => shown.has(a));
  }

  dispose(): void {
    this.reverse?.dispose();
    this.reverse = null;
  }

  /**
   * One refresh at a time across both collector kinds: a request joins the refresh of its kind
   * that is running or waiting, else it queues behind whatever runs (switching collectors if it must).
   */
  private refresh(includeUnix: boolean, reuseWithinMs: number): Promise<SystemSocketsStatus> {
    const joined = this.pending.get(includeUnix);
    if (joined) return joined;
    if (this.pending.size === 0 && this.collector && this.collectorUnix === includeUnix && reuseWithinMs > 0) {
      const status = this.collector.status();
      if (status.lastAttemptAt !== null && this.engine.clock.now() - status.lastAttemptAt < reuseWithinMs) {
        return Promise.resolve(status);
      }
    }
    const done = this.tail.then(() => this.collectorFor(includeUnix).refresh());
    this.tail = done.catch(() => undefined);
    this.pending.set(includeUnix, done);
    const clear = () => {
      if (this.pending.get(includeUnix) === done) this.pending.delete(includeUnix);
    };
    done.then(clear, clear);
    return done;
  }

  private collectorFor(includeUnix: boolean): SystemSocketsCollector {
    if (!this.collector || this.collectorUnix !== includeUnix) {
      this.collector = this.createCollector(includeUnix);
      this.collectorUnix = includeUnix;
    }
    return this.collector;
  }

  private toView(status: SystemSocketsStatus): SystemSocketsView {
    const snapshot = status.snapshot;
    const rows = snapshot?.rows ?? [];
    const owners = markOwnRows(rows, ownSocketsOf(this.engine, this.pid));
    return {
      takenAt: snapshot?.takenAt ?? null,
      source: snapshot?.source ?? '',
      rows: rows.map((row, i): SystemSocketsRowView => ({
        ...row,
        own: owners[i] ?? null,
        localService: localServiceOf(row),
        remoteService: remoteServiceOf(row),
      })),
      skippedLines: snapshot?.skippedLines ?? 0,
      durationMs: snapshot?.durationMs ?? 0,
      stale: status.stale,
      error: status.error,
      lastAttemptAt: status.lastAttemptAt,
      limitedVisibility: snapshot?.limitedVisibility ? limitedVisibilityText(this.platform) : null,
      enginePid: this.pid,
    };
  }

  private holderRows(status: SystemSocketsStatus, port: number, proto: 'tcp' | 'udp'): SystemSocketRow[] {
    const rows = (status.snapshot?.rows ?? []).filter(
      (r) => r.proto === proto && r.localPort === port && (proto === 'udp' || r.state === 'LISTEN'),
    );
    // Rows whose process we can see first.
    return rows.sort((a, b) => b.processes.length - a.processes.length);
  }

  private describeHolder(rows: SystemSocketRow[]): string | null {
    const first = rows[0];
    if (!first) return null;
    const own = markOwnRows([first], ownSocketsOf(this.engine, this.pid))[0];
    if (own) {
      const kind = this.engine.getEndpoint(own.endpointId)?.kind;
      const what = kind === 'udp' ? 'UDP endpoint' : kind === 'tcp-connection' ? 'connection' : 'listener';
      return `Sockscope's own ${what} ${own.endpointId}`;
    }
    if (first.processes.length > 0) {
      const seen = new Set<number>();
      const names: string[] = [];
      for (const p of first.processes) {
        if (seen.has(p.pid)) continue;
        seen.add(p.pid);
        // The name is the process's own choice: controls and bidi overrides are shown, not obeyed.
        names.push(`${p.name === null ? 'a process' : visibleName(p.name.slice(0, 64))} (pid ${p.pid})`);
        if (names.length === 3) break;
      }
      return names.join(', ');
    }
    if (first.uid !== null) return `a process of user id ${first.uid} that this user may not see (${adminWord(this.platform)} shows which)`;
    return null;
  }
}

function adminWord(platform: NodeJS.Platform): string {
  return platform === 'win32' ? 'running as Administrator' : 'running as root';
}

export function limitedVisibilityText(platform: NodeJS.Platform): string {
  const who = platform === 'win32' ? 'as Administrator' : 'as root (sudo)';
  return `Limited visibility: run Sockscope ${who} to see every process. Some sockets here belong to other users' processes, which this user may not look at, so their PID and Process are blank.`;
}

/** A listener's or an unconnected socket's port is a service; so is any port below the ephemeral range. */
function localServiceOf(row: SystemSocketRow): string | null {
  if (row.proto === 'unix' || row.localPort === null || row.localPort === 0) return null;
  const serving = row.state === 'LISTEN' || row.remotePort === null || row.remotePort === 0;
  if (!serving && row.localPort >= EPHEMERAL_FROM) return null;
  return serviceNameForPort(row.localPort, row.proto);
}

function remoteServiceOf(row: SystemSocketRow): string | null {
  if (row.proto === 'unix' || row.remotePort === null || row.remotePort === 0 || row.remotePort >= EPHEMERAL_FROM) return null;
  if (canonicalAddress(row.remoteAddress) === '*') return null;
  return serviceNameForPort(row.remotePort, row.proto);
}
