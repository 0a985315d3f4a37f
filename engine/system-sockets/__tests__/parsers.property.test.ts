/**
 * Properties every parser keeps on any input: it never throws, every port is 0–65535 or null,
 * every row satisfies the shared schema with a unique key, and there are never
 * more rows than input lines. Inputs mix pure noise with lines built from the tools' own
 * vocabulary, so the generators reach deep into each parser rather than failing at the first token.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SystemSocketRow } from '../../../shared/system-sockets';
import type { ParseResult } from '../parse-common';
import { parserCrashCount } from '../parse-common';
import { parseLsof } from '../parse-lsof';
import { parseNetstatLinux } from '../parse-netstat-linux';
import { parseNetstatMacos } from '../parse-netstat-macos';
import { parseNetstatWindows } from '../parse-netstat-windows';
import { parseSs } from '../parse-ss';
import { parseTasklist } from '../parse-tasklist';
import { countLines, fixture } from '../../testing/os-tables';

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

function checkRows(result: ParseResult, input: string): void {
  // The parsers' catch-all guard must never have been needed.
  expect(parserCrashCount()).toBe(0);
  expect(result.rows.length + result.skippedLines).toBeLessThanOrEqual(countLines(input));
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

// ── hostile names ────────────────────────────────────────────────────────────────────────────
//
// Every tool's output is built for a known set of sockets, with names (process names, argv[0],
// image names, Unix paths) generated to be as hostile as each tool lets them be: newlines, CRs,
// tabs, quotes, parens, commas, spaces, bidi controls, and fragments of rows, headers and fields
// of every tool. The parse must give exactly those sockets, each with its addresses, state and
// pid unchanged, and no row a port that was only ever in a name.

const NAME_RUNS = 200;
const FORGED_PORT = 47120;
const HOSTILE_FRAGMENTS = [
  '\n', '\n', '\r', '\t', ' ', '  ', '"', "'", ',', '(', '[', ']', '\\', ':', '*', '/', '@', '.', '\u202e', '\u2066', '\u200f',
  '\u061c', '\x1b', '\x7f', '\u00a0', 'tcp', 'udp', 'tcp4', 'u_str', 'unix', 'TCP', 'LISTEN', 'ESTAB', 'CLOSE', 'UNCONN',
  'LISTENING', '0', '128', ' 0 0 ', '0 0 ', `${FORGED_PORT}`, `127.0.0.1:${FORGED_PORT}`, `127.0.0.1.${FORGED_PORT}`,
  '0.0.0.0:*', '*.*', '* 0', 'users:((', '("sshd",pid=1,fd=3)', '",pid=1,fd=3', '),(', 'pid=1', 'ino:1', 'uid:0', 'cgroup:/',
  'v6only:1', '<->', 'sshd:1', ':1 ', '0x0080', 'Proto', 'Active Internet', 'Active LOCAL', 'Active x', 'Netid', 'State',
  'Recv-Q', 'p1', 'f3', 'tIPv4', 'PTCP', `n127.0.0.1:${FORGED_PORT}`, 'TST=LISTEN', '[svchost.exe]', '\trtt:9',
];
const fragment = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...HOSTILE_FRAGMENTS) },
  { weight: 1, arbitrary: fc.string({ maxLength: 3 }) },
);
/** Up to `max` UTF-16 units of hostile text, without NUL (no tool can print one in a name). */
const hostileText = (max: number) =>
  fc.array(fragment, { maxLength: 10 }).map((parts) => parts.join('').replace(/\0/g, '').slice(0, max));

interface Socket {
  proto: 'tcp' | 'udp';
  localPort: number;
  remotePort: number | null;
  state: string;
  pid: number;
  inode: number;
  name: string;
}

/** Sockets with real ports 1000+ (never FORGED_PORT), pids 5000+, inodes 8000000+, one name each. */
const sockets = (nameArb: fc.Arbitrary<string>, max = 6) =>
  fc.array(nameArb, { minLength: 1, maxLength: max }).map((names) =>
    names.map((name, i): Socket => {
      const kind = i % 3;
      return {
        proto: kind === 1 ? 'udp' : 'tcp',
        localPort: 1000 + i,
        remotePort: kind === 2 ? 2000 + i : null,
        state: kind === 0 ? 'LISTEN' : kind === 1 ? 'UNCONN' : 'ESTABLISHED',
        pid: 5000 + i,
        inode: 8_000_000 + i,
        name,
      };
    }),
  );

/** The rows are exactly the sockets, in order, and no row has a port only a name held. */
function expectExactly(result: ParseResult, expected: Socket[], names: (s: Socket) => Array<string | null> | null): void {
  expect(parserCrashCount()).toBe(0);
  expect(result.rows.map((r) => [r.proto, r.localPort, r.remotePort, r.state])).toEqual(
    expected.map((s) => [s.proto, s.localPort, s.remotePort, s.state]),
  );
  result.rows.forEach((row, i) => {
    const socket = expected[i] as Socket;
    expect(row.processes.map((p) => p.pid)[0]).toBe(socket.pid);
    const wanted = names(socket);
    if (wanted) expect(row.processes.map((p) => p.name)).toEqual(wanted);
  });
  expect(result.rows.some((r) => r.localPort === FORGED_PORT || r.remotePort === FORGED_PORT)).toBe(false);
}

describe('hostile names never create, move or hide a row', () => {
  it('ss -tuanpie: process names (15 characters, cut at `)` as ss does)', () => {
    const comm = hostileText(15).map((n) => n.split(')')[0] as string);
    fc.assert(
      fc.property(sockets(comm), (list) => {
        const lines = ['Netid State  Recv-Q Send-Q Local Address:Port Peer Address:Port Process'];
        for (const s of list) {
          const netid = s.proto === 'tcp' ? 'tcp  ' : 'udp  ';
          const state = s.state === 'LISTEN' ? 'LISTEN' : s.state === 'UNCONN' ? 'UNCONN' : 'ESTAB ';
          const peer = s.remotePort === null ? '0.0.0.0:*' : `127.0.0.1:${s.remotePort}`;
          lines.push(
            `${netid} ${state} 0      128    127.0.0.1:${s.localPort}    ${peer}    users:(("${s.name}",pid=${s.pid},fd=3)) ino:${s.inode} sk:1 cgroup:/ <->`,
          );
          if (s.proto === 'tcp') lines.push(s.remotePort === null ? '\t bbr cwnd:10' : `\t cubic rtt:0.5/0.25 bytes_sent:${s.pid}`);
        }
        const result = parseSs(`${lines.join('\n')}\n`, { kind: 'inet' });
        expectExactly(result, list, (s) => [s.name]);
        expect(result.skippedLines).toBe(0);
        result.rows.forEach((row, i) => {
          expect(row.inode).toBe(list[i]?.inode);
          if (row.remotePort !== null) expect(row).toMatchObject({ rttMs: 0.5, bytesSent: list[i]?.pid });
        });
      }),
      { numRuns: NAME_RUNS },
    );
  });

  it('ss -xanpe: Unix paths (108 characters) and names never touch the other sockets’ rows, nor make TCP/UDP ones', () => {
    const path = hostileText(107).map((p) => `@${p}`);
    const comm = hostileText(15).map((n) => n.split(')')[0] as string);
    fc.assert(
      fc.property(fc.array(fc.tuple(path, comm, comm), { minLength: 1, maxLength: 5 }), (list) => {
        const lines = ['Netid State  Recv-Q Send-Q Local Address:Port Peer Address:Port Process'];
        const benign: Array<{ path: string; inode: number; pid: number; name: string }> = [];
        list.forEach(([hostilePath, hostileName, benignName], i) => {
          lines.push(`u_str LISTEN 0      128    ${hostilePath} ${7_000_000 + i}            * 0    users:(("${hostileName}",pid=${6000 + i},fd=3)) <-> peers:`);
          const socket = { path: `/run/app-${i}.sock`, inode: 8_000_000 + i, pid: 5000 + i, name: benignName };
          benign.push(socket);
          lines.push(`u_str ESTAB  0      0      ${socket.path} ${socket.inode}            * ${9_000_000 + i} users:(("${socket.name}",pid=${socket.pid},fd=4)) <->`);
        });
        const result = parseSs(`${lines.join('\n')}\n`, { kind: 'unix' });
        expect(parserCrashCount()).toBe(0);
        expect(result.rows.every((r) => r.proto === 'unix' && r.localPort === null)).toBe(true);
        for (const socket of benign) {
          const rows = result.rows.filter((r) => r.inode === socket.inode);
          expect(rows.map((r) => [r.localAddress, r.processes])).toEqual([[socket.path, [{ pid: socket.pid, name: socket.name }]]]);
        }
      }),
      { numRuns: NAME_RUNS },
    );
  });

  it('net-tools netstat -tunaep(x): argv[0] (19 characters of PID/name, padded as net-tools does)', () => {
    const argv0 = hostileText(19).map((n) => n.slice(n.lastIndexOf('/') + 1));
    fc.assert(
      fc.property(sockets(argv0), argv0, (list, unixName) => {
        const program = (pid: number, name: string) => `${pid}/${name}`.slice(0, 19).padEnd(20);
        const lines = [
          'Active Internet connections (servers and established)',
          'Proto Recv-Q Send-Q Local Address           Foreign Address         State       User       Inode      PID/Program name    ',
        ];
        for (const s of list) {
          const peer = (s.remotePort === null ? '0.0.0.0:*' : `127.0.0.1:${s.remotePort}`).padEnd(23);
          const state = (s.state === 'LISTEN' ? 'LISTEN' : s.state === 'UNCONN' ? '' : 'ESTABLISHED').padEnd(11);
          lines.push(`${s.proto}        0      0 ${`127.0.0.1:${s.localPort}`.padEnd(23)} ${peer} ${state} 0          ${s.inode}    ${program(s.pid, s.name)}`);
        }
        lines.push('Active UNIX domain sockets (servers and established)');
        lines.push('Proto RefCnt Flags       Type       State         I-Node   PID/Program name     Path');
        lines.push(`unix  2      [ ACC ]     STREAM     LISTENING     7000001  ${program(7001, unixName)} @x`);
        const result = parseNetstatLinux(`${lines.join('\n')}\n`);
        // net-tools' padding can't be told from trailing spaces in a name.
        const shown = (pid: number, name: string) => `${pid}/${name}`.slice(0, 19).slice(`${pid}/`.length).trimEnd() || null;
        const inet = { ...result, rows: result.rows.filter((r) => r.proto !== 'unix') };
        expectExactly(inet, list, (s) => [shown(s.pid, s.name)]);
        const unix = result.rows.filter((r) => r.proto === 'unix');
        expect(unix.map((r) => [r.localAddress, r.inode, r.processes])).toEqual([['@x', 7000001, [{ pid: 7001, name: shown(7001, unixName) }]]]);
      }),
      { numRuns: NAME_RUNS },
    );
  });

  it('macOS netstat -anvW: process names (16 characters)', () => {
    const after = ' 0x0080 0x00000106 000000000002a1f3 00000000 00000800      1      0 000001';
    fc.assert(
      fc.property(sockets(hostileText(16)), (list) => {
        const lines = [
          'Active Internet connections (including servers)',
          'Proto Recv-Q Send-Q  Local Address          Foreign Address        (state)          rxbytes      txbytes  rhiwat  shiwat          process:pid  state  options           gencnt    flags   flags1 usscnt rtncnt fltrs',
        ];
        for (const s of list) {
          const proto = s.proto === 'tcp' ? 'tcp4 ' : 'udp4 ';
          const peer = (s.remotePort === null ? '*.*' : `127.0.0.1.${s.remotePort}`).padEnd(22);
          const state = (s.proto === 'udp' ? '' : s.state === 'LISTEN' ? 'LISTEN' : 'ESTABLISHED').padEnd(11);
          lines.push(`${proto}      0      0  ${`127.0.0.1.${s.localPort}`.padEnd(22)} ${peer} ${state}            0            0  131072  131072 ${s.name}:${s.pid}${after}`);
        }
        const result = parseNetstatMacos(lines.join('\n'), { wideAddresses: true });
        // A name's leading (ASCII) spaces can't be told from the column's padding.
        expectExactly(result, list.map((s) => (s.proto === 'udp' ? { ...s, state: 'UNCONN' } : s)), (s) => [s.name.replace(/^[\t-\r ]+/, '') || null]);
        expect(result.skippedLines).toBe(0);
      }),
      { numRuns: NAME_RUNS },
    );
  });

  it('lsof -F: command names, escaped as lsof escapes them', () => {
    // lsof: \\ for a backslash, \n \r \t \b \f, ^X for the other controls, \xNN for bytes past ASCII (C locale).
    const escape = (name: string) =>
      [...new TextEncoder().encode(name)]
        .map((b) => {
          const named: Record<number, string> = { 0x5c: '\\\\', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t', 0x08: '\\b', 0x0c: '\\f' };
          if (named[b]) return named[b];
          if (b < 0x20) return `^${String.fromCharCode(b + 0x40)}`;
          if (b === 0x7f) return '^?';
          if (b > 0x7f) return `\\x${b.toString(16).padStart(2, '0')}`;
          return String.fromCharCode(b);
        })
        .join('');
    // What the parser gives back: the escapes undone, the ^X forms (ambiguous with a real ^) kept.
    const decoded = (name: string) =>
      [...name]
        .map((c) => {
          const code = c.charCodeAt(0);
          if (code === 0x7f) return '^?';
          return code < 0x20 && !'\b\t\n\f\r'.includes(c) ? `^${String.fromCharCode(code + 0x40)}` : c;
        })
        .join('');
    fc.assert(
      fc.property(sockets(hostileText(15)), (list) => {
        const fields = list.flatMap((s) => [
          `p${s.pid}`,
          `c${escape(s.name)}`,
          'f3',
          'tIPv4',
          `d${s.inode}`,
          `P${s.proto.toUpperCase()}`,
          `n127.0.0.1:${s.localPort}${s.remotePort === null ? '' : `->127.0.0.1:${s.remotePort}`}`,
          ...(s.proto === 'tcp' ? [`TST=${s.state}`] : []),
        ]);
        const result = parseLsof(`${fields.join('\n')}\n`);
        expectExactly(result, list.map((s) => (s.proto === 'udp' ? { ...s, state: 'UNCONN' } : s)), (s) => [decoded(s.name)]);
      }),
      { numRuns: NAME_RUNS },
    );
  });

  it('lsof columns: COMMAND escaped to one token', () => {
    const escape = (name: string) =>
      [...new TextEncoder().encode(name)].map((b) => (b <= 0x20 || b >= 0x7f || b === 0x5c ? `\\x${b.toString(16).padStart(2, '0')}` : String.fromCharCode(b))).join('');
    fc.assert(
      fc.property(sockets(hostileText(15)), (list) => {
        const lines = ['COMMAND     PID USER   FD   TYPE DEVICE SIZE/OFF NODE NAME'];
        for (const s of list) {
          const name = `127.0.0.1:${s.localPort}${s.remotePort === null ? '' : `->127.0.0.1:${s.remotePort}`}`;
          const state = s.proto === 'tcp' ? ` (${s.state})` : '';
          lines.push(`${escape(s.name) || 'x'} ${s.pid} root    3u  IPv4 ${s.inode}      0t0  ${s.proto.toUpperCase()} ${name}${state}`);
        }
        const result = parseLsof(lines.join('\n'));
        expectExactly(result, list.map((s) => (s.proto === 'udp' ? { ...s, state: 'UNCONN' } : s)), (s) => [s.name || 'x']);
      }),
      { numRuns: NAME_RUNS },
    );
  });

  it('Windows netstat -aonb: image names (what a Windows file name may hold, and line breaks)', () => {
    // Win32 file names hold no control characters and none of \ / : * ? " < > |. Line breaks can't
    // be in one either; should one arrive (in a name without `]`), it must still be one name.
    const image = hostileText(40).map((n) => {
      const legal = [...n].filter((c) => c === '\n' || (c >= ' ' && c !== '\x7f' && !'\\/:*?"<>|'.includes(c))).join('').trim() || 'x';
      return legal.includes('\n') ? legal.replace(/]/g, '') : legal;
    });
    fc.assert(
      fc.property(sockets(image), (list) => {
        const lines = ['', 'Active Connections', '', '  Proto  Local Address          Foreign Address        State           PID'];
        for (const s of list) {
          const peer = s.remotePort === null ? (s.proto === 'tcp' ? '0.0.0.0:0' : '*:*') : `127.0.0.1:${s.remotePort}`;
          const state = s.proto === 'udp' ? '' : s.state === 'LISTEN' ? 'LISTENING' : 'ESTABLISHED';
          lines.push(`  ${s.proto.toUpperCase()}    127.0.0.1:${s.localPort}         ${peer.padEnd(22)} ${state.padEnd(15)} ${s.pid}`, '  SomeService', ` [${s.name}]`);
        }
        const result = parseNetstatWindows(lines.join('\r\n'));
        // Windows prints a listener's peer as port 0.
        expectExactly(result, list.map((s) => (s.proto === 'tcp' && s.remotePort === null ? { ...s, remotePort: 0 } : s)), (s) => [s.name]);
      }),
      { numRuns: NAME_RUNS },
    );
  });

  it('tasklist /fo csv: image names, CSV-quoted, line breaks included', () => {
    fc.assert(
      fc.property(fc.array(hostileText(40), { minLength: 1, maxLength: 8 }), (names) => {
        const csv = names.map((name, i) => `"${name.replace(/"/g, '""')}","${5000 + i}","Console","1","1,024 K"`).join('\r\n');
        const { names: byPid, skippedLines } = parseTasklist(`${csv}\r\n`);
        expect(parserCrashCount()).toBe(0);
        const expected = names.map((name, i): [number, string] => [5000 + i, name]).filter(([, name]) => name.length > 0);
        expect([...byPid]).toEqual(expected);
        expect(skippedLines).toBe(names.length - expected.length);
      }),
      { numRuns: NAME_RUNS },
    );
  });

});
