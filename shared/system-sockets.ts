/**
 * The machine's own socket table ("System sockets"), as the engine builds it from the OS's
 * commands (ss, netstat, lsof, tasklist). Schemas only: the renderer and the engine share them.
 */
import { z } from 'zod';
import { ErrorInfo } from './errors';
import { Port } from './primitives';

/**
 * Canonical socket states. Every tool spells them differently (`ESTAB`, `TIME-WAIT`, `LISTENING`,
 * `SYN_RCVD`, `FIN_WAIT1`, PowerShell enum numbers); parsers map them here and keep the tool's own
 * word in `stateRaw`. UDP rows are `UNCONN`, or `ESTABLISHED` when the tool says the socket is
 * connected.
 */
export const TcpState = z.enum([
  'LISTEN',
  'SYN_SENT',
  'SYN_RECEIVED',
  'ESTABLISHED',
  'FIN_WAIT_1',
  'FIN_WAIT_2',
  'CLOSE_WAIT',
  'CLOSING',
  'LAST_ACK',
  'TIME_WAIT',
  'CLOSED',
  'BOUND',
  'UNCONN',
  'UNKNOWN',
]);
export type TcpState = z.infer<typeof TcpState>;

export const SocketProto = z.enum(['tcp', 'udp', 'unix']);
export type SocketProto = z.infer<typeof SocketProto>;

export const SocketFamily = z.enum(['inet', 'inet6', 'unix']);
export type SocketFamily = z.infer<typeof SocketFamily>;

/** A process holding the socket. `name` is what the OS tool printed (often truncated: Linux keeps 15 bytes). */
export const SocketProcess = z.strictObject({
  pid: z.number().int().min(0),
  name: z.string().nullable(),
});
export type SocketProcess = z.infer<typeof SocketProcess>;

const Count = z.number().int().min(0).nullable();

export const SystemSocketRow = z.strictObject({
  /**
   * Stable identity across snapshots, unique within one snapshot (see `systemSocketKey`).
   * The UI uses it to highlight new rows, mark changed ones and let closed ones linger.
   */
  key: z.string(),
  proto: SocketProto,
  family: SocketFamily,
  /**
   * As the OS means it: `0.0.0.0` / `::` for wildcards, `*` where the tool printed a bare `*`
   * (Linux dual-stack listeners, macOS, lsof). No IPv6 brackets; zone ids and Linux
   * bound-device suffixes kept (`fe80::1%eth0`, `127.0.0.53%lo`). Unix rows: the path, or `*`.
   */
  localAddress: z.string(),
  localPort: Port.nullable(),
  remoteAddress: z.string().nullable(),
  remotePort: Port.nullable(),
  state: TcpState,
  /** The tool's own word for the state (`ESTAB`, `LISTENING`, …); empty when it printed none. */
  stateRaw: z.string(),
  recvQ: Count,
  sendQ: Count,
  processes: z.array(SocketProcess),
  uid: z.number().int().min(0).nullable(),
  /** Linux socket inode (`ss -e`, `netstat -e`, lsof NODE); null when the tool shows none or 0. */
  inode: z.number().int().min(0).nullable(),
  bytesSent: Count,
  bytesReceived: Count,
  rttMs: z.number().min(0).nullable(),
});
export type SystemSocketRow = z.infer<typeof SystemSocketRow>;

export const SystemSocketsSnapshot = z.strictObject({
  /** When the command(s) started, ms since the epoch. */
  takenAt: z.number(),
  /** The commands that produced the rows, as run: `ss -tuanpie`, `netstat -ano + tasklist /fo csv /nh`. */
  source: z.string(),
  rows: z.array(SystemSocketRow),
  /** Output lines that looked like data but could not be read (headers and blank lines don't count). */
  skippedLines: z.number().int().min(0),
  /**
   * Some sockets are shown without their owning process because this user may not look at other
   * users' processes (not root / not Administrator). The UI says so rather than looking broken.
   */
  limitedVisibility: z.boolean(),
  durationMs: z.number().min(0),
});
export type SystemSocketsSnapshot = z.infer<typeof SystemSocketsSnapshot>;

/**
 * What the table shows right now. A failed or timed-out refresh keeps the last good snapshot and
 * marks it stale with the error, so a hiccup never empties the table.
 */
export const SystemSocketsStatus = z.strictObject({
  snapshot: SystemSocketsSnapshot.nullable(),
  /** True when the last attempt failed: `snapshot` is older than it should be (or absent). */
  stale: z.boolean(),
  error: ErrorInfo.nullable(),
  /** A refresh is running. */
  refreshing: z.boolean(),
  /** When the last attempt (good or bad) finished, ms since the epoch. */
  lastAttemptAt: z.number().nullable(),
});
export type SystemSocketsStatus = z.infer<typeof SystemSocketsStatus>;

/** `HOST:PORT` as the UI contract writes it (`[::1]:80` for IPv6, `*` for a missing port). */
export function formatSocketEndpoint(address: string | null, port: number | null): string {
  if (address === null) return '';
  const host = address.includes(':') ? `[${address}]` : address;
  return `${host}:${port === null ? '*' : String(port)}`;
}

/**
 * The identity of a row without its duplicate suffix. A connected socket (one with a remote port)
 * is its 4-tuple, so a connection keeps its key when it turns TIME_WAIT and loses its process and
 * inode: the UI shows it as changed, not as one row removed and another added. Unconnected sockets
 * (listeners, UDP) can share an address (SO_REUSEPORT, several binds): they add the inode when the
 * tool shows one, else the sorted pid list.
 */
export function systemSocketBaseKey(
  row: Pick<
    SystemSocketRow,
    'proto' | 'localAddress' | 'localPort' | 'remoteAddress' | 'remotePort' | 'inode' | 'processes'
  >,
): string {
  const local = `${row.localAddress}|${row.localPort ?? '*'}`;
  const remote = `${row.remoteAddress ?? ''}|${row.remotePort ?? '*'}`;
  const connected = row.proto !== 'unix' && row.remotePort !== null && row.remotePort !== 0;
  if (connected) return `${row.proto}|${local}|${remote}`;
  const owner =
    row.inode !== null
      ? `ino:${row.inode}`
      : `pid:${row.processes
          .map((p) => p.pid)
          .sort((a, b) => a - b)
          .join(',')}`;
  return `${row.proto}|${local}|${remote}|${owner}`;
}

// ── What the `system-sockets:*` commands carry (see shared/contract.ts) ──────────────────────

/** The Sockscope endpoint (and conversation, for a connection or an accepted client) a row belongs to. */
export const SystemSocketOwner = z.strictObject({
  endpointId: z.string(),
  conversationId: z.string().nullable(),
});
export type SystemSocketOwner = z.infer<typeof SystemSocketOwner>;

/** A table row as the UI gets it: the OS's row, plus what only the engine knows about it. */
export const SystemSocketsRowView = SystemSocketRow.extend({
  /** Set when the socket is one of Sockscope's own endpoints' sockets. */
  own: SystemSocketOwner.nullable(),
  /** Service names from the services database (`whois` for 43/tcp), where they mean something. */
  localService: z.string().nullable(),
  remoteService: z.string().nullable(),
});
export type SystemSocketsRowView = z.infer<typeof SystemSocketsRowView>;

export const SystemSocketsRequest = z.strictObject({
  /** Also list Unix domain sockets (Linux). */
  includeUnix: z.boolean().optional(),
});
export type SystemSocketsRequest = z.infer<typeof SystemSocketsRequest>;

/**
 * The table as it stands: the last good snapshot's rows (kept when a refresh fails: `stale` and
 * `error` say so), and, when the OS hid some processes, a plain sentence that says so.
 */
export const SystemSocketsView = z.strictObject({
  takenAt: z.number().nullable(),
  source: z.string(),
  rows: z.array(SystemSocketsRowView),
  skippedLines: z.number().int().min(0),
  durationMs: z.number().min(0),
  stale: z.boolean(),
  error: ErrorInfo.nullable(),
  lastAttemptAt: z.number().nullable(),
  /** Null when every process is visible; else what to do about it, in plain words. */
  limitedVisibility: z.string().nullable(),
  /** Process id of the engine (Sockscope's own sockets carry it). */
  enginePid: z.number().int().min(0),
});
export type SystemSocketsView = z.infer<typeof SystemSocketsView>;

/** Most addresses one reverse-DNS request may name; the table asks for what is on screen. */
export const REVERSE_DNS_MAX_ADDRESSES = 256;

/** An IPv4 or IPv6 literal (zone id allowed): never a name, never anything a resolver would parse as more. */
export const IpLiteral = z
  .string()
  .min(2)
  .max(64)
  .regex(/^(?:[0-9]{1,3}(?:\.[0-9]{1,3}){3}|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)(?:%[A-Za-z0-9_.-]{1,32})?$/, 'an IP address');

export const ReverseDnsRequest = z.strictObject({
  addresses: z.array(IpLiteral).max(REVERSE_DNS_MAX_ADDRESSES),
});

/**
 * `name` once resolved (null when the address has no name), `pending` while the lookup runs: the
 * UI asks again with its next refresh rather than waiting here.
 */
export const ReverseDnsResult = z.strictObject({
  address: z.string(),
  status: z.enum(['resolved', 'none', 'pending', 'skipped']),
  name: z.string().nullable(),
});
export type ReverseDnsResult = z.infer<typeof ReverseDnsResult>;

export const ReverseDnsResponse = z.strictObject({ results: z.array(ReverseDnsResult) });
