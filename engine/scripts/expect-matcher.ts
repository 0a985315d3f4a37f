/**
 * One expect against the bytes received so far (and not yet consumed by an earlier expect). Every
 * match ends at a byte offset, so the bytes after it are left, as they arrived, for the next expect.
 */
import type { RE2JS } from 're2js';

export type Expectation =
  | { kind: 'exact'; bytes: Uint8Array }
  | { kind: 'contains'; bytes: Uint8Array }
  | { kind: 'regex'; regex: RE2JS; source: string; names: readonly string[] };

export type MatchOutcome =
  | { status: 'matched'; consumed: number; captures: Record<string, string> }
  /** Not yet: more bytes may still make it match. */
  | { status: 'waiting' }
  /** Can never match whatever arrives next (an exact expect whose first bytes differ). */
  | { status: 'mismatch'; why: string };

export function matchExpectation(e: Expectation, received: Uint8Array): MatchOutcome {
  if (e.kind === 'exact') {
    const n = Math.min(e.bytes.length, received.length);
    for (let i = 0; i < n; i++) {
      if (received[i] !== e.bytes[i]) return { status: 'mismatch', why: `byte ${i + 1} differs` };
    }
    return received.length >= e.bytes.length ? { status: 'matched', consumed: e.bytes.length, captures: {} } : { status: 'waiting' };
  }
  if (e.kind === 'contains') {
    const at = Buffer.from(received.buffer, received.byteOffset, received.byteLength).indexOf(e.bytes);
    return at < 0 ? { status: 'waiting' } : { status: 'matched', consumed: at + e.bytes.length, captures: {} };
  }
  const m = e.regex.matcher(received);
  if (!m.find()) return { status: 'waiting' };
  const captures: Record<string, string> = {};
  e.names.forEach((name, i) => {
    captures[name] = i + 1 <= e.regex.groupCount() ? (m.group(i + 1) ?? '') : '';
  });
  // Named groups are variables too: `(?P<n>\d+)` sets {{n}} without `as`.
  for (const name of Object.keys(e.regex.namedGroups())) captures[name] ??= m.group(name) ?? '';
  return { status: 'matched', consumed: m.end(), captures };
}

/** How an expectation reads in a result line: `contains "+PONG"`, `regex /v=(\d+)/`. */
export function describeExpectation(e: Expectation, text: string): string {
  if (e.kind === 'regex') return `regex /${e.source}/`;
  return `${e.kind === 'exact' ? 'exactly' : 'contains'} ${JSON.stringify(text)}`;
}
