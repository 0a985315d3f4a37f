import { hostname, networkInterfaces } from 'node:os';
import type { AppInfo, NetworkInterface } from '../shared/contract';

export function listInterfaces(): NetworkInterface[] {
  const out: NetworkInterface[] = [];
  for (const [name, addrs] of Object.entries(networkInterfaces())) {
    for (const a of addrs ?? []) {
      out.push({
        name,
        address: a.address,
        family: a.family === 'IPv6' ? 'IPv6' : 'IPv4',
        internal: a.internal,
        cidr: a.cidr ?? null,
        scopeid: a.family === 'IPv6' ? (a.scopeid ?? null) : null,
      });
    }
  }
  return out;
}

export function appInfo(mode: AppInfo['mode'], version: string): AppInfo {
  return {
    name: 'Sockscope',
    version,
    mode,
    platform: process.platform,
    arch: process.arch,
    hostname: hostname(),
    versions: {
      node: process.versions.node,
      electron: process.versions.electron ?? null,
      chrome: process.versions.chrome ?? null,
    },
    interfaces: listInterfaces(),
    isRoot: typeof process.getuid === 'function' ? process.getuid() === 0 : false,
  };
}
