import { describe, expect, it } from 'vitest';
import { bytesAsText, formatBytesAs, formatCArray } from './byte-formats';
import { compileSearch, findMatches, matchCountText, MAX_MATCHES, stepMatch } from './traffic-search';
import { formatSeconds, formatTrafficTime } from './traffic-time';

const b = (...xs: number[]) => Uint8Array.from(xs);

describe('search', () => {
  it('finds text case-insensitively, every occurrence, in order', () => {
    const c = compileSearch('ab', false);
    if (!c.ok) throw new Error(c.error);
    expect(findMatches(['xAbyab', 'none', 'AB'], c.re)).toEqual([
      { row: 0, start: 1, end: 3 },
      { row: 0, start: 4, end: 6 },
      { row: 2, start: 0, end: 2 },
    ]);
  });
  it('treats a plain query literally and a regex as a regex', () => {
    const plain = compileSearch('a.c', false);
    const regex = compileSearch('a.c', true);
    if (!plain.ok || !regex.ok) throw new Error('compile');
    expect(findMatches(['abc a.c'], plain.re)).toEqual([{ row: 0, start: 4, end: 7 }]);
    expect(findMatches(['abc a.c'], regex.re)).toHaveLength(2);
  });
  it('reports a bad regex as an error and skips empty matches instead of looping', () => {
    expect(compileSearch('(', true)).toMatchObject({ ok: false });
    const c = compileSearch('x*', true);
    if (!c.ok) throw new Error(c.error);
    expect(findMatches(['aaxa', ''], c.re)).toEqual([{ row: 0, start: 2, end: 3 }]);
    expect(compileSearch('', false)).toEqual({ ok: true, re: null });
  });
  it('caps the matches it collects and says so', () => {
    const c = compileSearch('a', false);
    if (!c.ok) throw new Error(c.error);
    expect(findMatches(['a'.repeat(MAX_MATCHES + 5)], c.re)).toHaveLength(MAX_MATCHES);
    expect(matchCountText(MAX_MATCHES)).toBe('10000+ matches');
    expect(matchCountText(1)).toBe('1 match');
    expect(matchCountText(0)).toBe('0 matches');
    expect(matchCountText(3)).toBe('3 matches');
  });
  it('steps to the next and previous match, wrapping', () => {
    expect(stepMatch(-1, 3, 1)).toBe(0);
    expect(stepMatch(-1, 3, -1)).toBe(2);
    expect(stepMatch(2, 3, 1)).toBe(0);
    expect(stepMatch(0, 3, -1)).toBe(2);
    expect(stepMatch(0, 0, 1)).toBe(-1);
  });
});

describe('copy formats', () => {
  it('C array: a declaration with the length, twelve bytes a line, no trailing comma', () => {
    expect(formatCArray(b(0x48, 0x69))).toBe('unsigned char data[2] = {\n  0x48, 0x69\n};');
    const thirteen = formatCArray(new Uint8Array(13).fill(0xff));
    expect(thirteen.split('\n')).toEqual([
      'unsigned char data[13] = {',
      `  ${Array(12).fill('0xff').join(', ')},`,
      '  0xff',
      '};',
    ]);
    expect(formatCArray(b())).toBe('unsigned char data[0] = {};');
  });
  it('hex, base64 and text', () => {
    const bytes = b(0x48, 0x65, 0x0d, 0x0a, 0xff);
    expect(formatBytesAs(bytes, 'hex')).toBe('48 65 0d 0a ff');
    expect(formatBytesAs(bytes, 'base64')).toBe('SGUNCv8=');
    expect(formatBytesAs(bytes, 'text')).toBe('He\r\n\ufffd');
    expect(bytesAsText(b(0xe9), 'latin1')).toBe('é');
  });
});

describe('time modes', () => {
  it('absolute is the wall clock, relative counts from the first row, delta from the row before', () => {
    const t = new Date(2026, 0, 2, 3, 4, 5, 678).getTime();
    expect(formatTrafficTime('absolute', t, null, null)).toBe('03:04:05.678');
    expect(formatTrafficTime('relative', t + 1250, t, t + 1000)).toBe('+1.250');
    expect(formatTrafficTime('delta', t + 1250, t, t + 1000)).toBe('+0.250');
    expect(formatTrafficTime('delta', t, t, null)).toBe('+0.000');
    expect(formatSeconds(-5)).toBe('+0.000');
  });
});
