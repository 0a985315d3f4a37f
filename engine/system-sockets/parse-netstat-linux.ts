/**
 * Linux net-tools `netstat`: `-tunap`, `-tunaep`, `-tunaepx`, `-lnp`, `-aeep`, including the
 * "Active UNIX domain sockets" section. Used when `ss` is not installed.
 *
 * Columns are read as tokens, not by position: long IPv6 addresses push everything right. The
 * state is optional on UDP rows, so the token after the foreign address is a state only if it is
 * a state word. The PID/Program column ends the Internet rows and program names contain spaces
 * (`600/sshd: /usr/sbin`), so it is the rest of the line.
 *
 * The program name is the process's argv[0], printed raw: it may hold a newline, and the text
 * after it lands on a line of its own (`Proto`, `udp 0 0 1`). net-tools cuts `PID/name` to 19
 * characters and prints every row with fixed-width columns (at least 48 characters before the
 * program), so a line that short is never a row, only the rest of the program name above it; a
 * section title or header that fits the name above is that name, and a header counts only in full. Rows are taken only in their own section (no `tcp` row among the
 * Unix sockets). Unix paths come from /proc/net/unix cut at the first space, so they hold no
 * newline; a path that spells a whole /proc/net/unix line can still add a made-up Unix row.
 */
import type { SocketProto } from '../../shared/system-sockets';
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
  splitUnixLines,
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
/** net-tools keeps 19 characters of `PID/name`: a name continued over lines is no longer. */
const PROGRAM_MAX_CHARS = 19;
/** The shortest row net-tools prints (fixed-width printf columns before user/inode/program). */
const MIN_ROW_CHARS = 48;

type Section = 'inet' | 'unix' | 'other' | null;

/** The last row read, kept so that a line continuing its program name can be joined to it. */
interface LastRow {
  index: number;
  record: string;
  proto: SocketProto;
}

interface RecordRead {
  draft: RowDraft;
  /** The record ends inside its program name, so a line that is not a row may continue it. */
  programOpen: boolean;
}

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
  // Before any "Active …" line (output cut at the top) rows of both kinds are read.
  let section: Section = null;
  let last: LastRow | null = null;

  const readRecord = (record: string, proto: SocketProto): RecordRead | null => {
    if (proto === 'unix') return readUnixRow(record, tokenize(record, 0, 8), unix);
    const draft = readInetRow(record, tokenize(record, 0, 1)[0]?.text ?? '', proto, inet);
    // The program is the rest of an Internet row: any line that is not a row may continue it.
    return draft ? { draft, programOpen: inet.hasProgram && draft.processes.length > 0 } : null;
  };

  /** Joins `line` to the row above as the rest of its program name, if that still reads as one. */
  const continueProgram = (line: string): boolean => {
    if (!last) return false;
    const joined = `${last.record}\n${line}`;
    const longer = readRecord(joined, last.proto);
    if (!longer || !programFits(longer.draft)) return false;
    drafts[last.index] = longer.draft;
    last = longer.programOpen ? { ...last, record: joined } : null;
    return true;
  };

  for (const line of splitUnixLines(String(text))) {
    if (isBlank(line)) {
      // net-tools prints no blank lines inside a section: one there is part of a name.
      continueProgram(line);
      continue;
    }
    const tokens = tokenize(line, 0, 8);
    const first = tokens[0]?.text ?? '';
    // A name may go on with `Active x` or `Proto`: as the rest of a name it fits, a real title never does.
    if ((line.startsWith('Active ') || first === 'Proto') && continueProgram(line)) continue;
    if (line.startsWith('Active ')) {
      section = line.startsWith('Active Internet connections') ? 'inet' : line.startsWith('Active UNIX domain sockets') ? 'unix' : 'other';
      last = null;
      continue;
    }
    if (first === 'Proto' && line.includes('RefCnt') && line.includes('Flags')) {
      unix = { hasProgram: line.includes('PID/Program') };
      last = null;
      continue;
    }
    if (first === 'Proto' && line.includes('Recv-Q') && line.includes('Local Address')) {
      inet = { hasUserInode: line.includes('Inode'), hasProgram: line.includes('PID/Program') };
      last = null;
      continue;
    }
    const proto = line.length >= MIN_ROW_CHARS ? protoOf(first) : null;
    if (proto === 'ignored') {
      last = null;
      continue;
    }
    const inSection = proto !== null && (section === null || section === (proto === 'unix' ? 'unix' : 'inet'));
    const read = inSection && proto !== null ? readRecord(line, proto) : null;
    if (read && proto !== null) {
      last = read.programOpen ? { index: drafts.length, record: line, proto } : null;
      drafts.push(read.draft);
      continue;
    }
    // Not a row: the rest of the program name of the row above, if it has room for it.
    if (!continueProgram(line)) skippedLines++;
  }
  return { rows: withKeys(drafts), skippedLines };
}

/** A joined program name must fit net-tools' `PID/name` field, like every real one. */
function programFits(draft: RowDraft): boolean {
  return draft.processes.length > 0 && draft.processes.every((p) => `${p.pid}/${p.name ?? ''}`.length <= PROGRAM_MAX_CHARS);
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
function readUnixRow(line: string, tokens: Token[], layout: UnixLayout): RecordRead | null {
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
  const programStart = skipSpaces(line, inodeToken.end);
  let pathStart = programStart;
  if (layout.hasProgram) {
    readProgram(line.slice(programStart, programStart + UNIX_PROGRAM_WIDTH).trim(), draft);
    pathStart = skipSpaces(line, programStart + UNIX_PROGRAM_WIDTH);
  }
  const path = line.slice(pathStart).trimEnd();
  draft.localAddress = path.length > 0 ? path : '*';
  // A real field is padded to its width; one that stops short was cut by a newline in the name.
  const programOpen = layout.hasProgram && draft.processes.length > 0 && line.length < programStart + UNIX_PROGRAM_WIDTH;
  return { draft, programOpen };
}
