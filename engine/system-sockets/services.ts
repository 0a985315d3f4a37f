/**
 * Service names from the system's services database (`/etc/services`; on Windows
 * `%SystemRoot%\System32\drivers\etc\services`, same format), so a person can type `whois` for
 * 43/tcp or `ntp` for 123/udp. Read lazily on first use and cached. A small built-in table fills
 * in when the file is missing or lacks an entry (minimal containers ship without one).
 */
import { readFileSync } from 'node:fs';
import { win32 } from 'node:path';

export type ServiceProto = 'tcp' | 'udp';

export interface ServicesTable {
  /** `name/proto` (lower case, aliases included) → port. */
  portByName: Map<string, number>;
  /** `port/proto` → the primary name. */
  nameByPort: Map<string, string>;
}

const MAX_NAME_LENGTH = 64;

/** `name port/proto [alias…] [# comment]`; the first entry for a name or port wins, as in getservbyname. */
export function parseServices(text: string): ServicesTable {
  const table: ServicesTable = { portByName: new Map(), nameByPort: new Map() };
  for (const rawLine of String(text).split(/\r\n|\n|\r/)) {
    const hash = rawLine.indexOf('#');
    const line = hash < 0 ? rawLine : rawLine.slice(0, hash);
    const words = line.split(/[ \t]+/).filter((w) => w.length > 0);
    const [name, portProto, ...aliases] = words;
    if (name === undefined || portProto === undefined) continue;
    const slash = portProto.indexOf('/');
    if (slash <= 0) continue;
    const portText = portProto.slice(0, slash);
    const proto = portProto.slice(slash + 1).toLowerCase();
    if (!/^\d{1,5}$/.test(portText) || (proto !== 'tcp' && proto !== 'udp')) continue;
    const port = Number(portText);
    if (port > 65_535) continue;
    addEntry(table, name, port, proto, aliases);
  }
  return table;
}

function addEntry(table: ServicesTable, name: string, port: number, proto: ServiceProto, aliases: string[]): void {
  if (!isServiceName(name)) return;
  const portKey = `${port}/${proto}`;
  if (!table.nameByPort.has(portKey)) table.nameByPort.set(portKey, name);
  for (const word of [name, ...aliases]) {
    if (!isServiceName(word)) continue;
    const nameKey = `${word.toLowerCase()}/${proto}`;
    if (!table.portByName.has(nameKey)) table.portByName.set(nameKey, port);
  }
}

function isServiceName(word: string): boolean {
  return word.length > 0 && word.length <= MAX_NAME_LENGTH && !/^\d+$/.test(word) && !word.includes('/');
}

/** Well-known services for when the system has no services file. Same format, so same parser. */
const BUILT_IN_SERVICES = `
echo 7/tcp
echo 7/udp
discard 9/tcp sink null
discard 9/udp sink null
daytime 13/tcp
daytime 13/udp
ftp-data 20/tcp
ftp 21/tcp
ssh 22/tcp
telnet 23/tcp
smtp 25/tcp mail
time 37/tcp timserver
time 37/udp timserver
whois 43/tcp nicname
tacacs 49/tcp
domain 53/tcp
domain 53/udp
bootps 67/udp
bootpc 68/udp
tftp 69/udp
gopher 70/tcp
finger 79/tcp
http 80/tcp www
kerberos 88/tcp kerberos5 krb5
kerberos 88/udp kerberos5 krb5
pop3 110/tcp pop-3
sunrpc 111/tcp portmapper
sunrpc 111/udp portmapper
auth 113/tcp ident
nntp 119/tcp readnews untp
ntp 123/udp
netbios-ns 137/udp
netbios-dgm 138/udp
netbios-ssn 139/tcp
imap2 143/tcp imap
snmp 161/udp
snmp-trap 162/udp snmptrap
bgp 179/tcp
irc 194/tcp
ldap 389/tcp
ldap 389/udp
https 443/tcp
https 443/udp
microsoft-ds 445/tcp
syslog 514/udp
printer 515/tcp spooler
submission 587/tcp
ldaps 636/tcp
rsync 873/tcp
ftps 990/tcp
imaps 993/tcp
pop3s 995/tcp
socks 1080/tcp
openvpn 1194/tcp
openvpn 1194/udp
ms-sql-s 1433/tcp
mqtt 1883/tcp
nfs 2049/tcp
nfs 2049/udp
mysql 3306/tcp
ms-wbt-server 3389/tcp
sip 5060/tcp
sip 5060/udp
xmpp-client 5222/tcp jabber-client
mdns 5353/udp
postgresql 5432/tcp postgres
amqp 5672/tcp
x11 6000/tcp x11-0
redis 6379/tcp
irc 6667/tcp ircd
http-alt 8080/tcp webcache
`;

export interface ServicesDatabaseOptions {
  /** Defaults to the platform's services file. */
  path?: string;
  readFile?: (path: string) => string;
}

/** The services file for a platform; Windows keeps it under %SystemRoot%. */
export function servicesFilePath(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (platform === 'win32') {
    return win32.join(env.SystemRoot ?? env.windir ?? 'C:\\Windows', 'System32', 'drivers', 'etc', 'services');
  }
  return '/etc/services';
}

export class ServicesDatabase {
  private table: ServicesTable | null = null;
  private fromFile = false;
  private readonly builtIn = parseServices(BUILT_IN_SERVICES);

  constructor(private readonly options: ServicesDatabaseOptions = {}) {}

  lookupServiceByName(name: string, proto: ServiceProto): number | null {
    const key = `${name.trim().toLowerCase()}/${proto}`;
    return this.load().portByName.get(key) ?? this.builtIn.portByName.get(key) ?? null;
  }

  serviceNameForPort(port: number, proto: ServiceProto): string | null {
    if (!Number.isInteger(port) || port < 0 || port > 65_535) return null;
    const key = `${port}/${proto}`;
    return this.load().nameByPort.get(key) ?? this.builtIn.nameByPort.get(key) ?? null;
  }

  /** Whether the system's file was read (false: only the built-in table answers). */
  usesSystemFile(): boolean {
    this.load();
    return this.fromFile;
  }

  private load(): ServicesTable {
    if (this.table) return this.table;
    const path = this.options.path ?? servicesFilePath();
    const read = this.options.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
    try {
      this.table = parseServices(read(path));
      this.fromFile = true;
    } catch {
      // Missing or unreadable: the built-in table is consulted on every lookup anyway.
      this.table = { portByName: new Map(), nameByPort: new Map() };
      this.fromFile = false;
    }
    return this.table;
  }
}

let shared: ServicesDatabase | null = null;

function sharedDatabase(): ServicesDatabase {
  shared ??= new ServicesDatabase();
  return shared;
}

/** `whois`/tcp → 43, `ntp`/udp → 123; null when neither the system nor the built-in table knows it. */
export function lookupServiceByName(name: string, proto: ServiceProto): number | null {
  return sharedDatabase().lookupServiceByName(name, proto);
}

/** 43/tcp → `whois`. */
export function serviceNameForPort(port: number, proto: ServiceProto): string | null {
  return sharedDatabase().serviceNameForPort(port, proto);
}
