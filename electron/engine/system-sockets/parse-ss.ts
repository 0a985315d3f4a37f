/**
 * Linux `ss` (iproute2): `ss -tuanpie`, `ss -tulpen`, `ss -a`, with or without the Netid/State
 * columns, the `-e` extras (uid:, ino:, v6only:) and the `-i` tcp_info continuation lines.
 *
 * The process column is the dangerous part: ss prints `users:(("name",pid=N,fd=M),…)` with the
 * name read from /proc/PID/stat up to the first `)` and no escaping at all, so a process may call
 * itself `x",pid=1,fd=9` and ss prints `("x",pid=1,fd=9",pid=4242,fd=3)`. Each entry therefore
 * ends at a `)` and its pid is the one in the entry's *last* `",pid=N,fd=M` suffix.
 */
import type { SocketFamily, SocketProto } from '../../../shared/system-sockets';
import type { ParseResult, RowDraft, Token } from './parse-common';
import {
  addProcess,
  emptyRow,
  familyOfAddress,
  isBlank,
  lookupState,
  neverThrow,
  normalizeState,
  parseCount,
  readDecimalAt,
  readIntAt,
  skipSpaces,
  splitHostPort,
  splitLines,
  startsWithSpace,
  tokenize,
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

/** Longest process entry body we look through; comm is 15 bytes, so this is generous. */
const MAX_ENTRY_CHARS = 512;
/** pid and fd are 32-bit: bounding the digit scan keeps each suffix check O(1). */
const MAX_NUMBER_DIGITS = 10;

export interface SsParseOptions {
  /** Protocol of rows when the output has no Netid column (`ss -tan` prints none). */
  defaultProto?: 'tcp' | 'udp';
}

export function parseSs(text: string, options: SsParseOptions = {}): ParseResult {
  return neverThrow(
    () => ({ rows: [], skippedLines: 0 }),
    () => parseSsUnsafe(text, options),
  );
}

function parseSsUnsafe(text: string, options: SsParseOptions): ParseResult {
  const drafts: RowDraft[] = [];
  let skippedLines = 0;
  let hasNetid = true;
  let hasState = true;
  let previous: RowDraft | null = null;

  for (const line of splitLines(String(text))) {
    if (isBlank(line)) continue;
    if (startsWithSpace(line)) {
      // `-i` puts tcp_info on the next line, indented by a tab.
      if (previous) applyTcpInfo(previous, line);
      continue;
    }
    previous = null;
    // Netid State Recv-Q Send-Q Local Peer: enough tokens for an inet row in one pass.
    const head = tokenize(line, 0, 6);
    const first = head[0]?.text ?? '';
    if (first === 'Netid' || first === 'State' || first === 'Recv-Q') {
      hasNetid = first === 'Netid';
      hasState = first !== 'Recv-Q';
      continue;
    }
    const parsed = parseRowLine(line, head, hasNetid, hasState, options);
    if (parsed === 'ignored') continue;
    if (parsed === null) {
      skippedLines++;
      continue;
    }
    drafts.push(parsed);
    previous = parsed;
  }
  return { rows: withKeys(drafts), skippedLines };
}

function parseRowLine(
  line: string,
  head: Token[],
  hasNetid: boolean,
  hasState: boolean,
  options: SsParseOptions,
): RowDraft | null | 'ignored' {
  let index = 0;
  let proto: SocketProto;
  const firstText = head[0]?.text ?? '';
  const netid = NETIDS.get(firstText);
  if (hasNetid || netid !== undefined) {
    if (netid === undefined) return null;
    if (netid === null) return 'ignored';
    proto = netid;
    index = 1;
  } else {
    proto = options.defaultProto ?? 'tcp';
  }

  let stateRaw = '';
  const maybeState = head[index]?.text ?? '';
  const state = lookupState(maybeState);
  if (hasState || state !== null) {
    if (state === null) return null;
    stateRaw = maybeState;
    index++;
  }
  // Without a Netid column an UNCONN row can only be UDP.
  if (!hasNetid && netid === undefined && state === 'UNCONN') proto = 'udp';

  const recvQ = parseCount(head[index]?.text);
  const sendQ = parseCount(head[index + 1]?.text);
  const sendQToken = head[index + 1];
  if (recvQ === null || sendQ === null || !sendQToken) return null;

  const draft = emptyRow(proto, proto === 'unix' ? 'unix' : 'inet');
  draft.stateRaw = stateRaw;
  draft.state = normalizeState(stateRaw, proto);
  draft.recvQ = recvQ;
  draft.sendQ = sendQ;

  const ok =
    proto === 'unix'
      ? readUnixColumns(line, sendQToken.end, draft)
      : readInetColumns(line, head[index + 2], head[index + 3], draft);
  return ok ? draft : null;
}

/** `LOCAL PEER [users:(...)] [uid:N ino:N sk:X …]`; inet addresses never contain spaces. */
function readInetColumns(line: string, localToken: Token | undefined, peerToken: Token | undefined, draft: RowDraft): boolean {
  const local = localToken ? splitHostPort(localToken.text) : null;
  const peer = peerToken ? splitHostPort(peerToken.text) : null;
  if (!local || !peer || !peerToken) return false;
  draft.localAddress = local.address;
  draft.localPort = local.port;
  draft.remoteAddress = peer.address;
  draft.remotePort = peer.port;
  const extrasFrom = readProcessColumn(line, peerToken.end, draft);
  const v6only = readExtras(line, extrasFrom, draft);
  draft.family = inetFamily(local.address, peer.address, v6only);
  return true;
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
 * Unix rows: `PATH INODE PEER PEER_INODE`, where PATH may contain spaces. The process column
 * starts at the first `users:(` token (or an `-e` extra), so the address part is read from the
 * right: peer inode, peer, own inode, and the path is whatever is left.
 */
function readUnixColumns(line: string, from: number, draft: RowDraft): boolean {
  const tokens = tokenize(line, from);
  let end = tokens.length;
  for (let i = 0; i < tokens.length; i++) {
    const t = (tokens[i] as Token).text;
    if (t.startsWith('users:(') || isExtraToken(t)) {
      end = i;
      break;
    }
  }
  if (end < 4) return false;
  const peerInode = tokens[end - 1] as Token;
  const peer = tokens[end - 2] as Token;
  const inode = tokens[end - 3] as Token;
  const pathFirst = tokens[0] as Token;
  const localInode = parseCount(inode.text);
  if (localInode === null || parseCount(peerInode.text) === null) return false;
  draft.localAddress = line.slice(pathFirst.start, (tokens[end - 4] as Token).end);
  draft.localPort = null;
  draft.remoteAddress = peer.text;
  draft.remotePort = null;
  draft.inode = localInode === 0 ? null : localInode;
  const extrasFrom = readProcessColumn(line, peerInode.end, draft);
  readExtras(line, extrasFrom, draft);
  return true;
}

function isExtraToken(t: string): boolean {
  return (
    t.startsWith('uid:') ||
    t.startsWith('ino:') ||
    t.startsWith('sk:') ||
    t.startsWith('cgroup:') ||
    t.startsWith('v6only:') ||
    t.startsWith('timer:(') ||
    t === '<->' ||
    t === '-->' ||
    t === '<--' ||
    t === '---'
  );
}

/**
 * Reads `users:((...),(...))` if it starts the column at `from`; returns where the rest of the
 * line (the `-e` extras) begins. Unreadable process text is dropped, never guessed at.
 */
function readProcessColumn(line: string, from: number, draft: RowDraft): number {
  const start = skipSpaces(line, from);
  if (!line.startsWith('users:(', start)) return start;
  let i = start + 'users:('.length;
  for (;;) {
    if (line[i] === ')') return i + 1;
    if (line[i] === ',' && line.startsWith('("', i + 1)) i++;
    if (!line.startsWith('("', i)) return skipToSpace(line, i);
    const entry = readProcessEntry(line, i + 2);
    if (entry === null) return skipToSpace(line, i);
    addProcess(draft, entry.pid, entry.name);
    i = entry.next;
  }
}

function skipToSpace(line: string, from: number): number {
  const space = line.indexOf(' ', from);
  return space < 0 ? line.length : space;
}

interface ProcessEntry {
  name: string;
  pid: number;
  /** Index just after the entry's closing `)`. */
  next: number;
}

/**
 * One `NAME",pid=N,fd=M)` starting at `nameStart`. The entry ends at the first `)` whose preceding
 * text ends with a well-formed pid/fd suffix (ss cuts names at their first `)`, so that is
 * normally the very first `)`); the name is everything before that suffix's opening quote.
 */
function readProcessEntry(line: string, nameStart: number): ProcessEntry | null {
  const limit = Math.min(line.length, nameStart + MAX_ENTRY_CHARS);
  let close = line.indexOf(')', nameStart);
  while (close >= 0 && close < limit) {
    const suffix = matchPidSuffix(line, nameStart, close);
    if (suffix) return { name: line.slice(nameStart, suffix.quoteAt), pid: suffix.pid, next: close + 1 };
    close = line.indexOf(')', close + 1);
  }
  return null;
}

/**
 * Checks, scanning backwards from `close`, for `",pid=DIGITS,fd=DIGITS` (iproute2 ≥ 4) or the
 * older `",DIGITS,DIGITS`, and returns the pid and where the closing quote of the name sits.
 */
function matchPidSuffix(
  line: string,
  floor: number,
  close: number,
): { pid: number; quoteAt: number } | null {
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

/** `-e` extras after the process column: uid:, ino:, v6only:. Returns the v6only value if any. */
function readExtras(line: string, from: number, draft: RowDraft): string | null {
  const uidAt = fieldStart(line, 'uid:', from);
  const inodeAt = fieldStart(line, 'ino:', from);
  if (uidAt >= 0) draft.uid = nullIfNegative(readIntAt(line, uidAt));
  if (inodeAt >= 0) {
    const inode = readIntAt(line, inodeAt);
    draft.inode = inode <= 0 ? null : inode;
    // `-e` prints uid only when it is not 0: an `ino:` without `uid:` is a root-owned socket.
    if (uidAt < 0) draft.uid = 0;
  }
  const v6onlyAt = fieldStart(line, 'v6only:', from);
  return v6onlyAt < 0 ? null : line.charAt(v6onlyAt);
}

function nullIfNegative(value: number): number | null {
  return value < 0 ? null : value;
}

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
