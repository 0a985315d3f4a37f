/**
 * Windows `netstat -ano`, `-an`, `-aonb`. Rows are `PROTO LOCAL FOREIGN [STATE] [PID]`; UDP rows
 * have no state. With `-b` each row is followed by an optional service-name line and either
 * `[image.exe]` or a (localised) "Can not obtain ownership information" line, which belong to the
 * row above them.
 *
 * An image name can't hold a line break on Windows; should one ever arrive, a `[` line without its
 * `]` runs on to the line that closes it (at most MAX_PATH further), and what lies between is that
 * name, never a row.
 *
 * Headers and state words are localised on non-English Windows; only the row shape is relied on.
 * A TCP row whose state word is not recognised but whose foreign port is 0 is a listener (that is
 * the only state Windows prints with a zero foreign port).
 */
import type { ParseResult, RowDraft } from './parse-common';
import {
  addProcess,
  emptyRow,
  familyOfAddress,
  isBlank,
  lookupState,
  neverThrow,
  parseCount,
  splitHostPort,
  splitLines,
  tokenize,
  withKeys,
} from './parse-common';

export function parseNetstatWindows(text: string): ParseResult {
  return neverThrow(
    () => ({ rows: [], skippedLines: 0 }),
    () => parseUnsafe(text),
  );
}

/** MAX_PATH: an image name continued over lines is never longer. */
const MAX_IMAGE_CHARS = 260;

function parseUnsafe(text: string): ParseResult {
  const drafts: RowDraft[] = [];
  let skippedLines = 0;
  // The row the -b owner lines that follow belong to.
  let owner: RowDraft | null = null;
  const lines = splitLines(String(text));

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (isBlank(line)) continue;
    const trimmed = line.trim();
    if (owner && trimmed.startsWith('[') && !trimmed.endsWith(']')) {
      const image = readBrokenImageLine(lines, i);
      if (image) {
        applyOwnerLine(image.text, owner);
        i += image.lines - 1;
        continue;
      }
    }
    const tokens = tokenize(line, 0, 6);
    const word = (tokens[0]?.text ?? '').toUpperCase();
    if (word === 'TCP' || word === 'UDP') {
      const draft = readRow(tokens.map((t) => t.text), word === 'TCP' ? 'tcp' : 'udp');
      owner = draft;
      if (draft) drafts.push(draft);
      else skippedLines++;
      continue;
    }
    if (owner) applyOwnerLine(line.trim(), owner);
  }
  return { rows: withKeys(drafts), skippedLines };
}

function readRow(words: string[], proto: 'tcp' | 'udp'): RowDraft | null {
  const local = words[1] ? splitHostPort(words[1]) : null;
  const foreign = words[2] ? splitHostPort(words[2]) : null;
  // netstat -an is always numeric: a port that isn't a number means the line isn't a row.
  if (!local || !foreign || local.portUnreadable || foreign.portUnreadable) return null;
  const draft = emptyRow(proto, familyOfAddress(local.address));
  draft.localAddress = local.address;
  draft.localPort = local.port;
  draft.remoteAddress = foreign.address;
  draft.remotePort = foreign.port;

  let pidText: string | undefined;
  if (proto === 'tcp') {
    const stateWord = words[3];
    // `-an` rows end with the state; `-ano` rows add the pid.
    if (stateWord === undefined) return null;
    draft.stateRaw = stateWord;
    draft.state = lookupState(stateWord) ?? (foreign.port === 0 ? 'LISTEN' : 'UNKNOWN');
    pidText = words[4];
  } else {
    draft.state = 'UNCONN';
    pidText = words[3];
  }
  if (pidText !== undefined) {
    const pid = parseCount(pidText);
    if (pid === null) return null;
    // PID 0 is the "System Idle Process": TIME_WAIT sockets that no process owns any more.
    if (pid > 0) addProcess(draft, pid, null);
  }
  return draft;
}

/** A `[name` line and the lines up to the one ending in `]`, joined with `\n`; null if none does. */
function readBrokenImageLine(lines: readonly string[], at: number): { text: string; lines: number } | null {
  // netstat indents the line; a name's own spaces around its line breaks are kept.
  let text = (lines[at] as string).trimStart();
  for (let i = at + 1; i < lines.length && text.length <= MAX_IMAGE_CHARS; i++) {
    const next = lines[i] as string;
    text += `\n${next}`;
    if (next.trimEnd().endsWith(']')) return { text: text.trimEnd(), lines: i - at + 1 };
  }
  return null;
}

/** `[svchost.exe]` names the image; any other line (service name, "cannot obtain") adds nothing. */
function applyOwnerLine(text: string, owner: RowDraft): void {
  if (!text.startsWith('[') || !text.endsWith(']') || text.length < 3) return;
  const image = text.slice(1, -1);
  const process = owner.processes[0];
  if (process) process.name = image;
}
