/** The OS socket-table fixtures (system-sockets/fixtures): loading, and a one-line-per-row rendering for golden files. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { SystemSocketRow } from '../../shared/system-sockets';
import { SystemSocketRow as SystemSocketRowSchema } from '../../shared/system-sockets';
import type { ParseResult } from '../system-sockets/parse-common';
import { parserCrashCount } from '../system-sockets/parse-common';

const here = dirname(fileURLToPath(import.meta.url));
export const fixturesDir = join(here, '..', 'system-sockets', 'fixtures');
export const goldenDir = join(fixturesDir, 'golden');

export function fixture(name: string): string {
  return readFileSync(join(fixturesDir, name), 'utf8');
}

export function goldenPath(name: string): string {
  return join(goldenDir, name);
}

/**
 * One readable line per row, every field included, so a golden diff shows exactly what changed:
 * `tcp inet 127.0.0.1:40211 -> 0.0.0.0:* LISTEN (LISTEN) q=0/5 [6652 "socat"] uid=0 ino=13356 tx=- rx=- rtt=-`
 */
export function renderRow(row: SystemSocketRow): string {
  const endpoint = (address: string | null, port: number | null) =>
    address === null ? '-' : `${address.includes(':') ? `[${address}]` : address}:${port ?? '*'}`;
  const num = (n: number | null) => (n === null ? '-' : String(n));
  const processes = row.processes.map((p) => `${p.pid} ${p.name === null ? '?' : quoted(p.name)}`).join(', ');
  // A Unix path may hold newlines and anything else: quoted then, so the row stays one line.
  const local = row.proto === 'unix' && needsQuotes(row.localAddress) ? quoted(row.localAddress) : row.localAddress;
  return [
    row.proto,
    row.family,
    endpoint(local, row.localPort),
    '->',
    endpoint(row.remoteAddress, row.remotePort),
    row.state,
    `(${row.stateRaw})`,
    `q=${num(row.recvQ)}/${num(row.sendQ)}`,
    `[${processes}]`,
    `uid=${num(row.uid)}`,
    `ino=${num(row.inode)}`,
    `tx=${num(row.bytesSent)}`,
    `rx=${num(row.bytesReceived)}`,
    `rtt=${num(row.rttMs)}`,
    `key=${needsQuotes(row.key) ? quoted(row.key) : row.key}`,
  ].join(' ');
}

const INVISIBLE = /[\u0080-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/g;

/** Text that would not read back as itself (or stay on one line) unquoted. */
function needsQuotes(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f || code === 0x22 || code === 0x5c) return true;
  }
  INVISIBLE.lastIndex = 0;
  return INVISIBLE.test(text);
}

/** JSON string syntax, with bidi and other invisible format characters escaped too. */
function quoted(text: string): string {
  return JSON.stringify(text).replace(INVISIBLE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function renderResult(result: ParseResult): string {
  return `skipped=${result.skippedLines} rows=${result.rows.length}\n${result.rows.map(renderRow).join('\n')}\n`;
}

/** Every row satisfies the shared schema and keys are unique: what the UI relies on. */
export function expectValidRows(rows: readonly SystemSocketRow[]): void {
  expect(parserCrashCount()).toBe(0);
  for (const row of rows) SystemSocketRowSchema.parse(row);
  expect(new Set(rows.map((r) => r.key)).size).toBe(rows.length);
}

export function findRow(
  rows: readonly SystemSocketRow[],
  match: Partial<Pick<SystemSocketRow, 'proto' | 'localAddress' | 'localPort' | 'remoteAddress' | 'remotePort' | 'state'>>,
): SystemSocketRow | undefined {
  return rows.find((row) =>
    Object.entries(match).every(([k, v]) => (row as unknown as Record<string, unknown>)[k] === v),
  );
}

export function countLines(text: string): number {
  return text.split(/\r\n|\n|\r/).length;
}
