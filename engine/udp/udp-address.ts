/** Address rules that are particular to datagram sockets: families, sizes, multicast. */
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { Family, PortSpec } from '../../shared/primitives';
import { engineError, errorCodeOf } from '../errors/explain-error';
import { parseAddressLiteral, resolveHost, stripBrackets } from '../net/resolve-host';
import { resolvePortSpec, type ResolvedPort } from '../net/resolve-port';
import type { UdpTimeline } from './udp-timeline';

export type UdpType = 'udp4' | 'udp6';

/** 65,535 − 8 (UDP header) − 20 (IPv4 header); over IPv6 the 40-byte header is not counted in the payload length. */
export const MAX_DATAGRAM = { IPv4: 65_507, IPv6: 65_527 } as const;

/** `::ffff:127.0.0.1` is an IPv4 peer seen through an IPv6 socket. */
export function isV4Mapped(address: string): boolean {
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address);
}

/** The largest payload towards `address` (an IPv4-mapped destination travels as IPv4). */
export function maxDatagramTo(address: string, family: Family): number {
  return family === 'IPv6' && !isV4Mapped(address) ? MAX_DATAGRAM.IPv6 : MAX_DATAGRAM.IPv4;
}

export const afOf = (type: UdpType) => (type === 'udp6' ? 'AF_INET6' : 'AF_INET');

/**
 * An address usable on a socket of `type`: an IPv4 address on an IPv6 socket becomes its
 * IPv4-mapped form (`::ffff:a.b.c.d`), which only works while the socket is not IPv6-only;
 * an IPv6 address on an IPv4 socket cannot work at all.
 */
export function addressForSocket(address: string, family: Family, type: UdpType, ipv6Only: boolean): { address: string; family: Family } {
  if (type === 'udp4' && family === 'IPv6') {
    throw engineError('EAFNOSUPPORT', `${address} is an IPv6 address and this is an IPv4 (udp4) socket`);
  }
  if (type === 'udp6' && family === 'IPv4') {
    if (ipv6Only) throw engineError('EAFNOSUPPORT', `${address} is an IPv4 address and this IPv6 socket is IPv6-only`);
    return { address: `::ffff:${address}`, family: 'IPv6' };
  }
  return { address, family };
}

/** Picks getaddrinfo's first answer that this socket can use (IPv6 sockets take IPv4 answers mapped). */
export function pickAddress(
  addresses: { address: string; family: Family }[],
  type: UdpType,
  ipv6Only: boolean,
  host: string,
): { address: string; family: Family } {
  const usable =
    type === 'udp4'
      ? addresses.find((a) => a.family === 'IPv4')
      : (addresses.find((a) => a.family === 'IPv6') ?? (ipv6Only ? undefined : addresses[0]));
  if (!usable) {
    const e = engineError('EAI_NODATA', `${host} has no ${type === 'udp4' ? 'IPv4' : 'IPv6'} address`);
    e.syscall = 'getaddrinfo';
    throw e;
  }
  return addressForSocket(usable.address, usable.family, type, ipv6Only);
}

export function isMulticast(address: string): boolean {
  const a = stripBrackets(address).replace(/%.*$/, '');
  const kind = isIP(a);
  if (kind === 4) {
    const first = Number(a.split('.')[0]);
    return first >= 224 && first <= 239;
  }
  return kind === 6 && /^ff/i.test(a);
}

/**
 * The `multicastInterface` argument Node wants, from what a person chose: for an IPv4 group an
 * interface's IPv4 address (a name is turned into its first IPv4 address); for an IPv6 group
 * `::%name` (an interface name, `%zone`, or one of the interface's own addresses).
 */
export function membershipInterface(group: string, iface: string | undefined): string | undefined {
  if (iface === undefined || iface === '') return undefined;
  const groupFamily = isIP(group) === 6 ? 'IPv6' : 'IPv4';
  const typed = stripBrackets(iface);
  const ifaces = networkInterfaces();
  const bareZone = typed.startsWith('%') ? typed.slice(1) : null;
  const literal = bareZone === null ? parseAddressLiteral(typed) : null;
  if (groupFamily === 'IPv4') {
    if (literal?.family === 'IPv4') return literal.address;
    if (literal) throw engineError('EAFNOSUPPORT', `${typed} is an IPv6 address; an IPv4 group needs an IPv4 interface address`);
    const name = bareZone ?? typed;
    const list = ifaces[name];
    if (!list) throw engineError('ENODEV', `no interface named "${name}" on this machine`);
    const v4 = list.find((a) => a.family === 'IPv4');
    if (!v4) throw engineError('EADDRNOTAVAIL', `interface ${name} has no IPv4 address`);
    return v4.address;
  }
  if (bareZone !== null) {
    parseAddressLiteral(`::%${bareZone}`); // throws EUNKNOWN_ZONE for an unknown zone
    return `::%${bareZone}`;
  }
  if (literal) {
    const pct = literal.address.indexOf('%');
    if (pct >= 0) return `::${literal.address.slice(pct)}`;
    const wanted = literal.address.toLowerCase();
    for (const [name, list] of Object.entries(ifaces)) {
      if (list?.some((a) => a.address.toLowerCase() === wanted)) return `::%${name}`;
    }
    throw engineError('EADDRNOTAVAIL', `no interface of this machine has the address ${literal.address}`);
  }
  if (!ifaces[typed]) throw engineError('ENODEV', `no interface named "${typed}" on this machine`);
  return `::%${typed}`;
}

/** A port as typed: a number, or a UDP service name (the lookup is logged as getservbyname). */
export async function resolveUdpPort(spec: PortSpec, timeline: UdpTimeline): Promise<ResolvedPort> {
  const call = `getservbyname("${String(spec)}", "udp")`;
  try {
    const resolved = await resolvePortSpec(spec, 'udp');
    if (resolved.note) timeline.add(call, String(resolved.port));
    return resolved;
  } catch (err) {
    timeline.add(call, errorCodeOf(err), false);
    throw err;
  }
}

/**
 * A host as typed, as an address a socket of `type` can use: a literal directly, a name through
 * getaddrinfo (logged with every address it returned). With no `type` yet, the socket type follows
 * the literal's family or getaddrinfo's first answer.
 */
export async function resolveUdpHost(
  typed: string,
  type: UdpType | null,
  ipv6Only: boolean,
  timeline: UdpTimeline,
): Promise<{ address: string; family: Family; type: UdpType }> {
  const host = stripBrackets(typed);
  let literal: ReturnType<typeof parseAddressLiteral>;
  try {
    literal = parseAddressLiteral(host);
  } catch (err) {
    // What the C library does with a zone: if_nametoindex(), which finds no such interface.
    timeline.add(`if_nametoindex("${host.slice(host.indexOf('%') + 1)}")`, errorCodeOf(err), false);
    throw err;
  }
  if (literal) {
    const t = type ?? (literal.family === 'IPv6' ? 'udp6' : 'udp4');
    return { ...addressForSocket(literal.address, literal.family, t, ipv6Only), type: t };
  }
  const call = `getaddrinfo("${host}")`;
  let resolved: Awaited<ReturnType<typeof resolveHost>>;
  try {
    resolved = await resolveHost(host);
  } catch (err) {
    timeline.add(call, errorCodeOf(err), false);
    throw err;
  }
  timeline.add(call, resolved.addresses.map((a) => a.address).join(', '));
  const t = type ?? (resolved.addresses[0]?.family === 'IPv6' ? 'udp6' : 'udp4');
  return { ...pickAddress(resolved.addresses, t, ipv6Only, host), type: t };
}
