/**
 * parseSs reads each row with as few objects as it can (10,000s of rows per refresh). That rework
 * must not change a single field on any input: on randomized ss output full of hostile names,
 * paths, cut lines and broken columns, it gives exactly (JSON, key order included) what the
 * hardened parser of 2026-12-01, kept in reference/ as the oracle, gives.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parserCrashCount } from '../parse-common';
import type { SsParseOptions } from '../parse-ss';
import { parseSs } from '../parse-ss';
import { fixture } from '../../testing/os-tables';
import { parseSsReference } from './reference/parse-ss-reference';

const RUNS = 3_000;

const FRAGMENTS = [
  '\n', '\n', '\r', '\t', ' ', '  ', '"', "'", ',', '(', ')', '))', '),(', '("', '",pid=1,fd=3', '",pid=', ',fd=', '",12,4',
  'users:((', 'users:(', 'timer:(', ':', '*', '/', '@', '.', '[', ']', '\u202e', '\x1b', '\x7f', '\u00a0', 'tcp', 'udp',
  'u_str', 'LISTEN', 'ESTAB', 'UNCONN', '0', '128', ' 0 0 ', '127.0.0.1:47120', '0.0.0.0:*', '* 0', 'ino:1', 'uid:0',
  'cgroup:/', 'v6only:1', '<->', 'sk:a', 'dev:1/2', 'peers:', 'rtt:1', 'bytes_sent:5', 'Netid', 'State', 'Recv-Q', 'x'.repeat(20),
];
const fragment = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...FRAGMENTS) },
  { weight: 1, arbitrary: fc.string({ maxLength: 4 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 3 }) },
);
const hostile = (max: number) => fc.array(fragment, { maxLength: 8 }).map((parts) => parts.join('').slice(0, max));

const number = fc.oneof(
  fc.constantFrom('0', '1', '128', '65535', '65536', '4294967295', '9007199254740993', '12345678901234567', '00080', '', 'x', '-1', '1.5'),
  fc.nat({ max: 70_000 }).map(String),
);
const host = fc.oneof(
  fc.constantFrom('127.0.0.1', '0.0.0.0', '*', '192.168.1.1%eth0', '', '[::]', '[::1]', '[fe80::1%eth0]', '[::ffff:127.0.0.1]'),
  fc.constantFrom('::', '::1', '[]', '[', '[::1', 'fe80::1'),
  fc.tuple(fc.nat(255), fc.nat(255)).map(([a, b]) => `10.${a}.${b}.1`),
);
const endpoint = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(host, fc.oneof(number, fc.constantFrom('*', 'http'))).map(([h, p]) => `${h}:${p}`) },
  { weight: 1, arbitrary: host },
  { weight: 1, arbitrary: fc.constantFrom('*:*', '[::]:*', '[x]y', '[::1]80', ':::22', ':') },
  { weight: 1, arbitrary: hostile(12).map((s) => s.replace(/\s/g, '')) },
);
const suffix = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(number, number).map(([pid, fd]) => `",pid=${pid},fd=${fd})`) },
  { weight: 1, arbitrary: fc.tuple(number, number).map(([pid, fd]) => `",${pid},${fd})`) },
  { weight: 1, arbitrary: fc.constantFrom('",pid=1,fd=)', '",pid=,fd=1)', '",pid=1)', '"', '', ')', '",pid=12345678901,fd=1)') },
);
const name = fc.oneof(hostile(16), fc.constantFrom('sshd', 'a b', 'x",pid=1,fd=9', 'a\nb', '\nudp UNCONN 0 0', 'cr\rudp x', '((', 'a),("b'));
const entry = fc.tuple(name, suffix).map(([n, s]) => `("${n}${s}`);
const users = fc.oneof(
  { weight: 5, arbitrary: fc.array(entry, { minLength: 1, maxLength: 3 }).map((es) => `users:(${es.join(',')})`) },
  { weight: 1, arbitrary: fc.array(entry, { maxLength: 3 }).map((es) => `users:(${es.join('')}`) },
  { weight: 1, arbitrary: hostile(30).map((h) => `users:((${h}`) },
);
const extras = fc
  .array(
    fc.oneof(
      fc.tuple(fc.constantFrom('uid:', 'ino:', 'sk:', 'v6only:', 'cgroup:'), number).map(([k, v]) => k + v),
      fc.constantFrom('<->', '-->', '---', 'cgroup:/user.slice uid:5 v6only:1', 'cgroup:/a b', 'timer:(keepalive,59sec,0)', 'dev:8/1', 'peers: 1 2'),
      hostile(10),
    ),
    { maxLength: 6 },
  )
  .map((xs) => xs.join(' '));
const gap = fc.constantFrom(' ', '   ', '\t', '  \t ');
const netid = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('tcp', 'udp', 'u_str', 'u_dgr', 'u_seq', 'nl', 'p_raw', 'mptcp', 'constructor') },
  { weight: 1, arbitrary: hostile(6) },
);
const state = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('LISTEN', 'ESTAB', 'UNCONN', 'TIME-WAIT', 'SYN-SENT', 'FIN-WAIT-1', 'CLOSE-WAIT', 'CLOSE', 'listen', 'CONNECTED') },
  { weight: 1, arbitrary: hostile(8) },
);
const columns = (parts: Array<string | null>, separator: string) => parts.filter((p) => p !== null).join(separator);
const inetRow = fc
  .tuple(fc.option(netid, { freq: 8 }), fc.option(state, { freq: 8 }), number, number, endpoint, endpoint)
  .chain((head) =>
    fc.tuple(fc.constant(head), fc.option(fc.constantFrom('timer:(keepalive,59sec,0)', 'timer:('), { freq: 4 }), fc.option(users, { freq: 2 }), extras, gap),
  )
  .map(([head, timer, column, rest, separator]) => columns([...head, timer, column, rest], separator));
const unixPath = fc.oneof(
  hostile(60),
  fc.constantFrom('/run/a.sock', '@x', '*', '/p a t h', '@x\ntcp LISTEN 0 128 127.0.0.1:47120 0.0.0.0:* users:(("sshd",pid=1,fd=3))', '@y 1 * 0 users:(("sshd",pid=1,fd=3))'),
);
const unixRow = fc
  .tuple(fc.option(fc.constantFrom('u_str', 'u_dgr', 'u_seq'), { freq: 8 }), fc.option(state, { freq: 8 }), number, number, unixPath, number)
  .chain((head) => fc.tuple(fc.constant(head), fc.constantFrom('*', '@peer', 'x'), number, fc.option(users, { freq: 2 }), extras, gap))
  .map(([head, peer, peerInode, column, rest, separator]) => columns([...head, peer, peerInode, column, rest], separator));
const tcpInfo = fc
  .tuple(
    fc.constantFrom('\t ', '\t', ' '),
    fc.array(
      fc.oneof(
        fc.tuple(fc.constantFrom('rtt:', 'bytes_sent:', 'bytes_acked:', 'bytes_received:', 'minrtt:', 'xbytes_sent:', 'bytes_'), fc.oneof(number, fc.constantFrom('0.029/0.01', '.5', '1.', '1.2.3'))).map(([k, v]) => k + v),
        fc.constantFrom('ts', 'sack', 'cubic', 'bbr:(bw:0bps,mrtt:0.009)', 'send 56.8Mbps'),
      ),
      { maxLength: 8 },
    ),
  )
  .map(([lead, tokens]) => lead + tokens.join(' '));
const header = fc.constantFrom(
  'Netid State     Recv-Q Send-Q Local Address:Port Peer Address:Port Process',
  'State Recv-Q Send-Q Local Address:Port Peer Address:Port',
  'Recv-Q Send-Q Local Address:Port Peer Address:Port',
);
const line = fc.oneof(
  { weight: 6, arbitrary: inetRow },
  { weight: 3, arbitrary: unixRow },
  { weight: 4, arbitrary: tcpInfo },
  { weight: 1, arbitrary: header },
  { weight: 1, arbitrary: hostile(40) },
  // A TIME-WAIT row's tcp_info line is a tab and 360 spaces.
  { weight: 1, arbitrary: fc.constantFrom('', ' ', `\t${' '.repeat(360)}`, '\r') },
);
const output = fc
  .tuple(fc.option(header, { freq: 3 }), fc.array(fc.tuple(line, fc.constantFrom('\n', '\n', '\n', '\r\n')), { maxLength: 14 }), fc.option(fc.nat(400), { freq: 2 }))
  .map(([first, lines, cutAt]) => {
    const text = (first === null ? '' : `${first}\n`) + lines.map(([l, eol]) => l + eol).join('');
    return cutAt === null ? text : text.slice(0, cutAt);
  });

/** Real captures with lines dropped, doubled or cut. */
const CAPTURES = ['linux-ss-tuanpie.txt', 'linux-hostile-ss-tuanpie.txt', 'linux-hostile-ss-xanpe.txt', 'synthetic-ss-tuanpie-edge-cases.txt', 'jc-centos-7.7-ss-a.txt'].map(fixture);
const damagedCapture = fc.tuple(fc.constantFrom(...CAPTURES), fc.array(fc.tuple(fc.nat(), fc.nat(300), fc.boolean()), { maxLength: 20 })).map(([capture, edits]) => {
  const lines = capture.split('\n');
  for (const [at, cut, duplicate] of edits) {
    const i = at % lines.length;
    if (duplicate) lines.splice(i, 0, lines[i] ?? '');
    else lines[i] = (lines[i] ?? '').slice(0, cut);
  }
  return lines.join('\n');
});

const options = fc.constantFrom<SsParseOptions>({}, { kind: 'inet' }, { kind: 'unix' }, { defaultProto: 'udp' }, { kind: 'unix', defaultProto: 'udp' });

describe('parseSs against the 2026-12-01 reference', () => {
  it('gives the same rows, fields and skipped lines on randomized hostile output', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          { weight: 6, arbitrary: output },
          { weight: 1, arbitrary: output.map((t) => t.replace(/\r?\n/g, '\r\n')) },
          { weight: 2, arbitrary: damagedCapture },
          { weight: 1, arbitrary: fc.string({ maxLength: 300 }) },
        ),
        options,
        (text, opts) => {
          expect(JSON.stringify(parseSs(text, opts))).toBe(JSON.stringify(parseSsReference(text, opts)));
        },
      ),
      { numRuns: RUNS },
    );
    expect(parserCrashCount()).toBe(0);
  });

  it('gives the same result on every real capture, in every mode', () => {
    for (const capture of CAPTURES) {
      for (const opts of [{}, { kind: 'inet' }, { kind: 'unix' }, { defaultProto: 'udp' }] satisfies SsParseOptions[]) {
        expect(JSON.stringify(parseSs(capture, opts))).toBe(JSON.stringify(parseSsReference(capture, opts)));
      }
    }
  });
});
