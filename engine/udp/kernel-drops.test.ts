import { expect, it } from 'vitest';
import { dropsFromTable, procAddress } from './kernel-drops';

it('encodes addresses the way /proc/net/udp{,6} writes them', () => {
  expect(procAddress('127.0.0.1')).toBe('0100007F');
  expect(procAddress('0.0.0.0')).toBe('00000000');
  expect(procAddress('::1')).toBe('00000000000000000000000001000000');
  expect(procAddress('::')).toBe('00000000000000000000000000000000');
  expect(procAddress('::ffff:127.0.0.1')).toBe('0000000000000000FFFF00000100007F');
  expect(procAddress('fe80::1%lo')).toBe('000080FE000000000000000001000000');
  expect(procAddress('not an address')).toBeNull();
});

it('reads one socket’s drop counter, and refuses to guess between two', () => {
  const table = [
    '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops',
    ' 8532: 0100007F:9241 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 19551 2 00000000a3baf254 9355',
    ' 8533: 0100007F:1F90 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 19552 2 00000000a3baf255 1',
    ' 8534: 0100007F:1F90 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 19553 2 00000000a3baf256 2',
  ].join('\n');
  expect(dropsFromTable(table, '127.0.0.1', 0x9241)).toBe(9355);
  expect(dropsFromTable(table, '127.0.0.1', 8080)).toBeNull();
  expect(dropsFromTable(table, '127.0.0.1', 1)).toBeNull();
});
