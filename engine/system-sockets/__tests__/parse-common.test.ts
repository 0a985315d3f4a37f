import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatSocketEndpoint,
  systemSocketBaseKey,
  SystemSocketsSnapshot,
  SystemSocketsStatus,
} from '../../../shared/system-sockets';
import {
  emptyRow,
  lookupState,
  normalizeState,
  parseCount,
  parseCountAt,
  parseDecimal,
  parsePort,
  readDecimalAt,
  readHostPortAt,
  readIntAt,
  splitHostPort,
  splitLines,
  splitUnixLines,
  StringInterner,
  tokenize,
  tokenOffsets,
  UnixLines,
  withKeys,
} from '../parse-common';

describe('splitHostPort', () => {
  it.each([
    ['127.0.0.1:8080', '127.0.0.1', 8080],
    ['0.0.0.0:*', '0.0.0.0', null],
    ['*:*', '*', null],
    ['*:22', '*', 22],
    ['[::]:22', '::', 22],
    ['[::]:*', '::', null],
    ['[::1]:65535', '::1', 65535],
    ['[fe80::1%eth0]:123', 'fe80::1%eth0', 123],
    ['[::ffff:127.0.0.1]:80', '::ffff:127.0.0.1', 80],
    [':::22', '::', 22],
    [':::*', '::', null],
    ['::1:25', '::1', 25],
    ['fe80::1%eth0:123', 'fe80::1%eth0', 123],
    ['127.0.0.53%lo:53', '127.0.0.53%lo', 53],
    ['0.0.0.0:0', '0.0.0.0', 0],
    ['[::]', '::', null],
    [':80', '*', 80],
  ])('%s → %s port %s', (text, address, port) => {
    expect(splitHostPort(text)).toMatchObject({ address, port });
  });

  it('marks service names and out-of-range ports as unreadable, never as a number', () => {
    expect(splitHostPort('0.0.0.0:ssh')).toEqual({ address: '0.0.0.0', port: null, portUnreadable: true });
    expect(splitHostPort('1.2.3.4:65536')).toMatchObject({ port: null, portUnreadable: true });
    expect(splitHostPort('1.2.3.4:-1')).toMatchObject({ port: null, portUnreadable: true });
    expect(splitHostPort('1.2.3.4:080')).toMatchObject({ port: 80 });
  });

  it('splits macOS HOST.PORT at the last dot', () => {
    expect(splitHostPort('192.168.1.221.54860', '.')).toMatchObject({ address: '192.168.1.221', port: 54860 });
    expect(splitHostPort('*.*', '.')).toMatchObject({ address: '*', port: null });
    expect(splitHostPort('*.443', '.')).toMatchObject({ address: '*', port: 443 });
    expect(splitHostPort('fe80::1%lo0.123', '.')).toMatchObject({ address: 'fe80::1%lo0', port: 123 });
    expect(splitHostPort('::1.5353', '.')).toMatchObject({ address: '::1', port: 5353 });
  });

  it('rejects malformed bracketed addresses', () => {
    expect(splitHostPort('[::1')).toBeNull();
    expect(splitHostPort('[::1]x80')).toBeNull();
    expect(splitHostPort('')).toBeNull();
  });
});

describe('state normalisation', () => {
  it.each([
    // ss
    ['ESTAB', 'ESTABLISHED'],
    ['SYN-SENT', 'SYN_SENT'],
    ['SYN-RECV', 'SYN_RECEIVED'],
    ['FIN-WAIT-1', 'FIN_WAIT_1'],
    ['FIN-WAIT-2', 'FIN_WAIT_2'],
    ['TIME-WAIT', 'TIME_WAIT'],
    ['CLOSE-WAIT', 'CLOSE_WAIT'],
    ['LAST-ACK', 'LAST_ACK'],
    ['UNCONN', 'UNCONN'],
    // net-tools
    ['SYN_RECV', 'SYN_RECEIVED'],
    ['FIN_WAIT1', 'FIN_WAIT_1'],
    ['FIN_WAIT2', 'FIN_WAIT_2'],
    ['CLOSE', 'CLOSED'],
    ['LISTENING', 'LISTEN'],
    ['CONNECTED', 'ESTABLISHED'],
    // macOS, lsof, Windows, PowerShell
    ['SYN_RCVD', 'SYN_RECEIVED'],
    ['(LISTEN)', 'LISTEN'],
    ['IDLE', 'CLOSED'],
    ['SYN_RECEIVED', 'SYN_RECEIVED'],
    ['BOUND', 'BOUND'],
    ['TimeWait', 'TIME_WAIT'],
    ['FinWait2', 'FIN_WAIT_2'],
    ['Listen', 'LISTEN'],
  ])('%s → %s', (raw, state) => {
    expect(lookupState(raw)).toBe(state);
  });

  it('knows no state for other words, including prototype names', () => {
    for (const word of ['', 'ABHÖREN', 'constructor', '__proto__', 'toString', 'x'.repeat(100)]) {
      expect(lookupState(word)).toBeNull();
    }
  });

  it('reads an empty state as UNCONN for UDP/Unix and UNKNOWN for TCP', () => {
    expect(normalizeState('', 'udp')).toBe('UNCONN');
    expect(normalizeState('', 'unix')).toBe('UNCONN');
    expect(normalizeState('', 'tcp')).toBe('UNKNOWN');
    expect(normalizeState('bogus', 'tcp')).toBe('UNKNOWN');
  });
});

describe('number parsing', () => {
  it('accepts only plain decimal integers', () => {
    expect(parseCount('0')).toBe(0);
    expect(parseCount('9007199254740991')).toBe(9007199254740991);
    expect(parseCount('99999999999999999')).toBeNull();
    for (const bad of [undefined, '', '-1', '1e3', '0x10', ' 1', '1.5', '１']) expect(parseCount(bad)).toBeNull();
  });

  it('accepts ports 0–65535 only', () => {
    expect(parsePort('65535')).toBe(65535);
    expect(parsePort('65536')).toBeNull();
    expect(parsePort('*')).toBeNull();
  });

  it('reads integers and decimals in place', () => {
    expect(readIntAt('ino:12345 sk:1', 4)).toBe(12345);
    expect(readIntAt('x', 0)).toBe(-1);
    expect(readIntAt('12345678901234567', 0)).toBe(-1);
    expect(readIntAt('9007199254740991', 0)).toBe(9007199254740991);
    expect(readDecimalAt('rtt:0.029/0.001', 4)).toBe(0.029);
    expect(readDecimalAt('rtt:1.5 ato', 4)).toBe(1.5);
    expect(readDecimalAt('rtt:12', 4)).toBe(12);
    for (const bad of ['rtt:', 'rtt:.5', 'rtt:5.', 'rtt:1.2.3', 'rtt:1x']) expect(readDecimalAt(bad, 4)).toBe(-1);
    for (const text of ['0.1', '0.2', '0.3', '123.456', '0.07', '99.99']) expect(readDecimalAt(text, 0)).toBe(Number(text));
  });

  it('reads ss decimals', () => {
    expect(parseDecimal('0.029')).toBe(0.029);
    expect(parseDecimal('12')).toBe(12);
    for (const bad of ['', '.5', '5.', '1.2.3', '-1', 'NaN', 'Infinity']) expect(parseDecimal(bad)).toBeNull();
  });
});

describe('lines and tokens', () => {
  it('splits on \\n, \\r\\n and lone \\r', () => {
    expect(splitLines('a\nb\r\nc\rd')).toEqual(['a', 'b', 'c', 'd']);
  });

  it('tokenizes with offsets and a limit', () => {
    expect(tokenize('  ab \tc  d', 0, 2)).toEqual([
      { text: 'ab', start: 2, end: 4 },
      { text: 'c', start: 6, end: 7 },
    ]);
  });

  // The in-place readers the ss parser uses must read exactly what the string-making ones do.
  it('UnixLines gives the lines splitUnixLines gives, `\r` as data unless every line ends in `\r\n`', () => {
    const text = fc.array(fc.constantFrom('a', ' ', '\t', '\r', '\n', '\r\n', 'udp x'), { maxLength: 20 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(fc.oneof(text, text.map((t) => t.replace(/\r?\n/g, '\r\n'))), (t) => {
        const lines = new UnixLines(t);
        expect(Array.from({ length: lines.count }, (_, i) => lines.line(i))).toEqual(splitUnixLines(t));
      }),
      { numRuns: 500 },
    );
  });

  it('tokenOffsets finds the tokens tokenize finds, up to its room', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.integer({ min: 1, max: 6 }), (line, room) => {
        const starts = new Int32Array(room);
        const ends = new Int32Array(room);
        const count = tokenOffsets(line, starts, ends);
        expect(Array.from({ length: count }, (_, i) => [starts[i], ends[i]])).toEqual(tokenize(line, 0, room).map((t) => [t.start, t.end]));
      }),
      { numRuns: 500 },
    );
  });

  it('readHostPortAt reads what splitHostPort reads, from the middle of a line', () => {
    const endpoint = fc.array(fc.constantFrom('[', ']', ':', '*', '1', '80', '65536', '::', 'a', '%', '.'), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(endpoint.map((parts) => parts.join('')), (text) => {
        const into = { address: '', port: null as number | null };
        const read = readHostPortAt(`x ${text} y`, 2, 2 + text.length, new StringInterner(), into);
        const split = splitHostPort(text);
        expect(read ? into : null).toEqual(split && { address: split.address, port: split.port });
      }),
      { numRuns: 1_000 },
    );
  });

  it('parseCountAt reads what parseCount reads', () => {
    fc.assert(
      fc.property(fc.oneof(fc.stringMatching(/^[0-9]{0,18}$/), fc.string({ maxLength: 6 })), (text) => {
        expect(parseCountAt(`(${text})`, 1, 1 + text.length)).toBe(parseCount(text));
      }),
      { numRuns: 1_000 },
    );
  });

  it('StringInterner hands out strings equal to the slice, for repeated and colliding texts alike', () => {
    const strings = new StringInterner();
    const texts = Array.from({ length: 3_000 }, (_, i) => `127.0.${i % 7}.${i % 1500}`);
    for (const t of texts) expect(strings.take(`>${t}<`, 1, 1 + t.length)).toBe(t);
    expect(strings.take('abc', 1, 1)).toBe('');
    expect(strings.take('x'.repeat(100), 0, 100)).toBe('x'.repeat(100));
  });
});

describe('row keys', () => {
  it('keys a connection by its 4-tuple, so TIME_WAIT keeps the key of the ESTABLISHED row', () => {
    const established = { ...emptyRow('tcp', 'inet'), localAddress: '127.0.0.1', localPort: 5000, remoteAddress: '127.0.0.1', remotePort: 6000, inode: 77, processes: [{ pid: 9, name: 'x' }] };
    const timeWait = { ...established, inode: null, processes: [], state: 'TIME_WAIT' as const };
    expect(systemSocketBaseKey(established)).toBe(systemSocketBaseKey(timeWait));
  });

  it('keys an unconnected socket by inode, else by its pids', () => {
    const a = { ...emptyRow('tcp', 'inet'), localAddress: '0.0.0.0', localPort: 80, inode: 1 };
    const b = { ...a, inode: 2 };
    expect(systemSocketBaseKey(a)).not.toBe(systemSocketBaseKey(b));
    const c = { ...a, inode: null, processes: [{ pid: 3, name: null }, { pid: 1, name: null }] };
    expect(systemSocketBaseKey(c)).toContain('pid:1,3');
  });

  it('makes duplicate keys unique in output order', () => {
    const row = () => ({ ...emptyRow('udp', 'inet'), localAddress: '0.0.0.0', localPort: 1900, processes: [{ pid: 5, name: null }] });
    const keys = withKeys([row(), row(), row()]).map((r) => r.key);
    expect(keys).toEqual(['udp|0.0.0.0|1900||*|pid:5', 'udp|0.0.0.0|1900||*|pid:5#2', 'udp|0.0.0.0|1900||*|pid:5#3']);
  });
});

describe('shared schema helpers', () => {
  it('formats endpoints as the UI contract writes them', () => {
    expect(formatSocketEndpoint('127.0.0.1', 80)).toBe('127.0.0.1:80');
    expect(formatSocketEndpoint('::1', 80)).toBe('[::1]:80');
    expect(formatSocketEndpoint('fe80::1%eth0', 123)).toBe('[fe80::1%eth0]:123');
    expect(formatSocketEndpoint('*', null)).toBe('*:*');
    expect(formatSocketEndpoint(null, null)).toBe('');
  });

  it('validates snapshots and statuses strictly', () => {
    const snapshot = { takenAt: 1, source: 'ss', rows: [], skippedLines: 0, limitedVisibility: false, durationMs: 2 };
    expect(SystemSocketsSnapshot.parse(snapshot)).toEqual(snapshot);
    expect(() => SystemSocketsSnapshot.parse({ ...snapshot, extra: 1 })).toThrow();
    expect(() => SystemSocketsSnapshot.parse({ ...snapshot, rows: [{ ...emptyRow('tcp', 'inet'), localPort: 70000 }] })).toThrow();
    expect(
      SystemSocketsStatus.parse({ snapshot, stale: true, error: { code: 'ETIMEDOUT', message: 'slow' }, refreshing: false, lastAttemptAt: 3 }),
    ).toMatchObject({ stale: true });
  });
});
