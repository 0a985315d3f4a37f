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
 */
import type { SocketFamily } from '../../../shared/system-sockets';
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

  for (const line of splitLines(String(text))) {
    if (isBlank(line)) continue;
    if (line.startsWith('Active ')) {
      // Later sections (LOCAL (UNIX) domain sockets, kernel controls, events) have other columns.
      inInternetSection = line.startsWith('Active Internet');
      continue;
    }
    if (!inInternetSection) continue;
    const tokens = tokenize(line);
    const protoIndex = tokens.findIndex((t) => t.text === 'Proto');
    if (protoIndex >= 0 && protoIndex <= 2) {
      layout = readHeader(line, tokens, protoIndex, options);
      continue;
    }
    if (line.startsWith('Some ') || line.startsWith('Current listen')) continue;
    const draft = readRow(line, tokens, layout);
    if (draft === 'ignored') continue;
    if (draft) drafts.push(draft);
    else skippedLines++;
  }
  return { rows: withKeys(drafts), skippedLines };
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

function readRow(line: string, tokens: Token[], layout: Layout): RowDraft | null | 'ignored' {
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
  readExtras(line, tokens.slice(next), layout.extras, draft);
  return draft;
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
 * after it from the right, and the process is what lies between, verbatim.
 */
function readExtras(line: string, values: Token[], names: string[], draft: RowDraft): void {
  const byName = new Map<string, string>();
  const processAt = names.indexOf('process:pid');
  if (processAt < 0) {
    names.forEach((name, i) => {
      const value = values[i];
      if (value && !byName.has(name)) byName.set(name, value.text);
    });
  } else {
    const after = names.length - processAt - 1;
    if (values.length < processAt + 1 + after) return;
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
    if (colon >= 0 && pid !== null && pid > 0) {
      const name = processPid.slice(0, colon);
      addProcess(draft, pid, name.length > 0 ? name : null);
    }
    return;
  }
  // Older -v: `pid` is the last process to use the socket, `epid` the effective one (delegation).
  const pid = parseCount(byName.get('pid'));
  if (pid !== null && pid > 0) addProcess(draft, pid, null);
}
