/**
 * A port as a person types it: a number, or a service name from the system's services database
 * (looked up by system-sockets/services.ts, which also has a built-in table for systems without
 * one). Shared by TCP and UDP: keep the signature of `resolvePortSpec` stable.
 */
import { engineError } from '../errors/explain-error';
import { lookupServiceByName } from '../system-sockets/services';

export interface ResolvedPort {
  port: number;
  /** e.g. `whois → 43/tcp` when the port was given as a name; null for a number. */
  note: string | null;
}

export type PortLookup = (name: string, proto: 'tcp' | 'udp') => number | null;

/**
 * `5000` → 5000; `"5000"` → 5000; `"whois"` → 43 with the note `whois → 43/tcp`.
 * An unknown name throws an engine error with code `EUNKNOWN_SERVICE`; a number outside 0–65535
 * throws `ERR_SOCKET_BAD_PORT`.
 */
export async function resolvePortSpec(
  spec: number | string,
  proto: 'tcp' | 'udp',
  lookup: PortLookup = lookupServiceByName,
): Promise<ResolvedPort> {
  if (typeof spec === 'number') return { port: checkPort(spec, String(spec)), note: null };
  const text = spec.trim();
  if (/^\d+$/.test(text)) return { port: checkPort(Number(text), text), note: null };
  const port = text ? lookup(text, proto) : null;
  if (port === null) {
    throw engineError('EUNKNOWN_SERVICE', `unknown service "${text}" for ${proto}`);
  }
  return { port, note: `${text} → ${port}/${proto}` };
}

function checkPort(port: number, typed: string): number {
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw engineError('ERR_SOCKET_BAD_PORT', `port ${typed} is out of range 0–65535`);
  }
  return port;
}
