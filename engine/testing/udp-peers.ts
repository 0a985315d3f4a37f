/** UDP peers for the engine tests (plain Node sockets) and external programs, stopped with their TestHost. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import dgram from 'node:dgram';
import type { TestHost } from './test-host';

export interface Received {
  data: Buffer;
  from: dgram.RemoteInfo;
}

/** A plain Node UDP socket on loopback that records every datagram it receives. */
export interface Peer {
  socket: dgram.Socket;
  port: number;
  received: Received[];
  send(data: string | Buffer, port: number, address?: string): Promise<void>;
  close(): Promise<void>;
}

export async function peer(t: TestHost, address = '127.0.0.1', opts: { reuseAddr?: boolean; port?: number } = {}): Promise<Peer> {
  const type = address.includes(':') ? 'udp6' : 'udp4';
  const socket = dgram.createSocket({ type, reuseAddr: opts.reuseAddr ?? false });
  const received: Received[] = [];
  socket.on('message', (data, from) => received.push({ data, from }));
  socket.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(opts.port ?? 0, address, () => resolve());
  });
  let closed = false;
  const p: Peer = {
    socket,
    port: socket.address().port,
    received,
    send: (data, port, to = address) =>
      new Promise((resolve, reject) => socket.send(data, port, to, (err) => (err ? reject(err) : resolve()))),
    close: () =>
      new Promise((resolve) => {
        if (closed) return resolve();
        closed = true;
        socket.close(() => resolve());
      }),
  };
  t.onCleanup(() => p.close());
  return p;
}

/** A loopback port where nothing listens (bound once, then released). */
export async function closedPort(address = '127.0.0.1'): Promise<number> {
  const s = dgram.createSocket(address.includes(':') ? 'udp6' : 'udp4');
  await new Promise<void>((resolve) => s.bind(0, address, () => resolve()));
  const { port } = s.address();
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** An external program (socat, ncat) with its output collected; killed at cleanup. */
export interface Tool {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
}

export function tool(t: TestHost, command: string, args: string[]): Tool {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString('latin1')));
  child.stderr.on('data', (d: Buffer) => (err += d.toString('latin1')));
  child.stdin.on('error', () => {});
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => resolve(code));
    child.on('error', (e) => {
      err += String(e);
      resolve(-1);
    });
  });
  t.onCleanup(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}
