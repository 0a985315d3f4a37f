import { describe, expect, it } from 'vitest';
import type { NetworkInterface } from '../../../../shared/contract';
import { addressChoices } from './address-choices';

const nic = (name: string, address: string, family: 'IPv4' | 'IPv6' = 'IPv4'): NetworkInterface => ({
  name,
  address,
  family,
  internal: name === 'lo',
  cidr: null,
  scopeid: null,
});

describe('addressChoices', () => {
  it('lists each address once: the loopback interface names the well-known entries', () => {
    const choices = addressChoices([nic('lo', '127.0.0.1'), nic('lo', '::1', 'IPv6'), nic('eth0', '192.0.2.7'), nic('eth0', 'fe80::1', 'IPv6')]);
    const values = choices.map((c) => c.value);
    expect(values).toEqual(['0.0.0.0', '::', '127.0.0.1', '::1', '192.0.2.7', 'fe80::1%eth0']);
    expect(new Set(values).size).toBe(values.length);
    expect(choices[2]?.label).toBe('127.0.0.1 — IPv4 loopback (lo)');
    expect(choices[4]?.label).toBe('192.0.2.7 — eth0');
  });

  it('names every interface that shares an address', () => {
    const choices = addressChoices([nic('br0', '10.0.0.1'), nic('br1', '10.0.0.1')]);
    expect(choices.filter((c) => c.value === '10.0.0.1')).toEqual([{ value: '10.0.0.1', label: '10.0.0.1 — br0, br1' }]);
  });

  it('offers the well-known choices with no app info at all', () => {
    expect(addressChoices([]).map((c) => c.value)).toEqual(['0.0.0.0', '::', '127.0.0.1', '::1']);
  });
});
