/**
 * REFERENCE ORACLE, not production code: `parseSs` exactly as hardened on 2026-12-01 (commit
 * 307bdd2's engine/system-sockets/parse-ss.ts, imports adjusted), before it was reworked to cut
 * per-row allocations. parse-ss.differential.test.ts checks that the production parser gives the
 * same result on randomized hostile output. Never import it outside that test; when parseSs's
 * behaviour is changed on purpose, change this copy the same way (or retire both together).
 *
 * Original header:
 *
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
 *
 */
import type { SocketFamily, SocketProto, TcpState } from '../../../../shared/system-sockets';
import type { ParseResult, RowDraft, Token } from '../../parse-common';
import {
  addProcess,
  emptyRow,
  familyOfAddress,
  isBlank,
  isDigits,
  lastToken,
  lookupState,
  neverThrow,
  normalizeState,
  parseCount,
  readDecimalAt,
  readIntAt,
  skipSpaces,
  splitHostPort,
  splitUnixLines,
  startsWithSpace,
  tokenize,
  withKeys,
} from '../../parse-common';

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

/** The columns every row starts with: netid, state, Recv-Q, Send-Q. */
interface RowStart {
  proto: SocketProto;
  stateRaw: string;
  recvQ: number;
  sendQ: number;
  /** The first line's tokens; `next` is the index of the one after Send-Q. */
  head: Token[];
  next: number;
}

interface ProcessEntry {
  name: string;
  pid: number;
  /** Index just after the entry's closing `)`. */
  next: number;
}

type UsersColumn =
  | { status: 'read'; entries: ProcessEntry[]; next: number }
  /** The text ended inside a name: the record goes on on the next line. */
  | { status: 'open' }
  /** Not readable: no process is guessed at; `next` is where the rest of the line is read from. */
  | { status: 'unreadable'; next: number };

interface RecordRead {
  draft: RowDraft | null;
  /** Lines the record took. */
  lines: number;
}

export function parseSsReference(text: string, options: SsParseOptions = {}): ParseResult {
  return neverThrow(
    () => ({ rows: [], skippedLines: 0 }),
    () => parseSsUnsafe(text, options),
  );
}

function parseSsUnsafe(text: string, options: SsParseOptions): ParseResult {
  const lines = splitUnixLines(String(text));
  const drafts: RowDraft[] = [];
  let skippedLines = 0;
  let layout: Layout = { hasNetid: true, hasState: true };
  // ss prints its header once, first: a header-like line anywhere else is data, not a new layout.
  let headerAllowed = true;
  let previous: RowDraft | null = null;

  let i = 0;
  while (i < lines.length) {
    const line = lines[i] as string;
    if (isBlank(line)) {
      i++;
      continue;
    }
    if (startsWithSpace(line)) {
      // `-i` puts tcp_info on the next line, indented by a tab.
      if (previous) applyTcpInfo(previous, line);
      i++;
      continue;
    }
    previous = null;
    // Netid State Recv-Q Send-Q Local Peer: enough tokens for an inet row in one pass.
    const head = tokenize(line, 0, 6);
    if (headerAllowed) {
      headerAllowed = false;
      const first = head[0]?.text ?? '';
      if (first === 'Netid' || first === 'State' || first === 'Recv-Q') {
        layout = { hasNetid: first === 'Netid', hasState: first !== 'Recv-Q' };
        i++;
        continue;
      }
    }
    const start = readRowStart(head, layout, options);
    if (start === 'ignored' || start === null) {
      if (start === null) skippedLines++;
      i++;
      continue;
    }
    const read = start.proto === 'unix' ? readUnixRecord(lines, i, start, layout, options) : readInetRecord(lines, i, start);
    i += read.lines;
    if (read.draft) {
      drafts.push(read.draft);
      previous = read.draft;
    } else skippedLines++;
  }
  return { rows: withKeys(drafts), skippedLines };
}

function kindOf(proto: SocketProto): 'inet' | 'unix' {
  return proto === 'unix' ? 'unix' : 'inet';
}

/** Netid, state and both queue sizes, or null when the line does not start a row of this output. */
function readRowStart(head: Token[], layout: Layout, options: SsParseOptions): RowStart | null | 'ignored' {
  let index = 0;
  let proto: SocketProto;
  const firstText = head[0]?.text ?? '';
  const netid = NETIDS.get(firstText);
  if (layout.hasNetid || netid !== undefined) {
    if (netid === undefined) return null;
    if (netid === null) return options.kind ? null : 'ignored';
    proto = netid;
    index = 1;
  } else {
    proto = options.kind === 'unix' ? 'unix' : (options.defaultProto ?? 'tcp');
  }
  if (options.kind && kindOf(proto) !== options.kind) return null;

  let stateRaw = '';
  const maybeState = head[index]?.text ?? '';
  const state: TcpState | null = lookupState(maybeState);
  if (layout.hasState || state !== null) {
    if (state === null) return null;
    stateRaw = maybeState;
    index++;
  }
  // Without a Netid column an UNCONN row can only be UDP.
  if (!layout.hasNetid && netid === undefined && state === 'UNCONN' && proto === 'tcp') proto = 'udp';

  const recvQ = parseCount(head[index]?.text);
  const sendQ = parseCount(head[index + 1]?.text);
  if (recvQ === null || sendQ === null) return null;
  return { proto, stateRaw, recvQ, sendQ, head, next: index + 2 };
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
function readInetRecord(lines: readonly string[], at: number, start: RowStart): RecordRead {
  const localToken = start.head[start.next];
  const peerToken = start.head[start.next + 1];
  const local = localToken ? splitHostPort(localToken.text) : null;
  const peer = peerToken ? splitHostPort(peerToken.text) : null;
  if (!local || !peer || !peerToken) return { draft: null, lines: 1 };
  const draft = startDraft(start);
  draft.localAddress = local.address;
  draft.localPort = local.port;
  draft.remoteAddress = peer.address;
  draft.remotePort = peer.port;

  let record = lines[at] as string;
  let count = 1;
  let users = readProcessColumn(record, peerToken.end, false);
  // Joined lines only count when every name stays within 15 characters, so no row is ever taken in.
  while (users.status === 'open' && at + count < lines.length && count < MAX_RECORD_LINES) {
    record += `\n${lines[at + count] as string}`;
    count++;
    users = readProcessColumn(record, peerToken.end, false);
  }
  const namesFit = users.status === 'read' && (count === 1 || users.entries.every((e) => e.name.length <= MAX_COMM_CHARS));
  if (!namesFit) {
    // Not a name with a newline after all (a cut line, say): the next lines are read on their own.
    record = lines[at] as string;
    count = 1;
    users = readProcessColumn(record, peerToken.end, true);
  }
  const extrasFrom = users.status === 'open' ? peerToken.end : users.next;
  if (users.status === 'read') for (const entry of users.entries) addProcess(draft, entry.pid, entry.name);
  readInetExtras(record, extrasFrom, draft);
  // Only a bare `*` on both sides needs v6only to tell the family.
  const v6only = local.address === '*' && peer.address === '*' ? readV6only(record, extrasFrom) : null;
  draft.family = inetFamily(local.address, peer.address, v6only);
  return { draft, lines: count };
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
  let inodeSeen = false;
  // Token by token, in place: tens of thousands of rows, no substrings.
  let i = skipSpaces(record, from);
  while (i < record.length && !record.startsWith('cgroup:', i)) {
    if (!uidSeen && !inodeSeen && record.startsWith('uid:', i)) {
      draft.uid = nullIfNegative(readIntAt(record, i + 4));
      uidSeen = true;
    } else if (!inodeSeen && record.startsWith('ino:', i)) {
      const inode = readIntAt(record, i + 4);
      draft.inode = inode <= 0 ? null : inode;
      inodeSeen = true;
      // `-e` prints uid only when it is not 0: an `ino:` without `uid:` is a root-owned socket.
      if (!uidSeen) draft.uid = 0;
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
 * `users:((...))` if it starts the column at `from` (after an old ss's `timer:(…)`). `final`: no
 * more lines will come, so a name that runs to the end is unreadable rather than `open`.
 */
function readProcessColumn(text: string, from: number, final: boolean): UsersColumn {
  let start = skipSpaces(text, from);
  if (text.startsWith('timer:(', start)) start = skipSpaces(text, skipToSpace(text, start));
  if (!text.startsWith('users:(', start)) return { status: 'read', entries: [], next: start };
  return readUsersField(text, start, final);
}

/** `users:(` ENTRY {`,` ENTRY} `)` starting at `start`. */
function readUsersField(text: string, start: number, final: boolean): UsersColumn {
  const entries: ProcessEntry[] = [];
  let i = start + 'users:('.length;
  for (;;) {
    if (text[i] === ')') return { status: 'read', entries, next: i + 1 };
    if (entries.length > 0) {
      if (text[i] !== ',') return { status: 'unreadable', next: skipToSpace(text, i) };
      i++;
    }
    if (!text.startsWith('("', i)) return { status: 'unreadable', next: skipToSpace(text, i) };
    const entry = readProcessEntry(text, i + 2, final);
    if (entry === 'open') return { status: 'open' };
    if (entry === null) return { status: 'unreadable', next: skipToSpace(text, i) };
    entries.push(entry);
    i = entry.next;
  }
}

function skipToSpace(line: string, from: number): number {
  const space = line.indexOf(' ', from);
  return space < 0 ? line.length : space;
}

/**
 * One `NAME",pid=N,fd=M)` starting at `nameStart`: the first `)` within reach that ends a
 * well-formed pid/fd suffix and is followed by `,("` or the list's `)`. ss cuts names at their
 * first `)`, so in real output that is the very first `)`; the name is everything before the
 * suffix's opening quote.
 */
function readProcessEntry(text: string, nameStart: number, final: boolean): ProcessEntry | null | 'open' {
  const limit = nameStart + MAX_NAME_CHARS + MAX_SUFFIX_CHARS;
  let close = text.indexOf(')', nameStart);
  while (close >= 0 && close < limit) {
    const suffix = matchPidSuffix(text, nameStart, close);
    if (suffix && suffix.quoteAt - nameStart <= MAX_NAME_CHARS) {
      const after = close + 1;
      if (text[after] === ')' || (text[after] === ',' && text.startsWith('("', after + 1))) {
        return { name: text.slice(nameStart, suffix.quoteAt), pid: suffix.pid, next: after };
      }
    }
    close = text.indexOf(')', close + 1);
  }
  // Ran out of text (not of reach) inside the entry: the name had a newline.
  return close < 0 && text.length < limit && !final ? 'open' : null;
}

/**
 * Checks, scanning backwards from `close`, for `",pid=DIGITS,fd=DIGITS` (iproute2 ≥ 4) or the
 * older `",DIGITS,DIGITS`, and returns the pid and where the closing quote of the name sits.
 */
function matchPidSuffix(line: string, floor: number, close: number): { pid: number; quoteAt: number } | null {
  let i = close - 1;
  const fdEnd = i;
  while (i >= floor && fdEnd - i < MAX_NUMBER_DIGITS && isDigit(line.charCodeAt(i))) i--;
  if (i === fdEnd) return null;
  let named = false;
  if (endsWithAt(line, i, ',fd=')) {
    named = true;
    i -= 4;
  } else if (line[i] === ',') {
    i -= 1;
  } else return null;
  const pidEnd = i;
  while (i >= floor && pidEnd - i < MAX_NUMBER_DIGITS && isDigit(line.charCodeAt(i))) i--;
  if (i === pidEnd) return null;
  const pidStart = i + 1;
  if (named) {
    if (!endsWithAt(line, i, '",pid=')) return null;
    i -= 6;
  } else {
    if (!endsWithAt(line, i, '",')) return null;
    i -= 2;
  }
  const quoteAt = i + 1;
  if (quoteAt < floor) return null;
  const pid = readIntAt(line, pidStart);
  return pid < 0 ? null : { pid, quoteAt };
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
  entries: ProcessEntry[];
  /** An `-e` `ino:` extra (older ss), which also says uid 0 when no `uid:` came with it. */
  extrasUid: number | null;
}

/**
 * `PATH INODE PEER PEER_INODE [users:(...)] [extras]`, PATH possibly spanning lines. The first
 * lines up to one that ends the row make the record; the lines after it that do not start a row
 * are more of the path.
 */
function readUnixRecord(lines: readonly string[], at: number, start: RowStart, layout: Layout, options: SsParseOptions): RecordRead {
  const sendQToken = start.head[start.next - 1] as Token;
  const first = lines[at] as string;
  const pathStart = skipSpaces(first, sendQToken.end);
  let record = first;
  let count = 1;
  let columns = readUnixColumns(record, pathStart, false);
  // A line that starts a row is never joined: whatever a path spells, the next socket stays whole.
  while (!columns && at + count < lines.length && count < MAX_RECORD_LINES && !startsRow(lines[at + count] as string, layout, options)) {
    record += `\n${lines[at + count] as string}`;
    count++;
    columns = readUnixColumns(record, pathStart, true);
  }
  if (!columns) return { draft: null, lines: 1 };

  let probe = record;
  let probeCount = count;
  while (at + probeCount < lines.length && probe.length - pathStart < MAX_UNIX_PATH_CHARS) {
    const next = lines[at + probeCount] as string;
    if (startsRow(next, layout, options)) break;
    probe += `\n${next}`;
    probeCount++;
    const longer = readUnixColumns(probe, pathStart, true);
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
  for (const entry of columns.entries) addProcess(draft, entry.pid, entry.name);
  return { draft, lines: count };
}

function startsRow(line: string, layout: Layout, options: SsParseOptions): boolean {
  if (isBlank(line) || startsWithSpace(line)) return false;
  return readRowStart(tokenize(line, 0, 4), layout, options) !== null;
}

/**
 * Reads a Unix row's columns from the right end of `record`, or null when it does not end like
 * one (yet). `joined`: the record spans lines, so its path and names must fit the kernel's limits.
 */
function readUnixColumns(record: string, pathStart: number, joined: boolean): UnixColumns | null {
  const extras = stripUnixExtras(record, pathStart);
  let columnsEnd = lastToken(record, pathStart, extras.end)?.end ?? pathStart;
  let entries: ProcessEntry[] = [];
  if (columnsEnd > pathStart && record.charCodeAt(columnsEnd - 1) === 41 /* ) */) {
    const users = findUnixUsers(record, pathStart, columnsEnd, joined);
    if (!users) return null;
    entries = users.entries;
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
  return { path: pathText, inode: inodeNumber, peer: peer.text, entries, extrasUid: extras.uid };
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
function findUnixUsers(record: string, pathStart: number, usersEnd: number, joined: boolean): { start: number; entries: ProcessEntry[] } | null {
  let fallback: { start: number; entries: ProcessEntry[] } | null = null;
  let candidates = 0;
  let at = record.indexOf('users:((', pathStart);
  while (at >= 0 && at < usersEnd && candidates < MAX_USERS_CANDIDATES) {
    candidates++;
    if (at > pathStart && startsWithSpace(record.charAt(at - 1)) && hasUnixAddressColumns(record, pathStart, at)) {
      const users = readUsersField(record, at, true);
      if (users.status === 'read' && users.next === usersEnd) {
        if (users.entries.every((e) => e.name.length <= MAX_COMM_CHARS)) return { start: at, entries: users.entries };
        if (!joined) fallback ??= { start: at, entries: users.entries };
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
  const sentAt = fieldStart(line, 'bytes_sent:', 0);
  const ackedAt = fieldStart(line, 'bytes_acked:', 0);
  const receivedAt = fieldStart(line, 'bytes_received:', 0);
  const sent = sentAt < 0 ? -1 : readIntAt(line, sentAt);
  const acked = ackedAt < 0 ? -1 : readIntAt(line, ackedAt);
  const received = receivedAt < 0 ? -1 : readIntAt(line, receivedAt);
  draft.rttMs = rtt;
  draft.bytesSent = sent >= 0 ? sent : acked >= 0 ? Math.max(0, acked - 1) : 0;
  draft.bytesReceived = received >= 0 ? received : 0;
}
