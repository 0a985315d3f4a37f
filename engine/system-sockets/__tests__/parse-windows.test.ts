import { describe, expect, it } from 'vitest';
import { parseNetstatWindows } from '../parse-netstat-windows';
import { parseCsvLine, parseTasklist } from '../parse-tasklist';
import { expectValidRows, findRow, fixture, goldenPath, renderResult } from '../../testing/os-tables';

describe('parseNetstatWindows golden files', () => {
  const cases = [
    'jc-windows-10-netstat-an.txt',
    'jc-windows-10-netstat-aon.txt',
    'jc-windows-10-netstat-aonb.txt',
    'synthetic-windows-netstat-ano-states.txt',
  ];
  for (const name of cases) {
    it(name, async () => {
      const result = parseNetstatWindows(fixture(name));
      expectValidRows(result.rows);
      await expect(renderResult(result)).toMatchFileSnapshot(goldenPath(`${name}.golden`));
    });
  }
});

describe('parseNetstatWindows', () => {
  it('reads -aon: pids, IPv6 brackets, zone ids, UDP without state', () => {
    const { rows, skippedLines } = parseNetstatWindows(fixture('jc-windows-10-netstat-aon.txt'));
    expect(skippedLines).toBe(0);
    expect(rows).toHaveLength(208);
    expect(rows[0]).toMatchObject({
      proto: 'tcp',
      localAddress: '0.0.0.0',
      localPort: 135,
      remoteAddress: '0.0.0.0',
      remotePort: 0,
      state: 'LISTEN',
      stateRaw: 'LISTENING',
      processes: [{ pid: 1712, name: null }],
    });
    expect(findRow(rows, { localAddress: '::', localPort: 135 })?.family).toBe('inet6');
    expect(findRow(rows, { proto: 'udp', localPort: 53 })).toMatchObject({
      remoteAddress: '*',
      remotePort: null,
      state: 'UNCONN',
      processes: [{ pid: 4808, name: null }],
    });
    expect(rows.some((r) => r.localAddress.includes('%'))).toBe(true);
  });

  it('reads -an (no pid column)', () => {
    const { rows, skippedLines } = parseNetstatWindows(fixture('jc-windows-10-netstat-an.txt'));
    expect(skippedLines).toBe(0);
    expect(rows).toHaveLength(260);
    expect(rows.every((r) => r.processes.length === 0)).toBe(true);
  });

  it('reads -aonb: [image] lines name the row above; "cannot obtain" leaves it unnamed', () => {
    const { rows } = parseNetstatWindows(fixture('jc-windows-10-netstat-aonb.txt'));
    expect(rows).toHaveLength(318);
    expect(rows[0]?.processes).toEqual([{ pid: 1712, name: 'svchost.exe' }]);
    expect(findRow(rows, { localAddress: '0.0.0.0', localPort: 445 })?.processes).toEqual([{ pid: 4, name: null }]);
    expect(findRow(rows, { localAddress: '0.0.0.0', localPort: 1134 })?.processes).toEqual([{ pid: 27696, name: 'Spotify.exe' }]);
  });

  it('maps every state; an unknown (localised) word with foreign port 0 is a listener', () => {
    const { rows, skippedLines } = parseNetstatWindows(fixture('synthetic-windows-netstat-ano-states.txt'));
    expect(rows.map((r) => `${r.stateRaw}=${r.state}`)).toEqual([
      'LISTENING=LISTEN',
      'SYN_SENT=SYN_SENT',
      'SYN_RECEIVED=SYN_RECEIVED',
      'ESTABLISHED=ESTABLISHED',
      'FIN_WAIT_1=FIN_WAIT_1',
      'FIN_WAIT_2=FIN_WAIT_2',
      'CLOSE_WAIT=CLOSE_WAIT',
      'CLOSING=CLOSING',
      'LAST_ACK=LAST_ACK',
      'TIME_WAIT=TIME_WAIT',
      'CLOSED=CLOSED',
      'BOUND=BOUND',
      'DELETE_TCB=UNKNOWN',
      'LISTENING=LISTEN',
      'ESTABLISHED=ESTABLISHED',
      'ABHÖREN=LISTEN',
      'HERGESTELLT=UNKNOWN',
      '=UNCONN',
      '=UNCONN',
    ]);
    // a service-name port and a non-numeric pid
    expect(skippedLines).toBe(2);
    // pid 0 (System Idle Process) owns TIME_WAIT leftovers: no owner
    expect(findRow(rows, { state: 'TIME_WAIT' })?.processes).toEqual([]);
    expect(findRow(rows, { localPort: 50012 })).toMatchObject({
      localAddress: 'fe80::1c2f:3a4b:5c6d:7e8f%12',
      remoteAddress: 'fe80::1%12',
      remotePort: 445,
    });
  });
});

describe('parseTasklist', () => {
  it('maps pids to image names, with CSV quoting', () => {
    const { names, skippedLines } = parseTasklist(fixture('synthetic-tasklist.csv'));
    expect(names.get(0)).toBe('System Idle Process');
    expect(names.get(4)).toBe('System');
    expect(names.get(901)).toBe('my, "quoted" app.exe');
    expect(names.get(902)).toBe('<svg onload=1>.exe');
    expect(names.get(1712)).toBe('svchost.exe');
    expect(skippedLines).toBe(1);
  });

  it('skips a header row when /nh was not given', () => {
    const { names, skippedLines } = parseTasklist('"Image Name","PID","Session Name","Session#","Mem Usage"\n"a.exe","5","Console","1","1 K"\n');
    expect([...names]).toEqual([[5, 'a.exe']]);
    expect(skippedLines).toBe(0);
  });

  it('splits CSV lines with escaped quotes and empty fields', () => {
    expect(parseCsvLine('"a ""b"", c",2,,"d"')).toEqual(['a "b", c', '2', '', 'd']);
    expect(parseCsvLine('')).toEqual(['']);
  });
});

