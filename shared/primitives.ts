import { z } from 'zod';

/** Limits enforced at every boundary (IPC, WebSocket) before any handler runs. */
export const LIMITS = {
  hostLength: 253,
  pathLength: 1024,
  /** Largest single message a person can send in one go (bytes, before base64). */
  messageBytes: 16 * 1024 * 1024,
  serviceNameLength: 64,
  timeoutMs: { min: 100, max: 120_000 },
  backlog: { min: 1, max: 65_535 },
  maxClients: { min: 1, max: 100_000 },
  repeat: { maxCount: 100_000, minIntervalMs: 0, maxIntervalMs: 3_600_000 },
  trafficPage: 2_000,
  /** SO_RCVBUF a UDP endpoint may ask for, in bytes; `default` when it does not say. */
  udpReceiveBuffer: { min: 4096, max: 64 * 1024 * 1024, default: 4 * 1024 * 1024 },
} as const;

export const Port = z.number().int().min(0).max(65_535);

/** A port typed by a person: a number, or a service name from the system's services database. */
export const PortSpec = z.union([
  Port,
  z
    .string()
    .min(1)
    .max(LIMITS.serviceNameLength)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._+-]*$/, 'a port number or a service name such as "whois"'),
]);
export type PortSpec = z.infer<typeof PortSpec>;

/** A host name or address literal; IPv6 may carry a zone id (fe80::1%eth0). */
export const Host = z
  .string()
  .min(1, 'a host is required')
  .max(LIMITS.hostLength, `a host is at most ${LIMITS.hostLength} characters`)
  .regex(/^[^\s/\\]+$/, 'a host has no spaces or slashes');

export const UnixPath = z.string().min(1).max(LIMITS.pathLength);

export const Id = z.string().regex(/^[a-z0-9.-]{1,64}$/);

/** Bytes travel as base64 over both transports; the size is checked after decoding too. */
export const Base64 = z
  .string()
  .max(Math.ceil(LIMITS.messageBytes / 3) * 4)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64');

export const Family = z.enum(['IPv4', 'IPv6']);
export type Family = z.infer<typeof Family>;

export const InetAddress = z.strictObject({
  kind: z.literal('inet'),
  host: z.string(),
  port: Port,
  family: Family,
});
export const UnixAddress = z.strictObject({ kind: z.literal('unix'), path: z.string() });
export const SockAddr = z.discriminatedUnion('kind', [InetAddress, UnixAddress]);
export type InetAddress = z.infer<typeof InetAddress>;
export type SockAddr = z.infer<typeof SockAddr>;

/** `127.0.0.1:5000`, `[::1]:5000`, or the socket path: the form the UI contract names. */
export function formatSockAddr(a: SockAddr): string {
  if (a.kind === 'unix') return a.path || '(unnamed)';
  return formatHostPort(a.host, a.port);
}

export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
