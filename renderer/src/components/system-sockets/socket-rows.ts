/**
 * The System sockets table's model, pure: how rows carry over between snapshots (new, changed,
 * closed-and-lingering), how they are filtered, sorted, formatted and exported. No React here.
 */
import { formatSocketEndpoint, TcpState, type SystemSocketsRowView } from '../../../../shared/system-sockets';
import { visibleName } from '../../../../shared/visible-name';

/** New and changed rows stay highlighted this long. */
export const HIGHLIGHT_MS = 3000;
/** Closed rows linger, greyed out, this long before they go (as TCPView does). */
export const LINGER_MS = 3000;

export type RowMark = 'new' | 'changed' | 'closed' | null;

export interface DisplayRow {
  row: SystemSocketsRowView;
  mark: RowMark;
  /** When `mark` was set. */
  markedAt: number;
  /** Lower-case text the Filter box searches. */
  text: string;
  /** State, processes and owner in one string: when it differs, the row changed. */
  identity: string;
}

export type ProtoFilter = 'all' | 'tcp' | 'udp' | 'unix';
export type StateFilter = 'all' | TcpState;

export interface SocketFilters {
  text: string;
  proto: ProtoFilter;
  state: StateFilter;
  listeningOnly: boolean;
  hideLoopback: boolean;
  onlyOwn: boolean;
}

export const DEFAULT_FILTERS: SocketFilters = {
  text: '',
  proto: 'all',
  state: 'all',
  listeningOnly: false,
  hideLoopback: false,
  onlyOwn: false,
};

export type SocketColumn =
  | 'proto'
  | 'local'
  | 'remote'
  | 'state'
  | 'pid'
  | 'process'
  | 'recvQ'
  | 'sendQ'
  | 'bytesSent'
  | 'bytesReceived'
  | 'rtt';

export interface SocketSort {
  column: SocketColumn;
  dir: 'asc' | 'desc';
}

// ── carrying rows over between snapshots ────────────────────────────────────────────────────

function identityKey(r: SystemSocketsRowView): string {
  let key = `${r.state}|${r.stateRaw}|${r.uid ?? ''}|${r.own ? `${r.own.endpointId}/${r.own.conversationId ?? ''}` : ''}`;
  for (const p of r.processes) key += `|${p.pid}:${p.name ?? ''}`;
  return key;
}

function searchText(r: SystemSocketsRowView): string {
  return [
    r.proto,
    formatLocal(r),
    formatRemote(r),
    r.state,
    r.stateRaw,
    r.processes.map((p) => `${p.pid} ${p.name ?? ''}`).join(' '),
    r.own ? `sockscope ${r.own.endpointId} ${r.own.conversationId ?? ''}` : '',
  ]
    .join(' ')
    .toLowerCase();
}

/**
 * The rows to show after a new snapshot: rows not seen before are `new` (except on the very first
 * snapshot), rows whose state, process or owner moved are `changed`, rows gone from the snapshot
 * stay as `closed` for LINGER_MS. Marks fade after HIGHLIGHT_MS.
 */
export function reconcileRows(prev: readonly DisplayRow[], next: readonly SystemSocketsRowView[], now: number, first: boolean): DisplayRow[] {
  const before = new Map<string, DisplayRow>();
  for (const d of prev) before.set(d.row.key, d);
  const out: DisplayRow[] = [];
  const seen = new Set<string>();
  for (const row of next) {
    seen.add(row.key);
    const old = before.get(row.key);
    const identity = identityKey(row);
    if (!old || old.mark === 'closed') {
      out.push({ row, mark: first ? null : 'new', markedAt: now, text: searchText(row), identity });
    } else if (old.identity !== identity) {
      out.push({ row, mark: 'changed', markedAt: now, text: searchText(row), identity });
    } else {
      const fading = old.mark !== null && now - old.markedAt >= HIGHLIGHT_MS;
      out.push({ row, mark: fading ? null : old.mark, markedAt: old.markedAt, text: old.text, identity });
    }
  }
  for (const d of prev) {
    if (seen.has(d.row.key)) continue;
    if (d.mark === 'closed') {
      if (now - d.markedAt < LINGER_MS) out.push(d);
    } else {
      out.push({ ...d, mark: 'closed', markedAt: now });
    }
  }
  return out;
}

/** Marks fade and lingering rows go, without a new snapshot (paused, or between refreshes). */
export function ageRows(rows: readonly DisplayRow[], now: number): DisplayRow[] | null {
  let changed = false;
  const out: DisplayRow[] = [];
  for (const d of rows) {
    if (d.mark === 'closed' && now - d.markedAt >= LINGER_MS) {
      changed = true;
      continue;
    }
    if ((d.mark === 'new' || d.mark === 'changed') && now - d.markedAt >= HIGHLIGHT_MS) {
      changed = true;
      out.push({ ...d, mark: null });
      continue;
    }
    out.push(d);
  }
  return changed ? out : null;
}

// ── formatting ─────────────────────────────────────────────────────────────────────────────

function withService(text: string, service: string | null): string {
  return service ? `${text} (${service})` : text;
}

// Unix paths, process names and reverse-DNS names are other people's text: shown (and exported)
// with controls, bidi overrides and invisible characters made visible, so `‮gnp.exe` can't read
// as `exe.png` and a newline can't pose as a second row.

export function formatLocal(r: SystemSocketsRowView): string {
  if (r.proto === 'unix') return visibleName(r.localAddress);
  return withService(formatSocketEndpoint(r.localAddress, r.localPort), r.localService);
}

export function formatRemote(r: SystemSocketsRowView): string {
  if (r.remoteAddress === null) return '';
  if (r.proto === 'unix') return visibleName(r.remoteAddress);
  return withService(formatSocketEndpoint(r.remoteAddress, r.remotePort), r.remoteService);
}

export function formatPids(r: SystemSocketsRowView): string {
  return [...new Set(r.processes.map((p) => p.pid))].join(', ');
}

export function formatProcesses(r: SystemSocketsRowView): string {
  return [...new Set(r.processes.map((p) => (p.name === null ? `pid ${p.pid}` : visibleName(p.name))))].join(', ');
}

export function formatRtt(ms: number | null): string {
  if (ms === null) return '';
  return ms < 10 ? `${ms.toFixed(2)} ms` : `${ms.toFixed(1)} ms`;
}

// ── filtering and sorting ──────────────────────────────────────────────────────────────────

function bare(address: string | null): string {
  if (address === null) return '';
  const a = address.toLowerCase().replace(/%.*$/, '');
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

export function isLoopback(address: string | null): boolean {
  const a = bare(address);
  return a === '::1' || /^127\./.test(a) || a === 'localhost';
}

export function isWildcard(address: string | null): boolean {
  const a = bare(address);
  return a === '' || a === '*' || a === '0.0.0.0' || (a.includes(':') && /^[0:]+$/.test(a));
}

/** A listening TCP socket, or a UDP socket waiting for datagrams from anyone. */
export function isListening(r: SystemSocketsRowView): boolean {
  return r.state === 'LISTEN' || (r.proto === 'udp' && (r.remotePort === null || r.remotePort === 0));
}

export function filterRows(rows: readonly DisplayRow[], f: SocketFilters, names: Readonly<Record<string, string | null>> = {}): DisplayRow[] {
  const needle = f.text.trim().toLowerCase();
  return rows.filter((d) => {
    const r = d.row;
    if (f.proto !== 'all' && r.proto !== f.proto) return false;
    if (f.state !== 'all' && r.state !== f.state) return false;
    if (f.listeningOnly && !isListening(r)) return false;
    if (f.hideLoopback && isLoopback(r.localAddress)) return false;
    if (f.onlyOwn && r.own === null) return false;
    if (needle) {
      if (d.text.includes(needle)) return true;
      const name = r.remoteAddress !== null ? names[r.remoteAddress] : null;
      return !!name && name.toLowerCase().includes(needle);
    }
    return true;
  });
}

// The schema lists states in the order a connection lives through them: sort by that.
const STATE_ORDER: readonly TcpState[] = TcpState.options;
const stateRank = new Map(STATE_ORDER.map((s, i) => [s, i]));

type Key = string | number | null;

function keyOf(r: SystemSocketsRowView, column: SocketColumn): Key | [Key, Key] {
  switch (column) {
    case 'proto':
      return r.proto;
    case 'local':
      return [r.localPort, bare(r.localAddress)];
    case 'remote':
      return [r.remotePort, bare(r.remoteAddress)];
    case 'state':
      return stateRank.get(r.state) ?? 99;
    case 'pid':
      return r.processes[0]?.pid ?? null;
    case 'process':
      return r.processes[0]?.name?.toLowerCase() ?? null;
    case 'recvQ':
      return r.recvQ;
    case 'sendQ':
      return r.sendQ;
    case 'bytesSent':
      return r.bytesSent;
    case 'bytesReceived':
      return r.bytesReceived;
    case 'rtt':
      return r.rttMs;
  }
}

/** Nulls (unknown) sort last whatever the direction. */
function compareKey(a: Key, b: Key, sign: number): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return (a - b) * sign;
  return String(a).localeCompare(String(b)) * sign;
}

export function sortRows(rows: readonly DisplayRow[], sort: SocketSort): DisplayRow[] {
  const sign = sort.dir === 'asc' ? 1 : -1;
  const keyed = rows.map((d, i) => ({ d, i, k: keyOf(d.row, sort.column) }));
  keyed.sort((x, y) => {
    let c: number;
    if (Array.isArray(x.k) && Array.isArray(y.k)) {
      c = compareKey(x.k[0], y.k[0], sign) || compareKey(x.k[1], y.k[1], sign);
    } else {
      c = compareKey(x.k as Key, y.k as Key, sign);
    }
    return c || x.i - y.i;
  });
  return keyed.map((k) => k.d);
}

// ── export ─────────────────────────────────────────────────────────────────────────────────

export interface ExportRow {
  proto: string;
  local: string;
  remote: string;
  state: string;
  pid: string;
  process: string;
  recvQ: number | null;
  sendQ: number | null;
  bytesSent: number | null;
  bytesReceived: number | null;
  rttMs: number | null;
  remoteName: string | null;
  sockscopeEndpoint: string | null;
}

export function toExportRows(rows: readonly DisplayRow[], names: Readonly<Record<string, string | null>> = {}): ExportRow[] {
  return rows
    .filter((d) => d.mark !== 'closed')
    .map(({ row: r }) => ({
      proto: r.proto,
      local: formatLocal(r),
      remote: formatRemote(r),
      state: r.state,
      pid: formatPids(r),
      process: formatProcesses(r),
      recvQ: r.recvQ,
      sendQ: r.sendQ,
      bytesSent: r.bytesSent,
      bytesReceived: r.bytesReceived,
      rttMs: r.rttMs,
      remoteName: visibleRemoteName(r, names),
      sockscopeEndpoint: r.own ? r.own.conversationId ?? r.own.endpointId : null,
    }));
}

/** The reverse-DNS name of a row's peer, shown visibly (a PTR record is anyone's text), or null. */
export function visibleRemoteName(r: SystemSocketsRowView, names: Readonly<Record<string, string | null>>): string | null {
  const name = r.remoteAddress !== null ? names[r.remoteAddress] : null;
  return name ? visibleName(name) : null;
}

const CSV_COLUMNS: Array<[keyof ExportRow, string]> = [
  ['proto', 'Proto'],
  ['local', 'Local'],
  ['remote', 'Remote'],
  ['state', 'State'],
  ['pid', 'PID'],
  ['process', 'Process'],
  ['recvQ', 'Recv-Q'],
  ['sendQ', 'Send-Q'],
  ['bytesSent', 'Bytes sent'],
  ['bytesReceived', 'Bytes received'],
  ['rttMs', 'RTT (ms)'],
  ['remoteName', 'Remote name'],
  ['sockscopeEndpoint', 'Sockscope endpoint'],
];

/**
 * One CSV cell. Process names are whatever a process calls itself: a cell that a spreadsheet would
 * read as a formula (`=`, `+`, `-`, `@`, tab, CR) gets a leading apostrophe.
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(rows: readonly ExportRow[]): string {
  const lines = [CSV_COLUMNS.map(([, title]) => csvCell(title)).join(',')];
  for (const r of rows) lines.push(CSV_COLUMNS.map(([key]) => csvCell(r[key])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export function toJson(rows: readonly ExportRow[], meta: { takenAt: number | null; source: string }): string {
  return `${JSON.stringify({ takenAt: meta.takenAt === null ? null : new Date(meta.takenAt).toISOString(), source: meta.source, rows }, null, 2)}\n`;
}
