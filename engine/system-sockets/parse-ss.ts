/**
 * Linux `ss` (iproute2): `ss -tuanpie` and `ss -xanpe` (what the collector runs), `ss -tulpen`,
 * `ss -a`, with or without the Netid/State columns, the `-e` extras (uid:, ino:, v6only:) and the
 * `-i` tcp_info continuation lines.
 *
 * ss prints names raw. A process name in `users:(("NAME",pid=N,fd=M),…)` is read from
 * /proc/PID/stat up to its first `)` (at most 15 bytes) and may hold quotes, commas, `(`, spaces
 * and newlines; a Unix socket's path (at most 108 bytes) may hold anything but NUL. So the output
 * is read as records, not lines:
 *
 * - A process entry ends at the first `)` that follows a well-formed `",pid=N,fd=M` and is itself
 *   followed by `,(` or by the `)` that closes the list. A name that runs past the end of its line
 *   had a newline in it: the record goes on on the next line (kept as `\n`, which the table shows
 *   as ␊), and that line is never a row of its own. So `x",pid=1,fd=9` is a name, not pid 1.
 * - The columns before the process column of a TCP/UDP row are the kernel's (numbers, addresses):
 *   no name can move them. The collector lists TCP/UDP and Unix sockets in separate runs and says
 *   which with `kind`, so no Unix path is ever in the text TCP/UDP rows are read from.
 * - A Unix row is read from its right end: `-e` extras, the process column, the peer's inode, the
 *   peer and the socket's inode; the path is all that is left, spaces and newlines included. The
 *   lines after it that do not start a row are more of that path; a line that starts one is never
 *   joined to another row, so no path reaches into the next socket's row.
 *
 * Limit: a Unix path that spells out complete Unix rows, each on a line of its own, can still add
 * made-up Unix rows to `unix` output (ss's text gives nothing to tell them apart); in output that
 * mixes kinds (`ss -a`) it could spell a TCP row too, which is why the collector never reads TCP/UDP
 * rows from such output. It can never take another socket's row or process.
 */
import type { SocketFamily, SocketProto, SocketProcess, TcpState } from '../../shared/system-sockets';
import type { Endpoint, ParseResult, RowDraft, Token } from './parse-common';
import {
  emptyRow,
  familyOfAddress,
  isDigits,
  lastToken,
  lookupState,
  neverThrow,
  normalizeState,
  parseCount,
  parseCountAt,
  rangeEquals,
  readDecimalAt,
  readHostPortAt,
  readIntAt,
  skipSpaces,
  startsWithSpace,
  StringInterner,
  tokenOffsets,
  UnixLines,
  withKeys,
} from './parse-common';

/** Netids ss prints; null for sockets that are not part of this table. A Map, so `constructor` is no netid. */
const NETIDS = new Map<string, SocketProto | null>([
  ['tcp', 'tcp'],
  ['udp', 'udp'],
  ['u_str', 'unix'],
  ['u_dgr', 'unix'],
  ['u_seq', 'unix'],
  // Shown by `ss -a`: netlink, packet, raw, vsock, sctp, mptcp, …
  ...['nl', 'p_raw', 'p_dgr', 'raw', 'icmp6', 'v_str', 'v_dgr', 'sctp', 'mptcp', 'dccp', 'tipc', 'xdp'].map(
    (id) => [id, null] as [string, SocketProto | null],
  ),
]);

/** The kernel keeps 15 bytes of a process name (TASK_COMM_LEN): a name split over lines is no longer. */
const MAX_COMM_CHARS = 15;
/** Longest process name read at all (on one line); bounds how far an entry is looked through. */
const MAX_NAME_CHARS = 64;
/** `",pid=4294967295,fd=4294967295` */
const MAX_SUFFIX_CHARS = 32;
/** sun_path is 108 bytes: a Unix path that spans lines is never longer. */
const MAX_UNIX_PATH_CHARS = 108;
/** Lines one record may span: every line but the last adds a newline to a path or a name. */
const MAX_RECORD_LINES = MAX_UNIX_PATH_CHARS + MAX_COMM_CHARS + 1;
/** `users:((` a Unix row's path and names can hold between them: bounds the search for the real one. */
const MAX_USERS_CANDIDATES = 32;
/** pid and fd are 32-bit: bounding the digit scan keeps each suffix check O(1). */
const MAX_NUMBER_DIGITS = 10;

const SHUTDOWN_MARKERS = new Set(['<->', '-->', '<--', '---']);

export interface SsParseOptions {
  /** Protocol of rows when the output has no Netid column (`ss -tan` prints none). */
  defaultProto?: 'tcp' | 'udp';
  /**
   * Which sockets the command listed: `inet` (`ss -tu…`) or `unix` (`ss -x…`). A line of the other
   * kind is never read as a row (in `unix` output it is a path that spells one), so a Unix
   * socket's name can't make a TCP/UDP row. Unset: any kind (`ss -a`).
   */
  kind?: 'inet' | 'unix';
}

interface Layout {
  hasNetid: boolean;
  hasState: boolean;
}

/** Offsets of a line's first tokens, filled in place line after line. */
interface Head {
  starts: Int32Array;
  ends: Int32Array;
  count: number;
}

/** The columns every row starts with: netid, state, Recv-Q, Send-Q (read into a reused object). */
interface RowStart {
  proto: SocketProto;
  stateRaw: string;
  recvQ: number;
  sendQ: number;
  /** The line's first tokens; `next` is the index of the one after Send-Q. */
  head: Head;
  next: number;
}

/**
 * A process column read in place: each entry as where its name starts and ends in the record and
 * its pid, so names are cut out only from a reading that is kept.
 */
interface UsersScan {
  /**
   * `open`: the text ended inside a name, the record goes on on the next line. `unreadable`: no
   * process is guessed at; `next` is where the rest of the line is read from.
   */
  status: 'read' | 'open' | 'unreadable';
  next: number;
  count: number;
  nameStarts: number[];
  nameEnds: number[];
  pids: number[];
}

/**
 * What one parse reuses from row to row instead of allocating it per row: 10,000s of rows, and
 * every short-lived object is garbage the collector has to find among the rows that stay.
 */
interface Scan {
  lines: UnixLines;
  options: SsParseOptions;
  layout: Layout;
  strings: StringInterner;
  /** The line being read. */
  row: RowStart;
  /** A look at a later line (does it start a row?) while a Unix record is read. */
  probe: RowStart;
  users: UsersScan;
  local: Endpoint;
  peer: Endpoint;
  /** Lines the record just read took. */
  recordLines: number;
}

function rowStart(tokens: number): RowStart {
  return {
    proto: 'tcp',
    stateRaw: '',
    recvQ: 0,
    sendQ: 0,
    head: { starts: new Int32Array(tokens), ends: new Int32Array(tokens), count: 0 },
    next: 0,
  };
}

function newScan(text: string, options: SsParseOptions): Scan {
  return {
    lines: new UnixLines(text),
    options,
    layout: { hasNetid: true, hasState: true },
    strings: new StringInterner(),
    // Netid State Recv-Q Send-Q Local Peer: enough tokens for an inet row in one pass.
    row: rowStart(6),
    probe: rowStart(4),
    users: { status: 'read', next: 0, count: 0, nameStarts: [], nameEnds: [], pids: [] },
    local: { address: '', port: null },
    peer: { address: '', port: null },
    recordLines: 1,
  };
}

export function parseSs(text: string, options: SsParseOptions = {}): ParseResult {
  return neverThrow(
    () => ({ rows: [], skippedLines: 0 }),
    () => parseSsUnsafe(text, options),
  );
}

function parseSsUnsafe(text: string, options: SsParseOptions): ParseResult {
  const scan = newScan(String(text), options);
  const { lines, row } = scan;
  const drafts: RowDraft[] = [];
  let skippedLines = 0;
  // ss prints its header once, first: a header-like line anywhere else is data, not a new layout.
  let headerAllowed = true;
  let previous: RowDraft | null = null;

  let i = 0;
  while (i < lines.count) {
    const line = lines.line(i);
    if (line.length === 0) {
      i++;
      continue;
    }
    if (startsWithSpace(line)) {
      // `-i` puts tcp_info on the next line, indented by a tab. A blank line (a TIME-WAIT row's
      // tcp_info is 360 spaces) has no `rtt:`, so it changes nothing: no need to scan it twice.
      if (previous) applyTcpInfo(previous, line);
      i++;
      continue;
    }
    previous = null;
    const head = row.head;
    head.count = tokenOffsets(line, head.starts, head.ends);
    if (headerAllowed) {
      headerAllowed = false;
      const firstStart = head.starts[0] as number;
      const firstEnd = head.ends[0] as number;
      const netid = rangeEquals(line, firstStart, firstEnd, 'Netid');
      const recvQ = rangeEquals(line, firstStart, firstEnd, 'Recv-Q');
      if (netid || recvQ || rangeEquals(line, firstStart, firstEnd, 'State')) {
        scan.layout = { hasNetid: netid, hasState: !recvQ };
        i++;
        continue;
      }
    }
    const start = readRowStart(scan, line, row);
    if (start !== 'row') {
      if (start === 'none') skippedLines++;
      i++;
      continue;
    }
    const draft = row.proto === 'unix' ? readUnixRecord(scan, line, i) : readInetRecord(scan, line, i);
    i += scan.recordLines;
    if (draft) {
      drafts.push(draft);
      previous = draft;
    } else skippedLines++;
  }
  return { rows: withKeys(drafts), skippedLines };
}

function kindOf(proto: SocketProto): 'inet' | 'unix' {
  return proto === 'unix' ? 'unix' : 'inet';
}

/**
 * Netid, state and both queue sizes of `line` (whose tokens are in `into.head`), read into `into`;
 * `none` when the line does not start a row of this output.
 */
function readRowStart(scan: Scan, line: string, into: RowStart): 'row' | 'ignored' | 'none' {
  const { layout, options } = scan;
  const head = into.head;
  let index = 0;
  let proto: SocketProto;
  const netid = NETIDS.get(tokenText(scan, line, head, 0));
  if (layout.hasNetid || netid !== undefined) {
    if (netid === undefined) return 'none';
    if (netid === null) return options.kind ? 'none' : 'ignored';
    proto = netid;
    index = 1;
  } else {
    proto = options.kind === 'unix' ? 'unix' : (options.defaultProto ?? 'tcp');
  }
  if (options.kind && kindOf(proto) !== options.kind) return 'none';

  let stateRaw = '';
  const maybeState = tokenText(scan, line, head, index);
  const state: TcpState | null = lookupState(maybeState);
  if (layout.hasState || state !== null) {
    if (state === null) return 'none';
    stateRaw = maybeState;
    index++;
  }
  // Without a Netid column an UNCONN row can only be UDP.
  if (!layout.hasNetid && netid === undefined && state === 'UNCONN' && proto === 'tcp') proto = 'udp';

  const recvQ = index < head.count ? parseCountAt(line, head.starts[index] as number, head.ends[index] as number) : null;
  const sendQ = index + 1 < head.count ? parseCountAt(line, head.starts[index + 1] as number, head.ends[index + 1] as number) : null;
  if (recvQ === null || sendQ === null) return 'none';
  into.proto = proto;
  into.stateRaw = stateRaw;
  into.recvQ = recvQ;
  into.sendQ = sendQ;
  into.next = index + 2;
  return 'row';
}

/** Token `index` of the head as a (shared) string; empty when the line has fewer tokens. */
function tokenText(scan: Scan, line: string, head: Head, index: number): string {
  return index < head.count ? scan.strings.take(line, head.starts[index] as number, head.ends[index] as number) : '';
}

function startDraft(start: RowStart): RowDraft {
  const draft = emptyRow(start.proto, start.proto === 'unix' ? 'unix' : 'inet');
  draft.stateRaw = start.stateRaw;
  draft.state = normalizeState(start.stateRaw, start.proto);
  draft.recvQ = start.recvQ;
  draft.sendQ = start.sendQ;
  return draft;
}

// ── TCP/UDP rows ──────────────────────────────────────────────────────────────────────────────

/** `LOCAL PEER [users:(...)] [uid:N ino:N sk:X cgroup:… v6only:N <->]`; addresses never contain spaces. */
function readInetRecord(scan: Scan, line: string, at: number): RowDraft | null {
  const { row: start, lines, users, local, peer } = scan;
  const head = start.head;
  const localAt = start.next;
  const peerAt = start.next + 1;
  scan.recordLines = 1;
  if (peerAt >= head.count) return null;
  const peerEnd = head.ends[peerAt] as number;
  if (!readHostPortAt(line, head.starts[localAt] as number, head.ends[localAt] as number, scan.strings, local)) return null;
  if (!readHostPortAt(line, head.starts[peerAt] as number, peerEnd, scan.strings, peer)) return null;
  const draft = startDraft(start);
  draft.localAddress = local.address;
  draft.localPort = local.port;
  draft.remoteAddress = peer.address;
  draft.remotePort = peer.port;

  let record = line;
  let count = 1;
  readProcessColumn(record, peerEnd, false, users);
  // Joined lines only count when every name stays within 15 characters, so no row is ever taken in.
  while (users.status === 'open' && at + count < lines.count && count < MAX_RECORD_LINES) {
    record += `\n${lines.line(at + count)}`;
    count++;
    readProcessColumn(record, peerEnd, false, users);
  }
  const namesFit = users.status === 'read' && (count === 1 || namesWithin(users, MAX_COMM_CHARS));
  if (!namesFit) {
    // Not a name with a newline after all (a cut line, say): the next lines are read on their own.
    record = line;
    count = 1;
    readProcessColumn(record, peerEnd, true, users);
  }
  const extrasFrom = users.status === 'open' ? peerEnd : users.next;
  if (users.status === 'read' && users.count > 0) draft.processes = processesOf(record, users, scan.strings);
  readInetExtras(record, extrasFrom, draft);
  // Only a bare `*` on both sides needs v6only to tell the family.
  const v6only = local.address === '*' && peer.address === '*' ? readV6only(record, extrasFrom) : null;
  draft.family = inetFamily(local.address, peer.address, v6only);
  scan.recordLines = count;
  return draft;
}

/**
 * A bare `*` is ambiguous: modern ss prints it for a dual-stack IPv6 wildcard (`v6only:0` with
 * `-e`), old ss (CentOS 7) for IPv4 0.0.0.0. Decide by the peer, then by `v6only`.
 */
function inetFamily(local: string, peer: string, v6only: string | null): SocketFamily {
  if (local !== '*') return familyOfAddress(local);
  if (peer !== '*') return familyOfAddress(peer);
  return v6only !== null ? 'inet6' : 'inet';
}

/**
 * `-e` extras after the process column, in the order ss prints them: `uid:` (only when not 0),
 * `ino:`, `sk:`, then `cgroup:PATH`, where reading stops (a cgroup's name may hold spaces and
 * `uid:`).
 */
function readInetExtras(record: string, from: number, draft: RowDraft): void {
  let uidSeen = false;
  // Token by token, in place: tens of thousands of rows, no substrings.
  let i = skipSpaces(record, from);
  while (i < record.length) {
    const c = record.charCodeAt(i);
    if (c === 99 /* c */ && record.startsWith('cgroup:', i)) return;
    if (c === 117 /* u */ && !uidSeen && record.startsWith('uid:', i)) {
      draft.uid = nullIfNegative(readIntAt(record, i + 4));
      uidSeen = true;
    } else if (c === 105 /* i */ && record.startsWith('ino:', i)) {
      const inode = readIntAt(record, i + 4);
      draft.inode = inode <= 0 ? null : inode;
      // `-e` prints uid only when it is not 0: an `ino:` without `uid:` is a root-owned socket.
      if (!uidSeen) draft.uid = 0;
      // Nothing after `ino:` is read (a later `uid:` is not ss's).
      return;
    }
    i = skipSpaces(record, skipToSpace(record, i));
  }
}

/** `v6only:N`, which ss prints last but for the shutdown marker (after the cgroup path). */
function readV6only(record: string, from: number): string | null {
  let last = lastToken(record, from, record.length);
  if (last && SHUTDOWN_MARKERS.has(last.text)) last = lastToken(record, from, last.start);
  return last?.text.startsWith('v6only:') ? last.text.charAt(7) : null;
}

function nullIfNegative(value: number): number | null {
  return value < 0 ? null : value;
}

// ── the process column ────────────────────────────────────────────────────────────────────────

/**
 * `users:((...))` if it starts the column at `from` (after an old ss's `timer:(…)`), read into
 * `users`. `final`: no more lines will come, so a name that runs to the end is unreadable rather
 * than `open`.
 */
function readProcessColumn(text: string, from: number, final: boolean, users: UsersScan): void {
  let start = skipSpaces(text, from);
  if (text.startsWith('timer:(', start)) start = skipSpaces(text, skipToSpace(text, start));
  if (!text.startsWith('users:(', start)) {
    users.status = 'read';
    users.count = 0;
    users.next = start;
    return;
  }
  readUsersField(text, start, final, users);
}

/** `users:(` ENTRY {`,` ENTRY} `)` starting at `start`, read into `users`. */
function readUsersField(text: string, start: number, final: boolean, users: UsersScan): void {
  users.count = 0;
  let i = start + 'users:('.length;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 41 /* ) */) {
      users.status = 'read';
      users.next = i + 1;
      return;
    }
    if (users.count > 0) {
      if (c !== 44 /* , */) return unreadable(users, skipToSpace(text, i));
      i++;
    }
    if (!text.startsWith('("', i)) return unreadable(users, skipToSpace(text, i));
    const next = readProcessEntry(text, i + 2, final, users);
    if (next === ENTRY_OPEN) {
      users.status = 'open';
      return;
    }
    if (next === ENTRY_NONE) return unreadable(users, skipToSpace(text, i));
    i = next;
  }
}

function unreadable(users: UsersScan, next: number): void {
  users.status = 'unreadable';
  users.next = next;
}

function skipToSpace(line: string, from: number): number {
  const space = line.indexOf(' ', from);
  return space < 0 ? line.length : space;
}

/** `readProcessEntry` found no entry. */
const ENTRY_NONE = -1;
/** `readProcessEntry` ran out of text inside the entry: the name had a newline. */
const ENTRY_OPEN = -2;

/**
 * One `NAME",pid=N,fd=M)` starting at `nameStart`: the first `)` within reach that ends a
 * well-formed pid/fd suffix and is followed by `,("` or the list's `)`. ss cuts names at their
 * first `)`, so in real output that is the very first `)`; the name is everything before the
 * suffix's opening quote. Adds the entry to `users` and returns the index just after its `)`, or
 * ENTRY_NONE / ENTRY_OPEN.
 */
function readProcessEntry(text: string, nameStart: number, final: boolean, users: UsersScan): number {
  const limit = nameStart + MAX_NAME_CHARS + MAX_SUFFIX_CHARS;
  let close = text.indexOf(')', nameStart);
  while (close >= 0 && close < limit) {
    const quoteAt = pidSuffixQuote(text, nameStart, close);
    if (quoteAt >= 0 && quoteAt - nameStart <= MAX_NAME_CHARS) {
      const after = close + 1;
      const c = text.charCodeAt(after);
      if (c === 41 /* ) */ || (c === 44 /* , */ && text.startsWith('("', after + 1))) {
        const n = users.count++;
        users.nameStarts[n] = nameStart;
        users.nameEnds[n] = quoteAt;
        users.pids[n] = pidAfterQuote(text, quoteAt);
        return after;
      }
    }
    close = text.indexOf(')', close + 1);
  }
  // Ran out of text (not of reach) inside the entry: the name had a newline.
  return close < 0 && text.length < limit && !final ? ENTRY_OPEN : ENTRY_NONE;
}

/**
 * Checks, scanning backwards from `close`, for `",pid=DIGITS,fd=DIGITS` (iproute2 ≥ 4) or the
 * older `",DIGITS,DIGITS`, and returns where the closing quote of the name sits, or -1.
 */
function pidSuffixQuote(line: string, floor: number, close: number): number {
  let i = close - 1;
  const fdEnd = i;
  while (i >= floor && fdEnd - i < MAX_NUMBER_DIGITS && isDigit(line.charCodeAt(i))) i--;
  if (i === fdEnd) return -1;
  let named = false;
  if (endsWithAt(line, i, ',fd=')) {
    named = true;
    i -= 4;
  } else if (line.charCodeAt(i) === 44 /* , */) {
    i -= 1;
  } else return -1;
  const pidEnd = i;
  while (i >= floor && pidEnd - i < MAX_NUMBER_DIGITS && isDigit(line.charCodeAt(i))) i--;
  if (i === pidEnd) return -1;
  if (named) {
    if (!endsWithAt(line, i, '",pid=')) return -1;
    i -= 6;
  } else {
    if (!endsWithAt(line, i, '",')) return -1;
    i -= 2;
  }
  const quoteAt = i + 1;
  return quoteAt < floor ? -1 : quoteAt;
}

/** The pid of a suffix `pidSuffixQuote` accepted: `",pid=N` or `",N` after the quote (at most 10 digits). */
function pidAfterQuote(line: string, quoteAt: number): number {
  const digits = isDigit(line.charCodeAt(quoteAt + 2)) ? quoteAt + 2 : quoteAt + '",pid='.length;
  return readIntAt(line, digits);
}

/** Are all names of `users` at most `max` characters? */
function namesWithin(users: UsersScan, max: number): boolean {
  for (let n = 0; n < users.count; n++) if ((users.nameEnds[n] as number) - (users.nameStarts[n] as number) > max) return false;
  return true;
}

/** Entries with more pids than this are checked against a Set, so a huge column stays linear. */
const PID_SCAN_LIMIT = 8;

/** The processes of `users` (read from `text`), each pid once, as its first entry names it. */
function processesOf(text: string, users: UsersScan, strings: StringInterner): SocketProcess[] {
  // Nearly every socket has one holder: an exact array (a push onto [] reserves 17 slots).
  if (users.count === 1) return [{ pid: users.pids[0] as number, name: entryName(text, users, 0, strings) }];
  const processes: SocketProcess[] = [];
  let seen: Set<number> | null = null;
  for (let n = 0; n < users.count; n++) {
    const pid = users.pids[n] as number;
    if (seen ? seen.has(pid) : hasPid(processes, pid)) continue;
    processes.push({ pid, name: entryName(text, users, n, strings) });
    if (seen) seen.add(pid);
    else if (processes.length > PID_SCAN_LIMIT) seen = new Set(processes.map((p) => p.pid));
  }
  return processes;
}

function entryName(text: string, users: UsersScan, n: number, strings: StringInterner): string {
  return strings.take(text, users.nameStarts[n] as number, users.nameEnds[n] as number);
}

function hasPid(processes: readonly SocketProcess[], pid: number): boolean {
  for (const p of processes) if (p.pid === pid) return true;
  return false;
}

/** Does `text` end at index `last` (inclusive) with `suffix`? */
function endsWithAt(line: string, last: number, suffix: string): boolean {
  const start = last - suffix.length + 1;
  return start >= 0 && line.startsWith(suffix, start);
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

// ── Unix rows ─────────────────────────────────────────────────────────────────────────────────

interface UnixColumns {
  path: string;
  inode: number;
  peer: string;
  processes: SocketProcess[];
  /** An `-e` `ino:` extra (older ss), which also says uid 0 when no `uid:` came with it. */
  extrasUid: number | null;
}

/**
 * `PATH INODE PEER PEER_INODE [users:(...)] [extras]`, PATH possibly spanning lines. The first
 * lines up to one that ends the row make the record; the lines after it that do not start a row
 * are more of the path.
 */
function readUnixRecord(scan: Scan, first: string, at: number): RowDraft | null {
  const { row: start, lines } = scan;
  const pathStart = skipSpaces(first, start.head.ends[start.next - 1] as number);
  let record = first;
  let count = 1;
  scan.recordLines = 1;
  let columns = readUnixColumns(scan, record, pathStart, false);
  // A line that starts a row is never joined: whatever a path spells, the next socket stays whole.
  while (!columns && at + count < lines.count && count < MAX_RECORD_LINES) {
    const next = lines.line(at + count);
    if (startsRow(scan, next)) break;
    record += `\n${next}`;
    count++;
    columns = readUnixColumns(scan, record, pathStart, true);
  }
  if (!columns) return null;

  let probe = record;
  let probeCount = count;
  while (at + probeCount < lines.count && probe.length - pathStart < MAX_UNIX_PATH_CHARS) {
    const next = lines.line(at + probeCount);
    if (startsRow(scan, next)) break;
    probe += `\n${next}`;
    probeCount++;
    const longer = readUnixColumns(scan, probe, pathStart, true);
    if (longer) {
      record = probe;
      count = probeCount;
      columns = longer;
    }
  }

  const draft = startDraft(start);
  draft.localAddress = columns.path;
  draft.localPort = null;
  draft.remoteAddress = columns.peer;
  draft.remotePort = null;
  draft.inode = columns.inode === 0 ? null : columns.inode;
  draft.uid = columns.extrasUid;
  if (columns.processes.length > 0) draft.processes = columns.processes;
  scan.recordLines = count;
  return draft;
}

function startsRow(scan: Scan, line: string): boolean {
  // A line that starts with no space is blank only when empty.
  if (line.length === 0 || startsWithSpace(line)) return false;
  const head = scan.probe.head;
  head.count = tokenOffsets(line, head.starts, head.ends);
  return readRowStart(scan, line, scan.probe) !== 'none';
}

/**
 * Reads a Unix row's columns from the right end of `record`, or null when it does not end like
 * one (yet). `joined`: the record spans lines, so its path and names must fit the kernel's limits.
 */
function readUnixColumns(scan: Scan, record: string, pathStart: number, joined: boolean): UnixColumns | null {
  const extras = stripUnixExtras(record, pathStart);
  let columnsEnd = lastToken(record, pathStart, extras.end)?.end ?? pathStart;
  let processes: SocketProcess[] = [];
  if (columnsEnd > pathStart && record.charCodeAt(columnsEnd - 1) === 41 /* ) */) {
    const users = findUnixUsers(scan, record, pathStart, columnsEnd, joined);
    if (!users) return null;
    processes = users.processes;
    columnsEnd = users.start;
  }
  const peerInode = lastToken(record, pathStart, columnsEnd);
  const peer = peerInode ? lastToken(record, pathStart, peerInode.start) : null;
  const inode = peer ? lastToken(record, pathStart, peer.start) : null;
  if (!peerInode || !peer || !inode || !isDigits(peerInode.text)) return null;
  const inodeNumber = parseCount(inode.text);
  const path = lastToken(record, pathStart, inode.start);
  if (inodeNumber === null || !path) return null;
  const pathText = record.slice(pathStart, path.end);
  if (joined && pathText.length > MAX_UNIX_PATH_CHARS) return null;
  return { path: pathText, inode: inodeNumber, peer: peer.text, processes, extrasUid: extras.uid };
}

/**
 * Peels the `-e` extras off the end of a Unix row: `<->` (shutdown), `ino:N dev:M/m` (the file's
 * inode), `peers: N …` (a listener's waiting clients), and older ss's `uid:N ino:N sk:X`.
 */
function stripUnixExtras(record: string, floor: number): { end: number; uid: number | null } {
  let end = record.length;
  let uid: number | null = null;
  let socketInode = false;
  // The token peeled just before (to the right of) the current one.
  let rightOf = '';
  for (;;) {
    const token = lastToken(record, floor, end);
    if (!token) break;
    const t = token.text;
    if (SHUTDOWN_MARKERS.has(t) || t === 'peers:' || /^dev:\d+\/\d+$/.test(t) || /^sk:[0-9a-f]+$/.test(t)) {
      end = token.start;
    } else if (/^ino:\d+$/.test(t)) {
      // `ino:N dev:M/m` is the file a socket is bound to; a bare `ino:N` is older ss's -e detail.
      if (!rightOf.startsWith('dev:')) socketInode = true;
      end = token.start;
    } else if (/^uid:\d+$/.test(t)) {
      uid = readIntAt(t, 4);
      end = token.start;
    } else if (isDigits(t)) {
      // `peers: 1 2 3`: numbers count as extras only when `peers:` heads them.
      let head: Token | null = token;
      while (head && isDigits(head.text)) head = lastToken(record, floor, head.start);
      if (head?.text !== 'peers:') break;
      end = head.start;
    } else break;
    rightOf = t;
  }
  // `-e` prints uid only when it is not 0: socket details without `uid:` belong to root.
  return { end, uid: uid ?? (socketInode ? 0 : null) };
}

/**
 * Where the process column of a Unix row starts: a `users:((` whose entries run exactly to
 * `usersEnd`, after `INODE PEER PEER_INODE` and a path. A path (or a name) may itself contain
 * `users:((`; names are at most 15 characters, so the leftmost start whose names fit is the real
 * one, and any reading across lines must fit.
 */
function findUnixUsers(scan: Scan, record: string, pathStart: number, usersEnd: number, joined: boolean): { start: number; processes: SocketProcess[] } | null {
  const users = scan.users;
  let fallback: { start: number; processes: SocketProcess[] } | null = null;
  let candidates = 0;
  let at = record.indexOf('users:((', pathStart);
  while (at >= 0 && at < usersEnd && candidates < MAX_USERS_CANDIDATES) {
    candidates++;
    if (at > pathStart && startsWithSpace(record.charAt(at - 1)) && hasUnixAddressColumns(record, pathStart, at)) {
      readUsersField(record, at, true, users);
      if (users.status === 'read' && users.next === usersEnd) {
        if (namesWithin(users, MAX_COMM_CHARS)) return { start: at, processes: processesOf(record, users, scan.strings) };
        if (!joined) fallback ??= { start: at, processes: processesOf(record, users, scan.strings) };
      }
    }
    at = record.indexOf('users:((', at + 1);
  }
  return fallback;
}

/** `… PATH INODE PEER PEER_INODE` ends just before `end`. */
function hasUnixAddressColumns(record: string, pathStart: number, end: number): boolean {
  const peerInode = lastToken(record, pathStart, end);
  const peer = peerInode ? lastToken(record, pathStart, peerInode.start) : null;
  const inode = peer ? lastToken(record, pathStart, peer.start) : null;
  return (
    !!peerInode && !!inode && isDigits(peerInode.text) && isDigits(inode.text) && lastToken(record, pathStart, inode.start) !== null
  );
}

// ── tcp_info ──────────────────────────────────────────────────────────────────────────────────

/**
 * Where the value of the first `name` token at or after `from` starts (`name` preceded by
 * whitespace), or -1. indexOf-based and allocation-free: tens of thousands of long lines.
 */
function fieldStart(line: string, name: string, from: number): number {
  let at = line.indexOf(name, from);
  while (at >= 0) {
    const before = at === 0 ? 32 : line.charCodeAt(at - 1);
    if (before === 32 || before === 9) return at + name.length;
    at = line.indexOf(name, at + name.length);
  }
  return -1;
}

/**
 * `-i` line: `bytes_sent:` (or, before Linux 4.19, `bytes_acked:` which counts the SYN too),
 * `bytes_received:`, `rtt:AVG/VAR`. ss omits zero counters, so on a real tcp_info line (one with
 * an rtt) a missing counter means 0; listeners and TIME_WAIT rows have none and stay null.
 */
function applyTcpInfo(draft: RowDraft, line: string): void {
  if (draft.proto !== 'tcp') return;
  const rttAt = fieldStart(line, 'rtt:', 0);
  const rtt = rttAt < 0 ? -1 : readDecimalAt(line, rttAt);
  if (rtt < 0) return;
  // The first `bytes_sent:`, `bytes_acked:` and `bytes_received:` that start a token, in one pass.
  let sentAt = -1;
  let ackedAt = -1;
  let receivedAt = -1;
  for (let at = line.indexOf('bytes_'); at >= 0 && (sentAt < 0 || ackedAt < 0 || receivedAt < 0); at = line.indexOf('bytes_', at + 6)) {
    const before = at === 0 ? 32 : line.charCodeAt(at - 1);
    if (before !== 32 && before !== 9) continue;
    const name = at + 'bytes_'.length;
    const c = line.charCodeAt(name);
    if (c === 115 /* s */) {
      if (sentAt < 0 && line.startsWith('sent:', name)) sentAt = name + 'sent:'.length;
    } else if (c === 97 /* a */) {
      if (ackedAt < 0 && line.startsWith('acked:', name)) ackedAt = name + 'acked:'.length;
    } else if (c === 114 /* r */) {
      if (receivedAt < 0 && line.startsWith('received:', name)) receivedAt = name + 'received:'.length;
    }
  }
  const sent = sentAt < 0 ? -1 : readIntAt(line, sentAt);
  const acked = ackedAt < 0 ? -1 : readIntAt(line, ackedAt);
  const received = receivedAt < 0 ? -1 : readIntAt(line, receivedAt);
  draft.rttMs = rtt;
  draft.bytesSent = sent >= 0 ? sent : acked >= 0 ? Math.max(0, acked - 1) : 0;
  draft.bytesReceived = received >= 0 ? received : 0;
}
