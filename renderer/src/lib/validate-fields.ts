import { Host, LIMITS, PortSpec } from '../../../shared/primitives';

/** A port field's text → the value the contract wants, or the message shown at the field. */
export function parsePortField(text: string, opts: { allowEmptyAsZero?: boolean } = {}): { value: number | string } | { error: string } {
  const t = text.trim();
  if (t === '') return opts.allowEmptyAsZero ? { value: 0 } : { error: 'Enter a port number or a service name.' };
  if (/^\d+$/.test(t)) {
    const n = Number(t);
    if (n > 65535) return { error: `Port ${t} is out of range: a port is 0 to 65535.` };
    return { value: n };
  }
  if (/^-\d+$/.test(t)) return { error: 'A port cannot be negative: 0 to 65535.' };
  const parsed = PortSpec.safeParse(t);
  return parsed.success ? { value: parsed.data } : { error: 'Enter a port number (0–65535) or a service name such as "http".' };
}

export function parseHostField(text: string, what = 'host'): { value: string } | { error: string } {
  const t = text.trim();
  if (t === '') return { error: `Enter a ${what}.` };
  if (t.length > LIMITS.hostLength) return { error: `A ${what} is at most ${LIMITS.hostLength} characters.` };
  const parsed = Host.safeParse(t.replace(/^\[(.*)\]$/, '$1'));
  return parsed.success ? { value: parsed.data } : { error: `A ${what} has no spaces or slashes.` };
}

/** The Port field's message for a service name the system's services database does not have. */
export function unknownServiceMessage(name: string, proto: 'tcp' | 'udp'): string {
  return `Unknown service name "${name}" (${proto}): it is not in this system's services database. Use a port number.`;
}
