/**
 * Linux net-tools `netstat`: `-tunap`, `-tunaep`, `-lnp`, `-aeep`, including the
 * "Active UNIX domain sockets" section. Used when `ss` is not installed.
 *
 * Columns are read as tokens, not by position: long IPv6 addresses push everything right. The
 * state is optional on UDP rows, so the token after the foreign address is a state only if it is
 * a state word. The PID/Program column ends the Internet rows and program names contain spaces
 * (`600/sshd: /usr/sbin`), so it is the rest of the line.
 */
import type { SocketProto } from '../../../shared/system-sockets';
import type { ParseResult, RowDraft, Token } from './parse-common';
import {
  addProcess,
  emptyRow,
  isBlank,
  lookupState,
  neverThrow,
  normalizeState,
  parseCount,
  skipSpaces,
  splitHostPort,
  splitLines,
  tokenize,
  withKeys,
} from './parse-common';

interface InetLayout {
  hasUserInode: boolean;
  hasProgram: boolean;
}

interface UnixLayout {
  hasProgram: boolean;
}

/** net-tools pads "PID/Program name" to 20 characters in the Unix section, where a path follows. */
const UNIX_PROGRAM_WIDTH = 20;

export function parseNetstatLinux(text: string): ParseResult {
  return neverThrow(
    () => ({ rows: [], skippedLines: 0 }),
    () => parseUnsafe(text),
  );
}

function parseUnsafe(text: string): ParseResult {
  const drafts: RowDraft[] = [];
  let skippedLines = 0;
  // Without a header (or before one) assume the richest layout we run ourselves: -tunaep.
  let inet: InetLayout = { hasUserInode: false, hasProgram: true };
  let unix: UnixLayout = { hasProgram: true };

  for (const line of splitLines(String(text))) {
    if (isBlank(line)) continue;
    const tokens = tokenize(line, 0, 8);
    const first = tokens[0]?.text ?? '';
    if (first === 'Active') continue;
    if (first === 'Proto') {
      if (line.includes('RefCnt')) unix = { hasProgram: line.includes('PID/Program') };
      else inet = { hasUserInode: line.includes('Inode'), hasProgram: line.includes('PID/Program') };
      continue;
    }
    const proto = protoOf(first);
    if (proto === 'ignored') continue;
    if (proto === null) {
      skippedLines++;
      continue;
    }
    const draft =
      proto === 'unix' ? readUnixRow(line, tokens, unix) : readInetRow(line, first, proto, inet);
    if (draft) drafts.push(draft);
    else skippedLines++;
  }
  return { rows: withKeys(drafts), skippedLines };
}

function protoOf(word: string): SocketProto | 'ignored' | null {
  switch (word) {
    case 'tcp':
    case 'tcp6':
      return 'tcp';
    case 'udp':
    case 'udp6':
      return 'udp';
    case 'unix':
      return 'unix';
    // raw, udplite, and the other families netstat can list are not part of this table.
    case 'raw':
    case 'raw6':
    case 'udpl':
    case 'udpl6':
    case 'sctp':
    case 'ax25':
    case 'ipx':
    case 'netrom':
    case 'x25':
      return 'ignored';
    default:
      return null;
  }
}

function readInetRow(line: string, word: string, proto: 'tcp' | 'udp', layout: InetLayout): RowDraft | null {
  const tokens = tokenize(line, 0, 6);
  const recvQ = parseCount(tokens[1]?.text);
  const sendQ = parseCount(tokens[2]?.text);
  const local = tokens[3] ? splitHostPort(tokens[3].text) : null;
  const foreign = tokens[4] ? splitHostPort(tokens[4].text) : null;
  if (recvQ === null || sendQ === null || !local || !foreign) return null;

  // tcp6/udp6 sockets are AF_INET6 even when netstat prints an IPv4-mapped peer as plain IPv4.
  const draft = emptyRow(proto, word.endsWith('6') ? 'inet6' : 'inet');
  draft.recvQ = recvQ;
  draft.sendQ = sendQ;
  draft.localAddress = local.address;
  draft.localPort = local.port;
  draft.remoteAddress = foreign.address;
  draft.remotePort = foreign.port;

  let cursor = (tokens[4] as Token).end;
  const next = tokenize(line, cursor, 1)[0];
  if (next && lookupState(next.text) !== null) {
    draft.stateRaw = next.text;
    cursor = next.end;
  } else if (proto === 'tcp') {
    return null;
  }
  draft.state = normalizeState(draft.stateRaw, proto);

  if (layout.hasUserInode) {
    const [user, inode] = tokenize(line, cursor, 2);
    if (!user || !inode) return null;
    // -n prints numeric uids; without it the column holds a user name we cannot map to a uid.
    draft.uid = parseCount(user.text);
    const inodeNumber = parseCount(inode.text);
    draft.inode = inodeNumber === 0 ? null : inodeNumber;
    cursor = inode.end;
  }
  if (layout.hasProgram) readProgram(line.slice(skipSpaces(line, cursor)).trimEnd(), draft);
  return draft;
}

/** `1178/pgpool`, `600/sshd: /usr/sbin`, or `-` when the process is not visible. */
function readProgram(field: string, draft: RowDraft): void {
  const slash = field.indexOf('/');
  if (slash <= 0) return;
  const pid = parseCount(field.slice(0, slash));
  if (pid === null) return;
  const name = field.slice(slash + 1);
  addProcess(draft, pid, name.length > 0 ? name : null);
}

/**
 * `unix 2 [ ACC ] STREAM LISTENING 33765 1723/systemd /run/…`: flags are bracketed and contain
 * spaces, the state is empty for datagram sockets, the program field is fixed-width and the path
 * (possibly empty, possibly with spaces) is the rest.
 */
function readUnixRow(line: string, tokens: Token[], layout: UnixLayout): RowDraft | null {
  if (parseCount(tokens[1]?.text) === null || !tokens[2]?.text.startsWith('[')) return null;
  const flagsEnd = line.indexOf(']', (tokens[2] as Token).start);
  if (flagsEnd < 0) return null;
  const [type, stateOrInode, maybeInode] = tokenize(line, flagsEnd + 1, 3);
  if (!type || !stateOrInode) return null;
  let inodeToken: Token | undefined;
  let stateRaw = '';
  if (parseCount(stateOrInode.text) !== null) inodeToken = stateOrInode;
  else {
    stateRaw = stateOrInode.text;
    inodeToken = maybeInode;
  }
  const inode = parseCount(inodeToken?.text);
  if (!inodeToken || inode === null) return null;

  const draft = emptyRow('unix', 'unix');
  draft.stateRaw = stateRaw;
  draft.state = normalizeState(stateRaw, 'unix');
  draft.inode = inode === 0 ? null : inode;
  let pathStart = skipSpaces(line, inodeToken.end);
  if (layout.hasProgram) {
    readProgram(line.slice(pathStart, pathStart + UNIX_PROGRAM_WIDTH).trim(), draft);
    pathStart = skipSpaces(line, pathStart + UNIX_PROGRAM_WIDTH);
  }
  const path = line.slice(pathStart).trimEnd();
  draft.localAddress = path.length > 0 ? path : '*';
  return draft;
}
