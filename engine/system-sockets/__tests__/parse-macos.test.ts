import { describe, expect, it } from 'vitest';
import { parseLsof } from '../parse-lsof';
import { parseNetstatMacos } from '../parse-netstat-macos';
import { expectValidRows, findRow, fixture, goldenPath, renderResult } from '../../testing/os-tables';

describe('parseNetstatMacos golden files', () => {
  const cases: Array<[string, boolean]> = [
    ['jc-macos-10.14-netstat-An.txt', false],
    ['jc-macos-10.14-netstat-Abn.txt', false],
    ['synthetic-macos-netstat-anvW-tcp.txt', true],
    ['synthetic-macos-netstat-anv-udp-legacy.txt', false],
  ];
  for (const [name, wideAddresses] of cases) {
    it(name, async () => {
      const result = parseNetstatMacos(fixture(name), { wideAddresses });
      expectValidRows(result.rows);
      await expect(renderResult(result)).toMatchFileSnapshot(goldenPath(`${name}.golden`));
    });
  }
});

describe('parseNetstatMacos', () => {
  it('reads HOST.PORT addresses, wildcards and the Internet section only', () => {
    const { rows, skippedLines } = parseNetstatMacos(fixture('jc-macos-10.14-netstat-An.txt'));
    expect(skippedLines).toBe(0);
    // 137 tcp/udp rows; the icm4 row and the Unix, kernel-control and event sections are not rows
    expect(rows).toHaveLength(137);
    expect(findRow(rows, { localAddress: '127.0.0.1', localPort: 53755 })).toMatchObject({
      family: 'inet',
      remoteAddress: '127.0.0.1',
      remotePort: 53763,
      state: 'ESTABLISHED',
    });
    expect(findRow(rows, { proto: 'udp', localAddress: '*', localPort: 5353 })).toMatchObject({
      remoteAddress: '*',
      remotePort: null,
      state: 'UNCONN',
    });
  });

  it('never invents a port from an address netstat cut to its column width', () => {
    const { rows } = parseNetstatMacos(fixture('jc-macos-10.14-netstat-An.txt'));
    // "192.168.1.221.5486" is 54860-something cut to 18 characters
    const cut = rows.find((r) => r.localAddress.startsWith('192.168.1.221.5486'));
    expect(cut).toMatchObject({ localAddress: '192.168.1.221.5486…', localPort: null });
    expect(rows.some((r) => r.localAddress === '192.168.1.221' && r.localPort === 5486)).toBe(false);
    const cutV6 = rows.find((r) => r.localAddress.startsWith('2600:1700:bab0:d.5'));
    expect(cutV6?.localPort).toBeNull();
  });

  it('reads -b byte counters', () => {
    const { rows } = parseNetstatMacos(fixture('jc-macos-10.14-netstat-Abn.txt'));
    expect(findRow(rows, { localAddress: '127.0.0.1', localPort: 53755 })).toMatchObject({
      bytesReceived: 3182238,
      bytesSent: 0,
    });
  });

  it('reads -v process:pid columns, names with spaces included, and every state', () => {
    const { rows, skippedLines } = parseNetstatMacos(fixture('synthetic-macos-netstat-anvW-tcp.txt'), { wideAddresses: true });
    expect(skippedLines).toBe(0);
    expect(findRow(rows, { localPort: 54860 })).toMatchObject({
      processes: [{ pid: 812, name: 'Google Chrome He' }],
      bytesReceived: 4958,
      bytesSent: 3996,
    });
    expect(findRow(rows, { localPort: 54861 })).toMatchObject({
      localAddress: '2600:1700:bab0:d00::1a',
      remoteAddress: '2607:f8b0:4003:c00::6a',
      remotePort: 993,
      family: 'inet6',
    });
    expect(findRow(rows, { localPort: 49154 })).toMatchObject({
      localAddress: 'fe80::aede:48ff:fe00:1122%en0',
      remoteAddress: 'fe80::aede:48ff:fe33:4455%en0',
    });
    expect(findRow(rows, { localPort: 443 })).toMatchObject({ localAddress: '*', family: 'inet6' });
    expect(rows.map((r) => r.state)).toEqual([
      'LISTEN',
      'LISTEN',
      'ESTABLISHED',
      'ESTABLISHED',
      'ESTABLISHED',
      'SYN_SENT',
      'SYN_RECEIVED',
      'FIN_WAIT_1',
      'FIN_WAIT_2',
      'CLOSE_WAIT',
      'CLOSING',
      'LAST_ACK',
      'TIME_WAIT',
      'CLOSED',
    ]);
  });

  it('reads the older -v pid column and connected UDP', () => {
    const { rows } = parseNetstatMacos(fixture('synthetic-macos-netstat-anv-udp-legacy.txt'));
    expect(rows).toHaveLength(5);
    expect(rows[0]).toMatchObject({ localPort: 5353, processes: [{ pid: 180, name: null }], family: 'inet' });
    expect(findRow(rows, { localPort: 61000 })?.family).toBe('inet6');
    expect(findRow(rows, { localPort: 60000 })).toMatchObject({ state: 'ESTABLISHED', remotePort: 53 });
    expect(findRow(rows, { localPort: 123 })).toMatchObject({ localAddress: 'fe80::1%lo0', processes: [] });
  });
});

describe('parseLsof', () => {
  const cases = ['linux-lsof-nP-iTCP-iUDP.txt', 'jc-ubuntu-18.04-lsof.txt', 'synthetic-macos-lsof-nP-iTCP-iUDP.txt'];
  for (const name of cases) {
    it(`golden: ${name}`, async () => {
      const result = parseLsof(fixture(name));
      expectValidRows(result.rows);
      await expect(renderResult(result)).toMatchFileSnapshot(goldenPath(`${name}.golden`));
    });
  }

  it('keeps only IPv4/IPv6 rows of a plain lsof and merges thread and shared-socket lines', () => {
    const { rows, skippedLines } = parseLsof(fixture('jc-ubuntu-18.04-lsof.txt'));
    expect(skippedLines).toBe(0);
    // 16 IPv4/IPv6 lines: containerd's 9 thread lines are one socket, sshd's two processes share one
    expect(rows).toHaveLength(7);
    expect(findRow(rows, { localPort: 42351 })?.processes).toEqual([{ pid: 1112, name: 'container' }]);
    expect(findRow(rows, { remotePort: 65159 })?.processes).toEqual([
      { pid: 16944, name: 'sshd' },
      { pid: 17058, name: 'sshd' },
    ]);
  });

  it('reads this machine’s lsof: inodes, connected UDP, escaped command names', () => {
    const { rows } = parseLsof(fixture('linux-lsof-nP-iTCP-iUDP.txt'));
    expect(findRow(rows, { localPort: 40211, state: 'LISTEN' })).toMatchObject({ inode: 13356, processes: [{ pid: 6652, name: 'socat' }] });
    expect(findRow(rows, { proto: 'udp', localPort: 58363 })).toMatchObject({ state: 'ESTABLISHED', remotePort: 40214 });
    expect(findRow(rows, { localPort: 53974 })?.processes).toContainEqual({ pid: 6673, name: '<svg o' });
    expect(findRow(rows, { localPort: 53982 })?.processes).toContainEqual({ pid: 6672, name: 'x",pid=1,' });
  });

  it('reads macOS lsof: hex devices, zone ids, IDLE and BOUND', () => {
    const { rows, skippedLines } = parseLsof(fixture('synthetic-macos-lsof-nP-iTCP-iUDP.txt'));
    expect(skippedLines).toBe(1);
    expect(findRow(rows, { localPort: 49154 })).toMatchObject({
      localAddress: 'fe80::aede:48ff:fe00:1122%en0',
      remoteAddress: 'fe80::aede:48ff:fe33:4455%en0',
      inode: null,
    });
    expect(findRow(rows, { localPort: 54860 })?.processes).toEqual([{ pid: 812, name: 'Google C' }]);
    expect(findRow(rows, { localPort: 61000 })?.processes.map((p) => p.pid)).toEqual([4312, 4313]);
    expect(findRow(rows, { localAddress: '*', localPort: null })).toMatchObject({ state: 'CLOSED', stateRaw: 'IDLE' });
    expect(findRow(rows, { localPort: 5000 })?.state).toBe('BOUND');
  });
});
