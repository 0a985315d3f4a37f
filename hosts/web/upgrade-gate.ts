import { timingSafeEqual } from 'node:crypto';
import { hostname, networkInterfaces } from 'node:os';
import { formatHostPort } from '../../shared/primitives';
import { isLoopback } from './args';
import { parseRequestTarget } from './request-target';

export const TOKEN_PROTOCOL_PREFIX = 'sockscope.token.';
export const APP_PROTOCOL = 'sockscope.v1';

export interface GateRequest {
  url?: string | undefined;
  headers: { host?: string | undefined; origin?: string | undefined; 'sec-websocket-protocol'?: string | undefined };
}

export type GateVerdict = { ok: true } | { ok: false; status: 401 | 403; reason: string };

/** The `Host` values a browser sends when it really opened our URL (anything else: DNS rebinding). */
export function allowedHosts(boundHost: string, port: number): Set<string> {
  const names = new Set<string>([formatHostPort(boundHost, port)]);
  if (isLoopback(boundHost)) {
    names.add(`localhost:${port}`);
  } else {
    // Bound beyond loopback on purpose: the machine's own names and addresses are legitimate.
    names.add(`${hostname()}:${port}`);
    names.add(`localhost:${port}`);
    for (const addrs of Object.values(networkInterfaces())) {
      for (const a of addrs ?? []) names.add(formatHostPort(a.address, port));
    }
  }
  return names;
}

function tokenMatches(candidate: string | null, token: string): boolean {
  if (!candidate) return false;
  const a = Buffer.from(candidate);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Token from `?token=` or from a `sockscope.token.<token>` subprotocol. */
export function presentedToken(req: GateRequest): string | null {
  const fromProtocol = (req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((p) => p.trim())
    .find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX));
  if (fromProtocol) return fromProtocol.slice(TOKEN_PROTOCOL_PREFIX.length);
  return parseRequestTarget(req.url)?.query.get('token') ?? null;
}

/**
 * Decides a WebSocket upgrade before it happens: a foreign Host (DNS rebinding) or Origin
 * (another site's page) is 403; a missing or wrong token is 401. A missing Origin is allowed
 * (non-browser clients cannot be driven by a web page), the token is not optional.
 */
export function checkUpgrade(req: GateRequest, token: string, hosts: Set<string>): GateVerdict {
  const host = req.headers.host?.toLowerCase();
  if (!host || !hosts.has(host)) return { ok: false, status: 403, reason: 'unexpected Host header' };
  const origin = req.headers.origin;
  if (origin !== undefined && !hosts.has(origin.replace(/^http:\/\//, '').toLowerCase())) {
    return { ok: false, status: 403, reason: 'foreign Origin' };
  }
  if (origin !== undefined && !origin.startsWith('http://')) return { ok: false, status: 403, reason: 'foreign Origin' };
  if (!tokenMatches(presentedToken(req), token)) return { ok: false, status: 401, reason: 'missing or wrong token' };
  return { ok: true };
}
