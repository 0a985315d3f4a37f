/**
 * Names another local user chooses (process names, argv[0], Unix socket paths) can't create, move
 * or hide a row. Real captures from this project's Linux machine (iproute2 6.1, net-tools 2.10,
 * lsof 4.95, see fixtures/README.md) of processes named `a\nb‮gnp.exe`, `\nudp UNCONN 0 0` and
 * `cr\rudp x`, argv[0]s `n\nProto`, `w\nudp 0 0 1` and `sp ace‮gnp`, and abstract Unix sockets
 * named `x\ntcp   LISTEN 0 128 127.0.0.1:47120 … users:(("sshd",pid=1,fd=3))` and
 * `y 1 * 0 users:(("sshd",pid=1,fd=3))`; then hand-written cases for each rule.
 */
import { describe, expect, it } from 'vitest';
import type { ParseResult } from '../parse-common';
import { parseLsof } from '../parse-lsof';
import { parseNetstatLinux } from '../parse-netstat-linux';
import { parseNetstatMacos } from '../parse-netstat-macos';
import { parseNetstatWindows } from '../parse-netstat-windows';
import { parseSs } from '../parse-ss';
import { parseTasklist } from '../parse-tasklist';
import { expectValidRows, findRow, fixture, goldenPath, renderResult } from '../../testing/os-tables';

const HOSTILE = 'a\nb\u202Egnp.exe';
const FORGED_PORT = 47120;

describe('golden files of the hostile-name captures', () => {
  const cases: Array<[string, (text: string) => ParseResult]> = [
    ['linux-hostile-ss-tuanpie.txt', (t) => parseSs(t, { kind: 'inet' })],
    ['linux-hostile-ss-xanpe.txt', (t) => parseSs(t, { kind: 'unix' })],
    ['linux-hostile-netstat-tunaepx.txt', parseNetstatLinux],
    ['linux-hostile-lsof-F.txt', parseLsof],
    ['linux-hostile-lsof-nP-iTCP-iUDP.txt', parseLsof],
  ];
  for (const [name, parse] of cases) {
    it(name, async () => {
      const result = parse(fixture(name));
      expectValidRows(result.rows);
      expect(result.skippedLines).toBe(0);
      expect(result.rows.some((r) => r.localPort === FORGED_PORT)).toBe(false);
      await expect(renderResult(result)).toMatchFileSnapshot(goldenPath(`${name}.golden`));
    });
  }
});

describe('ss, real output', () => {
  it('reads TCP/UDP rows whose process names hold a newline, a CR or U+202E, owners and all', () => {
    const { rows, skippedLines } = parseSs(fixture('linux-hostile-ss-tuanpie.txt'), { kind: 'inet' });
    expect(skippedLines).toBe(0);
    expect(rows).toHaveLength(7);
    expect(findRow(rows, { localPort: 57527 })).toMatchObject({ state: 'LISTEN', inode: 80024, processes: [{ pid: 17944, name: HOSTILE }] });
    expect(findRow(rows, { localPort: 59490 })).toMatchObject({ proto: 'udp', inode: 80030, processes: [{ pid: 17945, name: '\nudp UNCONN 0 0' }] });
    expect(findRow(rows, { localPort: 36677 })?.processes).toEqual([{ pid: 17946, name: 'cr\rudp x' }]);
    // the line after each name's newline is no row of its own
    expect(rows.filter((r) => r.proto === 'udp')).toHaveLength(1);
  });

  it('reads Unix sockets whose names spell a TCP row as Unix sockets, held by who really holds them', () => {
    const { rows, skippedLines } = parseSs(fixture('linux-hostile-ss-xanpe.txt'), { kind: 'unix' });
    expect(skippedLines).toBe(0);
    expect(rows.map((r) => r.proto)).toEqual(['unix', 'unix', 'unix', 'unix']);
    const x = rows.find((r) => r.inode === 80025);
    expect(x?.localAddress).toBe('@x\ntcp   LISTEN 0 128 127.0.0.1:47120 0.0.0.0:* users:(("sshd",pid=1,fd=3))');
    expect(x?.processes).toEqual([{ pid: 17944, name: HOSTILE }]);
    const y = rows.find((r) => r.inode === 80026);
    expect(y?.localAddress).toBe('@y 1 * 0 users:(("sshd",pid=1,fd=3))');
    expect(y?.processes).toEqual([{ pid: 17944, name: HOSTILE }]);
  });

  it('never reads a row of the other kind from an output', () => {
    const inetAsUnix = parseSs(fixture('linux-hostile-ss-tuanpie.txt'), { kind: 'unix' });
    expect(inetAsUnix.rows).toEqual([]);
    // a Unix path spelling a TCP row at the start of a line, in Unix output: part of the path
    const text = [
      'Netid State  Recv-Q Send-Q Local Address:Port Peer Address:Port Process',
      'u_str LISTEN 0      5      @a 7 * 0',
      'tcp   LISTEN 0 5 127.0.0.1:47120 0.0.0.0:* users:(("sshd",pid=1,fd=3))',
      'b 4001 * 0 users:(("evil",pid=42,fd=3))',
    ].join('\n');
    const { rows, skippedLines } = parseSs(text, { kind: 'unix' });
    expect(skippedLines).toBe(0);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      localAddress: '@a 7 * 0\ntcp   LISTEN 0 5 127.0.0.1:47120 0.0.0.0:* users:(("sshd",pid=1,fd=3))\nb',
      inode: 4001,
      processes: [{ pid: 42, name: 'evil' }],
    });
  });
});

describe('ss rules (hand-written)', () => {
  const header = 'Netid State  Recv-Q Send-Q Local Address:Port Peer Address:Port Process';

  it('reads a header only as the first line: a name spelling one changes nothing', () => {
    const text = [
      header,
      'tcp   LISTEN 0 5 127.0.0.1:1 0.0.0.0:* users:(("x',
      'Recv-Q",pid=5,fd=3)) ino:11 sk:1 <->',
      'tcp   LISTEN 0 5 127.0.0.1:2 0.0.0.0:* users:(("y",pid=6,fd=3)) uid:1000 ino:12 sk:2 <->',
    ].join('\n');
    const { rows, skippedLines } = parseSs(text, { kind: 'inet' });
    expect(skippedLines).toBe(0);
    expect(rows.map((r) => [r.localPort, r.processes, r.uid, r.inode])).toEqual([
      [1, [{ pid: 5, name: 'x\nRecv-Q' }], 0, 11],
      [2, [{ pid: 6, name: 'y' }], 1000, 12],
    ]);
  });

  it('never lets a name’s continuation pass for tcp_info', () => {
    const text = [header, 'tcp ESTAB 0 0 127.0.0.1:1 127.0.0.1:2 users:(("a', '\trtt:9.5",pid=5,fd=3)) ino:11 sk:1 <->'].join('\n');
    const [row] = parseSs(text).rows;
    expect(row).toMatchObject({ rttMs: null, bytesSent: null, processes: [{ pid: 5, name: 'a\n\trtt:9.5' }] });
  });

  it('reads -e extras in order: a cgroup path never supplies uid, ino or v6only', () => {
    const text = [header, 'tcp LISTEN 0 5 *:1 *:* users:(("x",pid=5,fd=3)) ino:9 sk:1 cgroup:/a uid:77 ino:3 v6only:0 <-> <->'].join('\n');
    const [row] = parseSs(text).rows;
    expect(row).toMatchObject({ uid: 0, inode: 9, family: 'inet' });
  });

  it('keeps a Unix socket’s own inode, not the inode of the file it is bound to', () => {
    const text = [header, 'u_str LISTEN 0 5 /run/a.sock 7001 * 0 users:(("d",pid=5,fd=3)) <-> ino:123 dev:0/25 peers: 7002 7003'].join('\n');
    const [row] = parseSs(text, { kind: 'unix' }).rows;
    expect(row).toMatchObject({ localAddress: '/run/a.sock', inode: 7001, uid: null, processes: [{ pid: 5, name: 'd' }] });
  });

  it('reads Unix rows whose path or process name spells `users:((` to the real process column', () => {
    const text = [
      header,
      'u_str ESTAB 0 0 /p 1 * 0 users:(("sshd",pid=1,fd=3)) 4566 * 0 users:(("d",pid=5,fd=3))',
      'u_str ESTAB 0 0 /q 4567 * 0 users:(("1 * 0 users:((",pid=6,fd=3))',
    ].join('\n');
    const { rows } = parseSs(text, { kind: 'unix' });
    expect(rows.map((r) => [r.localAddress, r.inode, r.processes])).toEqual([
      ['/p 1 * 0 users:(("sshd",pid=1,fd=3))', 4566, [{ pid: 5, name: 'd' }]],
      ['/q', 4567, [{ pid: 6, name: '1 * 0 users:((' }]],
    ]);
  });

  it('limits a Unix path that spells whole rows to made-up Unix rows: never a TCP row, never another socket', () => {
    // Each forged Unix line is a complete Unix row of its own: ss's text gives nothing to tell them
    // apart (the documented limit). The TCP line among them is no row in Unix output.
    const path = 'z 7 * 0\nu_str LISTEN 0 0 /run/fake.sock 8 * 0 users:(("sshd",pid=1,fd=3))\ntcp LISTEN 0 5 127.0.0.1:47120 0.0.0.0:*\nu_str LISTEN 0 0 q';
    const text = [header, `u_str LISTEN 0 5 @${path} 80027 * 0 users:(("evil",pid=42,fd=3))`, 'u_str ESTAB 0 0 * 9001 * 9002'].join('\n');
    const { rows, skippedLines } = parseSs(text, { kind: 'unix' });
    expect(skippedLines).toBe(1);
    expect(rows.every((r) => r.proto === 'unix')).toBe(true);
    expect(rows.map((r) => r.inode)).toEqual([7, 8, 80027, 9001]);
    // the real socket keeps its process, and the socket after it is untouched
    expect(rows.find((r) => r.inode === 80027)?.processes).toEqual([{ pid: 42, name: 'evil' }]);
    expect(rows.find((r) => r.inode === 9001)).toMatchObject({ localAddress: '*', processes: [] });
  });
});

describe('net-tools netstat, real output', () => {
  const { rows, skippedLines } = parseNetstatLinux(fixture('linux-hostile-netstat-tunaepx.txt'));

  it('reads program names with newlines whole, and every row after them with its user, inode and program', () => {
    expect(skippedLines).toBe(0);
    expect(rows).toHaveLength(24);
    expect(findRow(rows, { localPort: 43877 })?.processes).toEqual([{ pid: 18592, name: 'n\nProto' }]);
    expect(findRow(rows, { localPort: 48815 })?.processes).toEqual([{ pid: 18599, name: 'w\nudp 0 0 1' }]);
    expect(findRow(rows, { localPort: 56219 })?.processes).toEqual([{ pid: 18706, name: 'sp ace\u202Egnp' }]);
    // the `Proto` line did not switch the layout: later rows keep user, inode and program
    expect(findRow(rows, { localPort: 43543, state: 'LISTEN' })).toMatchObject({ uid: 0, inode: 72399, processes: [{ pid: 13397, name: 'node' }] });
    expect(findRow(rows, { proto: 'udp', localPort: 59490 })).toMatchObject({ uid: 0, inode: 80030, processes: [{ pid: 17945, name: 'python3' }] });
    expect(rows.filter((r) => r.proto === 'udp')).toHaveLength(1);
  });
});

describe('net-tools netstat rules (hand-written)', () => {
  const inetHeader = 'Proto Recv-Q Send-Q Local Address           Foreign Address         State       User       Inode      PID/Program name    ';
  const row = (port: number, program: string) =>
    `tcp        0      0 127.0.0.1:${port}           0.0.0.0:*               LISTEN      0          ${1000 + port}      ${program}`;

  it('never takes a short line, a Unix row among TCP ones or a TCP row among Unix ones', () => {
    const text = [
      'Active Internet connections (servers and established)',
      inetHeader,
      // argv[0] "\nudp 0 0 :1 : 0 0": "7/" and 17 characters, all net-tools keeps; the line would read as a row
      row(10, '7/'),
      'udp 0 0 :1 : 0 0',
      `unix  2      [ ACC ]     STREAM     LISTENING     5001     8/evil               /run/evil`,
      'Active UNIX domain sockets (servers and established)',
      'Proto RefCnt Flags       Type       State         I-Node   PID/Program name     Path',
      row(11, '9/y'),
    ].join('\n');
    const { rows, skippedLines } = parseNetstatLinux(text);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.processes).toEqual([{ pid: 7, name: '\nudp 0 0 :1 : 0 0' }]);
    expect(skippedLines).toBe(2);
    // and a name never grows past what net-tools prints (19 characters of PID/name)
    const long = parseNetstatLinux([inetHeader, row(10, '1234/abc'), 'udp 0 0 :1 : 0 0'].join('\n'));
    expect(long.rows.map((r) => r.processes)).toEqual([[{ pid: 1234, name: 'abc' }]]);
    expect(long.skippedLines).toBe(1);
  });

  it('joins a Unix row whose program field a newline cut, and the path after it', () => {
    const text = [
      'Proto RefCnt Flags       Type       State         I-Node   PID/Program name     Path',
      'unix  2      [ ACC ]     STREAM     LISTENING     80025    17944/a',
      'b            @x',
    ].join('\n');
    const { rows, skippedLines } = parseNetstatLinux(text);
    expect(skippedLines).toBe(0);
    expect(rows[0]).toMatchObject({ localAddress: '@x', inode: 80025, processes: [{ pid: 17944, name: 'a\nb' }] });
  });
});

describe('lsof', () => {
  it('reads the field output: names whole and decoded, whatever they hold', () => {
    const { rows } = parseLsof(fixture('linux-hostile-lsof-F.txt'));
    expect(rows.map((r) => [r.proto, r.localPort, r.state, r.inode, r.processes])).toEqual([
      ['tcp', 57527, 'LISTEN', 80024, [{ pid: 17944, name: HOSTILE }]],
      ['udp', 59490, 'UNCONN', 80030, [{ pid: 17945, name: '\nudp UNCONN 0 0' }]],
      ['tcp', 36677, 'LISTEN', 80034, [{ pid: 17946, name: 'cr\rudp x' }]],
      ['tcp', 43877, 'LISTEN', 86475, [{ pid: 18592, name: 'python3' }]],
      ['tcp', 48815, 'LISTEN', 86489, [{ pid: 18599, name: 'python3' }]],
      ['tcp', 56219, 'LISTEN', 87128, [{ pid: 18706, name: 'python3' }]],
    ]);
  });

  it('decodes a backslash lsof escaped as a backslash, not as the start of an escape', () => {
    const { rows } = parseLsof('p5\nca\\\\x41b\nf3\ntIPv4\nd9\nPTCP\nn127.0.0.1:1\nTST=LISTEN\n');
    expect(rows[0]?.processes).toEqual([{ pid: 5, name: 'a\\x41b' }]);
  });

  it('takes a pid only from a `p` line: a stray line moves no file to another process', () => {
    const { rows } = parseLsof('p5\ncx\nf3\ntIPv4\nd9\nPTCP\nn127.0.0.1:1\nTST=LISTEN\n  p1\nf4\ntIPv4\nd10\nPTCP\nn127.0.0.1:2\n');
    expect(rows.map((r) => r.processes)).toEqual([[{ pid: 5, name: 'x' }], [{ pid: 5, name: 'x' }]]);
  });
});

describe('macOS netstat -v', () => {
  const header =
    'Proto Recv-Q Send-Q  Local Address          Foreign Address        (state)          rxbytes      txbytes  rhiwat  shiwat          process:pid  state  options           gencnt    flags   flags1 usscnt rtncnt fltrs';
  const after = ' 0x0080 0x00000106 000000000002a1f3 00000000 00000800      1      0 000001';
  const row = (port: number, process: string) =>
    `tcp4       0      0  127.0.0.1.${port}         *.*                    LISTEN                 0            0  131072  131072 ${process}${after}`;

  it('reads a process name with newlines and a section title in it as that name', () => {
    // 16 characters, all netstat prints (MAXCOMLEN); on a line of its own "Active LOCAL" would end the section.
    const text = ['Active Internet connections (including servers)', header, row(8080, 'a\nActive LOCAL\nx:4312'), row(8081, 'node:4313')].join('\n');
    const { rows, skippedLines } = parseNetstatMacos(text, { wideAddresses: true });
    expect(skippedLines).toBe(0);
    expect(rows.map((r) => [r.localPort, r.processes])).toEqual([
      [8080, [{ pid: 4312, name: 'a\nActive LOCAL\nx' }]],
      [8081, [{ pid: 4313, name: 'node' }]],
    ]);
  });

  it('reads a name whose rest spells a row as that name, never a row', () => {
    const text = [header, row(8080, 'x\ntcp4 0 0 a.1 b:4312'), row(8081, 'node:4313')].join('\n');
    const { rows, skippedLines } = parseNetstatMacos(text, { wideAddresses: true });
    expect(skippedLines).toBe(0);
    expect(rows.map((r) => [r.localPort, r.processes])).toEqual([
      [8080, [{ pid: 4312, name: 'x\ntcp4 0 0 a.1 b' }]],
      [8081, [{ pid: 4313, name: 'node' }]],
    ]);
  });
});

describe('Windows', () => {
  it('reads an image name across lines as one name, never the rows it spells', () => {
    const text = [
      '  TCP    0.0.0.0:135            0.0.0.0:0              LISTENING       1040',
      ' [a',
      '  TCP    0.0.0.0:445            0.0.0.0:0              LISTENING       4',
      'b.exe]',
      '  TCP    0.0.0.0:5040           0.0.0.0:0              LISTENING       6856',
    ].join('\r\n');
    const { rows } = parseNetstatWindows(text);
    expect(rows.map((r) => [r.localPort, r.processes])).toEqual([
      [135, [{ pid: 1040, name: 'a\n  TCP    0.0.0.0:445            0.0.0.0:0              LISTENING       4\nb.exe' }]],
      [5040, [{ pid: 6856, name: null }]],
    ]);
  });

  it('reads tasklist records with a line break inside a quoted name', () => {
    const { names, skippedLines } = parseTasklist('"a\r\n""x"",""9"",""y"".exe","901","Console","1","1 K"\r\n"b.exe","902","Console","1","1 K"\r\n');
    expect(skippedLines).toBe(0);
    expect([...names]).toEqual([
      [901, 'a\r\n"x","9","y".exe'],
      [902, 'b.exe'],
    ]);
  });
});
