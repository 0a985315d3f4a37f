import type { ErrorInfo } from '../../shared/errors';

/** What the engine was doing when it failed, so the explanation can name the address and the call. */
export interface ErrorContext {
  syscall?: string;
  /** `127.0.0.1:5000`, a host name, or a socket path. */
  target?: string;
  port?: number;
  /** Who holds the port, when the OS table can tell (for EADDRINUSE). */
  holder?: string;
  platform?: NodeJS.Platform;
  /** Which protocol failed, where the same code means different things (ECONNREFUSED). TCP if unset. */
  transport?: 'tcp' | 'udp';
}

type Explainer = (c: ErrorContext) => string;

const at = (c: ErrorContext) => (c.target ? ` (${c.target})` : '');

const EXPLAIN: Record<string, Explainer> = {
  EADDRINUSE: (c) =>
    `Address already in use${at(c)}: another socket is already bound to this address and port` +
    (c.holder ? ` — it is held by ${c.holder}.` : '.') +
    ' Close it, pick another port, or use port 0 to let the kernel choose a free one.',
  EACCES: (c) =>
    c.port !== undefined && c.port > 0 && c.port < 1024 && c.platform !== 'win32'
      ? `Permission denied${at(c)}: ports below 1024 are privileged. Run as root, grant the capability (setcap cap_net_bind_service=+ep on the executable), or use a port of 1024 or more.`
      : c.platform === 'win32'
        ? `Permission denied${at(c)}: the port may be in a range Windows reserves (see "netsh int ipv4 show excludedportrange protocol=tcp"), or a firewall forbids it.`
        : `Permission denied${at(c)}: the operating system refused this operation for this user (privileged port, broadcast without the broadcast option, or a socket file you may not write).`,
  EADDRNOTAVAIL: (c) =>
    `Address not available${at(c)}: this address does not belong to any interface of this machine (or its IPv6 zone is wrong). Pick one of the machine's own addresses, 0.0.0.0 or ::.`,
  ECONNREFUSED: (c) =>
    c.transport === 'udp'
      ? `Port unreachable${at(c)}: an ICMP port-unreachable came back, so nothing is bound to that UDP port on the host (a datagram sent earlier was refused).`
      : `Connection refused${at(c)}: the host answered, but nothing is listening on that port (it answered our SYN with a reset).`,
  ETIMEDOUT: (c) =>
    `Timed out${at(c)}: no answer arrived in time. The host may be down, a firewall may drop the packets silently, or the listener's accept queue is full.`,
  ENOTFOUND: (c) =>
    `Host not found${at(c)}: the name does not exist in DNS (or the hosts file). Check the spelling.`,
  EAI_AGAIN: (c) =>
    `Temporary DNS failure${at(c)}: the resolver could not get an answer right now (no network or DNS server unreachable). Try again, or use an IP address.`,
  EAI_FAIL: (c) => `DNS failure${at(c)}: the name server returned a permanent failure.`,
  EAI_NODATA: (c) => `No address of the requested family${at(c)}: the name exists but has no address of that kind.`,
  ECONNRESET: (c) =>
    `Connection reset by peer${at(c)}: the other side aborted the connection (it sent RST), e.g. it crashed, closed with unread data, or was killed.`,
  EPIPE: (c) => `Broken pipe${at(c)}: we wrote after the connection was closed by the other side.`,
  EHOSTUNREACH: (c) => `Host unreachable${at(c)}: there is no route to that host (an ICMP host-unreachable came back).`,
  ENETUNREACH: (c) => `Network unreachable${at(c)}: this machine has no route to that network (for IPv6, often no IPv6 connectivity).`,
  ENETDOWN: (c) => `Network is down${at(c)}: the interface is not up.`,
  EMSGSIZE: (c) =>
    `Message too long${at(c)}: a UDP datagram carries at most 65,507 bytes over IPv4 (65,527 over IPv6), and may be limited further by the interface.`,
  EINVAL: (c) => `Invalid argument${at(c)}: the operating system rejected these parameters for this socket.`,
  ENOENT: (c) =>
    c.syscall === 'bind' || c.syscall === 'listen'
      ? `No such directory${at(c)}: the folder that should hold the socket file does not exist. Create it or pick another path.`
      : `No such file${at(c)}: the socket path does not exist — nothing listens there.`,
  ENOTSOCK: (c) => `Not a socket${at(c)}: the path exists but is not a socket.`,
  ENAMETOOLONG: (c) =>
    `Path too long${at(c)}: a Unix socket path must fit in the socket address, at most ${c.platform === 'linux' ? '107 bytes on Linux' : '103 bytes on macOS and BSD'}, counted in UTF-8 (a letter like é or ü takes 2 bytes, most symbols 3 or 4). Nothing was created. Use a shorter path (a folder nearer the root, such as /tmp), or a relative path: it counts from Sockscope's working folder, named in the details.`,
  EAFNOSUPPORT: (c) => `Address family not supported${at(c)}: e.g. an IPv6 address on an IPv4 socket.`,
  EMFILE: () => 'Too many open files: this process hit its file-descriptor limit (ulimit -n).',
  ENFILE: () => 'Too many open files on this machine: the system-wide file table is full.',
  ENOBUFS: () => 'No buffer space: the kernel ran out of socket buffers.',
  ERR_SOCKET_BAD_PORT: () => 'Invalid port: a port is a number from 0 to 65535.',
  ERR_INVALID_ADDRESS: () => 'Invalid address.',
  ERR_SOCKET_DGRAM_NOT_CONNECTED: () => 'This UDP socket is not connected: give a destination.',
  ERR_SOCKET_DGRAM_IS_CONNECTED: () => 'This UDP socket is connected: it sends only to its fixed peer.',
  ERR_SOCKET_CLOSED: () => 'The socket is already closed.',
  ERR_STREAM_WRITE_AFTER_END: () => 'Cannot send: our side of the connection is already shut down (we sent FIN).',
  ERR_STREAM_DESTROYED: () => 'Cannot send: the connection is closed.',
  ESTALE_SOCKET: (c) =>
    `Stale socket file${at(c)}: the path exists but nothing listens on it (a previous server exited without removing it). Remove the file and try again.`,
  EUNKNOWN_SERVICE: (c) => `Unknown service name${at(c)}: it is not in the system's services database. Use a port number.`,
  EUNKNOWN_ZONE: (c) => `Unknown IPv6 zone${at(c)}: the zone id (after %) names no interface of this machine.`,
  ENODEV: (c) => `No such interface${at(c)}: no network interface of this machine has that name.`,
  ENOTMULTICAST: (c) =>
    `Not a multicast group${at(c)}: IPv4 groups are 224.0.0.0–239.255.255.255 (e.g. 239.1.2.3), IPv6 groups begin with ff (e.g. ff15::1234).`,
  ESENDQUEUE: (c) =>
    `Send queue full${at(c)}: datagrams are waiting for the kernel faster than it takes them, and UDP has no flow control, so Sockscope refuses to queue more. Wait a moment or send more slowly.`,
};

export function errorCodeOf(err: unknown): string {
  if (err && typeof err === 'object' && 'code' in err && typeof (err as { code: unknown }).code === 'string') {
    return (err as { code: string }).code;
  }
  return 'EUNKNOWN';
}

/** Turns a Node/OS error into what a person reads in the workspace's alert. */
export function explainError(err: unknown, ctx: ErrorContext = {}): ErrorInfo {
  const code = errorCodeOf(err);
  const syscall = ctx.syscall ?? (err && typeof err === 'object' && 'syscall' in err ? String((err as { syscall: unknown }).syscall) : undefined);
  const explain = EXPLAIN[code];
  const raw = err instanceof Error ? err.message : String(err);
  const info: ErrorInfo = {
    code,
    message: explain ? explain({ platform: process.platform, ...ctx }) : `${raw}`,
  };
  if (syscall) info.syscall = syscall;
  if (ctx.holder) info.detail = `held by ${ctx.holder}`;
  return info;
}

/** An error the engine raises itself (stale socket, unknown service) with a Node-like shape. */
export function engineError(code: string, message: string): NodeJS.ErrnoException {
  const e = new Error(message) as NodeJS.ErrnoException;
  e.code = code;
  return e;
}
