/**
 * macOS (BSD) `netstat`: `-anv -p tcp`, `-anvW`, `-An`, `-Abn`. Addresses are `HOST.PORT` with a
 * dot; `*.*` is the wildcard. Columns come from the header:
 *   [Socket Flowhash] Proto Recv-Q Send-Q Local Address Foreign Address (state) [rxbytes txbytes]
 *   [-v: rhiwat shiwat pid epid state options … | rxbytes txbytes rhiwat shiwat process:pid state …]
 * UDP rows leave `(state)` blank, so they have one token fewer than TCP rows.
 *
 * Without `-W` netstat cuts addresses to the column width (18 with -A, 22 otherwise):
 * `2600:1700:bab0:d.5` is neither the address nor the port. A field exactly as wide as its column
 * may have been cut, so it is shown with an ellipsis and no port rather than with a wrong port;
 * the collector runs `-W`, where fields are never cut, and says so with `wideAddresses`.
 *
 * A `process:pid` name is printed as the process calls itself: spaces, and possibly newlines. The
 * columns after it are hex numbers, so a row is whole only when they are; a row cut short by a
 * newline in its name goes on on the next lines, and a line that is not a row but completes the
 * row above is more of that name (never a row, a header or a section title of its own).
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

export interface MacNetstatOptions {
  /** The output came from `netstat -W`: addresses are never truncated. */
  wideAddresses?: boolean;
}

interface Layout {
  /** Tokens before Proto: 2 with -A (Socket, Flowhash). */
  lead: number;
  /** Header names of the columns after `(state)`. */
  extras: string[];
  /** Width of the address columns, for truncation detection; null when unknown. */
  addressWidth: number | null;
}

const DEFAULT_LAYOUT: Layout = { lead: 0, extras: [], addressWidth: null };

/** netstat -v prints 16 characters of a name (MAXCOMLEN: `Google Chrome He`); one continued over lines is no longer. */
const MAX_NAME_CHARS = 16;
/** The columns netstat -v prints after `process:pid` (state, options, gencnt, flags…) are all hex. */
const HEX_COLUMN = /^(?:0x)?[0-9a-fA-F]+$/;

interface RowRead {
  draft: RowDraft;
  /** Every column the header promises is there and well-formed (false: cut by a newline in a name). */
  whole: boolean;
}

export function parseNetstatMacos(text: string, options: MacNetstatOptions = {}): ParseResult {
  return neverThrow(
    () => ({ rows: [], skippedLines: 0 }),
    () => parseUnsafe(text, options),
  );
}

function parseUnsafe(text: string, options: MacNetstatOptions): ParseResult {
  const drafts: RowDraft[] = [];
  let skippedLines = 0;
  let layout = DEFAULT_LAYOUT;
  let inInternetSection = true;
  const lines = splitUnixLines(String(text));

  let i = 0;
  while (i < lines.length) {
    const line = lines[i] as string;
    i++;
    if (isBlank(line)) continue;
    // Section titles are whole lines of words; later sections (LOCAL (UNIX) domain sockets,
    // kernel controls, events) have other columns.
    if (/^Active [A-Za-z()/ -]+$/.test(line.trimEnd())) {
      inInternetSection = line.startsWith('Active Internet');
      continue;
    }
    if (!inInternetSection) continue;
    const tokens = tokenize(line);
    const protoIndex = tokens.findIndex((t) => t.text === 'Proto');
    if (protoIndex >= 0 && protoIndex <= 2 && line.includes('Local Address') && line.includes('Foreign Address')) {
      layout = readHeader(line, tokens, protoIndex, options);
      continue;
    }
    if (line.startsWith('Some ') || line.startsWith('Current listen')) continue;
    const read = readRow(line, tokens, layout);
    if (read === 'ignored') continue;
    if (!read) {
      skippedLines++;
      continue;
    }
    const continued = readContinuation(lines, i, line, read, layout);
    drafts.push(continued.read.draft);
    i += continued.lines;
  }
  return { rows: withKeys(drafts), skippedLines };
}

/**
 * The lines after a row that belong to it: while the row is cut short, the next lines (its name
 * had a newline); after that, lines that are not rows of their own yet make the row whole again
 * when joined. Bounded by the longest name.
 */
function readContinuation(lines: readonly string[], from: number, line: string, first: RowRead, layout: Layout): { read: RowRead; lines: number } {
  if (layout.extras.indexOf('process:pid') < 0) return { read: first, lines: 0 };
  let best = first;
  let bestLines = 0;
  let record = line;
  let taken = 0;
  while (from + taken < lines.length && record.length - line.length <= MAX_NAME_CHARS) {
    const next = lines[from + taken] as string;
    // A row of its own ends a whole row's continuation; a cut row takes whatever comes.
    if (best.whole && startsRow(next, layout)) break;
    record += `\n${next}`;
    taken++;
    const joined = readRow(record, tokenize(record), layout);
    if (joined && joined !== 'ignored' && joined.whole && nameFits(joined.draft)) {
      best = joined;
      bestLines = taken;
    }
  }
  return { read: best, lines: bestLines };
}

/** `PROTO RECV-Q SEND-Q` where this layout's rows begin. */
function startsRow(line: string, layout: Layout): boolean {
  const tokens = tokenize(line, 0, layout.lead + 3);
  const proto = tokens[layout.lead]?.text ?? '';
  return /^(tcp|udp|icm|raw|ip|div)/.test(proto) && parseCount(tokens[layout.lead + 1]?.text) !== null && parseCount(tokens[layout.lead + 2]?.text) !== null;
}

function nameFits(draft: RowDraft): boolean {
  return draft.processes.every((p) => (p.name ?? '').length <= MAX_NAME_CHARS);
}

function readHeader(line: string, tokens: Token[], protoIndex: number, options: MacNetstatOptions): Layout {
  const stateIndex = tokens.findIndex((t) => t.text === '(state)');
  const extras = stateIndex >= 0 ? tokens.slice(stateIndex + 1).map((t) => t.text) : [];
  const localAt = line.indexOf('Local Address');
  const foreignAt = line.indexOf('Foreign Address');
  const addressWidth =
    options.wideAddresses || localAt < 0 || foreignAt <= localAt ? null : foreignAt - localAt - 1;
  return { lead: protoIndex, extras, addressWidth };
}

function familyOf(proto: string): SocketFamily {
  // tcp46/udp46 are dual-stack AF_INET6 sockets.
  return proto.endsWith('4') && !proto.endsWith('46') ? 'inet' : 'inet6';
}

function readRow(line: string, tokens: Token[], layout: Layout): RowRead | null | 'ignored' {
  const protoText = tokens[layout.lead]?.text ?? '';
  const isTcp = protoText.startsWith('tcp');
  const isUdp = protoText.startsWith('udp');
  if (!isTcp && !isUdp) {
    // icm4/icm6/raw rows are real sockets, but not part of this table.
    return /^(icm|raw|ip|div)/.test(protoText) ? 'ignored' : null;
  }
  const at = layout.lead;
  const recvQ = parseCount(tokens[at + 1]?.text);
  const sendQ = parseCount(tokens[at + 2]?.text);
  const localToken = tokens[at + 3];
  const foreignToken = tokens[at + 4];
  if (recvQ === null || sendQ === null || !localToken || !foreignToken) return null;
  const local = readAddress(localToken.text, layout.addressWidth);
  const foreign = readAddress(foreignToken.text, layout.addressWidth);
  if (!local || !foreign) return null;

  const proto = isTcp ? 'tcp' : 'udp';
  const draft = emptyRow(proto, familyOf(protoText));
  draft.recvQ = recvQ;
  draft.sendQ = sendQ;
  draft.localAddress = local.address;
  draft.localPort = local.port;
  draft.remoteAddress = foreign.address;
  draft.remotePort = foreign.port;
  let next = at + 5;
  if (isTcp) {
    const stateToken = tokens[next];
    if (!stateToken) return null;
    draft.stateRaw = stateToken.text;
    next++;
  }
  draft.state = normalizeState(draft.stateRaw, proto);
  // macOS keeps no state for UDP; one with a foreign port is connected.
  if (!isTcp && draft.remotePort !== null && draft.remotePort !== 0) draft.state = 'ESTABLISHED';
  const whole = readExtras(line, tokens.slice(next), layout.extras, draft);
  return { draft, whole };
}

function readAddress(text: string, width: number | null): { address: string; port: number | null } | null {
  if (width !== null && text.length === width) {
    // Possibly cut by netstat (a cut field is exactly as wide as its column; a longer one came from
    // -W and is whole): keep what was printed, marked, and claim no port.
    return { address: `${text}…`, port: null };
  }
  const split = splitHostPort(text, '.');
  return split ? { address: split.address, port: split.port } : null;
}

/**
 * Maps the tokens after the state onto the header's extra columns. A `process:pid` value can
 * contain spaces (`Google Chrome H:812`), so the columns before it are read from the left, those
 * after it from the right, and the process is what lies between, verbatim. Returns whether the
 * row is whole: every column there and, around a process, the columns after it hex numbers.
 */
function readExtras(line: string, values: Token[], names: string[], draft: RowDraft): boolean {
  const byName = new Map<string, string>();
  const processAt = names.indexOf('process:pid');
  if (processAt < 0) {
    names.forEach((name, i) => {
      const value = values[i];
      if (value && !byName.has(name)) byName.set(name, value.text);
    });
  } else {
    const after = names.length - processAt - 1;
    if (values.length < processAt + 1 + after) return false;
    for (let i = values.length - after; i < values.length; i++) if (!HEX_COLUMN.test((values[i] as Token).text)) return false;
    for (let i = 0; i < processAt; i++) byName.set(names[i] as string, (values[i] as Token).text);
    const first = values[processAt] as Token;
    const last = values[values.length - 1 - after] as Token;
    byName.set('process:pid', line.slice(first.start, last.end));
  }

  const rx = parseCount(byName.get('rxbytes'));
  const tx = parseCount(byName.get('txbytes'));
  if (rx !== null) draft.bytesReceived = rx;
  if (tx !== null) draft.bytesSent = tx;

  const processPid = byName.get('process:pid');
  if (processPid !== undefined) {
    const colon = processPid.lastIndexOf(':');
    const pid = parseCount(processPid.slice(colon + 1));
    if (colon < 0 || pid === null) return false;
    if (pid > 0) {
      const name = processPid.slice(0, colon);
      addProcess(draft, pid, name.length > 0 ? name : null);
    }
    return true;
  }
  // Older -v: `pid` is the last process to use the socket, `epid` the effective one (delegation).
  const pid = parseCount(byName.get('pid'));
  if (pid !== null && pid > 0) addProcess(draft, pid, null);
  return true;
}
