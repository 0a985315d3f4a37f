/**
 * Builds the "System sockets" table from the OS's own commands. Plain Node: never imports
 * 'electron', so the browser-mode host and the tests use it as is.
 *
 *   Linux    `ss -tuanpie` (+ `ss -xanpe` for Unix sockets); `netstat -tunaep(x)` when ss is not installed
 *   macOS    `netstat -anvW -p tcp` and `-p udp`, plus `lsof -nP -iTCP -iUDP -F pcfdtPTn` for process names
 *   Windows  `netstat -ano` plus `tasklist /fo csv /nh` for image names
 *
 * TCP/UDP and Unix sockets are listed by separate ss runs: ss prints a Unix socket's name raw, and a
 * name with a newline must never be in the text TCP/UDP rows (and so "who holds this port") are
 * read from. lsof's field output (-F) keeps one field per line and escapes names.
 *
 * Commands run through an injectable `run` (execFile with fixed arguments, never a shell). One
 * snapshot runs at a time: asking while one runs joins it. A failed or timed-out refresh keeps
 * the last good rows and marks them stale with the error.
 */
import { win32 } from 'node:path';
import type {
  SystemSocketRow,
  SystemSocketsSnapshot,
  SystemSocketsStatus,
} from '../../shared/system-sockets';
import type { Clock } from '../clock';
import { systemClock } from '../clock';
import type { ParseResult, RowDraft } from './parse-common';
import { withKeys } from './parse-common';
import { parseLsof } from './parse-lsof';
import { parseNetstatLinux } from './parse-netstat-linux';
import { parseNetstatMacos } from './parse-netstat-macos';
import { parseNetstatWindows } from './parse-netstat-windows';
import { parseSs } from './parse-ss';
import { parseTasklist } from './parse-tasklist';
import { confirmUnixOwners } from './unix-owner-check';
import type { CommandResult, RunCommand } from './run-command';
import { CommandRunError, createRunCommand } from './run-command';

export const DEFAULT_TIMEOUT_MS = 15_000;

/** -e adds uid and inode (row identity, and who owns a socket we can't see the process of). */
const SS_INET_ARGS = ['-tuanpie'];
const SS_UNIX_ARGS = ['-xanpe'];
const LSOF_ARGS = ['-nP', '-iTCP', '-iUDP', '-F', 'pcfdtPTn'];
const LSOF_SOURCE = `lsof ${LSOF_ARGS.join(' ')}`;

export interface SystemSocketsCollectorOptions {
  platform?: NodeJS.Platform;
  /** Runs one command; inject a fake to test the fallbacks. Defaults to execFile. */
  run?: RunCommand;
  /** Also list Unix domain sockets (Linux). */
  includeUnix?: boolean;
  /** Per command; the child is killed when it runs longer. */
  timeoutMs?: number;
  clock?: Clock;
  /** The user we run as, for "limited visibility"; null where there is no uid (Windows). */
  getuid?: () => number | null;
  /** Windows' %SystemRoot%: commands are run by absolute path so the current directory can't shadow them. */
  systemRoot?: string;
  onStatus?: (status: SystemSocketsStatus) => void;
  /** Where Linux's process table is mounted: Unix rows' owners are confirmed against PID/fd there. */
  procRoot?: string;
}

/** Why a snapshot could not be taken; `code` is what the UI shows (`ENOENT`, `ETIMEDOUT`, …). */
export class SystemSocketsError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SystemSocketsError';
  }
}

interface Collected {
  source: string;
  rows: SystemSocketRow[];
  skippedLines: number;
  limitedVisibility: boolean;
}

export class SystemSocketsCollector {
  private readonly platform: NodeJS.Platform;
  private readonly run: RunCommand;
  private readonly includeUnix: boolean;
  private readonly clock: Clock;
  private readonly getuid: () => number | null;
  private readonly systemRoot: string;
  private readonly procRoot: string;
  private readonly listeners = new Set<(status: SystemSocketsStatus) => void>();
  private inflight: Promise<SystemSocketsSnapshot> | null = null;
  /** Once ss is found missing we stop trying it. */
  private linuxTool: 'ss' | 'netstat' = 'ss';
  private current: SystemSocketsStatus = {
    snapshot: null,
    stale: false,
    error: null,
    refreshing: false,
    lastAttemptAt: null,
  };

  constructor(options: SystemSocketsCollectorOptions = {}) {
    this.platform = options.platform ?? process.platform;
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.run = options.run ?? createRunCommand({ timeoutMs, platform: this.platform });
    this.includeUnix = options.includeUnix ?? false;
    this.clock = options.clock ?? systemClock;
    this.getuid = options.getuid ?? (() => (typeof process.getuid === 'function' ? process.getuid() : null));
    this.systemRoot = options.systemRoot ?? process.env.SystemRoot ?? process.env.windir ?? 'C:\\Windows';
    this.procRoot = options.procRoot ?? '/proc';
    if (options.onStatus) this.listeners.add(options.onStatus);
  }

  /** The table as it stands: the last good snapshot, whether it is stale, and why. */
  status(): SystemSocketsStatus {
    return this.current;
  }

  subscribe(listener: (status: SystemSocketsStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Reads the table now (or joins the read already running). Rejects with a SystemSocketsError
   * when it can't; `status()` then still holds the previous rows, marked stale.
   */
  snapshot(): Promise<SystemSocketsSnapshot> {
    if (this.inflight) return this.inflight;
    const run = this.take();
    this.inflight = run;
    const clear = () => {
      if (this.inflight === run) this.inflight = null;
    };
    run.then(clear, clear);
    return run;
  }

  /** Like `snapshot()` but never rejects: resolves with the resulting status. */
  async refresh(): Promise<SystemSocketsStatus> {
    try {
      await this.snapshot();
    } catch {
      // The failure is in the status.
    }
    return this.current;
  }

  private async take(): Promise<SystemSocketsSnapshot> {
    const startedAt = this.clock.now();
    this.update({ refreshing: true });
    try {
      const collected = await this.collect();
      const snapshot: SystemSocketsSnapshot = {
        takenAt: startedAt,
        ...collected,
        durationMs: Math.max(0, this.clock.now() - startedAt),
      };
      this.update({ snapshot, stale: false, error: null, refreshing: false, lastAttemptAt: this.clock.now() });
      return snapshot;
    } catch (error) {
      const failure = toSystemSocketsError(error);
      this.update({
        stale: true,
        error: { code: failure.code, message: failure.message },
        refreshing: false,
        lastAttemptAt: this.clock.now(),
      });
      throw failure;
    }
  }

  private update(patch: Partial<SystemSocketsStatus>): void {
    this.current = { ...this.current, ...patch };
    for (const listener of this.listeners) {
      try {
        listener(this.current);
      } catch {
        // A broken listener must not break the collector or the other listeners.
      }
    }
  }

  private collect(): Promise<Collected> {
    switch (this.platform) {
      case 'linux':
        return this.collectLinux();
      case 'darwin':
        return this.collectMacos();
      case 'win32':
        return this.collectWindows();
      default:
        // FreeBSD & co.: lsof is the one tool whose output we read that they share.
        return this.collectLsofOnly();
    }
  }

  private async collectLinux(): Promise<Collected> {
    const uid = this.getuid();
    if (this.linuxTool === 'ss') {
      try {
        const inet = parseSs(await this.runChecked('ss', SS_INET_ARGS), { kind: 'inet' });
        let source = `ss ${SS_INET_ARGS.join(' ')}`;
        if (!this.includeUnix) return linuxResult(source, inet, uid);
        const unix = parseSs(await this.runChecked('ss', SS_UNIX_ARGS), { kind: 'unix' });
        source += ` + ss ${SS_UNIX_ARGS.join(' ')}`;
        const confirmed = await confirmUnixOwners(unix.rows, this.procRoot);
        // Keys stay unique: a row's key starts with its protocol.
        const rows = [...inet.rows, ...confirmed.rows];
        return linuxResult(source, { rows, skippedLines: inet.skippedLines + unix.skippedLines + confirmed.dropped }, uid);
      } catch (error) {
        if (!(error instanceof CommandRunError && error.code === 'ENOENT')) throw error;
        this.linuxTool = 'netstat';
      }
    }
    const args = [this.includeUnix ? '-tunaepx' : '-tunaep'];
    try {
      const parsed = parseNetstatLinux(await this.runChecked('netstat', args));
      const confirmed = await confirmUnixOwners(parsed.rows, this.procRoot);
      return linuxResult(`netstat ${args.join(' ')}`, { rows: confirmed.rows, skippedLines: parsed.skippedLines + confirmed.dropped }, uid);
    } catch (error) {
      if (error instanceof CommandRunError && error.code === 'ENOENT') {
        throw new SystemSocketsError(
          'ENOENT',
          'Neither ss (iproute2) nor netstat (net-tools) is installed, so the socket table cannot be read. Install iproute2.',
        );
      }
      throw error;
    }
  }

  private async collectMacos(): Promise<Collected> {
    // -W: never cut addresses to the column width (a cut IPv6 address would read as a wrong port).
    const [tcp, udp, lsof] = await Promise.allSettled([
      this.runChecked('netstat', ['-anvW', '-p', 'tcp']),
      this.runChecked('netstat', ['-anvW', '-p', 'udp']),
      this.runChecked('lsof', LSOF_ARGS),
    ]);
    const lsofResult = lsof.status === 'fulfilled' ? parseLsof(lsof.value) : null;
    const netstatParts = [tcp, udp]
      .filter((r): r is PromiseFulfilledResult<string> => r.status === 'fulfilled')
      .map((r) => parseNetstatMacos(r.value, { wideAddresses: true }));

    let rows: SystemSocketRow[];
    let skippedLines = lsofResult?.skippedLines ?? 0;
    let source: string;
    if (netstatParts.length > 0) {
      const drafts = netstatParts.flatMap((p) => p.rows);
      skippedLines += netstatParts.reduce((sum, p) => sum + p.skippedLines, 0);
      if (lsofResult) attachLsofProcesses(drafts, lsofResult.rows);
      rows = withKeys(drafts);
      source = lsofResult ? `netstat -anvW -p tcp|udp + ${LSOF_SOURCE}` : 'netstat -anvW -p tcp|udp';
    } else if (lsofResult) {
      rows = lsofResult.rows;
      source = LSOF_SOURCE;
    } else {
      throw tcp.status === 'rejected' ? tcp.reason : new SystemSocketsError('ECOMMANDFAILED', 'netstat failed');
    }
    const uid = this.getuid();
    const limitedVisibility =
      uid !== null && uid !== 0 && rows.some((r) => !isOwnerless(r) && !r.processes.some((p) => p.name !== null));
    return { source, rows, skippedLines, limitedVisibility };
  }

  private async collectWindows(): Promise<Collected> {
    const system32 = win32.join(this.systemRoot, 'System32');
    const [netstat, tasklist] = await Promise.allSettled([
      this.runChecked(win32.join(system32, 'NETSTAT.EXE'), ['-ano']),
      this.runChecked(win32.join(system32, 'tasklist.exe'), ['/fo', 'csv', '/nh']),
    ]);
    if (netstat.status === 'rejected') throw netstat.reason;
    const parsed = parseNetstatWindows(netstat.value);
    const names = tasklist.status === 'fulfilled' ? parseTasklist(tasklist.value).names : new Map<number, string>();
    for (const row of parsed.rows) {
      for (const owner of row.processes) owner.name ??= names.get(owner.pid) ?? null;
    }
    return {
      source: tasklist.status === 'fulfilled' ? 'netstat -ano + tasklist /fo csv /nh' : 'netstat -ano',
      rows: parsed.rows,
      skippedLines: parsed.skippedLines,
      // netstat -ano shows every socket's pid to every user, and tasklist every image name.
      limitedVisibility: false,
    };
  }

  private async collectLsofOnly(): Promise<Collected> {
    const parsed = parseLsof(await this.runChecked('lsof', LSOF_ARGS));
    const uid = this.getuid();
    // lsof lists only the sockets of processes it may look at: not root means some are missing.
    return { source: LSOF_SOURCE, ...parsed, limitedVisibility: uid !== null && uid !== 0 };
  }

  /** Output of a command that ran; a non-zero exit with nothing on stdout is a failure. */
  private async runChecked(command: string, args: readonly string[]): Promise<string> {
    const result: CommandResult = await this.run(command, args);
    if (result.exitCode !== 0 && result.stdout.trim().length === 0) {
      const reason = result.stderr.trim().split(/\r?\n/)[0]?.slice(0, 300) ?? '';
      throw new SystemSocketsError(
        'ECOMMANDFAILED',
        `${command} ${args.join(' ')} failed (exit code ${result.exitCode})${reason ? `: ${reason}` : ''}`,
      );
    }
    return result.stdout;
  }
}

function linuxResult(source: string, parsed: ParseResult, uid: number | null): Collected {
  return { source, ...parsed, limitedVisibility: linuxVisibilityIsLimited(parsed.rows, uid) };
}

/**
 * Not root, and some socket that belongs to a process shows none while owned by another (or an
 * unknown) user: the kernel hid that process from us. With `-e` a socket held by a process has
 * an inode, and ino:0 marks orphans nobody holds (TIME_WAIT, FIN_WAIT_2 after close), which
 * don't count; without inodes, TIME_WAIT rows are the orphans we can recognise.
 */
export function linuxVisibilityIsLimited(rows: readonly SystemSocketRow[], uid: number | null): boolean {
  if (uid === null || uid === 0) return false;
  const inodesKnown = rows.some((r) => r.inode !== null);
  return rows.some(
    (r) =>
      r.processes.length === 0 &&
      r.proto !== 'unix' &&
      (inodesKnown ? r.inode !== null : !isOwnerless(r)) &&
      r.uid !== uid,
  );
}

/** Sockets no process holds any more. */
function isOwnerless(row: SystemSocketRow): boolean {
  return row.state === 'TIME_WAIT';
}

/**
 * Matches netstat and lsof rows by protocol, family (tcp4/IPv4, tcp6 and tcp46/IPv6) and both
 * endpoints; a listener's `*.*` peer is no peer.
 */
function tupleKey(row: RowDraft): string {
  const remote = row.remoteAddress === null || (row.remoteAddress === '*' && row.remotePort === null) ? '' : row.remoteAddress;
  return `${row.proto}|${row.family}|${row.localAddress}|${row.localPort ?? ''}|${remote}|${row.remotePort ?? ''}`;
}

/**
 * Gives macOS netstat rows the processes lsof saw for the same socket, pairing rows in order when
 * several share one tuple (several UDP sockets on *:5353), and names the pids netstat -v printed.
 */
export function attachLsofProcesses(drafts: RowDraft[], lsofRows: readonly SystemSocketRow[]): void {
  const byTuple = new Map<string, SystemSocketRow[]>();
  const nameByPid = new Map<number, string>();
  for (const row of lsofRows) {
    const key = tupleKey(row);
    const list = byTuple.get(key);
    if (list) list.push(row);
    else byTuple.set(key, [row]);
    for (const p of row.processes) if (p.name !== null && !nameByPid.has(p.pid)) nameByPid.set(p.pid, p.name);
  }
  for (const draft of drafts) {
    const match = byTuple.get(tupleKey(draft))?.shift();
    if (match) {
      for (const p of match.processes) {
        const existing = draft.processes.find((q) => q.pid === p.pid);
        if (existing) existing.name ??= p.name;
        else draft.processes.push({ ...p });
      }
    }
    for (const p of draft.processes) p.name ??= nameByPid.get(p.pid) ?? null;
  }
}

function toSystemSocketsError(error: unknown): SystemSocketsError {
  if (error instanceof SystemSocketsError) return error;
  if (error instanceof CommandRunError) return new SystemSocketsError(error.code, error.message);
  const message = error instanceof Error ? error.message : String(error);
  return new SystemSocketsError('EINTERNAL', `Reading the socket table failed: ${message}`);
}
