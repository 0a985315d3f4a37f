/** Shared by the UDP tests: an engine host, typed commands, loopback peers, bounded waits. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import dgram from 'node:dgram';
import type { CommandName, CommandRequest, CommandResponse } from '../../shared/contract';
import type { UdpSnapshot } from '../../shared/endpoints';
import type { BridgeError } from '../../shared/errors';
import { createDispatcher } from '../dispatcher';
import { Engine } from '../engine';
import { createHandlers } from '../handlers';
import type { EngineHost } from '../index';
import type { StoredChunk } from '../traffic/traffic-log';
import type { UdpLimits } from './udp-endpoint';
import { udpHandlers } from './udp-handlers';

export const b64 = (data: string | Uint8Array) => Buffer.from(data).toString('base64');

export class TestHost {
  readonly host: EngineHost;
  private readonly cleanups: (() => void | Promise<void>)[] = [];

  /** The engine and dispatcher as `createEngineHost` builds them; `udpLimits` shrink the UDP budgets. */
  constructor(udpLimits: Partial<UdpLimits> = {}) {
    const engine = new Engine({ mode: 'browser', version: 'test', dataDir: null });
    const dispatch = createDispatcher({ ...createHandlers(engine), ...udpHandlers(engine, udpLimits) });
    this.host = { engine, dispatch };
  }

  get engine() {
    return this.host.engine;
  }

  async call<N extends CommandName>(name: N, payload: CommandRequest<N>): Promise<CommandResponse<N>> {
    const r = await this.host.dispatch(name, payload);
    if (!r.ok) throw new Error(`${name} failed: ${r.error.code} ${r.error.message}`);
    return r.value as CommandResponse<N>;
  }

  async fails<N extends CommandName>(name: N, payload: CommandRequest<N>): Promise<BridgeError> {
    const r = await this.host.dispatch(name, payload);
    if (r.ok) throw new Error(`${name} unexpectedly succeeded: ${JSON.stringify(r.value)}`);
    return r.error;
  }

  /** udp:bind, then the endpoint's snapshot. */
  async bind(payload: CommandRequest<'udp:bind'>): Promise<UdpSnapshot> {
    const { endpointId } = await this.call('udp:bind', payload);
    return this.snap(endpointId);
  }

  snap(endpointId: string): UdpSnapshot {
    const s = this.engine.requireEndpoint(endpointId).snapshot();
    if (s.kind !== 'udp') throw new Error(`${endpointId} is ${s.kind}`);
    return s;
  }

  traffic(endpointId: string, dir?: 'in' | 'out'): StoredChunk[] {
    const all = this.engine.requireConversation(endpointId).traffic.page(undefined, 100_000);
    return dir ? all.filter((c) => c.dir === dir) : all;
  }

  calls(endpointId: string): string[] {
    return this.snap(endpointId).timeline.map((t) => `${t.call} → ${t.result}`);
  }

  onCleanup(fn: () => void | Promise<void>): void {
    this.cleanups.push(fn);
  }

  async dispose(): Promise<void> {
    for (const fn of this.cleanups.reverse()) await fn();
    await this.engine.shutdown();
  }
}

/** Polls `check` until it returns something truthy; fails after `timeoutMs`. */
export async function waitFor<T>(check: () => T | undefined | null | false, what: string, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
