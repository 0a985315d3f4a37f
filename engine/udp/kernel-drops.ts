/**
 * Datagrams the kernel dropped for one socket before anyone could read them (its receive buffer
 * was full): Linux counts them per socket in the last column of /proc/net/udp and /proc/net/udp6.
 * Elsewhere the count is unknown (null).
 */
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';

/** /proc/net/udp{,6} writes addresses as 32-bit words in host (little-endian) order, in hex. */
export function procAddress(address: string): string | null {
  const bare = address.replace(/%.*$/, '');
  const kind = isIP(bare);
  if (kind === 4) return word(bare.split('.').map(Number));
  if (kind !== 6) return null;
  const bytes = ipv6Bytes(bare);
  if (!bytes) return null;
  let out = '';
  for (let i = 0; i < 16; i += 4) out += word(bytes.slice(i, i + 4));
  return out;
}

function word(b: number[]): string {
  return [...b]
    .reverse()
    .map((x) => x.toString(16).toUpperCase().padStart(2, '0'))
    .join('');
}

function ipv6Bytes(address: string): number[] | null {
  let text = address;
  const tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    tail.push(...(v4[1] as string).split('.').map(Number));
    text = `${text.slice(0, -(v4[1] as string).length)}0:0`;
  }
  const [left = '', right] = text.split('::');
  const groups = (s: string) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const l = groups(left);
  const r = right === undefined ? [] : groups(right);
  const fill = right === undefined ? [] : new Array<number>(8 - l.length - r.length).fill(0);
  const all = [...l, ...fill, ...r];
  if (all.length !== 8 || all.some((g) => !(g >= 0 && g <= 0xffff))) return null;
  const bytes = all.flatMap((g) => [g >> 8, g & 0xff]);
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}

/** The drop counter of the socket bound to `address:port`, or null when it cannot be told. */
export function dropsFromTable(table: string, address: string, port: number): number | null {
  const addr = procAddress(address);
  if (!addr) return null;
  const local = `${addr}:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const rows = table.split('\n').filter((l) => l.trim().split(/\s+/)[1] === local);
  // Several sockets on one address and port (SO_REUSEADDR): whose drops are whose is unknown.
  if (rows.length !== 1) return null;
  const drops = Number((rows[0] as string).trim().split(/\s+/).at(-1));
  return Number.isFinite(drops) ? drops : null;
}

export async function readKernelDrops(family: 'IPv4' | 'IPv6', address: string, port: number): Promise<number | null> {
  if (process.platform !== 'linux') return null;
  try {
    const table = await readFile(family === 'IPv6' ? '/proc/net/udp6' : '/proc/net/udp', 'utf8');
    return dropsFromTable(table, address, port);
  } catch {
    return null;
  }
}

/**
 * Follows one socket's kernel drop counter: `check()` reads it (one read at a time) and reports
 * what was added since the last read. A fresh socket starts at 0.
 */
export class KernelDropWatcher {
  private seen = 0;
  private reading: Promise<void> | null = null;

  constructor(private readonly onDrops: (added: number) => void) {}

  check(local: { family: 'IPv4' | 'IPv6'; host: string; port: number }): Promise<void> {
    this.reading ??= readKernelDrops(local.family, local.host, local.port)
      .then((drops) => {
        if (drops === null || drops <= this.seen) return;
        const added = drops - this.seen;
        this.seen = drops;
        this.onDrops(added);
      })
      .catch(() => {})
      .finally(() => {
        this.reading = null;
      });
    return this.reading;
  }

  /** Resolves once a read in progress (if any) is done. */
  settled(): Promise<void> {
    return this.reading ?? Promise.resolve();
  }
}
