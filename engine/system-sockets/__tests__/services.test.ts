import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  lookupServiceByName,
  parseServices,
  serviceNameForPort,
  ServicesDatabase,
  servicesFilePath,
} from '../services';

const SAMPLE = `
# Network services, Internet style
tcpmux		1/tcp				# TCP port service multiplexer
echo		7/tcp
echo		7/udp
whois		43/tcp		nicname
domain		53/tcp				# Domain Name Server
domain		53/udp
http		80/tcp		www		# WorldWideWeb HTTP
ntp		123/udp				# Network Time Protocol
http-alt	8080/tcp	webcache	# WWW caching service
alt-http	8080/tcp			# second name for a port: the first wins
bogus		70000/tcp
bogus2		12/sctp
123		5/tcp
noslash		44
   indented   4444/TCP   Alias4444
`;

describe('parseServices', () => {
  const table = parseServices(SAMPLE);

  it('maps names and aliases to ports per protocol', () => {
    expect(table.portByName.get('whois/tcp')).toBe(43);
    expect(table.portByName.get('nicname/tcp')).toBe(43);
    expect(table.portByName.get('www/tcp')).toBe(80);
    expect(table.portByName.get('ntp/udp')).toBe(123);
    expect(table.portByName.get('ntp/tcp')).toBeUndefined();
    expect(table.portByName.get('alias4444/tcp')).toBe(4444);
  });

  it('maps ports to the first primary name', () => {
    expect(table.nameByPort.get('8080/tcp')).toBe('http-alt');
    expect(table.nameByPort.get('53/udp')).toBe('domain');
  });

  it('skips malformed entries', () => {
    expect(table.portByName.has('bogus/tcp')).toBe(false);
    expect(table.portByName.has('bogus2/sctp')).toBe(false);
    expect(table.portByName.has('123/tcp')).toBe(false);
    expect(table.portByName.has('noslash/tcp')).toBe(false);
  });
});

describe('ServicesDatabase', () => {
  it('reads the file lazily, once', () => {
    let reads = 0;
    const db = new ServicesDatabase({
      path: '/x/services',
      readFile: (path) => {
        reads++;
        expect(path).toBe('/x/services');
        return 'gopher 70/tcp\nwhois 4343/tcp\n';
      },
    });
    expect(reads).toBe(0);
    expect(db.lookupServiceByName('gopher', 'tcp')).toBe(70);
    expect(db.lookupServiceByName('WHOIS', 'tcp')).toBe(4343); // the system file wins over built-ins
    expect(db.serviceNameForPort(70, 'tcp')).toBe('gopher');
    expect(reads).toBe(1);
    expect(db.usesSystemFile()).toBe(true);
  });

  it('falls back to the built-in table when the file is missing', () => {
    const db = new ServicesDatabase({
      readFile: () => {
        throw Object.assign(new Error('missing'), { code: 'ENOENT' });
      },
    });
    expect(db.lookupServiceByName('whois', 'tcp')).toBe(43);
    expect(db.lookupServiceByName('ntp', 'udp')).toBe(123);
    expect(db.lookupServiceByName('ntp', 'tcp')).toBeNull();
    expect(db.serviceNameForPort(443, 'tcp')).toBe('https');
    expect(db.lookupServiceByName('no-such-service', 'tcp')).toBeNull();
    expect(db.serviceNameForPort(70_000, 'tcp')).toBeNull();
    expect(db.usesSystemFile()).toBe(false);
  });

  it('finds the services file per platform', () => {
    expect(servicesFilePath('linux')).toBe('/etc/services');
    expect(servicesFilePath('darwin')).toBe('/etc/services');
    expect(servicesFilePath('win32', { SystemRoot: 'D:\\Win' })).toBe('D:\\Win\\System32\\drivers\\etc\\services');
  });
});

describe('module-level lookups (this machine)', () => {
  it('resolves whois → 43/tcp and ntp → 123/udp, and back', () => {
    expect(lookupServiceByName('whois', 'tcp')).toBe(43);
    expect(lookupServiceByName('ntp', 'udp')).toBe(123);
    expect(serviceNameForPort(43, 'tcp')).toBe('whois');
    expect(serviceNameForPort(123, 'udp')).toBe('ntp');
  });

  it('reads the real /etc/services when there is one', () => {
    expect(new ServicesDatabase().usesSystemFile()).toBe(existsSync('/etc/services'));
  });
});
