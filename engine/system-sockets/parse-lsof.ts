/**
 * lsof's socket list, in either of its two formats:
 *
 * - the field output `lsof -nP -iTCP -iUDP -F pcfdtPTn`, which the collector runs: one field per
 *   line, each tagged by its first character (`p` pid, `c` command, `f` fd, `t` type, `d` device,
 *   `P` protocol, `n` name, `T` TCP info such as `TST=LISTEN`). lsof escapes control characters
 *   in a command (`\n`, `\xNN`, `\\`), so a name never spans lines, and prints it whole
 *   (the columns cut it to 9 characters);
 * - the columns of `lsof -nP -iTCP -iUDP` and of a plain `lsof`, of which only IPv4/IPv6 rows
 *   are kept: `COMMAND PID [TID TASKCMD] USER FD TYPE DEVICE SIZE/OFF NODE NAME [(STATE)]`, with
 *   TID/TASKCMD present on newer Linux lsof and often blank, so rows are read relative to the TYPE
 *   token (IPv4/IPv6) and the NODE token (TCP/UDP) rather than by position. lsof escapes spaces
 *   there too (`\x20`), so COMMAND is always one token.
 *
 * lsof prints one entry per process (and per thread) holding a socket; entries for the same socket
 * (same DEVICE, protocol and NAME) are merged into one row with several processes, as ss does.
 */
import type { SocketFamily } from '../../shared/system-sockets';
import type { ParseResult, RowDraft, Token } from './parse-common';
import {
  addProcess,
  emptyRow,
  isBlank,
  neverThrow,
  normalizeState,
  parseCount,
  splitHostPort,
  splitUnixLines,
  tokenize,
  withKeys,
} from './parse-common';

export function parseLsof(text: string): ParseResult {
  return neverThrow(
    () => ({ rows: [], skippedLines: 0 }),
    () => parseUnsafe(text),
  );
}

function parseUnsafe(text: string): ParseResult {
  const lines = splitUnixLines(String(text));
  const firstLine = lines.find((line) => !isBlank(line)) ?? '';
  const sockets = new SocketMerger();
  if (/^p\d+$/.test(firstLine)) readFields(lines, sockets);
  else readColumns(lines, sockets);
  return sockets.result();
}

interface LsofRow {
  draft: RowDraft;
  identity: string;
  pid: number;
  command: string | null;
}

/** Rows by socket identity, in order of first appearance, with every process that holds each. */
class SocketMerger {
  private readonly bySocket = new Map<string, RowDraft>();
  private readonly drafts: RowDraft[] = [];
  skippedLines = 0;

  add(read: LsofRow): void {
    const existing = this.bySocket.get(read.identity);
    if (existing) {
      addProcess(existing, read.pid, read.command);
      return;
    }
    addProcess(read.draft, read.pid, read.command);
    this.bySocket.set(read.identity, read.draft);
    this.drafts.push(read.draft);
  }

  result(): ParseResult {
    return { rows: withKeys(this.drafts), skippedLines: this.skippedLines };
  }
}

// ── -F field output ───────────────────────────────────────────────────────────────────────────

interface FieldFile {
  type: string;
  device: string;
  protocol: string;
  name: string;
  state: string;
}

/**
 * `p` starts a process, `f` one of its files; the other fields belong to the file (or, for `c`,
 * the process) above them. A line without a known tag is not lsof's and is skipped; it can't move
 * a field to another process, because a pid only ever comes from a `p` line.
 */
function readFields(lines: readonly string[], sockets: SocketMerger): void {
  let pid: number | null = null;
  let command: string | null = null;
  let file: FieldFile | null = null;
  const flush = () => {
    if (file && pid !== null) {
      const read = socketOfFile(file, pid, command);
      if (read === 'skipped') sockets.skippedLines++;
      else if (read) sockets.add(read);
    }
    file = null;
  };
  for (const line of lines) {
    if (line.length === 0) continue;
    const value = line.slice(1);
    switch (line[0]) {
      case 'p':
        flush();
        pid = parseCount(value);
        command = null;
        if (pid === null) sockets.skippedLines++;
        break;
      case 'c':
        command = decodeLsofEscapes(value);
        break;
      case 'f':
        flush();
        file = { type: '', device: '', protocol: '', name: '', state: '' };
        break;
      case 't':
        if (file) file.type = value;
        break;
      case 'd':
        if (file) file.device = value;
        break;
      case 'P':
        if (file) file.protocol = value;
        break;
      case 'n':
        if (file) file.name = value;
        break;
      case 'T':
        if (file && value.startsWith('ST=')) file.state = value.slice(3);
        break;
      default:
        // Other fields (lsof prints only those asked for) and anything else: not part of a row.
        break;
    }
  }
  flush();
}

function socketOfFile(file: FieldFile, pid: number, command: string | null): LsofRow | null | 'skipped' {
  if (file.type !== 'IPv4' && file.type !== 'IPv6') return null;
  if (file.protocol !== 'TCP' && file.protocol !== 'UDP') return null;
  const draft = socketDraft(file.protocol === 'TCP' ? 'tcp' : 'udp', file.type === 'IPv6' ? 'inet6' : 'inet', file.name, file.state, file.device);
  if (!draft) return 'skipped';
  return { draft, identity: `${draft.proto}|${file.device}|${file.name}`, pid, command };
}

// ── column output ─────────────────────────────────────────────────────────────────────────────

function readColumns(lines: readonly string[], sockets: SocketMerger): void {
  for (const line of lines) {
    if (isBlank(line)) continue;
    const tokens = tokenize(line);
    if (tokens[0]?.text === 'COMMAND') continue;
    const typeIndex = tokens.findIndex((t, i) => i >= 2 && (t.text === 'IPv4' || t.text === 'IPv6'));
    // Files, pipes and Unix sockets of a plain `lsof` are not rows of this table.
    if (typeIndex < 0) continue;
    const read = readRow(tokens, typeIndex);
    if (read) sockets.add(read);
    else sockets.skippedLines++;
  }
}

function readRow(tokens: Token[], typeIndex: number): LsofRow | null {
  const command = decodeLsofEscapes((tokens[0] as Token).text);
  const pid = parseCount(tokens[1]?.text);
  if (pid === null) return null;
  const family = (tokens[typeIndex] as Token).text === 'IPv6' ? 'inet6' : 'inet';
  let nodeIndex = -1;
  for (let i = typeIndex + 1; i < tokens.length && i <= typeIndex + 4; i++) {
    const t = (tokens[i] as Token).text;
    if (t === 'TCP' || t === 'UDP') {
      nodeIndex = i;
      break;
    }
  }
  const name = tokens[nodeIndex + 1];
  if (nodeIndex < 0 || !name) return null;
  const proto = (tokens[nodeIndex] as Token).text === 'TCP' ? 'tcp' : 'udp';
  const stateToken = tokens[nodeIndex + 2]?.text ?? '';
  const state = stateToken.startsWith('(') && stateToken.endsWith(')') ? stateToken.slice(1, -1) : '';
  // On Linux DEVICE is the socket inode; on macOS it is a kernel address (0x…), still an identity.
  const device = nodeIndex - typeIndex >= 2 ? (tokens[typeIndex + 1] as Token).text : '';
  const draft = socketDraft(proto, family, name.text, state, device);
  if (!draft) return null;
  return { draft, identity: `${proto}|${device}|${name.text}`, pid, command };
}

/** A row from lsof's NAME (`LOCAL` or `LOCAL->REMOTE`), state word and DEVICE. */
function socketDraft(proto: 'tcp' | 'udp', family: SocketFamily, name: string, stateRaw: string, device: string): RowDraft | null {
  const arrow = name.indexOf('->');
  const local = splitHostPort(arrow < 0 ? name : name.slice(0, arrow));
  const remote = arrow < 0 ? null : splitHostPort(name.slice(arrow + 2));
  if (!local || (arrow >= 0 && !remote)) return null;

  const draft = emptyRow(proto, family);
  draft.localAddress = local.address;
  draft.localPort = local.port;
  draft.remoteAddress = remote ? remote.address : null;
  draft.remotePort = remote ? remote.port : null;
  draft.stateRaw = stateRaw;
  // lsof prints no state for UDP; one with a peer is a connected socket.
  draft.state = proto === 'udp' && stateRaw === '' && remote ? 'ESTABLISHED' : normalizeState(stateRaw, proto);
  const inode = parseCount(device);
  draft.inode = inode === 0 ? null : inode;
  return draft;
}

const SIMPLE_ESCAPES: Record<string, number> = { n: 0x0a, r: 0x0d, t: 0x09, b: 0x08, f: 0x0c, '\\': 0x5c };
const utf8 = new TextEncoder();

/**
 * lsof's escapes in a command name: `\xNN` for a byte it won't print (a space in the columns, any
 * non-ASCII byte in the C locale), `\n` `\r` `\t` `\b` `\f`, and `\\` for a backslash. The
 * bytes are UTF-8 again once decoded, so `\xe2\x80\xae` is U+202E (which the table then shows as
 * `⟨U+202E⟩`). Other controls, which lsof prints as `^X`, are left as printed.
 */
export function decodeLsofEscapes(text: string): string {
  if (!text.includes('\\')) return text;
  const bytes: number[] = [];
  let literalStart = 0;
  const flush = (end: number) => {
    if (end > literalStart) for (const b of utf8.encode(text.slice(literalStart, end))) bytes.push(b);
  };
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '\\') continue;
    const next = text[i + 1] ?? '';
    const simple = SIMPLE_ESCAPES[next];
    const hex = next === 'x' ? text.slice(i + 2, i + 4) : '';
    if (simple === undefined && !/^[0-9a-fA-F]{2}$/.test(hex)) continue;
    flush(i);
    if (simple !== undefined) {
      bytes.push(simple);
      i += 1;
    } else {
      bytes.push(parseInt(hex, 16));
      i += 3;
    }
    literalStart = i + 1;
  }
  flush(text.length);
  return new TextDecoder('utf-8', { fatal: false }).decode(new Uint8Array(bytes));
}
