import type { NetworkInterface } from '../../../../shared/contract';

export interface AddressChoice {
  value: string;
  label: string;
}

/** The bind choices a person usually wants, first, with what they mean. */
const WELL_KNOWN: readonly AddressChoice[] = [
  { value: '0.0.0.0', label: '0.0.0.0 — all IPv4 addresses' },
  { value: '::', label: ':: — all IPv6 (and IPv4, dual-stack)' },
  { value: '127.0.0.1', label: '127.0.0.1 — IPv4 loopback' },
  { value: '::1', label: '::1 — IPv6 loopback' },
];

/**
 * The well-known choices, then each address of each local interface, each address once: the
 * loopback interface's 127.0.0.1 and ::1 are already there, so they gain its name instead of a
 * second entry, and an address two interfaces share is listed with both names.
 */
export function addressChoices(interfaces: readonly NetworkInterface[]): AddressChoice[] {
  const names = new Map<string, string[]>();
  for (const i of interfaces) {
    // A link-local IPv6 address needs its zone to be bound.
    const address = i.family === 'IPv6' && i.address.toLowerCase().startsWith('fe80:') ? `${i.address}%${i.name}` : i.address;
    const list = names.get(address) ?? [];
    if (!list.includes(i.name)) list.push(i.name);
    names.set(address, list);
  }
  const choices = WELL_KNOWN.map((c) => {
    const on = names.get(c.value);
    names.delete(c.value);
    return on ? { value: c.value, label: `${c.label} (${on.join(', ')})` } : c;
  });
  for (const [address, on] of names) choices.push({ value: address, label: `${address} — ${on.join(', ')}` });
  return choices;
}
