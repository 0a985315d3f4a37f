/**
 * Helpers shared by the OS-table parsers. Everything here is linear in its input and never throws:
 * the parsers run on whatever a tool printed, including garbage, so a bad line must cost one
 * skipped line, never the whole table.
 */
import type {
  SocketFamily,
  SocketProto,
  SystemSocketRow,
  TcpState,
} from '../../shared/system-sockets';
import { systemSocketBaseKey } from '../../shared/system-sockets';

export interface ParseResult {
  rows: SystemSocketRow[];
  /** Lines that looked like socket rows but could not be read. */
  skippedLines: number;
}

/** A row whose key is not assigned yet (`withKeys` does that once all rows are known). */
export type RowDraft = SystemSocketRow;

export interface Token {
  text: string;
  start: number;
  end: number;
}

/** Lines without their terminators (`\n`, `\r\n`, lone `\r`). */
export function splitLines(text: string): string[] {
  // The plain split is several times faster and covers every Unix tool's output.
  return text.includes('\r') ? text.split(/\r\n|\n|\r/) : text.split('\n');
}

/**
 * Lines of a Unix tool's output: split at `\n` only (a `\r` is data: a process may have one in its
 * name). Text whose every line ends in `\r\n` (a capture saved on Windows) is split there instead.
 */
export function splitUnixLines(text: string): string[] {
  const lines = text.split('\n');
  if (!text.includes('\r\n') || text.split('\r\n').length !== lines.length) return lines;
  // Every line but the last ends in `\r`.
  return lines.map((line, i) => (i < lines.length - 1 ? line.slice(0, -1) : line));
}

/**
 * The lines `splitUnixLines` gives, kept as offsets into the text: a parser cuts a line out only
 * when it reads it, so 60,000 line strings don't all stay alive (and get copied by every scavenge)
 * for the whole parse.
 */
export class UnixLines {
  readonly count: number;
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;

  constructor(private readonly text: string) {
    let newlines = 0;
    // `\r\n` line ends only when every `\n` has its `\r` (else a `\r` is part of a name).
    let crlf = true;
    for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) {
      newlines++;
      if (text.charCodeAt(at - 1) !== 13) crlf = false;
    }
    const cut = crlf && newlines > 0 ? 1 : 0;
    this.count = newlines + 1;
    this.starts = new Int32Array(this.count);
    this.ends = new Int32Array(this.count);
    let line = 0;
    let start = 0;
    for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) {
      this.starts[line] = start;
      this.ends[line] = at - cut;
      line++;
      start = at + 1;
    }
    this.starts[line] = start;
    this.ends[line] = text.length;
  }

  line(index: number): string {
    return this.text.slice(this.starts[index], this.ends[index]);
  }
}

/** Slots of a StringInterner: plenty for the addresses, states and names one table repeats. */
const INTERN_SLOTS = 1024;
/** Longer texts are rarely repeated (and hashing them would cost more than a copy). */
const MAX_INTERNED_CHARS = 64;

/**
 * One string for each short text seen again: 20,000 rows share one `127.0.0.1`, one `ESTAB`,
 * one `node` instead of each holding (and the GC copying) its own. A fixed table whose slots a
 * collision overwrites, so a lookup costs one hash and a compare, and it never grows.
 */
export class StringInterner {
  private readonly slots = new Array<string>(INTERN_SLOTS).fill('');

  /** `text.slice(start, end)`, or an equal string handed out before. */
  take(text: string, start: number, end: number): string {
    const length = end - start;
    if (length > MAX_INTERNED_CHARS || length <= 0) return text.slice(start, end);
    // FNV-1a over the UTF-16 code units.
    let hash = 0x811c9dc5;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
    const slot = hash & (INTERN_SLOTS - 1);
    const seen = this.slots[slot] as string;
    if (seen.length === length && text.startsWith(seen, start)) return seen;
    const fresh = text.slice(start, end);
    this.slots[slot] = fresh;
    return fresh;
  }
}

function isSpace(code: number): boolean {
  // space, tab, and the rest of the ASCII whitespace; tools never pad with anything else.
  return code === 32 || (code >= 9 && code <= 13);
}

export function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) if (!isSpace(line.charCodeAt(i))) return false;
  return true;
}

export function startsWithSpace(line: string): boolean {
  return line.length > 0 && isSpace(line.charCodeAt(0));
}

/**
 * Whitespace-separated tokens with their offsets, so a caller can take "the rest of the line"
 * verbatim (program names and paths contain spaces). `limit` stops early on long lines.
 */
export function tokenize(line: string, from = 0, limit = Number.POSITIVE_INFINITY): Token[] {
  const tokens: Token[] = [];
  let i = from;
  const n = line.length;
  while (i < n && tokens.length < limit) {
    while (i < n && isSpace(line.charCodeAt(i))) i++;
    if (i >= n) break;
    const start = i;
    while (i < n && !isSpace(line.charCodeAt(i))) i++;
    tokens.push({ text: line.slice(start, i), start, end: i });
  }
  return tokens;
}

/**
 * `tokenize`'s first tokens as offsets only (no strings, no objects): fills `starts`/`ends` and
 * returns how many it found, at most their length.
 */
export function tokenOffsets(line: string, starts: Int32Array, ends: Int32Array): number {
  let count = 0;
  let i = 0;
  const n = line.length;
  while (i < n && count < starts.length) {
    while (i < n && isSpace(line.charCodeAt(i))) i++;
    if (i >= n) break;
    starts[count] = i;
    while (i < n && !isSpace(line.charCodeAt(i))) i++;
    ends[count] = i;
    count++;
  }
  return count;
}

/** Is `text` from `start` to `end` exactly `word`? */
export function rangeEquals(text: string, start: number, end: number, word: string): boolean {
  return end - start === word.length && text.startsWith(word, start);
}

/**
 * The last whitespace-separated token that ends at or before `end` and starts at or after `floor`,
 * or null: rows whose first column may hold spaces (Unix paths) are read from the right.
 */
export function lastToken(line: string, floor: number, end: number): Token | null {
  let i = Math.min(end, line.length);
  while (i > floor && isSpace(line.charCodeAt(i - 1))) i--;
  const tokenEnd = i;
  while (i > floor && !isSpace(line.charCodeAt(i - 1))) i--;
  if (i === tokenEnd) return null;
  return { text: line.slice(i, tokenEnd), start: i, end: tokenEnd };
}

/** Index of the first non-space character at or after `from` (line length if none). */
export function skipSpaces(line: string, from: number): number {
  let i = from;
  while (i < line.length && isSpace(line.charCodeAt(i))) i++;
  return i;
}

/** Non-empty and only ASCII digits. */
export function isDigits(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** A non-negative decimal integer that is exactly representable, else null. */
export function parseCount(text: string | undefined): number | null {
  if (text === undefined || !isDigits(text) || text.length > 16) return null;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : null;
}

/** `parseCount` of `text` from `start` to `end`, read in place. */
export function parseCountAt(text: string, start: number, end: number): number | null {
  if (end <= start || end - start > 16) return null;
  let value = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return null;
    value = value * 10 + (c - 48);
  }
  // Exact up to 2^53; anything larger comes out ≥ 2^53, which is not safe either way.
  return Number.isSafeInteger(value) ? value : null;
}

/**
 * The non-negative integer written at `start` (digits up to the first non-digit), or -1 when there
 * is none or it is too long to be exact. Reads in place: hot paths parse 10,000s of these.
 */
export function readIntAt(text: string, start: number): number {
  let value = 0;
  let i = start;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    if (i - start >= 16) return -1;
    value = value * 10 + (c - 48);
    i++;
  }
  return i === start ? -1 : value;
}

/**
 * The non-negative decimal at `start` (`12`, `0.029`), ending at whitespace, `/` or the end; -1
 * when malformed. int/10^k is the correctly rounded double, exactly what Number('0.029') gives.
 */
export function readDecimalAt(text: string, start: number): number {
  let whole = 0;
  let fraction = 0;
  let scale = 1;
  let digits = 0;
  let dot = -1;
  let i = start;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (dot >= 0 || digits === 0) return -1;
      dot = i;
    } else if (c >= 48 && c <= 57) {
      if (++digits > 15) return -1;
      if (dot < 0) whole = whole * 10 + (c - 48);
      else {
        fraction = fraction * 10 + (c - 48);
        scale *= 10;
      }
    } else if (c === 32 || c === 9 || c === 47) break;
    else return -1;
  }
  if (digits === 0 || dot === i - 1) return -1;
  return dot < 0 ? whole : (whole * scale + fraction) / scale;
}

/** A port 0–65535 written in decimal; `*`, service names and anything out of range are null. */
export function parsePort(text: string | undefined): number | null {
  if (text === undefined || !isDigits(text) || text.length > 5) return null;
  const value = Number(text);
  return value <= 65_535 ? value : null;
}

/** A non-negative decimal number such as ss's `rtt:0.029` (ms). */
export function parseDecimal(text: string | undefined): number | null {
  if (text === undefined || text.length === 0 || text.length > 24) return null;
  let dot = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (dot || i === 0 || i === text.length - 1) return null;
      dot = true;
    } else if (c < 48 || c > 57) return null;
  }
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

export interface HostPort {
  address: string;
  port: number | null;
  /** The port text was present and not `*`/empty but not a usable number (a service name). */
  portUnreadable: boolean;
}

/**
 * Normalises an address the way the table shows it: IPv6 brackets stripped, zone ids and
 * bound-device suffixes kept, an empty address read as the wildcard `*`.
 */
export function normalizeAddress(raw: string): string {
  let address = raw;
  if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1);
  return address.length === 0 ? '*' : address;
}

/**
 * Splits `HOST:PORT`, `[V6]:PORT`, `:::22` (Linux netstat's unbracketed IPv6) and `*:*` at the last
 * colon; macOS netstat writes `HOST.PORT`, so the separator is a parameter.
 */
export function splitHostPort(text: string, separator: ':' | '.' = ':'): HostPort | null {
  if (text.length === 0) return null;
  if (separator === ':' && text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return null;
    const rest = text.slice(close + 1);
    if (rest.length === 0) return { address: normalizeAddress(text), port: null, portUnreadable: false };
    if (!rest.startsWith(':')) return null;
    return withPort(normalizeAddress(text.slice(0, close + 1)), rest.slice(1));
  }
  const at = text.lastIndexOf(separator);
  if (at < 0) return { address: normalizeAddress(text), port: null, portUnreadable: false };
  return withPort(normalizeAddress(text.slice(0, at)), text.slice(at + 1));
}

/** Where `readHostPortAt` puts what it read (one object reused for every row). */
export interface Endpoint {
  address: string;
  port: number | null;
}

/**
 * `splitHostPort(text.slice(start, end))` (colon separator) read in place: fills `into` and says
 * whether the text was an endpoint. Addresses come from `strings`, so repeated ones are shared.
 */
export function readHostPortAt(text: string, start: number, end: number, strings: StringInterner, into: Endpoint): boolean {
  if (end <= start) return false;
  let portAt: number;
  if (text.charCodeAt(start) === 91 /* [ */) {
    const close = text.indexOf(']', start);
    if (close < 0 || close >= end) return false;
    if (close + 1 < end && text.charCodeAt(close + 1) !== 58 /* : */) return false;
    into.address = close === start + 1 ? '*' : strings.take(text, start + 1, close);
    portAt = close + 1 < end ? close + 2 : -1;
  } else {
    let colon = end - 1;
    while (colon >= start && text.charCodeAt(colon) !== 58) colon--;
    if (colon < start) {
      into.address = strings.take(text, start, end);
      portAt = -1;
    } else {
      into.address = colon === start ? '*' : strings.take(text, start, colon);
      portAt = colon + 1;
    }
  }
  into.port = portAt < 0 ? null : parsePortAt(text, portAt, end);
  return true;
}

/** `parsePort` of `text` from `start` to `end` (an empty or `*` port is none). */
function parsePortAt(text: string, start: number, end: number): number | null {
  if (end - start > 5) return null;
  const value = parseCountAt(text, start, end);
  return value !== null && value <= 65_535 ? value : null;
}

function withPort(address: string, portText: string): HostPort {
  if (portText === '*' || portText.length === 0) return { address, port: null, portUnreadable: false };
  const port = parsePort(portText);
  return { address, port, portUnreadable: port === null };
}

export function familyOfAddress(address: string): SocketFamily {
  return address.includes(':') ? 'inet6' : 'inet';
}

/**
 * Every tool's spelling of a state, squeezed (upper case, no `-`, `_` or spaces), mapped to the
 * canonical name. Linux netstat says SYN_RECV and FIN_WAIT1, ss says ESTAB and TIME-WAIT, Windows
 * says LISTENING, macOS SYN_RCVD, lsof IDLE, Unix sockets CONNECTED, PowerShell SynReceived.
 */
const STATE_WORDS = new Map<string, TcpState>(
  Object.entries({
    LISTEN: 'LISTEN',
    LISTENING: 'LISTEN',
    SYNSENT: 'SYN_SENT',
    SYNRECV: 'SYN_RECEIVED',
    SYNRECEIVED: 'SYN_RECEIVED',
    SYNRCVD: 'SYN_RECEIVED',
    NEWSYNRECV: 'SYN_RECEIVED',
    ESTAB: 'ESTABLISHED',
    ESTABLISHED: 'ESTABLISHED',
    CONNECTED: 'ESTABLISHED',
    FINWAIT1: 'FIN_WAIT_1',
    FINWAIT2: 'FIN_WAIT_2',
    CLOSEWAIT: 'CLOSE_WAIT',
    CLOSING: 'CLOSING',
    DISCONNECTING: 'CLOSING',
    LASTACK: 'LAST_ACK',
    TIMEWAIT: 'TIME_WAIT',
    CLOSE: 'CLOSED',
    CLOSED: 'CLOSED',
    // lsof (macOS) calls a TCP socket that is neither listening nor connected IDLE: TCPS_CLOSED.
    IDLE: 'CLOSED',
    CONNECTING: 'SYN_SENT',
    BOUND: 'BOUND',
    UNCONN: 'UNCONN',
    UNCONNECTED: 'UNCONN',
    UNKNOWN: 'UNKNOWN',
  } satisfies Record<string, TcpState>),
);

/** Exact words seen before: the vocabulary is tiny and parsers ask once per line. */
const STATE_CACHE = new Map<string, TcpState | null>();
const STATE_CACHE_LIMIT = 512;

function squeezeState(raw: string): string {
  let out = '';
  for (let i = 0; i < raw.length && out.length < 32; i++) {
    const ch = raw[i] as string;
    if (ch === '-' || ch === '_' || ch === ' ' || ch === '(' || ch === ')') continue;
    out += ch.toUpperCase();
  }
  return out;
}

/** Canonical state for a tool's word, or null when the word is not a state at all. */
export function lookupState(raw: string): TcpState | null {
  if (raw.length === 0 || raw.length > 40) return null;
  const cached = STATE_CACHE.get(raw);
  if (cached !== undefined) return cached;
  const state = STATE_WORDS.get(squeezeState(raw)) ?? null;
  if (STATE_CACHE.size < STATE_CACHE_LIMIT) STATE_CACHE.set(raw, state);
  return state;
}

/** Canonical state; an empty word on a UDP or Unix datagram row means unconnected. */
export function normalizeState(raw: string, proto: SocketProto): TcpState {
  if (raw.length === 0) return proto === 'tcp' ? 'UNKNOWN' : 'UNCONN';
  return lookupState(raw) ?? 'UNKNOWN';
}

export function emptyRow(proto: SocketProto, family: SocketFamily): RowDraft {
  return {
    key: '',
    proto,
    family,
    localAddress: '*',
    localPort: null,
    remoteAddress: null,
    remotePort: null,
    state: proto === 'tcp' ? 'UNKNOWN' : 'UNCONN',
    stateRaw: '',
    recvQ: null,
    sendQ: null,
    processes: [],
    uid: null,
    inode: null,
    bytesSent: null,
    bytesReceived: null,
    rttMs: null,
  };
}

/**
 * Gives every row its key; identical base keys (Windows lists the same UDP port once per socket,
 * TIME_WAIT rows have neither inode nor process) get `#2`, `#3`… in output order so keys are
 * unique within a snapshot.
 */
export function withKeys(drafts: RowDraft[]): SystemSocketRow[] {
  const seen = new Map<string, number>();
  for (const draft of drafts) {
    const base = flat(systemSocketBaseKey(draft));
    const count = seen.get(base);
    seen.set(base, (count ?? 0) + 1);
    draft.key = count === undefined ? base : `${base}#${count + 1}`;
  }
  return drafts;
}

/**
 * `text` made one flat string now. A key built by concatenation is a tree of 5–6 string pieces
 * per row, which a Map lookup hashes but leaves as it is: 20,000 rows would keep (and every
 * scavenge copy) 100,000 pieces. Reading a character makes V8 flatten it once.
 */
function flat(text: string): string {
  text.charCodeAt(0);
  return text;
}

/** Adds a process unless that pid is already listed (thread rows, repeated fds). */
export function addProcess(row: RowDraft, pid: number, name: string | null): void {
  const existing = row.processes.find((p) => p.pid === pid);
  if (existing) {
    if (existing.name === null && name !== null) existing.name = name;
    return;
  }
  row.processes.push({ pid, name });
}

let crashes = 0;

/** How many times a parser body threw (tests assert this stays 0: the guard must not hide bugs). */
export function parserCrashCount(): number {
  return crashes;
}

/**
 * Runs a parser body and turns an unexpected exception into "nothing read" rather than taking the
 * whole table down. The parsers are written not to throw; this is the last line of defence.
 */
export function neverThrow<T>(fallback: () => T, body: () => T): T {
  try {
    return body();
  } catch {
    crashes++;
    return fallback();
  }
}
