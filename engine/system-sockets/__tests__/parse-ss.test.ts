import { describe, expect, it } from 'vitest';
import { parseSs } from '../parse-ss';
import { expectValidRows, findRow, fixture, goldenPath, renderResult } from '../../testing/os-tables';

describe('parseSs golden files', () => {
  const cases = [
    // Captured on this project's Linux machine (iproute2 6.1), with socat listeners, a Node pair,
    // a connected UDP socket and processes renamed to hostile names holding sockets.
    'linux-ss-tuanpi.txt',
    'linux-ss-tuanpie.txt',
    // jc project captures (MIT, see LICENSE-jc.md).
    'jc-ubuntu-18.04-ss-tulpen.txt',
    'jc-ubuntu-18.04-ss-a.txt',
    'jc-centos-7.7-ss-a.txt',
    'synthetic-ss-tuanpie-edge-cases.txt',
  ];
  for (const name of cases) {
    it(name, async () => {
      const result = parseSs(fixture(name));
      expectValidRows(result.rows);
      await expect(renderResult(result)).toMatchFileSnapshot(goldenPath(`${name}.golden`));
    });
  }
});

describe('parseSs on this machine’s capture (ss -tuanpie, iproute2 6.1)', () => {
  const { rows, skippedLines } = parseSs(fixture('linux-ss-tuanpie.txt'));

  it('reads every socket line and nothing else', () => {
    expect(skippedLines).toBe(0);
    expect(rows).toHaveLength(29);
  });

  it('reads the socat listener with its pid, queue, uid and inode', () => {
    expect(findRow(rows, { proto: 'tcp', localAddress: '127.0.0.1', localPort: 40211, state: 'LISTEN' })).toMatchObject({
      family: 'inet',
      remoteAddress: '0.0.0.0',
      remotePort: null,
      stateRaw: 'LISTEN',
      recvQ: 0,
      sendQ: 5,
      processes: [{ pid: 6652, name: 'socat' }],
      uid: 0,
      inode: 13356,
    });
  });

  it('reads tcp_info counters and RTT from the -i continuation line', () => {
    const client = findRow(rows, { localPort: 54684, remotePort: 47011 });
    expect(client).toMatchObject({ state: 'ESTABLISHED', bytesSent: 208, bytesReceived: 0, rttMs: 0.059 });
    const server = findRow(rows, { localAddress: '::ffff:127.0.0.1', localPort: 47011 });
    expect(server).toMatchObject({ family: 'inet6', bytesSent: 0, bytesReceived: 208, rttMs: 0.073 });
  });

  it('keeps a listener without tcp_info counters at null', () => {
    expect(findRow(rows, { localPort: 40211, state: 'LISTEN' })).toMatchObject({ bytesSent: null, rttMs: null });
  });

  it('reads a dual-stack wildcard listener as `*` in inet6', () => {
    expect(findRow(rows, { localPort: 47011, state: 'LISTEN' })).toMatchObject({
      localAddress: '*',
      family: 'inet6',
      remoteAddress: '*',
    });
  });

  it('reads TIME-WAIT rows: no process, no inode', () => {
    expect(findRow(rows, { localPort: 53984, remotePort: 40211 })).toMatchObject({
      state: 'TIME_WAIT',
      stateRaw: 'TIME-WAIT',
      processes: [],
      inode: null,
    });
  });

  it('reads connected UDP as ESTABLISHED', () => {
    expect(findRow(rows, { proto: 'udp', localPort: 58363 })).toMatchObject({
      state: 'ESTABLISHED',
      remoteAddress: '127.0.0.1',
      remotePort: 40214,
    });
  });

  it('never attributes a socket to pid 1 because a process named itself `x",pid=1,fd=9)`', () => {
    const row = findRow(rows, { localPort: 53982, remotePort: 40211 });
    // ss cuts the name at its first ")" and prints it unescaped: ("x",pid=1,fd=9",pid=6672,fd=3)
    expect(row?.processes).toEqual([
      { pid: 6680, name: 'sleep' },
      { pid: 6672, name: 'x",pid=1,fd=9' },
    ]);
    expect(rows.some((r) => r.processes.some((p) => p.pid === 1))).toBe(false);
  });

  it('keeps names with markup, spaces, quotes, commas and parens verbatim', () => {
    expect(findRow(rows, { localPort: 53974 })?.processes).toContainEqual({ pid: 6673, name: '<svg onload=1>' });
    expect(findRow(rows, { localPort: 53988 })?.processes).toContainEqual({ pid: 6674, name: 'a b, c (d" e' });
    // A name that tried to open a second entry was cut by ss at its ")".
    expect(findRow(rows, { localPort: 54000 })?.processes).toEqual([
      { pid: 6692, name: 'sleep' },
      { pid: 6675, name: 'q' },
    ]);
  });
});

describe('parseSs edge cases (hand-written)', () => {
  const { rows, skippedLines } = parseSs(fixture('synthetic-ss-tuanpie-edge-cases.txt'));

  it('counts the unreadable lines', () => {
    // "x" as Recv-Q, and a line that is not a socket at all
    expect(skippedLines).toBe(2);
  });

  it('maps every ss state to its canonical name', () => {
    const states = Object.fromEntries(
      rows.filter((r) => r.localAddress === '10.0.0.5' && r.localPort === 22).map((r) => [r.stateRaw, r.state]),
    );
    expect(states).toEqual({
      'SYN-RECV': 'SYN_RECEIVED',
      ESTAB: 'ESTABLISHED',
      'FIN-WAIT-1': 'FIN_WAIT_1',
      'FIN-WAIT-2': 'FIN_WAIT_2',
      'CLOSE-WAIT': 'CLOSE_WAIT',
      CLOSING: 'CLOSING',
      'LAST-ACK': 'LAST_ACK',
      'TIME-WAIT': 'TIME_WAIT',
      UNKNOWN: 'UNKNOWN',
    });
    expect(findRow(rows, { localPort: 40000 })?.state).toBe('SYN_SENT');
    expect(findRow(rows, { localPort: 68 })?.state).toBe('UNCONN');
  });

  it('keeps zone ids and bound devices, strips brackets', () => {
    expect(findRow(rows, { proto: 'udp', localPort: 123 })).toMatchObject({
      localAddress: 'fe80::1%eth0',
      family: 'inet6',
      remoteAddress: '::',
    });
    expect(findRow(rows, { localPort: 22, remotePort: 51515 })).toMatchObject({
      localAddress: 'fe80::a00:27ff:fe4e:66a1%enp0s3',
      remoteAddress: 'fe80::1%enp0s3',
    });
    expect(findRow(rows, { proto: 'udp', localPort: 53 })?.localAddress).toBe('127.0.0.53%lo');
    expect(findRow(rows, { localPort: 8443 })?.localAddress).toBe('::');
  });

  it('lists every process holding a socket', () => {
    expect(findRow(rows, { remotePort: 50001 })?.processes).toEqual([
      { pid: 902, name: 'sshd' },
      { pid: 903, name: 'sshd' },
    ]);
  });

  it('reads each adversarial entry to the pid ss printed for it', () => {
    expect(findRow(rows, { localPort: 40001 })?.processes).toEqual([{ pid: 4242, name: 'x",pid=1,fd=9' }]);
    expect(findRow(rows, { localPort: 40002 })?.processes).toEqual([{ pid: 4243, name: '<svg onload=1>' }]);
    expect(findRow(rows, { localPort: 40003 })?.processes).toEqual([
      { pid: 4244, name: 'a b, c (d" e' },
      { pid: 4245, name: 'sleep' },
    ]);
    expect(findRow(rows, { localPort: 40005 })?.processes).toEqual([{ pid: 4247, name: '' }]);
    expect(findRow(rows, { localPort: 40006 })?.processes).toEqual([
      { pid: 7, name: 'x' },
      { pid: 4248, name: 'y",pid=8,fd=2' },
    ]);
    expect(findRow(rows, { localPort: 40007 })?.processes).toEqual([{ pid: 4249, name: 'we(ir)d' }]);
  });

  it('does not read uid/ino out of a process name', () => {
    expect(findRow(rows, { localPort: 40004 })).toMatchObject({
      processes: [{ pid: 4246, name: 'q ino:1 uid:0' }],
      uid: 1000,
      inode: 2004,
    });
  });

  it('drops an unreadable process column but keeps the row and its extras', () => {
    expect(findRow(rows, { localPort: 40008 })).toMatchObject({ processes: [], inode: 2009 });
  });

  it('reads the pre-iproute2-4 users format', () => {
    expect(findRow(rows, { localPort: 25 })?.processes).toEqual([{ pid: 1469, name: 'master' }]);
  });

  it('treats an ino: without uid: as root-owned (ss omits uid 0)', () => {
    expect(findRow(rows, { localPort: 22, state: 'LISTEN' })?.uid).toBe(0);
    expect(findRow(rows, { localPort: 40000 })?.uid).toBe(1000);
  });

  it('falls back to bytes_acked minus the SYN on kernels without bytes_sent', () => {
    expect(findRow(rows, { remotePort: 50099 })).toMatchObject({ bytesSent: 100, bytesReceived: 0, rttMs: 0.5 });
  });

  it('reads Unix sockets, paths with spaces included', () => {
    const unix = rows.filter((r) => r.proto === 'unix');
    expect(unix.map((r) => [r.localAddress, r.state, r.inode, r.processes[0]?.name ?? null])).toEqual([
      ['/run/my app/ctl.sock', 'LISTEN', 3001, 'my app'],
      ['*', 'UNCONN', 3002, 'journal'],
      ['@/tmp/.X11-unix/X0', 'ESTABLISHED', 3004, null],
    ]);
  });
});

describe('parseSs layouts', () => {
  it('reads output without Netid column (ss -tan) as TCP, and UNCONN rows as UDP', () => {
    const text = [
      'State  Recv-Q Send-Q Local Address:Port Peer Address:Port Process',
      'LISTEN 0      128          0.0.0.0:22        0.0.0.0:*',
      'UNCONN 0      0            0.0.0.0:68        0.0.0.0:*',
    ].join('\n');
    const { rows } = parseSs(text);
    expect(rows.map((r) => [r.proto, r.localPort, r.state])).toEqual([
      ['tcp', 22, 'LISTEN'],
      ['udp', 68, 'UNCONN'],
    ]);
  });

  it('reads headerless output (ss -H)', () => {
    const { rows, skippedLines } = parseSs('tcp ESTAB 0 0 127.0.0.1:1 127.0.0.1:2 users:(("a",pid=5,fd=3))\n');
    expect(skippedLines).toBe(0);
    expect(rows[0]).toMatchObject({ localPort: 1, remotePort: 2, processes: [{ pid: 5, name: 'a' }] });
  });

  it('ignores netlink, packet, raw and vsock sockets without calling them unreadable', () => {
    const { rows, skippedLines } = parseSs(fixture('jc-ubuntu-18.04-ss-a.txt'));
    expect(skippedLines).toBe(0);
    expect(rows.every((r) => r.proto === 'tcp' || r.proto === 'udp' || r.proto === 'unix')).toBe(true);
    // service names (ss without -n) are not numbers: the port is unknown, not a guess
    expect(findRow(rows, { proto: 'tcp', localAddress: '0.0.0.0', state: 'LISTEN' })?.localPort).toBeNull();
  });

  it('reads old ss (CentOS 7) `*` as an IPv4 wildcard', () => {
    const { rows } = parseSs(fixture('jc-centos-7.7-ss-a.txt'));
    const sshV4 = rows.find((r) => r.proto === 'tcp' && r.localAddress === '*');
    expect(sshV4?.family).toBe('inet');
  });
});
