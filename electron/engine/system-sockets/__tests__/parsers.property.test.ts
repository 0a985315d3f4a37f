/**
 * Properties every parser keeps on any input: it never throws, every port is 0–65535 or null,
 * every row satisfies the shared schema with a unique key, and (text parsers) there are never
 * more rows than input lines. Inputs mix pure noise with lines built from the tools' own
 * vocabulary, so the generators reach deep into each parser rather than failing at the first token.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SystemSocketRow } from '../../../../shared/system-sockets';
import type { ParseResult } from '../parse-common';
import { parserCrashCount } from '../parse-common';
import { parseLsof } from '../parse-lsof';
import { parseNetstatLinux } from '../parse-netstat-linux';
import { parseNetstatMacos } from '../parse-netstat-macos';
import { parseNetstatWindows } from '../parse-netstat-windows';
import { parsePowershellConnections } from '../parse-powershell';
import { parseSs } from '../parse-ss';
import { parseTasklist } from '../parse-tasklist';
import { countLines, fixture } from './helpers';

const RUNS = 3_000;

const words = [
  'tcp', 'udp', 'tcp6', 'udp6', 'tcp4', 'tcp46', 'udp46', 'u_str', 'u_dgr', 'nl', 'unix', 'raw6', 'TCP', 'UDP',
  'LISTEN', 'ESTAB', 'ESTABLISHED', 'TIME-WAIT', 'TIME_WAIT', 'UNCONN', 'LISTENING', 'SYN_RCVD', 'CLOSED', '(LISTEN)',
  '0', '1', '65535', '65536', '99999999999999999999', '-1', '*', '*:*', '*.*', '0.0.0.0:*', '[::]:*', ':::*', '[::1]:80',
  '127.0.0.1:8080', '127.0.0.1.8080', 'fe80::1%eth0:123', '[fe80::1%eth0]:123', 'a->b', '1.2.3.4:5->6.7.8.9:10',
  'users:((', 'users:(("x",pid=1,fd=9",pid=2,fd=3))', '("', '",pid=', ',fd=', '))', ')', '(', '"', ',', 'ino:5', 'uid:0',
  'ino:0', 'v6only:0', 'bytes_sent:5', 'bytes_acked:0', 'rtt:1.5/2', 'rtt:x', 'IPv4', 'IPv6', '0t0', '0xdeadbeef', '[',
  ']', '[ ACC ]', 'STREAM', 'CONNECTED', '1234/prog name', '-', '[svchost.exe]', 'Proto', 'Netid', 'State', 'Recv-Q',
  'Local Address', '(state)', 'process:pid', 'node:12', 'pid', 'rxbytes', 'Active', 'Internet', 'COMMAND', '\\x20', '%',
];

const token = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...words) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.integer({ min: -5, max: 200_000 }).map(String) },
);
const separator = fc.constantFrom(' ', '  ', '\t', '      ', '', ',');
const line = fc
  .array(fc.tuple(token, separator), { maxLength: 14 })
  .map((parts) => parts.map(([t, s]) => t + s).join(''));
const lineBreak = fc.constantFrom('\n', '\r\n', '\r', '\n\t ', '\n\n');
const toolishText = fc
  .array(fc.tuple(line, lineBreak), { maxLength: 25 })
  .map((parts) => parts.map(([l, b]) => l + b).join(''));
const anyText = fc.oneof(toolishText, fc.string({ maxLength: 400 }), fc.string({ unit: 'binary', maxLength: 200 }));

/** Real output with random damage: lines dropped, duplicated or cut. */
function damaged(source: string) {
  const lines = source.split('\n');
  return fc
    .array(fc.tuple(fc.nat({ max: lines.length - 1 }), fc.nat({ max: 200 }), fc.boolean()), { maxLength: 40 })
    .map((edits) => {
      const out = [...lines];
      for (const [at, cut, duplicate] of edits) {
        const current = out[at % out.length] ?? '';
        if (duplicate) out.splice(at % out.length, 0, current);
        else out[at % out.length] = current.slice(0, cut);
      }
      return out.join('\n');
    });
}

function checkRows(result: ParseResult, input: string, boundedByLines = true): void {
  // The parsers' catch-all guard must never have been needed.
  expect(parserCrashCount()).toBe(0);
  if (boundedByLines) expect(result.rows.length + result.skippedLines).toBeLessThanOrEqual(countLines(input));
  expect(Number.isInteger(result.skippedLines) && result.skippedLines >= 0).toBe(true);
  const keys = new Set<string>();
  for (const row of result.rows) {
    for (const port of [row.localPort, row.remotePort]) {
      if (port !== null) expect(Number.isInteger(port) && port >= 0 && port <= 65_535).toBe(true);
    }
    expect(SystemSocketRow.safeParse(row).success).toBe(true);
    expect(keys.has(row.key)).toBe(false);
    keys.add(row.key);
  }
}

const textParsers: Array<[string, (text: string) => ParseResult, string]> = [
  ['parseSs', parseSs, 'synthetic-ss-tuanpie-edge-cases.txt'],
  ['parseNetstatLinux', parseNetstatLinux, 'synthetic-netstat-linux-tunaep-edge-cases.txt'],
  ['parseNetstatMacos', (t) => parseNetstatMacos(t), 'jc-macos-10.14-netstat-Abn.txt'],
  ['parseNetstatMacos (wide)', (t) => parseNetstatMacos(t, { wideAddresses: true }), 'synthetic-macos-netstat-anvW-tcp.txt'],
  ['parseLsof', parseLsof, 'linux-lsof-nP-iTCP-iUDP.txt'],
  ['parseNetstatWindows', parseNetstatWindows, 'jc-windows-10-netstat-aonb.txt'],
];

describe.each(textParsers)('%s properties', (_name, parse, sample) => {
  it('never throws, keeps ports in range, valid unique rows, no more rows than lines (random text)', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        checkRows(parse(text), text);
      }),
      { numRuns: RUNS },
    );
  });

  it('keeps the same promises on damaged real output', () => {
    const source = fixture(sample);
    fc.assert(
      fc.property(damaged(source), (text) => {
        checkRows(parse(text), text);
      }),
      { numRuns: 200 },
    );
  });
});

describe('parsePowershellConnections properties', () => {
  const item = fc.record(
    {
      LocalAddress: fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('::', '0.0.0.0', 'fe80::1%3'), fc.integer()),
      LocalPort: fc.oneof(fc.integer({ min: -10, max: 70_000 }), fc.double(), fc.string({ maxLength: 5 })),
      RemoteAddress: fc.oneof(fc.string({ maxLength: 20 }), fc.constant(null)),
      RemotePort: fc.oneof(fc.integer({ min: -10, max: 70_000 }), fc.constant(null)),
      State: fc.oneof(fc.integer({ min: 0, max: 120 }), fc.string({ maxLength: 12 }), fc.constant(null)),
      OwningProcess: fc.oneof(fc.integer({ min: -5, max: 100_000 }), fc.double(), fc.constant(null)),
    },
    { requiredKeys: [] },
  );
  const json = fc.oneof(
    fc.array(item, { maxLength: 30 }).map((items) => JSON.stringify(items)),
    item.map((one) => JSON.stringify(one)),
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc.string({ maxLength: 200 }),
  );

  it('never throws; ports in range; rows bounded by the objects given', () => {
    fc.assert(
      fc.property(json, fc.constantFrom('tcp' as const, 'udp' as const), (text, proto) => {
        const result = parsePowershellConnections(text, proto);
        checkRows(result, text, false);
        let objects = 1;
        try {
          const parsed: unknown = JSON.parse(text);
          objects = Array.isArray(parsed) ? parsed.length : 1;
        } catch {
          objects = 1;
        }
        expect(result.rows.length).toBeLessThanOrEqual(objects);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('parseTasklist properties', () => {
  it('never throws; pids are non-negative integers; entries ≤ lines', () => {
    const csvish = fc
      .array(
        fc.array(fc.oneof(fc.string({ maxLength: 10 }), fc.nat().map(String), fc.constantFrom('"', '""', ',', '"a,b"')), {
          maxLength: 6,
        }),
        { maxLength: 20 },
      )
      .map((rows) => rows.map((r) => r.join(',')).join('\r\n'));
    fc.assert(
      fc.property(fc.oneof(csvish, anyText), (text) => {
        const { names, skippedLines } = parseTasklist(text);
        expect(parserCrashCount()).toBe(0);
        expect(names.size + skippedLines).toBeLessThanOrEqual(countLines(text));
        for (const pid of names.keys()) expect(Number.isSafeInteger(pid) && pid >= 0).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });
});
