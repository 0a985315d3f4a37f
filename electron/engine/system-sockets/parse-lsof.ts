/**
 * `lsof -nP -iTCP -iUDP` (macOS, Linux) and plain `lsof`, of which only IPv4/IPv6 rows are kept.
 *
 * Columns are `COMMAND PID [TID TASKCMD] USER FD TYPE DEVICE SIZE/OFF NODE NAME [(STATE)]`, with
 * TID/TASKCMD present on newer Linux lsof and often blank, so rows are read relative to the TYPE
 * token (IPv4/IPv6) and the NODE token (TCP/UDP) rather than by position. lsof escapes spaces and
 * control characters in COMMAND as `\xNN`, so COMMAND is always one token.
 *
 * lsof prints one line per process (and per thread) holding a socket; lines for the same socket
 * (same DEVICE, protocol and NAME) are merged into one row with several processes, as ss does.
 */
import type { ParseResult, RowDraft, Token } from './parse-common';
import {
  addProcess,
  emptyRow,
  isBlank,
  neverThrow,
  normalizeState,
  parseCount,
  splitHostPort,
  splitLines,
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
  const bySocket = new Map<string, RowDraft>();
  const drafts: RowDraft[] = [];
  let skippedLines = 0;

  for (const line of splitLines(String(text))) {
    if (isBlank(line)) continue;
    const tokens = tokenize(line);
    if (tokens[0]?.text === 'COMMAND') continue;
    const typeIndex = tokens.findIndex((t, i) => i >= 2 && (t.text === 'IPv4' || t.text === 'IPv6'));
    // Files, pipes and Unix sockets of a plain `lsof` are not rows of this table.
    if (typeIndex < 0) continue;
    const read = readRow(tokens, typeIndex);
    if (!read) {
      skippedLines++;
      continue;
    }
    const existing = bySocket.get(read.identity);
    if (existing) {
      addProcess(existing, read.pid, read.command);
      continue;
    }
    addProcess(read.draft, read.pid, read.command);
    bySocket.set(read.identity, read.draft);
    drafts.push(read.draft);
  }
  return { rows: withKeys(drafts), skippedLines };
}

interface LsofRow {
  draft: RowDraft;
  identity: string;
  pid: number;
  command: string;
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

  const arrow = name.text.indexOf('->');
  const local = splitHostPort(arrow < 0 ? name.text : name.text.slice(0, arrow));
  const remote = arrow < 0 ? null : splitHostPort(name.text.slice(arrow + 2));
  if (!local || (arrow >= 0 && !remote)) return null;

  const draft = emptyRow(proto, family);
  draft.localAddress = local.address;
  draft.localPort = local.port;
  draft.remoteAddress = remote ? remote.address : null;
  draft.remotePort = remote ? remote.port : null;

  const stateToken = tokens[nodeIndex + 2]?.text ?? '';
  if (stateToken.startsWith('(') && stateToken.endsWith(')')) draft.stateRaw = stateToken.slice(1, -1);
  // lsof prints no state for UDP; one with a peer is a connected socket.
  draft.state =
    proto === 'udp' && draft.stateRaw === '' && remote ? 'ESTABLISHED' : normalizeState(draft.stateRaw, proto);

  // On Linux DEVICE is the socket inode; on macOS it is a kernel address (0x…), still an identity.
  const device = nodeIndex - typeIndex >= 2 ? (tokens[typeIndex + 1] as Token).text : '';
  const inode = parseCount(device);
  draft.inode = inode === 0 ? null : inode;
  return { draft, identity: `${proto}|${device}|${name.text}`, pid, command };
}

/** lsof writes `\x20` for a space and `\xNN` for other unprintable bytes in COMMAND. */
export function decodeLsofEscapes(text: string): string {
  if (!text.includes('\\x')) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\' && text[i + 1] === 'x') {
      const hex = text.slice(i + 2, i + 4);
      if (/^[0-9a-fA-F]{2}$/.test(hex)) {
        out += String.fromCharCode(parseInt(hex, 16));
        i += 3;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}
