/**
 * Host names and address literals as a person types them. Names go through getaddrinfo (Node's
 * dns.lookup) and every address it returned is kept, in its order, so the UI can show them all and
 * the connection can try each in turn. Literals (IPv4, IPv6, IPv6 with a zone id) pass through
 * without any lookup — Node does not call getaddrinfo for them either.
 */
import { lookup as dnsLookup } from 'node:dns';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { Family } from '../../shared/primitives';
import { engineError } from '../errors/explain-error';

export interface ResolvedAddress {
  /** Ready for connect()/bind(): IPv6 keeps its zone id (`fe80::1%eth0`). */
  address: string;
  family: Family;
}

export interface ResolvedHost {
  /** What was typed, brackets removed. */
  host: string;
  /** True when no getaddrinfo call was made (an address literal). */
  literal: boolean;
  addresses: ResolvedAddress[];
}

export type HostResolver = (host: string) => Promise<ResolvedHost>;

/** `[::1]` → `::1`; other text unchanged. */
export function stripBrackets(host: string): string {
  const m = /^\[(.*)\]$/.exec(host.trim());
  return m ? (m[1] as string) : host.trim();
}

/** An address literal with its family, or null for a name. Checks that an IPv6 zone exists here. */
export function parseAddressLiteral(typed: string): ResolvedAddress | null {
  const host = stripBrackets(typed);
  const kind = isIP(host);
  if (kind === 4) return { address: host, family: 'IPv4' };
  if (kind !== 6) return null;
  const pct = host.indexOf('%');
  if (pct >= 0) {
    let zone = host.slice(pct + 1);
    // URL-style `%25` before the zone (RFC 6874) is accepted too.
    if (!zoneExists(zone) && /^25./.test(zone) && zoneExists(zone.slice(2))) zone = zone.slice(2);
    if (!zoneExists(zone)) {
      throw engineError('EUNKNOWN_ZONE', `no interface named "${zone}" on this machine`);
    }
    return { address: `${host.slice(0, pct)}%${zone}`, family: 'IPv6' };
  }
  return { address: host, family: 'IPv6' };
}

function zoneExists(zone: string): boolean {
  if (!zone) return false;
  const ifaces = networkInterfaces();
  if (Object.hasOwn(ifaces, zone)) return true;
  // A numeric zone is an interface index; Node does not expose indexes, but the scope ids of
  // link-local addresses are exactly those indexes.
  if (/^\d+$/.test(zone)) {
    const n = Number(zone);
    return Object.values(ifaces).some((list) => list?.some((a) => a.family === 'IPv6' && a.scopeid === n));
  }
  return false;
}

/**
 * Resolves what a person typed. A name's lookup errors keep their code (`ENOTFOUND`, `EAI_AGAIN`,
 * …); a name that resolves to nothing is `ENOTFOUND`.
 */
export async function resolveHost(typed: string): Promise<ResolvedHost> {
  const host = stripBrackets(typed);
  const literal = parseAddressLiteral(host);
  if (literal) return { host, literal: true, addresses: [literal] };
  const addresses = await new Promise<ResolvedAddress[]>((resolve, reject) => {
    dnsLookup(host, { all: true, order: 'verbatim' }, (err, list) => {
      if (err) return reject(err);
      resolve(list.map((a) => ({ address: a.address, family: a.family === 6 ? 'IPv6' : 'IPv4' })));
    });
  });
  if (addresses.length === 0) {
    const e = engineError('ENOTFOUND', `getaddrinfo ENOTFOUND ${host}`);
    e.syscall = 'getaddrinfo';
    throw e;
  }
  return { host, literal: false, addresses };
}
