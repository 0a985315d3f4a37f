import { describe, expect, it } from 'vitest';
import { parseNetstatLinux } from '../parse-netstat-linux';
import { expectValidRows, findRow, fixture, goldenPath, renderResult } from '../../testing/os-tables';

describe('parseNetstatLinux golden files', () => {
  const cases = [
    'linux-netstat-tunap.txt',
    'linux-netstat-tunaep.txt',
    'jc-ubuntu-18.04-netstat-aeep.txt',
    'jc-ubuntu-18.04-netstat-lnp-space.txt',
    'jc-centos-7.7-netstat-lnp.txt',
    'synthetic-netstat-linux-tunaep-edge-cases.txt',
  ];
  for (const name of cases) {
    it(name, async () => {
      const result = parseNetstatLinux(fixture(name));
      expectValidRows(result.rows);
      await expect(renderResult(result)).toMatchFileSnapshot(goldenPath(`${name}.golden`));
    });
  }
});

describe('parseNetstatLinux', () => {
  it('reads this machine’s netstat -tunaep: users, inodes, programs, UDP without a state', () => {
    const { rows, skippedLines } = parseNetstatLinux(fixture('linux-netstat-tunaep.txt'));
    expect(skippedLines).toBe(0);
    expect(rows).toHaveLength(29);
    expect(findRow(rows, { localPort: 40211, state: 'LISTEN' })).toMatchObject({
      processes: [{ pid: 6652, name: 'socat' }],
      uid: 0,
      inode: 13356,
      sendQ: 0,
    });
    expect(findRow(rows, { localPort: 2024 })?.processes).toEqual([]);
    expect(findRow(rows, { proto: 'udp', localPort: 40213 })).toMatchObject({ state: 'UNCONN', stateRaw: '' });
    expect(findRow(rows, { proto: 'udp', localPort: 58363 })).toMatchObject({ state: 'ESTABLISHED' });
    // tcp6 rows are AF_INET6 even when netstat prints the mapped peer as plain IPv4
    expect(findRow(rows, { localPort: 47011, remotePort: 54684 })?.family).toBe('inet6');
    expect(findRow(rows, { localPort: 53984 })).toMatchObject({ state: 'TIME_WAIT', inode: null, processes: [] });
  });

  it('keeps program names with spaces whole', () => {
    const { rows } = parseNetstatLinux(fixture('jc-ubuntu-18.04-netstat-lnp-space.txt'));
    expect(findRow(rows, { localAddress: '0.0.0.0', localPort: 22 })?.processes).toEqual([{ pid: 600, name: 'sshd: /usr/sbin' }]);
    expect(findRow(rows, { localPort: 37300 })?.processes).toEqual([{ pid: 1204, name: 'pgpool: heartb' }]);
    expect(findRow(rows, { localPort: 9000 })?.processes).toEqual([{ pid: 1187, name: 'pgpool: watchd' }]);
  });

  it('maps every net-tools state word', () => {
    const { rows, skippedLines } = parseNetstatLinux(fixture('synthetic-netstat-linux-tunaep-edge-cases.txt'));
    const states = rows.filter((r) => r.localAddress === '10.0.0.5' && r.localPort === 22).map((r) => `${r.stateRaw}=${r.state}`);
    expect(states).toEqual([
      'SYN_RECV=SYN_RECEIVED',
      'ESTABLISHED=ESTABLISHED',
      'FIN_WAIT1=FIN_WAIT_1',
      'FIN_WAIT2=FIN_WAIT_2',
      'CLOSE_WAIT=CLOSE_WAIT',
      'CLOSING=CLOSING',
      'LAST_ACK=LAST_ACK',
      'TIME_WAIT=TIME_WAIT',
      'CLOSE=CLOSED',
      'UNKNOWN=UNKNOWN',
    ]);
    expect(findRow(rows, { localPort: 40000 })?.state).toBe('SYN_SENT');
    // "x" as Recv-Q and an unknown protocol "tcpx"
    expect(skippedLines).toBe(2);
  });

  it('keeps zone ids, names with parens/quotes/commas, and Unix paths with spaces', () => {
    const { rows } = parseNetstatLinux(fixture('synthetic-netstat-linux-tunaep-edge-cases.txt'));
    expect(findRow(rows, { proto: 'udp', localPort: 123 })).toMatchObject({ localAddress: 'fe80::1%eth0', family: 'inet6' });
    expect(findRow(rows, { remotePort: 51515 })).toMatchObject({
      localAddress: 'fe80::a00:27ff:fe4e:66a1%enp0s3',
      remoteAddress: 'fe80::1%enp0s3',
    });
    expect(findRow(rows, { localPort: 22, remotePort: 50004 })?.processes).toEqual([{ pid: 904, name: 'my app (x, "y")' }]);
    const unix = rows.filter((r) => r.proto === 'unix');
    expect(unix.map((r) => [r.localAddress, r.state, r.inode, r.processes[0]?.name ?? null])).toEqual([
      ['/run/my app/ctl.sock', 'LISTEN', 3001, 'my app'],
      ['*', 'UNCONN', 3002, 'journal'],
      ['@/tmp/.X11-unix/X0', 'ESTABLISHED', 3004, null],
      ['/run/udev/control', 'LISTEN', 3006, 'init'],
    ]);
  });

  it('ignores raw sockets rather than calling them unreadable', () => {
    const { rows, skippedLines } = parseNetstatLinux(fixture('jc-centos-7.7-netstat-lnp.txt'));
    expect(skippedLines).toBe(0);
    expect(rows.some((r) => r.localPort === 58)).toBe(false);
  });
});
